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

from utils.plots.common import (
    axes_or_new,
    class_indices,
    names,
    one_per_item,
    positive_int,
    same_length,
)

ArrayLike = np.ndarray | torch.Tensor | Sequence[float]
MARKERS = "osD^v<>"


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
    TypeError
        If ``n_classes`` is not an int or an input does not hold numbers.
    ValueError
        If the two inputs differ in length, hold more than one number per item (class
        scores instead of indices), or hold an index that is not a whole number in
        ``0 .. n_classes - 1``.
    """
    n_classes = positive_int("n_classes", n_classes)
    true_classes = class_indices("true_classes", true_classes)
    predicted_classes = class_indices("predicted_classes", predicted_classes)
    same_length(true_classes=true_classes, predicted_classes=predicted_classes)
    for name, values in (("true_classes", true_classes), ("predicted_classes", predicted_classes)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(
                f"Class indices must lie in 0 .. {n_classes - 1}, got {values.min()} .. "
                f"{values.max()} in {name}."
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

    Raises
    ------
    TypeError, ValueError
        As :func:`confusion_matrix`; also if ``class_names`` is not a list of names.
    """
    class_names = names("class_names", class_names)
    counts = confusion_matrix(true_classes, predicted_classes, len(class_names))
    ax = axes_or_new(ax)
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

    Raises
    ------
    TypeError
        If the values are not numbers, or ``groups`` not a list of names.
    ValueError
        If the inputs differ in length, are empty, or hold a NaN or an infinity.
    """
    true_values = one_per_item("true_values", true_values)
    predicted_values = one_per_item("predicted_values", predicted_values)
    arrays = {"true_values": true_values, "predicted_values": predicted_values}
    if groups is not None:
        arrays["groups"] = np.asarray(names("groups", groups))
    if same_length(**arrays) == 0:
        raise ValueError("true_values and predicted_values are empty; give at least one item.")
    ax = axes_or_new(ax)
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

    Raises
    ------
    TypeError
        If the values are not numbers or ``bins`` is not an int.
    ValueError
        If the inputs differ in length, hold a NaN or an infinity, or ``bins`` is
        not positive.
    """
    predicted_values = one_per_item("predicted_values", predicted_values)
    true_values = one_per_item("true_values", true_values)
    same_length(true_values=true_values, predicted_values=predicted_values)
    bins = positive_int("bins", bins)
    ax = axes_or_new(ax)
    residuals = predicted_values - true_values
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

    Raises
    ------
    TypeError
        If ``errors`` is not a dictionary, or a series does not hold numbers.
    ValueError
        If ``errors`` is empty, or a series differs in length from ``contrast`` or
        holds a NaN or an infinity.
    """
    if not isinstance(errors, Mapping):
        raise TypeError(
            "errors should be a dictionary of name to one error per image, e.g. "
            f"{{'network': errors}}, got {type(errors).__name__}."
        )
    if not errors:
        raise ValueError("errors is empty; give at least one series, e.g. {'network': errors}.")
    contrast = one_per_item("contrast", contrast)
    series = {
        str(name): one_per_item(f"errors[{name!r}]", values) for name, values in errors.items()
    }
    for name, values in series.items():
        same_length(contrast=contrast, **{f"errors[{name!r}]": values})
    ax = axes_or_new(ax, figsize=(6, 4))
    markers = "o^sDv"
    for index, (name, values) in enumerate(series.items()):
        ax.scatter(
            contrast,
            values,
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
