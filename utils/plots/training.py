"""Figures of training: data with a fitted line, loss curves, loss landscapes.

Every helper draws on the ``Axes`` it is given (or a new one), returns it, and
never calls ``plt.show()``: the notebook decides when to show. They use only
matplotlib, so they work the same headless (in tests) and in JupyterLab.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes

from utils.plots.common import axes_or_new


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
    """
    ax = axes_or_new(ax)
    ax.scatter(x, y, color="black", zorder=3, label="data")
    if m is not None and c is not None:
        x_line = np.linspace(min(0.0, float(np.min(x))), float(np.max(x)) + 0.5, 50)
        ax.plot(x_line, m * x_line + c, label=label or f"y = {m:.3f} x + {c:.3f}")
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
    """
    ax = axes_or_new(ax)
    markers = "osd^v<>"
    for index, (name, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
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
    """
    ax = axes_or_new(ax)
    m_grid, c_grid = np.meshgrid(
        np.linspace(*m_range, resolution), np.linspace(*c_range, resolution)
    )
    loss_grid = loss(m_grid, c_grid)
    # Log-spaced levels show both the steep walls and the flat valley floor.
    levels = np.geomspace(max(float(loss_grid.min()), 1e-3), float(loss_grid.max()), 20)
    filled = ax.contourf(m_grid, c_grid, loss_grid, levels=levels, cmap="viridis", norm="log")
    ax.figure.colorbar(
        filled, ax=ax, label="loss (MSE, log scale)", ticks=levels[::4], format="%.2g"
    )
    if path is not None:
        path = np.asarray(path, dtype=float)
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
    """
    ax = axes_or_new(ax)
    # Light colours that stand out on viridis, told apart by line style and marker too.
    styles = [("white", "-", "o"), ("orange", "--", "s"), ("cyan", ":", "^"), ("pink", "-.", "d")]
    for index, (label, path) in enumerate(paths.items()):
        colour, line_style, marker = styles[index % len(styles)]
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], color=colour, linestyle=line_style, linewidth=1.2)
        ax.plot(
            *path[-1], marker=marker, color=colour, markersize=9, linestyle="", label=f"{label}"
        )
    ax.plot(*np.asarray(next(iter(paths.values())), dtype=float)[0], "k+", markersize=12)
    ax.legend(loc="upper right")
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept c")
    return ax
