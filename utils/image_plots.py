"""Plots for image classifiers: a grid of digits, and the misclassified ones.

For the confusion matrix, see :func:`utils.evaluation_plots.plot_confusion_matrix`.

Like ``utils.plotting``, every helper returns what it drew on (a Figure or an
Axes) and never calls ``plt.show()``: the notebook decides when to show.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from utils.plotting import to_numpy

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
