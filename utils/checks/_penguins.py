"""What the notebook 01 and 02 self-checks share: the splits, the model, the loss, and probes
that run a learner's epoch functions on a tiny problem whose right answer is known.

The probes never touch the learner's own model or data: each call gets a fresh probe model
and a probe loader of 10 items in batches of 4, 4 and 2, so that mistakes which cancel out on
equal batches (a mean of batch means, a missing ``* len(y)``) give recognisably wrong numbers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checks._core import call_learner_function, check_tensor, fail, require_answer
from utils.penguins import PenguinDataset, load_penguin_table, split_rows

Task = Literal["classification", "regression"]

SPLIT_HINT = "build it as PenguinDataset(features, targets, split=...) with the default seed."
PROBE_SIZE, PROBE_BATCH, PROBE_FEATURES, PROBE_LR = 10, 4, 3, 0.1
STEP_ORDER = "zero_grad → forward → loss → backward → step, once per batch"


def expected_lengths() -> dict[str, int]:
    """Return the number of penguins in each split."""
    return {name: len(rows) for name, rows in split_rows(load_penguin_table()).items()}


def check_split(name: str, dataset: object, split: str) -> PenguinDataset:
    """Check that ``dataset`` is the ``split`` split of the penguins; return it, typed."""
    require_answer(name, dataset)
    if not isinstance(dataset, PenguinDataset):
        fail(f"{name} should be a PenguinDataset, got {type(dataset).__name__}.", SPLIT_HINT)
    assert isinstance(dataset, PenguinDataset)  # for type checkers; fail() raised otherwise
    expected = expected_lengths()[split]
    if len(dataset) != expected:
        fail(
            f"{name} holds {len(dataset)} penguins, but the {split} split has {expected}.",
            f"did you pass split={split!r}?",
        )
    return dataset


def check_pair(
    train_set: object, validation_set: object, target: str
) -> tuple[PenguinDataset, PenguinDataset]:
    """Check both splits, their columns and one item's features; return both, typed."""
    train = check_split("train_set", train_set, "train")
    validation = check_split("validation_set", validation_set, "validation")
    if train.targets != [target]:
        fail(f"The target should be {target!r}, got {train.targets}.")
    if validation.features != train.features or validation.targets != train.targets:
        fail(
            "validation_set uses other columns than train_set.",
            "build both from the same features and targets lists.",
        )
    check_tensor("the features of an item", train[0][0], (len(train.feature_names),), torch.float32)
    return train, validation


def check_model(model: object, n_features: int, n_outputs: int) -> nn.Module:
    """Check that ``model`` maps a batch of feature vectors to raw outputs of the right shape."""
    require_answer("model", model)
    if not isinstance(model, nn.Module):
        fail(
            f"model should be an nn.Module, got {type(model).__name__}.",
            "create an instance of the class: model = FCNet(...).",
        )
    assert isinstance(model, nn.Module)
    parameter = next(model.parameters(), None)
    if parameter is None:
        fail("model has no parameters to train.", "build its layers in __init__ and keep them.")
    assert parameter is not None
    was_training = model.training
    batch = torch.randn(8, n_features, generator=torch.Generator().manual_seed(0))
    model.eval()
    try:
        with torch.no_grad():
            output = model(batch.to(parameter.device))
    except Exception as error:  # a learner's model can raise anything
        fail(
            f"model fails on a batch of shape (8, {n_features}): {error}",
            f"the first Linear layer takes the {n_features} features; each later one takes as "
            "many inputs as the layer before it has outputs.",
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
    return model


def check_optimizer(optimizer: object, model: nn.Module, kind: type, lr: float) -> None:
    """Check that ``optimizer`` is a ``kind`` with learning rate ``lr`` over ``model``'s weights."""
    require_answer("optimizer", optimizer)
    if not isinstance(optimizer, torch.optim.Optimizer):
        fail(
            f"optimizer should be a torch.optim optimiser, got {type(optimizer).__name__}.",
            f"torch.optim.{kind.__name__}(model.parameters(), lr={lr})",
        )
    assert isinstance(optimizer, torch.optim.Optimizer)
    if not isinstance(optimizer, kind):
        fail(f"optimizer is {type(optimizer).__name__}; the task asks for {kind.__name__}.")
    learning_rate = optimizer.param_groups[0]["lr"]
    if not np.isclose(learning_rate, lr):
        fail(f"the learning rate is {learning_rate}; the task asks for {lr}.")
    handed = {id(p) for group in optimizer.param_groups for p in group["params"]}
    own = {id(p) for p in model.parameters()}
    if handed != own:
        fail(
            "optimizer does not hold this model's parameters, so step() would not change it.",
            "create the optimiser after the model, from model.parameters() of that same model.",
        )


def check_loss(loss: object) -> torch.Tensor:
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
    return loss


def check_metrics(metrics: object, names: tuple[str, ...], function: str) -> Mapping[str, float]:
    """Check a dict of plain, finite, non-negative numbers returned by an epoch function."""
    if not isinstance(metrics, Mapping):
        fail(
            f"{function} should return a dict, got {type(metrics).__name__}.",
            "return {" + ", ".join(f'"{name}": ...' for name in names) + "}",
        )
    assert isinstance(metrics, Mapping)
    missing = [name for name in names if name not in metrics]
    if missing:
        fail(f"the dict {function} returns lacks {missing}; it has {list(metrics)}.")
    for name in names:
        value = metrics[name]
        if isinstance(value, torch.Tensor) or not isinstance(value, float | int):
            fail(
                f'{function}(...)["{name}"] should be a Python float, got {type(value).__name__}.',
                "store plain numbers: convert tensors with .item() (which also frees their graph).",
            )
        if not np.isfinite(value) or value < 0:
            fail(f'{function}(...)["{name}"] is {value}, expected a finite, non-negative number.')
    return metrics


# --- Probes -----------------------------------------------------------------------------------


def probe_loader(task: Task) -> DataLoader:
    """Ten probe items in batches of 4, 4 and 2 (not shuffled), with targets of ``task``."""
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(PROBE_SIZE, PROBE_FEATURES, generator=generator)
    if task == "classification":
        y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 2])
    else:
        y = torch.randn(PROBE_SIZE, 1, generator=generator)
    return DataLoader(TensorDataset(x, y), batch_size=PROBE_BATCH)


