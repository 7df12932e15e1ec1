"""Self-checks for notebook 03, convolutional networks on MNIST.

Every expected value is computed here, with PyTorch's own layers and losses,
from the learner's inputs or from small probes; none is typed in. Checks call
the learner's functions on probes rather than reading the notebook's globals,
so a variable that shadows a global cannot fool them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checks._core import (
    as_float,
    call_learner_function,
    fail,
    find_factor,
    passed,
    require_answer,
)
from utils.mnist import MNISTSample

NUMBER_OF_CLASSES = 10
# A CNN for MNIST that trains in a minute on a laptop CPU needs far fewer than this.
MAX_PARAMETERS = 200_000
REQUIRED_LAYERS = (nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, nn.Dropout, nn.Linear)


def _as_tensor(name: str, value: object) -> torch.Tensor:
    """Return ``value`` (tensor, array or list of numbers) as a float64 tensor."""
    try:
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        fail(f"{name} should be a tensor of numbers, got {type(value).__name__}.")
    raise AssertionError  # unreachable: fail always raises


def check_count_classes(count_classes: object) -> None:
    """Check ``count_classes(labels)``: how many labels of each digit 0 to 9, a length-10 tensor."""
    # No 8s and no 9s: a count that stops at the largest label present comes out short.
    labels = torch.tensor([3, 1, 1, 0, 7, 3, 3, 5, 2, 1, 3, 6, 4])
    expected = torch.bincount(labels, minlength=NUMBER_OF_CLASSES).double()
    counts = _as_tensor(
        "count_classes(labels)", call_learner_function("count_classes", count_classes, labels)
    ).flatten()
    if counts.shape != expected.shape:
        hint = "return one count per digit 0 to 9, in order."
        if len(counts) == int(labels.max()) + 1:
            hint = (
                "torch.bincount stops at the largest label present; here no 8s or 9s came "
                "up. Its minlength argument sets the length."
            )
        fail(
            f"for labels {labels.tolist()}, count_classes should give {NUMBER_OF_CLASSES} "
            f"numbers, got {len(counts)}.",
            hint,
        )
    if not torch.equal(counts, expected):
        hint = "count how often each digit d appears in labels: (labels == d).sum()."
        if torch.isclose(counts.sum(), torch.tensor(1.0, dtype=torch.float64)):
            hint = "return counts (whole numbers), not fractions."
        fail(f"count_classes({labels.tolist()}) gives {counts.tolist()}.", hint)
    passed("count_classes counts every digit, including those that do not appear")


def check_majority_baseline(majority_baseline: object) -> None:
    """Check ``majority_baseline(train_labels, validation_labels)`` on probes.

    The baseline always guesses the commonest digit *of the training labels*
    and returns the fraction of validation labels it gets right.
    """
    train_labels = torch.tensor([2, 2, 2, 2, 5, 5, 5, 1, 0, 7])  # 2 is the commonest
    validation_labels = torch.tensor([5, 5, 5, 5, 5, 5, 2, 2, 2, 1, 0, 3])  # here 5 is
    expected = float((validation_labels == 2).double().mean())
    value = as_float(
        "majority_baseline(train_labels, validation_labels)",
        call_learner_function(
            "majority_baseline", majority_baseline, train_labels, validation_labels
        ),
    )
    if np.isclose(value, expected):
        passed("majority_baseline guesses the commonest training digit, scored on validation")
        return
    hint = find_factor(
        value,
        expected,
        {
            100.0: "return a fraction between 0 and 1, not a percentage.",
            float(len(validation_labels)): (
                "that is the number of correct guesses; divide by the number of validation labels."
            ),
        },
    )
    if hint is None:
        if np.isclose(value, float((validation_labels == 5).double().mean())):
            hint = (
                "you picked the commonest digit of the validation labels: that lets the "
                "validation set choose the model (leakage). Choose the guess from the "
                "training labels only, then score it on the validation labels."
            )
        elif np.isclose(value, float((train_labels == 2).double().mean())):
            hint = "score the guess on the validation labels, not on the training labels."
        elif value in (2.0, 5.0):
            hint = "return the accuracy of the guess, not the guessed digit."
        else:
            hint = (
                "guess = the digit with the largest training count (argmax); accuracy = "
                "the fraction of validation labels equal to it."
            )
    fail(f"on a small probe majority_baseline gives {value:g}, expected {expected:g}.", hint)


def _inputs_probe() -> MNISTSample:
    generator = torch.Generator().manual_seed(0)
    data = torch.randint(0, 256, (5, 28, 28), generator=generator, dtype=torch.uint8)
    data[0, 0, 0], data[1, 0, 0] = 0, 255  # the full range of grey levels occurs
    return MNISTSample(data, torch.tensor([3, 0, 9, 1, 1]))


def check_to_inputs(to_inputs: object) -> None:
    """Check ``to_inputs(dataset)``: images (N, 1, 28, 28) as floats in [0, 1], int64 labels."""
    dataset = _inputs_probe()
    result = call_learner_function("to_inputs", to_inputs, dataset)
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail("to_inputs should return two tensors, (images, labels).")
    images, labels = result
    if not isinstance(images, torch.Tensor) or not isinstance(labels, torch.Tensor):
        fail("to_inputs should return two tensors, (images, labels).")
    count = len(dataset)
    if tuple(images.shape) == (count, 28, 28):
        fail(
            f"images has shape {tuple(images.shape)}, without a channel axis.",
            "Conv2d wants (N, channels, height, width): add an axis of length 1 at position 1.",
        )
    if tuple(images.shape) != (count, 1, 28, 28):
        fail(f"images has shape {tuple(images.shape)}, expected ({count}, 1, 28, 28).")
    if not images.is_floating_point():
        fail(
            f"images has dtype {images.dtype}; a network needs floating-point inputs.",
            "convert with .float() before dividing: integer arithmetic on uint8 wraps around "
            "or rounds down.",
        )
    if images.dtype != torch.float32:
        fail(
            f"images has dtype {images.dtype}, expected torch.float32 (the dtype of the "
            "model's weights).",
            "use .float().",
        )
    expected = dataset.data.unsqueeze(1).float() / 255
    if images.min() < 0:
        fail(
            f"images go down to {images.min():g}; expected values in [0, 1].",
            "only divide by 255 here, no mean subtraction: BatchNorm rescales later.",
        )
    if images.max() > 1.5:
        fail(
            f"images go up to {images.max():g}: the uint8 grey levels 0 to 255 were not scaled.",
            "divide by 255 so that black is 0 and white is 1.",
        )
    if not torch.allclose(images, expected, atol=1e-6):
        hint = "divide the floats by 255."
        if set(images.unique().tolist()) <= {0.0, 1.0}:
            hint = "integer division (//) rounds down to 0 or 1: convert to float, then use /."
        fail("images are in [0, 1] but not equal to the grey levels divided by 255.", hint)
    if labels.dtype != torch.int64 or not torch.equal(labels, dataset.targets):
        fail(
            f"labels should be the dataset's targets as int64, got {labels.dtype} "
            f"{labels.tolist()}.",
            "CrossEntropyLoss wants class indices as int64 (torch.long), in the dataset's order.",
        )
    passed("to_inputs gives float32 images in [0, 1] of shape (N, 1, 28, 28) and int64 labels")


def check_conv1d(conv1d_by_hand: object) -> None:
    """Check ``conv1d_by_hand(x, kernel)`` against ``torch.nn.functional.conv1d``."""
    generator = torch.Generator().manual_seed(0)
    for signal_length, kernel_length in ((7, 3), (10, 4), (5, 5)):
        x = torch.randn(signal_length, generator=generator, dtype=torch.float64)
        kernel = torch.randn(kernel_length, generator=generator, dtype=torch.float64)
        result = call_learner_function("conv1d_by_hand", conv1d_by_hand, x, kernel)
        value = _as_tensor("conv1d_by_hand(x, kernel)", result).flatten()
        expected = nn.functional.conv1d(x.view(1, 1, -1), kernel.view(1, 1, -1)).flatten()
        if value.shape != expected.shape:
            fail(
                f"with a signal of length {signal_length} and a kernel of length "
                f"{kernel_length}, the output should have length {len(expected)}, "
                f"got {len(value)}.",
                "without padding, the kernel fits at len(x) - len(kernel) + 1 positions.",
            )
        if not torch.allclose(value, expected):
            flipped = nn.functional.conv1d(x.view(1, 1, -1), kernel.flip(0).view(1, 1, -1))
            hint = "at each position, multiply the kernel with the piece of x under it and sum."
            if torch.allclose(value, flipped.flatten()):
                hint = (
                    "you flipped the kernel, as in the textbook convolution. PyTorch's Conv1d "
                    "slides the kernel without flipping it (a cross-correlation)."
                )
            fail("conv1d_by_hand gives the wrong values.", hint)
    passed("conv1d_by_hand agrees with torch.nn.functional.conv1d")


def check_count_parameters(count_parameters: object) -> None:
    """Check ``count_parameters(model)``: the number of trainable numbers in a model."""
    probes = [
        nn.Linear(3, 4),
        nn.Conv2d(2, 3, kernel_size=3),
        nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(5, 2)),
    ]
    for model in probes:
        value = as_float(
            "count_parameters(model)",
            call_learner_function("count_parameters", count_parameters, model),
        )
        expected = sum(parameter.numel() for parameter in model.parameters())
        if value != expected:
            weights_only = sum(
                p.numel() for name, p in model.named_parameters() if "bias" not in name
            )
            with_buffers = sum(tensor.numel() for tensor in model.state_dict().values())
            if value == len(list(model.parameters())):
                hint = "you counted the parameter tensors; count the numbers in each, .numel()."
            elif value == weights_only:
                hint = "you left out the biases: every parameter tensor counts."
            elif value == with_buffers:
                hint = (
                    "you counted the buffers too (BatchNorm's running mean and variance, "
                    "in state_dict()): they are not trained. Count model.parameters() only."
                )
            else:
                hint = "add up parameter.numel() over model.parameters()."
            layers = ", ".join(type(layer).__name__ for layer in model.modules())
            fail(
                f"for a probe model ({layers}) count_parameters gives {value:g}, "
                "expected another number.",
                hint,
            )
    passed("count_parameters counts every weight and bias")


def check_model(model: object) -> None:
    """Check that ``model`` is a small CNN that maps (N, 1, 28, 28) images to 10 scores."""
    require_answer("model", model)
    if not isinstance(model, nn.Module):
        fail(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    assert isinstance(model, nn.Module), "for type checkers: fail() raised otherwise"
    unfilled = [name for name, value in vars(model).items() if value is Ellipsis]
    if unfilled:
        fail(
            f"model.{unfilled[0]} is still `...`: fill in the TODO above.",
            "replace the `...` with your layers, then run the cell again.",
        )
    missing = [
        layer.__name__
        for layer in REQUIRED_LAYERS
        if not any(isinstance(module, layer) for module in model.modules())
    ]
    if missing:
        fail(f"model has no {', '.join(missing)} layer.", "the task lists the layers to use.")
    number_of_parameters = sum(parameter.numel() for parameter in model.parameters())
    if number_of_parameters > MAX_PARAMETERS:
        fail(
            f"model has {number_of_parameters:,} parameters; keep it under {MAX_PARAMETERS:,} "
            "so that it trains in a minute on a CPU.",
            "fewer channels, or one more pooling layer before the Linear layer.",
        )
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            images = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
            scores = call_learner_function("model", model, images.to(device))
    except AssertionError as error:
        if "mat1 and mat2" in str(error.__cause__ or ""):
            fail(
                "model cannot pass a batch of 3 images through its Linear layer: "
                f"{error.__cause__}.",
                "Linear's in_features must match the flattened size after the last pooling "
                "(channels × height × width); print x.shape before the Linear layer.",
            )
        raise
    finally:
        model.train(was_training)
    if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (3, NUMBER_OF_CLASSES):
        fail(
            f"for a batch of 3 images of shape (1, 28, 28), model should return shape "
            f"(3, {NUMBER_OF_CLASSES}), got {tuple(getattr(scores, 'shape', ()))}.",
            "print x.shape after each layer in forward; Linear's in_features must match "
            "the flattened size (channels × height × width).",
        )
    if torch.allclose(scores.sum(dim=1).cpu(), torch.ones(3)) and (scores >= 0).all():
        fail(
            "model returns probabilities (each row sums to 1).",
            "return the raw scores (logits): CrossEntropyLoss applies the softmax itself.",
        )
    passed(
        f"model maps a batch of digits to {NUMBER_OF_CLASSES} scores each, "
        f"with {number_of_parameters:,} parameters"
    )


class _GradModeProbe(nn.Module):
    """A tiny classifier with dropout that records whether gradients were tracked."""

    def __init__(self, generator: torch.Generator) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.5)
        self.linear = nn.Linear(4, 3)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(3, 4, generator=generator))
            self.linear.bias.zero_()
        self.tracked_gradients = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.tracked_gradients |= torch.is_grad_enabled()
        return self.linear(self.dropout(x.flatten(1)))


def _evaluation_probe() -> tuple[_GradModeProbe, DataLoader, float, float]:
    """A tiny model and a loader whose last batch is smaller, with the exact results."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(10, 1, 2, 2, generator=generator)
    labels = torch.randint(0, 3, (10,), generator=generator)
    model = _GradModeProbe(generator)
    with torch.no_grad():
        scores = model.linear(images.flatten(1))
    loss = float(nn.functional.cross_entropy(scores, labels))
    accuracy = float((scores.argmax(dim=1) == labels).double().mean())
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    return model.train(), loader, loss, accuracy


