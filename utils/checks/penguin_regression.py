"""Self-checks for notebook 02: predicting a penguin's body mass, in grams. Expected values come
from the data, the learner's model or probes, never typed in; a standardised MAE is named so."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping
from typing import cast

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from utils.checks import engine
from utils.checks._core import as_float, call_learner_function, check_tensor, fail, passed
from utils.checks._penguins import check_loss, check_optimizer, check_predicted, curves_on
from utils.checks._penguins import check_model as _check_model
from utils.penguins import PenguinDataset, load_penguin_table, split_rows

ToGrams = Callable[[Tensor], Tensor]
PROBE = engine.Probe("regression", input_shape=(3,), num_outputs=1)
# No honest MAE in grams is this small: a smaller one is standardised (about 0.4 for a good model).
SMALLEST_PLAUSIBLE_MAE_G = 50.0
UNITS_HINT = "that looks standardised: convert predictions and targets to grams with to_grams."


def _grams(name: str, value: object, tensor_ok: bool = True) -> float:
    """``value`` as a float, failing if it is too small to be an error in grams."""
    number = as_float(name, value, tensor_ok)
    if number < SMALLEST_PLAUSIBLE_MAE_G:
        fail(f"{name} = {number:.3g} is far too small for an error in grams.", UNITS_HINT)
    return number


def _body_mass(split: str) -> np.ndarray:
    return split_rows(load_penguin_table())[split]["body_mass_g"].to_numpy(dtype=float)


def check_to_grams(to_grams: object, dataset: PenguinDataset) -> None:
    """Check that ``to_grams`` turns the dataset's standardised targets back into grams."""
    grams = call_learner_function("to_grams", to_grams, dataset.y)
    check_tensor("to_grams(dataset.y)", grams, shape=tuple(dataset.y.shape))
    expected = torch.tensor(dataset.frame["body_mass_g"].to_numpy()).reshape(-1, 1)
    if not torch.allclose(cast(Tensor, grams).double(), expected, atol=0.1):
        convert = cast(ToGrams, to_grams)
        zero, one = (float(convert(torch.tensor([[x]], dtype=torch.float64))) for x in (0.0, 1.0))
        mean, std = dataset.target_mean.item(), dataset.target_std.item()
        hint = "undo (value - mean) / std: multiply by the training std, then add the mean."
        if engine.close(one - zero, std) and abs(zero) < 0.1:
            hint = "the scale is right but the offset is missing: add the training mean."
        elif engine.close(one - zero, 1 / std):
            hint = "you divide by the std; undoing (value - mean) / std multiplies by it."
        elif engine.close(one - zero, 1.0):
            hint = "the scale is missing: multiply by the training std."
        fail(
            f"to_grams maps 0 to {zero:.1f} g and a step of 1 to {one - zero:.4g} g; these should "
            f"be the training mean, {mean:.1f} g, and standard deviation, {std:.1f} g.",
            hint,
        )
    passed("to_grams turns standardised targets back into grams")


def check_mean_baseline(mae: object) -> None:
    """Check the MAE, in grams, of predicting the training mean for every validation penguin."""
    value = as_float("mean_baseline_mae", mae)
    train, validation = _body_mass("train"), _body_mass("validation")
    if np.isclose(value, np.mean(np.abs(validation - train.mean())), rtol=1e-4):
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


def _least_squares(fit: PenguinDataset, to: PenguinDataset, intercept: bool = True) -> np.ndarray:
    """Least-squares predictions for ``to``, fitted on ``fit``, in grams, shape (n, 1)."""

    def design(dataset: PenguinDataset) -> np.ndarray:
        x = dataset.x.double().numpy()
        return np.hstack([x, np.ones((len(x), 1))]) if intercept else x

    weights, *_ = np.linalg.lstsq(design(fit), fit.y.double().numpy(), rcond=None)
    return design(to) @ weights * fit.target_std.item() + fit.target_mean.item()


