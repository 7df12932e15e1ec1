"""Self-checks for notebook 01: classifying penguin species. Expected values come from the data,
the learner's own model or the probe engine, never typed in; failures give hints, not answers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.utils.data import DataLoader, RandomSampler

from utils.checks._core import as_float, fail, passed, require_answer
from utils.checks._penguins import check_loss, check_optimizer, check_predicted, curves_on
from utils.checks._penguins import check_model as _check_model
from utils.checks.engine import ACCURACY, Probe, predict, probe_evaluate, probe_train_one_epoch
from utils.penguins import COLUMNS, PenguinDataset

# The five measurements of the bird itself; island and year say where and when it was seen.
_BIRD = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex")
PROBE = Probe("classification", input_shape=(3,), num_outputs=3)
# Why each loader setting matters: the hints of check_loaders.
_SHUFFLED = "without shuffling, every epoch shows the same batches in the same order."
_DROP_LAST = "a last batch of one penguin breaks BatchNorm in training mode."
_ORDER = "evaluation looks at every penguin once, and order does not matter."
_ONE = "nothing is learnt in validation: one batch that holds all 60 is fastest, batch_size=64."


def check_features(features: object) -> None:
    """Check the chosen feature columns: everything measured on the bird, nothing else."""
    require_answer("features", features)
    if isinstance(features, str) or not isinstance(features, Sequence):
        hint = 'write it as ["column", "another column", ...].'
        fail(f"features should be a list of column names, got {type(features).__name__}.", hint)
    if unknown := [name for name in features if name not in COLUMNS]:
        fail(f"{unknown} are not columns of the table.", f"the columns are {list(COLUMNS)}.")
    if "species" in features:
        fail("features include the species, the target itself.", "a target must never be an input.")
    if elsewhere := [name for name in features if name in ("island", "year")]:
        hint = "use only measurements of the bird itself (see the reasons above the task)."
        fail(f"features include {elsewhere}, which say where or when a bird was measured.", hint)
    if missing := [name for name in _BIRD if name not in features]:
        hint = "the task above gives a reason for every measurement of the bird; take them all "
        hint += "(sex included)."
        fail(f"features leave out {len(missing)} measurement(s) of the bird.", hint)
    passed(f"{len(features)} features, all measured on the bird")


def check_loaders(train_loader: object, validation_loader: object) -> None:
    """Check that training batches are shuffled and complete, and validation is one batch."""
    for name, loader in (("train_loader", train_loader), ("validation_loader", validation_loader)):
        require_answer(name, loader)
        if not isinstance(loader, DataLoader):
            hint = "DataLoader(dataset, batch_size=..., shuffle=...)"
            fail(f"{name} should be a DataLoader, got {type(loader).__name__}.", hint)
    train, validation = cast(tuple[DataLoader, DataLoader], (train_loader, validation_loader))
    if train.dataset is validation.dataset:
        fail("both loaders read the same dataset.", "validation_loader reads validation_set.")
    shuffled = [isinstance(loader.sampler, RandomSampler) for loader in (train, validation)]
    for name, setting, value, expected, why in (
        ("train_loader", "shuffle", shuffled[0], True, _SHUFFLED),
        ("train_loader", "batch_size", train.batch_size, 16, "use the batch_size defined above."),
        ("train_loader", "drop_last", train.drop_last, True, _DROP_LAST),
        ("validation_loader", "shuffle", shuffled[1], False, _ORDER),
        ("validation_loader", "len(validation_loader)", len(validation), 1, _ONE),
    ):
        if value != expected:
            fail(f"{name} has {setting}={value}; the task asks for {setting}={expected}.", why)
    passed(f"loaders look right: training batches of {train.batch_size}, shuffled")


def check_model(model: object, num_features: int, num_classes: int) -> None:
    """Check that ``model`` maps a batch of features to one logit per class, block by block."""
    network = _check_model(model, num_features, num_classes)
    linear = sum(isinstance(module, nn.Linear) for module in network.modules())
    norms = sum(isinstance(module, nn.BatchNorm1d) for module in network.modules())
    if linear != 3 or norms != 2:
        hint = "with hidden_sizes=(32, 32): one block (Linear, BatchNorm1d, ReLU, Dropout) per "
        hint += "hidden size, then one Linear layer; let the width of each Linear layer be the "
        hint += "previous layer's size."
        fail(f"model has {linear} Linear and {norms} BatchNorm1d layers, not 3 and 2.", hint)
    if not any(isinstance(module, nn.Dropout) for module in network.modules()):
        fail("model has no Dropout layer.", "end each hidden block with nn.Dropout(dropout).")
    passed(f"model: (batch, {num_features}) → (batch, {num_classes}), two hidden blocks")


def check_loss_and_optimizer(loss: object, optimizer: object, model: nn.Module) -> None:
    """Check the loss of one batch and the Adam optimiser (learning rate 0.003) over ``model``."""
    require_answer("loss", loss)
    check_optimizer(optimizer, model, torch.optim.Adam, 0.003)
    value = check_loss(loss)
    if not 0.2 < value < 5:
        hint = "use nn.CrossEntropyLoss() on the model's logits and the batch's class indices."
        fail(f"an untrained network's loss is {value:.3g}; a blind guess's is log(3) ≈ 1.1.", hint)
    passed(f"loss {value:.2f} (log 3 ≈ 1.10 for a blind guess); Adam, learning rate 0.003")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check the learner's ``train_one_epoch`` on a probe: its steps and the mean it returns."""
    probe_train_one_epoch(train_one_epoch, PROBE)
    passed("train_one_epoch takes the right steps on a probe and returns the mean loss")


