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
