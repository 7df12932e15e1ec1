"""Figures for notebook 04: ellipse images with their true and predicted outlines.

Outlines are drawn in white over a black edge, so they show on any of the
random colours; the true outline is solid and a prediction dashed, so the two
differ by line style, not by colour alone. Images are drawn with
``extent=(0, size, size, 0)``, so outline coordinates follow the convention of
:mod:`utils.ellipses`. Helpers return the figure or axes and never call
``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

from utils.plotting import to_numpy

_EDGE = [patheffects.withStroke(linewidth=3.5, foreground="black")]
_LINE_STYLES = {"true": "-", "predicted": "--"}


def draw_outline(ax: Axes, ellipse: Sequence[float] | np.ndarray, linestyle: str = "-") -> None:
    """Draw the outline of ``ellipse = (x_c, y_c, r_x, r_y)``, in pixels, on ``ax``."""
    x_c, y_c, r_x, r_y = (float(value) for value in ellipse)
    ax.add_patch(
        Ellipse(
            (x_c, y_c),
            width=2 * r_x,
            height=2 * r_y,
            fill=False,
            edgecolor="white",
            linewidth=1.5,
            linestyle=linestyle,
            path_effects=_EDGE,
        )
    )


def show_image(ax: Axes, image: torch.Tensor | np.ndarray) -> None:
    """Show a ``(3, size, size)`` image on ``ax`` in the coordinates of :mod:`utils.ellipses`."""
    pixels = to_numpy(image)
    size = pixels.shape[-1]
    rgb = np.moveaxis(pixels, 0, -1)
    if not np.issubdtype(rgb.dtype, np.integer):
        rgb = np.clip(rgb, 0.0, 1.0)
    ax.imshow(rgb, extent=(0, size, size, 0), interpolation="nearest")
    ax.set_xlim(0, size)
    ax.set_ylim(size, 0)


def plot_ellipses(
    images: torch.Tensor | np.ndarray,
    ellipses: torch.Tensor | np.ndarray,
    predictions: torch.Tensor | np.ndarray | None = None,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
) -> Figure:
    """Show images in a grid with the true outline (solid) and, optionally, a prediction (dashed).

    Parameters
    ----------
    images
        ``(n, 3, size, size)`` images, ``uint8`` or floats in [0, 1].
    ellipses
        ``(n, 4)`` true ``(x_c, y_c, r_x, r_y)`` in pixels.
    predictions
        ``(n, 4)`` predicted ellipses in pixels, or ``None``.
    titles
        One title per image, or ``None``.
    ncols
        Images per row.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one panel per image, axes in pixels.
    """
    images, ellipses = to_numpy(images), to_numpy(ellipses)
    count = len(images)
    if len(ellipses) != count:
        raise ValueError(f"got {count} images but {len(ellipses)} ellipses; give one per image.")
    if predictions is not None:
        predictions = to_numpy(predictions)
        if len(predictions) != count:
            raise ValueError(
                f"got {count} images but {len(predictions)} predictions; give one per image."
            )
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    height = 2.4 * nrows + 0.5  # inches, with room for the legend on top
    figure, axes = plt.subplots(
        nrows, ncols, figsize=(2.4 * ncols, height), squeeze=False, sharex=True
    )
    for index, ax in enumerate(axes.flat):
        if index >= count:
            ax.set_axis_off()
            continue
        show_image(ax, images[index])
        draw_outline(ax, ellipses[index], _LINE_STYLES["true"])
        if predictions is not None:
            draw_outline(ax, predictions[index], _LINE_STYLES["predicted"])
        if titles is not None:
            ax.set_title(titles[index], fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("x (px)")
    for ax in axes[:, 0]:
        ax.set_ylabel("y (px)")
    handles = [
        Line2D([], [], color="black", linestyle=style, label=f"{name} outline")
        for name, style in _LINE_STYLES.items()
        if name == "true" or predictions is not None
    ]
    figure.legend(handles=handles, loc="upper center", ncols=len(handles), frameon=False)
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.45 / height))
    return figure


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
