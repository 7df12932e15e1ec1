"""Figures of training: data with a fitted line, loss curves, loss landscapes.

Every helper draws on the ``Axes`` it is given (or a new one), returns it, and
never calls ``plt.show()``: the notebook decides when to show. They use only
matplotlib, so they work the same headless (in tests) and in JupyterLab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes

from utils.plots.common import (
    axes_or_new,
    finite_number,
    numbers,
    one_per_item,
    positive_int,
    same_length,
)


def _path(name: str, values: object) -> np.ndarray:
    """Return (m, c) pairs as an array of shape (K, 2), K >= 1; raise naming ``name``."""
    path = numbers(name, values)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise ValueError(
            f"{name} should be (m, c) pairs, an array of shape (K, 2) with K >= 1, got shape "
            f"{path.shape}."
        )
    return path


def _line_parameter(name: str, value: object) -> float:
    """Return a slope or intercept (a number or a one-element tensor) as a float."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} should be a number, got {type(value).__name__} ({value!r}).")
    return float(value)


def _range(name: str, values: object) -> tuple[float, float]:
    """Return ``(low, high)`` as two finite floats with low < high; raise naming ``name``."""
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray) or len(values) != 2:
        raise TypeError(f"{name} should be (lowest, highest), two numbers, got {values!r}.")
    low, high = (finite_number(f"{name}[{i}]", value) for i, value in enumerate(values))
    if not low < high:
        raise ValueError(
            f"{name} should be (lowest, highest) with lowest < highest, got {values!r}."
        )
    return low, high


