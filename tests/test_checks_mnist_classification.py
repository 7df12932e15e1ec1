"""Tests for utils.checks.mnist_classification: right answers pass, slips fail with their hint."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from utils.checks.mnist_classification import (
    check_conv1d,
    check_count_classes,
    check_count_parameters,
    check_evaluate,
    check_headline,
    check_majority_baseline,
    check_model,
    check_to_inputs,
    check_train_one_epoch,
)


def good_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(8 * 14 * 14, 10),
    )


def passes(capsys: pytest.CaptureFixture[str]) -> bool:
    return capsys.readouterr().out.startswith("✓")


# --- count_classes and majority_baseline ------------------------------------------------


def count_classes_right(labels: torch.Tensor) -> torch.Tensor:
    return torch.bincount(labels, minlength=10)


def majority_right(train_labels: torch.Tensor, validation_labels: torch.Tensor) -> float:
    guess = count_classes_right(train_labels).argmax()
    return (validation_labels == guess).float().mean().item()


def test_count_classes_passes_for_bincount(capsys) -> None:
    check_count_classes(count_classes_right)
    assert passes(capsys)


def test_count_classes_without_minlength_hints_at_it() -> None:
    with pytest.raises(AssertionError, match="minlength"):
        check_count_classes(torch.bincount)


def test_count_classes_as_fractions_is_named() -> None:
    with pytest.raises(AssertionError, match="not fractions"):
        check_count_classes(lambda labels: count_classes_right(labels) / len(labels))


def test_majority_baseline_passes(capsys) -> None:
    check_majority_baseline(majority_right)
    assert passes(capsys)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda t, v: majority_right(v, v), "leakage"),
        (lambda t, v: majority_right(t, t), "validation labels, not on the training"),
        (lambda t, v: 100 * majority_right(t, v), "percentage"),
        (lambda t, v: majority_right(t, v) * len(v), "number of correct guesses"),
        (lambda t, v: float(count_classes_right(t).argmax()), "not the guessed digit"),
    ],
    ids=["validation-chooses", "scored-on-train", "percent", "count", "returns-digit"],
)
def test_majority_baseline_mistakes_get_their_hint(wrong, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check_majority_baseline(wrong)


# --- to_inputs --------------------------------------------------------------------------


def to_inputs_right(dataset):
    return dataset.data.unsqueeze(1).float() / 255, dataset.targets


def test_to_inputs_passes(capsys) -> None:
    check_to_inputs(to_inputs_right)
    assert passes(capsys)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda d: (d.data.unsqueeze(1).float(), d.targets), "divide by 255"),
        (lambda d: (d.data.float() / 255, d.targets), "channel axis"),
        (lambda d: (d.data.unsqueeze(1), d.targets), "floating-point"),
        (lambda d: (d.data.unsqueeze(1) // 255, d.targets), "floating-point"),
        (lambda d: (d.data.unsqueeze(1).float() // 255, d.targets), "integer division"),
        (lambda d: (d.data.unsqueeze(1).double() / 255, d.targets), "float32"),
        (
            lambda d: ((d.data.unsqueeze(1).float() / 255 - 0.5) / 0.3, d.targets),
            "no mean subtraction",
        ),
        (lambda d: (d.data.unsqueeze(1).float() / 255, d.targets.float()), "int64"),
    ],
    ids=[
        "unscaled",
        "no-channel",
        "uint8",
        "uint8-floordiv",
        "float-floordiv",
        "float64",
        "standardised",
        "float-labels",
    ],
)
def test_to_inputs_mistakes_get_their_hint(wrong, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check_to_inputs(wrong)


# --- conv1d_by_hand ---------------------------------------------------------------------


def conv1d_right(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    k = len(kernel)
    return torch.stack([(x[i : i + k] * kernel).sum() for i in range(len(x) - k + 1)])


def test_conv1d_passes_for_a_sliding_dot_product(capsys) -> None:
    check_conv1d(conv1d_right)
    assert passes(capsys)


def test_conv1d_with_a_flipped_kernel_gets_the_cross_correlation_hint() -> None:
    with pytest.raises(AssertionError, match="without flipping"):
        check_conv1d(lambda x, kernel: conv1d_right(x, kernel.flip(0)))


def test_conv1d_with_padding_gets_the_length_hint() -> None:
    def padded(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        return conv1d_right(torch.cat([x, torch.zeros(len(kernel) - 1, dtype=x.dtype)]), kernel)

    with pytest.raises(AssertionError, match=r"len\(x\) - len\(kernel\) \+ 1"):
        check_conv1d(padded)


# --- count_parameters -------------------------------------------------------------------


def test_count_parameters_passes_for_numel_sum(capsys) -> None:
    check_count_parameters(lambda model: sum(p.numel() for p in model.parameters()))
    assert passes(capsys)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda model: len(list(model.parameters())), "numel"),
        (
            lambda model: sum(p.numel() for n, p in model.named_parameters() if "bias" not in n),
            "biases",
        ),
        (lambda model: sum(t.numel() for t in model.state_dict().values()), "buffers"),
    ],
    ids=["tensors", "no-biases", "buffers"],
)
def test_count_parameters_mistakes_get_their_hint(wrong, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check_count_parameters(wrong)


# --- model ------------------------------------------------------------------------------


def test_model_passes_for_a_small_cnn(capsys) -> None:
    model = good_cnn()
    check_model(model)
    assert passes(capsys)
    assert model.training, "the check must leave the model in training mode"


def test_model_with_an_unfilled_todo_says_fill_it_in() -> None:
    class Unfinished(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = ...

    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check_model(Unfinished())


def test_model_without_pooling_is_named() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1),
        nn.BatchNorm2d(2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(),
        nn.Linear(2 * 28 * 28, 10),
    )
    with pytest.raises(AssertionError, match="MaxPool2d"):
        check_model(model)


def test_model_with_the_wrong_output_shape_gets_the_shape_hint() -> None:
    model = good_cnn()
    model[-1] = nn.Linear(8 * 14 * 14, 2)
    with pytest.raises(AssertionError, match=r"shape \(3, 10\)"):
        check_model(model)


def test_model_with_the_wrong_in_features_gets_the_flatten_hint() -> None:
    model = good_cnn()
    model[-1] = nn.Linear(8 * 28 * 28, 10)
    with pytest.raises(AssertionError, match="in_features"):
        check_model(model)


def test_model_that_returns_probabilities_is_told_about_logits() -> None:
    model = nn.Sequential(good_cnn(), nn.Softmax(dim=1))
    with pytest.raises(AssertionError, match="logits"):
        check_model(model)


# --- evaluate ---------------------------------------------------------------------------


def evaluate_right(model, loader, loss_function, device, *, slip=None):
    """The notebook's evaluate, or with one ``slip``."""
    if slip != "no_eval":
        model.eval()
    total_loss, correct, means = 0.0, 0, []
    with torch.set_grad_enabled(slip == "no_no_grad"):
        for images, labels in loader:
            images = images.to(device)
            if slip != "labels_not_moved":
                labels = labels.to(device)
            scores = model(images)
            loss = loss_function(scores, labels).item()
            total_loss += loss * len(labels)
            means.append(loss)
            correct += (scores.argmax(dim=0 if slip == "argmax_dim_0" else 1) == labels).sum()
    num_images = len(loader.dataset)
    loss = total_loss / num_images
    if slip == "batch_means":
        loss = sum(means) / len(means)
    if slip == "unweighted":
        loss = sum(means) / num_images
    accuracy = correct / num_images  # a tensor: .item() below
    if slip == "tuple":
        return loss, accuracy.item()
    if slip == "tensor":
        return {"loss": loss, "accuracy": accuracy}
    return {"loss": loss, "accuracy": (100 if slip == "percent" else 1) * accuracy.item()}


