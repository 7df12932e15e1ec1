"""Tests for utils.plots.evaluation, drawn headless."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from utils.plots.evaluation import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_error_against_contrast,
    plot_parity,
    plot_residual_histogram,
)

CLASS_NAMES = ["Adelie", "Chinstrap", "Gentoo"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    counts = confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], n_classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]


def test_confusion_matrix_keeps_classes_never_seen():
    assert confusion_matrix([0, 0], [0, 0], n_classes=3).shape == (3, 3)


def test_confusion_matrix_accepts_tensors():
    counts = confusion_matrix(torch.tensor([0, 1]), torch.tensor([1, 1]), n_classes=2)
    assert counts.tolist() == [[0, 1], [0, 1]]


@pytest.mark.parametrize(
    ("true", "predicted", "message"),
    [([0, 1], [0], "2 true classes but 1"), ([0, 3], [0, 1], r"0 \.\. 2, got 0 \.\. 3")],
)
def test_confusion_matrix_rejects_bad_input(true, predicted, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true, predicted, n_classes=3)


def test_confusion_matrix_plot_writes_every_count_and_labels_the_axes():
    ax = plot_confusion_matrix([0, 1, 2, 2], [0, 1, 2, 1], CLASS_NAMES, label="species")
    texts = sorted(text.get_text() for text in ax.texts)
    assert texts == sorted(["1", "0", "0", "0", "1", "0", "0", "1", "1"])
    assert ax.get_xlabel() == "predicted species"
    assert ax.get_ylabel() == "true species"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == CLASS_NAMES


def test_plots_draw_on_the_axes_they_are_given():
    _, axes = plt.subplots(1, 3)
    assert plot_confusion_matrix([0], [0], CLASS_NAMES, ax=axes[0]) is axes[0]
    assert plot_parity([1.0, 2.0], [1.5, 2.5], ax=axes[1]) is axes[1]
    assert plot_residual_histogram([1.0, 2.0], [1.5, 2.5], ax=axes[2]) is axes[2]


def test_parity_plot_labels_units_and_draws_the_diagonal():
    ax = plot_parity(np.array([3000.0, 4000.0]), np.array([3100.0, 3900.0]), "body mass", "g")
    assert ax.get_xlabel() == "true body mass (g)"
    assert ax.get_ylabel() == "predicted body mass (g)"
    (diagonal,) = ax.get_lines()
    x, y = diagonal.get_data()
    assert np.array_equal(x, y)


def test_parity_plot_gives_each_group_its_own_marker():
    ax = plot_parity(
        torch.tensor([[1.0], [2.0], [3.0]]),
        torch.tensor([[1.1], [2.1], [2.9]]),
        groups=["Adelie", "Gentoo", "Adelie"],
    )
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["Adelie", "Gentoo", "perfect prediction"]
    markers = {tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections}
    assert len(markers) == 2


def test_residual_histogram_counts_every_residual():
    true, predicted = np.zeros(7), np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 1.0, 3.0])
    ax = plot_residual_histogram(true, predicted, "body mass", "g", bins=4, items="penguins")
    assert sum(patch.get_height() for patch in ax.patches) == 7
    assert ax.get_xlabel() == "residual: predicted − true body mass (g)"
    assert ax.get_ylabel() == "penguins (count)"


def test_helpers_leave_showing_to_the_caller(monkeypatch):
    def refuse_to_show(*args, **kwargs):
        raise AssertionError("library code must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse_to_show)
    plot_confusion_matrix([0, 1], [0, 1], CLASS_NAMES)
    plot_parity([1.0], [1.0])
    plot_residual_histogram([1.0], [1.0])


def test_log_colour_confusion_matrix_shades_by_log_count_and_leaves_zeros_blank():
    ax = plot_confusion_matrix([0, 0, 0, 1], [0, 0, 0, 2], CLASS_NAMES, log_colour=True)
    assert sorted(text.get_text() for text in ax.texts) == ["1", "3"]
    shades = ax.images[0].get_array()
    assert shades[0, 0] == pytest.approx(np.log1p(3))
    assert "log(1 + " in ax.figure.axes[-1].get_ylabel()


def test_confusion_matrix_refuses_scores_instead_of_classes():
    scores = torch.zeros(2, 3)
    with pytest.raises(
        ValueError, match=r"got shape \(2, 3\); for class scores, pass scores\.argmax"
    ):
        confusion_matrix([0, 1], scores, n_classes=3)


def test_confusion_matrix_refuses_a_fractional_class():
    with pytest.raises(
        ValueError, match=r"true_classes holds 1\.5 at index 1; class indices are whole"
    ):
        confusion_matrix([0, 1.5], [0, 1], n_classes=3)


def test_confusion_matrix_refuses_a_number_of_classes_that_is_not_an_int():
    with pytest.raises(TypeError, match=r"n_classes should be a positive int, got float \(3\.0\)"):
        confusion_matrix([0, 1], [0, 1], n_classes=3.0)


def test_confusion_matrix_plot_refuses_a_string_as_class_names():
    with pytest.raises(TypeError, match=r"class_names should be a list of strings, .* got str"):
        plot_confusion_matrix([0, 1], [0, 1], "ab")


@pytest.mark.parametrize(
    ("true", "predicted", "groups", "message"),
    [
        ([1.0, 2.0], [1.0], None, "got 2 true values but 1 predicted values"),
        ([1.0, 2.0], [1.0, float("nan")], None, "predicted_values holds nan at index 1"),
        ([1.0, 2.0], [1.0, 2.0], ["Adelie"], "2 predicted values but 1 groups"),
        ([], [], None, "are empty; give at least one item"),
    ],
    ids=["lengths", "nan", "groups", "empty"],
)
def test_parity_names_bad_values(true, predicted, groups, message):
    with pytest.raises(ValueError, match=message):
        plot_parity(true, predicted, groups=groups)


def test_residual_histogram_refuses_zero_bins():
    with pytest.raises(ValueError, match="bins should be a positive int, got 0"):
        plot_residual_histogram([1.0, 2.0], [1.0, 2.0], bins=0)


def test_residual_histogram_names_an_infinite_prediction():
    with pytest.raises(ValueError, match="predicted_values holds inf at index 0"):
        plot_residual_histogram([1.0], [float("inf")])


def test_error_against_contrast_refuses_a_bare_array_with_an_example():
    with pytest.raises(TypeError, match=r"errors should be a dictionary .*\{'network': errors\}"):
        plot_error_against_contrast(torch.ones(3), torch.ones(3))


def test_error_against_contrast_names_a_series_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"got 3 contrast but 2 errors\['network'\]"):
        plot_error_against_contrast(torch.ones(3), {"network": torch.ones(2)})
