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


# ---- moments_baseline ---------------------------------------------------------------------


def moments_from_mask(mask):
    size = mask.shape[-1]
    rows, columns = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    x, y = columns.double() + 0.5, rows.double() + 0.5
    area = mask.sum(dim=(1, 2))
    x_c = (mask * x).sum(dim=(1, 2)) / area
    y_c = (mask * y).sum(dim=(1, 2)) / area
    std_x = ((mask * (x - x_c[:, None, None]) ** 2).sum(dim=(1, 2)) / area).sqrt()
    std_y = ((mask * (y - y_c[:, None, None]) ** 2).sum(dim=(1, 2)) / area).sqrt()
    return torch.stack([x_c, y_c, 2 * std_x, 2 * std_y], dim=1)


def moments_baseline(images):
    return moments_from_mask((images != images[:, :, :1, :1]).any(dim=1).double())


def radii_as_variances(estimates):
    return torch.cat([estimates[:, :2], estimates[:, 2:] ** 2 / 4], dim=1)


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
        (lambda images: moments_baseline(images) - torch.tensor([0.5, 0.5, 0, 0]), "half a pixel"),
        (lambda images: moments_baseline(images) * torch.tensor([1, 1, 0.5, 0.5]), "r² / 4"),
        (lambda images: radii_as_variances(moments_baseline(images)), "variances"),
        (
            lambda images: moments_from_mask((images[:, 0] != images[:, 0, :1, :1]).double()),
            "red channel only.*ANY channel",
        ),
        (
            lambda images: moments_from_mask((images[:, 2] != images[:, 2, :1, :1]).double()),
            "blue channel only",
        ),
        (
            lambda images: moments_from_mask(
                (images[:, 0] != images[:, 0, :1, :1]).double()
            ).nan_to_num(),
            "red channel only",
        ),
        (
            lambda images: moments_from_mask((images != images[:, :, :1, :1]).all(dim=1).double()),
            r"every channel at once \(\.all\)",
        ),
    ],
    ids=[
        "swapped",
        "centre-swapped",
        "fractions",
        "no-half-pixel",
        "std",
        "variance",
        "red-only",
        "blue-only",
        "red-only-guarded",
        "all-channels",
    ],
)
def test_moments_baseline_names_each_slip(wrong, hint):
    with pytest.raises(AssertionError, match="(?s)" + hint):
        check.check_moments_baseline(wrong)


def test_moments_baseline_names_the_images_whose_estimates_are_nan():
    def nan_for_the_first(images):
        estimates = moments_baseline(images) * 1.01
        estimates[0] = float("nan")
        return estimates

    with pytest.raises(AssertionError, match=r"images \[0\] are NaN"):
        check.check_moments_baseline(nan_for_the_first)


def test_moments_baseline_refuses_the_wrong_shape():
    with pytest.raises(AssertionError, match=r"shape \(12, 2\)"):
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
        (lambda: check.check_moments_baseline(lambda images: None), "moments_baseline"),
        (lambda: check.check_add_coordinates(ForgetsToReturn()), "AddCoordinates"),
        (lambda: check.check_model(ForgetsToReturn()), "forward"),
        (lambda: check.check_train_one_epoch(train_without_return), "train_one_epoch"),
        (lambda: check.check_evaluate(evaluate_without_return, 64), "evaluate"),
    ],
    ids=["preprocess", "moments_baseline", "add_coordinates", "model", "train", "evaluate"],
)
def test_a_missing_return_is_named(run_check, name):
    with pytest.raises(
        AssertionError, match=rf"{name}.*returned None.*\nHint: did you forget the return"
    ):
        run_check()
