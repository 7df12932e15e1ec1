"""Plots for image classifiers: a grid of digits, the misclassified ones, a confusion matrix.

Like ``utils.plotting``, every helper returns what it drew on (a Figure or an
Axes) and never calls ``plt.show()``: the notebook decides when to show.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

ArrayLike = torch.Tensor | np.ndarray | Sequence[int]


def _as_numpy(values: ArrayLike) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


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
    pictures = _as_numpy(images)
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
    labels, predictions = _as_numpy(labels), _as_numpy(predictions)
    wrong = np.flatnonzero(labels != predictions)
    shown = wrong[:max_images]
    titles = [f"{labels[i]} → {predictions[i]}" for i in shown]
    figure = plot_digit_grid(_as_numpy(images)[shown], titles, ncols=ncols)
    figure.suptitle(
        f"{len(wrong)} of {len(labels)} misclassified (true → predicted); showing {len(shown)}",
        y=1.02,
    )
    return figure


def plot_confusion_matrix(
    labels: ArrayLike,
    predictions: ArrayLike,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the confusion matrix: how often each true class got each prediction.

    Each cell shows its count as a number as well as a colour, so it reads in
    greyscale too; the diagonal holds the correct predictions.

    Parameters
    ----------
    labels, predictions
        The true and the predicted class indices, length N.
    class_names
        Names for the classes; by default their indices.
    ax
        Where to draw; a new figure if ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    labels, predictions = _as_numpy(labels), _as_numpy(predictions)
    number_of_classes = int(max(labels.max(), predictions.max())) + 1
    if class_names is not None:
        number_of_classes = len(class_names)
    counts = np.zeros((number_of_classes, number_of_classes), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    # A logarithmic colour scale, so that the few mistakes are visible next to the diagonal.
    image = ax.imshow(np.log1p(counts), cmap="viridis")
    threshold = np.log1p(counts).max() / 2
    for (row, column), count in np.ndenumerate(counts):
        if count:
            colour = "black" if np.log1p(count) > threshold else "white"
            ax.text(column, row, str(count), ha="center", va="center", color=colour, fontsize=8)
    names = list(class_names) if class_names is not None else list(range(number_of_classes))
    ax.set_xticks(range(number_of_classes), names)
    ax.set_yticks(range(number_of_classes), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label("log(1 + number of images)")
    return ax