def _outputs(task: Task) -> int:
    return 3 if task == "classification" else 1


def probe_linear(task: Task) -> nn.Module:
    """A seeded Linear model: one SGD step on it is easy to compute by hand."""
    torch.manual_seed(2)
    return nn.Linear(PROBE_FEATURES, _outputs(task))


def probe_network(task: Task) -> nn.Module:
    """A seeded network with batch normalisation and dropout, left in training mode."""
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Linear(PROBE_FEATURES, 8),
        nn.BatchNorm1d(8),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(8, _outputs(task)),
    )
    with torch.no_grad():  # give the running statistics values far from a batch's own
        model[1].running_mean.fill_(0.7)
        model[1].running_var.fill_(3.0)
    return model.train()


def probe_loss_function(task: Task) -> nn.Module:
    return nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()


def reference_train(
    task: Task,
    zero_grad: bool = True,
    sign: float = 1.0,
    softmax: bool = False,
    squeeze: bool = False,
) -> list[torch.Tensor]:
    """Return the probe model's parameters after an epoch of SGD, done right or wrong."""
    model, loss_function = probe_linear(task), probe_loss_function(task)
    optimizer = torch.optim.SGD(model.parameters(), lr=PROBE_LR)
    for x, y in probe_loader(task):
        if zero_grad:
            optimizer.zero_grad()
        output = model(x)
        if softmax:
            output = torch.softmax(output, dim=1)
        if squeeze:
            output = output.squeeze(1)
        with _quiet():
            loss = sign * loss_function(output, y)
        loss.backward()
        optimizer.step()
    return [parameter.detach().clone() for parameter in model.parameters()]


class _quiet:
    """Silence the broadcasting warning of a deliberately wrong MSE loss."""

    def __enter__(self) -> None:
        import warnings

        self._context = warnings.catch_warnings()
        self._context.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)


def _same(first: list[torch.Tensor], second: list[torch.Tensor]) -> bool:
    return all(
        torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(first, second, strict=True)
    )


def probe_train_one_epoch(train_one_epoch: object, task: Task, names: tuple[str, ...]) -> None:
    """Run :func:`_probe_train_one_epoch` without touching the notebook's random numbers."""
    with torch.random.fork_rng():
        _probe_train_one_epoch(train_one_epoch, task, names)


def _probe_train_one_epoch(train_one_epoch: object, task: Task, names: tuple[str, ...]) -> None:
    """Run the learner's ``train_one_epoch`` on a probe and name the mistake if its steps differ.

    The probe is a Linear model trained by plain SGD (learning rate 0.1) on three batches;
    the learner's parameters afterwards are compared with those of a reference epoch and of
    known mistakes (no ``zero_grad``, the loss's sign flipped, a softmax before the
    cross-entropy, a squeezed prediction).
    """
    require_answer("train_one_epoch", train_one_epoch)
    model, loss_function = probe_linear(task), probe_loss_function(task)
    start = [parameter.detach().clone() for parameter in model.parameters()]
    optimizer = torch.optim.SGD(model.parameters(), lr=PROBE_LR)
    with _quiet():
        metrics = call_learner_function(
            "train_one_epoch",
            train_one_epoch,
            model,
            probe_loader(task),
            loss_function,
            optimizer,
            torch.device("cpu"),
        )
    after = [parameter.detach().clone() for parameter in model.parameters()]
    if not _same(after, reference_train(task)):
        _name_training_mistake(task, model, start, after)
    check_metrics(metrics, names, "train_one_epoch")


