"""The training-step checks: a right step passes, each classic slip is named."""

import pytest
import torch

from utils.checks import CheckFailed
from utils.checks.training import check_optimizer_step, check_update_rule

# A loss with a known gradient: L(m, c) = (m - 1)² + 2 (c + 1)².


def gradient(m, c):
    return 2 * (m - 1), 4 * (c + 1)


def right_update(m, c, learning_rate):
    dL_dm, dL_dc = gradient(m, c)
    return m - learning_rate * dL_dm, c - learning_rate * dL_dc


def check_numbers(update):
    check_update_rule("step", update, gradient, start=(0.5, 0.5))


def test_right_update_passes(capsys):
    check_numbers(right_update)
    assert "✓ step takes the same steps as gradient descent" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("update", "hint"),
    [
        (lambda m, c, lr: (m + lr * gradient(m, c)[0], c + lr * gradient(m, c)[1]), "sign"),
        (lambda m, c, lr: (m, c), "assign the update back"),
        (lambda m, c, lr: right_update(m, c, 2 * lr), "learning rate once"),
    ],
    ids=["plus instead of minus", "not assigned back", "step twice as long"],
)
def test_slips_in_a_hand_written_update_are_named(update, hint):
    with pytest.raises(CheckFailed, match=hint):
        check_numbers(update)


def loss_of(m, c):
    return (m - 1) ** 2 + 2 * (c + 1) ** 2


def autograd_update(zero=True, no_grad_forward=False):
    def update(m, c, learning_rate):
        if no_grad_forward:
            with torch.no_grad():
                loss = loss_of(m, c)
        else:
            loss = loss_of(m, c)
        loss.backward()
        with torch.no_grad():
            m -= learning_rate * m.grad
            c -= learning_rate * c.grad
        if zero:
            m.grad.zero_()
            c.grad.zero_()

    return update


def check_tensors(update):
    check_update_rule("step", update, gradient, start=(0.5, 0.5), tensors=True)


def test_right_autograd_update_passes():
    check_tensors(autograd_update())


def test_autograd_update_without_zeroing_is_named():
    with pytest.raises(CheckFailed, match="gradients accumulate"):
        check_tensors(autograd_update(zero=False))


def test_loss_under_no_grad_is_named():
    with pytest.raises(CheckFailed, match=r"outside torch\.no_grad\(\)"):
        check_tensors(autograd_update(no_grad_forward=True))


def make_train(*, zero_grad=True, step=True, train_mode=True, sign=1.0, backward=True):
    def train_one_epoch(model, loader, loss_function, optimizer, device):
        model.train() if train_mode else model.eval()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            if zero_grad:
                optimizer.zero_grad()
            loss = sign * loss_function(model(x), y)
            if backward:
                loss.backward()
            if step:
                optimizer.step()
        return {"loss": loss.item()}

    return train_one_epoch


def check_loop(train, task="regression"):
    check_optimizer_step("train_one_epoch", train, torch.device("cpu"), task=task)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_right_training_loop_passes(task, capsys):
    check_loop(make_train(), task)
    assert "✓ train_one_epoch takes the same steps" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ({"zero_grad": False}, r"zero them at every step, with optimizer\.zero_grad\(\)"),
        ({"step": False}, r"call optimizer\.step\(\) after loss\.backward\(\)"),
        ({"train_mode": False}, r"model\.train\(\)"),
        ({"sign": -1.0}, "sign of the update is flipped"),
        ({"backward": False}, r"call loss\.backward\(\)"),
    ],
    ids=["no zero_grad", "no step", "eval mode", "loss negated", "no backward"],
)
def test_slips_in_a_training_loop_are_named(options, hint):
    with pytest.raises(CheckFailed, match=hint):
        check_loop(make_train(**options), task="classification")


def test_training_loop_under_no_grad_is_named():
    with pytest.raises(CheckFailed, match=r"outside torch\.no_grad\(\)"):
        check_loop(torch.no_grad()(make_train()))


def test_loop_that_never_calls_the_model_is_named():
    with pytest.raises(CheckFailed, match="never called the model"):
        check_loop(lambda model, loader, loss_function, optimizer, device: None)
