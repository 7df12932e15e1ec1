"""Self-checks for notebook 03, convolutional networks on MNIST.

Expected values come from PyTorch's own layers and losses on probes, never typed in. Checks
call the learner's functions on probes, not the notebook's globals, so a shadowing variable
cannot fool them. ``train_one_epoch`` and ``evaluate`` run on :mod:`utils.checks.engine`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from utils.checks._core import as_float, call_learner_function, fail, passed, require_answer
from utils.checks.engine import ACCURACY, Probe, predict, probe_evaluate, probe_train_one_epoch
from utils.mnist import MNISTSample

NUM_CLASSES = 10
# A CNN for MNIST that trains in a minute on a laptop CPU needs far fewer than this.
MAX_PARAMETERS = 200_000
REQUIRED_LAYERS = (nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d, nn.Dropout, nn.Linear)
# Ten tiny 2 × 2 "images" of three classes, in batches of 4, 4 and 2.
EVALUATE_PROBE = Probe(task="classification", input_shape=(1, 2, 2), num_outputs=3)
TRAINING_PROBE = Probe(
    task="classification", input_shape=(1, 2, 2), num_outputs=3, scheduler=True, augment=True
)


def _as_tensor(name: str, value: object) -> torch.Tensor:
    """Return ``value`` (tensor, array or list of numbers) as a float64 tensor."""
    try:
        return torch.as_tensor(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        fail(f"{name} should be a tensor of numbers, got {type(value).__name__}.")


def check_count_classes(count_classes: object) -> None:
    """Check ``count_classes(labels)``: how many labels of each digit 0 to 9, a length-10 tensor."""
    # No 8s and no 9s: a count that stops at the largest label present comes out short.
    labels = torch.tensor([3, 1, 1, 0, 7, 3, 3, 5, 2, 1, 3, 6, 4])
    expected = torch.bincount(labels, minlength=NUM_CLASSES).double()
    result = call_learner_function("count_classes", count_classes, labels)
    counts = _as_tensor("count_classes(labels)", result).flatten()
    if counts.shape != expected.shape:
        fail(
            f"for labels {labels.tolist()}, count_classes should give {NUM_CLASSES} numbers, "
            f"got {len(counts)}.",
            "torch.bincount stops at the largest label present; here no 8s or 9s came up. "
            "Its minlength argument sets the length."
            if len(counts) == int(labels.max()) + 1
            else "return one count per digit 0 to 9, in order.",
        )
    if not torch.equal(counts, expected):
        fail(
            f"count_classes({labels.tolist()}) gives {counts.tolist()}.",
            "return counts (whole numbers), not fractions."
            if np.isclose(float(counts.sum()), 1.0)
            else "count how often each digit d appears in labels: (labels == d).sum().",
        )
    passed("count_classes counts every digit, including those that do not appear")


def check_majority_baseline(majority_baseline: object) -> None:
    """Check that ``majority_baseline`` scores the commonest training digit on validation."""
    train_labels = torch.tensor([2, 2, 2, 2, 5, 5, 5, 1, 0, 7])  # 2 is the commonest
    validation_labels = torch.tensor([5, 5, 5, 5, 5, 5, 2, 2, 2, 1, 0, 3])  # here 5 is
    expected = float((validation_labels == 2).double().mean())
    result = call_learner_function(
        "majority_baseline", majority_baseline, train_labels, validation_labels
    )
    value = as_float("majority_baseline(train_labels, validation_labels)", result, tensor_ok=False)
    if np.isclose(value, expected):
        passed("majority_baseline guesses the commonest training digit, scored on validation")
        return
    # What each slip returns on this probe, and its hint.
    slips = {
        100 * expected: "return a fraction between 0 and 1, not a percentage.",
        len(validation_labels) * expected: "that is the number of correct guesses; divide by "
        "the number of validation labels.",
        float((validation_labels == 5).double().mean()): "you picked the commonest digit of "
        "the validation labels: that lets the validation set choose the model (leakage). "
        "Choose the guess from the training labels only, then score it on the validation labels.",
        float((train_labels == 2).double().mean()): "score the guess on the validation labels, "
        "not on the training labels.",
        **dict.fromkeys((2.0, 5.0), "return the accuracy of the guess, not the guessed digit."),
    }
    fail(
        f"on a small probe majority_baseline gives {value:g}, expected {expected:g}.",
        next(
            (hint for wrong, hint in slips.items() if np.isclose(value, wrong)),
            "guess = the digit with the largest training count (argmax); accuracy = the fraction "
            "of validation labels equal to it.",
        ),
    )


def check_to_inputs(to_inputs: object) -> None:
    """Check ``to_inputs(dataset)``: images (N, 1, 28, 28) as floats in [0, 1], int64 labels."""
    generator = torch.Generator().manual_seed(0)
    data = torch.randint(0, 256, (5, 28, 28), generator=generator, dtype=torch.uint8)
    data[0, 0, 0], data[1, 0, 0] = 0, 255  # the full range of grey levels occurs
    dataset = MNISTSample(data, torch.tensor([3, 0, 9, 1, 1]))
    result = call_learner_function("to_inputs", to_inputs, dataset)
    pair = isinstance(result, tuple | list) and len(result) == 2
    images, labels = result if pair else (None, None)
    if not isinstance(images, torch.Tensor) or not isinstance(labels, torch.Tensor):
        fail("to_inputs should return two tensors, (images, labels).")
    shape, count = tuple(images.shape), len(dataset)
    if shape == (count, 28, 28):
        fail(
            f"images has shape {shape}, without a channel axis.",
            "Conv2d wants (N, channels, height, width): add an axis of length 1 at position 1.",
        )
    if shape != (count, 1, 28, 28):
        fail(f"images has shape {shape}, expected ({count}, 1, 28, 28).")
    if not images.is_floating_point():
        fail(
            f"images has dtype {images.dtype}; a network needs floating-point inputs.",
            "convert with .float() before dividing: integer arithmetic on uint8 wraps around "
            "or rounds down.",
        )
    if images.dtype != torch.float32:
        fail(
            f"images has dtype {images.dtype}, expected torch.float32.",
            "use .float(): float32 is the dtype of the model's weights.",
        )
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
    if not torch.allclose(images, data.unsqueeze(1).float() / 255, atol=1e-6):
        fail(
            "images are in [0, 1] but not equal to the grey levels divided by 255.",
            "integer division (//) rounds down to 0 or 1: convert to float, then use /."
            if set(images.unique().tolist()) <= {0.0, 1.0}
            else "divide the floats by 255.",
        )
    if labels.dtype != torch.int64 or not torch.equal(labels, dataset.targets):
        fail(
            f"labels should be dataset.targets as int64, got {labels.dtype} {labels.tolist()}.",
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
        weights = torch.stack([kernel, kernel.flip(0)]).unsqueeze(1)  # the kernel, and flipped
        expected, flipped = nn.functional.conv1d(x.view(1, 1, -1), weights)[0]
        if value.shape != expected.shape:
            fail(
                f"with a signal of length {signal_length} and a kernel of length {kernel_length}, "
                f"the output should have length {len(expected)}, got {len(value)}.",
                "without padding, the kernel fits at len(x) - len(kernel) + 1 positions.",
            )
        if not torch.allclose(value, expected):
            fail(
                "conv1d_by_hand gives the wrong values.",
                "you flipped the kernel, as in the textbook convolution. PyTorch's Conv1d slides "
                "the kernel without flipping it (a cross-correlation)."
                if torch.allclose(value, flipped)
                else "at each position, multiply the kernel with the piece of x under it and sum.",
            )
    passed("conv1d_by_hand agrees with torch.nn.functional.conv1d")


def check_count_parameters(count_parameters: object) -> None:
    """Check ``count_parameters(model)``: the number of trainable numbers in a model."""
    probes = [
        nn.Linear(3, 4),
        nn.Conv2d(2, 3, kernel_size=3),
        nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(5, 2)),
    ]
    for model in probes:
        result = call_learner_function("count_parameters", count_parameters, model)
        value = as_float("count_parameters(model)", result)
        if value == sum(p.numel() for p in model.parameters()):
            continue
        # What each slip counts on this probe, and its hint.
        slips = {
            len(list(model.parameters())): "you counted the parameter tensors; count the "
            "numbers in each, .numel().",
            sum(p.numel() for name, p in model.named_parameters() if "bias" not in name): "you "
            "left out the biases: every parameter tensor counts.",
            sum(t.numel() for t in model.state_dict().values()): "you counted the buffers too "
            "(BatchNorm's running mean and variance, in state_dict()): they are not trained. "
            "Count model.parameters() only.",
        }
        layers = ", ".join(type(layer).__name__ for layer in model.modules())
        fail(
            f"for a probe ({layers}) count_parameters gives {value:g}, expected another number.",
            slips.get(value, "add up parameter.numel() over model.parameters()."),
        )
    passed("count_parameters counts every weight and bias")


def check_model(model: object) -> None:
    """Check that ``model`` is a small CNN that maps (N, 1, 28, 28) images to 10 scores."""
    require_answer("model", model)
    if not isinstance(model, nn.Module):
        fail(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    unfilled = [name for name, value in vars(model).items() if value is Ellipsis]
    if unfilled:
        fail(
            f"model.{unfilled[0]} is still `...`: fill in the TODO above.",
            "replace the `...` with your layers, then run the cell again.",
        )
    modules = list(model.modules())
    missing = [t.__name__ for t in REQUIRED_LAYERS if not any(isinstance(m, t) for m in modules)]
    if missing:
        fail(f"model has no {', '.join(missing)} layer.", "the task lists the layers to use.")
    num_parameters = sum(parameter.numel() for parameter in model.parameters())
    if num_parameters > MAX_PARAMETERS:
        fail(
            f"model has {num_parameters:,} parameters; keep it under {MAX_PARAMETERS:,} "
            "so that it trains in a minute on a CPU.",
            "fewer channels, or one more pooling layer before the Linear layer.",
        )
    images = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    scores = call_learner_function("model", predict, model, images)
    if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (3, NUM_CLASSES):
        fail(
            f"for a batch of 3 images of shape (1, 28, 28), model should return shape "
            f"(3, {NUM_CLASSES}), got {tuple(getattr(scores, 'shape', ()))}.",
            "print x.shape after each layer in forward; Linear's in_features must match "
            "the flattened size (channels × height × width).",
        )
    if torch.allclose(scores.sum(dim=1), torch.ones(3)) and (scores >= 0).all():
        fail(
            "model returns probabilities (each row sums to 1).",
            "return the raw scores (logits): CrossEntropyLoss applies the softmax itself.",
        )
    passed(
        f"model maps a batch of digits to {NUM_CLASSES} scores each, "
        f"with {num_parameters:,} parameters"
    )


def check_evaluate(evaluate: object) -> None:
    """Check ``evaluate(model, loader, loss_function, device)`` on the engine's probe."""
    probe_evaluate(evaluate, EVALUATE_PROBE, {"accuracy": ACCURACY})
    passed("evaluate gives the exact mean loss and the accuracy over the whole dataset")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check one epoch of ``train_one_epoch(..., *, scheduler, augment)`` on the engine's probe."""
    probe_train_one_epoch(train_one_epoch, TRAINING_PROBE)
    passed("train_one_epoch takes the same steps as a reference epoch and returns its mean loss")


def check_headline(validation_accuracy: object, threshold: float = 0.985) -> None:
    """Check that the final validation accuracy, a fraction, reaches ``threshold``."""
    value = as_float("validation_accuracy", validation_accuracy, tensor_ok=False)
    if not 0 <= value <= 1:
        fail(f"validation_accuracy is {value:g}; give it as a fraction between 0 and 1.")
    if value < threshold:
        fail(
            f"validation accuracy {value:.1%} is below the {threshold:.1%} this notebook reaches.",
            "train for the planned number of epochs, with the one-cycle schedule and "
            "augmentation; check that evaluate calls model.eval().",
        )
    passed(f"validation accuracy reaches at least {threshold:.1%}")
