"""Self-checks for notebook 02: predicting a penguin's body mass, in grams.

Expected values are computed here from the data or the learner's own model, never typed in.
Functions the learner writes are called on probes (other splits, other features, a probe
network), so a check cannot be fooled by a variable that happens to hold the right number.
Every MAE is checked to be in grams: a standardised value (around 0.4) is named as such.
Failures say what is wrong and give a hint, never the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.utils.data import DataLoader

from utils.checks._core import (
    as_float,
    call_learner_function,
    check_tensor,
    fail,
    passed,
    require_answer,
)
from utils.checks._penguins import (
    _quiet,
    batch_outputs,
    check_loss,
    check_optimizer,
    check_pair,
    probe_evaluate,
    probe_train_one_epoch,
)
from utils.checks._penguins import check_model as _check_model
from utils.penguins import PenguinDataset, load_penguin_table, split_rows

NAMES = ("loss", "mae")
# No honest prediction of a penguin's mass from these measurements is off by less than this on
# average; a smaller "MAE" is in standardised units (about 0.4 for a good model).
SMALLEST_PLAUSIBLE_MAE_G = 50.0
UNITS_HINT = "that looks standardised: convert predictions and targets to grams with to_grams."


def _in_grams(name: str, value: float) -> None:
    if value < SMALLEST_PLAUSIBLE_MAE_G:
        fail(f"{name} = {value:.3g} is far too small for an error in grams.", UNITS_HINT)


def check_datasets(train_set: object, validation_set: object) -> None:
    """Check the two splits and the shape and dtype of one item, for body-mass regression."""
    train, validation = check_pair(train_set, validation_set, "body_mass_g")
    check_tensor("the target of an item", train[0][1], shape=(1,), dtype=torch.float32)
    passed(f"{len(train)} training and {len(validation)} validation penguins")


def check_to_grams(to_grams: object, dataset: PenguinDataset) -> None:
    """Check that ``to_grams`` turns the dataset's standardised targets back into grams."""
    grams = call_learner_function("to_grams", to_grams, dataset.y)
    check_tensor("to_grams(dataset.y)", grams, shape=tuple(dataset.y.shape))
    assert isinstance(grams, torch.Tensor)
    expected = torch.tensor(dataset.frame["body_mass_g"].to_numpy(), dtype=grams.dtype)
    if not torch.allclose(grams[:, 0], expected, atol=0.1):
        mean, std = dataset.target_mean.item(), dataset.target_std.item()
        if torch.allclose(grams[:, 0], expected - mean, atol=0.1):
            hint = "the scale is right but the offset is missing: add the training mean."
        elif torch.allclose(grams[:, 0], (expected - mean) / std + mean, atol=0.1):
            hint = "the offset is right but the scale is missing: multiply by the training std."
        elif torch.allclose(grams[:, 0], (expected - mean) / std**2 + mean, atol=0.1):
            hint = "you divide by the std; undoing (value - mean) / std multiplies by it."
        else:
            hint = "undo (value - mean) / std: multiply by the training std, then add the mean."
        fail("to_grams does not give back the body masses in grams.", hint)
    passed("to_grams turns standardised targets back into grams")


def _body_mass(split: str) -> np.ndarray:
    return split_rows(load_penguin_table())[split]["body_mass_g"].to_numpy(dtype=float)


def check_mean_baseline(mae: object) -> None:
    """Check the MAE, in grams, of predicting the training mean for every validation penguin."""
    value = as_float("mean_baseline_mae", mae)
    train, validation = _body_mass("train"), _body_mass("validation")
    expected = float(np.mean(np.abs(validation - train.mean())))
    if np.isclose(value, expected, rtol=1e-4):
        passed(f"the mean baseline is off by {value:.0f} g on average")
        return
    if np.isclose(value, np.mean(np.abs(validation - validation.mean())), rtol=1e-4):
        hint = "that uses the validation mean; a baseline may only learn from the training split."
    elif value < SMALLEST_PLAUSIBLE_MAE_G:
        hint = UNITS_HINT
    elif np.isclose(value, np.mean((validation - train.mean()) ** 2), rtol=1e-4):
        hint = "that is the mean *squared* error, in grams squared; take absolute values."
    else:
        hint = "average the absolute differences |true - training mean| over validation penguins."
    fail(f"mean_baseline_mae = {value:.1f} g is not the mean baseline's MAE.", hint)


def _design(dataset: PenguinDataset) -> np.ndarray:
    return np.hstack([dataset.x.double().numpy(), np.ones((len(dataset), 1))])


