"""Building blocks for the self-checks that exercises call after each task.

A passing check prints one line starting with a tick. A failing check raises
:class:`CheckFailed`, an ``AssertionError`` whose message says what is wrong
and gives a hint, but never the answer itself. In Jupyter it shows as two
short lines (the message and the hint) instead of a traceback through this
package; it still stops "Run All", and nbval still sees the failure.

An exercise leaves the names a TODO asks for defined as ``...`` (see
``tools/exercises.py``), so the check right below says "fill in the TODO
above" (:func:`require_answer`) instead of Python's ``NameError``.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import torch

# Frames from these folders (Python, installed packages, this package) are never
# the learner's own code.
_LIBRARY_FOLDERS = tuple(
    {
        str(Path(folder).resolve())
        for folder in (sys.prefix, sys.base_prefix, sys.exec_prefix, Path(__file__).parents[1])
    }
)


def _is_library_file(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    path = str(Path(filename).resolve())
    return any(path == folder or path.startswith(folder + os.sep) for folder in _LIBRARY_FOLDERS)


class CheckFailed(AssertionError):
    """A self-check failed: what is wrong (``message``) and what to try (``hint``).

    ``str(error)`` is the message, followed by ``Hint: ...`` on its own line if
    there is a hint. IPython and Jupyter call :meth:`_render_traceback_` to
    display it, so a learner sees those lines, not the frames of the check.

    Parameters
    ----------
    message
        What is wrong, with the actual (and, where it gives nothing away, the
        expected) value.
    hint
        What to look at or try, without giving the answer; ``None`` for none.
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
    """Raise the :class:`CheckFailed` of a failing check, with an optional hint.

    Raises
    ------
    CheckFailed
        Always.
    """
    raise CheckFailed(message, hint)


def _unfilled_message(name: str) -> str:
    return f"{name} is still `...`: fill in the TODO above."


def require_answer(name: str, value: object) -> None:
    """Fail with "fill in the TODO above" if ``value`` is still the exercise's ``...``.

    Parameters
    ----------
    name
        The name the learner should have defined, used in the message.
    value
        What that name holds now.

    Raises
    ------
    CheckFailed
        If ``value`` is ``...`` (``Ellipsis``), the placeholder an exercise
        leaves for every name a TODO asks for.
    """
    if value is Ellipsis:
        fail(_unfilled_message(name), "replace the `...` with your code, then run the cell again.")


def _learner_line(error: BaseException) -> str:
    """Return " (line N of your code: `...`)" for the deepest learner frame of ``error``."""
    learner_frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)[1:]  # [0]: our own call
        if not _is_library_file(frame.filename)
    ]
    if not learner_frames:
        return ""
    frame = learner_frames[-1]
    where = f"in {frame.name}" if frame.name not in ("<module>", "<lambda>") else "in your code"
    code = f": `{frame.line.strip()}`" if frame.line and frame.line.strip() else ""
    return f" ({where}, line {frame.lineno}{code})"


def _mentions_ellipsis(error: BaseException) -> bool:
    return isinstance(error, TypeError | AttributeError) and "'ellipsis'" in str(error)


