"""Self-checks for notebook 01: classifying penguin species.

Expected values are computed here from the data or from the learner's own model, never typed
in. The epoch functions are checked by running them on probe problems (see
``utils/checks/_penguins.py``), so a check cannot be fooled by a variable that happens to hold
the right number. Failures say what is wrong and give a hint, never the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from matplotlib.axes import Axes
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

from utils.checks._core import as_float, check_tensor, fail, passed, require_answer
from utils.checks._penguins import (
    batch_outputs,
    check_loss,
    check_optimizer,
    check_pair,
    probe_evaluate,
    probe_train_one_epoch,
)
from utils.checks._penguins import check_model as _check_model
from utils.penguins import COLUMNS, PenguinDataset

# The five measurements of the bird itself; island and year say where and when it was seen.
_BIRD = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex")
NAMES = ("loss", "accuracy")


def check_features(features: object) -> None:
    """Check the chosen feature columns: everything measured on the bird, nothing else."""
    require_answer("features", features)
    if isinstance(features, str) or not isinstance(features, Sequence):
        fail(
            f"features should be a list of column names, got {type(features).__name__}.",
            'write it as ["column", "another column", ...].',
        )
    assert isinstance(features, Sequence)
    unknown = [name for name in features if name not in COLUMNS]
    if unknown:
        fail(f"{unknown} are not columns of the table.", f"the columns are {list(COLUMNS)}.")
    if "species" in features:
        fail(
            "features include the species, the very thing the model should predict.",
            "the target must never be an input.",
        )
    elsewhere = [name for name in features if name in ("island", "year")]
    if elsewhere:
        fail(
            f"features include {elsewhere}, which describe where or when a bird was measured.",
            "use only measurements of the bird itself (see the reasons above the task).",
        )
    missing = [name for name in _BIRD if name not in features]
    if missing:
        fail(
            f"features leave out {len(missing)} measurement(s) of the bird.",
            "the task above gives a reason for every measurement of the bird; take them all "
            "(sex included).",
        )
    passed(f"{len(features)} features, all measured on the bird")


def check_datasets(train_set: object, validation_set: object) -> None:
    """Check the two splits and the shape and dtype of one item, for classification."""
    train, validation = check_pair(train_set, validation_set, "species")
    check_tensor("the target of an item", train[0][1], shape=(), dtype=torch.int64)
    passed(
        f"{len(train)} training and {len(validation)} validation penguins, "
        f"{len(train.feature_names)} features each"
    )


def check_loaders(train_loader: object, validation_loader: object) -> None:
    """Check that training batches are shuffled and complete, and validation is one batch."""
    for name, loader in (("train_loader", train_loader), ("validation_loader", validation_loader)):
        require_answer(name, loader)
        if not isinstance(loader, DataLoader):
            fail(
                f"{name} should be a DataLoader, got {type(loader).__name__}.",
                "DataLoader(dataset, batch_size=..., shuffle=...)",
            )
    assert isinstance(train_loader, DataLoader)
    assert isinstance(validation_loader, DataLoader)
    if train_loader.dataset is validation_loader.dataset:
        fail(
            "both loaders read the same dataset.",
            "train_loader reads train_set, validation_loader validation_set.",
        )
    if not isinstance(train_loader.sampler, RandomSampler):
        fail(
            "train_loader does not shuffle.",
            "without shuffling, every epoch shows the same batches in the same order; "
            "pass shuffle=True.",
        )
    if train_loader.batch_size != 16:
        fail(f"train_loader makes batches of {train_loader.batch_size}; use batch_size.")
    if not train_loader.drop_last:
        fail(
            "train_loader keeps a last, smaller batch.",
            "a batch of one penguin breaks BatchNorm in training mode; pass drop_last=True.",
        )
    if not isinstance(validation_loader.sampler, SequentialSampler):
        fail(
            "validation_loader shuffles.",
            "evaluation looks at every penguin once, and order does not matter: shuffle=False.",
        )
    if validation_loader.drop_last:
        fail(
            "validation_loader drops its last batch, so some penguins are never validated.",
            "leave drop_last=False for evaluation.",
        )
    n_validation = len(validation_loader.dataset)  # type: ignore[arg-type]
    if len(validation_loader) != 1:
        fail(
            f"validation_loader cuts the {n_validation} validation penguins into "
            f"{len(validation_loader)} batches of {validation_loader.batch_size}.",
            "nothing is learnt during validation, so one batch that holds them all is "
            "fastest: batch_size=64.",
        )
    passed(f"loaders look right: training batches of {train_loader.batch_size}, shuffled")


def check_model(model: object, n_features: int, n_classes: int) -> None:
    """Check that ``model`` maps a batch of features to one logit per class, block by block."""
    network = _check_model(model, n_features, n_classes)
    linear = [module for module in network.modules() if isinstance(module, nn.Linear)]
    norms = [module for module in network.modules() if isinstance(module, nn.BatchNorm1d)]
    if len(linear) != 3 or len(norms) != 2:
        fail(
            f"model has {len(linear)} Linear and {len(norms)} BatchNorm1d layers; with "
            "hidden_sizes=(32, 32) it should have 3 and 2.",
            "one block (Linear, BatchNorm1d, ReLU, Dropout) per hidden size, then one Linear "
            "layer; let the width of each Linear layer be the previous layer's size.",
        )
    if not any(isinstance(module, nn.Dropout) for module in network.modules()):
        fail("model has no Dropout layer.", "end each hidden block with nn.Dropout(dropout).")
    passed(f"model maps (batch, {n_features}) to (batch, {n_classes}) through two hidden blocks")


def check_loss_and_optimizer(loss: object, optimizer: object, model: nn.Module) -> None:
    """Check the loss of one batch and the Adam optimiser (learning rate 0.003) over ``model``."""
    require_answer("loss", loss)
    check_optimizer(optimizer, model, torch.optim.Adam, 0.003)
    value = check_loss(loss).item()
    # An untrained network's cross-entropy over three classes is near log(3) = 1.1; the same
    # loss fed probabilities instead of logits cannot fall below 0.55.
    if not 0.2 < value < 5:
        fail(
            f"the loss of an untrained network is {value:.3g}; the cross-entropy of a "
            "three-way guess should be near log(3) ≈ 1.1.",
            "use nn.CrossEntropyLoss() on the model's logits and the batch's class indices.",
        )
    passed(f"loss {value:.2f} (log 3 ≈ 1.10 for a blind guess); Adam, learning rate 0.003")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check one epoch of the learner's ``train_one_epoch`` on a probe problem."""
    probe_train_one_epoch(train_one_epoch, "classification", NAMES)
    passed("train_one_epoch takes the right steps on a probe problem")