def plot_data_and_line(
    x: np.ndarray,
    y: np.ndarray,
    m: float | None = None,
    c: float | None = None,
    ax: Axes | None = None,
    label: str | None = None,
) -> Axes:
    """Scatter the data points and, if ``m`` and ``c`` are given, the line y = m x + c.

    Parameters
    ----------
    x, y
        The data, one point per element.
    m, c
        Slope and intercept of a line to draw over the data, or ``None``.
    ax
        Where to draw; a new figure if ``None``.
    label
        Legend label for the line; by default its equation.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``x``, ``y``, ``m`` or ``c`` is not numbers.
    ValueError
        If ``x`` and ``y`` differ in length, are empty or hold a NaN or an infinity,
        or only one of ``m`` and ``c`` is given (a diverged ``m`` or ``c``, NaN or
        infinite, is drawn as far as it can be).
    """
    x, y = one_per_item("x", x), one_per_item("y", y)
    if same_length(x=x, y=y) == 0:
        raise ValueError("x and y are empty; give at least one point.")
    if (m is None) != (c is None):
        raise ValueError(f"give both m and c to draw a line, or neither; got m={m!r}, c={c!r}.")
    if m is not None and c is not None:  # NaN and infinity allowed: a diverged fit
        m, c = _line_parameter("m", m), _line_parameter("c", c)
    ax = axes_or_new(ax)
    ax.scatter(x, y, color="black", zorder=3, label="data")
    if m is not None and c is not None:
        x_line = np.linspace(min(0.0, float(np.min(x))), float(np.max(x)) + 0.5, 50)
        with np.errstate(invalid="ignore", over="ignore"):  # a diverged line: NaN, not a warning
            line = m * x_line + c
        ax.plot(x_line, line, label=label or f"y = {m:.3f} x + {c:.3f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend()
    return ax


def plot_training_curves(
    curves: Mapping[str, Sequence[float]],
    xlabel: str = "step",
    ylabel: str = "loss",
    logy: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Plot one or more curves (loss, accuracy, ...) against the step or epoch.

    Parameters
    ----------
    curves
        Curve name to values, e.g. ``{"train": [...], "validation": [...]}``. A
        pandas ``DataFrame`` works too (column name to column).
    xlabel, ylabel
        Axis labels; say the units.
    logy
        Use a logarithmic y axis, which shows a loss falling by orders of magnitude.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``curves`` is not a dictionary (or DataFrame) of curves, or a curve does
        not hold numbers.
    ValueError
        If ``curves`` is empty or a curve is not one number per step.
    """
    if not isinstance(curves, Mapping) and not hasattr(curves, "columns"):
        raise TypeError(
            "curves should be a dictionary of name to values, e.g. {'train': losses}, got "
            f"{type(curves).__name__}."
        )
    # NaN and infinity are allowed: a diverging run is worth seeing.
    series = {str(name): _curve(f"curves[{name!r}]", values) for name, values in curves.items()}
    if not series:
        raise ValueError("curves is empty; give at least one, e.g. {'train': losses}.")
    ax = axes_or_new(ax)
    markers = "osd^v<>"
    for index, (name, values) in enumerate(series.items()):
        steps = np.arange(1, len(values) + 1)
        # A marker as well as a colour, so curves stay apart in greyscale too.
        marker_every = max(1, len(values) // 10)
        ax.plot(
            steps,
            values,
            label=str(name),
            marker=markers[index % len(markers)],
            markevery=marker_every,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return ax


def _curve(name: str, values: object) -> np.ndarray:
    """Return one curve as a flat float array, with 0-d tensors (losses) turned into floats."""
    if isinstance(values, list | tuple):
        values = [
            float(value) if isinstance(value, torch.Tensor) and value.numel() == 1 else value
            for value in values
        ]
    return one_per_item(name, values, finite=False)


def plot_loss_landscape(
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    m_range: tuple[float, float],
    c_range: tuple[float, float],
    path: Sequence[tuple[float, float]] | np.ndarray | None = None,
    resolution: int = 200,
    ax: Axes | None = None,
) -> Axes:
    """Draw the loss over a grid of (m, c) as filled contours, with an optional parameter path.

    Parameters
    ----------
    loss
        A function of two arrays of equal shape, slopes ``m`` and intercepts
        ``c``, returning the loss at each pair (element by element).
    m_range, c_range
        The (lowest, highest) slope and intercept to show.
    path
        The (m, c) pairs visited by gradient descent, in order, drawn as a line
        from a circle (start) to a star (end).
    resolution
        Grid points along each axis.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``loss`` is not a function, a range is not two numbers, or
        ``resolution`` is not an int.
    ValueError
        If a range is empty, ``resolution`` is below 2, ``path`` is not (m, c)
        pairs, or ``loss`` does not return one positive, finite loss per grid point.
    """
    if not callable(loss):
        raise TypeError(f"loss should be a function of (m, c), got {type(loss).__name__}.")
    m_range, c_range = _range("m_range", m_range), _range("c_range", c_range)
    resolution = positive_int("resolution", resolution)
    if resolution < 2:
        raise ValueError(f"resolution should be at least 2 points per axis, got {resolution}.")
    path = None if path is None else _path("path", path)
    m_grid, c_grid = np.meshgrid(
        np.linspace(*m_range, resolution), np.linspace(*c_range, resolution)
    )
    loss_grid = numbers("the loss on the grid", loss(m_grid, c_grid))
    if loss_grid.shape != m_grid.shape:
        raise ValueError(
            f"loss(m, c) should return one loss per grid point, shape {m_grid.shape}, got "
            f"{loss_grid.shape}; compute it element by element (e.g. with NumPy, not a loop)."
        )
    if loss_grid.max() <= 0:
        raise ValueError("loss(m, c) is nowhere positive; the log colour scale needs losses > 0.")
    ax = axes_or_new(ax)
    # Log-spaced levels show both the steep walls and the flat valley floor.
    levels = np.geomspace(max(float(loss_grid.min()), 1e-3), float(loss_grid.max()), 20)
    filled = ax.contourf(m_grid, c_grid, loss_grid, levels=levels, cmap="viridis", norm="log")
    ax.figure.colorbar(
        filled, ax=ax, label="loss (MSE, log scale)", ticks=levels[::4], format="%.2g"
    )
    if path is not None:
        ax.plot(path[:, 0], path[:, 1], color="white", linewidth=1.5, marker=".", markersize=3)
        ax.plot(*path[0], marker="o", color="white", markersize=8, label="start")
        ax.plot(*path[-1], marker="*", color="orange", markersize=14, label="end")
        ax.legend(loc="upper right")
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept c")
    return ax


def plot_parameter_paths(
    paths: Mapping[str, Sequence[tuple[float, float]] | np.ndarray],
    ax: Axes | None = None,
) -> Axes:
    """Draw several (m, c) paths, each with its own colour, line style and end marker.

    Meant to go over :func:`plot_loss_landscape` (drawn without a path), to
    compare how different optimisers or batch sizes walk the same landscape.

    Parameters
    ----------
    paths
        Label to the (m, c) pairs visited, in order; one row per update.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        If ``paths`` is not a dictionary.
    ValueError
        If ``paths`` is empty, or a path is not (m, c) pairs.
    """
    if not isinstance(paths, Mapping):
        raise TypeError(
            f"paths should be a dictionary of label to (m, c) pairs, got {type(paths).__name__}."
        )
    if not paths:
        raise ValueError("paths is empty; give at least one, e.g. {'SGD': history[:, :2]}.")
    arrays = {label: _path(f"paths[{label!r}]", path) for label, path in paths.items()}
    ax = axes_or_new(ax)
    # Light colours that stand out on viridis, told apart by line style and marker too.
    styles = [("white", "-", "o"), ("orange", "--", "s"), ("cyan", ":", "^"), ("pink", "-.", "d")]
    for index, (label, path) in enumerate(arrays.items()):
        colour, line_style, marker = styles[index % len(styles)]
        ax.plot(path[:, 0], path[:, 1], color=colour, linestyle=line_style, linewidth=1.2)
        ax.plot(
            *path[-1], marker=marker, color=colour, markersize=9, linestyle="", label=f"{label}"
        )
    ax.plot(*next(iter(arrays.values()))[0], "k+", markersize=12)
    ax.legend(loc="upper right")
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept c")
    return ax
