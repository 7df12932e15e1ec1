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


def _probe_images(count: int = 12, size: int = _SIZE, mask: bool = False) -> torch.Tensor:
    """uint8 images; in the first three one channel (red, green, blue) is the background's.

    With ``mask``, their masks instead: float64, 1 where any channel differs from the top-left.
    """
    dataset = EllipseDataset(length=count, size=size, seed=12345)
    images = torch.stack([dataset[index][0] for index in range(count)])
    for channel in range(3):
        image = images[channel]
        image[channel][(image != image[:, :1, :1]).any(dim=0)] = image[channel, 0, 0]
    return (images != images[:, :, :1, :1]).any(dim=1).double() if mask else images


def _moment(mask: torch.Tensor, centre: object = 0.0, power: int = 1, count: object = None):
    """Sum over each mask of (x − x_c)^power and (y − y_c)^power, ÷ ``count`` (its area): (n, 2)."""
    grid = torch.arange(mask.shape[-1], dtype=torch.float64) + 0.5
    x, y = grid.view(1, 1, -1), grid.view(1, -1, 1)
    centre = torch.as_tensor(centre, dtype=torch.float64).expand(len(mask), 2).view(-1, 2, 1, 1)
    sums = [(mask * (x - centre[:, 0]) ** power).sum(dim=(1, 2))]
    sums.append((mask * (y - centre[:, 1]) ** power).sum(dim=(1, 2)))
    count = mask.sum(dim=(1, 2)) if count is None else torch.as_tensor(count)
    return torch.stack(sums, 1) / count.view(-1, 1)


def _close(result: torch.Tensor, expected: torch.Tensor, atol: float = 1e-3) -> bool:
    return bool(torch.allclose(result, expected, atol=atol, equal_nan=True))


SWAPPED = "x and y are swapped: x is the column (last axis), y the row."
ANY_CHANNEL = "some ellipses share a colour channel with their background: a pixel belongs to "
ANY_CHANNEL += "the ellipse when ANY channel differs (.any over the channel axis)."
AREA = "divide by each image's own area, mask.sum(dim=(1, 2)), "
IMAGE, BATCH = "not by the number of pixels in the image.", "not by the area of the whole batch."


def _check_step(call: str, function: object, inputs: tuple, expected: torch.Tensor, slips: dict):
    """Pass if ``function(*inputs)`` gives ``expected``, else fail with the hint of its slip.

    ``slips`` maps hints to the values each slip gives, ``"shape"`` and ``"else"`` to hints."""
    result = call_learner_function(call.split("(")[0], function, *map(torch.clone, inputs))
    shape = f"{call} has shape {tuple(getattr(result, 'shape', ()))}, expected "
    if isinstance(result, torch.Tensor) and result.shape != expected.shape:
        fail(f"{shape}{tuple(expected.shape)}.", slips["shape"])
    check_tensor(call, result)
    slips["return pixels, not fractions of the image size."] = expected / _SIZE
    found = result.detach().double().cpu()
    if not _close(found, expected):
        wrong = {h: values for h, values in slips.items() if isinstance(values, torch.Tensor)}
        hint = next((h for h, v in wrong.items() if _close(found, v.double())), slips["else"])
        fail(f"{call} gives the wrong values on a test batch.", hint)


def check_ellipse_mask(ellipse_mask: object) -> None:
    """Check step 1: 1 where any channel differs from the top-left pixel, 0 elsewhere."""
    images = _probe_images()
    differs = images != images[:, :, :1, :1]
    slips = {
        "shape": "one value per pixel: reduce over the colour channels (axis 1) with .any.",
        "the mask is 1 on the background: mark the pixels that differ (!=).": ~differs.any(1),
        "every channel at once (.all) is too strict: " + ANY_CHANNEL: differs.all(dim=1),
        **{
            f"the mask compares the {name} channel only: " + ANY_CHANNEL: differs[:, channel]
            for channel, name in enumerate(("red", "green", "blue"))
        },
        "else": "compare each pixel with the top-left one, images[:, :, :1, :1], then .any.",
    }
    _check_step("ellipse_mask(images)", ellipse_mask, (images,), differs.any(1).double(), slips)
    passed("ellipse_mask(images) marks the pixels whose colour differs from the background")