def _least_squares(
    fit_on: PenguinDataset, predict: PenguinDataset, intercept: bool = True
) -> np.ndarray:
    """Least-squares predictions for ``predict``, fitted on ``fit_on``, in grams, shape (n, 1)."""

    def design(dataset: PenguinDataset) -> np.ndarray:
        return _design(dataset) if intercept else dataset.x.double().numpy()

    weights, *_ = np.linalg.lstsq(design(fit_on), fit_on.y.double().numpy(), rcond=None)
    scale, shift = fit_on.target_std.double().numpy(), fit_on.target_mean.double().numpy()
    return design(predict) @ weights * scale + shift


def check_least_squares(
    least_squares_predict: object, train_set: PenguinDataset, validation_set: PenguinDataset
) -> None:
    """Check the learner's least-squares fit on these splits and on another choice of features."""
    probes = [(train_set, validation_set)]
    if "species" not in train_set.features:
        features = [*train_set.features, "species"]
        other = [
            PenguinDataset(features, train_set.targets, split=s) for s in ("train", "validation")
        ]
        probes.append((other[0], other[1]))
    first = np.zeros(0)
    for index, (train, validation) in enumerate(probes):
        predicted = call_learner_function(
            "least_squares_predict", least_squares_predict, train, validation
        )
        check_tensor("least_squares_predict(...)", predicted)
        assert isinstance(predicted, torch.Tensor)
        predicted = predicted.detach().cpu().double().numpy()
        if index == 1 and np.allclose(predicted, first, atol=0.5):
            fail(
                "given other datasets (the same features plus species), least_squares_predict "
                "returns the same predictions.",
                "use its arguments, train and validation, not the notebook's train_set and "
                "validation_set.",
            )
        if predicted.shape != (len(validation), 1):
            fail(
                f"least_squares_predict(...) has shape {predicted.shape}, expected "
                f"({len(validation)}, 1): one mass per validation penguin.",
            )
        expected = _least_squares(train, validation)
        first = predicted
        if np.allclose(predicted, expected, atol=0.5):
            continue
        mean, std = train.target_mean.item(), train.target_std.item()
        if np.allclose(predicted, (expected - mean) / std, atol=1e-3):
            hint = "the predictions are standardised: convert them to grams with to_grams."
        elif np.allclose(predicted, _least_squares(validation, validation), atol=0.5):
            hint = (
                "the weights were fitted on the validation penguins, which they then predict: "
                "fit on the training split only."
            )
        elif np.allclose(predicted, _least_squares(train, validation, intercept=False), atol=0.5):
            hint = "there is no intercept: append a column of ones with with_intercept."
        else:
            hint = (
                "solve for the weights from with_intercept(train.x) and train.y, then predict "
                "with_intercept(validation.x) @ weights, in grams."
            )
        fail("least_squares_predict does not give the least-squares predictions in grams.", hint)
    passed("least_squares_predict fits the training split and predicts in grams")


def check_least_squares_mae(mae: object) -> None:
    """Check that the least-squares MAE is a plausible number of grams."""
    value = as_float("least_squares_mae", mae)
    _in_grams("least_squares_mae", value)
    passed(f"least squares is off by {value:.0f} g on average")


def check_network(build_network: object, n_features: int) -> None:
    """Check that ``build_network`` returns a fresh one-output FCNet and its Adam optimiser.

    The notebook's random numbers are left as they were, so that the learner's own call
    afterwards draws the same initial weights as if this check had not run.
    """
    with torch.random.fork_rng():
        _check_network(build_network, n_features)


def _check_network(build_network: object, n_features: int) -> None:
    first = call_learner_function("build_network", build_network, n_features)
    if not isinstance(first, tuple) or len(first) != 2:
        fail(
            f"build_network should return a pair (model, optimizer), got {type(first).__name__}.",
            "return model, optimizer",
        )
    model, optimizer = first
    network = _check_model(model, n_features, 1)
    linear = [module for module in network.modules() if isinstance(module, nn.Linear)]
    widths = [layer.out_features for layer in linear[:-1]]
    if widths != [16, 16]:
        fail(
            f"the hidden layers have widths {widths}; the task asks for two of 16.",
            "pass hidden_sizes=(16, 16).",
        )
    dropping = [m.p for m in network.modules() if isinstance(m, nn.Dropout) and m.p > 0]
    if dropping:
        fail(
            f"the network drops {dropping[0]:.0%} of its units in training.",
            "the task asks for no dropout: dropout=0.0.",
        )
    check_optimizer(optimizer, network, torch.optim.Adam, 0.01)
    second, _ = call_learner_function("build_network", build_network, n_features)
    if second is model:
        fail(
            "build_network returns the same model every time.",
            "create a new FCNet inside the function, so each call starts from fresh weights.",
        )
    passed(f"a fresh network (batch, {n_features}) → (batch, 1), with its own Adam optimiser")


