"""Digit grids and the gallery of mistakes: one panel per image, titled, headless."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from utils.plots.images import plot_digit_grid, plot_misclassified


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def shown_titles(figure):
    return [ax.get_title() for ax in figure.axes if ax.images]


def test_digit_grid_shows_each_image_with_its_title():
    images = torch.rand(5, 1, 28, 28)
    figure = plot_digit_grid(images, [f"label {i}" for i in range(5)], ncols=3)
    assert shown_titles(figure) == [f"label {i}" for i in range(5)]


def test_digit_grid_accepts_uint8_images_without_a_channel_axis():
    images = torch.randint(0, 256, (2, 28, 28), dtype=torch.uint8)
    figure = plot_digit_grid(images, ["a", "b"])
    assert len(shown_titles(figure)) == 2


def test_misclassified_gallery_shows_only_the_mistakes():
    images = torch.rand(4, 1, 28, 28)
    labels = torch.tensor([1, 2, 3, 4])
    predictions = torch.tensor([1, 7, 3, 9])
    figure = plot_misclassified(images, labels, predictions)
    titles = shown_titles(figure)
    assert len(titles) == 2
    assert all("7" in title or "9" in title for title in titles)
