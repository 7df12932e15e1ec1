"""Tests for utils.augmentation.random_rotate_shift."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils.augmentation import random_rotate_shift


def centred_square(size: int = 28, half_width: int = 4) -> torch.Tensor:
    """A batch of one image: a white square in the middle of a black field."""
    image = torch.zeros(1, 1, size, size)
    middle = size // 2
    image[
        ..., middle - half_width : middle + half_width, middle - half_width : middle + half_width
    ] = 1
    return image


def centre_of_mass(images: torch.Tensor) -> torch.Tensor:
    """Return (row, column) of each image's centre of brightness, shape (N, 2)."""
    rows = torch.arange(images.shape[-2], dtype=images.dtype)
    columns = torch.arange(images.shape[-1], dtype=images.dtype)
    mass = images.sum(dim=(1, 2, 3))
    row = (images.sum(dim=(1, 3)) * rows).sum(dim=1) / mass
    column = (images.sum(dim=(1, 2)) * columns).sum(dim=1) / mass
    return torch.stack([row, column], dim=1)


def test_no_rotation_and_no_shift_leaves_images_unchanged() -> None:
    images = torch.rand(6, 1, 28, 28)
    torch.testing.assert_close(random_rotate_shift(images), images, atol=1e-5, rtol=0)


def test_same_seed_gives_the_same_augmentation() -> None:
    images = torch.rand(4, 1, 28, 28)
    first = random_rotate_shift(images, 30, 2, torch.Generator().manual_seed(0))
    second = random_rotate_shift(images, 30, 2, torch.Generator().manual_seed(0))
    assert torch.equal(first, second)
    assert not torch.allclose(first, images)


def test_shifts_move_images_by_at_most_max_shift_pixels() -> None:
    images = centred_square().repeat(200, 1, 1, 1)
    shifted = random_rotate_shift(images, max_shift=2, generator=torch.Generator().manual_seed(1))
    moves = (centre_of_mass(shifted) - centre_of_mass(images)).abs()
    assert moves.max() <= 2 + 1e-4
    assert moves.max() > 1.5, "some image should move by nearly the full two pixels"
    torch.testing.assert_close(shifted.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)))


def test_each_image_gets_its_own_rotation() -> None:
    images = torch.zeros(8, 1, 28, 28)
    images[..., 13:15, 4:24] = 1  # a horizontal bar
    rotated = random_rotate_shift(
        images, max_degrees=90, generator=torch.Generator().manual_seed(2)
    )
    distinct = {tuple(image.flatten().round(decimals=3).tolist()) for image in rotated}
    assert len(distinct) == len(images)


def test_keeps_shape_dtype_and_device() -> None:
    images = torch.rand(3, 2, 20, 24, dtype=torch.float64)
    augmented = random_rotate_shift(images, 10, 1)
    assert augmented.shape == images.shape
    assert augmented.dtype == images.dtype
    assert augmented.device == images.device


@pytest.mark.parametrize(
    "images", [torch.rand(28, 28), torch.zeros(2, 1, 28, 28, dtype=torch.uint8)]
)
def test_rejects_a_single_image_or_integer_pixels(images: torch.Tensor) -> None:
    with pytest.raises(ValueError, match=r"floating-point batch of shape \(N, C, H, W\)"):
        random_rotate_shift(images, 10, 1)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("max_degrees", float("nan")), ("max_degrees", -5.0), ("max_shift", float("inf"))],
)
def test_bad_amounts_are_refused_by_name(keyword, value):
    with pytest.raises(ValueError, match=f"{keyword} should be a finite number >= 0, got {value}"):
        random_rotate_shift(torch.zeros(2, 1, 8, 8), **{keyword: value})


def test_a_numpy_array_gets_a_type_error_with_the_fix():
    with pytest.raises(TypeError, match=r"got ndarray; convert it with torch\.as_tensor"):
        random_rotate_shift(np.zeros((2, 1, 8, 8), dtype=np.float32), max_degrees=10)


@pytest.mark.parametrize(("keyword", "value"), [("max_degrees", "10"), ("max_shift", None)])
def test_amounts_that_are_not_numbers_are_a_type_error(keyword, value):
    with pytest.raises(TypeError, match=f"{keyword} should be a finite number >= 0, got"):
        random_rotate_shift(torch.zeros(2, 1, 8, 8), **{keyword: value})


def test_numpy_numbers_are_accepted_as_amounts():
    images = torch.rand(2, 1, 8, 8)
    assert random_rotate_shift(images, np.float64(10), np.int64(1)).shape == images.shape


def test_a_generator_that_is_not_a_generator_is_named():
    with pytest.raises(TypeError, match=r"generator should be a CPU torch\.Generator.*got int"):
        random_rotate_shift(torch.zeros(2, 1, 8, 8), 10, 1, generator=0)  # type: ignore[arg-type]


def test_images_without_pixels_are_refused():
    with pytest.raises(ValueError, match=r"images have no pixels: shape \(2, 1, 0, 8\)"):
        random_rotate_shift(torch.zeros(2, 1, 0, 8), 10, 1)


def test_an_empty_batch_comes_back_empty():
    assert random_rotate_shift(torch.zeros(0, 1, 8, 8), 10, 1).shape == (0, 1, 8, 8)