def check_regression_loss(
    loss: object,
    loss_function: object,
    model: nn.Module,
    x_batch: torch.Tensor,
    y_batch: torch.Tensor,
) -> None:
    """Check the loss function (mean squared error) and the loss of one batch."""
    require_answer("loss_function", loss_function)
    if not isinstance(loss_function, nn.MSELoss):
        fail(
            f"loss_function is {type(loss_function).__name__}; the task trains with the mean "
            "squared error.",
            "nn.MSELoss()",
        )
    require_answer("loss", loss)
    value = check_loss(loss).item()
    parameter = next(model.parameters())
    with torch.no_grad():
        prediction = model(x_batch.to(parameter.device)).cpu()
    expected = nn.functional.mse_loss(prediction, y_batch).item()
    if not np.isclose(value, expected, rtol=1e-4):
        with _quiet():
            squeezed = nn.functional.mse_loss(prediction.squeeze(), y_batch).item()
        if np.isclose(value, squeezed, rtol=1e-4):
            fail(
                "the predictions have shape (batch,) and the targets (batch, 1): the loss "
                "compares every prediction with every target.",
                "keep the model's output as it is, shape (batch, 1).",
            )
        fail(
            f"loss is {value:.4g}, but the mean squared error of this batch is {expected:.4g}.",
            "loss_function(model(x_batch), y_batch), on the standardised targets.",
        )
    passed(f"loss {value:.2f} on one batch, in standardised units")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check one epoch of the learner's ``train_one_epoch`` on a probe problem."""
    probe_train_one_epoch(train_one_epoch, "regression", NAMES)
    passed("train_one_epoch takes the right steps on a probe problem")