def _reference(model: nn.Module, loader: DataLoader) -> dict[str, float]:
    outputs = batch_outputs(model, loader)
    n = sum(len(y) for _, y in outputs)
    loss = sum(nn.functional.cross_entropy(out, y, reduction="sum").item() for out, y in outputs)
    correct = sum((out.argmax(dim=1) == y).sum().item() for out, y in outputs)
    return {"loss": loss / n, "accuracy": correct / n}


def _mistakes(model: nn.Module, loader: DataLoader) -> dict[str, tuple[dict[str, float], str]]:
    outputs = batch_outputs(model, loader)
    n, batches = sum(len(y) for _, y in outputs), len(outputs)
    means = [nn.functional.cross_entropy(out, y).item() for out, y in outputs]
    counts = [(out.argmax(dim=1) == y).sum().item() for out, y in outputs]
    accuracies = [count / len(y) for count, (_, y) in zip(counts, outputs, strict=True)]
    return {
        "is the sum of the batch means divided by the number of penguins": (
            {"loss": sum(means) / n},
            "loss_function gives a batch's mean; multiply it by the batch's size, len(y), "
            "before adding it to the total.",
        ),
        "is a mean of batch means, which over-weights a last, smaller batch": (
            {"loss": sum(means) / batches, "accuracy": sum(accuracies) / batches},
            "add up loss × len(y) and the correct counts over the batches, then divide by "
            "len(loader.dataset).",
        ),
        "is a total that is never divided by the number of penguins": (
            {"loss": sum(m * len(y) for m, (_, y) in zip(means, outputs, strict=True))},
            "divide the total by len(loader.dataset).",
        ),
        "counts the correct predictions per batch, not per penguin": (
            {"accuracy": sum(counts) / batches},
            "divide the number of correct predictions by len(loader.dataset).",
        ),
    }


def check_evaluate(evaluate: object) -> None:
    """Check the learner's ``evaluate`` on a probe network with unequal batches."""
    probe_evaluate(evaluate, "classification", _reference, _mistakes)
    passed("evaluate gives the exact mean loss and accuracy, in evaluation mode")