def _batch_means(model: nn.Module, loader: DataLoader) -> list[float]:
    model.eval()
    with torch.no_grad():
        return [float(nn.functional.cross_entropy(model(x), y)) for x, y in loader]


UNWEIGHTED_SUM_HINT = (
    "you added up the batches' mean losses and divided by the number of images: the loss "
    "function averages over each batch, so multiply each batch's loss by its number of "
    "images (len(labels)) before adding."
)


def check_evaluate(evaluate: object) -> None:
    """Check ``evaluate(model, loader, loss_function, device) -> (mean_loss, accuracy)``."""
    model, loader, expected_loss, expected_accuracy = _evaluation_probe()
    try:
        result = call_learner_function(
            "evaluate", evaluate, model, loader, nn.CrossEntropyLoss(), torch.device("cpu")
        )
    except AssertionError as error:
        cause = str(error.__cause__ or "")
        if "must match the size" in cause or "size of tensor" in cause:
            fail(
                "evaluate compares predictions and labels of different lengths on a small "
                "test (3 classes, batches of 4).",
                "take the argmax over the classes, dim=1: one prediction per image.",
            )
        raise
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(
            "evaluate should return two numbers, (mean_loss, accuracy).",
            "end it with: return total_loss / n, correct / n",
        )
    loss, accuracy = as_float("mean_loss", result[0]), as_float("accuracy", result[1])
    if model.training:
        fail(
            "evaluate leaves the model in training mode: dropout stays on and BatchNorm uses "
            "the batch's statistics.",
            "call model.eval() before the loop.",
        )
    if model.tracked_gradients:
        fail(
            "evaluate tracks gradients: it runs slower and holds on to memory for a "
            "backward pass that never comes.",
            "wrap the loop in `with torch.no_grad():`.",
        )
    if not np.isclose(loss, expected_loss, rtol=1e-5):
        hint = find_factor(
            loss, expected_loss, {10.0: "that is the sum; divide by the number of images."}
        )
        means = _batch_means(model, loader)
        if np.isclose(loss, sum(means) / len(loader.dataset), rtol=1e-5):
            hint = UNWEIGHTED_SUM_HINT
        if np.isclose(loss, float(np.mean(means)), rtol=1e-5):
            hint = (
                "that is the mean of the batch means; the last batch is smaller, so it "
                "counts too much. Multiply each batch's mean loss by its number of images, "
                "add up, then divide by the number of images."
            )
        fail(
            "evaluate's mean loss is wrong on a small test (10 images in batches of 4).",
            hint or "use loss_function on the model's raw scores and the labels.",
        )
    if not np.isclose(accuracy, expected_accuracy):
        hint = find_factor(
            accuracy,
            expected_accuracy,
            {
                100.0: "return a fraction between 0 and 1, not a percentage.",
                10.0: "divide the number correct by the number of images.",
                10 / 3: "len(loader) is the number of batches; divide by the number of images.",
            },
        )
        fail(
            "evaluate's accuracy is wrong on a small test.",
            hint or "count predictions (argmax of the scores over dim=1) equal to the labels.",
        )
    passed("evaluate gives the exact mean loss and the accuracy over the whole dataset")


