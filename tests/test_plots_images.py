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


def test_digit_grid_names_a_missing_title():
    with pytest.raises(ValueError, match="got 2 images but 1 titles; give one per item"):
        plot_digit_grid(torch.zeros(2, 28, 28), ["a"])


def test_digit_grid_refuses_a_string_as_titles():
    with pytest.raises(TypeError, match="titles should be a list of strings"):
        plot_digit_grid(torch.zeros(2, 28, 28), "ab")


def test_digit_grid_refuses_colour_images_naming_the_shapes_it_takes():
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(N, 1, H, W\), got \(2, 3, 28, 28\)"):
        plot_digit_grid(torch.zeros(2, 3, 28, 28), ["a", "b"])


def test_digit_grid_refuses_a_nested_list_of_pixels():
    with pytest.raises(
        TypeError, match=r"images should be a torch\.Tensor or a NumPy array, got list"
    ):
        plot_digit_grid([[[0.0]]], ["a"])


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"ncols": 0}, ValueError, "ncols should be a positive int, got 0"),
        ({"size": -1.0}, ValueError, "size should be a positive number of inches"),
        ({"size": "big"}, TypeError, "size should be a number, got str"),
    ],
)
def test_digit_grid_names_a_bad_layout(arguments, error, message):
    with pytest.raises(error, match=message):
        plot_digit_grid(torch.zeros(2, 28, 28), ["a", "b"], **arguments)


def test_misclassified_names_predictions_of_the_wrong_length():
    with pytest.raises(ValueError, match="got 3 images, 3 labels but 2 predictions"):
        plot_misclassified(torch.zeros(3, 28, 28), torch.tensor([1, 2, 3]), torch.tensor([1, 2]))


def test_misclassified_refuses_scores_instead_of_predictions():
    with pytest.raises(
        ValueError, match=r"predictions should hold one number per item, got shape \(3, 10\)"
    ):
        plot_misclassified(torch.zeros(3, 28, 28), torch.tensor([1, 2, 3]), torch.zeros(3, 10))


def test_misclassified_refuses_a_negative_maximum():
    with pytest.raises(ValueError, match="max_images should be an int >= 0, got -1"):
        plot_misclassified(torch.zeros(3, 28, 28), [1, 2, 3], [1, 2, 3], max_images=-1)


def test_misclassified_titles_show_whole_classes():
    figure = plot_misclassified(torch.zeros(2, 28, 28), [1, 2], [1, 3])
    assert shown_titles(figure) == ["2 → 3"]


def test_convolution_1d_refuses_a_position_that_is_not_an_int():
    from utils.plots.images import plot_convolution_1d

    with pytest.raises(TypeError, match=r"position should be an int, got 1\.0"):
        plot_convolution_1d([1, 2, 3], [1], position=1.0)


def test_convolution_1d_refuses_an_empty_kernel():
    from utils.plots.images import plot_convolution_1d

    with pytest.raises(ValueError, match="the kernel is empty"):
        plot_convolution_1d([1, 2, 3], [])


def test_convolution_2d_refuses_a_single_int_as_position():
    from utils.plots.images import plot_convolution_2d

    with pytest.raises(TypeError, match=r"position should be \(row, column\), two ints, got 1"):
        plot_convolution_2d(torch.zeros(3, 3), torch.zeros(2, 2), position=1)


def test_cnn_diagram_refuses_a_stage_without_a_name():
    from utils.plots.images import plot_cnn_diagram

    with pytest.raises(
        TypeError, match=r"each stage should be a \(name, shape\) pair, got \(1, 28, 28\)"
    ):
        plot_cnn_diagram([(1, 28, 28)])


def test_cnn_diagram_refuses_a_size_of_zero():
    from utils.plots.images import plot_cnn_diagram

    with pytest.raises(ValueError, match="stage 'conv': each size should be a positive int, got 0"):
        plot_cnn_diagram([("conv", (0, 28, 28))])
