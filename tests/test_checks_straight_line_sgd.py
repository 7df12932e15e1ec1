"""The notebook 00 self-checks: right answers pass, each classic slip gets its own hint."""

import numpy as np
import pytest
import torch

from utils.checks._core import as_float, check_tensor
from utils.checks.straight_line_sgd import (
    X_DATA,
    Y_DATA,
    check_autograd_step,
    check_data,
    check_fit,
    check_gradient_descent_step,
    check_gradients,
    check_headline,
    check_mse_loss,
    check_sgd_fit,
    check_shuffled_batches,
    check_straight_line,
    check_train_one_epoch,
    check_train_step,
)


def right_gradients(x, y, m, c):
    error = y - (m * x + c)
    return -2 * np.mean(x * error), -2 * np.mean(error)


def right_mse_loss(y_pred, y_true):
    return ((y_true - y_pred) ** 2).mean()


def right_gradient_descent_step(x, y, m, c, learning_rate):
    dL_dm, dL_dc = right_gradients(x, y, m, c)
    return m - learning_rate * dL_dm, c - learning_rate * dL_dc


def right_autograd_step(x, y, m, c, learning_rate):
    loss = right_mse_loss(m * x + c, y)
    loss.backward()
    with torch.no_grad():
        m -= learning_rate * m.grad
        c -= learning_rate * c.grad
    m.grad.zero_()
    c.grad.zero_()
    return loss.item()


