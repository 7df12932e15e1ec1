"""Small helpers that every plotting module of the course shares, including the checks
that name a bad argument before matplotlib fails on it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence, Sized

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or the axes of a new figure (of ``figsize`` inches) if it is ``None``.

    Raises
    ------
    TypeError
        If ``ax`` is neither ``None`` nor one matplotlib ``Axes`` (for example the
        array of axes that ``plt.subplots(1, 2)`` returns), or ``figsize`` is not
        two numbers.
    ValueError
        If ``figsize`` is not positive and finite.
    """
    if ax is None:
        if figsize is not None:
            if isinstance(figsize, str) or not isinstance(figsize, Sequence) or len(figsize) != 2:
                raise TypeError(f"figsize should be (width, height) in inches, got {figsize!r}.")
            if min(finite_number(f"figsize[{i}]", size) for i, size in enumerate(figsize)) <= 0:
                raise ValueError(f"figsize should be positive (width, height), got {figsize!r}.")
        _, ax = plt.subplots(figsize=figsize)
        return ax
    check_axes(ax, "one matplotlib Axes (or None)")
    return ax


def check_axes(ax: object, wanted: str = "one matplotlib Axes") -> None:
    """Raise a TypeError unless ``ax`` is one matplotlib ``Axes``; ``wanted`` says what is."""
    if not isinstance(ax, Axes):
        hint = (
            "; plt.subplots(1, 2) returns several: pass one, e.g. axes[0]"
            if isinstance(ax, np.ndarray | list | tuple)
            else ""
        )
        raise TypeError(f"ax should be {wanted}, got {type(ax).__name__}{hint}.")


def to_numpy(values: torch.Tensor | np.ndarray | Sequence[float]) -> np.ndarray:
    """Return a tensor (on any device), an array or a list as a NumPy array, for plotting."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a positive whole number; raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} should be a positive int, got {type(value).__name__} ({value!r}).")
    if value < 1:
        raise ValueError(f"{name} should be a positive int, got {value}.")
    return int(value)


def finite_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite real number; raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} should be a number, got {type(value).__name__} ({value!r}).")
    if not math.isfinite(value):
        raise ValueError(f"{name} should be a finite number, got {value!r}.")
    return float(value)


def numbers(name: str, values: object, *, finite: bool = True) -> np.ndarray:
    """Return ``values`` (a tensor, array or list) as a float array; raise naming ``name``.

    Raises
    ------
    TypeError
        If ``values`` is a string, a dictionary or something that does not hold numbers.
    ValueError
        If ``finite`` and a value is NaN or infinite (the message gives its position).
    """
    if isinstance(values, str | bytes | dict) or values is None:
        raise TypeError(f"{name} should be numbers (a tensor, array or list), got {values!r}.")
    try:
        array = to_numpy(values).astype(float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} should hold numbers only: {error}.") from error
    if finite and not np.isfinite(array).all():
        position = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        where = f" at index {position[0] if len(position) == 1 else position}" if position else ""
        raise ValueError(
            f"{name} holds {array[position]}{where}; only finite numbers can be plotted "
            "(a NaN often means the training diverged)."
        )
    return array


def one_per_item(name: str, values: object, *, finite: bool = True) -> np.ndarray:
    """Return ``values`` as a flat float array with one number per item; raise naming ``name``.

    A column of shape (N, 1) counts as one number per item; a table of shape (N, C)
    with C > 1 does not (for class scores, take ``scores.argmax(dim=1)`` first).
    """
    array = numbers(name, values, finite=finite)
    if array.ndim == 0:
        raise ValueError(f"{name} should hold one number per item, got the single number {array}.")
    if array.ndim > 1 and array.size != len(array):
        raise ValueError(
            f"{name} should hold one number per item, got shape {array.shape}; for class "
            "scores, pass scores.argmax(dim=1)."
        )
    return array.reshape(-1)


def class_indices(name: str, values: object) -> np.ndarray:
    """Return class indices as a flat int array; raise naming ``name`` if one is not whole."""
    array = one_per_item(name, values)
    fractional = np.flatnonzero(array != np.round(array))
    if fractional.size:
        raise ValueError(
            f"{name} holds {array[fractional[0]]} at index {fractional[0]}; class indices are "
            "whole numbers (for scores, pass scores.argmax(dim=1))."
        )
    return array.astype(int)


def same_length(**arrays: Sequence[object] | np.ndarray) -> int:
    """Return the common length of ``arrays``, or raise a ValueError naming each length."""
    lengths = {name.replace("_", " "): len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) > 1:
        counts = [f"{length} {name}" for name, length in lengths.items()]
        raise ValueError(f"got {', '.join(counts[:-1])} but {counts[-1]}; give one per item.")
    return next(iter(lengths.values()))


def names(name: str, values: object) -> list[str]:
    """Return ``values`` as a list of strings; raise a TypeError naming ``name`` if it is not."""
    sized = isinstance(values, Sized) and isinstance(values, Iterable)
    if isinstance(values, str | bytes | Mapping) or not sized:
        raise TypeError(
            f"{name} should be a list of strings, one per item, got {type(values).__name__} "
            f"({values!r})."
        )
    return [str(value) for value in values]
