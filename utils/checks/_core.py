"""Building blocks of the self-checks: passing, failing, and calling a learner's code.

A passing check prints one line starting with a tick. A failing check raises
:class:`CheckFailed`: what is wrong and a hint, never the answer; Jupyter shows it as two
short lines, and it still stops "Run All". An exercise leaves every name a TODO asks for as
``...``, so the check below says "fill in the TODO above" (:func:`require_answer`).
"""

from __future__ import annotations

from typing import Any, NoReturn

import numpy as np
import torch

from utils.errors import explain_error, first_line, learner_line


class CheckFailed(AssertionError):
    """A self-check failed: what is wrong (``message``) and what to try (``hint``).

    IPython shows :meth:`_render_traceback_`'s lines, not the frames of the check.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint or None
        super().__init__(f"{message}\nHint: {hint}" if hint else message)

    def _render_traceback_(self) -> list[str]:
        """Return the lines IPython shows instead of a traceback."""
        first, *rest = self.message.splitlines() or [""]
        lines = [f"✗ {first}", *(f"  {line}" for line in rest)]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return lines


def passed(message: str) -> None:
    """Print the confirmation of a passing check."""
    print(f"✓ {message}")


def fail(message: str, hint: str | None = None) -> NoReturn:
    """Raise the :class:`CheckFailed` of a failing check, with an optional hint."""
    raise CheckFailed(message, hint)


def require_answer(name: str, value: object) -> None:
    """Fail with "fill in the TODO above" if ``value`` is still the exercise's ``...``."""
    if value is Ellipsis:
        fail(f"{name} is still `...`: fill in the TODO above.", _REPLACE)


_REPLACE = "replace the `...` with your code, then run the cell again."


def _mentions_ellipsis(error: BaseException) -> bool:
    return isinstance(error, TypeError | AttributeError) and "'ellipsis'" in str(error)


def call_learner_function(
    name: str, function: object, *args: Any, allow_none: bool = False, **kwargs: Any
) -> Any:
    """Call a function the learner wrote with ``args``; return what it returns.

    Fails readably if ``function`` is still ``...``, is not callable, raises (naming the
    error, a hint where PyTorch's error is a known slip, and the line of the learner's
    code), returns or uses ``...``, or returns ``None`` (unless ``allow_none``).
    """
    require_answer(name, function)
    if not callable(function):
        fail(
            f"{name} should be a function, got {type(function).__name__}.",
            f"pass the function itself, without calling it: {name}, not {name}(...).",
        )
    try:
        result = function(*args, **kwargs)
    except CheckFailed:  # a check inside the learner's function has said what is wrong
        raise
    except Exception as error:  # a learner's bug can raise anything
        if _mentions_ellipsis(error):
            raise CheckFailed(
                f"{name} still uses a `...`: fill in the TODO above.",
                f"Python said {type(error).__name__}: {error}{learner_line(error)}.",
            ) from error
        known = explain_error(error)
        raise CheckFailed(
            f"Calling {name} raised {type(error).__name__}: {first_line(error)}"
            f"{learner_line(error)}",
            known
            or "run your function on a small example in a cell of its own to see where it breaks.",
        ) from error
    if result is Ellipsis or (
        isinstance(result, tuple | list) and any(item is Ellipsis for item in result)
    ):
        fail(f"{name} still returns `...`: fill in the TODO above.", _REPLACE)
    if result is None and not allow_none:
        fail(f"{name} returned None.", "did you forget the return statement?")
    return result


