"""Self-checks for notebook 04, regressing an ellipse's centre and radii.

Expected values are computed here, on items of ``EllipseDataset``, from the definitions in
``utils.ellipses``; ``train_one_epoch`` and ``evaluate`` run on the engine's probe.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from utils.checks._core import as_float, call_learner_function, check_tensor, fail, passed
from utils.checks.engine import Metric, Probe, predict, probe_evaluate, probe_train_one_epoch
from utils.ellipses import EllipseDataset, to_pixels

_SIZE = 32
PROBE = Probe(task="regression", input_shape=(1, 4, 4), num_outputs=4, scheduler=True)

SMALLEST_PLAUSIBLE_ERROR_PX = 0.03
"""A smaller mean error in px is not believable: the moments baseline is off by about 0.04 px."""


def _probe_images(count: int = 12, size: int = _SIZE) -> torch.Tensor:
    """uint8 images; in the first three one channel (red, green, blue) is the background's."""
    dataset = EllipseDataset(length=count, size=size, seed=12345)
    images = torch.stack([dataset[index][0] for index in range(count)])
    for channel in range(3):
        image = images[channel]
        image[channel][(image != image[:, :1, :1]).any(dim=0)] = image[channel, 0, 0]
    return images


def _moments(mask: torch.Tensor) -> torch.Tensor:
    """(x_c, y_c, r_x, r_y) in pixels from a (n, size, size) float64 mask; NaN where it is empty."""
    centres = torch.arange(mask.shape[-1], dtype=torch.float64) + 0.5
    x, y = centres.view(1, 1, -1), centres.view(1, -1, 1)
    area = mask.sum(dim=(1, 2))
    x_c, y_c = (mask * x).sum(dim=(1, 2)) / area, (mask * y).sum(dim=(1, 2)) / area
    var_x = (mask * (x - x_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    var_y = (mask * (y - y_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    return torch.stack([x_c, y_c, 2 * var_x.sqrt(), 2 * var_y.sqrt()], dim=1)


def _close(result: torch.Tensor, expected: torch.Tensor, atol: float = 1e-3) -> bool:
    return bool(torch.allclose(result, expected, atol=atol, equal_nan=True))


def check_preprocess(preprocess: object) -> None:
    """Check ``preprocess(images)``: each pixel's colour distance from the background, in [0, 1]."""
    images = _probe_images()
    shape = (len(images), 1, _SIZE, _SIZE)
    result = call_learner_function("preprocess", preprocess, images.clone())
    if isinstance(result, torch.Tensor) and tuple(result.shape) != shape:
        fail(
            f"preprocess(images) has shape {tuple(result.shape)}, expected {shape}.",
            "keep the channel axis, with length 1: norm(..., keepdim=True)."
            if result.dim() == 3
            else "the images are channels first, (n, 3, size, size): take the length over the "
            "colour channels, axis 1 (dim=1), not over the last axis.",
        )
    check_tensor("preprocess(images)", result, shape=shape)
    wraps = "the images are uint8, which wraps around below 0 (3 − 5 gives 254): convert them "
    if not result.is_floating_point():
        fail(
            f"preprocess(images) has dtype {result.dtype}, expected floating-point numbers.",
            wraps + "to a float dtype with .float() before subtracting the background.",
        )
    result, largest = result.detach().float().cpu(), 255 * math.sqrt(3)
    expected = (images.float() - images[:, :, :1, :1].float()).norm(dim=1, keepdim=True) / largest
    if torch.allclose(result, expected, atol=1e-5):
        passed("preprocess(images) measures each pixel's colour distance from the background")
        return
    wrapped = (images - images[:, :, :1, :1]).float().norm(dim=1, keepdim=True) / largest
    ratio = float(result.max() / expected.max()) if float(expected.max()) > 0 else 0.0
    factors = {
        255.0: "the values are 255 times too large: divide by 255 as well.",
        math.sqrt(3): "the values can exceed 1: the largest distance is 255 · √3.",
        largest: "scale the distance into [0, 1]: divide by 255 · √3.",
        1 / 255: "the values are 255 times too small: you divided by 255 twice.",
    }
    hint = next((h for k, h in factors.items() if math.isclose(ratio, k, rel_tol=1e-4)), None)
    if any(torch.allclose(result, wrapped * factor, atol=1e-5) for factor in (1, 255, 442)):
        hint = wraps + "to a float (or signed) dtype with .float() before subtracting, not after."
    elif hint is None and float(result[:, :, :1, :1].abs().max()) > 1e-6:
        hint = "the background itself should map to 0: subtract the top-left pixel's colour."
    elif hint is None:
        hint = "take the Euclidean length of (pixel colour − background colour) over the "
        hint += "channel axis, keep that axis with keepdim=True, then divide by 255 · √3."
    fail("preprocess(images) differs from the colour distance to the background.", hint)


def check_moments_baseline(moments_baseline: object) -> None:
    """Check ``moments_baseline(images)``: the image moments of the pixels unlike the background."""
    images = _probe_images()
    result = call_learner_function("moments_baseline", moments_baseline, images.clone())
    check_tensor("moments_baseline(images)", result, shape=(len(images), 4))
    result = result.detach().double().cpu()
    expected = _moments((images != images[:, :, :1, :1]).any(dim=1).double())
    if _close(result, expected):
        passed("moments_baseline(images) estimates the ellipse from its image moments")
        return
    centre, radii = result[:, :2], result[:, 2:]
    masks = {
        f"the {name} channel only": (images[:, channel] != images[:, channel, :1, :1]).double()
        for channel, name in enumerate(["red", "green", "blue"])
    }
    masks["every channel at once (.all)"] = (images != images[:, :, :1, :1]).all(dim=1).double()
    one_channel = [
        n for n, m in masks.items() if _close(result.nan_to_num(), _moments(m).nan_to_num())
    ]
    rows = torch.nonzero(~torch.isfinite(result).all(dim=1)).flatten().tolist()
    swapped = "x and y are swapped: x is the column (last axis), y the row."
    if one_channel:
        hint = f"the mask compares {one_channel[0]}: some ellipses share a colour channel with "
        hint += "their background, so a pixel belongs to the ellipse when ANY channel differs "
        hint += "(.any over the channel axis)."
    elif rows:
        hint = f"the estimates of images {rows} are NaN or infinite: their mask is empty. A pixel "
        hint += "belongs to the ellipse when any colour channel differs from the top-left pixel's."
    elif _close(result, expected[:, [1, 0, 3, 2]]):
        hint = swapped
    elif _close(centre, expected[:, [1, 0]]):
        hint = "the centre's " + swapped
    elif _close(result * _SIZE, expected):
        hint = "return pixels, not fractions of the image size."
    elif _close(centre + 0.5, expected[:, :2]):
        hint = "the centre is half a pixel off: pixel (row, column) has its centre at +0.5."
    elif _close(radii * 2, expected[:, 2:]):
        hint = "the radii are half what they should be: for a filled ellipse the variance is "
        hint += "r² / 4, so radius = 2 × standard deviation."
    elif _close(radii, expected[:, 2:] ** 2 / 4):
        hint = "the radii look like variances: take the square root, then double it."
    elif not _close(centre, expected[:, :2]):
        hint = "the centre is the mean pixel-centre coordinate over the pixels whose colour "
        hint += "differs from the top-left pixel."
    else:
        hint = "each radius is 2 × the standard deviation of the mask's coordinates along its axis."
    fail("moments_baseline(images) gives the wrong estimates on a test batch.", hint)


def check_add_coordinates(add_coordinates: object) -> None:
    """Check an ``AddCoordinates`` module: inputs, then x (along a row), then y (down a column)."""
    for height, width in ((4, 4), (3, 5)):
        inputs, shape = torch.full((2, 1, height, width), 7.0), (2, 3, height, width)
        result = call_learner_function("AddCoordinates()", add_coordinates, inputs.clone())
        if isinstance(result, torch.Tensor) and tuple(result.shape) != shape:
            if tuple(result.shape) == (2, 2, height, width):
                hint = "only the two coordinate channels came back: concatenate them after the "
                hint += "input channels."
            elif result.dim() == 4 and result.shape[1] == 1:
                hint = "concatenate along the channel axis (dim=1), not the batch axis."
            else:
                hint = "the output keeps the batch, height and width of the input and has two "
                hint += "channels more: x varies along the width (last axis), y along the height."
            fail(
                f"AddCoordinates() on inputs of shape {tuple(inputs.shape)} gave shape "
                f"{tuple(result.shape)}, expected {shape}.",
                hint,
            )
        check_tensor("AddCoordinates()(inputs)", result, shape=shape)
        result = result.detach().float().cpu()
        if not torch.allclose(result[:, 0], inputs[:, 0]):
            fail(
                "AddCoordinates() changed the input channels.",
                "keep the inputs as they are, as the first channels, then append x, then y.",
            )
        x = torch.linspace(-1, 1, width).expand(2, height, width)
        y = torch.linspace(-1, 1, height).view(height, 1).expand(2, height, width)
        coordinates, found = torch.stack([x, y], dim=1), result[:, 1:]
        if torch.allclose(found, coordinates, atol=1e-5):
            continue
        if torch.allclose(found, torch.stack([y, x], dim=1), atol=1e-5):
            hint = "x and y are swapped: x is the column position, varying along a row (the "
            hint += "last axis); y varies down a column; x comes first."
        elif torch.allclose(found, coordinates / 2 + 0.5, atol=1e-5):
            hint = "the coordinates run from 0 to 1: make them run from −1 to 1."
        elif float(found.max()) > 1.5:
            hint = "the coordinates look like pixel indices: scale them to run from −1 to 1."
        else:
            hint = "channel 1 should hold each pixel's x from −1 (left) to 1 (right), channel 2 "
            hint += "its y from −1 (top) to 1 (bottom)."
        fail("AddCoordinates() gives the wrong coordinate channels.", hint)
    passed("AddCoordinates() appends x and y channels from −1 to 1 after the inputs")


def check_model(model: object, image_size: int = 64) -> None:
    """Check that ``model`` maps a batch of preprocessed images to four numbers each."""
    if not isinstance(model, nn.Module):
        fail(
            f"model should be a torch.nn.Module, got {type(model).__name__}.",
            "create an instance of your network class: model = EllipseNet().",
        )
    inputs = torch.rand(2, 1, image_size, image_size)
    outputs = call_learner_function("model.forward", predict, model, inputs)
    check_tensor("model(inputs)", outputs, shape=(2, 4), dtype=torch.float32)
    passed(f"the model maps (batch, 1, {image_size}, {image_size}) inputs to (batch, 4) outputs")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check ``train_one_epoch(model, loader, loss_function, optimizer, device, *, scheduler)``."""
    probe_train_one_epoch(train_one_epoch, PROBE)
    passed("train_one_epoch takes the right steps and returns the mean training loss")


def check_evaluate(evaluate: object, image_size: int) -> None:
    """Check ``evaluate``: floats ``loss``, ``centre_mae`` and ``radii_mae`` (both in px)."""
    pixels = f"the image size, {image_size} (to_pixels turns fractions of the image into pixels)"

    def error(columns: slice, what: str) -> Metric:
        def per_item(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
            return to_pixels(outputs - targets, image_size)[:, columns].abs().mean(dim=1)

        return Metric(per_item, f"the absolute error of the {what} in pixels", {pixels: image_size})

    metrics = {"centre_mae": error(slice(0, 2), "centre"), "radii_mae": error(slice(2, 4), "radii")}
    probe_evaluate(evaluate, PROBE, metrics)
    passed("evaluate gives the exact mean loss, and the centre's and radii's errors in pixels")


def check_contrast_normalisation(before: object, after: object) -> None:
    """Check that normalising the contrast at least halves the error on faint ellipses (px)."""
    before_px = as_float("the error before normalisation", before)
    after_px = as_float("the error after normalisation", after)
    if not after_px < 0.5 * before_px:
        fail(
            f"on the faintest ellipses the error went from {before_px:.2f} px to "
            f"{after_px:.2f} px; normalising the contrast should at least halve it.",
            "rescale each image so that its largest value equals the typical training "
            "contrast, then predict on the rescaled images.",
        )
    passed("normalising the contrast at least halves the faint ellipses' error")


def check_noise_robustness(baseline_mae: object, network_mae: object) -> None:
    """Check that, on noisy images, the network stays within 1.5 px and beats the baseline 5×."""
    baseline_px = as_float("the baseline's error", baseline_mae)
    network_px = as_float("the network's error", network_mae)
    if not network_px < 1.5:
        fail(
            f"with noise the network is off by {network_px:.2f} px; it should stay within 1.5 px.",
            "the network learns robustness from the noisy training images: check that "
            "add_noise was applied to the training images before preprocessing.",
        )
    if not baseline_px > 5 * network_px:
        fail(
            f"with noise the baseline is off by {baseline_px:.2f} px and the network by "
            f"{network_px:.2f} px; the network should win at least 5×.",
            "the baseline should see the noisy images: pass noisy_images to moments_baseline.",
        )
    passed("with pixel noise the network stays precise and the baseline does not")


def check_headline(centre_mae: object, radii_mae: object, threshold: float = 1.0) -> None:
    """Check the validation errors against ``threshold`` px; refuse implausible ones."""
    for name, value in (("centre", centre_mae), ("radii", radii_mae)):
        number = as_float(f"the {name} error", value)
        said = f"the validation {name} error is {number:.3g} px"
        if not math.isfinite(number):
            fail(f"{said}.", "the training diverged: lower the learning rate.")
        if number < 0:
            fail(
                f"{said}, but a mean absolute error is never negative.",
                "average |prediction − target|: did you forget .abs()?",
            )
        if number < SMALLEST_PLAUSIBLE_ERROR_PX:
            fail(
                f"{said}: smaller than the pixel grid allows (even the moments baseline is off "
                "by about 0.04 px).",
                "is it still in fractions of the image size? Convert it to pixels with to_pixels.",
            )
        if number > threshold:
            fail(
                f"the validation {name} error is {number:.2f} px, above the {threshold} px "
                "threshold.",
                "train for more epochs, check the learning-rate schedule, and check that the "
                "network gets the preprocessed images and the coordinate channels.",
            )
    passed(f"both validation errors are within {threshold} px")