def check_least_squares(
    least_squares_predict: object, train_set: PenguinDataset, validation_set: PenguinDataset
) -> None:
    """Check the learner's least-squares fit on these splits, and with the species as well."""
    other = [*dict.fromkeys([*train_set.features, "species"])], train_set.targets
    own = None
    for pair in (
        (train_set, validation_set),
        [PenguinDataset(*other, split=split) for split in ("train", "validation")],
    ):
        predicted = call_learner_function("least_squares_predict", least_squares_predict, *pair)
        train, validation = pair
        check_tensor("least_squares_predict(...)", predicted, shape=(len(validation), 1))
        predicted = cast(Tensor, predicted).detach().cpu().double().numpy()
        expected = _least_squares(train, validation)
        if np.allclose(predicted, expected, atol=0.5):
            own = predicted
            continue
        if own is not None and np.allclose(predicted, own, atol=0.5):
            hint = "use its arguments, train and validation, not the notebook's train_set."
        elif np.allclose(predicted * train.target_std.item() + train.target_mean.item(), expected):
            hint = "the predictions are standardised: convert them to grams with to_grams."
        elif np.allclose(predicted, _least_squares(validation, validation), atol=0.5):
            hint = "the weights are fitted on validation penguins: fit on the training split only."
        elif np.allclose(predicted, _least_squares(train, validation, intercept=False), atol=0.5):
            hint = "there is no intercept: append a column of ones with with_intercept."
        else:
            hint = "solve for the weights on with_intercept(train.x) and train.y; then predict "
            hint += "with_intercept(validation.x) @ weights, in grams."
        where = " when given the species as well" if own is not None else ""
        fail(f"least_squares_predict does not give the least-squares predictions{where}.", hint)
    passed("least_squares_predict fits the training split and predicts in grams")


def check_network(build_network: object, num_features: int) -> None:
    """Check that ``build_network`` returns a fresh one-output FCNet and its Adam optimiser."""
    with torch.random.fork_rng():  # the learner's own call then draws the same first weights
        built = [call_learner_function("build_network", build_network, num_features) for _ in "12"]
    if not all(isinstance(pair, tuple) and len(pair) == 2 for pair in built):
        got = type(built[0]).__name__
        fail(f"build_network returns a {got}, not (model, optimizer).", "return model, optimizer")
    (model, optimizer), (second, _) = built
    network = _check_model(model, num_features, 1)
    widths = [layer.out_features for layer in network.modules() if isinstance(layer, nn.Linear)]
    if widths[:-1] != [16, 16]:
        fail(f"the hidden widths are {widths[:-1]}, not two of 16.", "pass hidden_sizes=(16, 16).")
    if dropping := [m.p for m in network.modules() if isinstance(m, nn.Dropout) and m.p > 0]:
        fail(f"the network drops {dropping[0]:.0%} of its units.", "the task asks for dropout=0.0.")
    check_optimizer(optimizer, network, torch.optim.Adam, 0.01)
    if second is model:
        fail("build_network returns the same model every time.", "create a new FCNet inside it.")
    passed(f"a fresh network (batch, {num_features}) → (batch, 1), with its own Adam optimiser")


def check_regression_loss(
    loss: object, loss_function: object, model: nn.Module, x_batch: Tensor, y_batch: Tensor
) -> None:
    """Check the loss function (mean squared error) and the loss of one batch."""
    value = check_loss(loss)
    if not isinstance(loss_function, nn.MSELoss):
        hint = "the task trains with the mean squared error: nn.MSELoss()."
        fail(f"loss_function is {type(loss_function).__name__}, not nn.MSELoss.", hint)
    with torch.no_grad(), warnings.catch_warnings():  # on a copy, in the model's own mode
        warnings.simplefilter("ignore")  # the broadcasting warning of a squeezed prediction
        prediction = copy.deepcopy(model)(x_batch.to(next(model.parameters()).device)).cpu()
        expected = nn.functional.mse_loss(prediction, y_batch).item()
        squeezed = nn.functional.mse_loss(prediction.squeeze(), y_batch).item()
    if not np.isclose(value, expected, rtol=1e-4):
        hint = "loss_function(model(x_batch), y_batch), on the standardised targets."
        if np.isclose(value, squeezed, rtol=1e-4):
            hint = "keep the model's output as it is, shape (batch, 1), like the targets: a "
            hint += "squeezed prediction, shape (batch,), is compared with every target."
        fail(f"loss is {value:.4g}; the mean squared error of this batch is {expected:.4g}.", hint)
    passed(f"loss {value:.2f} on one batch, in standardised units")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check the learner's ``train_one_epoch`` on a probe: its steps and the mean it returns."""
    engine.probe_train_one_epoch(train_one_epoch, PROBE)
    passed("train_one_epoch takes the right steps on a probe and returns the mean loss")


