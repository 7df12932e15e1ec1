"""Self-checks for notebook 03, convolutional networks on MNIST.

Every expected value is computed here, with PyTorch's own layers and losses,
from the learner's inputs or from small probes; none is typed in.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from utils.checks._core import as_float, call_learner_function, fail, find_factor, passed

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


def check_class_counts(class_counts: object, dataset: Dataset) -> None:
    """Check ``class_counts``: how many images of each digit 0 to 9 ``dataset`` holds."""
    counts = _as_tensor("class_counts", class_counts)
    expected = torch.bincount(dataset.targets, minlength=NUMBER_OF_CLASSES).double()
    if counts.shape != expected.shape:
        fail(
            f"class_counts should hold {NUMBER_OF_CLASSES} numbers, one per digit; "
            f"got shape {tuple(counts.shape)}.",
            "torch.bincount counts each value in a tensor of labels; minlength sets the length.",
        )
    if counts.sum() != expected.sum():
        fail(
            f"class_counts adds up to {counts.sum():.0f}, but the dataset has "
            f"{expected.sum():.0f} images.",
            "count the labels of the dataset the check is given (its .targets).",
        )
    if not torch.equal(counts, expected):
        fail("class_counts has the right total, but not the right count for every digit.")
    passed(
        f"class_counts: {len(dataset):,} images, "
        f"{expected.min():.0f} to {expected.max():.0f} per digit"
    )


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
            if value == len(list(model.parameters())):
                hint = "you counted the parameter tensors; count the numbers in each, .numel()."
            elif value == weights_only:
                hint = "you left out the biases: every parameter tensor counts."
            else:
                hint = "add up parameter.numel() over model.parameters()."
            fail(f"count_parameters({model}) gives {value:g}, expected another number.", hint)
    passed("count_parameters counts every weight and bias")


def check_model(model: object) -> None:
    """Check that ``model`` is a small CNN that maps (N, 1, 28, 28) images to 10 scores."""
    if not isinstance(model, nn.Module):
        fail(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    assert isinstance(model, nn.Module)
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


def _evaluation_probe() -> tuple[nn.Module, DataLoader, float, float]:
    """A tiny model and a loader whose last batch is smaller, with the exact results."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(10, 1, 2, 2, generator=generator)
    labels = torch.randint(0, 3, (10,), generator=generator)
    model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(4, 3))
    with torch.no_grad():
        model[2].weight.copy_(torch.randn(3, 4, generator=generator))
        model[2].bias.zero_()
        scores = model[2](images.flatten(1))
    loss = float(nn.functional.cross_entropy(scores, labels))
    accuracy = float((scores.argmax(dim=1) == labels).double().mean())
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    return model.train(), loader, loss, accuracy


def _mean_of_batch_means(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    with torch.no_grad():
        means = [float(nn.functional.cross_entropy(model(x), y)) for x, y in loader]
    return float(np.mean(means))


def check_evaluate(evaluate: object) -> None:
    """Check ``evaluate(model, loader, device) -> (mean_loss, accuracy)`` on a small probe."""
    model, loader, expected_loss, expected_accuracy = _evaluation_probe()
    result = call_learner_function("evaluate", evaluate, model, loader, torch.device("cpu"))
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(
            "evaluate should return two numbers, (mean_loss, accuracy).",
            "end it with: return total_loss / n, correct / n",
        )
    loss, accuracy = as_float("mean_loss", result[0]), as_float("accuracy", result[1])
    if not np.isclose(loss, expected_loss, rtol=1e-5):
        hint = find_factor(
            loss, expected_loss, {10.0: "that is the sum; divide by the number of images."}
        )
        if np.isclose(loss, _mean_of_batch_means(model, loader), rtol=1e-5):
            hint = (
                "that is the mean of the batch means; the last batch is smaller, so it "
                "counts too much. Sum loss * batch size (or reduction='sum'), then divide by "
                "the number of images."
            )
        fail(
            "evaluate's mean loss is wrong on a small test (10 images in batches of 4).",
            hint or "did you call model.eval()? Dropout must be off while evaluating.",
        )
    if not np.isclose(accuracy, expected_accuracy):
        hint = find_factor(
            accuracy,
            expected_accuracy,
            {
                100.0: "return a fraction between 0 and 1, not a percentage.",
                10.0: "divide the number correct by the number of images.",
            },
        )
        fail(
            "evaluate's accuracy is wrong on a small test.",
            hint or "count predictions (argmax of the scores) equal to the labels.",
        )
    passed("evaluate gives the exact mean loss and the accuracy over the whole dataset")


def check_test_accuracy(test_accuracy: object, threshold: float = 0.985) -> None:
    """Check that the final test accuracy, a fraction, reaches ``threshold``."""
    value = as_float("test_accuracy", test_accuracy)
    if value > 1:
        fail(f"test_accuracy is {value:g}; give it as a fraction between 0 and 1.")
    if value < threshold:
        fail(
            f"test accuracy {value:.1%} is below the {threshold:.1%} this notebook reaches.",
            "train for the planned number of epochs, with the one-cycle schedule and "
            "augmentation; check that evaluate calls model.eval().",
        )
    passed(f"test accuracy reaches at least {threshold:.1%}")