# --- the training step ------------------------------------------------------------------


class _TrainingProbe(nn.Module):
    """A tiny network with BatchNorm, whose running statistics show the training mode."""

    def __init__(self) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(1)
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3)
        )
        with torch.no_grad():
            for parameter in self.layers.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.7)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def _training_probe_data() -> DataLoader:
    generator = torch.Generator().manual_seed(2)
    images = torch.randn(10, 1, 2, 2, generator=generator)
    labels = torch.randint(0, 3, (10,), generator=generator)
    return DataLoader(TensorDataset(images, labels), batch_size=4)  # batches of 4, 4, 2


def _probe_augment(images: torch.Tensor) -> torch.Tensor:
    # Deterministic, so that the learner's run and the reference see the same inputs.
    return images.flip(-1) + 0.25


def _probe_setup() -> tuple[nn.Module, DataLoader, Any, Any]:
    model = _TrainingProbe()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    # A learning rate that halves after every batch: stepping once per epoch shows.
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5**step)
    return model, _training_probe_data(), optimizer, scheduler


def _reference_epoch(mistake: str | None = None) -> tuple[nn.Module, float]:
    """One epoch on the probe, done right, or with one named ``mistake``."""
    model, loader, optimizer, scheduler = _probe_setup()
    model.train(mistake != "eval")
    total_loss, losses = 0.0, []
    for images, labels in loader:
        if mistake != "no_augment":
            images = _probe_augment(images)
        if mistake != "no_zero_grad":
            optimizer.zero_grad()
        scores = model(images)
        if mistake == "softmax":
            scores = torch.softmax(scores, dim=1)
        loss = nn.functional.cross_entropy(scores, labels)
        loss.backward()
        if mistake != "no_step":
            optimizer.step()
        if mistake != "scheduler_per_epoch":
            with warnings.catch_warnings():  # "scheduler.step() before optimizer.step()"
                warnings.simplefilter("ignore", UserWarning)
                scheduler.step()
        total_loss += loss.item() * len(labels)
        losses.append(loss.item())
    if mistake == "scheduler_per_epoch":
        scheduler.step()
    if mistake == "batch_means":
        return model, float(np.mean(losses))
    if mistake == "unweighted_sum":
        return model, float(np.sum(losses)) / len(loader.dataset)
    return model, total_loss / len(loader.dataset)


