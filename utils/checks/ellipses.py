"""Self-checks for notebook 04, regressing an ellipse's centre and radii.

Every expected value is computed here, on items of ``EllipseDataset``, by a
reference written from the definitions in ``utils.ellipses``; nothing is typed in.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checks._core import call_learner_function, check_tensor, fail, find_factor, passed
from utils.ellipses import EllipseDataset

_SIZE = 32


def _probe_images(count: int = 12, size: int = _SIZE) -> torch.Tensor:
    """A batch of uint8 images with distinct colours, the first few with low contrast."""
    dataset = EllipseDataset(length=count, size=size, seed=12345)
    return torch.stack([dataset[index][0] for index in range(count)])


def _reference_preprocess(images: torch.Tensor) -> torch.Tensor:
    background = images[:, :, :1, :1].float()
    difference = images.float() - background
    return difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))


def _reference_moments(images: torch.Tensor) -> torch.Tensor:
    size = images.shape[-1]
    mask = (images != images[:, :, :1, :1]).any(dim=1).double()
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    x, y = centres.view(1, 1, size), centres.view(1, size, 1)
    area = mask.sum(dim=(1, 2)).clamp_min(1)
    x_c = (mask * x).sum(dim=(1, 2)) / area
    y_c = (mask * y).sum(dim=(1, 2)) / area
    var_x = (mask * (x - x_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    var_y = (mask * (y - y_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    return torch.stack([x_c, y_c, 2 * var_x.sqrt(), 2 * var_y.sqrt()], dim=1)


def check_preprocess(preprocess: object) -> None:
    """Check ``preprocess(images)``: each pixel's colour distance from the background, in [0, 1]."""
    images = _probe_images()
    result = call_learner_function("preprocess", preprocess, images.clone())
    check_tensor("preprocess(images)", result, shape=(len(images), 1, _SIZE, _SIZE))
    assert isinstance(result, torch.Tensor)
    if not result.is_floating_point():
        fail(
            f"preprocess(images) has dtype {result.dtype}, expected floating-point numbers.",
            "convert the uint8 images with .float() before subtracting: uint8 wraps around "
            "below 0.",
        )
    result = result.detach().float().cpu()
    expected = _reference_preprocess(images)
    if not torch.allclose(result, expected, atol=1e-5):
        ratio = float(result.max() / expected.max()) if float(expected.max()) > 0 else 0.0
        hint = find_factor(
            ratio,
            1.0,
            {
                255.0: "the values are 255 times too large: divide by 255 as well.",
                math.sqrt(3): "the values can exceed 1: the largest distance is 255 · √3.",
                255 * math.sqrt(3): "scale the distance into [0, 1]: divide by 255 · √3.",
            },
        )
        if hint is None and float((result[:, :, :1, :1]).abs().max()) > 1e-6:
            hint = "the background itself should map to 0: subtract the top-left pixel's colour."
        fail(
            "preprocess(images) differs from the colour distance to the background.",
            hint
            or "take the Euclidean length of (pixel colour − background colour) over the "
            "channel axis, keep that axis with keepdim=True, then divide by 255 · √3.",
        )
    passed("preprocess(images) measures each pixel's colour distance from the background")


def check_moments_baseline(moments_baseline: object) -> None:
    """Check ``moments_baseline(images)`` against image moments of the segmented ellipse."""
    images = _probe_images()
    result = call_learner_function("moments_baseline", moments_baseline, images.clone())
    check_tensor("moments_baseline(images)", result, shape=(len(images), 4))
    assert isinstance(result, torch.Tensor)
    result = result.detach().double().cpu()
    expected = _reference_moments(images)
    if torch.allclose(result, expected, atol=1e-3):
        passed("moments_baseline(images) estimates the ellipse from its image moments")
        return
    centre, radii = result[:, :2], result[:, 2:]
    if torch.allclose(result, expected[:, [1, 0, 3, 2]], atol=1e-3):
        hint = "x and y are swapped: x is the column (last axis), y the row."
    elif torch.allclose(result * _SIZE, expected, atol=1e-3):
        hint = "return pixels, not fractions of the image size."
    elif torch.allclose(centre + 0.5, expected[:, :2], atol=1e-3):
        hint = "the centre is half a pixel off: pixel (row, column) has its centre at +0.5."
    elif torch.allclose(radii * 2, expected[:, 2:], atol=1e-3):
        hint = "the radii are half what they should be: radius = 2 × standard deviation."
    elif torch.allclose(radii, expected[:, 2:] ** 2 / 4, atol=1e-3):
        hint = "the radii look like variances: take the square root, then double it."
    elif not torch.allclose(centre, expected[:, :2], atol=1e-3):
        hint = (
            "the centre is the mean pixel-centre coordinate over the pixels whose colour "
            "differs from the top-left pixel."
        )
    else:
        hint = "each radius is 2 × the standard deviation of the mask's coordinates along its axis."
    fail("moments_baseline(images) gives the wrong estimates on a test batch.", hint)