def check_evaluate(evaluate: object) -> None:
    """Check the learner's ``evaluate`` on a probe with unequal batches."""
    probe_evaluate(evaluate, PROBE, {"accuracy": ACCURACY})
    passed("evaluate gives the exact mean loss and accuracy, in evaluation mode")


def check_training(metrics: pd.DataFrame) -> None:
    """Check the table of metrics that the training loop collected, one row per epoch."""
    first, last = metrics["validation loss"].iloc[0], metrics["validation loss"].iloc[-1]
    if not last < 0.5 * first:
        hint = "if the training loss does not fall either, look at train_one_epoch's steps and "
        hint += "the learning rate; if only the validation loss stays up, the model over-fits."
        fail(f"the validation loss went {first:.3f} → {last:.3f}; it should at least halve.", hint)
    if (worst := metrics["validation accuracy"].iloc[-5:].min()) < 0.95:
        hint = "a few more epochs, or revisit the features."
        fail(f"over the last five epochs the validation accuracy drops to {worst:.1%}.", hint)
    passed("the validation loss at least halved; accuracy ≥ 95 % over the last five epochs")


def check_accuracy_plot(ax_accuracy: object, metrics: pd.DataFrame) -> None:
    """Check that ``ax_accuracy`` shows the validation accuracy, in percent."""
    accuracy = metrics["validation accuracy"].to_numpy(dtype=float)
    curves = curves_on("ax_accuracy", ax_accuracy, len(accuracy))
    if any(np.allclose(curve, accuracy) for curve in curves):
        hint = "the task asks for percent: multiply by 100."
        fail("the validation accuracy is drawn as a fraction between 0 and 1.", hint)
    label = cast(Axes, ax_accuracy).get_ylabel()
    if not any(np.allclose(curve, 100 * accuracy) for curve in curves) or "%" not in label:
        fail(
            "ax_accuracy should show the validation accuracy in percent, with the unit in its "
            f"y label (now {label!r}).",
            'plot 100 * metrics["validation accuracy"] with plot_training_curves(..., ylabel='
            '"validation accuracy (%)", ax=ax_accuracy), as the loss curves get ax=ax_loss.',
        )
    passed("the validation accuracy, in percent")