def check_training(metrics: object) -> None:
    """Check the table of metrics that the training loop collected, one row per epoch."""
    require_answer("metrics", metrics)
    if not isinstance(metrics, pd.DataFrame):
        fail(f"metrics should be a pandas DataFrame, got {type(metrics).__name__}.")
    assert isinstance(metrics, pd.DataFrame)
    first, last = metrics["validation loss"].iloc[0], metrics["validation loss"].iloc[-1]
    if not last < 0.5 * first:
        fail(
            f"the validation loss went from {first:.3f} to {last:.3f}; it should at least halve.",
            "if the training loss does not fall either, look at train_one_epoch's steps and the "
            "learning rate; if only the validation loss stays up, the model over-fits.",
        )
    worst = metrics["validation accuracy"].iloc[-5:].min()
    if worst < 0.95:
        fail(
            f"over the last five epochs the validation accuracy drops to {worst:.1%}.",
            "a few more epochs, or revisit the features.",
        )
    passed(f"the validation loss fell from {first:.2f} to {last:.2f}; accuracy ≥ 95 % at the end")


def _curves(ax: Axes) -> dict[str, np.ndarray]:
    return {line.get_label(): np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()}


def check_accuracy_plot(ax_accuracy: object, metrics: pd.DataFrame) -> None:
    """Check that ``ax_accuracy`` shows the training and validation accuracy in percent."""
    if not isinstance(ax_accuracy, Axes):
        fail(f"ax_accuracy should be a matplotlib Axes, got {type(ax_accuracy).__name__}.")
    assert isinstance(ax_accuracy, Axes)
    curves = _curves(ax_accuracy)
    if not curves:
        fail(
            "ax_accuracy is empty.",
            "pass ax=ax_accuracy to plot_training_curves, as the loss curves get ax=ax_loss.",
        )
    for column in ("train accuracy", "validation accuracy"):
        values = metrics[column].to_numpy(dtype=float)
        if any(
            np.allclose(curve, values) for curve in curves.values() if len(curve) == len(values)
        ):
            fail(
                f"the {column} is drawn as a fraction between 0 and 1.",
                "the task asks for percent: multiply by 100.",
            )
        if not any(
            np.allclose(curve, 100 * values)
            for curve in curves.values()
            if len(curve) == len(values)
        ):
            fail(
                f"no curve on ax_accuracy shows the {column}.",
                'plot both: {"train": ..., "validation": ...}, from the metrics table.',
            )
    if "%" not in ax_accuracy.get_ylabel():
        fail(
            f"the y axis is labelled {ax_accuracy.get_ylabel()!r}; say the unit.",
            'ylabel="accuracy (%)"',
        )
    passed("training and validation accuracy, in percent")


def _eval_predictions(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    parameter = next(model.parameters())
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x.to(parameter.device)).cpu()
    model.train(was_training)
    return logits


def check_predictions(predicted: object, model: nn.Module, validation_set: PenguinDataset) -> None:
    """Check the predicted class index of every validation penguin."""
    n, n_classes = len(validation_set), len(validation_set.class_names)
    require_answer("predicted", predicted)
    check_tensor("predicted", predicted)
    assert isinstance(predicted, torch.Tensor)
    if predicted.shape == (n, n_classes):
        fail(
            f"predicted has shape {tuple(predicted.shape)}: a score per species, not one species "
            "per penguin.",
            "the predicted class is the index of the largest logit: .argmax(dim=1).",
        )
    if predicted.shape == (n_classes,):
        fail(
            f"predicted has shape {tuple(predicted.shape)}, one number per species.",
            "take the argmax over the classes, dim=1, not over the penguins.",
        )
    if predicted.shape != (n,):
        fail(
            f"predicted has shape {tuple(predicted.shape)}, expected ({n},).",
            "predict validation_set.x, all validation penguins at once.",
        )
    if predicted.device.type != "cpu":
        fail("predicted is still on the GPU.", "move it with .cpu() for plotting.")
    if predicted.dtype != torch.int64:
        fail(f"predicted has dtype {predicted.dtype}.", "argmax gives class indices (int64).")
    expected = _eval_predictions(model, validation_set.x).argmax(dim=1)
    if not torch.equal(predicted, expected):
        fail(
            f"{(predicted != expected).sum().item()} of the {n} predictions differ from the "
            "model's own in evaluation mode.",
            "predict validation_set.x in model.eval() mode, under torch.no_grad().",
        )
    passed(f"{(predicted == validation_set.y).sum().item()} of {n} validation penguins right")


