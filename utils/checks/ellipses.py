"""Self-checks for notebook 04, regressing an ellipse's centre and radii.

Every expected value is computed here, on items of ``EllipseDataset``, by a
reference written from the definitions in ``utils.ellipses``; nothing is typed in.
Each check calls the learner's function on probes of its own, so a learner's
global variable can never make a wrong function pass.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checks._core import (
    as_float,
    call_learner_function,
    check_tensor,
    fail,
    find_factor,
    passed,
)
from utils.ellipses import EllipseDataset

_SIZE = 32

SMALLEST_PLAUSIBLE_ERROR_PX = 0.03
"""Below this, a network's mean error in pixels is not believable.

The pixel grid itself blurs the outline: even the moments baseline, nearly exact,
is off by about 0.04 px on clean images. A smaller "error" is almost always one
left in fractions of the image size.
"""


def _probe_images(count: int = 12, size: int = _SIZE) -> torch.Tensor:
    """A batch of uint8 images with distinct colours.

    In the first three, the ellipse shares one colour channel with the background
    (red, green, blue in turn): one channel alone cannot tell them apart there.
    """
    dataset = EllipseDataset(length=count, size=size, seed=12345)
    images = torch.stack([dataset[index][0] for index in range(count)])
    for channel in range(3):
        image = images[channel]
        ellipse = (image != image[:, :1, :1]).any(dim=0)
        image[channel][ellipse] = image[channel, 0, 0]
    return images


def _moments(mask: torch.Tensor) -> torch.Tensor:
    """(x_c, y_c, r_x, r_y) in pixels from a (n, size, size) float64 mask; NaN where it is empty."""
    size = mask.shape[-1]
    centres = torch.arange(size, dtype=torch.float64) + 0.5
    x, y = centres.view(1, 1, size), centres.view(1, size, 1)
    area = mask.sum(dim=(1, 2))
    x_c = (mask * x).sum(dim=(1, 2)) / area
    y_c = (mask * y).sum(dim=(1, 2)) / area
    var_x = (mask * (x - x_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    var_y = (mask * (y - y_c.view(-1, 1, 1)) ** 2).sum(dim=(1, 2)) / area
    return torch.stack([x_c, y_c, 2 * var_x.sqrt(), 2 * var_y.sqrt()], dim=1)


def _reference_preprocess(images: torch.Tensor) -> torch.Tensor:
    background = images[:, :, :1, :1].float()
    difference = images.float() - background
    return difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))


def _reference_moments(images: torch.Tensor) -> torch.Tensor:
    return _moments((images != images[:, :, :1, :1]).any(dim=1).double())


def _close(result: torch.Tensor, expected: torch.Tensor, atol: float = 1e-3) -> bool:
    return bool(torch.allclose(result, expected, atol=atol, equal_nan=True))


def check_preprocess(preprocess: object) -> None:
    """Check ``preprocess(images)``: each pixel's colour distance from the background, in [0, 1]."""
    images = _probe_images()
    count = len(images)
    result = call_learner_function("preprocess", preprocess, images.clone())
    expected_shape = (count, 1, _SIZE, _SIZE)
    if isinstance(result, torch.Tensor) and tuple(result.shape) != expected_shape:
        fail(
            f"preprocess(images) has shape {tuple(result.shape)}, expected {expected_shape}.",
            "keep the channel axis, with length 1: norm(..., keepdim=True)."
            if result.dim() == 3
            else "the images are channels first, (n, 3, size, size): take the length over the "
            "colour channels, axis 1 (dim=1), not over the last axis.",
        )
    check_tensor("preprocess(images)", result, shape=(count, 1, _SIZE, _SIZE))
    assert isinstance(result, torch.Tensor)
    if not result.is_floating_point():
        fail(
            f"preprocess(images) has dtype {result.dtype}, expected floating-point numbers.",
            "the images are uint8, which wraps around below 0 (3 − 5 gives 254): convert them "
            "to a float dtype with .float() before subtracting the background.",
        )
    result = result.detach().float().cpu()
    expected = _reference_preprocess(images)
    if torch.allclose(result, expected, atol=1e-5):
        passed("preprocess(images) measures each pixel's colour distance from the background")
        return
    wrapped = (images - images[:, :, :1, :1]).float().norm(dim=1, keepdim=True)
    wrapped = wrapped / (255 * math.sqrt(3))
    ratio = float(result.max() / expected.max()) if float(expected.max()) > 0 else 0.0
    if any(torch.allclose(result, wrapped * factor, atol=1e-5) for factor in (1, 255, 442)):
        hint = (
            "the difference was taken in uint8, which wraps around below 0 (3 − 5 gives 254): "
            "convert the images to a float (or signed) dtype with .float() before subtracting, "
            "not after."
        )
    else:
        hint = find_factor(
            ratio,
            1.0,
            {
                255.0: "the values are 255 times too large: divide by 255 as well.",
                math.sqrt(3): "the values can exceed 1: the largest distance is 255 · √3.",
                255 * math.sqrt(3): "scale the distance into [0, 1]: divide by 255 · √3.",
                1 / 255: "the values are 255 times too small: you divided by 255 twice.",
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


def check_moments_baseline(moments_baseline: object) -> None:
    """Check ``moments_baseline(images)`` against image moments of the segmented ellipse.

    The probe batch includes ellipses that share one colour channel with their
    background, so a mask built from one channel (or requiring every channel
    to differ) is caught here, not as a NaN error later.
    """
    images = _probe_images()
    result = call_learner_function("moments_baseline", moments_baseline, images.clone())
    check_tensor("moments_baseline(images)", result, shape=(len(images), 4))
    assert isinstance(result, torch.Tensor)
    result = result.detach().double().cpu()
    expected = _reference_moments(images)
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
        name
        for name, mask in masks.items()
        if _close(result, _moments(mask)) or _close(result, _moments(mask).nan_to_num())
    ]
    if one_channel:
        hint = (
            f"the mask compares {one_channel[0]}: some ellipses share a colour channel with "
            "their background, so a pixel belongs to the ellipse when ANY channel differs "
            "(.any over the channel axis)."
        )
    elif not bool(torch.isfinite(result).all()):
        rows = torch.nonzero(~torch.isfinite(result).all(dim=1)).flatten().tolist()
        hint = (
            f"the estimates of images {rows} are NaN or infinite: their mask is empty. A pixel "
            "belongs to the ellipse when any colour channel differs from the top-left pixel's."
        )
    elif _close(result, expected[:, [1, 0, 3, 2]]):
        hint = "x and y are swapped: x is the column (last axis), y the row."
    elif _close(centre, expected[:, [1, 0]]):
        hint = "the centre's x and y are swapped: x is the column (last axis), y the row."
    elif _close(result * _SIZE, expected):
        hint = "return pixels, not fractions of the image size."
    elif _close(centre + 0.5, expected[:, :2]):
        hint = "the centre is half a pixel off: pixel (row, column) has its centre at +0.5."
    elif _close(radii * 2, expected[:, 2:]):
        hint = (
            "the radii are half what they should be: for a filled ellipse the variance is "
            "r² / 4, so radius = 2 × standard deviation."
        )
    elif _close(radii, expected[:, 2:] ** 2 / 4):
        hint = "the radii look like variances: take the square root, then double it."
    elif not _close(centre, expected[:, :2]):
        hint = (
            "the centre is the mean pixel-centre coordinate over the pixels whose colour "
            "differs from the top-left pixel."
        )
    else:
        hint = "each radius is 2 × the standard deviation of the mask's coordinates along its axis."
    fail("moments_baseline(images) gives the wrong estimates on a test batch.", hint)


def check_add_coordinates(add_coordinates: object) -> None:
    """Check an ``AddCoordinates`` module: inputs, then x (along a row), then y (down a column).

    Probed on a square and on a non-square batch, so that x and y cannot be
    confused, with coordinates from -1 to 1.
    """
    for height, width in ((4, 4), (3, 5)):
        inputs = torch.full((2, 1, height, width), 7.0)
        result = call_learner_function("AddCoordinates()", add_coordinates, inputs.clone())
        expected_shape = (2, 3, height, width)
        if isinstance(result, torch.Tensor) and tuple(result.shape) != expected_shape:
            if tuple(result.shape) == (2, 2, height, width):
                hint = (
                    "only the two coordinate channels came back: concatenate them after the "
                    "input channels."
                )
            elif result.dim() == 4 and result.shape[1] == 1:
                hint = "concatenate along the channel axis (dim=1), not the batch axis."
            else:
                hint = (
                    "the output keeps the batch, height and width of the input and has two "
                    "channels more: x varies along the width (last axis), y along the height."
                )
            fail(
                f"AddCoordinates() on inputs of shape {tuple(inputs.shape)} gave shape "
                f"{tuple(result.shape)}, expected {expected_shape}.",
                hint,
            )
        check_tensor("AddCoordinates()(inputs)", result, shape=expected_shape)
        assert isinstance(result, torch.Tensor)
        result = result.detach().float().cpu()
        x = torch.linspace(-1, 1, width).expand(2, height, width)
        y = torch.linspace(-1, 1, height).view(height, 1).expand(2, height, width)
        if not torch.allclose(result[:, 0], inputs[:, 0]):
            fail(
                "AddCoordinates() changed the input channels.",
                "keep the inputs as they are, as the first channels, then append x, then y.",
            )
        if torch.allclose(result[:, 1:], torch.stack([x, y], dim=1), atol=1e-5):
            continue
        if torch.allclose(result[:, 1:], torch.stack([y, x], dim=1), atol=1e-5):
            hint = (
                "x and y are swapped: x is the column position, varying along a row (the "
                "last axis); y varies down a column; x comes first."
            )
        elif torch.allclose(result[:, 1:], torch.stack([x, y], dim=1) / 2 + 0.5, atol=1e-5):
            hint = "the coordinates run from 0 to 1: make them run from −1 to 1."
        elif float(result[:, 1:].max()) > 1.5:
            hint = "the coordinates look like pixel indices: scale them to run from −1 to 1."
        else:
            hint = (
                "channel 1 should hold each pixel's x from −1 (left) to 1 (right), channel 2 "
                "its y from −1 (top) to 1 (bottom)."
            )
        fail("AddCoordinates() gives the wrong coordinate channels.", hint)
    passed("AddCoordinates() appends x and y channels from −1 to 1 after the inputs")


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


# ---- training -------------------------------------------------------------------------------


def _probe_training_setup() -> tuple[nn.Module, DataLoader, torch.Tensor]:
    """A tiny model with batch norm, and a loader of 10 items in batches of 4, 4 and 2."""
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4)
    )
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(0.5 * torch.randn(parameter.shape, generator=generator))
    model.eval()  # as evaluate() leaves it: train_one_epoch must switch it back
    inputs = torch.randn(10, 1, 4, 4, generator=generator)
    targets = torch.rand(10, 4, generator=generator)
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=4)
    return model, loader, targets


