"""The notebook-04 self-checks accept right answers and explain the classic wrong ones.

The right and wrong learner functions here are written from the notebook's task text, not
from the probe engine's reference epoch, so that the tests cannot pass by construction.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.checks import ellipse_regression as check
from utils.ellipses import EllipseDataset, to_pixels

# ---- probes -------------------------------------------------------------------------------


def test_probe_images_include_ellipses_that_share_one_channel_with_the_background():
    images = check._probe_images()
    for channel in range(3):
        image = images[channel]
        ellipse = (image != image[:, :1, :1]).any(dim=0)
        assert ellipse.any(), "the probe ellipse must still be visible"
        assert (image[channel][ellipse] == image[channel, 0, 0]).all()


# ---- preprocess ---------------------------------------------------------------------------


def preprocess(images):
    difference = images.float() - images[:, :, :1, :1].float()
    return difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))


def test_preprocess_accepts_the_colour_distance(capsys):
    check.check_preprocess(preprocess)
    assert capsys.readouterr().out.startswith("✓")


def norm_over_the_last_axis(images):
    difference = images.float() - images[:, :, :1, :1].float()
    return difference.norm(dim=-1, keepdim=True) / (255 * math.sqrt(3))


def wrapped_difference(images):
    difference = (images - images[:, :, :1, :1]).float()  # uint8 wrapped around already
    return difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda images: preprocess(images) * 255 * math.sqrt(3), "divide by 255 · √3"),
        (lambda images: preprocess(images) * math.sqrt(3), "255 · √3"),
        (lambda images: preprocess(images) * 255, "divide by 255 as well"),
        (lambda images: preprocess(images) / 255, "divided by 255 twice"),
        (lambda images: images.float().norm(dim=1, keepdim=True) / 442, "background"),
        (wrapped_difference, "uint8.*wraps around.*float.*before subtracting"),
        (norm_over_the_last_axis, "channels first.*dim=1"),
    ],
    ids=["unscaled", "no-sqrt3", "no-255", "255-twice", "no-background", "wrap-around", "axis"],
)
def test_preprocess_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_preprocess(wrong)


def test_preprocess_names_the_dtype_of_integer_output():
    with pytest.raises(AssertionError, match=r"dtype torch\.uint8.*\n.*wraps around.*float dtype"):
        check.check_preprocess(lambda images: (images - images[:, :, :1, :1])[:, :1])


def test_preprocess_refuses_a_missing_channel_axis():
    with pytest.raises(AssertionError, match="keepdim=True"):
        check.check_preprocess(lambda images: preprocess(images)[:, 0])


def test_preprocess_reports_a_crash_readably():
    with pytest.raises(AssertionError, match="Calling preprocess raised ZeroDivisionError"):
        check.check_preprocess(lambda images: 1 / 0)


# ---- moments_baseline, in four checked steps ----------------------------------------------


def mask_of(images):
    return (images != images[:, :, :1, :1]).any(dim=1).double()


def pixel_grid(size):
    rows, columns = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    return columns.double() + 0.5, rows.double() + 0.5


def centroid(mask):
    x, y = pixel_grid(mask.shape[-1])
    area = mask.sum(dim=(1, 2))
    return torch.stack([(mask * x).sum(dim=(1, 2)) / area, (mask * y).sum(dim=(1, 2)) / area], 1)


def variances(mask, centre, *, count=None, subtract=True):
    x, y = pixel_grid(mask.shape[-1])
    if subtract:
        x, y = x - centre[:, 0, None, None], y - centre[:, 1, None, None]
    count = mask.sum(dim=(1, 2))[:, None] if count is None else count
    return torch.stack([(mask * x**2).sum(dim=(1, 2)), (mask * y**2).sum(dim=(1, 2))], 1) / count


def moments_from_mask(mask):
    centre = centroid(mask)
    return torch.cat([centre, 2 * variances(mask, centre).sqrt()], dim=1)


def moments_baseline(images):
    return moments_from_mask(mask_of(images))


def one_channel_mask(channel):
    return lambda images: (images[:, channel] != images[:, channel, :1, :1]).double()


def test_ellipse_mask_accepts_any_channel_differing(capsys):
    check.check_ellipse_mask(mask_of)
    check.check_ellipse_mask(lambda images: (images != images[:, :, :1, :1]).any(dim=1))  # bool
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (one_channel_mask(0), "red channel only.*ANY channel"),
        (one_channel_mask(2), "blue channel only"),
        (lambda images: (images != images[:, :, :1, :1]).all(dim=1), r"\(\.all\) is too strict"),
        (lambda images: (images == images[:, :, :1, :1]).all(dim=1), "1 on the background"),
        (lambda images: (images != images[:, :, :1, :1]).double(), "shape.*over the colour"),
        (lambda images: mask_of(images).flip(-1), "wrong values.*top-left"),
    ],
    ids=["red-only", "blue-only", "all-channels", "inverted", "channels-kept", "other"],
)
def test_ellipse_mask_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_ellipse_mask(wrong)


def test_centroid_accepts_the_mean_pixel_centre(capsys):
    check.check_centroid(centroid)
    assert capsys.readouterr().out.startswith("✓")


def test_centroid_of_a_known_mask_is_its_middle():
    mask = torch.zeros(1, 8, 8, dtype=torch.float64)
    mask[0, 2:4, 1:6] = 1  # rows 2 and 3, columns 1 to 5
    assert torch.allclose(centroid(mask), torch.tensor([[3.5, 3.0]], dtype=torch.float64))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda mask: centroid(mask)[:, [1, 0]], "x and y are swapped"),
        (lambda mask: centroid(mask) - 0.5, "half a pixel"),
        (lambda mask: centroid(mask) / mask.shape[-1], "return pixels"),
        (
            lambda mask: centroid(mask) * mask.sum(dim=(1, 2))[:, None] / mask[0].numel(),
            "own area.*number of pixels in the image",
        ),
        (
            lambda mask: centroid(mask) * mask.sum(dim=(1, 2))[:, None] / mask.sum(),
            "own area.*whole batch",
        ),
        (lambda mask: centroid(mask)[:, 0], r"shape \(12,\).*torch.stack"),
        (lambda mask: centroid(mask) + 1, "mean pixel-centre coordinate"),
    ],
    ids=["swapped", "no-half-pixel", "fractions", "image-count", "batch-count", "one", "other"],
)
def test_centroid_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_centroid(wrong)


def test_variances_accepts_the_mean_squared_distance_from_the_centre(capsys):
    check.check_variances(variances)
    assert capsys.readouterr().out.startswith("✓")


def test_variances_of_a_filled_circle_are_a_quarter_of_its_squared_radius():
    x, y = pixel_grid(400)
    mask = (((x - 200) ** 2 + (y - 200) ** 2) <= 150**2).double()[None]
    expected = torch.full((1, 2), 150**2 / 4.0, dtype=torch.float64)
    assert torch.allclose(variances(mask, centroid(mask)), expected, rtol=1e-3)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda mask, centre: variances(mask, centre)[:, [1, 0]], "x and y are swapped"),
        (lambda mask, centre: variances(mask, centre).sqrt(), "standard deviations"),
        (
            lambda mask, centre: variances(mask, centre, count=mask[0].numel()),
            "own area.*number of pixels in the image",
        ),
        (lambda mask, centre: variances(mask, centre, count=mask.sum()), "whole batch"),
        (lambda mask, centre: variances(mask, centre, subtract=False), "subtract the centre"),
        (lambda mask, centre: variances(mask, centre) + 1, r"mean, over the mask's pixels"),
    ],
    ids=["swapped", "standard-deviations", "image-count", "batch-count", "no-centre", "other"],
)
def test_variances_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_variances(wrong)


def test_radii_accepts_twice_the_standard_deviation(capsys):
    check.check_radii(lambda var: 2 * var.sqrt())
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda var: var.sqrt(), "half what they should be.*r² / 4"),
        (lambda var: 2 * var, "these are variances: take the square root"),
        (lambda var: 2 * var.sqrt() / 32, "return pixels"),
        (lambda var: (2 * var).sqrt(), "2 × the standard deviation"),
        (lambda var: 2 * var.sqrt()[:, :1], r"shape \(12, 1\)"),
    ],
    ids=["no-factor-2", "variances", "fractions", "two-inside-the-root", "one-radius"],
)
def test_radii_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_radii(wrong)


def test_moments_baseline_accepts_centroid_and_twice_the_standard_deviation(capsys):
    check.check_moments_baseline(moments_baseline)
    assert capsys.readouterr().out.startswith("✓")


def test_moments_baseline_is_nearly_exact_on_clean_images():
    dataset = EllipseDataset(length=50, size=64, seed=0)
    images = torch.stack([dataset[i][0] for i in range(50)])
    truth = to_pixels(torch.stack([dataset[i][1] for i in range(50)]), 64).double()
    error = (moments_baseline(images) - truth).abs().mean()
    assert error < 0.1, f"the reference baseline is off by {error:.3f} px"


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda images: moments_baseline(images)[:, [1, 0, 3, 2]], "x and y are swapped"),
        (lambda images: moments_baseline(images)[:, [1, 0, 2, 3]], "centre's x and y"),
        (lambda images: moments_baseline(images) / images.shape[-1], "return pixels"),
        (lambda images: moments_baseline(images)[:, [2, 3, 0, 1]], "the centre, then the radii"),
    ],
    ids=["swapped", "centre-swapped", "fractions", "radii-first"],
)
def test_moments_baseline_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_moments_baseline(wrong)


def test_moments_baseline_refuses_the_wrong_shape():
    with pytest.raises(AssertionError, match=r"(?s)shape \(12, 2\).*torch.cat"):
        check.check_moments_baseline(lambda images: moments_baseline(images)[:, :2])


# ---- AddCoordinates -----------------------------------------------------------------------


class AddCoordinates(nn.Module):
    def __init__(self, low=-1.0, swap=False, only_coordinates=False, dim=1):
        super().__init__()
        self.low, self.swap, self.only_coordinates, self.dim = low, swap, only_coordinates, dim

    def forward(self, inputs):
        batch, _, height, width = inputs.shape
        x = torch.linspace(self.low, 1, width).expand(batch, 1, height, width)
        y = torch.linspace(self.low, 1, height).view(height, 1).expand(batch, 1, height, width)
        if self.swap:
            x, y = y.transpose(2, 3).reshape(batch, 1, height, width), x
        channels = [x, y] if self.only_coordinates else [inputs, x, y]
        return torch.cat(channels, dim=self.dim)


def test_add_coordinates_accepts_x_then_y_from_minus_one_to_one(capsys):
    check.check_add_coordinates(AddCoordinates())
    assert capsys.readouterr().out.startswith("✓")


class PixelIndices(nn.Module):
    def forward(self, inputs):
        batch, _, height, width = inputs.shape
        x = torch.arange(width).float().expand(batch, 1, height, width)
        y = torch.arange(height).float().view(height, 1).expand(batch, 1, height, width)
        return torch.cat([inputs, x, y], dim=1)


class SwappedOnSquares(nn.Module):
    def forward(self, inputs):
        x_then_y = AddCoordinates()(inputs)
        return x_then_y[:, [0, 2, 1]]


@pytest.mark.parametrize(
    ("module", "hint"),
    [
        (SwappedOnSquares(), "x and y are swapped"),
        (AddCoordinates(low=0.0), "from 0 to 1"),
        (PixelIndices(), "pixel indices"),
        (AddCoordinates(only_coordinates=True), "after the input channels"),
        (AddCoordinates(dim=0), "channel axis"),
    ],
    ids=["swapped", "zero-to-one", "indices", "inputs-dropped", "batch-axis"],
)
def test_add_coordinates_names_each_slip(module, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_add_coordinates(module)


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
    assert model.training, "the check should restore training mode"


def test_model_refuses_a_class_instead_of_an_instance():
    with pytest.raises(AssertionError, match=r"should be a torch\.nn\.Module"):
        check.check_model(GoodModel)


def test_model_refuses_the_wrong_number_of_outputs():
    model = nn.Sequential(nn.Flatten(), nn.Linear(64 * 64, 3))
    with pytest.raises(AssertionError, match=r"shape \(2, 3\), expected \(2, 4\)"):
        check.check_model(model)


# ---- train_one_epoch ----------------------------------------------------------------------


def train_one_epoch(
    model,
    loader,
    loss_function,
    optimizer,
    device,
    *,
    scheduler=None,
    train=True,
    zero_grad=True,
    sign=1.0,
    step_scheduler=True,
    update=True,
    move_targets=True,
    average="exact",
):
    model.train(train)
    losses = []
    for inputs, targets in loader:
        inputs = inputs.to(device)
        targets = targets.to(device) if move_targets else targets
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        (sign * loss).backward()
        if update:
            optimizer.step()
        if scheduler is not None and step_scheduler:
            scheduler.step()
        losses.append((loss.item(), len(targets)))
    if average == "batch-means":
        return sum(loss for loss, _ in losses) / len(losses)
    if average == "sum":
        return sum(loss * size for loss, size in losses)
    if average == "unweighted":
        return sum(loss for loss, _ in losses) / len(loader.dataset)
    if average == "last":
        return losses[-1][0]
    return sum(loss * size for loss, size in losses) / len(loader.dataset)


def test_train_one_epoch_accepts_the_reference_loop(capsys):
    check.check_train_one_epoch(train_one_epoch)
    assert capsys.readouterr().out.startswith("✓")


def test_train_one_epoch_gets_the_scheduler_as_a_keyword():
    seen = {}

    def spy(model, loader, loss_function, optimizer, device, *, scheduler=None):
        seen["scheduler"] = scheduler
        return train_one_epoch(model, loader, loss_function, optimizer, device, scheduler=scheduler)

    check.check_train_one_epoch(spy)
    assert seen["scheduler"] is not None


def slip(**options):
    def wrong(*args, **kwargs):
        return train_one_epoch(*args, **kwargs, **options)

    return wrong


def steps_scheduler_once(*args, scheduler=None):
    result = train_one_epoch(*args, scheduler=scheduler, step_scheduler=False)
    scheduler.step()
    return result


def zero_grad_after_backward(model, loader, loss_function, optimizer, device, *, scheduler=None):
    model.train()
    total = 0.0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(targets)
    return total / len(loader.dataset)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (slip(zero_grad=False), r"never zeroes the gradients.*optimizer\.zero_grad\(\)"),
        (zero_grad_after_backward, r"between loss\.backward\(\) and optimizer\.step\(\)"),
        (slip(sign=-1.0), "negative of the loss.*uphill"),
        (slip(train=False), r"evaluation mode.*model\.train\(\)"),
        (slip(step_scheduler=False), "never steps the scheduler it is given"),
        (steps_scheduler_once, r"steps the scheduler 1 time\(s\).*counts batches"),
        (slip(update=False), r"never calls optimizer\.step\(\)"),
        (slip(move_targets=False), r"targets.*never moved.*targets\.to\(device\)"),
        (slip(average="batch-means"), "mean of the batch means"),
        (slip(average="sum"), "never divided.*number of items"),
        (slip(average="last"), "last batch's value"),
        (slip(average="unweighted"), "added unweighted"),
        (lambda *args, **kwargs: [train_one_epoch(*args, **kwargs)], "returns a list where"),
    ],
    ids=[
        "no-zero-grad",
        "zero-grad-after-backward",
        "ascent",
        "eval-mode",
        "no-scheduler-step",
        "scheduler-per-epoch",
        "no-optimizer-step",
        "targets-not-moved",
        "batch-means",
        "summed-loss",
        "last-batch",
        "unweighted-sum",
        "not-a-number",
    ],
)
def test_train_one_epoch_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_train_one_epoch(wrong)


def test_train_one_epoch_names_a_loss_summed_as_a_tensor():
    def tensor_total(model, loader, loss_function, optimizer, device, *, scheduler=None):
        model.train()
        total = 0.0
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            loss = loss_function(model(inputs), targets)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss * len(targets)
        return total / len(loader.dataset)

    with pytest.raises(AssertionError, match=r"(?s)returns a Tensor.*loss\.item\(\)"):
        check.check_train_one_epoch(tensor_total)


# ---- evaluate -----------------------------------------------------------------------------


def evaluate(model, loader, loss_function, device, *, train=False, gradients=False, change=None):
    model.train(train)
    loss_sum, error_sum = 0.0, torch.zeros(4)
    with torch.set_grad_enabled(gradients):
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).cpu()
            loss_sum += loss_function(predictions, targets).item() * len(inputs)
            error_sum += (predictions - targets).abs().sum(dim=0)
    count = len(loader.dataset)
    mae = to_pixels(error_sum / count, 64)
    result = {
        "loss": loss_sum / count,
        "centre_mae": mae[:2].mean().item(),
        "radii_mae": mae[2:].mean().item(),
    }
    return result if change is None else {**result, **change(result)}


def mean_of_batch_means(model, loader, loss_function, device):
    model.eval()
    losses, centre, radii = [], [], []
    with torch.no_grad():
        for inputs, targets in loader:
            predictions = model(inputs.to(device)).cpu()
            errors = to_pixels((predictions - targets).abs().mean(dim=0), 64)
            losses.append(loss_function(predictions, targets).item())
            centre.append(errors[:2].mean().item())
            radii.append(errors[2:].mean().item())
    return {
        "loss": sum(losses) / len(losses),
        "centre_mae": sum(centre) / len(centre),
        "radii_mae": sum(radii) / len(radii),
    }


def unweighted_loss(model, loader, loss_function, device):
    result = evaluate(model, loader, loss_function, device)
    with torch.no_grad():
        losses = [
            loss_function(model(inputs.to(device)).cpu(), targets).item()
            for inputs, targets in loader
        ]
    return {**result, "loss": sum(losses) / len(loader.dataset)}


def with_change(change):
    return lambda *args: evaluate(*args, change=change)


def test_evaluate_accepts_the_exact_means(capsys):
    check.check_evaluate(evaluate, 64)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (mean_of_batch_means, "mean of the batch means"),
        (
            with_change(lambda result: {"radii_mae": result["radii_mae"] / 64}),
            r'"radii_mae".*divided by the image size, 64 \(to_pixels',
        ),
        (
            with_change(lambda result: {"centre_mae": result["centre_mae"] / 64}),
            r'"centre_mae".*divided by the image size, 64',
        ),
        (with_change(lambda result: {"radii_mae": result["radii_mae"] * 10}), "never divided"),
        (lambda *args: evaluate(*args, train=True), r"training mode.*model\.eval\(\)"),
        (lambda *args: evaluate(*args, gradients=True), r"torch\.no_grad\(\)"),
        (with_change(lambda result: {"loss": result["loss"] * 10}), "loss.*never divided"),
        (unweighted_loss, "added unweighted"),
        (lambda *args: tuple(evaluate(*args).values()), "returns a tuple.*dict"),
        (
            lambda *args: {"loss": evaluate(*args)["loss"], "mae": torch.zeros(4)},
            r"lacks \['centre_mae', 'radii_mae'\]",
        ),
        (
            with_change(lambda result: {"centre_mae": torch.tensor(result["centre_mae"])}),
            r'"centre_mae"\] returns a tensor where a Python float',
        ),
    ],
    ids=[
        "batch-means",
        "radii-as-fractions",
        "centre-as-fractions",
        "not-divided",
        "train-mode",
        "gradients",
        "loss-not-divided",
        "unweighted-loss",
        "not-a-dict",
        "old-mae-key",
        "a-tensor",
    ],
)
def test_evaluate_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_evaluate(wrong, 64)


def test_evaluate_hint_never_gives_the_numbers():
    with pytest.raises(AssertionError) as error:
        check.check_evaluate(with_change(lambda result: {"centre_mae": 0.0}), 64)
    hint = str(error.value).split("Hint:")[1]
    assert not any(character.isdigit() for character in hint), hint


def test_evaluate_converts_with_the_image_size_it_is_given(capsys):
    def at_size_32(model, loader, loss_function, device):
        result = evaluate(model, loader, loss_function, device)
        return {
            **result,
            "centre_mae": result["centre_mae"] / 2,
            "radii_mae": result["radii_mae"] / 2,
        }

    check.check_evaluate(at_size_32, 32)
    assert capsys.readouterr().out.startswith("✓")
    with pytest.raises(AssertionError, match=r"0\.5 × the right value"):
        check.check_evaluate(at_size_32, 64)


def test_evaluate_gets_a_last_batch_smaller_than_the_others():
    # The check relies on this to tell a mean of batch means from the exact mean.
    seen: list[int] = []

    def spy(model, loader, loss_function, device):
        seen.extend(len(inputs) for inputs, _ in loader)
        return evaluate(model, loader, loss_function, device)

    check.check_evaluate(spy, 64)
    assert len(set(seen)) > 1, f"batch sizes seen: {seen}"


# ---- headline -----------------------------------------------------------------------------


def test_headline_accepts_errors_within_the_threshold(capsys):
    check.check_headline(0.4, torch.tensor(0.99))
    assert capsys.readouterr().out.startswith("✓")


def test_headline_threshold_is_named_threshold():
    with pytest.raises(
        AssertionError, match=r"radii error is 0\.50 px, above the 0\.4 px threshold"
    ):
        check.check_headline(0.3, 0.5, threshold=0.4)


@pytest.mark.parametrize(
    ("centre", "radii", "message"),
    [
        (1.2, 0.5, "centre error is 1.20 px"),
        (0.5, 3.0, "radii error is 3.00 px"),
        (-0.5, 0.5, r"centre error is -0.5 px.*never negative"),
        (0.5, -0.2, r"radii error is -0.2 px.*\n.*abs"),
        (0.5 / 64, 0.6 / 64, r"centre error is 0.00781 px.*\n.*fractions of the image size"),
        (0.0, 0.5, "centre error is 0 px"),
        (float("nan"), 0.5, "centre error is nan.*diverged"),
        (0.5, float("inf"), "radii error is inf.*diverged"),
    ],
    ids=["centre", "radii", "negative", "negative-radii", "normalised", "zero", "nan", "inf"],
)
def test_headline_refuses_impossible_or_poor_errors(centre, radii, message):
    with pytest.raises(AssertionError, match="(?s)" + message):
        check.check_headline(centre, radii)


def test_headline_refuses_several_numbers():
    with pytest.raises(AssertionError, match="single number"):
        check.check_headline(torch.tensor([0.5, 0.5]), 0.5)


# ---- results of the failure analysis --------------------------------------------------------


def test_contrast_normalisation_prints_the_same_line_whatever_the_gain(capsys):
    # Its output is compared by nbval: a training-dependent number would differ between machines.
    check.check_contrast_normalisation(4.0, torch.tensor(0.5))
    check.check_contrast_normalisation(3.0, 0.5)
    first, second = capsys.readouterr().out.splitlines()
    assert first == second
    assert first.startswith("✓")


def test_contrast_normalisation_refuses_no_gain():
    with pytest.raises(AssertionError, match=r"from 4\.00 px to 3\.00 px"):
        check.check_contrast_normalisation(4.0, 3.0)


@pytest.mark.parametrize(
    ("baseline", "network", "message"),
    [(15.0, 2.0, "off by 2.00 px.*within 1.5 px"), (2.0, 0.5, "win at least 5×")],
    ids=["network-lost", "baseline-fine"],
)
def test_noise_robustness_refuses(baseline, network, message):
    with pytest.raises(AssertionError, match="(?s)" + message):
        check.check_noise_robustness(baseline, network)


def test_noise_robustness_accepts_the_network_winning(capsys):
    check.check_noise_robustness(15.8, 0.55)
    assert capsys.readouterr().out.startswith("✓")


# ---- every check --------------------------------------------------------------------------


def train_without_return(*args, **kwargs):
    train_one_epoch(*args, **kwargs)  # trains, but returns nothing


def evaluate_without_return(*args):
    evaluate(*args)  # evaluates, but returns nothing


class ForgetsToReturn(nn.Module):
    def forward(self, inputs):
        inputs + 1  # computed, but never returned


@pytest.mark.parametrize(
    ("run_check", "name"),
    [
        (lambda: check.check_preprocess(lambda images: None), "preprocess"),
        (lambda: check.check_ellipse_mask(lambda images: None), "ellipse_mask"),
        (lambda: check.check_centroid(lambda mask: None), "centroid"),
        (lambda: check.check_variances(lambda mask, centre: None), "variances"),
        (lambda: check.check_radii(lambda var: None), "radii_from_variances"),
        (lambda: check.check_moments_baseline(lambda images: None), "moments_baseline"),
        (lambda: check.check_add_coordinates(ForgetsToReturn()), "AddCoordinates"),
        (lambda: check.check_model(ForgetsToReturn()), "forward"),
        (lambda: check.check_train_one_epoch(train_without_return), "train_one_epoch"),
        (lambda: check.check_evaluate(evaluate_without_return, 64), "evaluate"),
    ],
    ids=[
        "preprocess",
        "ellipse_mask",
        "centroid",
        "variances",
        "radii",
        "moments_baseline",
        "add_coordinates",
        "model",
        "train",
        "evaluate",
    ],
)
def test_a_missing_return_is_named(run_check, name):
    with pytest.raises(
        AssertionError, match=rf"{name}.*returned None.*\nHint: did you forget the return"
    ):
        run_check()
