"""The notebook 00 self-checks: right answers pass, each classic slip gets its own hint."""

import numpy as np
import pytest
import torch

from utils.checks import as_float, check_tensor
from utils.checks.straight_line import (
    X_DATA,
    Y_DATA,
    check_data,
    check_fit,
    check_gradients,
    check_model,
    check_mse_loss,
)


def right_gradients(x, y, m, c):
    error = y - (m * x + c)
    return -2 * np.mean(x * error), -2 * np.mean(error)


def test_right_answers_pass_and_say_so(capsys):
    check_data(X_DATA.copy(), Y_DATA.copy())
    check_model(lambda x, m, c: m * x + c)
    check_mse_loss(lambda y_pred, y_true: np.mean((y_true - y_pred) ** 2))
    check_gradients(right_gradients)
    check_fit(2.05, -1 / 30)
    assert capsys.readouterr().out.count("✓") == 5


def test_data_as_list_gets_a_type_hint():
    with pytest.raises(AssertionError, match="should be a NumPy array, got list"):
        check_data([1.0, 2.0, 3.0], Y_DATA)


def test_data_swapped_is_caught():
    with pytest.raises(AssertionError, match="do not hold the three points"):
        check_data(Y_DATA, X_DATA)


def test_integer_data_gets_a_dtype_hint():
    with pytest.raises(AssertionError, match="decimal point"):
        check_data(np.array([1, 2, 3]), Y_DATA)


def test_model_with_slope_and_intercept_swapped_fails():
    with pytest.raises(AssertionError, match="wrong values"):
        check_model(lambda x, m, c: c * x + m)


def test_model_returning_nothing_fails_clearly():
    with pytest.raises(AssertionError, match=r"model returned None\.\nHint: did you forget"):
        check_model(lambda x, m, c: None)


def test_sum_instead_of_mean_is_named():
    with pytest.raises(AssertionError, match="sum of squared errors"):
        check_mse_loss(lambda y_pred, y_true: np.sum((y_true - y_pred) ** 2))


def test_loss_returning_an_array_is_explained():
    with pytest.raises(AssertionError, match="single number, got an array of shape"):
        check_mse_loss(lambda y_pred, y_true: (y_true - y_pred) ** 2)


@pytest.mark.parametrize(
    ("wrong_gradients", "hint"),
    [
        (lambda x, y, m, c: tuple(-g for g in right_gradients(x, y, m, c)), "sign is flipped"),
        (lambda x, y, m, c: tuple(g / 2 for g in right_gradients(x, y, m, c)), "factor 2"),
        (lambda x, y, m, c: tuple(3 * g for g in right_gradients(x, y, m, c)), "divide by n"),
        (lambda x, y, m, c: right_gradients(x, y, m, -c), "chain rule"),
    ],
)
def test_each_gradient_slip_gets_its_hint(wrong_gradients, hint):
    with pytest.raises(AssertionError, match=hint):
        check_gradients(wrong_gradients)


def test_gradient_function_that_crashes_is_reported_not_raised_raw():
    def broken(x, y, m, c):
        return x @ np.ones(2), 0.0

    with pytest.raises(AssertionError, match="Calling gradients raised ValueError"):
        check_gradients(broken)


def test_gradients_returning_one_value_is_explained():
    with pytest.raises(AssertionError, match="two numbers"):
        check_gradients(lambda x, y, m, c: 0.0)


def test_passing_a_call_instead_of_the_function_is_explained():
    with pytest.raises(AssertionError, match="pass the function itself"):
        check_gradients(right_gradients(X_DATA, Y_DATA, 0.0, 0.0)[0])


def test_unconverged_fit_gives_the_remaining_gradient_not_the_answer():
    with pytest.raises(AssertionError, match="gradient at your") as failure:
        check_fit(1.9, 0.2)
    assert "2.05" not in str(failure.value)
    assert "-0.033" not in str(failure.value)


def test_diverged_fit_suggests_a_smaller_learning_rate():
    with pytest.raises(AssertionError, match="smaller learning rate"):
        check_fit(float("inf"), float("nan"))


def test_fit_accepts_tensors():
    check_fit(torch.tensor(2.05), torch.tensor([-1 / 30]))


def test_as_float_rejects_bool_and_strings():
    with pytest.raises(AssertionError, match="got a bool"):
        as_float("loss", True)
    with pytest.raises(AssertionError, match="got str"):
        as_float("loss", "0.5")


def test_check_tensor_messages_name_the_problem():
    with pytest.raises(AssertionError, match=r"should be a torch\.Tensor, got list"):
        check_tensor("images", [1, 2])
    with pytest.raises(AssertionError, match=r"shape \(2, 3\), expected \(3, 2\)"):
        check_tensor("images", torch.zeros(2, 3), shape=(3, 2))
    with pytest.raises(AssertionError, match=r"dtype torch\.int64, expected torch\.float32"):
        check_tensor("images", torch.zeros(2, dtype=torch.int64), dtype=torch.float32)
