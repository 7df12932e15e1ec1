"""Show a result and record it where the course's prose can quote it.

A solution notebook shows each figure that the prose, the slides, the instructor's guide or
the README quotes with :func:`show_result`::

    show_result("validation accuracy", 100 * validation_accuracy, "%")

The learner sees one line, ``validation accuracy: 98.9 %``. The same value travels in the
output's metadata, so the stored solution notebook is itself the record of its run: nobody
copies a number by hand. ``python -m tools.results`` lists every recorded result, and
``tests/test_results.py`` checks every figure quoted as ``98.9 %<!-- result 03: validation
accuracy -->`` against the record, to the rounding the quote shows.

A time (unit ``"s"`` or ``"ms"``) also records the machine it was measured on.
"""

from __future__ import annotations

import math
import os
import platform
from numbers import Integral, Real

METADATA_KEY = "practical_ml_result"
TIME_UNITS = ("s", "ms", "µs")


def describe_machine() -> str:
    """Return the machine a time is measured on, e.g. ``"x86_64, 2 cores, 2 PyTorch threads"``."""
    import torch

    return (
        f"{platform.machine() or 'unknown machine'}, {os.cpu_count()} cores, "
        f"{torch.get_num_threads()} PyTorch threads"
    )


def show_result(
    name: str, value: float, unit: str = "", *, digits: int | None = None, scientific: bool = False
) -> None:
    """Print ``name: value unit`` and record the value in the cell's output metadata.

    Parameters
    ----------
    name
        What the value is, in lower case, e.g. ``"validation accuracy"``. It is the key
        prose quotes, so it is unique within a notebook.
    value
        The number, in the unit shown (a percentage as 98.9, not 0.989).
    unit
        The unit printed after the value: ``"%"``, ``"s"``, ``"px"``, ... or ``""``.
    digits
        Decimal places shown to the learner (default: 0 for a whole number such as a
        count, 1 otherwise); the record keeps the full value.
    scientific
        Show the value as ``2.7e-08`` (``digits`` decimals), for very small or large values.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a tensor: call ``.item()`` first).
    ValueError
        If ``name`` is empty, ``value`` is not finite or ``digits`` is negative.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(
            f"name should be a non-empty string such as 'validation accuracy', got {name!r}"
        )
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(
            f"value should be a plain number, got {type(value).__name__}: "
            "call .item() on a one-element tensor first"
        )
    if not math.isfinite(value):
        raise ValueError(f"value of {name!r} should be a finite number, got {value}")
    if digits is None:
        digits = 0 if isinstance(value, Integral) else 1
    if not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits should be a whole number ≥ 0, got {digits!r}")
    number = f"{value:.{digits}e}" if scientific else f"{value:,.{digits}f}"
    text = f"{name}: {number}{' ' + unit if unit else ''}"
    record = {"name": name, "value": float(value), "unit": unit, "digits": digits}
    if scientific:
        record["scientific"] = True
    if unit in TIME_UNITS:
        record["machine"] = describe_machine()
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: nothing to attach the record to
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display({"text/plain": text}, raw=True, metadata={METADATA_KEY: record})
