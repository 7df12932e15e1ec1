"""Plot helpers return what they drew on, label their axes, and work headless."""

import matplotlib

matplotlib.use("Agg")  # headless: no display needed

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from utils.plots.training import (
    plot_data_and_line,
    plot_loss_landscape,
    plot_parameter_paths,
    plot_training_curves,
)

X = np.array([1.0, 2.0, 3.0])
Y = np.array([2.1, 3.9, 6.2])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_data_and_line_draws_points_and_line():
    ax = plot_data_and_line(X, Y, m=2.0, c=0.0)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 1  # the scatter
    (line,) = ax.lines
    x_line, y_line = line.get_data()
    np.testing.assert_allclose(y_line, 2.0 * x_line)
    assert ax.get_xlabel() == "x"


def test_data_without_line_draws_only_points():
    ax = plot_data_and_line(X, Y)
    assert len(ax.lines) == 0


def test_training_curves_one_line_per_curve_on_given_axes():
    _, ax = plt.subplots()
    returned = plot_training_curves(
        {"train": [3.0, 2.0, 1.0], "validation": [3.5, 2.5, 2.0]}, ylabel="loss", ax=ax
    )
    assert returned is ax
    assert [line.get_label() for line in ax.lines] == ["train", "validation"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])


def test_training_curves_accepts_a_dataframe_and_log_axis():
    frame = pd.DataFrame({"loss": [1.0, 0.1, 0.01]})
    ax = plot_training_curves(frame, logy=True)
    assert ax.get_yscale() == "log"


def test_loss_landscape_draws_contours_and_path():
    def loss(m, c):
        return (m - 1.0) ** 2 + (c + 1.0) ** 2 + 0.1

    path = [(0.0, 0.0), (0.5, -0.5), (1.0, -1.0)]
    ax = plot_loss_landscape(loss, (-1.0, 2.0), (-2.0, 1.0), path=path, resolution=20)
    assert ax.get_xlabel() == "slope m"
    assert ax.get_ylabel() == "intercept c"
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 0.5, 1.0])
    assert len(ax.figure.axes) == 2  # the plot and its colour bar


def test_parameter_paths_one_line_and_end_marker_each_with_labels():
    paths = {"full batch": [(0, 0), (1, 0.5), (2, 1)], "mini-batch": np.array([[0, 0], [2, 1.1]])}
    ax = plot_parameter_paths(paths)
    assert isinstance(ax, Axes)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(paths)
    np.testing.assert_allclose(ax.lines[0].get_xydata(), np.array(paths["full batch"]))
    assert ax.lines[0].get_linestyle() != ax.lines[2].get_linestyle()  # not colour alone
    assert ax.get_xlabel() == "slope m"


def test_an_array_of_axes_is_refused_with_a_hint():
    _, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match=r"ax should be one matplotlib Axes .*e\.g\. axes\[0\]"):
        plot_training_curves({"loss": [1.0, 0.5]}, ax=axes)


def test_data_and_line_needs_both_m_and_c():
    with pytest.raises(
        ValueError, match=r"give both m and c to draw a line, or neither; got m=1\.0"
    ):
        plot_data_and_line(X, Y, m=1.0)


def test_data_and_line_names_data_of_different_lengths():
    with pytest.raises(ValueError, match="got 3 x but 2 y; give one per item"):
        plot_data_and_line(X, Y[:2])


def test_data_and_line_names_a_nan_and_its_position():
    with pytest.raises(ValueError, match="x holds nan at index 1"):
        plot_data_and_line(np.array([1.0, np.nan, 3.0]), Y)


def test_data_and_line_still_draws_a_diverged_line():
    ax = plot_data_and_line(X, Y, m=float("inf"), c=float("nan"))
    assert len(ax.lines) == 1


def test_data_and_line_takes_one_element_tensors_as_m_and_c():
    import torch

    ax = plot_data_and_line(X, Y, m=torch.tensor(2.0), c=torch.tensor([0.5]))
    assert ax.get_legend_handles_labels()[1][-1] == "y = 2.000 x + 0.500"


def test_training_curves_refuse_a_bare_list_with_an_example():
    with pytest.raises(
        TypeError, match=r"curves should be a dictionary .*\{'train': losses\}, got list"
    ):
        plot_training_curves([1.0, 0.5])


def test_training_curves_refuse_an_empty_dictionary():
    with pytest.raises(ValueError, match="curves is empty"):
        plot_training_curves({})


def test_training_curves_name_a_curve_that_is_not_numbers():
    with pytest.raises(TypeError, match=r"curves\['loss'\] should be numbers .* got 'low'"):
        plot_training_curves({"loss": "low"})


def test_training_curves_take_a_list_of_loss_tensors_and_show_a_divergence():
    import torch

    ax = plot_training_curves({"loss": [torch.tensor(1.0), torch.tensor(float("inf"))]})
    assert ax.lines[0].get_ydata().tolist() == [1.0, float("inf")]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"loss": 3}, TypeError, "loss should be a function of \\(m, c\\), got int"),
        (
            {"m_range": (1.0, 0.0)},
            ValueError,
            "m_range should be \\(lowest, highest\\) with lowest < highest",
        ),
        (
            {"c_range": 3.0},
            TypeError,
            "c_range should be \\(lowest, highest\\), two numbers, got 3.0",
        ),
        (
            {"m_range": (0.0, float("inf"))},
            ValueError,
            r"m_range\[1\] should be a finite number, got inf",
        ),
        ({"resolution": 1}, ValueError, "resolution should be at least 2"),
        ({"resolution": 10.0}, TypeError, "resolution should be a positive int, got float"),
        ({"path": [1.0, 2.0]}, ValueError, r"path should be \(m, c\) pairs, .* got shape \(2,\)"),
        (
            {"loss": lambda m, c: 1.0},
            ValueError,
            r"one loss per grid point, shape \(200, 200\), got \(\)",
        ),
        ({"loss": lambda m, c: 0 * m}, ValueError, "nowhere positive"),
    ],
)
def test_loss_landscape_names_a_bad_argument(arguments, error, message):
    defaults = {"loss": lambda m, c: m**2 + c**2 + 1, "m_range": (0.0, 1.0), "c_range": (0.0, 1.0)}
    with pytest.raises(error, match=message):
        plot_loss_landscape(**{**defaults, **arguments})


def test_parameter_paths_refuse_a_list_instead_of_a_dictionary():
    with pytest.raises(TypeError, match="paths should be a dictionary of label to"):
        plot_parameter_paths([[0.0, 0.0]])


def test_parameter_paths_name_a_path_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"paths\['SGD'\] should be \(m, c\) pairs"):
        plot_parameter_paths({"SGD": [[0.0, 0.0, 0.0]]})


def test_parameter_paths_refuse_an_empty_dictionary():
    with pytest.raises(ValueError, match="paths is empty"):
        plot_parameter_paths({})


def test_a_new_figure_of_a_bad_size_is_refused_by_name():
    from utils.plots.common import axes_or_new

    with pytest.raises(TypeError, match=r"figsize should be \(width, height\) in inches, got 6"):
        axes_or_new(None, figsize=6)
    with pytest.raises(ValueError, match=r"figsize should be positive"):
        axes_or_new(None, figsize=(6, 0))
