"""Notebook 02's mistake catalogue: each typical slip is caught by the check after its TODO."""

from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "02_penguin_regression.ipynb"

# (id, old source, mutated source, check that must catch it, words its hint or message must hold)
MISTAKES = [
    (
        "to-grams-without-the-mean",
        "return standardised * train_set.target_std.item() + train_set.target_mean.item()",
        "return standardised * train_set.target_std.item()",
        "check_to_grams",
        "add the training mean",
    ),
    (
        "to-grams-divides-by-the-std",
        "return standardised * train_set.target_std.item() + train_set.target_mean.item()",
        "return standardised / train_set.target_std.item() + train_set.target_mean.item()",
        "check_to_grams",
        "multiplies by it",
    ),
    (
        "mean-baseline-from-the-validation-split",
        "torch.full_like(true_grams, train_set.target_mean.item())",
        "torch.full_like(true_grams, true_grams.mean().item())",
        "check_mean_baseline",
        "validation mean",
    ),
    (
        "mean-baseline-in-standardised-units",
        "mean_baseline_mae = mean_absolute_error(mean_prediction, true_grams)",
        "mean_baseline_mae = mean_absolute_error(0 * validation_set.y, validation_set.y)",
        "check_mean_baseline",
        "to_grams",
    ),
    (
        "least-squares-fitted-on-validation",
        "torch.linalg.lstsq(with_intercept(train.x), train.y.double()",
        "torch.linalg.lstsq(with_intercept(validation.x), validation.y.double()",
        "check_least_squares",
        "training split only",
    ),
    (
        "least-squares-left-standardised",
        "    return to_grams(with_intercept(validation.x) @ weights).float()",
        "    return (with_intercept(validation.x) @ weights).float()",
        "check_least_squares",
        "to_grams",
    ),
    (
        "least-squares-reads-the-notebooks-globals",
        'lstsq(with_intercept(train.x), train.y.double(), driver="gelsd").solution\n'
        "    return to_grams(with_intercept(validation.x) @ weights)",
        'lstsq(with_intercept(train_set.x), train_set.y.double(), driver="gelsd").solution\n'
        "    return to_grams(with_intercept(validation_set.x) @ weights)",
        "check_least_squares",
        "use its arguments",
    ),
    (
        "network-with-the-default-sizes",
        "FCNet(num_inputs, 1, hidden_sizes=(16, 16), dropout=0.0)",
        "FCNet(num_inputs, 1, dropout=0.0)",
        "check_network",
        "hidden_sizes=(16, 16)",
    ),
    (
        "network-with-dropout",
        "FCNet(num_inputs, 1, hidden_sizes=(16, 16), dropout=0.0)",
        "FCNet(num_inputs, 1, hidden_sizes=(16, 16))",
        "check_network",
        "dropout=0.0",
    ),
    (
        "optimiser-with-another-learning-rate",
        "torch.optim.Adam(network.parameters(), lr=0.01)",
        "torch.optim.Adam(network.parameters(), lr=0.001)",
        "check_network",
        "learning rate",
    ),
    (
        "mean-absolute-error-as-the-loss",
        "loss_function = nn.MSELoss()",
        "loss_function = nn.L1Loss()",
        "check_regression_loss",
        "mean squared error",
    ),
    (
        "squeezed-prediction-in-the-loss",
        "loss = loss_function(model(x_batch.to(device)), y_batch.to(device))",
        "loss = loss_function(model(x_batch.to(device)).squeeze(), y_batch.to(device))",
        "check_regression_loss",
        "(batch, 1)",
    ),
    (
        "no-zero-grad",
        "        optimizer.zero_grad()\n        prediction = model(x)",
        "        prediction = model(x)",
        "check_train_one_epoch",
        "zero_grad()",
    ),
    (
        "squeezed-prediction-in-training",
        "        prediction = model(x)\n        loss = loss_function(prediction, y)",
        "        prediction = model(x).squeeze(1)\n        loss = loss_function(prediction, y)",
        "check_train_one_epoch",
        "same shape",
    ),
    (
        "validation-mae-in-standardised-units",
        "total_error += (to_grams(batch_prediction) - to_grams(y)).abs().sum().item()",
        "total_error += (batch_prediction - y).abs().sum().item()",
        "check_evaluate",
        "to_grams",
    ),
    (
        "validation-loss-without-batch-size",
        "total_loss += loss_function(batch_prediction, y).item() * len(y)",
        "total_loss += loss_function(batch_prediction, y).item()",
        "check_evaluate",
        "batch's size",
    ),
    (
        "evaluating-in-training-mode",
        "    # BEGIN SOLUTION: switch the model to evaluation mode\n    model.eval()",
        "    # BEGIN SOLUTION: switch the model to evaluation mode\n    model.train()",
        "check_evaluate",
        "model.eval()",
    ),
    (
        "mae-plot-without-baselines",
        'ax_mae.axhline(least_squares_mae, color="black", linestyle="--", label="least squares")',
        "",
        "check_mae_plot",
        "horizontal line",
    ),
    (
        "network-prediction-left-standardised",
        "network_prediction = to_grams(model(validation_set.x.to(device))).cpu()",
        "network_prediction = model(validation_set.x.to(device)).cpu()",
        "check_network_prediction",
        "to_grams",
    ),
    (
        "early-stopping-at-a-position-from-zero",
        'best_epoch = overfit["validation loss"].idxmin()',
        'best_epoch = overfit["validation loss"].to_numpy().argmin()',
        "check_early_stopping",
        "epochs count from 1",
    ),
    (
        "early-stopping-by-the-training-loss",
        'best_epoch = overfit["validation loss"].idxmin()',
        'best_epoch = overfit["training loss"].idxmin()',
        "check_early_stopping",
        "early stopping watches validation",
    ),
    (
        "headline-mae-in-standardised-units",
        "check_headline(test_network_mae, test_least_squares_mae, threshold=1.05)",
        "check_headline(test_network_mae / std, test_least_squares_mae, threshold=1.05)",
        "check_headline",
        "to_grams",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "check", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in MISTAKES],
)
def test_mistake_is_named_by_the_check_after_it(old, new, check, words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert words in str(error)


def test_an_unfilled_to_grams_says_fill_in_the_todo():
    error = catch_mistake(
        NOTEBOOK,
        "    return standardised * train_set.target_std.item() + train_set.target_mean.item()",
        "    return ...",
        "check_to_grams",
    )
    assert "fill in the TODO above" in error.message
