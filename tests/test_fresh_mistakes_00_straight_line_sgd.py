"""Notebook 00's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions that no case of
tests/test_mistakes_00_straight_line_sgd.py covers, written before the engine. Do not edit
a case to make a check pass; a case that turns out to be unrealistic is removed, with the
reason, in the commit that removes it.

Each case puts one slip into the solution and runs the notebook up to the check right
after its TODO (tests/mistakes.py). The check must fail there, and its message or hint
must name the true cause: one of ``cause_words`` (any, case-insensitive) must appear in
it. The words come from the cause itself, so that any honest diagnosis contains one.
"""

from pathlib import Path

import pytest

from tests.mistakes import assert_names_cause, catch_mistake, fresh_cases

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "00_straight_line_sgd.ipynb"

GLOBALS = ("global", "argument", "notebook's x", "notebook's data", "the x and y it")
LOSS_AND_UPDATE = (
    "    loss = mse_loss(straight_line(x, m, c), y)\n"
    "    loss.backward()\n"
    "    with torch.no_grad():\n"
    "        m -= learning_rate * m.grad\n"
    "        c -= learning_rate * c.grad\n"
)
ZERO_GRADS = "    m.grad.zero_()\n    c.grad.zero_()\n"

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- mse_loss ------------------------------------------------------------------------
    (
        "mse-times-two-instead-of-squared",
        "return ((y_true - y_pred) ** 2).mean()",
        "return ((y_true - y_pred) * 2).mean()",
        "check_mse_loss",
        ("* 2", "times 2", "twice", "doubl", "not squared", "instead of squaring"),
    ),
    (
        "mse-square-of-the-mean-error",
        "return ((y_true - y_pred) ** 2).mean()",
        "return ((y_true - y_pred).mean()) ** 2",
        "check_mse_loss",
        ("square of the mean", "squared the mean", "mean error", "before averaging", "cancel"),
    ),
    # ---- gradients -----------------------------------------------------------------------
    (
        "dL_dm-without-the-factor-x",
        "dL_dm = -2 * np.mean(x * error)",
        "dL_dm = -2 * np.mean(error)",
        "check_gradients",
        ("x *", "times x", "by x", "factor x", "x_i", "chain rule", "missing x"),
    ),
    # ---- gradient_descent_step -----------------------------------------------------------
    (
        "c-stepped-with-m's-gradient",
        "c = c - learning_rate * dL_dc",
        "c = c - learning_rate * dL_dm",
        "check_gradient_descent_step",
        ("dL_dm", "m's gradient", "gradient of m", "wrong gradient", "swapped"),
    ),
    # ---- autograd_step -------------------------------------------------------------------
    (
        "autograd-without-backward",
        "    loss.backward()\n    with torch.no_grad():\n        m -= learning_rate * m.grad",
        "    with torch.no_grad():\n        m -= learning_rate * m.grad",
        "check_autograd_step",
        ("backward",),
    ),
    (
        "autograd-zeroes-the-gradients-before-backward",
        LOSS_AND_UPDATE + ZERO_GRADS,
        ZERO_GRADS + LOSS_AND_UPDATE,
        "check_autograd_step",
        (
            "before backward",
            "before the first backward",
            "grad is none",
            "no gradient yet",
            "after backward",
            "after loss.backward",
        ),
    ),
    (
        "autograd-loss-on-the-notebook's-tensors",
        "    loss = mse_loss(straight_line(x, m, c), y)\n    loss.backward()\n",
        "    loss = mse_loss(straight_line(x_tensor, m, c), y_tensor)\n    loss.backward()\n",
        "check_autograd_step",
        (*GLOBALS, "x_tensor"),
    ),
    # ---- train_step ----------------------------------------------------------------------
    (
        "train-step-on-the-notebook's-data",
        "    loss = loss_function(model(x), y)\n    loss.backward()\n    optimizer.step()",
        "    loss = loss_function(model(x_column), y_column)\n"
        "    loss.backward()\n"
        "    optimizer.step()",
        "check_train_step",
        (*GLOBALS, "x_column"),
    ),
    # ---- shuffled_batches ----------------------------------------------------------------
    (
        "batches-drawn-with-replacement",
        "order = torch.randperm(len(x), generator=generator)",
        "order = torch.randint(len(x), (len(x),), generator=generator)",
        "check_shuffled_batches",
        (
            "replacement",
            "repeat",
            "more than once",
            "exactly once",
            "duplicate",
            "permutation",
            "randperm",
        ),
    ),
    (
        "batch-slice-ends-at-batch-size",
        "indices = order[start : start + batch_size]",
        "indices = order[start:batch_size]",
        "check_shuffled_batches",
        ("empty", "start + batch_size", "exactly once", "every sample", "each sample", "missing"),
    ),
    # ---- train_one_epoch -----------------------------------------------------------------
    (
        "epoch-labels-never-moved-to-the-device",
        "        x_batch, y_batch = x_batch.to(device), y_batch.to(device)\n",
        "        x_batch = x_batch.to(device)\n",
        "check_train_one_epoch",
        ("device",),
    ),
    (
        "epoch-train-step-arguments-in-the-wrong-order",
        "train_step(model, x_batch, y_batch, loss_function, optimizer) * len(x_batch)",
        "train_step(model, x_batch, y_batch, optimizer, loss_function) * len(x_batch)",
        "check_train_one_epoch",
        ("order", "swapped"),
    ),
]


# Cases the checks catch at the right place but do not name yet: each says what they say.
NOT_NAMED_YET = {
    "mse-times-two-instead-of-squared": "check_mse_loss says the value is wrong and to square "
    "each difference, without naming the doubling",
    "mse-square-of-the-mean-error": "check_mse_loss says the value is wrong and to square each "
    "difference first, without naming the square of the mean",
    "c-stepped-with-m's-gradient": "check_gradient_descent_step says m is right but c is not, "
    "not which gradient c used",
    "batches-drawn-with-replacement": "check_shuffled_batches says some samples come twice and "
    "hints at overlapping slices, not at drawing with replacement",
    "epoch-train-step-arguments-in-the-wrong-order": "the TypeError of the swapped arguments "
    "gets the generic hint",
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
