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


# --- Figures of how a convolution works (notebook 03) ------------------------------------


def test_convolution_1d_title_spells_out_the_highlighted_value():
    from utils.plots.images import plot_convolution_1d

    figure = plot_convolution_1d([0, 1, 2, 3, 3], [1, 0, -1], position=1)
    title = figure.axes[0].get_title()
    assert "(1)·(1) + (0)·(2) + (-1)·(3) = -2" in title
    assert "5 − 3 + 1 = 3" in title


@pytest.mark.parametrize(
    ("x", "kernel", "position"),
    [([1, 2], [1, 2, 3], 0), ([1, 2, 3], [1, 1], 2), ([[1, 2]], [1], 0)],
    ids=["kernel-too-long", "position-past-the-end", "not-1d"],
)
def test_convolution_1d_rejects_what_does_not_fit(x, kernel, position):
    from utils.plots.images import plot_convolution_1d

    with pytest.raises(ValueError, match=r"kernel|position|1-D"):
        plot_convolution_1d(x, kernel, position)


def test_convolution_2d_frames_the_value_torch_computes():
    from utils.plots.images import plot_convolution_2d

    image = torch.arange(25.0).view(5, 5)
    kernel = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
    expected = torch.nn.functional.conv2d(image.view(1, 1, 5, 5), kernel.view(1, 1, 2, 2))
    figure = plot_convolution_2d(image, kernel, position=(2, 1))
    assert len(figure.axes) == 3
    assert f"framed: {expected[0, 0, 2, 1].item():g}" in figure.axes[2].get_title()
    assert figure.axes[2].get_title().startswith("output 4 × 4")


def test_convolution_2d_rejects_a_kernel_that_does_not_fit():
    from utils.plots.images import plot_convolution_2d

    with pytest.raises(ValueError, match="does not fit"):
        plot_convolution_2d(torch.zeros(3, 3), torch.zeros(3, 3), position=(1, 0))


def test_cnn_diagram_labels_every_stage_with_its_shape():
    from utils.plots.images import plot_cnn_diagram

    stages = [("input", (1, 28, 28)), ("MaxPool2d", (16, 14, 14)), ("Linear", (10,))]
    figure = plot_cnn_diagram(stages)
    texts = [text.get_text() for text in figure.axes[0].texts]
    for name, shape in stages:
        assert name in texts
        assert " × ".join(str(n) for n in shape) in texts


def test_cnn_diagram_rejects_a_shape_with_a_batch_axis():
    from utils.plots.images import plot_cnn_diagram

    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        plot_cnn_diagram([("input", (8, 1, 28, 28))])