def _optimizer_and_scheduler(
    model: nn.Module,
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 / (1 + step))
    return optimizer, scheduler


def _reference_epoch(
    model: nn.Module,
    loader: DataLoader,
    zero_grad: bool = True,
    sign: float = 1.0,
    train: bool = True,
) -> list[tuple[float, int]]:
    """Train ``model`` one epoch, optionally with a classic slip; return (loss, batch size)s."""
    loss_function = nn.MSELoss()
    optimizer, scheduler = _optimizer_and_scheduler(model)
    model.train(train)
    losses = []
    for inputs, targets in loader:
        loss = loss_function(model(inputs), targets)
        if zero_grad:
            optimizer.zero_grad()
        (sign * loss).backward()
        optimizer.step()
        scheduler.step()
        losses.append((loss.item(), len(inputs)))
    return losses


def _parameters(model: nn.Module) -> torch.Tensor:
    return torch.cat([parameter.detach().flatten() for parameter in model.parameters()])


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check ``train_one_epoch(model, loader, loss_function, optimizer, device, scheduler)``.

    One epoch on a tiny probe model (with batch norm, handed over in ``eval``
    mode as ``evaluate`` leaves it) is compared with a reference epoch, and with
    reference epochs that make the classic slips (no ``zero_grad``, gradient
    ascent, no ``model.train()``), so the slip is named here rather than as a
    poor result minutes later. The returned loss must be the exact mean over
    the items: the last batch is smaller than the others.
    """
    model, loader, _ = _probe_training_setup()
    learner_model = copy.deepcopy(model)
    optimizer, scheduler = _optimizer_and_scheduler(learner_model)
    result = call_learner_function(
        "train_one_epoch",
        train_one_epoch,
        learner_model,
        loader,
        nn.MSELoss(),
        optimizer,
        torch.device("cpu"),
        scheduler,
    )
    mean_loss = as_float("train_one_epoch(...)", result)
    batches = len(loader)
    if scheduler.last_epoch != batches:
        fail(
            f"the learning-rate scheduler stepped {scheduler.last_epoch} times in an epoch of "
            f"{batches} batches.",
            "call scheduler.step() once per batch, right after optimizer.step()"
            + (": OneCycleLR counts batches, not epochs." if scheduler.last_epoch == 1 else "."),
        )
    if not learner_model.training:
        fail(
            "after train_one_epoch the model is still in eval mode.",
            "call model.train() at the start: evaluate() leaves the model in eval mode, where "
            "batch norm uses its running statistics instead of the batch's.",
        )
    learnt = _parameters(learner_model)
    slips = {
        "gradients accumulate from batch to batch: call optimizer.zero_grad() before each "
        "loss.backward().": {"zero_grad": False},
        "the weights moved uphill, making the loss larger: back-propagate the loss itself, "
        "with no minus sign.": {"sign": -1.0},
        "the batches ran in eval mode: call model.train() before the loop, since evaluate() "
        "leaves the model in eval mode.": {"train": False},
    }
    reference = copy.deepcopy(model)
    losses = _reference_epoch(reference, loader)
    if not torch.allclose(learnt, _parameters(reference), atol=1e-5):
        if torch.allclose(learnt, _parameters(model)):
            hint = (
                "the weights did not change: each batch needs loss.backward() and then "
                "optimizer.step(), with optimizer.zero_grad() before backward, not between them."
            )
        else:
            hint = (
                "for each batch: predictions = model(inputs), loss = loss_function(predictions, "
                "targets), optimizer.zero_grad(), loss.backward(), optimizer.step(), "
                "scheduler.step()."
            )
            for slip, options in slips.items():
                wrong = copy.deepcopy(model)
                _reference_epoch(wrong, loader, **options)
                if torch.allclose(learnt, _parameters(wrong), atol=1e-5):
                    hint = slip
                    break
        fail("one epoch of train_one_epoch on a probe model gives the wrong weights.", hint)
    count = sum(size for _, size in losses)
    exact = sum(loss * size for loss, size in losses) / count
    if not math.isclose(mean_loss, exact, rel_tol=1e-4):
        batch_means = [loss for loss, _ in losses]
        hint = find_factor(
            mean_loss,
            exact,
            {count: "divide the summed loss by the number of items, len(loader.dataset)."},
        )
        if math.isclose(mean_loss, sum(batch_means) / batches, rel_tol=1e-4):
            hint = (
                "that is a mean of batch means, and the last batch is smaller: add "
                "loss.item() × the batch size, and divide by the number of items at the end."
            )
        elif math.isclose(mean_loss, sum(batch_means), rel_tol=1e-4):
            hint = (
                "that is the sum of the batch losses: weigh each by its batch size, and divide "
                "by the number of items."
            )
        elif math.isclose(mean_loss, sum(batch_means) / count, rel_tol=1e-4):
            hint = (
                "weigh each batch's loss by its size: the loss is the batch's mean, so multiply "
                "loss.item() by the number of items in the batch before adding it up."
            )
        elif math.isclose(mean_loss, batch_means[-1], rel_tol=1e-4):
            hint = "that is the last batch's loss: average over every item of the epoch."
        fail(
            f"train_one_epoch returned {mean_loss:.4g}; the mean training loss of that epoch "
            f"is {exact:.4g}.",
            hint or "return the mean of the loss over every training item of the epoch.",
        )
    passed("train_one_epoch(...) takes the right steps and returns the mean training loss")


# ---- evaluation -----------------------------------------------------------------------------


class _ConstantModel(nn.Module):
    """Predicts the same targets for every input, and records the mode it was called in."""

    def __init__(self, prediction: torch.Tensor) -> None:
        super().__init__()
        self.prediction = nn.Parameter(prediction.clone())
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.prediction.expand(len(inputs), 4)


def check_evaluate(evaluate: object) -> None:
    """Check ``evaluate(model, loader, loss_function, device)``.

    It should return ``{"loss": mean loss, "mae": mean absolute error of each
    target in pixels}``, exact over the whole data set, in eval mode and without
    gradients. The loader's last batch is smaller than the others, so a mean of
    batch means gives a different (wrong) answer.
    """
    generator = torch.Generator().manual_seed(0)
    size = 64
    targets = torch.rand(10, 4, generator=generator)
    inputs = torch.zeros(10, 1, size, size)
    prediction = torch.tensor([0.5, 0.5, 0.2, 0.2])
    model = _ConstantModel(prediction).train()
    loader = DataLoader(TensorDataset(inputs, targets), batch_size=4)
    result = call_learner_function(
        "evaluate", evaluate, model, loader, nn.MSELoss(), torch.device("cpu")
    )
    if not isinstance(result, dict) or set(result) != {"loss", "mae"}:
        keys = sorted(result) if isinstance(result, dict) else type(result).__name__
        fail(
            f"evaluate(...) should return a dict with the keys 'loss' and 'mae', got {keys}.",
            'return {"loss": mean_loss, "mae": mean_absolute_errors}.',
        )
    if any(training for training, _ in model.calls):
        fail(
            "evaluate(...) ran the model in training mode.",
            "call model.eval() first: batch norm must use its running statistics, not the batch's.",
        )
    if any(gradients for _, gradients in model.calls):
        fail(
            "evaluate(...) ran the model with gradients enabled.",
            "wrap the loop in `with torch.no_grad():`: evaluation needs no gradients, and "
            "recording them costs memory and time.",
        )
    mae = result["mae"]
    check_tensor('evaluate(...)["mae"]', mae, shape=(4,))
    assert isinstance(mae, torch.Tensor)
    mae = mae.detach().double()
    expected = ((prediction - targets).abs().mean(dim=0) * size).double()
    if not torch.allclose(mae, expected, rtol=1e-5):
        batch_means = torch.stack(
            [(prediction - t).abs().mean(dim=0) * size for t in targets.split(4)]
        ).mean(dim=0)
        if torch.allclose(mae, batch_means.double(), rtol=1e-5):
            hint = (
                "that is a mean of batch means; sum the errors, then divide by the data set size."
            )
        elif torch.allclose(mae * size, expected, rtol=1e-5):
            hint = "convert to pixels: multiply the error by the image size (to_pixels)."
        elif torch.allclose(mae, expected * len(targets), rtol=1e-5):
            hint = "divide the summed errors by the number of images."
        elif torch.allclose(mae, expected.mean().expand(4), rtol=1e-5):
            hint = "keep one error per target: sum over the images (dim=0) only."
        else:
            hint = "average |prediction − target| over all images, separately for each target."
        fail('evaluate(...)["mae"] gives the wrong mean absolute errors on a test loader.', hint)
    loss = as_float('evaluate(...)["loss"]', result["loss"])
    squared = (prediction - targets) ** 2
    exact = float(squared.mean())
    if not math.isclose(loss, exact, rel_tol=1e-5):
        batch_means = [float(part.mean()) for part in squared.split(4)]
        if math.isclose(loss, sum(batch_means) / len(batch_means), rel_tol=1e-5):
            hint = (
                "that is a mean of batch means: add loss.item() × the batch size, then divide "
                "by the number of images."
            )
        elif math.isclose(loss, sum(batch_means), rel_tol=1e-5):
            hint = "weigh each batch's loss by its size, and divide by the number of images."
        elif math.isclose(loss, sum(batch_means) / len(targets), rel_tol=1e-5):
            hint = (
                "weigh each batch's loss by its size: loss_function gives the batch's mean, so "
                "multiply it by the number of images in the batch before adding it up."
            )
        elif math.isclose(loss, exact * len(targets), rel_tol=1e-5):
            hint = "divide the summed loss by the number of images."
        elif math.isclose(loss, exact * size**2, rel_tol=1e-5):
            hint = "the loss stays in the targets' own units (fractions of the image size)."
        else:
            hint = "the loss is loss_function(predictions, targets), averaged over every image."
        fail('evaluate(...)["loss"] gives the wrong mean loss on a test loader.', hint)
    passed("evaluate(...) gives the exact mean loss and the mean absolute errors in pixels")


# ---- results --------------------------------------------------------------------------------


def check_headline(centre_mae: object, radii_mae: object, limit: float = 1.0) -> None:
    """Check the final validation errors, in pixels, against the target of ``limit`` pixels.

    Refuses errors that cannot be right whatever the training: NaN or infinite
    (divergence), negative (an absolute error never is), and below
    :data:`SMALLEST_PLAUSIBLE_ERROR_PX` (left in fractions of the image size).
    """
    for name, value in (("centre", centre_mae), ("radii", radii_mae)):
        number = as_float(f"the {name} error", value)
        if not math.isfinite(number):
            fail(
                f"the validation {name} error is {number}.",
                "the training diverged: lower the learning rate.",
            )
        if number < 0:
            fail(
                f"the validation {name} error is {number:.3g} px, but a mean absolute error "
                "is never negative.",
                "average |prediction − target|: did you forget .abs()?",
            )
        if number < SMALLEST_PLAUSIBLE_ERROR_PX:
            fail(
                f"the validation {name} error is {number:.3g} px: smaller than the pixel grid "
                f"allows (even the moments baseline is off by about 0.04 px).",
                "is it still in fractions of the image size? Convert it to pixels with to_pixels.",
            )
        if number > limit:
            fail(
                f"the validation {name} error is {number:.2f} px, above the {limit} px target.",
                "train for more epochs, check the learning-rate schedule, and check that the "
                "network gets the preprocessed images and the coordinate channels.",
            )
    passed(f"both validation errors are within {limit} px")


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
    passed(f"normalising the contrast cuts the faint ellipses' error {before_px / after_px:.0f}×")


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
