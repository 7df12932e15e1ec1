"""Notebook 04's mistake catalogue: each typical slip is caught by the check after its TODO.

Every case puts one slip into a learner region of the solution and runs the notebook
up to the check right after it (tests/mistakes.py). The data sets are shrunk for
speed; no case trains the network: the training loop is checked on a probe model
before any training starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "04_ellipse_regression.ipynb"

# Fewer images: the checks probe the learner's functions on data of their own.
SMALL = {"length=10_000": "length=256", "length=2_000": "length=64"}

MISTAKES = [
    # ---- task 3, step 1: ellipse_mask ---------------------------------------------------
    pytest.param(
        "return (images != background).any(dim=1).double()",
        "return (images[:, 0] != background[:, 0]).double()",
        "check_ellipse_mask",
        "red channel only",
        id="mask-red-channel-only",
    ),
    pytest.param(
        ".any(dim=1).double()  # (n, size, size)",
        ".all(dim=1).double()  # (n, size, size)",
        "check_ellipse_mask",
        "ANY channel differs",
        id="mask-all-channels-must-differ",
    ),
    pytest.param(
        "return (images != background).any(dim=1).double()",
        "return (images == background).all(dim=1).double()",
        "check_ellipse_mask",
        "1 on the background",
        id="mask-inverted",
    ),
    pytest.param(
        ".any(dim=1).double()  # (n, size, size)",
        ".double()  # (n, size, size)",
        "check_ellipse_mask",
        "reduce over the colour channels",
        id="mask-channels-kept",
    ),
    # ---- task 3, step 2: centroid -------------------------------------------------------
    pytest.param(
        "return torch.stack([x_c, y_c], dim=1)",
        "return torch.stack([y_c, x_c], dim=1)",
        "check_centroid",
        "x and y are swapped",
        id="centroid-x-y-swapped",
    ),
    pytest.param(
        "pixel_centres = torch.arange(size, dtype=torch.float64) + 0.5\n"
        "    x = pixel_centres.view(1, 1, size)  # varies along a row",
        "pixel_centres = torch.arange(size, dtype=torch.float64)\n"
        "    x = pixel_centres.view(1, 1, size)  # varies along a row",
        "check_centroid",
        "half a pixel",
        id="centroid-no-pixel-centres",
    ),
    pytest.param(
        "x_c = (mask * x).sum(dim=(1, 2)) / area\n    y_c = (mask * y).sum(dim=(1, 2)) / area",
        "x_c = (mask * x).mean(dim=(1, 2))\n    y_c = (mask * y).mean(dim=(1, 2))",
        "check_centroid",
        "own area.*not by the number of pixels in the image",
        id="centroid-normalised-by-the-image",
    ),
    # ---- task 3, step 3: variances ------------------------------------------------------
    pytest.param(
        "return torch.stack([var_x, var_y], dim=1)",
        "return torch.stack([var_y, var_x], dim=1)",
        "check_variances",
        "x and y are swapped",
        id="variances-x-y-swapped",
    ),
    pytest.param(
        "var_x = (mask * x**2).sum(dim=(1, 2)) / area\n"
        "    var_y = (mask * y**2).sum(dim=(1, 2)) / area",
        "var_x = ((mask * x**2).sum(dim=(1, 2)) / area).sqrt()\n"
        "    var_y = ((mask * y**2).sum(dim=(1, 2)) / area).sqrt()",
        "check_variances",
        "standard deviations",
        id="variances-standard-deviation-instead",
    ),
    pytest.param(
        "var_x = (mask * x**2).sum(dim=(1, 2)) / area\n"
        "    var_y = (mask * y**2).sum(dim=(1, 2)) / area",
        "var_x = (mask * x**2).mean(dim=(1, 2))\n    var_y = (mask * y**2).mean(dim=(1, 2))",
        "check_variances",
        "own area.*not by the number of pixels in the image",
        id="variances-normalised-by-the-image",
    ),
    pytest.param(
        "x = pixel_centres.view(1, 1, size) - centre[:, 0].view(-1, 1, 1)  # x - x_c\n"
        "    y = pixel_centres.view(1, size, 1) - centre[:, 1].view(-1, 1, 1)  # y - y_c",
        "x = pixel_centres.view(1, 1, size)  # x - x_c\n"
        "    y = pixel_centres.view(1, size, 1)  # y - y_c",
        "check_variances",
        "subtract the centre",
        id="variances-centre-not-subtracted",
    ),
    # ---- task 3, step 4: radii_from_variances -------------------------------------------
    pytest.param(
        "return 2 * var.sqrt()",
        "return var.sqrt()",
        "check_radii",
        "r² / 4",
        id="radii-without-factor-2",
    ),
    pytest.param(
        "return 2 * var.sqrt()",
        "return 2 * var",
        "check_radii",
        "square root",
        id="radii-variance-not-standard-deviation",
    ),
    # ---- task 4: preprocess -------------------------------------------------------------
    pytest.param(
        "images = images.float()  # uint8 arithmetic would wrap around below 0\n"
        "    difference = images - images[:, :, :1, :1]",
        "difference = (images - images[:, :, :1, :1]).float()",
        "check_preprocess",
        "uint8, which wraps around",
        id="preprocess-uint8-wrap-around",
    ),
    pytest.param(
        "images = images.float()  # uint8",
        "images = images.float() / 255  # uint8",
        "check_preprocess",
        "divided by 255 twice",
        id="preprocess-255-twice",
    ),
    pytest.param(
        "difference.norm(dim=1, keepdim=True)",
        "difference.norm(dim=-1, keepdim=True)",
        "check_preprocess",
        "channels first",
        id="preprocess-channel-axis-last",
    ),
    pytest.param(
        "difference.norm(dim=1, keepdim=True) / (255 * math.sqrt(3))",
        "difference.norm(dim=1, keepdim=True)",
        "check_preprocess",
        "scale the distance into",
        id="preprocess-not-scaled",
    ),
    # ---- task 5: AddCoordinates ---------------------------------------------------------
    pytest.param(
        "torch.cat([inputs, x, y.expand(batch, 1, height, width)], dim=1)",
        "torch.cat([inputs, y.expand(batch, 1, height, width), x], dim=1)",
        "check_add_coordinates",
        "x and y are swapped",
        id="coordinates-x-y-swapped",
    ),
    pytest.param(
        "torch.linspace(-1, 1, width, device=inputs.device).expand(batch, 1, height, width)\n"
        "        y = torch.linspace(-1, 1, height",
        "torch.linspace(0, 1, width, device=inputs.device).expand(batch, 1, height, width)\n"
        "        y = torch.linspace(0, 1, height",
        "check_add_coordinates",
        "from 0 to 1",
        id="coordinates-from-zero",
    ),
    pytest.param(
        "torch.cat([inputs, x, y.expand(batch, 1, height, width)], dim=1)",
        "torch.cat([x, y.expand(batch, 1, height, width)], dim=1)",
        "check_add_coordinates",
        "after the input channels",
        id="coordinates-inputs-dropped",
    ),
    pytest.param(
        "torch.cat([inputs, x, y.expand(batch, 1, height, width)], dim=1)",
        "torch.cat([inputs, x, y.expand(batch, 1, height, width)], dim=0)",
        "check_add_coordinates",
        "channel axis",
        id="coordinates-batch-axis",
    ),
    # ---- task 6: evaluate ---------------------------------------------------------------
    pytest.param(
        "targets).item() * len(inputs)\n"
        "            error_sum += (predictions - targets).abs().sum(dim=0)\n"
        "    count = len(loader.dataset)",
        "targets).item()\n"
        "            error_sum += (predictions - targets).abs().mean(dim=0)\n"
        "    count = len(loader)",
        "check_evaluate",
        "mean of the batch means",
        id="evaluate-mean-of-batch-means",
    ),
    pytest.param(
        "mae = to_pixels(error_sum / count, IMAGE_SIZE)",
        "mae = error_sum / count",
        "check_evaluate",
        "divided by the image size.*to_pixels",
        id="evaluate-normalised-units",
    ),
    pytest.param(
        "model.eval()\n    loss_sum",
        "loss_sum",
        "check_evaluate",
        r"model.eval\(\)",
        id="evaluate-no-eval-mode",
    ),
    pytest.param(
        "with torch.no_grad():\n        for inputs, targets in loader:\n"
        "            predictions = model(inputs.to(device)).cpu()",
        "if True:\n        for inputs, targets in loader:\n"
        "            predictions = model(inputs.to(device)).cpu().detach()",
        "check_evaluate",
        r"torch.no_grad\(\)",
        id="evaluate-no-no-grad",
    ),
    pytest.param(
        "loss_sum += loss_function(predictions, targets).item() * len(inputs)",
        "loss_sum += loss_function(predictions, targets).item()",
        "check_evaluate",
        "added unweighted",
        id="evaluate-loss-not-weighted",
    ),
    # ---- task 7: train_one_epoch --------------------------------------------------------
    pytest.param(
        "        optimizer.zero_grad()\n        loss = loss_function",
        "        loss = loss_function",
        "check_train_one_epoch",
        r"never zeroes the gradients.*zero_grad\(\)",
        id="train-no-zero-grad",
    ),
    pytest.param(
        "    model.train()\n    loss_sum = 0.0",
        "    loss_sum = 0.0",
        "check_train_one_epoch",
        r"evaluation mode.*model.train\(\)",
        id="train-no-train-mode",
    ),
    pytest.param(
        "        loss.backward()\n        optimizer.step()",
        "        (-loss).backward()\n        optimizer.step()",
        "check_train_one_epoch",
        "negative of the loss.*uphill",
        id="train-gradient-ascent",
    ),
    pytest.param(
        "        optimizer.step()\n        if scheduler is not None:",
        "        if scheduler is not None:",
        "check_train_one_epoch",
        r"never calls optimizer.step\(\).*weights never change",
        id="train-no-optimizer-step",
    ),
    pytest.param(
        "        if scheduler is not None:\n            scheduler.step()\n"
        "        loss_sum += loss.item() * len(inputs)\n",
        "        loss_sum += loss.item() * len(inputs)\n    if scheduler is not None:\n"
        "        scheduler.step()\n",
        "check_train_one_epoch",
        r"steps the scheduler 1 time\(s\).*counts batches",
        id="train-scheduler-per-epoch",
    ),
    pytest.param(
        "loss_sum += loss.item() * len(inputs)\n    return loss_sum / len(loader.dataset)",
        "loss_sum += loss.item()\n    return loss_sum / len(loader)",
        "check_train_one_epoch",
        "mean of the batch means",
        id="train-mean-of-batch-means",
    ),
    # ---- a TODO left unfilled -----------------------------------------------------------
    pytest.param(
        "return torch.cat([inputs, x, y.expand(batch, 1, height, width)], dim=1)",
        "return ...",
        "check_add_coordinates",
        "fill in the TODO above",
        id="coordinates-unfilled",
    ),
]


@pytest.mark.parametrize(("old", "new", "check", "named"), MISTAKES)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, named):
    error = catch_mistake(NOTEBOOK, old, new, check, replace=SMALL)
    assert error.hint is not None, f"{check} failed without a hint: {error.message}"
    assert re.search(named, str(error), flags=re.DOTALL), f"the check should name it: {error}"