def test_evaluate_passes(capsys) -> None:
    check_evaluate(evaluate_right)
    assert passes(capsys)


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        ("batch_means", "mean of the batch means"),
        ("unweighted", "added unweighted"),
        ("percent", "percentage"),
        ("no_eval", r"model\.eval\(\)"),
        ("no_no_grad", r"torch\.no_grad"),
        ("argmax_dim_0", "dim=1"),
        ("labels_not_moved", r"targets\.to\(device\)"),
        ("tuple", "dict"),
        ("tensor", "Python float"),
    ],
)
def test_evaluate_slips_get_their_hint(slip: str, hint: str) -> None:
    def wrong(model, loader, loss_function, device):
        return evaluate_right(model, loader, loss_function, device, slip=slip)

    with pytest.raises(AssertionError, match=hint):
        check_evaluate(wrong)


# --- train_one_epoch --------------------------------------------------------------------


def train_one_epoch_variant(slip: str | None = None):
    """The notebook's train_one_epoch, or with one ``slip``."""

    def train_one_epoch(
        model, loader, loss_function, optimizer, device, *, scheduler=None, augment=None
    ):
        if slip != "eval":
            model.train()
        total_loss, means = 0.0, []
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            if augment is not None and slip != "no_augment":
                images = augment(images)
            if slip != "no_zero_grad":
                optimizer.zero_grad()
            scores = model(images)
            if slip == "softmax":
                scores = torch.softmax(scores, dim=1)
            loss = loss_function(scores, labels)
            loss.backward()
            if slip == "zero_grad_after_backward":
                optimizer.zero_grad()
            if slip != "no_step":
                optimizer.step()
            if scheduler is not None and slip != "scheduler_per_epoch":
                scheduler.step()
            total_loss += (loss if slip == "tensor" else loss.item()) * len(labels)
            means.append(loss.item())
        if scheduler is not None and slip == "scheduler_per_epoch":
            scheduler.step()
        if slip == "batch_means":
            return sum(means) / len(means)
        if slip == "sum":
            return total_loss
        if slip == "unweighted_sum":
            return sum(means) / len(loader.dataset)
        return total_loss / len(loader.dataset)

    return train_one_epoch


def test_train_one_epoch_passes(capsys) -> None:
    check_train_one_epoch(train_one_epoch_variant())
    assert passes(capsys)


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        ("no_zero_grad", r"zero_grad\(\)"),
        ("no_step", r"optimizer\.step\(\)"),
        ("zero_grad_after_backward", r"between loss\.backward\(\) and optimizer\.step\(\)"),
        ("eval", r"model\.train\(\)"),
        ("scheduler_per_epoch", "counts batches"),
        ("softmax", "logits"),
        ("no_augment", "apply it to each batch"),
        ("batch_means", "mean of the batch means"),
        ("sum", "never divided"),
        ("unweighted_sum", "added unweighted"),
        ("tensor", "Python float"),
    ],
)
def test_train_one_epoch_slips_are_named(slip: str, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check_train_one_epoch(train_one_epoch_variant(slip))


# --- headline ---------------------------------------------------------------------------


def test_headline_passes_above_the_threshold(capsys) -> None:
    check_headline(0.99)
    assert passes(capsys)


@pytest.mark.parametrize(
    ("value", "hint"),
    [(99.0, "fraction"), (0.9, "below"), (-0.1, "fraction"), (torch.tensor(0.99), "Python float")],
    ids=["percent", "low", "negative", "tensor"],
)
def test_headline_rejects_percentages_low_values_and_tensors(value, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check_headline(value)


def test_headline_takes_its_limit_as_threshold(capsys) -> None:
    check_headline(0.9, threshold=0.85)
    assert passes(capsys)
