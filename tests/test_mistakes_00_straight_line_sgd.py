"""Notebook 00's mistake catalogue: each typical slip is caught by the check after its TODO.

Also the tests of the harness itself (tests/mistakes.py), on this notebook.
"""

import json
from pathlib import Path

import pytest

from tests.mistakes import MutationError, catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "00_straight_line_sgd.ipynb"


# Each case: (old, new, the check that must catch it, words its hint or message must hold).
STEP = "    m = m - learning_rate * dL_dm\n    c = c - learning_rate * dL_dc\n"
AUTOGRAD_UPDATE = (
    "    with torch.no_grad():\n"
    "        m -= learning_rate * m.grad\n"
    "        c -= learning_rate * c.grad\n"
)
MISTAKES = {
    "data_points_swapped": ("[2.1, 3.9, 6.2]", "[3.9, 2.1, 6.2]", "check_data", "same order"),
    "data_left_unfilled": ("x = np.array([1.0, 2.0, 3.0])", "x = ...", "check_data", "TODO"),
    "slope_and_intercept_swapped": (
        "return m * x + c",
        "return c * x + m",
        "check_straight_line",
        "slope multiplies x",
    ),
    "model_without_return": ("return m * x + c", "m * x + c", "check_straight_line", "return"),
    "sum_instead_of_mean_in_loss": (
        "return ((y_true - y_pred) ** 2).mean()",
        "return ((y_true - y_pred) ** 2).sum()",
        "check_mse_loss",
        "sum of squared errors",
    ),
    "np_mean_loss_fails_on_tensors": (
        "return ((y_true - y_pred) ** 2).mean()",
        "return np.mean((y_true - y_pred) ** 2)",
        "check_mse_loss",
        "np.mean",
    ),
    "loss_returned_as_float": (
        "return ((y_true - y_pred) ** 2).mean()",
        "return float(((y_true - y_pred) ** 2).mean())",
        "check_mse_loss",
        "without .item()",
    ),
    "sign_flip_in_dL_dm": (
        "dL_dm = -2 * np.mean",
        "dL_dm = 2 * np.mean",
        "check_gradients",
        "sign is flipped",
    ),
    "lost_factor_two_in_dL_dc": (
        "dL_dc = -2 * np.mean(error)",
        "dL_dc = -np.mean(error)",
        "check_gradients",
        "factor 2",
    ),
    "sum_instead_of_mean_in_gradient": (
        "dL_dc = -2 * np.mean(error)",
        "dL_dc = -2 * np.sum(error)",
        "check_gradients",
        "divide by n",
    ),
    "gradient_left_unfilled": (
        "dL_dm = -2 * np.mean(x * error)",
        "dL_dm = ...",
        "check_gradients",
        "fill in the TODO above",
    ),
    "plus_instead_of_minus_in_step": (
        STEP,
        STEP.replace("m - learning", "m + learning").replace("c - learning", "c + learning"),
        "check_gradient_descent_step",
        "+ instead of a −",
    ),
    "plus_instead_of_minus_in_m_only": (
        "m = m - learning_rate * dL_dm",
        "m = m + learning_rate * dL_dm",
        "check_gradient_descent_step",
        "in m's update the step went uphill",
    ),
    "update_written_as_a_product": (
        "m = m - learning_rate * dL_dm",
        "m = -m * learning_rate * dL_dm",
        "check_gradient_descent_step",
        "product",
    ),
    "learning_rate_left_out": (
        "c = c - learning_rate * dL_dc",
        "c = c - dL_dc",
        "check_gradient_descent_step",
        "learning rate is missing",
    ),
    "gradient_taken_after_m_moved": (
        "    dL_dm, dL_dc = gradients(x, y, m, c)\n" + STEP,
        "    m = m - learning_rate * gradients(x, y, m, c)[0]\n"
        "    c = c - learning_rate * gradients(x, y, m, c)[1]\n",
        "check_gradient_descent_step",
        "after m had already moved",
    ),
    "learning_rate_too_large": (
        "learning_rate = 0.1\n",
        "learning_rate = 0.2\n",
        "check_fit",
        "learning rate is too large",
    ),
    "autograd_without_zero_grad": (
        "    m.grad.zero_()\n    c.grad.zero_()\n",
        "",
        "check_autograd_step",
        "reset to zero",
    ),
    "autograd_plus_instead_of_minus": (
        AUTOGRAD_UPDATE,
        AUTOGRAD_UPDATE.replace("-=", "+="),
        "check_autograd_step",
        "+ instead of a −",
    ),
    "autograd_update_outside_no_grad": (
        AUTOGRAD_UPDATE,
        "    m -= learning_rate * m.grad\n    c -= learning_rate * c.grad\n",
        "check_autograd_step",
        "torch.no_grad()",
    ),
    "autograd_update_not_in_place": (
        AUTOGRAD_UPDATE,
        AUTOGRAD_UPDATE.replace("m -= learning_rate", "m = m - learning_rate").replace(
            "c -= learning_rate", "c = c - learning_rate"
        ),
        "check_autograd_step",
        "makes a new tensor",
    ),
    "autograd_loss_with_np_mean": (
        "    loss = mse_loss(straight_line(x, m, c), y)\n",
        "    loss = np.mean((y - straight_line(x, m, c)) ** 2)\n",
        "check_autograd_step",
        "np.mean",
    ),
    "optimizer_without_zero_grad": (
        "    optimizer.zero_grad()\n",
        "",
        "check_train_step",
        "zero_grad",
    ),
    "optimizer_without_step": ("    optimizer.step()\n", "", "check_train_step", "step()"),
    "zero_grad_between_backward_and_step": (
        "    optimizer.zero_grad()\n    loss = loss_function(model(x), y)\n    loss.backward()\n",
        "    loss = loss_function(model(x), y)\n    loss.backward()\n    optimizer.zero_grad()\n",
        "check_train_step",
        "between loss.backward() and optimizer.step()",
    ),
    "batches_not_shuffled": (
        "order = torch.randperm(len(x), generator=generator)",
        "order = torch.arange(len(x))",
        "check_shuffled_batches",
        "not shuffled",
    ),
    "shuffle_ignores_the_generator": (
        "order = torch.randperm(len(x), generator=generator)",
        "order = torch.randperm(len(x))",
        "check_shuffled_batches",
        "generator=generator",
    ),
    "shuffle_reseeded_every_epoch": (
        "order = torch.randperm(len(x), generator=generator)",
        "order = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))",
        "check_shuffled_batches",
        "do not re-seed",
    ),
    "last_smaller_batch_dropped": (
        "for start in range(0, len(x), batch_size):",
        "for start in range(0, len(x) - batch_size + 1, batch_size):",
        "check_shuffled_batches",
        "the last batch is smaller",
    ),
    "x_and_y_batches_unpaired": (
        "batches.append((x[indices], y[indices]))",
        "batches.append((x[indices], y[start : start + batch_size]))",
        "check_shuffled_batches",
        "same indices",
    ),
    "epoch_mean_of_batch_means": (
        "* len(x_batch)\n        num_seen += len(x_batch)",
        "\n        num_seen += 1",
        "check_train_one_epoch",
        "mean of the batch means",
    ),
    "epoch_divided_by_number_of_batches": (
        "        num_seen += len(x_batch)\n",
        "        num_seen += 1\n",
        "check_train_one_epoch",
        "number of batches",
    ),
    "epoch_without_model_train": (
        "    model.train()\n",
        "",
        "check_train_one_epoch",
        "model.train()",
    ),
    "epoch_divides_by_the_dataset_a_list_lacks": (
        "    return total_loss / num_seen\n",
        "    return total_loss / len(loader.dataset)\n",
        "check_train_one_epoch",
        "a list has no .dataset",
    ),
    "epoch_returns_inside_the_loop": (
        "        num_seen += len(x_batch)\n",
        "        num_seen += len(x_batch)\n        return total_loss / num_seen\n",
        "check_train_one_epoch",
        "return` inside the for loop",
    ),
}


