"""Tests for utils.ellipses: the synthetic ellipse data set and its pixel conversions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from utils.ellipses import (
    MAX_RADIUS_FRACTION,
    MIN_RADIUS,
    EllipseDataset,
    add_bar,
    add_distractor,
    blur,
    to_pixels,
    to_targets,
)


def inside_mask(ellipse: np.ndarray, size: int) -> np.ndarray:
    """The documented convention, written out pixel by pixel: x is the column, y the row."""
    x_c, y_c, r_x, r_y = ellipse
    mask = np.zeros((size, size), dtype=bool)
    for row in range(size):
        for column in range(size):
            x, y = column + 0.5, row + 0.5
            mask[row, column] = ((x - x_c) / r_x) ** 2 + ((y - y_c) / r_y) ** 2 <= 1.0
    return mask


def test_item_has_documented_shapes_and_dtypes():
    image, target = EllipseDataset(length=3, size=32, seed=0)[1]
    assert image.shape == (3, 32, 32)
    assert image.dtype == torch.uint8
    assert target.shape == (4,)
    assert target.dtype == torch.float32


def test_len_is_the_length_argument():
    assert len(EllipseDataset(length=17)) == 17


def test_same_index_gives_the_same_item_on_every_access():
    dataset = EllipseDataset(length=10, seed=3)
    first_image, first_target = dataset[7]
    dataset[2]  # drawing other items in between must not change item 7
    second_image, second_target = dataset[7]
    assert torch.equal(first_image, second_image)
    assert torch.equal(first_target, second_target)


def test_same_seed_gives_the_same_items_in_a_new_dataset():
    first, second = EllipseDataset(length=5, seed=4), EllipseDataset(length=5, seed=4)
    for index in range(5):
        assert torch.equal(first[index][0], second[index][0])
        assert torch.equal(first[index][1], second[index][1])


def test_item_does_not_depend_on_the_length():
    short, long = EllipseDataset(length=3, seed=5), EllipseDataset(length=300, seed=5)
    assert torch.equal(short[2][0], long[2][0])


def test_different_seeds_give_different_items():
    first, second = EllipseDataset(length=1, seed=0), EllipseDataset(length=1, seed=1)
    assert not torch.equal(first[0][1], second[0][1])


def test_different_indices_give_different_items():
    dataset = EllipseDataset(length=2, seed=0)
    assert not torch.equal(dataset[0][1], dataset[1][1])


def test_negative_index_counts_from_the_end():
    dataset = EllipseDataset(length=4, seed=0)
    assert torch.equal(dataset[-1][1], dataset[3][1])


def test_two_dataloader_workers_give_the_same_items_as_direct_access():
    dataset = EllipseDataset(length=12, size=16, seed=6)
    loader = DataLoader(dataset, batch_size=3, num_workers=2)
    images = torch.cat([batch_images for batch_images, _ in loader])
    targets = torch.cat([batch_targets for _, batch_targets in loader])
    assert torch.equal(images, torch.stack([dataset[i][0] for i in range(12)]))
    assert torch.equal(targets, torch.stack([dataset[i][1] for i in range(12)]))


def test_targets_lie_in_the_unit_interval_and_the_ellipse_inside_the_image():
    dataset = EllipseDataset(length=500, size=64, seed=0)
    targets = torch.stack([dataset[i][1] for i in range(len(dataset))]).double()
    x_c, y_c, r_x, r_y = targets.T
    assert targets.min() >= 0
    assert targets.max() <= 1
    tolerance = 1e-6  # float32 rounding of the targets
    assert (x_c - r_x >= -tolerance).all()
    assert (x_c + r_x <= 1 + tolerance).all()
    assert (y_c - r_y >= -tolerance).all()
    assert (y_c + r_y <= 1 + tolerance).all()
    assert (targets[:, 2:] >= MIN_RADIUS / 64 - tolerance).all()
    assert (targets[:, 2:] <= MAX_RADIUS_FRACTION + tolerance).all()


def test_target_is_the_ellipse_in_pixels_divided_by_the_size():
    dataset = EllipseDataset(length=3, size=48, seed=2)
    ellipse, _, _ = dataset.ellipse_and_colours(2)
    np.testing.assert_allclose(dataset[2][1].numpy(), ellipse / 48, rtol=1e-6)


def test_drawn_pixels_match_the_target_equation_at_pixel_centres():
    dataset = EllipseDataset(length=20, size=40, seed=1)
    for index in range(len(dataset)):
        image, _ = dataset[index]
        ellipse, ellipse_colour, background_colour = dataset.ellipse_and_colours(index)
        mask = inside_mask(ellipse, 40)
        expected = np.where(mask, ellipse_colour[:, None, None], background_colour[:, None, None])
        np.testing.assert_array_equal(image.numpy(), expected)


def test_x_is_the_column_and_y_the_row():
    # A wide, short ellipse must be wide along the columns (the second image axis).
    dataset = EllipseDataset(length=200, size=64, seed=0)
    index = next(
        i
        for i in range(len(dataset))
        if dataset.ellipse_and_colours(i)[0][2] > 3 * dataset.ellipse_and_colours(i)[0][3]
    )
    ellipse, ellipse_colour, background_colour = dataset.ellipse_and_colours(index)
    assert not np.array_equal(ellipse_colour, background_colour)
    inside = (dataset[index][0].numpy() == ellipse_colour[:, None, None]).all(axis=0)
    rows, columns = np.nonzero(inside)
    assert np.ptp(columns) > 2 * np.ptp(rows)
    # The centre of the ellipse is near the middle of the coloured pixels' centres.
    assert abs(columns.mean() + 0.5 - ellipse[0]) < 0.5
    assert abs(rows.mean() + 0.5 - ellipse[1]) < 0.5


def test_colours_cover_the_whole_range_in_every_channel():
    dataset = EllipseDataset(length=3000, size=8, seed=0)
    colours = np.array([dataset.ellipse_and_colours(i)[1:] for i in range(len(dataset))])
    for which in range(2):  # ellipse, background
        assert (colours[:, which].min(axis=0) == 0).all()
        assert (colours[:, which].max(axis=0) == 255).all()


@pytest.mark.parametrize("as_tensor", [False, True])
def test_to_targets_undoes_to_pixels(as_tensor):
    targets = np.random.default_rng(0).uniform(size=(5, 4)).astype(np.float32)
    if as_tensor:
        targets = torch.from_numpy(targets)
    pixels = to_pixels(targets, 64)
    assert type(pixels) is type(targets)
    np.testing.assert_allclose(np.asarray(to_targets(pixels, 64)), np.asarray(targets), rtol=1e-6)


def test_to_pixels_gives_the_drawn_ellipse():
    dataset = EllipseDataset(length=1, size=64, seed=0)
    ellipse, _, _ = dataset.ellipse_and_colours(0)
    np.testing.assert_allclose(to_pixels(dataset[0][1], 64).numpy(), ellipse, rtol=1e-6)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"length": 0}, "length must be a positive integer, got 0"),
        ({"length": -3}, "length must be a positive integer, got -3"),
        ({"length": 5, "size": 0}, "size must be a positive integer, got 0"),
        ({"length": 5, "size": -64}, "size must be a positive integer, got -64"),
        ({"length": 5, "size": 7}, "size=7 is too small"),
        ({"length": 5, "seed": -1}, "seed must be a non-negative integer, got -1"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_value(arguments, message):
    with pytest.raises(ValueError, match=message):
        EllipseDataset(**arguments)


@pytest.mark.parametrize(
    "arguments", [{"length": 5.0}, {"length": 5, "size": 64.0}, {"length": 5, "seed": "0"}]
)
def test_non_integer_arguments_raise_type_error(arguments):
    with pytest.raises(TypeError, match="must be an int"):
        EllipseDataset(**arguments)


def test_smallest_allowed_size_works():
    smallest = int(np.floor(MIN_RADIUS / MAX_RADIUS_FRACTION)) + 1
    image, _ = EllipseDataset(length=1, size=smallest)[0]
    assert image.shape == (3, smallest, smallest)


@pytest.mark.parametrize("index", [4, -5, 100])
def test_index_out_of_range_raises_index_error(index):
    with pytest.raises(IndexError, match=str(index)):
        EllipseDataset(length=4)[index]


@pytest.mark.parametrize("function", [to_pixels, to_targets])
def test_conversions_reject_a_size_that_is_not_positive(function):
    with pytest.raises(ValueError, match="size must be a positive integer, got 0"):
        function(np.zeros(4), 0)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=8, max_value=96),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    index=st.integers(min_value=0, max_value=10**6),
)
def test_any_size_and_seed_draw_a_visible_ellipse_inside_the_image(size, seed, index):
    dataset = EllipseDataset(length=index + 1, size=size, seed=seed)
    image, target = dataset[index]
    ellipse, ellipse_colour, background_colour = dataset.ellipse_and_colours(index)
    x_c, y_c, r_x, r_y = ellipse
    assert 0 <= x_c - r_x
    assert x_c + r_x <= size
    assert 0 <= y_c - r_y
    assert y_c + r_y <= size
    assert ((target >= 0) & (target <= 1)).all()
    mask = inside_mask(ellipse, size)
    assert mask.sum() > 0, "a minimum-radius ellipse should cover some pixel centres"
    expected = np.where(mask, ellipse_colour[:, None, None], background_colour[:, None, None])
    np.testing.assert_array_equal(image.numpy(), expected)


def test_non_integer_index_raises_type_error():
    with pytest.raises(TypeError, match="index must be an int, got float"):
        EllipseDataset(length=4)[1.0]


@pytest.mark.parametrize("function", [to_pixels, to_targets])
def test_conversions_refuse_a_list_which_would_be_repeated(function):
    with pytest.raises(TypeError, match=r"got list .*repeats the list.*np\.asarray"):
        function([0.5, 0.5, 0.25, 0.25], 64)


@pytest.mark.parametrize("function", [to_pixels, to_targets])
def test_conversions_refuse_values_that_are_not_numbers(function):
    with pytest.raises(TypeError, match=r"should hold numbers, got dtype torch\.bool"):
        function(torch.tensor([True, False]), 64)


def test_conversions_take_a_single_number_such_as_a_mean_error():
    assert to_pixels(0.25, 64) == 16.0
    assert to_targets(np.float32(16.0), 64) == 0.25
    assert to_pixels(torch.tensor(0.25), 64).item() == 16.0


def test_conversions_refuse_a_size_that_is_not_an_int():
    with pytest.raises(TypeError, match=r"size must be an int, got float \(64\.0\)"):
        to_pixels(np.zeros(4), 64.0)


# ---- corruptions ---------------------------------------------------------------------------


def corruption_sample(count: int = 16, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    dataset = EllipseDataset(length=count, size=size, seed=5)
    images = torch.stack([dataset[i][0] for i in range(count)])
    ellipses = torch.stack(
        [torch.from_numpy(dataset.ellipse_and_colours(i)[0]) for i in range(count)]
    )
    return images, ellipses


def inside_masks(ellipses: torch.Tensor, size: int) -> torch.Tensor:
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    x, y = centres.view(1, 1, -1), centres.view(1, -1, 1)
    x_c, y_c, r_x, r_y = (ellipses[:, i].view(-1, 1, 1) for i in range(4))
    return ((x - x_c) / r_x) ** 2 + ((y - y_c) / r_y) ** 2 <= 1


def test_blur_keeps_a_flat_image_flat_and_softens_an_edge():
    flat = torch.full((1, 3, 16, 16), 77, dtype=torch.uint8)
    assert torch.equal(blur(flat, sigma=1.0), flat)
    edge = flat.clone()
    edge[..., 8:] = 177
    blurred = blur(edge, sigma=1.0)
    assert blurred.dtype == torch.uint8
    assert blurred.shape == edge.shape
    assert 77 < int(blurred[0, 0, 0, 7]) < 127 < int(blurred[0, 0, 0, 8]) < 177
    assert int(blurred[0, 0, 0, 0]) == 77
    assert int(blurred[0, 0, 0, 15]) == 177


@pytest.mark.parametrize("sigma", [0, -1.0, True, "1"])
def test_blur_refuses_a_sigma_that_is_not_positive(sigma):
    with pytest.raises(ValueError, match="sigma should be a positive number"):
        blur(torch.zeros(1, 3, 8, 8, dtype=torch.uint8), sigma=sigma)


def test_corruptions_refuse_float_images():
    with pytest.raises(TypeError, match=r"uint8 tensor of shape \(n, 3, size, size\)"):
        blur(torch.zeros(1, 3, 8, 8), sigma=1.0)


def test_add_bar_crosses_each_ellipse_from_border_to_border():
    images, ellipses = corruption_sample()
    barred = add_bar(images, ellipses, torch.Generator().manual_seed(0))
    assert torch.equal(images, corruption_sample()[0]), "the input must stay as it was"
    changed = (barred != images).any(dim=1)
    assert not changed[:, 0, 0].any(), "the top-left pixel keeps the background's colour"
    inside = inside_masks(ellipses, 32)
    for i in range(len(images)):
        full_rows, full_columns = changed[i, :, 1:].all(dim=1), changed[i, 1:, :].all(dim=0)
        assert full_rows.sum() + full_columns.sum() >= 2, f"image {i}: no bar across the image"
        assert (changed[i] & inside[i]).any(), f"image {i}: the bar misses the ellipse"


def test_add_bar_is_repeatable_with_a_seeded_generator():
    images, ellipses = corruption_sample()
    first = add_bar(images, ellipses, torch.Generator().manual_seed(1))
    assert torch.equal(first, add_bar(images, ellipses, torch.Generator().manual_seed(1)))


def test_add_distractor_draws_a_square_on_the_background_only():
    images, ellipses = corruption_sample()
    cluttered = add_distractor(images, ellipses, torch.Generator().manual_seed(0), side=4)
    changed = (cluttered != images).any(dim=1)
    near = torch.nn.functional.max_pool2d(
        inside_masks(ellipses, 32).float().unsqueeze(1), 3, stride=1, padding=1
    )[:, 0].bool()
    assert not (changed & near).any(), "the square must keep a pixel away from the ellipse"
    assert not changed[:, 0, 0].any(), "the top-left pixel keeps the background's colour"
    for i in range(len(images)):
        rows, columns = torch.nonzero(changed[i], as_tuple=True)
        if len(rows):  # a square the colour of the background changes nothing
            assert rows.max() - rows.min() < 4
            assert columns.max() - columns.min() < 4


def test_add_distractor_says_when_an_image_has_no_room():
    images, ellipses = corruption_sample(count=2)
    with pytest.raises(ValueError, match=r"no room for a 30-pixel square"):
        add_distractor(images, ellipses, torch.Generator().manual_seed(0), side=30)
