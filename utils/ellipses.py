"""A synthetic data set: one ellipse of a random colour on a background of another.

Coordinate convention (the one place it is defined)
---------------------------------------------------
An image of ``size`` × ``size`` pixels covers the square [0, size] × [0, size].
``x`` grows to the right along a row (the column index) and ``y`` grows *down*
(the row index), as in ``plt.imshow``. Pixel ``image[:, row, column]`` is the
unit square whose top-left corner is (column, row), so its centre is at
``x = column + 0.5``, ``y = row + 0.5``. A pixel takes the ellipse's colour
exactly when its centre satisfies

    ((x - x_c) / r_x)² + ((y - y_c) / r_y)² ≤ 1,

and the whole ellipse lies inside the square. To draw an image so that these
coordinates line up, use ``plt.imshow(..., extent=(0, size, size, 0))``.

Targets are ``(x_c, y_c, r_x, r_y)`` divided by ``size``, so they lie in [0, 1]
whatever the image size; :func:`to_pixels` converts them (or a network's
predictions) back to pixels.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch
from torch.utils.data import Dataset

MIN_RADIUS = 3.0
"""The smallest radius drawn, in pixels: small enough to vary, large enough to see."""

MAX_RADIUS_FRACTION = 0.4
"""The largest radius drawn, as a fraction of the image size."""

ArrayOrTensor = TypeVar("ArrayOrTensor", np.ndarray, torch.Tensor)


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r}).")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}.")
    return int(value)


def _check_size(size: object) -> int:
    size = _check_positive_int("size", size)
    if MAX_RADIUS_FRACTION * size <= MIN_RADIUS:
        smallest = int(np.floor(MIN_RADIUS / MAX_RADIUS_FRACTION)) + 1
        raise ValueError(
            f"size={size} is too small for the minimum radius of {MIN_RADIUS} px; "
            f"use size >= {smallest}."
        )
    return size


class EllipseDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Images of one filled ellipse, with its centre and radii as the target.

    The ellipse and the background each get a colour drawn uniformly from
    {0, ..., 255}³. Item ``i`` depends only on ``(seed, i)``: it is the same on
    every access, in every ``DataLoader`` worker and on every machine. See the
    module docstring for the coordinate convention.

    Parameters
    ----------
    length
        The number of images.
    size
        The height and width of each image, in pixels.
    seed
        Picks the whole data set; use different seeds for training and validation.

    Raises
    ------
    TypeError
        If ``length``, ``size`` or ``seed`` is not an integer.
    ValueError
        If ``length`` or ``size`` is not positive, ``size`` leaves no room for
        the minimum radius, or ``seed`` is negative.

    Examples
    --------
    >>> dataset = EllipseDataset(length=100, size=64, seed=0)
    >>> image, target = dataset[0]
    >>> image.shape, image.dtype, target.shape
    (torch.Size([3, 64, 64]), torch.uint8, torch.Size([4]))
    """

    def __init__(self, length: int, size: int = 64, seed: int = 0) -> None:
        self.length = _check_positive_int("length", length)
        self.size = _check_size(size)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(f"seed must be an int, got {type(seed).__name__} ({seed!r}).")
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}.")
        self.seed = int(seed)
        centres = np.arange(self.size) + 0.5  # pixel centres, along x and along y
        self._x = centres[np.newaxis, :]  # shape (1, size): varies along a row
        self._y = centres[:, np.newaxis]  # shape (size, 1): varies down a column

    def __len__(self) -> int:
        return self.length

    def ellipse_and_colours(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return item ``index``'s ellipse in pixels and its two colours.

        Parameters
        ----------
        index
            From 0 to ``length - 1``; negative values count from the end.

        Returns
        -------
        ellipse : numpy.ndarray
            ``(x_c, y_c, r_x, r_y)`` in pixels, float64.
        ellipse_colour, background_colour : numpy.ndarray
            RGB colours, three integers in [0, 255] each.

        Raises
        ------
        TypeError
            If ``index`` is not an integer.
        IndexError
            If ``index`` is out of range.
        """
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(f"index must be an int, got {type(index).__name__} ({index!r}).")
        if not -self.length <= index < self.length:
            raise IndexError(f"index {index} is out of range for {self.length} images.")
        index = int(index) % self.length
        # A generator of its own for each item: the item cannot depend on which
        # items were drawn before it, or in which process.
        rng = np.random.default_rng([self.seed, index])
        r_x, r_y = rng.uniform(MIN_RADIUS, MAX_RADIUS_FRACTION * self.size, size=2)
        # The centre stays at least one radius from each edge, so the whole
        # ellipse lies inside the image.
        x_c = rng.uniform(r_x, self.size - r_x)
        y_c = rng.uniform(r_y, self.size - r_y)
        ellipse_colour, background_colour = rng.integers(0, 256, size=(2, 3))
        return np.array([x_c, y_c, r_x, r_y]), ellipse_colour, background_colour

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(image, target)`` for item ``index``; errors as in :meth:`ellipse_and_colours`.

        Returns
        -------
        image : torch.Tensor
            ``uint8`` of shape ``(3, size, size)``, channels first, like
            ``torchvision.io.read_image``.
        target : torch.Tensor
            ``float32`` ``(x_c, y_c, r_x, r_y) / size``, each in [0, 1].
        """
        (x_c, y_c, r_x, r_y), ellipse_colour, background_colour = self.ellipse_and_colours(index)
        inside = ((self._x - x_c) / r_x) ** 2 + ((self._y - y_c) / r_y) ** 2 <= 1.0
        image = np.where(
            inside,
            ellipse_colour[:, np.newaxis, np.newaxis],
            background_colour[:, np.newaxis, np.newaxis],
        ).astype(np.uint8)
        target = np.array([x_c, y_c, r_x, r_y], dtype=np.float32) / np.float32(self.size)
        return torch.from_numpy(image), torch.from_numpy(target)


def _check_values(name: str, values: object) -> None:
    """Raise a TypeError unless ``values`` is a numeric array or tensor, or a number."""
    if isinstance(values, torch.Tensor | np.ndarray):
        if (
            values.dtype == torch.bool
            or values.dtype == np.bool_
            or (isinstance(values, np.ndarray) and not np.issubdtype(values.dtype, np.number))
        ):
            raise TypeError(f"{name} should hold numbers, got dtype {values.dtype}.")
        return
    if isinstance(values, bool) or not isinstance(values, int | float | np.number):
        hint = (
            " (a list times a number repeats the list); convert it with np.asarray"
            if isinstance(values, list | tuple)
            else ""
        )
        raise TypeError(
            f"{name} should be a NumPy array, a torch.Tensor or a number, got "
            f"{type(values).__name__}{hint}."
        )


def to_pixels(targets: ArrayOrTensor, size: int) -> ArrayOrTensor:
    """Convert targets or predictions in [0, 1] to pixels: ``(x_c, y_c, r_x, r_y) * size``.

    Parameters
    ----------
    targets
        An array or tensor whose last axis holds ``(x_c, y_c, r_x, r_y)``.
    size
        The image size the targets were scaled by.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        The same kind and shape as ``targets``, in pixels.

    Raises
    ------
    TypeError
        If ``targets`` is not an array, a tensor or a number (a list, say), or
        ``size`` is not an int.
    ValueError
        If ``size`` is not positive.
    """
    _check_values("targets", targets)
    return targets * _check_positive_int("size", size)


def to_targets(pixels: ArrayOrTensor, size: int) -> ArrayOrTensor:
    """Convert ``(x_c, y_c, r_x, r_y)`` in pixels to targets in [0, 1]; undoes :func:`to_pixels`.

    Raises
    ------
    TypeError, ValueError
        As :func:`to_pixels`, for ``pixels`` and ``size``.
    """
    _check_values("pixels", pixels)
    return pixels / _check_positive_int("size", size)


# ---- Corruptions: what a camera or a scene adds to the clean images -----------------------


def _check_images(images: object) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.dtype != torch.uint8 or images.dim() != 4:
        got = (
            f"a {images.dtype} tensor of shape {tuple(images.shape)}"
            if isinstance(images, torch.Tensor)
            else type(images).__name__
        )
        raise TypeError(f"images should be a uint8 tensor of shape (n, 3, size, size), got {got}.")
    return images


def _inside(ellipses: torch.Tensor, size: int) -> torch.Tensor:
    """(n, size, size) bool: which pixel centres lie inside each ellipse (pixels, as drawn)."""
    if not isinstance(ellipses, torch.Tensor) or ellipses.dim() != 2 or ellipses.shape[1] != 4:
        shape = tuple(ellipses.shape) if isinstance(ellipses, torch.Tensor) else type(ellipses)
        raise ValueError(f"ellipses should be an (n, 4) tensor in pixels, got {shape}.")
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    x_c, y_c, r_x, r_y = (ellipses.double()[:, i].view(-1, 1, 1) for i in range(4))
    x, y = centres.view(1, 1, -1), centres.view(1, -1, 1)
    return ((x - x_c) / r_x) ** 2 + ((y - y_c) / r_y) ** 2 <= 1.0


def blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur each channel with a Gaussian of standard deviation ``sigma`` pixels, as a lens does.

    The edges are extended with their own values (replicate padding), so a flat
    background stays flat up to the image's border.

    Parameters
    ----------
    images
        ``uint8`` images of shape ``(n, 3, size, size)``.
    sigma
        The blur's standard deviation, in pixels, greater than 0.

    Returns
    -------
    torch.Tensor
        The blurred images, ``uint8``, of the same shape.

    Raises
    ------
    TypeError
        If ``images`` is not a ``uint8`` tensor of shape ``(n, 3, size, size)``.
    ValueError
        If ``sigma`` is not a positive number.
    """
    images = _check_images(images)
    if isinstance(sigma, bool) or not isinstance(sigma, int | float) or not sigma > 0:
        raise ValueError(f"sigma should be a positive number of pixels, got {sigma!r}.")
    radius = max(1, int(np.ceil(3 * sigma)))
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(offsets**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    n, channels, height, width = images.shape
    flat = images.float().reshape(n * channels, 1, height, width)
    pad = torch.nn.functional.pad
    flat = torch.nn.functional.conv2d(
        pad(flat, (radius, radius, 0, 0), mode="replicate"), kernel.view(1, 1, 1, -1)
    )
    flat = torch.nn.functional.conv2d(
        pad(flat, (0, 0, radius, radius), mode="replicate"), kernel.view(1, 1, -1, 1)
    )
    return flat.reshape(images.shape).round().clamp(0, 255).to(torch.uint8)


def add_bar(
    images: torch.Tensor, ellipses: torch.Tensor, generator: torch.Generator, *, width: int = 3
) -> torch.Tensor:
    """Draw a bar of a random colour across each ellipse, from one border of the image to the other.

    The bar is vertical or horizontal (even odds), ``width`` pixels wide, and crosses the
    ellipse within half a radius of its centre, like a pole in front of it. The top-left
    pixel keeps the background's colour. The target is still the whole ellipse behind it.

    Parameters
    ----------
    images
        ``uint8`` images of shape ``(n, 3, size, size)``.
    ellipses
        Their ellipses, ``(n, 4)``: ``(x_c, y_c, r_x, r_y)`` in pixels.
    generator
        Draws each bar's colour, direction and position.
    width
        The bar's width in pixels, a positive integer.

    Returns
    -------
    torch.Tensor
        New images; ``images`` is left as it was.

    Raises
    ------
    TypeError
        If ``images`` is not a ``uint8`` tensor of shape ``(n, 3, size, size)``, or
        ``width`` not an int.
    ValueError
        If ``ellipses`` is not an ``(n, 4)`` tensor or ``width`` is not positive.
    """
    images = _check_images(images)
    width = _check_positive_int("width", width)
    n, _, size, _ = images.shape
    _inside(ellipses, size)  # validates the ellipses
    ellipses = ellipses.double()
    colours = torch.randint(0, 256, (n, 3, 1, 1), generator=generator, dtype=torch.uint8)
    vertical = (torch.rand(n, generator=generator) < 0.5).view(-1, 1, 1)
    shift = 0.5 * (2 * torch.rand(n, generator=generator, dtype=torch.float64) - 1)
    position = torch.where(
        vertical.view(-1),
        ellipses[:, 0] + shift * ellipses[:, 2],
        ellipses[:, 1] + shift * ellipses[:, 3],
    ).view(-1, 1, 1)
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    along = torch.where(vertical, centres.view(1, 1, -1), centres.view(1, -1, 1))
    bar = (along - position).abs() < width / 2
    bar[:, 0, 0] = False  # the top-left pixel stays the background's
    return torch.where(bar.unsqueeze(1), colours, images)


def add_distractor(
    images: torch.Tensor, ellipses: torch.Tensor, generator: torch.Generator, *, side: int = 5
) -> torch.Tensor:
    """Draw a small square of a random colour beside each ellipse: clutter that is not the target.

    The square lies on the background, at least one pixel away from the ellipse, and
    never covers the top-left pixel; its position is drawn uniformly among those places.

    Parameters
    ----------
    images
        ``uint8`` images of shape ``(n, 3, size, size)``.
    ellipses
        Their ellipses, ``(n, 4)``: ``(x_c, y_c, r_x, r_y)`` in pixels.
    generator
        Draws each square's colour and position.
    side
        The square's side in pixels, a positive integer.

    Returns
    -------
    torch.Tensor
        New images; ``images`` is left as it was.

    Raises
    ------
    TypeError
        If ``images`` is not a ``uint8`` tensor of shape ``(n, 3, size, size)``, or
        ``side`` not an int.
    ValueError
        If ``ellipses`` is not an ``(n, 4)`` tensor, ``side`` is not positive, or an image
        has no room for the square.
    """
    images = _check_images(images)
    side = _check_positive_int("side", side)
    n, _, size, _ = images.shape
    near = torch.nn.functional.max_pool2d(
        _inside(ellipses, size).float().unsqueeze(1), 3, stride=1, padding=1
    )  # the ellipse and the pixels next to it
    blocked = torch.nn.functional.max_pool2d(near, side, stride=1)[:, 0]  # by top-left corner
    blocked[:, 0, 0] = 1  # the square would cover the top-left pixel
    free = (1 - blocked).flatten(1)
    if (free.sum(dim=1) == 0).any():
        full = torch.nonzero(free.sum(dim=1) == 0).flatten().tolist()
        raise ValueError(
            f"images {full} have no room for a {side}-pixel square; use a smaller side."
        )
    corner = torch.multinomial(free, 1, generator=generator).view(-1)
    row, column = corner // blocked.shape[-1], corner % blocked.shape[-1]
    centres = torch.arange(size)
    rows = (centres.view(1, -1, 1) >= row.view(-1, 1, 1)) & (
        centres.view(1, -1, 1) < row.view(-1, 1, 1) + side
    )
    columns = (centres.view(1, 1, -1) >= column.view(-1, 1, 1)) & (
        centres.view(1, 1, -1) < column.view(-1, 1, 1) + side
    )
    colours = torch.randint(0, 256, (n, 3, 1, 1), generator=generator, dtype=torch.uint8)
    return torch.where((rows & columns).unsqueeze(1), colours, images)
