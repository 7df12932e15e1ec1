"""Plots that judge a trained model: a confusion matrix, a parity plot, a residual histogram,
and errors against image contrast.

Every helper draws on the ``Axes`` it is given (or a
new one), returns it and never calls ``plt.show()``. Colours come from
colour-blind-safe palettes, and nothing is told by colour alone: cells carry
their counts, groups get their own markers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

from utils.plots.common import axes_or_new, to_numpy

ArrayLike = np.ndarray | torch.Tensor | Sequence[float]
MARKERS = "osD^v<>"


def _to_flat_numpy(values: ArrayLike) -> np.ndarray:
    """Return ``values`` (a tensor, array or list) as a flat NumPy array."""
    return to_numpy(values).reshape(-1)


def confusion_matrix(
    true_classes: ArrayLike, predicted_classes: ArrayLike, n_classes: int
) -> np.ndarray:
    """Count how often each true class (row) was predicted as each class (column).

    Parameters
    ----------
    true_classes, predicted_classes
        Class indices, one per item, in the same order.
    n_classes
        The number of classes, so that a class never predicted still gets a row
        and a column.

    Returns
    -------
    numpy.ndarray
        An ``(n_classes, n_classes)`` array of counts; the diagonal counts the
        correct predictions.

    Raises
    ------
    ValueError
        If the two inputs differ in length or hold an index outside
        ``0 .. n_classes - 1``.
    """
    true_classes = _to_flat_numpy(true_classes).astype(int)
    predicted_classes = _to_flat_numpy(predicted_classes).astype(int)
    if true_classes.shape != predicted_classes.shape:
        raise ValueError(
            f"Got {true_classes.size} true classes but {predicted_classes.size} predictions."
        )
    for values in (true_classes, predicted_classes):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(
                f"Class indices must lie in 0 .. {n_classes - 1}, got {values.min()} .. "
                f"{values.max()}."
            )
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (true_classes, predicted_classes), 1)
    return counts


def plot_confusion_matrix(
    true_classes: ArrayLike,
    predicted_classes: ArrayLike,
    class_names: Sequence[str],
    label: str = "class",
    items: str = "items",
    log_colour: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Draw the confusion matrix as a grid of cells, each showing its count.

    Parameters
    ----------
    true_classes, predicted_classes
        Class indices, one per item, in the same order.
    class_names
        The name of each class index, e.g. ``dataset.class_names``.
    label
        What the classes are, for the axis labels ("true species", ...).
    items
        What is counted, for the colour bar's label ("penguins (count)").
    log_colour
        Colour the cells by log(1 + count), so that a few mistakes still show
        beside a diagonal of thousands; empty cells are then left blank.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = axes_or_new(ax)
    counts = confusion_matrix(true_classes, predicted_classes, len(class_names))
    shades = np.log1p(counts) if log_colour else counts
    image = ax.imshow(shades, cmap="cividis", vmin=0)
    colour_bar_label = f"log(1 + {items})" if log_colour else f"{items} (count)"
    ax.figure.colorbar(image, ax=ax, label=colour_bar_label)
    threshold = shades.max() / 2
    for (row, column), count in np.ndenumerate(counts):
        if log_colour and count == 0:
            continue
        # Dark text on light cells, light text on dark ones.
        colour = "black" if shades[row, column] > threshold else "white"
        ax.text(column, row, str(count), ha="center", va="center", color=colour)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=list(class_names))
    ax.set_yticks(ticks, labels=list(class_names))
    ax.set_xlabel(f"predicted {label}")
    ax.set_ylabel(f"true {label}")
    return ax


def plot_parity(
    true_values: ArrayLike,
    predicted_values: ArrayLike,
    quantity: str = "value",
    unit: str = "",
    groups: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Scatter predicted against true values, with the line where they would be equal.

    Points on the dashed line are perfect predictions; points above it are
    over-estimates, points below it under-estimates.

    Parameters
    ----------
    true_values, predicted_values
        One number per item, in the same order and the same units.
    quantity, unit
        What is predicted and its unit, for the axis labels, e.g.
        ``"body mass"`` and ``"g"``.
    groups
        An optional group name per item (e.g. the species); each group gets its
        own colour and marker, and a legend entry.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = axes_or_new(ax)
    true_values, predicted_values = _to_flat_numpy(true_values), _to_flat_numpy(predicted_values)
    if groups is None:
        ax.scatter(true_values, predicted_values, alpha=0.8)
    else:
        group_array = np.asarray(groups)
        for index, group in enumerate(sorted(set(group_array))):
            chosen = group_array == group
            ax.scatter(
                true_values[chosen],
                predicted_values[chosen],
                color=plt.get_cmap("tab10")(index),
                marker=MARKERS[index % len(MARKERS)],
                alpha=0.8,
                label=str(group),
            )
    low = float(min(true_values.min(), predicted_values.min()))
    high = float(max(true_values.max(), predicted_values.max()))
    ax.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect prediction")
    ax.set_aspect("equal")
    unit_text = f" ({unit})" if unit else ""
    ax.set_xlabel(f"true {quantity}{unit_text}")
    ax.set_ylabel(f"predicted {quantity}{unit_text}")
    ax.legend()
    return ax


def plot_residual_histogram(
    true_values: ArrayLike,
    predicted_values: ArrayLike,
    quantity: str = "value",
    unit: str = "",
    bins: int = 15,
    items: str = "items",
    ax: Axes | None = None,
) -> Axes:
    """Histogram of the residuals, predicted minus true, with a line at zero.

    A histogram centred on zero means no systematic over- or under-estimate;
    its width is the typical size of an error.

    Parameters
    ----------
    true_values, predicted_values
        One number per item, in the same order and the same units.
    quantity, unit
        What is predicted and its unit, for the axis label.
    bins
        The number of histogram bars.
    items
        What is counted, for the y-axis label ("penguins (count)").
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = axes_or_new(ax)
    residuals = _to_flat_numpy(predicted_values) - _to_flat_numpy(true_values)
    ax.hist(residuals, bins=bins, color=plt.get_cmap("tab10")(0), edgecolor="white")
    ax.axvline(0.0, color="black", linestyle="--", label="no error")
    unit_text = f" ({unit})" if unit else ""
    ax.set_xlabel(f"residual: predicted − true {quantity}{unit_text}")
    ax.set_ylabel(f"{items} (count)")
    ax.legend()
    return ax


def plot_error_against_contrast(
    contrast: torch.Tensor | np.ndarray,
    errors: Mapping[str, torch.Tensor | np.ndarray],
    ax: Axes | None = None,
) -> Axes:
    """Scatter each image's error against the colour contrast between ellipse and background.

    Parameters
    ----------
    contrast
        One number per image, e.g. the colour distance between ellipse and
        background in grey levels.
    errors
        Name to one error per image (in pixels), e.g. ``{"network": ...}``;
        each series gets its own marker as well as its own colour.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with logarithmic axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    contrast = to_numpy(contrast)
    markers = "o^sDv"
    for index, (name, values) in enumerate(errors.items()):
        ax.scatter(
            contrast,
            to_numpy(values),
            s=12,
            alpha=0.6,
            marker=markers[index % len(markers)],
            color=plt.get_cmap("tab10")(index),
            label=name,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("colour contrast between ellipse and background (grey levels)")
    ax.set_ylabel("mean absolute error (px)")
    ax.legend()
    return ax