def right_train_step(model, x, y, loss_function, optimizer):
    optimizer.zero_grad()
    loss = loss_function(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def right_shuffled_batches(x, y, batch_size, generator):
    order = torch.randperm(len(x), generator=generator)
    return [
        (x[order[start : start + batch_size]], y[order[start : start + batch_size]])
        for start in range(0, len(x), batch_size)
    ]


def right_train_one_epoch(model, loader, loss_function, optimizer, device):
    model.train()
    total_loss, num_samples = 0.0, 0
    for x_batch, y_batch in loader:
        x_batch, y_batch = x_batch.to(device), y_batch.to(device)
        total_loss += right_train_step(model, x_batch, y_batch, loss_function, optimizer) * len(
            x_batch
        )
        num_samples += len(x_batch)
    return total_loss / num_samples


def test_right_answers_pass_and_say_so(capsys):
    check_data(X_DATA.copy(), Y_DATA.copy())
    check_straight_line(lambda x, m, c: m * x + c)
    check_mse_loss(right_mse_loss)
    check_gradients(right_gradients)
    check_gradient_descent_step(right_gradient_descent_step)
    check_autograd_step(right_autograd_step)
    check_train_step(right_train_step)
    check_shuffled_batches(right_shuffled_batches)
    check_train_one_epoch(right_train_one_epoch)
    check_fit(2.05, -1 / 30)
    assert capsys.readouterr().out.count("✓") == 10


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
        check_straight_line(lambda x, m, c: c * x + m)


def test_model_returning_nothing_fails_clearly():
    with pytest.raises(
        AssertionError, match=r"straight_line returned None\.\nHint: did you forget"
    ):
        check_straight_line(lambda x, m, c: None)


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
    with pytest.raises(AssertionError, match="learning rate is too large"):
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


@pytest.mark.parametrize(
    ("wrong_loss", "hint"),
    [
        (lambda y_pred, y_true: np.mean((y_true - y_pred) ** 2), "np.mean"),
        (lambda y_pred, y_true: float(((y_true - y_pred) ** 2).mean()), "without .item()"),
        (lambda y_pred, y_true: ((y_true - y_pred) ** 2).mean() ** 0.5, "root"),
        (lambda y_pred, y_true: abs(y_true - y_pred).mean(), "mean absolute error"),
    ],
    ids=["np_mean_fails_on_tensors", "float_loses_the_graph", "root_mse", "absolute_error"],
)
def test_each_loss_slip_gets_its_hint(wrong_loss, hint):
    with pytest.raises(AssertionError, match=hint):
        check_mse_loss(wrong_loss)


def step_with(update):
    """A gradient-descent step whose update of (m, c) is ``update(m, c, lr, dL_dm, dL_dc)``."""

    def step(x, y, m, c, learning_rate):
        return update(m, c, learning_rate, *right_gradients(x, y, m, c))

    return step


def sequential_step(x, y, m, c, learning_rate):
    m = m - learning_rate * right_gradients(x, y, m, c)[0]
    c = c - learning_rate * right_gradients(x, y, m, c)[1]
    return m, c


@pytest.mark.parametrize(
    ("wrong_step", "hint"),
    [
        (step_with(lambda m, c, lr, gm, gc: (m + lr * gm, c + lr * gc)), r"\+ instead of a −"),
        (step_with(lambda m, c, lr, gm, gc: (m - gm, c - gc)), "learning rate is missing"),
        (step_with(lambda m, c, lr, gm, gc: (m - gm / lr, c - gc / lr)), "divided"),
        (step_with(lambda m, c, lr, gm, gc: (-m * lr * gm, -c * lr * gc)), "product"),
        (step_with(lambda m, c, lr, gm, gc: (m - lr * gc, c - lr * gm)), "swapped"),
        (step_with(lambda m, c, lr, gm, gc: (m, c)), "did not change"),
        (step_with(lambda m, c, lr, gm, gc: (m - lr * gm, c)), "c is not"),
        (sequential_step, "after m had already moved"),
        (
            lambda x, y, m, c, lr: right_gradient_descent_step(X_DATA, Y_DATA, m, c, lr),
            "notebook's x and y",
        ),
    ],
    ids=[
        "plus",
        "no_rate",
        "divided",
        "product",
        "swapped",
        "unchanged",
        "c_only",
        "stale",
        "globals",
    ],
)
def test_each_update_slip_gets_its_hint(wrong_step, hint):
    with pytest.raises(AssertionError, match=hint):
        check_gradient_descent_step(wrong_step)


def test_step_left_as_ellipsis_asks_to_fill_in_the_todo():
    with pytest.raises(AssertionError, match="fill in the TODO"):
        check_gradient_descent_step(lambda x, y, m, c, lr: (..., ...))


def autograd_step_with(update, zero=True, no_grad=True):
    def step(x, y, m, c, learning_rate):
        loss = right_mse_loss(m * x + c, y)
        loss.backward()
        if no_grad:
            with torch.no_grad():
                update(m, c, learning_rate)
        else:
            update(m, c, learning_rate)
        if zero:
            m.grad.zero_()
            c.grad.zero_()
        return loss.item()

    return step


def subtract(m, c, learning_rate):
    m -= learning_rate * m.grad
    c -= learning_rate * c.grad


def add(m, c, learning_rate):
    m += learning_rate * m.grad
    c += learning_rate * c.grad


def rebind(m, c, learning_rate):
    m = m - learning_rate * m.grad
    c = c - learning_rate * c.grad


@pytest.mark.parametrize(
    ("wrong_step", "hint"),
    [
        (autograd_step_with(subtract, zero=False), "reset to zero"),
        (autograd_step_with(add), r"\+ instead of a −"),
        (autograd_step_with(subtract, no_grad=False), "torch.no_grad"),
        (autograd_step_with(rebind), "makes a new tensor"),
    ],
    ids=["no_zero_grad", "plus", "no_no_grad", "rebinds_instead_of_in_place"],
)
def test_each_autograd_step_slip_gets_its_hint(wrong_step, hint):
    with pytest.raises(AssertionError, match=hint):
        check_autograd_step(wrong_step)


def train_step_without(*left_out):
    def step(model, x, y, loss_function, optimizer):
        if "zero_grad" not in left_out:
            optimizer.zero_grad()
        loss = loss_function(model(x), y)
        if "backward" not in left_out:
            loss.backward()
        if "zero_grad_late" in left_out:
            optimizer.zero_grad()
        if "step" not in left_out:
            optimizer.step()
        return loss.item()

    return step


def train_step_returning_the_loss_after_the_update(model, x, y, loss_function, optimizer):
    right_train_step(model, x, y, loss_function, optimizer)
    return loss_function(model(x), y).item()


def train_step_on_other_data(model, x, y, loss_function, optimizer):
    return right_train_step(model, torch.ones(3, 1), torch.zeros(3, 1), loss_function, optimizer)


def train_step_with_its_own_loss(model, x, y, loss_function, optimizer):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    return loss.item()


@pytest.mark.parametrize(
    ("wrong_step", "hint"),
    [
        (train_step_without("zero_grad"), "never zeroes the gradients"),
        (train_step_without("step"), r"never calls optimizer\.step\(\)"),
        (train_step_without("backward"), r"never calls loss\.backward\(\)"),
        (train_step_without("zero_grad_late"), r"between loss\.backward\(\) and optimizer"),
        (
            lambda model, x, y, lf, opt: right_train_step(model, x, y, lf, opt) and 0.0,
            "before the update",
        ),
        (train_step_returning_the_loss_after_the_update, "before the update"),
        (train_step_with_its_own_loss, "never calls the loss_function it is given"),
        (train_step_on_other_data, "notebook's data, not the x and y passed to train_step"),
    ],
    ids=[
        "no_zero_grad",
        "no_step",
        "no_backward",
        "zero_grad_after_backward",
        "returns_zero",
        "returns_the_loss_after_the_update",
        "own_loss",
        "other_data",
    ],
)
def test_each_train_step_slip_gets_its_hint(wrong_step, hint):
    with pytest.raises(AssertionError, match=hint) as failure:
        check_train_step(wrong_step)
    assert "train_one_epoch" not in str(failure.value), "the learner wrote train_step, not an epoch"


def test_a_train_step_that_crashes_is_named_with_its_line():
    def crashing(model, x, y, loss_function, optimizer):
        return loss_function(model(x), y[:, 0]).item() + undefined  # noqa: F821

    with pytest.raises(AssertionError, match=r"Calling train_step raised NameError") as failure:
        check_train_step(crashing)
    assert "train_one_epoch" not in str(failure.value)


def test_a_right_train_step_passes_without_touching_the_notebooks_random_numbers(capsys):
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    check_train_step(right_train_step)
    assert torch.equal(torch.rand(3), expected)
    assert "✓" in capsys.readouterr().out


def batches_from(order_of, drop_last=False, y_order_of=None):
    def shuffled_batches(x, y, batch_size, generator):
        order = order_of(len(x), generator)
        y_order = order if y_order_of is None else y_order_of(len(x), generator)
        stop = len(x) - batch_size + 1 if drop_last else len(x)
        return [
            (x[order[start : start + batch_size]], y[y_order[start : start + batch_size]])
            for start in range(0, stop, batch_size)
        ]

    return shuffled_batches


@pytest.mark.parametrize(
    ("wrong_batches", "hint"),
    [
        (batches_from(lambda n, g: torch.arange(n)), "not shuffled"),
        (batches_from(lambda n, g: torch.randperm(n, generator=g), drop_last=True), "smaller"),
        (batches_from(lambda n, g: torch.randperm(n)), "generator=generator"),
        (
            batches_from(
                lambda n, g: torch.randperm(n, generator=torch.Generator().manual_seed(0))
            ),
            "do not re-seed",
        ),
        (
            batches_from(
                lambda n, g: torch.randperm(n, generator=g),
                y_order_of=lambda n, g: torch.randperm(n, generator=g),
            ),
            "same indices",
        ),
        (lambda x, y, batch_size, generator: None, "returned None"),
        (lambda x, y, batch_size, generator: [x, y], r"list of \(x_batch, y_batch\) pairs"),
    ],
    ids=[
        "not_shuffled",
        "last_batch_dropped",
        "global_rng",
        "reseeded",
        "unpaired",
        "no_return",
        "not_pairs",
    ],
)
def test_each_batching_slip_gets_its_hint(wrong_batches, hint):
    with pytest.raises(AssertionError, match=hint):
        check_shuffled_batches(wrong_batches)


def epoch_returning(mean_of):
    """An epoch that trains right and returns ``mean_of(batch losses, batch sizes)``."""

    def train_one_epoch(model, loader, loss_function, optimizer, device):
        model.train()
        losses, sizes = [], []
        for x_batch, y_batch in loader:
            x_batch, y_batch = x_batch.to(device), y_batch.to(device)
            losses.append(right_train_step(model, x_batch, y_batch, loss_function, optimizer))
            sizes.append(len(x_batch))
        return mean_of(np.array(losses), np.array(sizes))

    return train_one_epoch


def epoch_without(left_out):
    """A right epoch but for one thing: the training mode, moving a batch, or the last batches."""

    def train_one_epoch(model, loader, loss_function, optimizer, device):
        if left_out != "train_mode":
            model.train()
        total, count = 0.0, 0
        for x_batch, y_batch in loader:
            if left_out != "move_inputs":
                x_batch = x_batch.to(device)
            if left_out != "move_targets":
                y_batch = y_batch.to(device)
            total += right_train_step(model, x_batch, y_batch, loss_function, optimizer) * len(
                x_batch
            )
            count += len(x_batch)
            if left_out == "later_batches":
                return total / count
        return total / count

    return train_one_epoch


def epoch_dividing_by_the_dataset(model, loader, loss_function, optimizer, device):
    model.train()
    total = 0.0
    for x_batch, y_batch in loader:
        x_batch, y_batch = x_batch.to(device), y_batch.to(device)
        total += right_train_step(model, x_batch, y_batch, loss_function, optimizer) * len(x_batch)
    return total / len(loader.dataset)


@pytest.mark.parametrize(
    ("wrong_epoch", "hint"),
    [
        (epoch_returning(lambda losses, sizes: losses.mean()), "mean of the batch means"),
        (epoch_returning(lambda losses, sizes: (losses * sizes).sum()), "never divided"),
        (
            epoch_returning(lambda losses, sizes: (losses * sizes).sum() / len(losses)),
            "number of batches",
        ),
        (epoch_returning(lambda losses, sizes: losses[-1]), "last batch's value only"),
        (epoch_returning(lambda losses, sizes: torch.tensor(losses.mean())), "Python float"),
        (epoch_without("later_batches"), "return` inside the for loop"),
        (epoch_without("train_mode"), r"model\.train\(\)"),
        (epoch_without("move_inputs"), r"inputs = inputs\.to\(device\)"),
        (epoch_without("move_targets"), r"targets\.to\(device\)"),
        (epoch_dividing_by_the_dataset, "a list has no .dataset"),
    ],
    ids=[
        "mean_of_batch_means",
        "sum",
        "divided_by_batches",
        "last_batch",
        "tensor",
        "return_in_loop",
        "eval_mode",
        "inputs_not_moved",
        "targets_not_moved",
        "len_of_the_dataset_on_a_list",
    ],
)
def test_each_epoch_slip_gets_its_hint(wrong_epoch, hint):
    with pytest.raises(AssertionError, match=hint):
        check_train_one_epoch(wrong_epoch)


def test_a_right_epoch_passes_without_touching_the_notebooks_random_numbers(capsys):
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    check_train_one_epoch(right_train_one_epoch)
    assert torch.equal(torch.rand(3), expected)
    assert "✓" in capsys.readouterr().out


def test_epoch_hints_never_ask_for_the_dataset_a_list_lacks():
    # The notebook's loader may be a list of batches: "len(loader.dataset)" would break there.
    for mean_of in (lambda losses, sizes: (losses * sizes).sum(), lambda losses, sizes: 0.0):
        with pytest.raises(AssertionError) as failure:
            check_train_one_epoch(epoch_returning(mean_of))
        assert "loader.dataset" not in str(failure.value)


def test_a_sign_flip_that_stays_finite_is_named_as_divergence():
    with pytest.raises(AssertionError, match=r"\+ instead of −") as failure:
        check_fit(-2e162, 5e161)
    assert "more steps" not in str(failure.value)


def test_a_growing_loss_curve_is_named_as_divergence():
    with pytest.raises(AssertionError, match="grew"):
        check_fit(1.9, 0.2, losses=[19.0, 25.0])


def test_sgd_fit_accepts_a_near_optimal_line_and_rejects_a_poor_one(capsys):
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(100, 1, generator=generator) * 3
    y = 2 * x + 1 + 0.5 * torch.randn(100, 1, generator=generator)
    design = np.column_stack([x.numpy().ravel(), np.ones(100)])
    (m, c), *_ = np.linalg.lstsq(design, y.numpy().ravel(), rcond=None)
    check_sgd_fit(m, c, x, y)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="more epochs"):
        check_sgd_fit(m - 0.3, c, x, y)
    with pytest.raises(AssertionError, match="diverged"):
        check_sgd_fit(1e10, c, x, y)


def test_headline_passes_within_the_threshold_and_says_so(capsys):
    check_headline(0.26, torch.tensor(0.25), threshold=1.1)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("loss", "hint"),
    [
        (0.30, "more epochs"),
        (float("nan"), "diverged"),
        (1e6, "diverged"),
        (0.20, "same points"),
    ],
    ids=["above_the_threshold", "nan", "diverged", "below_least_squares"],
)
def test_headline_names_what_is_wrong(loss, hint):
    with pytest.raises(AssertionError, match=hint):
        check_headline(loss, 0.25, threshold=1.1)


def test_headline_refuses_a_threshold_below_one_by_name():
    with pytest.raises(ValueError, match=r"threshold .* got 0\.1"):
        check_headline(0.26, 0.25, threshold=0.1)


def test_headline_refuses_several_numbers():
    with pytest.raises(AssertionError, match="single number"):
        check_headline(torch.tensor([0.26, 0.27]), 0.25)