def _name_training_mistake(
    task: Task, model: nn.Module, start: list[torch.Tensor], after: list[torch.Tensor]
) -> None:
    if _same(after, start):
        gradients = [parameter.grad for parameter in model.parameters()]
        if all(gradient is None or not gradient.any() for gradient in gradients):
            fail(
                "train_one_epoch did not change the model's parameters, and they hold no gradient.",
                f"call loss.backward() before optimizer.step(), and zero_grad() first: "
                f"{STEP_ORDER}.",
            )
        fail(
            "train_one_epoch did not change the model's parameters, though they hold gradients.",
            f"call optimizer.step() after loss.backward(): {STEP_ORDER}.",
        )
    if _same(after, reference_train(task, zero_grad=False)):
        fail(
            "train_one_epoch lets the gradients of all the batches pile up: each step uses the "
            "sum of this batch's gradient and every earlier one's.",
            "backward() adds to .grad; call optimizer.zero_grad() at the start of every batch.",
        )
    if _same(after, reference_train(task, sign=-1.0)):
        fail(
            "train_one_epoch moves the parameters uphill: the loss grows with every step.",
            "backpropagate the loss itself, not its negative; the optimiser subtracts the "
            "gradient already.",
        )
    if task == "classification" and _same(after, reference_train(task, softmax=True)):
        fail(
            "train_one_epoch applies a softmax before the loss.",
            "CrossEntropyLoss takes raw logits and applies the (log-)softmax itself.",
        )
    if task == "regression" and _same(after, reference_train(task, squeeze=True)):
        fail(
            "train_one_epoch compares predictions of shape (batch,) with targets of shape "
            "(batch, 1): the loss broadcasts them to a (batch, batch) grid of every pair.",
            "keep the model's output as it is, shape (batch, 1), like the targets.",
        )
    fail(
        "after one epoch on a probe problem, train_one_epoch leaves the parameters different "
        "from one plain SGD step per batch.",
        f"for each batch: {STEP_ORDER}; use the loss_function and optimizer it is given.",
    )


def probe_evaluate(
    evaluate: object,
    task: Task,
    reference: Callable[[nn.Module, DataLoader], dict[str, float]],
    mistakes: Callable[[nn.Module, DataLoader], dict[str, tuple[dict[str, float], str]]],
) -> None:
    """Run :func:`_probe_evaluate` without touching the notebook's random numbers."""
    with torch.random.fork_rng():
        _probe_evaluate(evaluate, task, reference, mistakes)


def _probe_evaluate(
    evaluate: object,
    task: Task,
    reference: Callable[[nn.Module, DataLoader], dict[str, float]],
    mistakes: Callable[[nn.Module, DataLoader], dict[str, tuple[dict[str, float], str]]],
) -> None:
    """Run the learner's ``evaluate`` on a probe network left in training mode, and check it.

    ``reference`` computes the right metrics of the probe network in evaluation mode;
    ``mistakes`` maps a description of each known slip to (its metrics, its hint).
    """
    require_answer("evaluate", evaluate)
    model, loader = probe_network(task), probe_loader(task)
    untouched = copy.deepcopy(model)
    grad_enabled: list[bool] = []
    model.register_forward_hook(lambda *_: grad_enabled.append(torch.is_grad_enabled()))
    metrics = call_learner_function(
        "evaluate", evaluate, model, loader, probe_loss_function(task), torch.device("cpu")
    )
    names = tuple(reference(untouched.eval(), loader))
    check_metrics(metrics, names, "evaluate")
    batch_norm = model[1]
    if model.training or not torch.equal(batch_norm.running_mean, untouched[1].running_mean):
        fail(
            "evaluate predicts in training mode: dropout switches units off at random, and "
            "batch normalisation updates its statistics with validation data.",
            "call model.eval() before the loop.",
        )
    if any(grad_enabled):
        fail(
            "evaluate builds the graph for backpropagation, which it never uses.",
            "run the loop under torch.no_grad() (the decorator above the function does it).",
        )
    expected = reference(untouched, loader)
    wrong = {name: value for name, value in expected.items() if not _close(metrics[name], value)}
    if not wrong:
        return
    for description, (slip, hint) in mistakes(untouched, loader).items():
        if all(name in slip and _close(metrics[name], slip[name]) for name in wrong):
            fail(f"evaluate's {', '.join(wrong)} {description}.", hint)
    fail(
        f"on a probe problem, evaluate gives {', '.join(f'{n} = {metrics[n]:.4g}' for n in wrong)}"
        f" instead of {', '.join(f'{expected[n]:.4g}' for n in wrong)}.",
        "sum each batch's loss times its size (and the other totals) over the batches, then "
        "divide by len(loader.dataset), the number of items.",
    )


def _close(value: float, expected: float) -> bool:
    return bool(np.isclose(value, expected, rtol=1e-4, atol=1e-6))


@torch.no_grad()
def batch_outputs(model: nn.Module, loader: DataLoader) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Return (output, target) for each batch of ``loader``, in evaluation mode."""
    model.eval()
    return [(model(x), y) for x, y in loader]
