"""Notebook 04's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions that no case of
tests/test_mistakes_04_ellipse_regression.py covers, written before the engine. Do not edit
a case to make a check pass; a case that turns out to be unrealistic is removed, with the
reason, in the commit that removes it.

Each case puts one slip into the solution and runs the notebook up to the check right
after its TODO (tests/mistakes.py). The check must fail there, and its message or hint
must name the true cause: one of ``cause_words`` (any, case-insensitive) must appear in
it. The words come from the cause itself, so that any honest diagnosis contains one.
The data sets are shrunk for speed, as in the notebook's own catalogue; no case trains
the network.
"""

from pathlib import Path

import pytest

from tests.mistakes import assert_names_cause, catch_mistake, fresh_cases

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "04_ellipse_regression.ipynb"

# Fewer images: the checks probe the learner's functions on data of their own.
SMALL = {"length=10_000": "length=256", "length=2_000": "length=64"}

ITEM = (".item()", "python float", "a tensor", "got tensor")
SQUARED = ("squared", "mse", "square")
BY_BATCHES = ("number of batches", "len(loader)", "len(loader.dataset)", "number of images")
COORDINATES = (
    "x = torch.linspace(-1, 1, width, device=inputs.device).expand(batch, 1, height, width)\n"
    "        y = torch.linspace(-1, 1, height, device=inputs.device).view(height, 1)"
)
EPOCH_END = (
    "        loss_sum += loss.item() * len(inputs)\n    return loss_sum / len(loader.dataset)"
)

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- moments_baseline (now in four steps; each case re-anchored to its step) ---------
    (
        "moments-radii-as-fractions-of-the-image",
        "return 2 * var.sqrt()",
        "return 2 * var.sqrt() / IMAGE_SIZE",
        "check_radii",
        ("fraction", "divided by", "/ size", "1/64", "64 times", "radii in pixels", "radii are"),
    ),
    (
        "moments-area-summed-over-the-whole-batch",
        "area = mask.sum(dim=(1, 2)).clamp_min(1)  # clamp",
        "area = mask.sum().clamp_min(1)  # clamp",
        "check_centroid",
        ("per image", "each image", "whole batch", "dim=(1, 2)", "all images", "every image"),
    ),
    # ---- preprocess ----------------------------------------------------------------------
    (
        "preprocess-background-of-the-first-image",
        "difference = images - images[:, :, :1, :1]",
        "difference = images - images[:1, :, :1, :1]",
        "check_preprocess",
        ("first image", "each image", "own background", "per image", "every image"),
    ),
    (
        "preprocess-signed-sum-over-the-channels",
        "difference.norm(dim=1, keepdim=True)",
        "difference.sum(dim=1, keepdim=True)",
        "check_preprocess",
        ("norm", "length", "euclid", "cancel", "negative", "sum of squares"),
    ),
    # ---- AddCoordinates ------------------------------------------------------------------
    (
        "coordinates-y-varies-along-the-row",
        COORDINATES,
        COORDINATES.replace(".view(height, 1)", ""),
        "check_add_coordinates",
        ("column", "down", "rows", "vertical", "same as x", "identical", "view(height, 1)"),
    ),
    (
        "coordinates-expanded-for-one-image",
        COORDINATES,
        COORDINATES.replace(".expand(batch, 1,", ".expand(1, 1,"),
        "check_add_coordinates",
        ("whole batch", "every image in the batch", "batch of one", "batch size", "one image"),
    ),
    (
        "coordinates-made-on-the-cpu",
        COORDINATES,
        COORDINATES.replace(", device=inputs.device", ""),
        "check_add_coordinates",
        ("device",),
    ),
    # ---- evaluate ------------------------------------------------------------------------
    (
        "evaluate-squared-error-as-the-mae",
        "error_sum += (predictions - targets).abs().sum(dim=0)",
        "error_sum += ((predictions - targets) ** 2).sum(dim=0)",
        "check_evaluate",
        SQUARED,
    ),
    (
        "evaluate-divides-by-the-number-of-batches",
        "    count = len(loader.dataset)",
        "    count = len(loader)",
        "check_evaluate",
        BY_BATCHES,
    ),
    (
        "evaluate-loss-summed-as-a-tensor",
        "loss_sum += loss_function(predictions, targets).item() * len(inputs)",
        "loss_sum += loss_function(predictions, targets) * len(inputs)",
        "check_evaluate",
        ITEM,
    ),
    # ---- train_one_epoch -----------------------------------------------------------------
    (
        "training-loss-summed-as-a-tensor",
        EPOCH_END,
        EPOCH_END.replace("loss.item()", "loss"),
        "check_train_one_epoch",
        ITEM,
    ),
    (
        "training-targets-never-moved-to-the-device",
        "        inputs, targets = inputs.to(device), targets.to(device)\n",
        "        inputs = inputs.to(device)\n",
        "check_train_one_epoch",
        ("device",),
    ),
    (
        "scheduler-stepped-before-the-optimizer",
        "        optimizer.step()\n        if scheduler is not None:\n            scheduler.step()",
        "        if scheduler is not None:\n            scheduler.step()\n        optimizer.step()",
        "check_train_one_epoch",
        ("order", "after optimizer.step", "before optimizer.step", "first learning rate", "skip"),
    ),
    (
        "training-returns-inside-the-loop",
        EPOCH_END,
        EPOCH_END.replace("\n    return", "\n        return"),
        "check_train_one_epoch",
        ("return inside", "inside the loop", "first batch", "one batch", "indent"),
    ),
    (
        "training-loss-divided-by-the-number-of-batches",
        EPOCH_END,
        EPOCH_END.replace("len(loader.dataset)", "len(loader)"),
        "check_train_one_epoch",
        BY_BATCHES,
    ),
]


# Cases the checks catch but do not name yet, with what they say instead.
NOT_NAMED_YET = {
    "coordinates-expanded-for-one-image": "PyTorch's torch.cat size error reaches the learner "
    "with the generic hint",
    "moments-radii-as-fractions-of-the-image": "the check's probe images are 32 pixels, so "
    "radii divided by IMAGE_SIZE (64) match no fraction it knows; it gets the generic hint",
    "preprocess-background-of-the-first-image": "the hint says to subtract the top-left "
    "pixel's colour, not that each image has its own",
    "coordinates-y-varies-along-the-row": "gets the generic coordinate hint",
    "coordinates-made-on-the-cpu": "the check runs on the CPU only, where it passes",
    "evaluate-squared-error-as-the-mae": "the engine says the factor (about 4) matches no slip "
    "it knows",
    "training-returns-inside-the-loop": "the engine names it (a `return` inside the for "
    "loop) in words that none of the cause words match",
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    error = catch_mistake(NOTEBOOK, old, new, check, replace=SMALL)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