def check_evaluate(evaluate: object, to_grams: ToGrams) -> None:
    """Check the learner's ``evaluate`` on a probe: the mean loss, and the MAE in grams."""
    mass = _body_mass("train")
    scales = {"standard deviation": mass.std(), "mean": mass.mean()}  # to grams, left out or half
    scales = {f"the training {key} of body mass ({x:.1f} g)": x for key, x in scales.items()}

    def error(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return to_grams(outputs) - to_grams(targets)

    variants = {"the squared error": lambda o, t: error(o, t) ** 2, "the signed error": error}
    what = "the absolute error in grams (to_grams of the outputs and of the targets)"
    mae = engine.Metric(lambda o, t: error(o, t).abs(), what, scales, variants)
    engine.probe_evaluate(evaluate, PROBE, {"mae": mae})
    passed("evaluate gives the exact mean loss and MAE in grams, in evaluation mode")


def check_training(metrics: pd.DataFrame, mean_baseline_mae: float) -> None:
    """Check the metrics of training: the validation MAE is in grams and beats the mean guess."""
    last = _grams("the last validation MAE", metrics["validation mae"].iloc[-1])
    if last > 0.6 * mean_baseline_mae:
        hint = "if the training loss stays up too, look at train_one_epoch and the learning rate."
        fail(
            f"the network's validation MAE, {last:.0f} g, is not far below the mean "
            f"baseline's {mean_baseline_mae:.0f} g.",
            hint,
        )
    passed(f"the validation MAE is well below the mean baseline's {mean_baseline_mae:.0f} g")


def check_mae_plot(
    ax_mae: object, metrics: pd.DataFrame, mean_baseline_mae: float, least_squares_mae: float
) -> None:
    """Check that ``ax_mae`` shows the validation MAE curve and a line per baseline, in grams."""
    mae = metrics["validation mae"].to_numpy(dtype=float)
    if not any(np.allclose(line, mae) for line in curves_on("ax_mae", ax_mae, len(mae))):
        hint = 'plot metrics["validation mae"] against the epoch, with ax=ax_mae.'
        fail("no curve on ax_mae shows the validation MAE in grams.", hint)
    lines = curves_on("ax_mae", ax_mae, 2)
    for name, value in (("mean baseline", mean_baseline_mae), ("least squares", least_squares_mae)):
        if not any(np.allclose(line, value) for line in lines):
            hint = f"ax_mae.axhline({name.replace(' ', '_')}_mae...), with a label for the legend."
            fail(f"there is no horizontal line at the {name}'s MAE ({value:.0f} g).", hint)
    passed("the network's validation MAE, with both baselines for scale")


def check_network_prediction(
    network_prediction: object, model: nn.Module, validation_set: PenguinDataset, to_grams: ToGrams
) -> None:
    """Check the network's predicted mass, in grams, of every validation penguin."""
    shape, hint = (len(validation_set), 1), "predict validation_set.x, all penguins at once."
    prediction = check_predicted("network_prediction", network_prediction, shape, hint).float()
    standardised = engine.predict(model, validation_set.x)
    if torch.allclose(prediction, standardised, atol=1e-4):
        fail("network_prediction is in standardised units.", UNITS_HINT)
    if not torch.allclose(prediction, to_grams(standardised), atol=0.5):
        hint = "to_grams(model(validation_set.x)), in model.eval() mode, under torch.no_grad()."
        fail("network_prediction differs from the model's own in evaluation mode.", hint)
    passed(f"{len(prediction)} predictions in grams")


def check_species_comparison(with_species: Mapping[str, float], least_squares_mae: float) -> None:
    """Check the MAEs of both models given the species as well."""
    maes = {name: _grams(f'with_species["{name}"]', mae) for name, mae in with_species.items()}
    least_squares, network = maes["least squares"], maes["network"]
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


def check_headline(network_mae: object, least_squares_mae: object, threshold: float = 1.05) -> None:
    """Check the network's test MAE, in grams: at most ``threshold`` × least squares'."""
    value = _grams("network_mae", network_mae, tensor_ok=False)
    baseline = as_float("least_squares_mae", least_squares_mae)
    if value > threshold * baseline:
        fail(
            f"the network's MAE, {value:.0f} g, is worse than {threshold} × least squares "
            f"({baseline:.0f} g).",
            "train longer or with another learning rate.",
        )
    passed(f"the network ({value:.0f} g) holds its own against least squares ({baseline:.0f} g)")


def check_early_stopping(best_epoch: object, history: pd.DataFrame) -> None:
    """Check ``best_epoch``: the epoch (numbered from 1) of ``history``'s lowest validation loss."""
    epoch = as_float("best_epoch", best_epoch)
    if epoch == history["validation loss"].idxmin():
        passed("best_epoch is the epoch of the lowest validation loss")
        return
    hint = 'choose by the validation loss: history["validation loss"].idxmin().'
    if epoch == history["validation loss"].to_numpy().argmin():
        hint = "that is a position counted from 0; epochs count from 1: use .idxmin(), the label."
    elif epoch == history["training loss"].idxmin():
        hint = "that is where the *training* loss is lowest; early stopping watches validation."
    fail(f"best_epoch = {epoch:g} is not the epoch of the lowest validation loss.", hint)
