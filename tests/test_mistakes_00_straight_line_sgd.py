"""Notebook 00's mistake catalogue: each typical slip is caught by the check after its TODO.

Also the tests of the harness itself (tests/mistakes.py), on this notebook.
"""

from pathlib import Path

import pytest

from tests.mistakes import MutationError, catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "00_straight_line_sgd.ipynb"


def test_sign_flip_in_dl_dm_is_named():
    error = catch_mistake(
        NOTEBOOK, "dL_dm = -2 * np.mean", "dL_dm = 2 * np.mean", "check_gradients"
    )
    assert "sign is flipped" in error.hint


def test_lost_factor_two_in_dl_dc_is_named():
    error = catch_mistake(
        NOTEBOOK, "dL_dc = -2 * np.mean(error)", "dL_dc = -np.mean(error)", "check_gradients"
    )
    assert "dL/dc" in error.message
    assert "factor 2" in error.hint


def test_sum_instead_of_mean_in_the_loss_is_named():
    error = catch_mistake(
        NOTEBOOK,
        "np.mean((y_true - y_pred) ** 2)",
        "np.sum((y_true - y_pred) ** 2)",
        "check_mse_loss",
    )
    assert "sum of squared errors" in error.hint


def test_slope_and_intercept_swapped_in_the_model_are_caught():
    error = catch_mistake(NOTEBOOK, "return m * x + c", "return c * x + m", "check_model")
    assert "wrong values" in error.message
    assert "slope multiplies x" in error.hint


def test_forgotten_return_in_the_model_is_named():
    error = catch_mistake(NOTEBOOK, "return m * x + c", "m * x + c", "check_model")
    assert "forget the return" in error.hint


def test_swapped_data_points_are_caught():
    error = catch_mistake(NOTEBOOK, "[2.1, 3.9, 6.2]", "[3.9, 2.1, 6.2]", "check_data")
    assert "in the same order" in error.hint


def test_an_unfilled_gradient_says_fill_in_the_todo():
    error = catch_mistake(
        NOTEBOOK, "dL_dm = -2 * np.mean(x * error)", "dL_dm = ...", "check_gradients"
    )
    assert "fill in the TODO above" in error.message


# The harness itself.


def test_a_mutation_that_is_not_in_the_notebook_is_refused_by_name():
    with pytest.raises(MutationError, match=r"'dL_dm = 3 \* x' occurs 0 times"):
        catch_mistake(NOTEBOOK, "dL_dm = 3 * x", "dL_dm = 0", "check_gradients")


def test_a_mutation_found_twice_is_refused_by_name():
    with pytest.raises(MutationError, match=r"'np\.mean' occurs \d+ times.*exactly once"):
        catch_mistake(NOTEBOOK, "np.mean", "np.sum", "check_gradients")


def test_a_replacement_that_is_not_in_the_notebook_is_refused():
    with pytest.raises(MutationError, match="replacement 'num_epochs = 8'"):
        catch_mistake(
            NOTEBOOK,
            "return m * x + c",
            "return c * x + m",
            "check_model",
            replace={"num_epochs = 8": "num_epochs = 1"},
        )


def test_a_check_never_called_after_the_mutation_is_refused():
    with pytest.raises(MutationError, match=r"calls check_data\(\.\.\.\)"):
        catch_mistake(NOTEBOOK, "return m * x + c", "return c * x + m", "check_data")


def test_a_mistake_no_check_catches_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="was not caught: check_mse_loss passed"):
        catch_mistake(NOTEBOOK, "Loss of the flat line", "Loss of flat line", "check_mse_loss")


def test_another_exception_first_fails_the_test_with_its_traceback():
    with pytest.raises(pytest.fail.Exception, match=r"(?s)raised NameError.*cell 10>"):
        catch_mistake(NOTEBOOK, "m_here = 0.5", "m_here = undefined", "check_gradients")


def test_a_mistake_caught_by_another_check_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="by check_model, not by check_mse_loss"):
        catch_mistake(NOTEBOOK, "return m * x + c", "return c * x + m", "check_mse_loss")


def test_replacements_apply_to_every_run():
    # Ten steps of gradient descent are too few: check_fit says so.
    error = catch_mistake(
        NOTEBOOK,
        "m = m - learning_rate * dL_dm",
        "m = m - learning_rate * dL_dm ",
        "check_fit",
        replace={"num_steps = 500": "num_steps = 10"},
    )
    assert "not yet the best line" in error.message
