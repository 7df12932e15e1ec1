"""Building blocks for the self-checks that exercises call after each task.

A passing check prints one line starting with a tick. A failing check raises an
``AssertionError`` whose message says what is wrong and gives a hint, but never
the answer itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def passed(message: str) -> None:
    """Print the confirmation of a passing check."""
    print(f"✓ {message}")


def fail(message: str, hint: str | None = None) -> None:
    """Raise the ``AssertionError`` of a failing check, with an optional hint."""
    if hint:
        message = f"{message}\nHint: {hint}"
    raise AssertionError(message)


def call_learner_function(name: str, function: object, *args: Any) -> Any:
    """Call a function the learner wrote, turning any crash into a readable failure.

    Parameters
    ----------
    name
        The name the learner gave the function, used in messages.
    function
        What the learner passed; should be callable.
    *args
        Arguments to call it with.

    Returns
    -------
    Any
        Whatever the function returned.

    Raises
    ------
    AssertionError
        If ``function`` is not callable, raised an exception when called, or
        returned ``None`` (every function a check calls must return its answer;
        a forgotten ``return`` is the commonest slip).
    """
    if not callable(function):
        fail(
            f"{name} should be a function, got {type(function).__name__}.",
            f"pass the function itself, without calling it: {name}, not {name}(...).",
        )
    try:
        result = function(*args)
    except Exception as error:  # a learner's bug can raise anything
        raise AssertionError(
            f"Calling {name} raised {type(error).__name__}: {error}\n"
            "Hint: run your function on a small example in a cell of its own to see where "
            "it breaks."
        ) from error
    if result is None:
        fail(f"{name} returned None.", "did you forget the return statement?")
    return result


def as_float(name: str, value: object) -> float:
    """Return ``value`` as a Python float if it is a single number, else fail clearly.

    Accepts Python numbers, NumPy scalars and tensors or arrays with exactly one
    element.
    """
    if isinstance(value, bool):
        fail(f"{name} should be a number, got a bool ({value}).")
    if isinstance(value, int | float | np.number):
        return float(value)
    if isinstance(value, torch.Tensor | np.ndarray):
        number_of_elements = value.numel() if isinstance(value, torch.Tensor) else value.size
        if number_of_elements == 1:
            return float(value.item())
        fail(
            f"{name} should be a single number, got an array of shape {tuple(value.shape)}.",
            "a loss or a gradient averages over the data points; did you forget a mean or a sum?",
        )
    fail(f"{name} should be a number, got {type(value).__name__}.")
    raise AssertionError  # unreachable: fail always raises; keeps type checkers happy


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
    """
    if not isinstance(value, torch.Tensor):
        fail(
            f"{name} should be a torch.Tensor, got {type(value).__name__}.",
            "torch.tensor(...) turns a list or a NumPy array into a tensor.",
        )
    assert isinstance(value, torch.Tensor)  # for type checkers; fail() raised otherwise
    if shape is not None and tuple(value.shape) != tuple(shape):
        fail(f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}.")
    if dtype is not None and value.dtype != dtype:
        fail(
            f"{name} has dtype {value.dtype}, expected {dtype}.",
            f"convert it with .to({dtype}).",
        )


def check_array(name: str, value: object, shape: tuple[int, ...] | None = None) -> None:
    """Check that ``value`` is a floating-point NumPy array with the expected shape."""
    if not isinstance(value, np.ndarray):
        fail(
            f"{name} should be a NumPy array, got {type(value).__name__}.",
            "np.array([...]) turns a list into an array.",
        )
    assert isinstance(value, np.ndarray)
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
