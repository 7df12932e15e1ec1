"""Tests for utils.checks.mnist: right answers pass, classic mistakes fail with their hint."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from utils.checks import mnist as check
from utils.mnist import MNISTSample


def small_dataset() -> MNISTSample:
    targets = torch.tensor([0, 1, 1, 2, 9, 9, 9])
    return MNISTSample(torch.zeros(len(targets), 28, 28, dtype=torch.uint8), targets)


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


def conv1d_right(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    k = len(kernel)
    return torch.stack([(x[i : i + k] * kernel).sum() for i in range(len(x) - k + 1)])


def evaluate_right(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            scores = model(images.to(device))
            total_loss += nn.functional.cross_entropy(scores, labels, reduction="sum").item()
            correct += (scores.argmax(dim=1) == labels).sum().item()
    return total_loss / len(loader.dataset), correct / len(loader.dataset)


def evaluate_batch_means(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        losses = [nn.functional.cross_entropy(model(x), y).item() for x, y in loader]
        correct = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in loader)
    return float(np.mean(losses)), correct / len(loader.dataset)


def evaluate_percent(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
    loss, accuracy = evaluate_right(model, loader, device)
    return loss, 100 * accuracy


def test_class_counts_passes_for_bincount(capsys: pytest.CaptureFixture[str]) -> None:
    dataset = small_dataset()
    check.check_class_counts(torch.bincount(dataset.targets, minlength=10), dataset)
    assert capsys.readouterr().out.startswith("✓")


def test_class_counts_without_minlength_hints_at_it() -> None:
    dataset = small_dataset()
    with pytest.raises(AssertionError, match="minlength"):
        check.check_class_counts(torch.bincount(dataset.targets[:4]), dataset)


def test_class_counts_with_a_wrong_count_fails() -> None:
    dataset = small_dataset()
    counts = torch.bincount(dataset.targets, minlength=10)
    counts = counts.flip(0)
    with pytest.raises(AssertionError, match="every digit"):
        check.check_class_counts(counts, dataset)


def test_conv1d_passes_for_a_sliding_dot_product(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_conv1d(conv1d_right)
    assert capsys.readouterr().out.startswith("✓")


def test_conv1d_with_a_flipped_kernel_gets_the_cross_correlation_hint() -> None:
    with pytest.raises(AssertionError, match="without flipping"):
        check.check_conv1d(lambda x, kernel: conv1d_right(x, kernel.flip(0)))


def test_conv1d_with_padding_gets_the_length_hint() -> None:
    def padded(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        return conv1d_right(torch.cat([x, torch.zeros(len(kernel) - 1, dtype=x.dtype)]), kernel)

    with pytest.raises(AssertionError, match=r"len\(x\) - len\(kernel\) \+ 1"):
        check.check_conv1d(padded)


def test_count_parameters_passes_for_numel_sum(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_count_parameters(lambda model: sum(p.numel() for p in model.parameters()))
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda model: len(list(model.parameters())), "numel"),
        (
            lambda model: sum(p.numel() for n, p in model.named_parameters() if "bias" not in n),
            "biases",
        ),
    ],
)
def test_count_parameters_mistakes_get_their_hint(wrong, hint: str) -> None:
    with pytest.raises(AssertionError, match=hint):
        check.check_count_parameters(wrong)


def test_model_passes_for_a_small_cnn(capsys: pytest.CaptureFixture[str]) -> None:
    model = good_cnn()
    check.check_model(model)
    assert capsys.readouterr().out.startswith("✓")
    assert model.training, "the check must leave the model in training mode"


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
        check.check_model(model)


def test_model_with_the_wrong_output_shape_gets_the_shape_hint() -> None:
    model = good_cnn()
    model[-1] = nn.Linear(8 * 14 * 14, 2)
    with pytest.raises(AssertionError, match=r"shape \(3, 10\)"):
        check.check_model(model)


def test_model_that_returns_probabilities_is_told_about_logits() -> None:
    model = nn.Sequential(good_cnn(), nn.Softmax(dim=1))
    with pytest.raises(AssertionError, match="logits"):
        check.check_model(model)


def test_model_too_large_for_a_cpu_fails() -> None:
    model = good_cnn()
    model[-1] = nn.Sequential(nn.Linear(8 * 14 * 14, 1000), nn.Linear(1000, 10))
    with pytest.raises(AssertionError, match="parameters"):
        check.check_model(model)


def test_evaluate_passes_for_the_exact_mean(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_evaluate(evaluate_right)
    assert capsys.readouterr().out.startswith("✓")


def test_evaluate_with_the_mean_of_batch_means_gets_its_hint() -> None:
    with pytest.raises(AssertionError, match="mean of the batch means"):
        check.check_evaluate(evaluate_batch_means)


def test_evaluate_without_eval_mode_gets_the_dropout_hint() -> None:
    def no_eval(model: nn.Module, loader, device: torch.device) -> tuple[float, float]:
        model.train()
        torch.manual_seed(0)
        total, correct = 0.0, 0
        for x, y in loader:
            scores = model(x)
            total += nn.functional.cross_entropy(scores, y, reduction="sum").item()
            correct += (scores.argmax(dim=1) == y).sum().item()
        return total / 10, correct / 10

    with pytest.raises(AssertionError, match=r"model\.eval\(\)"):
        check.check_evaluate(no_eval)


def test_evaluate_returning_a_percentage_gets_the_fraction_hint() -> None:
    with pytest.raises(AssertionError, match="fraction"):
        check.check_evaluate(evaluate_percent)


def test_test_accuracy_passes_above_the_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_test_accuracy(0.99)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(("value", "message"), [(0.97, "below"), (99.0, "fraction")])
def test_test_accuracy_too_low_or_in_percent_fails(value: float, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check.check_test_accuracy(value)
