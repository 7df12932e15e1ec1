"""Notebook 01's self-checks: right answers pass, and each wrong one is named with a hint."""

import pandas as pd
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from utils.checks import CheckFailed
from utils.checks.penguin_classification import (
    check_accuracy_plot,
    check_evaluate,
    check_features,
    check_headline,
    check_loaders,
    check_loss_and_optimizer,
    check_model,
    check_predictions,
    check_probabilities,
    check_train_one_epoch,
)
from utils.models import FCNet
from utils.penguins import PenguinDataset
from utils.plots.training import plot_training_curves

FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"]


@pytest.fixture(scope="module")
def sets():
    return [PenguinDataset(FEATURES, ["species"], split=s) for s in ("train", "validation")]


def train_one_epoch(model, loader, loss_function, optimizer, device, zero=True, sign=1.0):
    model.train()
    total, seen = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        if zero:
            optimizer.zero_grad()
        loss = sign * loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
        seen += len(y)
    return abs(total) / seen


@torch.no_grad()
def evaluate(model, loader, loss_function, device, eval_mode=True, weight=True):
    if eval_mode:
        model.eval()
    total, correct = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        total += loss_function(logits, y).item() * (len(y) if weight else 1)
        correct += (logits.argmax(dim=1) == y).sum().item()
    return {"loss": total / len(loader.dataset), "accuracy": correct / len(loader.dataset)}


def test_right_answers_pass(capsys, sets):
    train, validation = sets
    check_features(FEATURES)
    check_loaders(
        DataLoader(train, batch_size=16, shuffle=True, drop_last=True),
        DataLoader(validation, batch_size=64),
    )
    torch.manual_seed(0)
    model = FCNet(6, 3)
    check_model(model, 6, 3)
    x, y = next(iter(DataLoader(train, batch_size=16)))
    loss = nn.CrossEntropyLoss()(model(x), y)
    check_loss_and_optimizer(loss, torch.optim.Adam(model.parameters(), lr=0.003), model)
    check_train_one_epoch(train_one_epoch)
    check_evaluate(evaluate)
    check_headline(59 / 60)
    assert capsys.readouterr().out.count("✓") == 7


@pytest.mark.parametrize(
    ("features", "words"),
    [
        ([*FEATURES, "island"], "where or when"),
        (FEATURES[:-1], "sex included"),
        ([*FEATURES, "species"], "target"),
        ("bill_length_mm", "list of column names"),
        (..., "fill in the TODO"),
    ],
    ids=["island", "no-sex", "species", "a-string", "unfilled"],
)
def test_feature_mistakes_are_named(features, words):
    with pytest.raises(CheckFailed, match=words):
        check_features(features)


def test_validation_in_batches_of_one_is_caught(sets):
    train, validation = sets
    with pytest.raises(CheckFailed, match="batch_size=64"):
        check_loaders(
            DataLoader(train, batch_size=16, shuffle=True, drop_last=True),
            DataLoader(validation, batch_size=1),
        )


def test_missing_zero_grad_is_named():
    with pytest.raises(CheckFailed, match="zero_grad"):
        check_train_one_epoch(lambda *args: train_one_epoch(*args, zero=False))


def test_flipped_sign_is_named():
    with pytest.raises(CheckFailed, match="uphill"):
        check_train_one_epoch(lambda *args: train_one_epoch(*args, sign=-1.0))


def test_probe_leaves_the_notebooks_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    check_train_one_epoch(train_one_epoch)
    assert torch.equal(torch.rand(3), expected)


def test_evaluation_in_training_mode_is_named():
    with pytest.raises(CheckFailed, match=r"model\.eval\(\)"):
        check_evaluate(lambda *args: evaluate(*args, eval_mode=False))


def test_loss_without_batch_size_is_named():
    with pytest.raises(CheckFailed, match="batch's size"):
        check_evaluate(lambda *args: evaluate(*args, weight=False))


def test_an_epoch_that_returns_a_dict_is_named():
    with pytest.raises(CheckFailed, match="returns a dict where a Python float is wanted"):
        check_train_one_epoch(lambda *args: {"loss": train_one_epoch(*args)})


def test_optimizer_over_another_model_is_named():
    model, other = FCNet(6, 3), FCNet(6, 3)
    loss = nn.CrossEntropyLoss()(model(torch.randn(4, 6)), torch.tensor([0, 1, 2, 0]))
    with pytest.raises(CheckFailed, match="same model"):
        check_loss_and_optimizer(loss, torch.optim.Adam(other.parameters(), lr=0.003), model)


@pytest.mark.parametrize(
    ("scale", "ylabel", "words"),
    [(1, "accuracy (%)", "fraction"), (100, "accuracy", "unit"), (100, "accuracy (%)", None)],
    ids=["a-fraction", "no-unit", "right"],
)
def test_accuracy_plot_is_checked_for_percent_and_unit(scale, ylabel, words):
    metrics = pd.DataFrame({"validation accuracy": [0.6, 0.95]})
    ax = plot_training_curves({"validation": scale * metrics["validation accuracy"]}, ylabel=ylabel)
    if words is None:
        check_accuracy_plot(ax, metrics)
    else:
        with pytest.raises(CheckFailed, match=words):
            check_accuracy_plot(ax, metrics)


def test_predictions_and_probabilities_are_compared_with_the_model(sets):
    train, validation = sets
    torch.manual_seed(0)
    model = FCNet(6, 3).eval()
    with torch.no_grad():
        logits = model(validation.x)
    check_predictions(logits.argmax(dim=1), model, validation)
    with pytest.raises(CheckFailed, match="dim=1"):
        check_predictions(logits.argmax(dim=0), model, validation)
    rows = validation.frame.iloc[:3]
    with torch.no_grad():
        new_logits = model(train.transform_features(rows))
    check_probabilities(torch.softmax(new_logits, dim=1), model, train, rows)
    with pytest.raises(CheckFailed, match="dim=1"):
        check_probabilities(torch.softmax(new_logits, dim=0), model, train, rows)


def test_headline_in_percent_is_named():
    with pytest.raises(CheckFailed, match="fraction"):
        check_headline(98.3)
