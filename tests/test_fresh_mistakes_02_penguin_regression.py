"""Notebook 02's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions that no case of
tests/test_mistakes_02_penguin_regression.py covers, written before the engine. Do not edit
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

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "02_penguin_regression.ipynb"

SQUARED = ("squared", "mse", "square")
NETWORK = "network = FCNet(num_inputs, 1, hidden_sizes=(16, 16), dropout=0.0).to(device)"
VALIDATION_ERROR = "total_error += (to_grams(batch_prediction) - to_grams(y)).abs().sum().item()"

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- to_grams ------------------------------------------------------------------------
    (
        "to-grams-adds-the-mean-before-scaling",
        "return standardised * train_set.target_std.item() + train_set.target_mean.item()",
        "return (standardised + train_set.target_mean.item()) * train_set.target_std.item()",
        "check_to_grams",
        ("order", "then add", "before adding", "add the mean after", "after multiplying"),
    ),
    # ---- the mean baseline ---------------------------------------------------------------
    (
        "mean-baseline-predicts-the-standardised-mean",
        "torch.full_like(true_grams, train_set.target_mean.item())",
        "torch.full_like(true_grams, train_set.y.mean().item())",
        "check_mean_baseline",
        ("standardised", "to_grams", "zero", "0 g", "target_mean"),
    ),
    (
        "mean-baseline-reports-the-mse",
        "mean_baseline_mae = mean_absolute_error(mean_prediction, true_grams)",
        "mean_baseline_mae = ((mean_prediction - true_grams) ** 2).mean().item()",
        "check_mean_baseline",
        SQUARED,
    ),
    # ---- least squares -------------------------------------------------------------------
    (
        "least-squares-result-used-without-solution",
        'driver="gelsd").solution',
        'driver="gelsd")',
        "check_least_squares",
        (".solution", "named tuple", "lstsq returns"),
    ),
    # ---- build_network -------------------------------------------------------------------
    (
        "network-sized-by-the-global-n-features",
        NETWORK,
        NETWORK.replace("FCNet(num_inputs", "FCNet(num_features"),
        "check_network",
        ("num_inputs", "argument", "global", "num_features"),
    ),
    (
        "network-left-off-the-device",
        NETWORK,
        NETWORK.replace(".to(device)", ""),
        "check_network",
        ("device",),
    ),
    # ---- loss_function and the first loss ------------------------------------------------
    (
        "loss-computed-in-grams",
        "loss = loss_function(model(x_batch.to(device)), y_batch.to(device))",
        "loss = loss_function(to_grams(model(x_batch.to(device))), to_grams(y_batch.to(device)))",
        "check_regression_loss",
        ("standardised", "to_grams"),
    ),
    # ---- the training step ---------------------------------------------------------------
    (
        "training-step-without-backward",
        "        loss = loss_function(prediction, y)\n        loss.backward()\n",
        "        loss = loss_function(prediction, y)\n",
        "check_train_one_epoch",
        ("backward",),
    ),
    # ---- evaluate ------------------------------------------------------------------------
    (
        "evaluate-squared-error-as-the-mae",
        VALIDATION_ERROR,
        "total_error += ((to_grams(batch_prediction) - to_grams(y)) ** 2).sum().item()",
        "check_evaluate",
        SQUARED,
    ),
    (
        "evaluate-targets-left-standardised",
        VALIDATION_ERROR,
        VALIDATION_ERROR.replace("- to_grams(y))", "- y)"),
        "check_evaluate",
        ("target", "true mass", "both", "to_grams(y)", "y is still", "labels"),
    ),
    (
        "evaluate-errors-without-abs",
        VALIDATION_ERROR,
        VALIDATION_ERROR.replace(".abs()", ""),
        "check_evaluate",
        ("abs()", "cancel", "signed", "negative"),
    ),
    # ---- the MAE plot --------------------------------------------------------------------
    (
        "mae-plot-shows-the-training-mae",
        '{"network": metrics["validation mae"]},',
        '{"network": metrics["training loss"]},',
        "check_mae_plot",
        ("training mae", "train mae", "training curve", "training set"),
    ),
    # ---- the network's predictions -------------------------------------------------------
    (
        "network-prediction-without-no-grad",
        "model.eval()\nwith torch.no_grad():\n"
        "    network_prediction = to_grams(model(validation_set.x.to(device))).cpu()",
        "model.eval()\nnetwork_prediction = to_grams(model(validation_set.x.to(device))).cpu()",
        "check_network_prediction",
        ("no_grad", "requires_grad", "requires grad", "detach", "gradient"),
    ),
]


# Cases the checks do not name yet, and why: each must keep failing until a check names it.
NOT_NAMED_YET = {
    "mean-baseline-predicts-the-standardised-mean": (
        "check_mean_baseline calls an MAE standardised only below 50 g; this "
        "one (about 4160 g) gets the generic hint"
    ),
    "least-squares-result-used-without-solution": (
        "the TypeError of a Tensor @ linalg_lstsq result has no entry in KNOWN_ERRORS"
    ),
    "network-sized-by-the-global-n-features": (
        "check_network calls build_network with the notebook's own number of "
        "features, so the global gives the same network"
    ),
    "network-left-off-the-device": (
        "on a computer without a GPU a network left on the CPU is on the device"
    ),
    "mae-plot-shows-the-training-mae": (
        "check_mae_plot says that no curve shows the validation MAE, not which"
        " curve is drawn instead"
    ),
    "network-prediction-without-no-grad": (
        "check_network_prediction compares values only (it detaches the tensor)"
    ),
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
