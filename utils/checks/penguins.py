"""Self-checks for notebooks 01 (species classification) and 02 (body-mass regression).

Expected values are computed here from the data (split sizes, baselines), never
typed in, so a check cannot drift from the dataset it checks. Failures say what
is wrong and give a hint, never the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

from utils.checks._core import as_float, call_learner_function, check_tensor, fail, passed
from utils.penguins import PenguinDataset, load_penguin_table, split_rows

_SPLIT_HINT = "build it as PenguinDataset(features, targets, split=...) with the default seed."


def _expected_lengths() -> dict[str, int]:
    return {name: len(rows) for name, rows in split_rows(load_penguin_table()).items()}


def _check_split(name: str, dataset: object, split: str) -> PenguinDataset:
    """Check that ``dataset`` is the ``split`` split of the penguins; return it, typed."""
    if not isinstance(dataset, PenguinDataset):
        fail(f"{name} should be a PenguinDataset, got {type(dataset).__name__}.", _SPLIT_HINT)
    assert isinstance(dataset, PenguinDataset)  # for type checkers; fail() raised otherwise
    expected = _expected_lengths()[split]
    if len(dataset) != expected:
        fail(
            f"{name} holds {len(dataset)} penguins, but the {split} split has {expected}.",
            f"did you pass split={split!r}?",
        )
    return dataset


def _check_pair(
    train_set: object, validation_set: object, target: str
) -> tuple[PenguinDataset, PenguinDataset]:
    """Check both splits, their columns and one item's features; return both, typed."""
    train = _check_split("train_set", train_set, "train")
    validation = _check_split("validation_set", validation_set, "validation")
    if train.targets != [target]:
        fail(f"The target should be {target!r}, got {train.targets}.")
    if validation.features != train.features or validation.targets != train.targets:
        fail(
            "validation_set uses other columns than train_set.",
            "build both from the same features and targets lists.",
        )
    check_tensor("the features of an item", train[0][0], (len(train.feature_names),), torch.float32)
    return train, validation


def check_classification_datasets(train_set: object, validation_set: object) -> None:
    """Check the two splits and the shape and dtype of one item, for classification."""
    train, validation = _check_pair(train_set, validation_set, "species")
    check_tensor("the target of an item", train[0][1], shape=(), dtype=torch.int64)
    passed(
        f"{len(train)} training and {len(validation)} validation penguins, "
        f"{len(train.feature_names)} features each"
    )


def check_regression_datasets(train_set: object, validation_set: object) -> None:
    """Check the two splits and the shape and dtype of one item, for body-mass regression."""
    train, validation = _check_pair(train_set, validation_set, "body_mass_g")
    check_tensor("the target of an item", train[0][1], shape=(1,), dtype=torch.float32)
    passed(f"{len(train)} training and {len(validation)} validation penguins")


def check_loaders(train_loader: object, validation_loader: object) -> None:
    """Check that training batches are shuffled and complete, and validation ones are not."""
    for name, loader in (("train_loader", train_loader), ("validation_loader", validation_loader)):
        if not isinstance(loader, DataLoader):
            fail(
                f"{name} should be a DataLoader, got {type(loader).__name__}.",
                "DataLoader(dataset, batch_size=..., shuffle=...)",
            )
    assert isinstance(train_loader, DataLoader)
    assert isinstance(validation_loader, DataLoader)
    if not isinstance(train_loader.sampler, RandomSampler):
        fail(
            "train_loader does not shuffle.",
            "without shuffling, every epoch shows the same batches in the same order; "
            "pass shuffle=True.",
        )
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
    passed(f"loaders look right: training batches of {train_loader.batch_size}, shuffled")


def check_model(model: object, n_features: int, n_outputs: int) -> None:
    """Check that ``model`` maps a batch of feature vectors to raw outputs of the right shape."""
    if not isinstance(model, nn.Module):
        fail(
            f"model should be an nn.Module, got {type(model).__name__}.",
            "create an instance of your class: model = FCNet(...).",
        )
    assert isinstance(model, nn.Module)
    was_training = model.training
    parameter = next(model.parameters(), None)
    if parameter is None:
        fail("model has no parameters to train.", "build its layers in __init__ and keep them.")
    assert parameter is not None
    batch = torch.randn(8, n_features, generator=torch.Generator().manual_seed(0))
    model.eval()
    try:
        with torch.no_grad():
            output = model(batch.to(parameter.device))
    except Exception as error:  # a learner's model can raise anything
        fail(
            f"model fails on a batch of shape (8, {n_features}): {error}",
            f"the first Linear layer takes {n_features} inputs.",
        )
    finally:
        model.train(was_training)
    check_tensor("model(batch)", output, shape=(8, n_outputs), dtype=torch.float32)
    if n_outputs > 1:
        rows_sum_to_one = torch.allclose(output.sum(dim=1).cpu(), torch.ones(8), atol=1e-4)
        if rows_sum_to_one and bool((output >= 0).all()):
            fail(
                "model's outputs look like probabilities (each row sums to 1).",
                "return raw scores (logits); CrossEntropyLoss applies the softmax itself.",
            )
    passed(f"model maps (batch, {n_features}) to (batch, {n_outputs})")


def check_loss(loss: object) -> None:
    """Check that ``loss`` is a single-number tensor that backpropagation can start from."""
    check_tensor("loss", loss, shape=(), dtype=torch.float32)
    assert isinstance(loss, torch.Tensor)
    if loss.grad_fn is None:
        fail(
            "loss is not connected to the model's parameters, so backward() has nothing to do.",
            "compute it from the model's output, and only call .item() for printing.",
        )
    if not torch.isfinite(loss) or loss.item() < 0:
        fail(f"loss is {loss.item()}, expected a finite, non-negative number.")
    passed("loss is a scalar tensor, connected to the model's parameters")


