"""Tests for the ellipse figures of notebook 04 (utils.plots.images and .evaluation), headless."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from utils.ellipses import EllipseDataset, to_pixels
from utils.plots.evaluation import plot_error_against_contrast
from utils.plots.images import draw_outline, plot_ellipses, show_image


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def sample(count: int = 3, size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    dataset = EllipseDataset(length=count, size=size, seed=0)
    images = torch.stack([dataset[i][0] for i in range(count)])
    ellipses = to_pixels(torch.stack([dataset[i][1] for i in range(count)]), size)
    return images, ellipses


def outlines(ax) -> list[Ellipse]:
    return [patch for patch in ax.patches if isinstance(patch, Ellipse)]


def test_draw_outline_uses_the_dataset_coordinates():
    _, ax = plt.subplots()
    draw_outline(ax, (10.0, 20.0, 3.0, 5.0))
    (outline,) = outlines(ax)
    assert outline.center == (10.0, 20.0)
    assert (outline.width, outline.height) == (6.0, 10.0)
    assert not outline.get_fill()


def test_show_image_puts_pixel_edges_on_whole_numbers_with_y_down():
    _, ax = plt.subplots()
    show_image(ax, sample(1, 16)[0][0])
    assert ax.images[0].get_extent() == [0, 16, 16, 0]
    assert ax.get_ylim() == (16.0, 0.0)  # y grows downwards, as in the data set


def test_plot_ellipses_returns_a_figure_with_one_labelled_panel_per_image():
    images, ellipses = sample(3)
    figure = plot_ellipses(images, ellipses, ncols=2)
    assert isinstance(figure, Figure)
    panels = [ax for ax in figure.axes if ax.images]
    assert len(panels) == 3
    assert all(len(outlines(ax)) == 1 for ax in panels)
    assert any(ax.get_xlabel() == "x (px)" for ax in panels)
    assert any(ax.get_ylabel() == "y (px)" for ax in panels)


def test_prediction_outline_differs_from_the_truth_by_line_style_not_colour_alone():
    images, ellipses = sample(2)
    figure = plot_ellipses(images, ellipses, predictions=ellipses + 1, titles=["a", "b"])
    ax = next(ax for ax in figure.axes if ax.images)
    true_outline, predicted_outline = outlines(ax)
    assert true_outline.get_linestyle() != predicted_outline.get_linestyle()
    assert ax.get_title() == "a"
    legend_labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend_labels == ["true outline", "predicted outline"]


def test_plot_ellipses_accepts_numpy_arrays():
    images, ellipses = sample(2)
    figure = plot_ellipses(images.numpy(), ellipses.numpy())
    assert len([ax for ax in figure.axes if ax.images]) == 2


@pytest.mark.parametrize("which", ["ellipses", "predictions"])
def test_plot_ellipses_refuses_mismatched_lengths(which):
    images, ellipses = sample(3)
    arguments = {"ellipses": ellipses, "predictions": ellipses}
    arguments[which] = ellipses[:2]
    with pytest.raises(ValueError, match=f"3 images but 2 {which}"):
        plot_ellipses(images, **arguments)


def test_plot_ellipses_does_not_show():
    images, ellipses = sample(1)
    before = plt.get_fignums()
    figure = plot_ellipses(images, ellipses)
    assert plt.get_fignums() == [*before, figure.number]  # still open: nothing was shown


def test_error_against_contrast_uses_log_axes_labels_and_a_marker_per_series():
    contrast = np.array([1.0, 10.0, 100.0])
    ax = plot_error_against_contrast(contrast, {"a": np.ones(3), "b": torch.full((3,), 2.0)})
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    assert "grey levels" in ax.get_xlabel()
    assert "(px)" in ax.get_ylabel()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["a", "b"]
    first, second = ax.collections
    # Different marker shapes, so the series differ by more than colour.
    assert not np.array_equal(first.get_paths()[0].vertices, second.get_paths()[0].vertices)


def test_error_against_contrast_draws_on_the_given_axes():
    _, ax = plt.subplots()
    assert plot_error_against_contrast([1.0, 2.0], {"a": [0.5, 0.6]}, ax=ax) is ax


def test_plot_ellipses_names_ellipses_of_the_wrong_shape():
    images, ellipses = sample(2)
    with pytest.raises(ValueError, match=r"ellipses should have shape \(n, 4\), .* got \(2, 3\)"):
        plot_ellipses(images, ellipses[:, :3])


def test_plot_ellipses_refuses_an_empty_batch():
    with pytest.raises(
        ValueError, match=r"images should have shape \(n, 3, size, size\) with n >= 1"
    ):
        plot_ellipses(torch.zeros(0, 3, 8, 8, dtype=torch.uint8), torch.zeros(0, 4))


def test_plot_ellipses_names_a_nan_prediction():
    images, ellipses = sample(2)
    predictions = ellipses.clone()
    predictions[1, 2] = float("nan")
    with pytest.raises(ValueError, match=r"predictions holds nan at index \(1, 2\)"):
        plot_ellipses(images, ellipses, predictions)


def test_plot_ellipses_names_a_missing_title():
    images, ellipses = sample(2)
    with pytest.raises(ValueError, match="got 2 images but 1 titles"):
        plot_ellipses(images, ellipses, titles=["only one"])


def test_draw_outline_refuses_three_numbers():
    _, ax = plt.subplots()
    with pytest.raises(
        ValueError, match=r"ellipse should be \(x_c, y_c, r_x, r_y\), got shape \(3,\)"
    ):
        draw_outline(ax, [1.0, 2.0, 3.0])


def test_draw_outline_refuses_a_negative_radius():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="radii should be >= 0, got r_x=-3"):
        draw_outline(ax, [1.0, 2.0, -3.0, 4.0])


def test_draw_outline_refuses_an_array_of_axes():
    _, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match=r"ax should be one matplotlib Axes, got ndarray"):
        draw_outline(axes, [1.0, 2.0, 3.0, 4.0])


def test_show_image_refuses_a_greyscale_image_naming_the_shape_it_takes():
    _, ax = plt.subplots()
    with pytest.raises(
        ValueError, match=r"\(3, height, width\), colour channels first, got \(1, 8, 8\)"
    ):
        show_image(ax, torch.zeros(1, 8, 8))
