"""Figures of images: a grid of digits, the misclassified ones, ellipses with their outlines.

For the confusion matrix, see :func:`utils.plots.evaluation.plot_confusion_matrix`.

Ellipse outlines are drawn in white over a black edge, so they show on any of the
random colours; the true outline is solid and a prediction dashed, so the two
differ by line style, not by colour alone. Images are drawn with
``extent=(0, size, size, 0)``, so outline coordinates follow the convention of
:mod:`utils.ellipses`.

Every helper returns what it drew on (a Figure or an
Axes) and never calls ``plt.show()``: the notebook decides when to show.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

from utils.plots.common import to_numpy

ArrayLike = torch.Tensor | np.ndarray | Sequence[int]


def plot_digit_grid(
    images: torch.Tensor | np.ndarray,
    titles: Sequence[str],
    ncols: int = 8,
    size: float = 1.2,
) -> Figure:
    """Draw greyscale images in a grid, each with a title underneath.

    Parameters
    ----------
    images
        Shape (N, H, W) or (N, 1, H, W), any dtype; each image is scaled to its
        own range, so normalised images look the same as raw ones.
    titles
        One short title per image, e.g. its label.
    ncols
        Images per row.
    size
        Width and height of each image, in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with one Axes per image.
    """
    pictures = to_numpy(images)
    if pictures.ndim == 4:
        pictures = pictures[:, 0]
    if pictures.ndim != 3:
        raise ValueError(
            f"images should have shape (N, H, W) or (N, 1, H, W), got {pictures.shape}"
        )
    if len(titles) != len(pictures):
        raise ValueError(f"got {len(pictures)} images but {len(titles)} titles")
    nrows = max(1, -(-len(pictures) // ncols))
    figure, axes = plt.subplots(
        nrows, ncols, figsize=(ncols * size, nrows * (size + 0.3)), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, picture, title in zip(axes.flat, pictures, titles, strict=False):
        ax.imshow(picture, cmap="gray")
        ax.set_title(title, fontsize=9, y=-0.28)
    figure.tight_layout()
    return figure


def plot_misclassified(
    images: torch.Tensor | np.ndarray,
    labels: ArrayLike,
    predictions: ArrayLike,
    max_images: int = 24,
    ncols: int = 8,
) -> Figure:
    """Show the images whose prediction is wrong, titled "true → predicted".

    Parameters
    ----------
    images
        All evaluated images, shape (N, H, W) or (N, 1, H, W).
    labels, predictions
        The true and the predicted class of each image, length N.
    max_images
        Show at most this many, the first ones in order.
    ncols
        Images per row.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; its title says how many were wrong in all.
    """
    labels, predictions = to_numpy(labels), to_numpy(predictions)
    wrong = np.flatnonzero(labels != predictions)
    shown = wrong[:max_images]
    titles = [f"{labels[i]} → {predictions[i]}" for i in shown]
    figure = plot_digit_grid(to_numpy(images)[shown], titles, ncols=ncols)
    figure.suptitle(
        f"{len(wrong)} of {len(labels)} misclassified (true → predicted); showing {len(shown)}",
        y=1.02,
    )
    return figure


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