def check_epoch_metrics(metrics: object, names: tuple[str, ...] = ("loss", "accuracy")) -> None:
    """Check a ``{"loss": ..., "accuracy": ...}`` dict returned by an epoch function."""
    if not isinstance(metrics, Mapping):
        fail(
            f"the epoch function should return a dict, got {type(metrics).__name__}.",
            'return {"loss": ..., "accuracy": ...}',
        )
    assert isinstance(metrics, Mapping)
    missing = [name for name in names if name not in metrics]
    if missing:
        fail(f"the metrics dict lacks {missing}; it has {list(metrics)}.")
    for name in names:
        value = metrics[name]
        if not isinstance(value, float):
            fail(
                f'metrics["{name}"] should be a Python float, got {type(value).__name__}.',
                "store plain numbers: convert tensors with .item() (which also frees their graph).",
            )
        if not np.isfinite(value) or value < 0:
            fail(f'metrics["{name}"] is {value}, expected a finite, non-negative number.')
    if "accuracy" in names and metrics["accuracy"] > 1:
        fail(
            f'metrics["accuracy"] is {metrics["accuracy"]}, more than 1.',
            "divide the number of correct predictions by the number of penguins.",
        )
    passed(f"the epoch function returns {', '.join(names)}")


def check_probabilities(probabilities: object, n_rows: int, n_classes: int) -> None:
    """Check that each row of ``probabilities`` is a probability distribution over classes."""
    check_tensor("probabilities", probabilities, shape=(n_rows, n_classes))
    assert isinstance(probabilities, torch.Tensor)
    if (probabilities < 0).any() or not torch.allclose(
        probabilities.sum(dim=1), torch.ones(n_rows, dtype=probabilities.dtype), atol=1e-5
    ):
        fail(
            "each row of probabilities should be non-negative and sum to 1.",
            "apply softmax along the class dimension (dim=1) of the logits.",
        )
    passed("each row is a probability distribution over the species")


def check_accuracy(accuracy: object, threshold: float = 0.98) -> None:
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


def check_to_grams(to_grams: object, dataset: PenguinDataset) -> None:
    """Check that ``to_grams`` turns the dataset's standardised targets back into grams."""
    grams = call_learner_function("to_grams", to_grams, dataset.y)
    check_tensor("to_grams(dataset.y)", grams, shape=tuple(dataset.y.shape))
    assert isinstance(grams, torch.Tensor)
    expected = torch.tensor(dataset.frame["body_mass_g"].to_numpy(), dtype=grams.dtype)
    if not torch.allclose(grams[:, 0], expected, atol=0.1):
        if torch.allclose(grams[:, 0], expected - dataset.target_mean.item(), atol=0.1):
            hint = "the scale is right but the offset is missing: add the training mean."
        else:
            hint = (
                "undo (value - mean) / std: multiply by the training std first, then add the mean."
            )
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
    elif value < 10:
        hint = "that looks standardised; convert to grams with * target_std + target_mean."
    else:
        hint = "average the absolute differences |true - training mean| over validation penguins."
    fail(f"mean_baseline_mae = {value:.1f} g is not the mean baseline's MAE.", hint)


def _least_squares_mae(train_set: PenguinDataset, validation_set: PenguinDataset) -> float:
    """Return the validation MAE, in grams, of ordinary least squares with an intercept."""

    def design(dataset: PenguinDataset) -> np.ndarray:
        features = dataset.x.double().numpy()
        return np.hstack([features, np.ones((len(dataset), 1))])

    coefficients, *_ = np.linalg.lstsq(design(train_set), train_set.y.double().numpy(), rcond=None)
    scale, shift = train_set.target_std.double().numpy(), train_set.target_mean.double().numpy()
    predicted = design(validation_set) @ coefficients * scale + shift
    true = validation_set.y.double().numpy() * scale + shift
    return float(np.mean(np.abs(predicted - true)))


def check_least_squares(
    mae: object, train_set: PenguinDataset, validation_set: PenguinDataset
) -> None:
    """Check the validation MAE, in grams, of least squares fitted on the training split."""
    value = as_float("least_squares_mae", mae)
    expected = _least_squares_mae(train_set, validation_set)
    if not np.isclose(value, expected, rtol=1e-3):
        if value < 10:
            hint = "that looks standardised; convert to grams with * target_std + target_mean."
        elif value < expected:
            hint = "better than least squares can do: was the fit given validation penguins?"
        else:
            hint = (
                "fit on the training split only, with a column of ones for the intercept, "
                "and measure on the validation split."
            )
        fail(f"least_squares_mae = {value:.1f} g is not what least squares gives.", hint)
    passed(f"least squares is off by {value:.0f} g on average")


def check_network_mae(mae: object, least_squares_mae: object, tolerance: float = 1.05) -> None:
    """Check that the network's validation MAE is within ``tolerance`` of least squares."""
    value = as_float("network_mae", mae)
    baseline = as_float("least_squares_mae", least_squares_mae)
    if value > tolerance * baseline:
        fail(
            f"the network's MAE, {value:.0f} g, is worse than {tolerance} × least squares "
            f"({baseline:.0f} g).",
            "train longer or with another learning rate; check that predictions are in grams.",
        )
    passed(f"the network ({value:.0f} g) holds its own against least squares ({baseline:.0f} g)")
