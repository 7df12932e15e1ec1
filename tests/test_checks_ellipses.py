"""The notebook-04 self-checks accept right answers and explain the classic wrong ones."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from utils.checks import ellipses as check
from utils.ellipses import EllipseDataset, to_pixels

# ---- preprocess ---------------------------------------------------------------------------


def preprocess(images):
    difference = images.float() - images[:, :, :1, :1].float()
    return difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))


def test_preprocess_accepts_the_colour_distance(capsys):
    check.check_preprocess(preprocess)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda images: preprocess(images) * 255 * math.sqrt(3), "divide by 255 · √3"),
        (lambda images: preprocess(images) * math.sqrt(3), "255 · √3"),
        (lambda images: preprocess(images) * 255, "divide by 255 as well"),
        (lambda images: images.float().norm(dim=1, keepdim=True) / 442, "background"),
    ],
    ids=["unscaled", "no-sqrt3", "no-255", "no-background"],
)
def test_preprocess_explains_known_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        check.check_preprocess(wrong)


def test_preprocess_refuses_integer_output():
    with pytest.raises(AssertionError, match="uint8 wraps around"):
        check.check_preprocess(lambda images: (images - images[:, :, :1, :1])[:, :1])


def test_preprocess_refuses_a_missing_channel_axis():
    with pytest.raises(AssertionError, match="shape"):
        check.check_preprocess(lambda images: preprocess(images)[:, 0])


def test_preprocess_reports_a_crash_readably():
    with pytest.raises(AssertionError, match="Calling preprocess raised ZeroDivisionError"):
        check.check_preprocess(lambda images: 1 / 0)


# ---- moments_baseline ---------------------------------------------------------------------


def moments_baseline(images):
    mask = (images != images[:, :, :1, :1]).any(dim=1).double()
    size = images.shape[-1]
    rows, columns = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    x, y = columns.double() + 0.5, rows.double() + 0.5
    area = mask.sum(dim=(1, 2))
    x_c = (mask * x).sum(dim=(1, 2)) / area
    y_c = (mask * y).sum(dim=(1, 2)) / area
    std_x = ((mask * (x - x_c[:, None, None]) ** 2).sum(dim=(1, 2)) / area).sqrt()
    std_y = ((mask * (y - y_c[:, None, None]) ** 2).sum(dim=(1, 2)) / area).sqrt()
    return torch.stack([x_c, y_c, 2 * std_x, 2 * std_y], dim=1)


def radii_as_variances(estimates):
    return torch.cat([estimates[:, :2], estimates[:, 2:] ** 2 / 4], dim=1)


def test_moments_baseline_accepts_centroid_and_twice_the_standard_deviation(capsys):
    check.check_moments_baseline(moments_baseline)
    assert capsys.readouterr().out.startswith("✓")


def test_moments_baseline_is_nearly_exact_on_clean_images():
    dataset = EllipseDataset(length=50, size=64, seed=0)
    images = torch.stack([dataset[i][0] for i in range(50)])
    truth = to_pixels(torch.stack([dataset[i][1] for i in range(50)]), 64).double()
    assert (moments_baseline(images) - truth).abs().mean() < 0.1


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda images: moments_baseline(images)[:, [1, 0, 3, 2]], "x and y are swapped"),
        (lambda images: moments_baseline(images) / images.shape[-1], "return pixels"),
        (lambda images: moments_baseline(images) - torch.tensor([0.5, 0.5, 0, 0]), "half a pixel"),
        (lambda images: moments_baseline(images) * torch.tensor([1, 1, 0.5, 0.5]), "2 × standard"),
        (lambda images: radii_as_variances(moments_baseline(images)), "variances"),
    ],
    ids=["swapped", "fractions", "no-half-pixel", "std", "variance"],
)
def test_moments_baseline_explains_known_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        check.check_moments_baseline(wrong)


def test_moments_baseline_refuses_the_wrong_shape():
    with pytest.raises(AssertionError, match=r"shape \(12, 2\)"):
        check.check_moments_baseline(lambda images: moments_baseline(images)[:, :2])


# ---- model --------------------------------------------------------------------------------


class GoodModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64 * 64, 4))

    def forward(self, inputs):
        return self.layers(inputs)


def test_model_accepts_four_outputs_and_restores_training_mode(capsys):
    model = GoodModel().train()
    check.check_model(model)
    assert capsys.readouterr().out.startswith("✓")
    assert model.training


def test_model_refuses_a_class_instead_of_an_instance():
    with pytest.raises(AssertionError, match=r"should be a torch\.nn\.Module"):
        check.check_model(GoodModel)


def test_model_refuses_the_wrong_number_of_outputs():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64 * 64, 3))
    with pytest.raises(AssertionError, match=r"shape \(2, 3\), expected \(2, 4\)"):
        check.check_model(model)


# ---- evaluate -----------------------------------------------------------------------------


def evaluate(model, loader, device):
    total = torch.zeros(4)
    with torch.no_grad():
        for inputs, targets in loader:
            total += (model(inputs.to(device)).cpu() - targets).abs().sum(dim=0)
    return to_pixels(total / len(loader.dataset), 64)


def mean_of_batch_means(model, loader, device):
    means = [(model(inputs) - targets).abs().mean(dim=0) for inputs, targets in loader]
    return to_pixels(torch.stack(means).mean(dim=0), 64)


def test_evaluate_accepts_the_exact_mean(capsys):
    check.check_evaluate(evaluate)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (mean_of_batch_means, "mean of batch means"),
        (lambda model, loader, device: evaluate(model, loader, device) / 64, "pixels"),
        (
            lambda model, loader, device: evaluate(model, loader, device) * len(loader.dataset),
            "divide the summed errors",
        ),
    ],
    ids=["batch-means", "not-pixels", "not-divided"],
)
def test_evaluate_explains_known_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        check.check_evaluate(wrong)


def test_evaluate_hint_never_gives_the_numbers():
    with pytest.raises(AssertionError) as error:
        check.check_evaluate(lambda model, loader, device: torch.zeros(4))
    assert not any(character.isdigit() for character in str(error.value).split("Hint:")[1])


def test_evaluate_gets_a_last_batch_smaller_than_the_others():
    # The check relies on this to tell a mean of batch means from the exact mean.
    seen: list[int] = []

    def spy(model, loader: DataLoader, device):
        seen.extend(len(inputs) for inputs, _ in loader)
        return evaluate(model, loader, device)

    check.check_evaluate(spy)
    assert len(set(seen)) > 1


# ---- headline -----------------------------------------------------------------------------


def test_headline_accepts_errors_within_the_limit(capsys):
    check.check_headline(0.4, torch.tensor(0.99))
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("centre", "radii", "message"),
    [(1.2, 0.5, "centre error is 1.20 px"), (0.5, 3.0, "radii error is 3.00 px")],
)
def test_headline_refuses_errors_above_the_limit(centre, radii, message):
    with pytest.raises(AssertionError, match=message):
        check.check_headline(centre, radii)


def test_headline_reports_divergence():
    with pytest.raises(AssertionError, match="diverged"):
        check.check_headline(float("nan"), 0.5)


# ---- every check --------------------------------------------------------------------------


class ForgetsToReturn(nn.Module):
    def forward(self, inputs):
        inputs + 1  # computed, but never returned


@pytest.mark.parametrize(
    ("run_check", "name"),
    [
        (lambda: check.check_preprocess(lambda images: None), "preprocess"),
        (lambda: check.check_moments_baseline(lambda images: None), "moments_baseline"),
        (lambda: check.check_model(ForgetsToReturn()), "forward"),
        (lambda: check.check_evaluate(lambda model, loader, device: None), "evaluate"),
    ],
    ids=["preprocess", "moments_baseline", "model", "evaluate"],
)
def test_a_missing_return_is_named(run_check, name):
    with pytest.raises(
        AssertionError, match=rf"{name}.*returned None.*\nHint: did you forget the return"
    ):
        run_check()
