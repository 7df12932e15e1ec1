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

from utils.plots.common import (
    check_axes,
    class_indices,
    finite_number,
    names,
    numbers,
    positive_int,
    same_length,
    to_numpy,
)

ArrayLike = torch.Tensor | np.ndarray | Sequence[int]


def _pixels(name: str, images: object) -> np.ndarray:
    """Return images (a tensor or an array) as a NumPy array of numbers; raise naming ``name``."""
    if not isinstance(images, torch.Tensor | np.ndarray):
        raise TypeError(
            f"{name} should be a torch.Tensor or a NumPy array, got {type(images).__name__}."
        )
    pixels = to_numpy(images)
    if not (np.issubdtype(pixels.dtype, np.number) or pixels.dtype == np.bool_):
        raise TypeError(f"{name} should hold numbers, got dtype {pixels.dtype}.")
    return pixels


def _ellipses(name: str, values: object, count: int) -> np.ndarray:
    """Return ``count`` ellipses as an array of shape (count, 4); raise naming ``name``."""
    array = numbers(name, values)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(
            f"{name} should have shape (n, 4), (x_c, y_c, r_x, r_y) per image, got {array.shape}."
        )
    same_length(images=range(count), **{name: array})
    return array


def _position(name: str, value: object, length: int) -> tuple[int, ...]:
    """Return a position of ``length`` ints (one int when ``length`` is 0); raise naming it."""
    values = (value,) if length == 0 else value
    if length and (
        isinstance(value, str) or not isinstance(value, Sequence) or len(value) != length
    ):
        raise TypeError(f"{name} should be (row, column), two ints, got {value!r}.")
    for item in values:  # type: ignore[union-attr]
        if isinstance(item, bool) or not isinstance(item, int | np.integer):
            wanted = "two ints, (row, column)" if length else "an int"
            raise TypeError(f"{name} should be {wanted}, got {value!r}.")
    return tuple(int(item) for item in values)  # type: ignore[union-attr]


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

    Raises
    ------
    TypeError
        If ``images`` is not a tensor or an array of numbers, ``titles`` not a list,
        ``ncols`` not an int or ``size`` not a number.
    ValueError
        If ``images`` is not of shape (N, H, W) or (N, 1, H, W), there is not one
        title per image, or ``ncols`` or ``size`` is not positive.
    """
    pictures = _pixels("images", images)
    if pictures.ndim == 4 and pictures.shape[1] == 1:
        pictures = pictures[:, 0]
    if pictures.ndim != 3:
        raise ValueError(
            f"images should have shape (N, H, W) or (N, 1, H, W), got {pictures.shape}"
        )
    titles = names("titles", titles)
    same_length(images=pictures, titles=titles)
    ncols = positive_int("ncols", ncols)
    if finite_number("size", size) <= 0:
        raise ValueError(f"size should be a positive number of inches, got {size!r}.")
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

    Raises
    ------
    TypeError, ValueError
        If ``labels`` or ``predictions`` is not one class index per image, or
        ``max_images`` is not an int >= 0; and as :func:`plot_digit_grid`.
    """
    pictures = _pixels("images", images)
    labels = class_indices("labels", labels)
    predictions = class_indices("predictions", predictions)
    same_length(images=pictures, labels=labels, predictions=predictions)
    if isinstance(max_images, bool) or not isinstance(max_images, int) or max_images < 0:
        raise ValueError(f"max_images should be an int >= 0, got {max_images!r}.")
    wrong = np.flatnonzero(labels != predictions)
    shown = wrong[:max_images]
    titles = [f"{labels[i]} → {predictions[i]}" for i in shown]
    figure = plot_digit_grid(pictures[shown], titles, ncols=ncols)
    figure.suptitle(
        f"{len(wrong)} of {len(labels)} misclassified (true → predicted); showing {len(shown)}",
        y=1.02,
    )
    return figure


_EDGE = [patheffects.withStroke(linewidth=3.5, foreground="black")]
_LINE_STYLES = {"true": "-", "predicted": "--"}


