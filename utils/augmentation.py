"""Data augmentation on whole batches of images at once.

``torchvision.transforms.v2.RandomRotation`` and ``RandomAffine`` transform one
image at a time, inside the ``Dataset``. For small images such as MNIST that
per-image work can cost more than training itself; the function here draws one
random rotation and shift per image, like those transforms, but applies them to
a whole batch in two tensor operations, on whatever device the batch is.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F


def random_rotate_shift(
    images: torch.Tensor,
    max_degrees: float = 0.0,
    max_shift: float = 0.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Rotate and shift each image by its own random amount, filling new pixels with 0.

    Parameters
    ----------
    images
        A batch of shape (N, C, H, W), floating point.
    max_degrees
        Each image turns by an angle drawn uniformly from [-max_degrees, max_degrees].
    max_shift
        Each image moves by up to this many pixels, left or right and up or down.
    generator
        The random number generator to draw from (on the CPU); seed it for
        repeatable augmentation.

    Returns
    -------
    torch.Tensor
        The augmented batch, same shape, dtype and device as ``images``.

    Raises
    ------
    TypeError
        If ``images`` is not a tensor (a NumPy array, say), ``max_degrees`` or
        ``max_shift`` is not a number, or ``generator`` is not a CPU ``torch.Generator``.
    ValueError
        If ``images`` is not a floating-point batch of shape (N, C, H, W) with at
        least one pixel, or ``max_degrees`` or ``max_shift`` is negative or not finite.
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(
            f"images should be a torch.Tensor of shape (N, C, H, W), got {type(images).__name__}; "
            "convert it with torch.as_tensor(images)."
        )
    for name, value in (("max_degrees", max_degrees), ("max_shift", max_shift)):
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise TypeError(
                f"{name} should be a finite number >= 0, got {type(value).__name__} ({value!r})."
            )
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} should be a finite number >= 0, got {value!r}.")
    if generator is not None and (
        not isinstance(generator, torch.Generator) or generator.device.type != "cpu"
    ):
        shown = (
            f"a generator on {generator.device}"
            if isinstance(generator, torch.Generator)
            else type(generator).__name__
        )
        raise TypeError(
            "generator should be a CPU torch.Generator, e.g. torch.Generator().manual_seed(0), "
            f"or None; got {shown}."
        )
    if images.ndim != 4 or not images.is_floating_point():
        raise ValueError(
            "images should be a floating-point batch of shape (N, C, H, W), got dtype "
            f"{images.dtype} and shape {tuple(images.shape)}."
        )
    if images.shape[2] == 0 or images.shape[3] == 0:
        raise ValueError(f"images have no pixels: shape {tuple(images.shape)}.")
    if images.shape[0] == 0:  # an empty batch: nothing to move
        return images.clone()
    number_of_images, _, height, width = images.shape
    uniform = torch.rand(number_of_images, 3, generator=generator) * 2 - 1  # in [-1, 1]
    angles = uniform[:, 0] * math.radians(max_degrees)
    # affine_grid measures positions from -1 to 1 across the image: one pixel is 2 / size.
    shift_x = uniform[:, 1] * max_shift * 2 / width
    shift_y = uniform[:, 2] * max_shift * 2 / height
    cos, sin = torch.cos(angles), torch.sin(angles)
    theta = torch.stack(
        [torch.stack([cos, -sin, shift_x], dim=1), torch.stack([sin, cos, shift_y], dim=1)], dim=1
    ).to(device=images.device, dtype=images.dtype)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False, padding_mode="zeros")