@pytest.mark.parametrize(("old", "new", "check", "named"), MISTAKES.values(), ids=MISTAKES)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, named):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert named in str(error), str(error)


def test_the_catalogue_holds_at_least_eight_mistakes():
    assert len(MISTAKES) >= 8


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
            "check_straight_line",
            replace={"num_epochs = 8": "num_epochs = 1"},
        )


def test_a_check_never_called_after_the_mutation_is_refused():
    with pytest.raises(MutationError, match=r"calls check_data\(\.\.\.\)"):
        catch_mistake(NOTEBOOK, "return m * x + c", "return c * x + m", "check_data")


def test_a_mistake_no_check_catches_fails_the_test():
    with pytest.raises(pytest.fail.Exception, match="was not caught: check_mse_loss passed"):
        catch_mistake(NOTEBOOK, "Loss of the flat line", "Loss of flat line", "check_mse_loss")


def test_another_exception_first_fails_the_test_with_its_traceback():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    mutated = next(  # numbered from 1, as the harness names cells
        number
        for number, cell in enumerate(cells, start=1)
        if "m_here = 0.5" in "".join(cell["source"])
    )
    with pytest.raises(pytest.fail.Exception, match=rf"(?s)raised NameError.*cell {mutated}>"):
        catch_mistake(NOTEBOOK, "m_here = 0.5", "m_here = undefined", "check_gradients")


def test_a_mistake_caught_by_another_check_fails_the_test():
    with pytest.raises(
        pytest.fail.Exception, match="by check_straight_line, not by check_mse_loss"
    ):
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