def as_float(name: str, value: object, tensor_ok: bool = True) -> float:
    """Return ``value`` as a Python float if it is a single number, else fail clearly.

    Accepts Python numbers, NumPy scalars and tensors or arrays with exactly one
    element; with ``tensor_ok=False`` a tensor is refused by name, for a result that a
    learner should have turned into a plain number (a headline, a returned mean).

    Raises
    ------
    CheckFailed
        If ``value`` is still ``...``, or is not a single number.
    """
    require_answer(name, value)
    if isinstance(value, bool):
        fail(f"{name} should be a number, got a bool ({value}).")
    if isinstance(value, int | float | np.number):
        return float(value)
    if isinstance(value, torch.Tensor) and not tensor_ok:
        fail(
            f"{name} is a tensor of shape {tuple(value.shape)}; a Python float is wanted.",
            "turn a one-number tensor into a plain number with .item() (a tensor can keep a "
            "whole graph alive and breaks plots and comparisons later).",
        )
    if isinstance(value, torch.Tensor | np.ndarray):
        number_of_elements = value.numel() if isinstance(value, torch.Tensor) else value.size
        if number_of_elements == 1:
            return float(value.item())
        fail(
            f"{name} should be a single number, got an array of shape {tuple(value.shape)}.",
            "a loss or a gradient averages over the data points; did you forget a mean or a sum?",
        )
    fail(f"{name} should be a number, got {type(value).__name__}.")


def check_tensor(
    name: str, value: object, shape: tuple[int, ...] | None = None, dtype: torch.dtype | None = None
) -> None:
    """Check that ``value`` is a tensor of ``shape`` and ``dtype`` (``None``: any)."""
    require_answer(name, value)
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} should be a torch.Tensor, got {type(value).__name__}.",
            "torch.tensor(...) turns a list or a NumPy array into a tensor.",
        )
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}.")
    if dtype is not None and value.dtype != dtype:
        fail(f"{name} has dtype {value.dtype}, expected {dtype}.", f"convert it with .to({dtype}).")


def check_array(name: str, value: object, shape: tuple[int, ...] | None = None) -> None:
    """Check that ``value`` is a floating-point NumPy array of ``shape`` (``None``: any)."""
    require_answer(name, value)
    if not isinstance(value, np.ndarray):
        fail(
            f"{name} should be a NumPy array, got {type(value).__name__}.",
            "np.array([...]) turns a list into an array.",
        )
    if shape is not None and value.shape != tuple(shape):
        fail(f"{name} has shape {value.shape}, expected {tuple(shape)}.")
    if not np.issubdtype(value.dtype, np.floating):
        fail(
            f"{name} has dtype {value.dtype}, expected floating-point numbers.",
            "write the numbers with a decimal point, or pass dtype=float.",
        )


def find_factor(value: float, expected: float, factors: dict[float, str]) -> str | None:
    """Return the hint for a known mistake if ``value`` is ``expected`` times one of ``factors``.

    Useful to recognise classic slips (a sign flipped, a factor 2 or ``n`` lost)
    and say so, instead of only "wrong".
    """
    for factor, hint in factors.items():
        if expected != 0 and np.isclose(value, factor * expected, rtol=1e-4, atol=1e-8):
            return hint
    return None


def brief_failure(error: BaseException) -> CheckFailed | None:
    """The two lines a learner sees for a known PyTorch error (``None`` for an unknown one)."""
    hint = None if isinstance(error, CheckFailed) else explain_error(error)
    if hint is None:
        return None
    return CheckFailed(f"{type(error).__name__}: {first_line(error)}{learner_line(error)}", hint)


def show_known_errors_briefly() -> None:
    """In IPython, show a known PyTorch error as two lines, like a failed check, with a hint.

    Unknown errors keep IPython's usual traceback; ``%tb`` still prints the full one.
    Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_course_errors_shown_briefly", False):
        return

    def handler(self: Any, kind: type, error: BaseException, tb: Any, tb_offset: Any = None) -> Any:
        brief = brief_failure(error)
        if brief is None:
            return self.showtraceback((kind, error, tb), tb_offset=tb_offset)
        lines = [*brief._render_traceback_(), "(%tb shows the full traceback.)"]
        self._showtraceback(kind, error, lines)
        return None

    shell.set_custom_exc((Exception,), handler)
    shell._course_errors_shown_briefly = True