def draw_outline(ax: Axes, ellipse: Sequence[float] | np.ndarray, linestyle: str = "-") -> None:
    """Draw the outline of ``ellipse = (x_c, y_c, r_x, r_y)``, in pixels, on ``ax``.

    Raises
    ------
    TypeError
        If ``ax`` is not one Axes or ``ellipse`` does not hold numbers.
    ValueError
        If ``ellipse`` is not four finite numbers with radii >= 0.
    """
    check_axes(ax)
    values = numbers("ellipse", ellipse)
    if values.shape != (4,):
        raise ValueError(f"ellipse should be (x_c, y_c, r_x, r_y), got shape {values.shape}.")
    x_c, y_c, r_x, r_y = (float(value) for value in values)
    if r_x < 0 or r_y < 0:
        raise ValueError(f"ellipse's radii should be >= 0, got r_x={r_x:g}, r_y={r_y:g}.")
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
    """Show a ``(3, size, size)`` image on ``ax`` in the coordinates of :mod:`utils.ellipses`.

    Raises
    ------
    TypeError
        If ``ax`` is not one Axes or ``image`` is not a tensor or array of numbers.
    ValueError
        If ``image`` is not of shape (3, height, width), channels first.
    """
    check_axes(ax)
    pixels = _pixels("image", image)
    if pixels.ndim != 3 or pixels.shape[0] != 3:
        raise ValueError(
            f"image should have shape (3, height, width), colour channels first, got "
            f"{pixels.shape}."
        )
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

    Raises
    ------
    TypeError
        If an input is not numbers, ``titles`` not a list or ``ncols`` not an int.
    ValueError
        If a shape is wrong, the inputs differ in length, an ellipse holds a NaN or an
        infinity, or ``ncols`` is not positive.
    """
    images = _pixels("images", images)
    if images.ndim != 4 or images.shape[1] != 3 or len(images) == 0:
        raise ValueError(
            f"images should have shape (n, 3, size, size) with n >= 1, got {images.shape}."
        )
    count = len(images)
    ellipses = _ellipses("ellipses", ellipses, count)
    if predictions is not None:
        predictions = _ellipses("predictions", predictions, count)
    if titles is not None:
        titles = names("titles", titles)
        same_length(images=images, titles=titles)
    ncols = positive_int("ncols", ncols)
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


# --- Figures of how a convolution works (notebook 03) ------------------------------------

_HIGHLIGHT = {"facecolor": "#fdd49e", "hatch": "/", "edgecolor": "black", "linewidth": 2.0}


def _draw_cells(
    ax: Axes,
    values: Sequence[float],
    y: float,
    x0: float = 0.0,
    highlight: range | None = None,
) -> None:
    """Draw a row of unit cells with their values, the ``highlight`` ones hatched."""
    from matplotlib.patches import Rectangle

    for index, value in enumerate(values):
        style = (
            _HIGHLIGHT
            if highlight is not None and index in highlight
            else {"facecolor": "white", "edgecolor": "0.3", "linewidth": 1.0}
        )
        ax.add_patch(Rectangle((x0 + index, y), 1, 1, **style))
        ax.text(x0 + index + 0.5, y + 0.5, f"{value:g}", ha="center", va="center", fontsize=10)


def plot_convolution_1d(
    x: Sequence[float] | torch.Tensor | np.ndarray,
    kernel: Sequence[float] | torch.Tensor | np.ndarray,
    position: int = 0,
) -> Figure:
    """Draw a 1-D convolution (no padding, stride 1) with the kernel at one ``position``.

    Three rows: the input with the window under the kernel hatched, the kernel
    beneath that window, and the whole output with the value it produces there
    hatched. The title spells out that value's sum of products.

    Parameters
    ----------
    x
        The input signal, 1-D.
    kernel
        The kernel, 1-D, no longer than ``x``.
    position
        Where the kernel sits: its first element is under ``x[position]``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Raises
    ------
    TypeError
        If ``x`` or ``kernel`` does not hold numbers, or ``position`` is not an int.
    ValueError
        If the inputs are not 1-D or hold a NaN or an infinity, the kernel is empty or
        longer than the signal, or the kernel does not fit at ``position``.
    """
    signal, weights = numbers("x", x), numbers("kernel", kernel)
    (position,) = _position("position", position, 0)
    if signal.ndim != 1 or weights.ndim != 1:
        raise ValueError(f"x and kernel should be 1-D, got shapes {signal.shape}, {weights.shape}")
    size, width = len(signal), len(weights)
    if width == 0:
        raise ValueError("the kernel is empty; give it at least one number")
    if width > size:
        raise ValueError(f"the kernel (length {width}) is longer than x (length {size})")
    if not 0 <= position <= size - width:
        raise ValueError(f"position should be in 0..{size - width}, got {position}")
    output = np.array([signal[i : i + width] @ weights for i in range(size - width + 1)])
    window = range(position, position + width)
    figure, ax = plt.subplots(figsize=(0.6 * size + 1.6, 2.6))
    _draw_cells(ax, signal, y=4, highlight=window)
    _draw_cells(ax, weights, y=2.5, x0=position, highlight=range(width))
    _draw_cells(ax, output, y=0, highlight=range(position, position + 1))
    for y, label in ((4.5, "input x"), (3.0, "kernel"), (0.5, "output")):
        ax.text(-0.3, y, label, ha="right", va="center", fontsize=10)
    ax.annotate(
        "",
        xy=(position + 0.5, 1.05),
        xytext=(position + width / 2, 2.45),
        arrowprops={"arrowstyle": "->", "linewidth": 1.5},
    )
    terms = " + ".join(
        f"({w:g})·({v:g})" for w, v in zip(weights, signal[window.start : window.stop], strict=True)
    )
    ax.set_title(
        f"1-D convolution: kernel at position {position} gives {terms} = {output[position]:g}\n"
        f"output length = len(x) − len(kernel) + 1 = {size} − {width} + 1 = {len(output)}",
        fontsize=10,
    )
    ax.set_xlim(-2.2, size + 0.2)
    ax.set_ylim(-0.2, 5.2)
    ax.set_aspect("equal")
    ax.axis("off")
    figure.tight_layout()
    return figure


def _grid_panel(
    ax: Axes, values: np.ndarray, title: str, box: tuple[int, int, int] | None = None
) -> None:
    """Show a small 2-D array as cells with their values; ``box = (row, col, size)`` framed."""
    from matplotlib.patches import Rectangle

    ax.imshow(values, cmap="cividis", vmin=values.min(), vmax=values.max() + 1e-9)
    middle = (values.min() + values.max()) / 2
    for (row, col), value in np.ndenumerate(values):
        colour = "black" if value > middle else "white"
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=8, color=colour)
    if box is not None:
        row, col, size = box
        for colour, width in (("white", 5.0), ("black", 2.5)):
            ax.add_patch(
                Rectangle(
                    (col - 0.5, row - 0.5),
                    size,
                    size,
                    fill=False,
                    edgecolor=colour,
                    linewidth=width,
                )
            )
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_convolution_2d(
    image: torch.Tensor | np.ndarray,
    kernel: torch.Tensor | np.ndarray,
    position: tuple[int, int] = (0, 0),
) -> Figure:
    """Draw a 2-D convolution (no padding, stride 1): input, kernel and output side by side.

    The window under the kernel at ``position`` is framed on the input, and the
    output value it produces is framed on the output.

    Parameters
    ----------
    image
        A small 2-D input (about 10 × 10 at most, so that the numbers stay readable).
    kernel
        A 2-D kernel, no larger than ``image``.
    position
        (row, column) of the kernel's top-left corner on the input.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, three panels.

    Raises
    ------
    TypeError
        If ``image`` or ``kernel`` does not hold numbers, or ``position`` is not
        two ints.
    ValueError
        If the inputs are not 2-D or hold a NaN or an infinity, or the kernel does
        not fit at ``position``.
    """
    pixels, weights = numbers("image", image), numbers("kernel", kernel)
    position = _position("position", position, 2)
    if pixels.ndim != 2 or weights.ndim != 2:
        raise ValueError(
            f"image and kernel should be 2-D, got shapes {pixels.shape}, {weights.shape}"
        )
    out_rows = pixels.shape[0] - weights.shape[0] + 1
    out_cols = pixels.shape[1] - weights.shape[1] + 1
    row, col = position
    if out_rows < 1 or out_cols < 1 or not (0 <= row < out_rows and 0 <= col < out_cols):
        raise ValueError(
            f"a {weights.shape} kernel does not fit on a {pixels.shape} image at {position}"
        )
    kh, kw = weights.shape
    output = np.array(
        [
            [float((pixels[r : r + kh, c : c + kw] * weights).sum()) for c in range(out_cols)]
            for r in range(out_rows)
        ]
    )
    figure, axes = plt.subplots(
        1, 3, figsize=(9, 3.4), gridspec_kw={"width_ratios": [pixels.shape[1], kw, out_cols]}
    )
    _grid_panel(axes[0], pixels, f"input {pixels.shape[0]} × {pixels.shape[1]}", (row, col, kh))
    _grid_panel(axes[1], weights, f"kernel {kh} × {kw}")
    _grid_panel(
        axes[2],
        output,
        f"output {out_rows} × {out_cols}\n(framed: {output[row, col]:g})",
        (row, col, 1),
    )
    figure.suptitle(
        "2-D convolution: the framed input window times the kernel, summed, "
        "gives the framed output value",
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def plot_cnn_diagram(stages: Sequence[tuple[str, Sequence[int]]]) -> Figure:
    """Draw a CNN as a row of blocks, one per stage, labelled with its output shape.

    A stage with shape (channels, height, width) is drawn as a box whose height
    grows with height × width and whose depth grows with the channels; a flat
    stage (features,) as a thin bar. The layer name is written below each
    block, the shape above, so the figure reads without colour.

    Parameters
    ----------
    stages
        (name, shape without the batch axis) for each stage, input first, e.g.
        ``[("input", (1, 28, 28)), ("conv", (16, 28, 28)), ...]``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Raises
    ------
    TypeError
        If ``stages`` is not a list of (name, shape) pairs, or a size is not an int.
    ValueError
        If ``stages`` is empty, a shape has neither 1 nor 3 numbers, or a size is
        not positive.
    """
    from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle

    if isinstance(stages, str) or not isinstance(stages, Sequence):
        raise TypeError(f"stages should be a list of (name, shape) pairs, got {stages!r}")
    if not stages:
        raise ValueError("give at least one stage")
    for stage in stages:
        if isinstance(stage, str) or not isinstance(stage, Sequence) or len(stage) != 2:
            raise TypeError(f"each stage should be a (name, shape) pair, got {stage!r}")
        name, shape = stage
        if isinstance(shape, str) or not isinstance(shape, Sequence) or len(shape) not in (1, 3):
            raise ValueError(f"stage {name!r}: shape should be (C, H, W) or (N,), got {shape}")
        for size in shape:
            positive_int(f"stage {name!r}: each size", size)
    figure, ax = plt.subplots(figsize=(1.25 * len(stages) + 0.5, 3.8))
    largest = (
        max(shape[-1] for _, shape in stages if len(shape) == 3)
        if any(len(shape) == 3 for _, shape in stages)
        else 1
    )
    x = 0.0
    previous_right: tuple[float, float] | None = None
    colours = plt.get_cmap("tab10")
    for name, shape in stages:
        if len(shape) == 3:
            channels, height, _ = shape
            side = 0.6 + 1.8 * height / largest
            depth = 0.1 + 0.08 * np.log2(channels)
            face = colours(0)
        else:
            side = 0.6 + 1.8 * min(1.0, np.log10(shape[0] + 1) / np.log10(2000))
            depth = 0.12
            face = colours(1)
        bottom = -side / 2
        ax.add_patch(Rectangle((x, bottom), 0.35, side, facecolor=face, alpha=0.35, edgecolor="k"))
        ax.add_patch(
            Polygon(
                [
                    (x, bottom + side),
                    (x + depth, bottom + side + depth * 0.6),
                    (x + 0.35 + depth, bottom + side + depth * 0.6),
                    (x + 0.35, bottom + side),
                ],
                closed=True,
                facecolor=face,
                alpha=0.2,
                edgecolor="k",
            )
        )
        ax.add_patch(
            Polygon(
                [
                    (x + 0.35, bottom),
                    (x + 0.35 + depth, bottom + depth * 0.6),
                    (x + 0.35 + depth, bottom + side + depth * 0.6),
                    (x + 0.35, bottom + side),
                ],
                closed=True,
                facecolor=face,
                alpha=0.5,
                edgecolor="k",
            )
        )
        centre = x + (0.35 + depth) / 2
        ax.text(centre, 1.75, " × ".join(str(n) for n in shape), ha="center", fontsize=9)
        ax.text(centre, -1.75, name, ha="center", va="top", fontsize=9, wrap=True)
        if previous_right is not None:
            ax.add_patch(
                FancyArrowPatch(previous_right, (x - 0.08, 0), arrowstyle="->", mutation_scale=12)
            )
        previous_right = (x + 0.35 + depth + 0.08, 0)
        x += 1.25
    ax.set_xlim(-0.3, x - 0.3)
    ax.set_ylim(-2.4, 2.1)
    ax.axis("off")
    ax.set_title(
        "A typical CNN: convolution blocks and pooling shrink the image and add channels;\n"
        "Flatten and Linear turn the feature maps into scores",
        fontsize=10,
    )
    figure.tight_layout()
    return figure
