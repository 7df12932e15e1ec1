"""Notebook 02's self-checks: right answers pass, and each wrong one is named with a hint."""

import pytest
import torch
from torch import nn

from utils.checks import CheckFailed
from utils.checks.penguin_regression import (
    check_early_stopping,
    check_evaluate,
    check_headline,
    check_least_squares,
    check_mean_baseline,
    check_network,
    check_regression_loss,
    check_to_grams,
    check_train_one_epoch,
    check_training,
)
from utils.models import FCNet
from utils.penguins import PenguinDataset

FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "sex"]


@pytest.fixture(scope="module")
def sets():
    return [PenguinDataset(FEATURES, ["body_mass_g"], split=s) for s in ("train", "validation")]


@pytest.fixture(scope="module")
def to_grams(sets):
    train = sets[0]
    return lambda value: value * train.target_std.item() + train.target_mean.item()


def with_intercept(x):
    return torch.cat([x.double(), torch.ones(len(x), 1, dtype=torch.float64)], dim=1)


def least_squares_predict(train, validation, fit_on=None):
    fit_on = fit_on or train
    weights = torch.linalg.lstsq(with_intercept(fit_on.x), fit_on.y.double()).solution
    prediction = with_intercept(validation.x) @ weights
    return prediction * train.target_std.item() + train.target_mean.item()


def build_network(num_inputs, hidden=(16, 16), lr=0.01):
    network = FCNet(num_inputs, 1, hidden_sizes=hidden, dropout=0.0)
    return network, torch.optim.Adam(network.parameters(), lr=lr)


def make_epoch_functions(to_grams, grams=True, squeeze=False):
    def train_one_epoch(model, loader, loss_function, optimizer, device):
        model.train()
        total, seen = 0.0, 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            prediction = model(x).squeeze(1) if squeeze else model(x)
            loss = loss_function(prediction, y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            seen += len(y)
        return total / seen

    @torch.no_grad()
    def evaluate(model, loader, loss_function, device):
        model.eval()
        total, error = 0.0, 0.0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            prediction = model(x)
            total += loss_function(prediction, y).item() * len(y)
            convert = to_grams if grams else (lambda value: value)
            error += (convert(prediction) - convert(y)).abs().sum().item()
        return {"loss": total / len(loader.dataset), "mae": error / len(loader.dataset)}

    return train_one_epoch, evaluate


def test_right_answers_pass(capsys, sets, to_grams):
    train, validation = sets
    check_to_grams(to_grams, validation)
    grams = validation.frame["body_mass_g"].to_numpy(dtype=float)
    check_mean_baseline(abs(grams - train.frame["body_mass_g"].mean()).mean())
    check_least_squares(least_squares_predict, train, validation)
    check_network(build_network, 5)
    x, y = train.x[:8], train.y[:8]
    model = build_network(5)[0]
    check_regression_loss(nn.MSELoss()(model(x), y), nn.MSELoss(), model, x, y)
    train_one_epoch, evaluate = make_epoch_functions(to_grams)
    check_train_one_epoch(train_one_epoch)
    check_evaluate(evaluate, to_grams)
    check_headline(300.0, 336.0)
    assert capsys.readouterr().out.count("✓") == 8


@pytest.mark.parametrize(
    ("convert", "words"),
    [
        (lambda value, mean, std: value * std, "add the training mean"),
        (lambda value, mean, std: value / std + mean, "multiplies by it"),
        (lambda value, mean, std: value + mean, "the scale is missing"),
    ],
    ids=["no-mean", "divides-by-the-std", "no-std"],
)
def test_to_grams_slips_are_named(sets, convert, words):
    train, validation = sets
    mean, std = train.target_mean.item(), train.target_std.item()
    with pytest.raises(CheckFailed, match=words):
        check_to_grams(lambda value: convert(value, mean, std), validation)


def test_least_squares_fitted_on_validation_is_named(sets):
    train, validation = sets
    with pytest.raises(CheckFailed, match="training split only"):
        check_least_squares(lambda t, v: least_squares_predict(t, v, fit_on=v), train, validation)


def test_least_squares_on_the_notebooks_globals_is_named(sets):
    train, validation = sets
    with pytest.raises(CheckFailed, match="use its arguments"):
        check_least_squares(
            lambda t, v: least_squares_predict(train, validation), train, validation
        )


def test_network_mistakes_are_named():
    with pytest.raises(CheckFailed, match=r"hidden_sizes=\(16, 16\)"):
        check_network(lambda n: build_network(n, hidden=(32, 32)), 5)
    with pytest.raises(CheckFailed, match="learning rate"):
        check_network(lambda n: build_network(n, lr=0.1), 5)
    network = build_network(5)
    with pytest.raises(CheckFailed, match="same model"):
        check_network(lambda n: network, 5)


def test_squeezed_training_prediction_is_named(to_grams):
    train_one_epoch, _ = make_epoch_functions(to_grams, squeeze=True)
    with pytest.raises(CheckFailed, match="same shape"):
        check_train_one_epoch(train_one_epoch)


def test_standardised_validation_mae_is_named(to_grams):
    _, evaluate = make_epoch_functions(to_grams, grams=False)
    with pytest.raises(CheckFailed, match="divided by the training standard deviation"):
        check_evaluate(evaluate, to_grams)


def test_standardised_maes_fail_plausibility():
    with pytest.raises(CheckFailed, match="to_grams"):
        check_headline(0.37, 336.0)
    import pandas as pd

    with pytest.raises(CheckFailed, match="to_grams"):
        check_training(pd.DataFrame({"validation mae": [0.6, 0.37]}), 708.0)


def test_network_far_behind_least_squares_fails():
    with pytest.raises(CheckFailed, match="worse than"):
        check_headline(400.0, 336.0)


def test_loss_function_other_than_mse_is_named():
    model = FCNet(5, 1, hidden_sizes=(16, 16), dropout=0.0)
    x, y = torch.randn(8, 5), torch.randn(8, 1)
    with pytest.raises(CheckFailed, match="mean squared error"):
        check_regression_loss(nn.L1Loss()(model(x), y), nn.L1Loss(), model, x, y)


def test_early_stopping_wants_the_epoch_label_of_the_lowest_validation_loss(capsys):
    import pandas as pd

    history = pd.DataFrame(
        {"training loss": [0.5, 0.2, 0.1, 0.05], "validation loss": [0.6, 0.3, 0.4, 0.5]},
        index=pd.RangeIndex(1, 5, name="epoch"),
    )
    check_early_stopping(2, history)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="epochs count from 1"):
        check_early_stopping(1, history)
    with pytest.raises(CheckFailed, match="early stopping watches validation"):
        check_early_stopping(4, history)
    with pytest.raises(CheckFailed, match="not the epoch of the lowest"):
        check_early_stopping(3, history)