def check_evaluate(evaluate: object, to_grams: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Check the learner's ``evaluate`` on a probe network with unequal batches."""

    def reference(model: nn.Module, loader: DataLoader) -> dict[str, float]:
        outputs = batch_outputs(model, loader)
        n = sum(len(y) for _, y in outputs)
        loss = sum(nn.functional.mse_loss(out, y, reduction="sum").item() for out, y in outputs)
        error = sum((to_grams(out) - to_grams(y)).abs().sum().item() for out, y in outputs)
        return {"loss": loss / n, "mae": error / n}

    def mistakes(model: nn.Module, loader: DataLoader) -> dict[str, tuple[dict[str, float], str]]:
        outputs = batch_outputs(model, loader)
        n, batches = sum(len(y) for _, y in outputs), len(outputs)
        means = [nn.functional.mse_loss(out, y).item() for out, y in outputs]
        errors = [(to_grams(out) - to_grams(y)).abs() for out, y in outputs]
        return {
            "is in standardised units, not grams": (
                {"mae": sum((out - y).abs().sum().item() for out, y in outputs) / n},
                UNITS_HINT,
            ),
            "is the sum of the batch means divided by the number of penguins": (
                {"loss": sum(means) / n, "mae": sum(e.mean().item() for e in errors) / n},
                "loss_function gives a batch's mean; multiply it by the batch's size, len(y); "
                "for the error, add up .sum() over the batch, not .mean().",
            ),
            "is a mean of batch means, which over-weights a last, smaller batch": (
                {
                    "loss": sum(means) / batches,
                    "mae": sum(e.mean().item() for e in errors) / batches,
                },
                "add up the totals over the batches, then divide by len(loader.dataset).",
            ),
        }

    probe_evaluate(evaluate, "regression", reference, mistakes)
    passed("evaluate gives the exact mean loss and MAE in grams, in evaluation mode")


def check_training(metrics: object, mean_baseline_mae: float) -> None:
    """Check the metrics of training: the validation MAE is in grams and beats the mean guess."""
    require_answer("metrics", metrics)
    if not isinstance(metrics, pd.DataFrame):
        fail(f"metrics should be a pandas DataFrame, got {type(metrics).__name__}.")
    assert isinstance(metrics, pd.DataFrame)
    last = float(metrics["validation MAE (g)"].iloc[-1])
    _in_grams("the last validation MAE", last)
    if last > 0.6 * mean_baseline_mae:
        fail(
            f"the network's validation MAE, {last:.0f} g, is not far below the mean "
            f"baseline's {mean_baseline_mae:.0f} g.",
            "if the training loss does not fall either, look at train_one_epoch and the "
            "learning rate.",
        )
    passed(
        f"the network's validation MAE is well below the mean baseline's {mean_baseline_mae:.0f} g"
    )


def check_mae_plot(
    ax_mae: object, metrics: pd.DataFrame, mean_baseline_mae: float, least_squares_mae: float
) -> None:
    """Check that ``ax_mae`` shows the validation MAE curve and a line per baseline, in grams."""
    if not isinstance(ax_mae, Axes):
        fail(f"ax_mae should be a matplotlib Axes, got {type(ax_mae).__name__}.")
    assert isinstance(ax_mae, Axes)
    lines = [np.asarray(line.get_ydata(), dtype=float) for line in ax_mae.get_lines()]
    if not lines:
        fail("ax_mae is empty.", "pass ax=ax_mae to plot_training_curves.")
    mae = metrics["validation MAE (g)"].to_numpy(dtype=float)
    if not any(len(line) == len(mae) and np.allclose(line, mae) for line in lines):
        fail(
            "no curve on ax_mae shows the validation MAE in grams.",
            'plot metrics["validation MAE (g)"] against the epoch.',
        )
    for name, value in (("mean baseline", mean_baseline_mae), ("least squares", least_squares_mae)):
        if not any(len(line) == 2 and np.allclose(line, value) for line in lines):
            fail(
                f"there is no horizontal line at the {name}'s MAE ({value:.0f} g).",
                f"ax_mae.axhline({name.replace(' ', '_')}_mae...), with a label for the legend.",
            )
    passed("the network's validation MAE, with both baselines for scale")


def check_network_prediction(
    network_prediction: object,
    model: nn.Module,
    validation_set: PenguinDataset,
    to_grams: Callable[[torch.Tensor], torch.Tensor],
) -> None:
    """Check the network's predicted mass, in grams, of every validation penguin."""
    n = len(validation_set)
    require_answer("network_prediction", network_prediction)
    check_tensor("network_prediction", network_prediction)
    assert isinstance(network_prediction, torch.Tensor)
    if tuple(network_prediction.shape) != (n, 1):
        fail(
            f"network_prediction has shape {tuple(network_prediction.shape)}, expected ({n}, 1).",
            "predict validation_set.x, all validation penguins at once.",
        )
    if network_prediction.device.type != "cpu":
        fail("network_prediction is still on the GPU.", "move it with .cpu() for plotting.")
    parameter = next(model.parameters())
    was_training = model.training
    model.eval()
    with torch.no_grad():
        standardised = model(validation_set.x.to(parameter.device)).cpu()
    model.train(was_training)
    prediction = network_prediction.detach().float()
    if torch.allclose(prediction, standardised, atol=1e-4):
        fail("network_prediction is in standardised units.", UNITS_HINT)
    if not torch.allclose(prediction, to_grams(standardised), atol=0.5):
        fail(
            "network_prediction differs from the model's own predictions in evaluation mode.",
            "to_grams(model(validation_set.x)), in model.eval() mode, under torch.no_grad().",
        )
    passed(f"{n} predictions in grams")


def check_species_comparison(with_species: object, least_squares_mae: float) -> None:
    """Check the MAEs of both models given the species as well."""
    require_answer("with_species", with_species)
    if not isinstance(with_species, Mapping):
        fail(f"with_species should be a dict, got {type(with_species).__name__}.")
    assert isinstance(with_species, Mapping)
    least_squares = as_float('with_species["least squares"]', with_species["least squares"])
    network = as_float('with_species["network"]', with_species["network"])
    for name, value in (("least squares", least_squares), ("network", network)):
        _in_grams(f'with_species["{name}"]', value)
    if not least_squares < 0.9 * least_squares_mae:
        fail(
            f"given the species, least squares is off by {least_squares:.0f} g, against "
            f"{least_squares_mae:.0f} g without it; the species should help it clearly.",
            "build_and_fit should fit on the features it is given, species included.",
        )
    if not network < 1.1 * least_squares:
        fail(
            f"given the species, the network ({network:.0f} g) falls far behind least squares "
            f"({least_squares:.0f} g).",
            "build_and_fit trains a fresh network for 100 epochs; look at its arguments.",
        )
    passed("given the species, least squares catches up with the network")


def check_headline(network_mae: object, least_squares_mae: object, tolerance: float = 1.05) -> None:
    """Check the network's validation MAE, in grams: within ``tolerance`` of least squares."""
    value = as_float("network_mae", network_mae)
    baseline = as_float("least_squares_mae", least_squares_mae)
    _in_grams("network_mae", value)
    _in_grams("least_squares_mae", baseline)
    if value > tolerance * baseline:
        fail(
            f"the network's MAE, {value:.0f} g, is worse than {tolerance} × least squares "
            f"({baseline:.0f} g).",
            "train longer or with another learning rate.",
        )
    passed(f"the network ({value:.0f} g) holds its own against least squares ({baseline:.0f} g)")