def call_learner_function(
    name: str, function: object, *args: Any, allow_none: bool = False, **kwargs: Any
) -> Any:
    """Call a function the learner wrote, turning any crash into a readable failure.

    Parameters
    ----------
    name
        The name the learner gave the function, used in messages.
    function
        What the learner passed; should be callable.
    *args, **kwargs
        Arguments to call it with.
    allow_none
        Accept ``None`` as a result (for functions that work in place).

    Returns
    -------
    Any
        Whatever the function returned.

    Raises
    ------
    CheckFailed
        If ``function`` is still ``...``, is not callable, raised an exception
        when called (the message names its type, text and the line of the
        learner's code), returned ``...`` or used one (a TODO left unfilled),
        or returned ``None`` (every function a check calls must return its
        answer; a forgotten ``return`` is the commonest slip).
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
                f"Python said {type(error).__name__}: {error}{_learner_line(error)}.",
            ) from error
        known = explain_error(error)
        raise CheckFailed(
            f"Calling {name} raised {type(error).__name__}: {_first_line(error)}"
            f"{_learner_line(error)}",
            known
            or "run your function on a small example in a cell of its own to see where it breaks.",
        ) from error
    if result is Ellipsis or (
        isinstance(result, tuple | list) and any(item is Ellipsis for item in result)
    ):
        fail(
            f"{name} still returns `...`: fill in the TODO above.",
            "replace the `...` with your code, then run the cell again.",
        )
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
    name: str,
    value: object,
    shape: tuple[int, ...] | None = None,
    dtype: torch.dtype | None = None,
) -> None:
    """Check that ``value`` is a tensor with the expected shape and dtype, with a hint if not.

    Parameters
    ----------
    name
        The variable's name, used in messages.
    value
        What the learner computed.
    shape
        The expected shape, or ``None`` to accept any.
    dtype
        The expected dtype, or ``None`` to accept any.

    Raises
    ------
    CheckFailed
        If ``value`` is still ``...``, or not such a tensor.
    """
    require_answer(name, value)
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} should be a torch.Tensor, got {type(value).__name__}.",
            "torch.tensor(...) turns a list or a NumPy array into a tensor.",
        )
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}.")
    if dtype is not None and value.dtype != dtype:
        fail(
            f"{name} has dtype {value.dtype}, expected {dtype}.",
            f"convert it with .to({dtype}).",
        )


def check_array(name: str, value: object, shape: tuple[int, ...] | None = None) -> None:
    """Check that ``value`` is a floating-point NumPy array with the expected shape.

    Raises
    ------
    CheckFailed
        If ``value`` is still ``...``, or not such an array.
    """
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


# --- Errors PyTorch raises in a learner's code ------------------------------------------------

# (a piece of PyTorch's message, what it means for a learner). The first that matches wins.
KNOWN_ERRORS: tuple[tuple[str, str], ...] = (
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "a Linear layer gets inputs of another width than its in_features: make each layer's "
        "in_features the number of values the layer before it gives (after Flatten, for images).",
    ),
    (
        "Expected more than 1 value per channel when training",
        "BatchNorm in training mode needs at least two items per batch: use batches of two or "
        "more (drop_last=True for training; an example batch of at least 2 for export).",
    ),
    (
        "to have 1 channels, but got",
        "the model's first convolution expects one channel: give images the shape "
        "(batch, 1, height, width), e.g. with .unsqueeze(1).",
    ),
    (
        "Expected all tensors to be on the same device",
        "move the model and every batch (inputs and targets) to the same device with .to(device).",
    ),
    (
        "does not require grad and does not have a grad_fn",
        "the loss is cut off from the model: compute it from the model's output, outside "
        "torch.no_grad(), and call .item() or .detach() only for printing.",
    ),
    (
        "backward through the graph a second time",
        "a graph is used twice: add loss.item() to a running total, not the loss itself, and "
        "call backward() once per batch.",
    ),
    (
        "must match the size of tensor b",
        "two tensors of different lengths meet: check each dim= (over the classes of one item "
        "is dim=1; over the items is dim=0) and that outputs and targets come from one batch.",
    ),
    (
        "received an invalid combination of arguments - got (axis=",
        "a NumPy function was given a tensor: use the tensor's own method (x.mean(), x.sum()) "
        "or convert it first with .numpy().",
    ),
    (
        "expected scalar type Long",
        "CrossEntropyLoss takes class indices as int64: labels.long(), not floats.",
    ),
    (
        "multi-target not supported",
        "CrossEntropyLoss takes one class index per item, targets of shape (batch,), not one-hot "
        "rows.",
    ),
    (
        "Found dtype Double but expected Float",
        "the data are float64 and the model float32: convert them with .float().",
    ),
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "update parameters by hand inside `with torch.no_grad():`.",
    ),
    (
        "Can't call numpy() on Tensor that requires grad",
        "detach the tensor from the graph first: tensor.detach().numpy().",
    ),
    (
        "specialized it to be a constant",
        "an example batch of one makes torch.export treat the batch size as fixed: export with "
        "an example batch of at least two items.",
    ),
)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]


def explain_error(error: BaseException) -> str | None:
    """Return a hint for an error PyTorch raises at a typical slip, or ``None`` if unknown."""
    text = str(error)
    return next((hint for piece, hint in KNOWN_ERRORS if piece in text), None)


def brief_failure(error: BaseException) -> CheckFailed | None:
    """The two lines a learner sees for a known PyTorch error (``None`` for an unknown one)."""
    hint = None if isinstance(error, CheckFailed) else explain_error(error)
    if hint is None:
        return None
    return CheckFailed(f"{type(error).__name__}: {_first_line(error)}{_learner_line(error)}", hint)


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