def check_predictions(predicted: object, model: nn.Module, validation_set: PenguinDataset) -> None:
    """Check the predicted class index of every validation penguin."""
    n = len(validation_set)
    hint = "predict all of validation_set.x; a class is its largest logit's: .argmax(dim=1)."
    predicted = check_predicted("predicted", predicted, (n,), hint)
    expected = predict(model, validation_set.x).argmax(dim=1)
    if not torch.equal(predicted, expected):
        wrong = (predicted != expected).sum().item()
        hint = "predict validation_set.x in model.eval() mode, under torch.no_grad()."
        fail(f"{wrong} of {n} predictions differ from the model's own in evaluation mode.", hint)
    passed(f"the {n} predicted species are the model's own, in evaluation mode")


def check_probabilities(
    probabilities: object, model: nn.Module, train_set: PenguinDataset, new_penguins: pd.DataFrame
) -> None:
    """Check the species probabilities of the new penguins against the model's own."""
    n, num_classes = len(new_penguins), len(train_set.class_names)
    hint = "one row per new penguin, one probability per species in it."
    probabilities = check_predicted("probabilities", probabilities, (n, num_classes), hint).float()
    if (probabilities < 0).any() or not torch.allclose(probabilities.sum(1), torch.ones(n)):
        sums = [round(total, 3) for total in probabilities.sum(dim=1).tolist()]
        hint = "take the softmax along the class dimension: torch.softmax(logits, dim=1)."
        fail(f"each penguin's probabilities should be ≥ 0 and sum to 1; they sum to {sums}.", hint)
    standardised = train_set.transform_features(new_penguins)
    if not torch.allclose(probabilities, torch.softmax(predict(model, standardised), 1), atol=1e-5):
        hint = "feed the model train_set.transform_features(new_penguins), which standardises "
        hint += "the rows with the *training* statistics, in model.eval() mode."
        fail("these are not the model's probabilities for the new penguins.", hint)
    passed("each row is a probability distribution over the species")


def check_predicted_species(predicted_species: object) -> None:
    """Check the species predicted for the three new penguins, typical birds of each species."""
    named = list(predicted_species)  # type: ignore[call-overload]
    if named != ["Adelie", "Chinstrap", "Gentoo"]:
        fail(
            f"the model calls the three new penguins {named}; they were chosen as typical birds "
            "of each species, in the order Adélie, Chinstrap, Gentoo.",
            "a trained model should get these right: check the training above.",
        )
    passed("the three new penguins get their species")


def check_reloaded(
    reloaded: object, model: nn.Module, weights_path: Path, validation_set: PenguinDataset
) -> None:
    """Check that ``reloaded`` is a new model, loaded from ``weights_path``, predicting the same."""
    require_answer("reloaded", reloaded)
    if not Path(weights_path).is_file():
        fail(f"there is no file at {weights_path}.", "torch.save(model.state_dict(), weights_path)")
    if reloaded is model:
        hint = "build a new FCNet with the same arguments, then load the saved weights into it."
        fail("reloaded is the trained model itself, not a new one.", hint)
    if not isinstance(reloaded, nn.Module):
        hint = "load_state_dict() loads in place and returns a report, not the model: call it "
        hint += "on the new FCNet, then use that FCNet."
        fail(f"reloaded should be a model, got {type(reloaded).__name__}.", hint)
    if not torch.equal(predict(reloaded, validation_set.x), predict(model, validation_set.x)):
        hint = "after building the new FCNet, load the saved weights: "
        hint += "reloaded.load_state_dict(torch.load(weights_path, weights_only=True))."
        fail("reloaded predicts differently from the trained model.", hint)
    passed("the reloaded model predicts exactly as the trained one")


def check_headline(accuracy: object, threshold: float = 0.98) -> None:
    """Check that the test accuracy, a fraction between 0 and 1, reaches ``threshold``."""
    value = as_float("accuracy", accuracy, tensor_ok=False)
    if value > 1:
        hint = "keep it as a fraction here; multiply by 100 only when printing a percentage."
        fail(f"accuracy is {value}, more than 1.", hint)
    if value < threshold:
        hint = "train for more epochs, try another learning rate, or revisit the features."
        fail(f"test accuracy {value:.1%} is below {threshold:.0%}.", hint)
    passed(f"test accuracy {value:.1%} reaches {threshold:.0%}")