def check_model(model: object, image_size: int = 64) -> None:
    """Check that ``model`` maps a batch of preprocessed images to four numbers each."""
    if not isinstance(model, nn.Module):
        fail(
            f"model should be a torch.nn.Module, got {type(model).__name__}.",
            "create an instance of your network class: model = EllipseNet().",
        )
    assert isinstance(model, nn.Module)
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    inputs = torch.rand(2, 1, image_size, image_size, device=device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            outputs = call_learner_function("model.forward", model, inputs)
    finally:
        model.train(was_training)
    check_tensor("model(inputs)", outputs, shape=(2, 4), dtype=torch.float32)
    passed(f"the model maps (batch, 1, {image_size}, {image_size}) inputs to (batch, 4) outputs")


class _ConstantModel(nn.Module):
    """Predicts the same targets for every input: a model whose errors are known exactly."""

    def __init__(self, prediction: torch.Tensor) -> None:
        super().__init__()
        self.prediction = nn.Parameter(prediction, requires_grad=False)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.prediction.expand(len(inputs), 4)


def check_evaluate(evaluate: object) -> None:
    """Check ``evaluate(model, loader, device)``: the mean absolute error per target, in pixels.

    The loader's last batch is smaller than the others, so a mean of batch
    means gives a different (wrong) answer.
    """
    generator = torch.Generator().manual_seed(0)
    size = 64
    targets = torch.rand(10, 4, generator=generator)
    inputs = torch.zeros(10, 1, size, size)
    prediction = torch.tensor([0.5, 0.5, 0.2, 0.2])
    model = _ConstantModel(prediction)
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=4)
    result = call_learner_function("evaluate", evaluate, model, loader, torch.device("cpu"))
    check_tensor("evaluate(...)", result, shape=(4,))
    assert isinstance(result, torch.Tensor)
    result = result.detach().double()
    expected = ((prediction - targets).abs().mean(dim=0) * size).double()
    if not torch.allclose(result, expected, rtol=1e-5):
        batch_means = torch.stack(
            [(prediction - t).abs().mean(dim=0) * size for t in targets.split(4)]
        ).mean(dim=0)
        if torch.allclose(result, batch_means.double(), rtol=1e-5):
            hint = (
                "that is a mean of batch means; sum the errors, then divide by the data set size."
            )
        elif torch.allclose(result * size, expected, rtol=1e-5):
            hint = "convert to pixels: multiply the error by the image size."
        elif torch.allclose(result, expected * len(targets), rtol=1e-5):
            hint = "divide the summed errors by the number of images."
        else:
            hint = "average |prediction − target| over all images, separately for each target."
        fail("evaluate(...) gives the wrong mean absolute errors on a test loader.", hint)
    passed("evaluate(...) gives the exact mean absolute error of each target, in pixels")


def check_headline(centre_mae: object, radii_mae: object, limit: float = 1.0) -> None:
    """Check the final validation errors against the notebook's target of ``limit`` pixels."""
    for name, value in (("centre", centre_mae), ("radii", radii_mae)):
        number = float(np.asarray(value))
        if not math.isfinite(number):
            fail(
                f"the {name} error is {number}.", "the training diverged: lower the learning rate."
            )
        if number > limit:
            fail(
                f"the validation {name} error is {number:.2f} px, above the {limit} px target.",
                "train for more epochs, check the learning-rate schedule, and check that the "
                "network gets the preprocessed images and the coordinate channels.",
            )
    passed(f"both validation errors are within {limit} px")