_TRAINING_MISTAKES = {
    "no_zero_grad": (
        "the gradients pile up from batch to batch: each step uses the sum of all the "
        "gradients so far.",
        "call optimizer.zero_grad() in every batch, before loss.backward().",
    ),
    "no_step": (
        "the weights do not change: the optimiser never takes its step.",
        "call optimizer.step() after loss.backward(), in every batch.",
    ),
    "eval": (
        "the model trains in evaluation mode: dropout is off and BatchNorm neither uses "
        "nor learns the batch statistics.",
        "call model.train() at the start of the epoch (evaluate switched it to eval()).",
    ),
    "scheduler_per_epoch": (
        "the learning-rate schedule moves once per epoch, not once per batch.",
        "call scheduler.step() inside the loop, after optimizer.step(), when a scheduler is "
        "given: OneCycleLR counts batches.",
    ),
    "softmax": (
        "the loss is computed from probabilities: softmax before CrossEntropyLoss applies "
        "the softmax twice and the gradients almost vanish.",
        "pass the model's raw scores (logits) to loss_function.",
    ),
    "no_augment": (
        "the batches are not augmented.",
        "when augment is given, apply it to each batch of images before the forward pass.",
    ),
}


def _parameters_match(model: nn.Module, reference: nn.Module) -> bool:
    return all(
        torch.allclose(a, b, atol=1e-5)
        for a, b in zip(model.state_dict().values(), reference.state_dict().values(), strict=True)
    )


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check one epoch of ``train_one_epoch`` on a tiny probe against a reference epoch.

    The probe calls ``train_one_epoch(model, loader, loss_function, optimizer, device,
    scheduler, augment)`` with a model that has BatchNorm, a loader of 10 images in
    batches of 4, 4 and 2, plain SGD, a scheduler that halves the learning rate after
    every batch and a deterministic ``augment``, then compares the weights and the
    returned loss with the reference epoch. A mismatch that equals the result of a
    classic mistake (no ``zero_grad``, no ``step``, ``eval`` mode, the scheduler
    stepped once per epoch, a softmax before the loss, no augmentation, the mean of
    the batch means) is named.
    """
    model, loader, optimizer, scheduler = _probe_setup()
    model.eval()  # as evaluate leaves it
    result = call_learner_function(
        "train_one_epoch",
        train_one_epoch,
        model,
        loader,
        nn.CrossEntropyLoss(),
        optimizer,
        torch.device("cpu"),
        scheduler,
        _probe_augment,
    )
    reference, expected_loss = _reference_epoch()
    if not _parameters_match(model, reference):
        for mistake, (message, hint) in _TRAINING_MISTAKES.items():
            if _parameters_match(model, _reference_epoch(mistake)[0]):
                fail(f"after one epoch on a tiny probe, {message}", hint)
        if scheduler.last_epoch != len(loader):
            fail(
                f"the scheduler stepped {scheduler.last_epoch} times in an epoch of "
                f"{len(loader)} batches.",
                "call scheduler.step() once per batch, after optimizer.step().",
            )
        fail(
            "after one epoch on a tiny probe the weights differ from a reference epoch.",
            "per batch: augment, optimizer.zero_grad(), forward, loss_function(scores, labels), "
            "loss.backward(), optimizer.step(), scheduler.step().",
        )
    loss = as_float("the mean training loss", result)
    if not np.isclose(loss, expected_loss, rtol=1e-5):
        hint = find_factor(
            loss, expected_loss, {10.0: "that is the sum; divide by the number of images."}
        )
        if np.isclose(loss, _reference_epoch("unweighted_sum")[1], rtol=1e-5):
            hint = UNWEIGHTED_SUM_HINT
        if np.isclose(loss, _reference_epoch("batch_means")[1], rtol=1e-5):
            hint = (
                "that is the mean of the batch means; the last batch is smaller. Multiply "
                "each batch's loss by its number of images, add up, divide by the number of "
                "images."
            )
        fail(
            f"train_one_epoch returns {loss:.4g}; the mean training loss per image is "
            f"{expected_loss:.4g}.",
            hint or "add loss.item() * len(labels) over the batches, divide by the dataset size.",
        )
    passed("train_one_epoch takes the same steps as a reference epoch and returns its mean loss")


def check_headline(validation_accuracy: object, threshold: float = 0.985) -> None:
    """Check that the final validation accuracy, a fraction, reaches ``threshold``."""
    require_answer("validation_accuracy", validation_accuracy)
    value = as_float("validation_accuracy", validation_accuracy)
    if not 0 <= value <= 1:
        fail(f"validation_accuracy is {value:g}; give it as a fraction between 0 and 1.")
    if value < threshold:
        fail(
            f"validation accuracy {value:.1%} is below the {threshold:.1%} this notebook reaches.",
            "train for the planned number of epochs, with the one-cycle schedule and "
            "augmentation; check that evaluate calls model.eval().",
        )
    passed(f"validation accuracy reaches at least {threshold:.1%}")