def check_centroid(centroid: object) -> None:
    """Check step 2: the mean pixel-centre position (x_c, y_c) of each mask, in pixels."""
    mask = _probe_images(mask=True)
    expected = _moment(mask)
    slips = {
        "shape": "one (x_c, y_c) per image: torch.stack([x_c, y_c], dim=1).",
        SWAPPED: expected[:, [1, 0]],
        "half a pixel off: pixel (row, column) has its centre at +0.5.": expected - 0.5,
        AREA + IMAGE: _moment(mask, count=_SIZE**2),
        AREA + BATCH: _moment(mask, count=mask.sum()),
        "else": "the centre is the mean pixel-centre coordinate over the mask's pixels.",
    }
    _check_step("centroid(mask)", centroid, (mask,), expected, slips)
    passed("centroid(mask) is the mean position of the ellipse's pixels")


def check_variances(variances: object) -> None:
    """Check step 3: (var_x, var_y), the mean squared distance from the centre over the mask."""
    mask = _probe_images(mask=True)
    centre, expected = _moment(mask), _moment(mask, _moment(mask), 2)
    slips = {
        "shape": "one (var_x, var_y) per image: torch.stack([var_x, var_y], dim=1).",
        SWAPPED: expected[:, [1, 0]],
        AREA + IMAGE: _moment(mask, centre, 2, _SIZE**2),
        AREA + BATCH: _moment(mask, centre, 2, mask.sum()),
        "these are standard deviations: the variance is the mean of (x − x_c)², with no square "
        "root (the radii come next).": expected.sqrt(),
        "subtract the centre first: the mean of (x − x_c)², not of x².": _moment(mask, power=2),
        "else": "the variance of x is the mean, over the mask's pixels, of (x − x_c)².",
    }
    _check_step("variances(mask, centre)", variances, (mask, centre), expected, slips)
    passed("variances(mask, centre) gives the spread of the ellipse's pixels along x and y")


def check_radii(radii_from_variances: object) -> None:
    """Check step 4: each radius is 2 × the standard deviation, r = 2 √variance."""
    mask = _probe_images(mask=True)
    spread = _moment(mask, _moment(mask), 2)
    slips = {
        "shape": "one (r_x, r_y) per image: the shape of the variances.",
        "the radii are half what they should be: for a filled ellipse the variance is r² / 4, "
        "so radius = 2 × standard deviation.": spread.sqrt(),
        "these are variances: take the square root, then double it.": 2 * spread,
        "else": "each radius is 2 × the standard deviation, the square root of the variance.",
    }
    call = "radii_from_variances(variances)"
    _check_step(call, radii_from_variances, (spread,), 2 * spread.sqrt(), slips)
    passed("radii_from_variances(variances) gives each radius as twice the standard deviation")


def check_moments_baseline(moments_baseline: object) -> None:
    """Check ``moments_baseline(images)``: the four steps put together, in pixels."""
    images, mask = _probe_images(), _probe_images(mask=True)
    expected = torch.cat([_moment(mask), 2 * _moment(mask, _moment(mask), 2).sqrt()], dim=1)
    slips = {
        "shape": "one (x_c, y_c, r_x, r_y) per image: torch.cat([centre, radii], dim=1).",
        SWAPPED: expected[:, [1, 0, 3, 2]],
        "the centre's " + SWAPPED: expected[:, [1, 0, 2, 3]],
        "else": "put the steps together: the centre, then the radii, with torch.cat(..., dim=1).",
    }
    _check_step("moments_baseline(images)", moments_baseline, (images,), expected, slips)
    passed("moments_baseline(images) estimates the ellipse from its image moments")


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