def check_probabilities(
    probabilities: object, model: nn.Module, train_set: PenguinDataset, new_penguins: pd.DataFrame
) -> None:
    """Check the species probabilities of the new penguins against the model's own."""
    n, n_classes = len(new_penguins), len(train_set.class_names)
    require_answer("probabilities", probabilities)
    check_tensor("probabilities", probabilities, shape=(n, n_classes))
    assert isinstance(probabilities, torch.Tensor)
    probabilities = probabilities.detach().cpu().float()
    if (probabilities < 0).any() or not torch.allclose(
        probabilities.sum(dim=1), torch.ones(n), atol=1e-5
    ):
        if torch.allclose(probabilities.sum(dim=0), torch.ones(n_classes), atol=1e-5):
            fail(
                "each column sums to 1, not each row.",
                "apply the softmax along the class dimension, dim=1.",
            )
        fail(
            "each row of probabilities should be non-negative and sum to 1.",
            "turn the logits into probabilities with torch.softmax(logits, dim=1).",
        )
    expected = torch.softmax(
        _eval_predictions(model, train_set.transform_features(new_penguins)), 1
    )
    if torch.allclose(probabilities, expected, atol=1e-5):
        passed("each row is a probability distribution over the species")
        return
    standardised = train_set.transform_features(new_penguins)
    raw = standardised * train_set.feature_std + train_set.feature_mean
    numeric = torch.tensor([name in new_penguins.columns for name in train_set.feature_names])
    own = torch.where(numeric, (raw - raw.mean(dim=0)) / raw.std(dim=0, unbiased=False), raw)
    for candidate in (own, (raw - raw.mean(dim=0)) / raw.std(dim=0)):
        if torch.allclose(probabilities, torch.softmax(_eval_predictions(model, candidate), 1)):
            fail(
                "the new penguins are standardised with their own mean and standard deviation.",
                "a model only knows the training statistics: use train_set.transform_features.",
            )
    fail(
        "these are not the model's probabilities for the new penguins.",
        "feed the model train_set.transform_features(new_penguins), which standardises the "
        "rows with the *training* statistics, in model.eval() mode.",
    )


def check_predicted_species(predicted_species: object) -> None:
    """Check the species predicted for the three new penguins, typical birds of each species."""
    require_answer("predicted_species", predicted_species)
    expected = ["Adelie", "Chinstrap", "Gentoo"]
    if list(predicted_species) != expected:  # type: ignore[call-overload]
        fail(
            f"the model calls the three new penguins {list(predicted_species)}; they were chosen "  # type: ignore[call-overload]
            "as typical birds of each species, in the order Adélie, Chinstrap, Gentoo.",
            "a trained model should get these right: check the training above.",
        )
    passed("the three new penguins get their species")


def check_reloaded(
    reloaded: object, model: nn.Module, weights_path: Path, validation_set: PenguinDataset
) -> None:
    """Check that ``reloaded`` is a new model, loaded from ``weights_path``, predicting the same."""
    require_answer("reloaded", reloaded)
    if not Path(weights_path).is_file():
        fail(
            f"there is no file at {weights_path}.",
            "save with torch.save(model.state_dict(), weights_path).",
        )
    if reloaded is model:
        fail(
            "reloaded is the trained model itself, not a new one.",
            "build a new FCNet with the same arguments, then load the saved weights into it.",
        )
    if not isinstance(reloaded, nn.Module):
        fail(
            f"reloaded should be a model, got {type(reloaded).__name__}.",
            "load_state_dict() loads in place and returns a report, not the model: call it on "
            "the new FCNet, then use that FCNet.",
        )
    assert isinstance(reloaded, nn.Module)
    saved = torch.load(weights_path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict):
        fail("the file holds no state_dict.", "save model.state_dict(), not the model.")
    same = torch.equal(
        _eval_predictions(reloaded, validation_set.x), _eval_predictions(model, validation_set.x)
    )
    if not same:
        fail(
            "reloaded predicts differently from the trained model.",
            "after building the new FCNet, load the saved weights: "
            "reloaded.load_state_dict(torch.load(weights_path, weights_only=True)).",
        )
    passed("the reloaded model predicts exactly as the trained one")


def check_headline(accuracy: object, threshold: float = 0.98) -> None:
    """Check that the validation accuracy, a fraction between 0 and 1, reaches ``threshold``."""
    value = as_float("accuracy", accuracy)
    if value > 1:
        fail(
            f"accuracy is {value}, more than 1.",
            "keep it as a fraction here; multiply by 100 only when printing a percentage.",
        )
    if value < threshold:
        fail(
            f"validation accuracy {value:.1%} is below {threshold:.0%}.",
            "train for more epochs, try another learning rate, or revisit the features.",
        )
    passed(f"validation accuracy {value:.1%} reaches {threshold:.0%}")
