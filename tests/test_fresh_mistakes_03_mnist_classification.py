"""Notebook 03's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions that no case of
tests/test_mistakes_03_mnist_classification.py covers, written before the engine. Do not
edit a case to make a check pass; a case that turns out to be unrealistic is removed, with
the reason, in the commit that removes it.

Each case puts one slip into the solution and runs the notebook up to the check right
after its TODO (tests/mistakes.py). The check must fail there, and its message or hint
must name the true cause: one of ``cause_words`` (any, case-insensitive) must appear in
it. The words come from the cause itself, so that any honest diagnosis contains one.
Every check comes before the first training, so no case trains a network.
"""

from pathlib import Path

import pytest

from tests.mistakes import assert_names_cause, catch_mistake, fresh_cases

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "03_mnist_classification.ipynb"

ITEM = (".item()", "python float", "a tensor", "got tensor")
TO_INPUTS = "dataset.data.unsqueeze(1).float() / 255"
CONV1D = "torch.stack([(x[i : i + k] * kernel).sum() for i in range(len(x) - k + 1)])"
EVALUATE_LOOP = (
    "        for images, labels in loader:\n"
    "            images, labels = images.to(device), labels.to(device)\n"
    "            scores = model(images)"
)
STEP = (
    "        optimizer.zero_grad()\n"
    "        loss = loss_function(model(images), labels)\n"
    "        loss.backward()\n"
    "        optimizer.step()\n"
    "        if scheduler is not None:\n"
    "            scheduler.step()  # one-cycle: after every batch, not every epoch\n"
)

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- majority_baseline ---------------------------------------------------------------
    (
        "majority-guess-is-the-largest-count",
        "guess = count_classes(train_labels).argmax()",
        "guess = count_classes(train_labels).max()",
        "check_majority_baseline",
        ("argmax", "the count", "how many times", "not the digit"),
    ),
    (
        "majority-accuracy-returned-as-a-tensor",
        "return (validation_labels == guess).float().mean().item()",
        "return (validation_labels == guess).float().mean()",
        "check_majority_baseline",
        ITEM,
    ),
    # ---- to_inputs -----------------------------------------------------------------------
    (
        "inputs-with-the-channel-axis-last",
        TO_INPUTS,
        TO_INPUTS.replace("unsqueeze(1)", "unsqueeze(-1)"),
        "check_to_inputs",
        ("channel", "channels first", "channels last", "permute", "axis order"),
    ),
    (
        "inputs-standardised-with-mnist-statistics",
        TO_INPUTS,
        f"({TO_INPUTS} - 0.1307) / 0.3081",
        "check_to_inputs",
        ("[0, 1]", "standardis", "normalis", "0.1307", "negative", "between 0 and 1"),
    ),
    # ---- conv1d_by_hand ------------------------------------------------------------------
    (
        "conv1d-returns-a-python-list",
        CONV1D,
        CONV1D.removeprefix("torch.stack(").removesuffix(")"),
        "check_conv1d",
        ("list", "stack"),
    ),
    (
        "conv1d-products-never-summed",
        CONV1D,
        CONV1D.replace("(x[i : i + k] * kernel).sum()", "x[i : i + k] * kernel"),
        "check_conv1d",
        ("sum", "add up", "dot product"),
    ),
    # ---- count_parameters ----------------------------------------------------------------
    (
        "count-parameters-without-calling-parameters",
        "for parameter in model.parameters())",
        "for parameter in model.parameters)",
        "check_count_parameters",
        ("parameters()", "parentheses", "brackets", "not called", "without calling"),
    ),
    # ---- DigitCNN ------------------------------------------------------------------------
    (
        "second-conv-block-takes-one-channel",
        "            conv_block(1, first),\n            conv_block(first, first),",
        "            conv_block(1, first),\n            conv_block(1, first),",
        "check_model",
        ("in_channels", "block before", "previous block", "second conv", "out_channels"),
    ),
    (
        "classifier-without-flatten",
        "            nn.Flatten(),\n            nn.Dropout(dropout),",
        "            nn.Dropout(dropout),",
        "check_model",
        ("nn.flatten", "flatten layer", "no flatten", "without flatten", "missing flatten"),
    ),
    # ---- evaluate ------------------------------------------------------------------------
    (
        "evaluate-loops-over-the-global-validation-loader",
        EVALUATE_LOOP,
        EVALUATE_LOOP.replace("in loader:", "in validation_loader:"),
        "check_evaluate",
        ("argument", "global", "validation_loader", "loader it is given", "loader you pass"),
    ),
    (
        "evaluate-labels-never-moved-to-the-device",
        EVALUATE_LOOP,
        EVALUATE_LOOP.replace(
            "images, labels = images.to(device), labels.to(device)", "images = images.to(device)"
        ),
        "check_evaluate",
        ("device",),
    ),
    (
        "evaluate-accuracy-as-a-count",
        '"accuracy": correct / num_images}',
        '"accuracy": correct}',
        "check_evaluate",
        ("fraction", "count", "divide", "number of images", "number correct"),
    ),
    # ---- train_one_epoch -----------------------------------------------------------------
    (
        "training-loss-summed-as-a-tensor",
        "        total_loss += loss.item() * len(labels)\n    return",
        "        total_loss += loss * len(labels)\n    return",
        "check_train_one_epoch",
        ITEM,
    ),
    (
        "augmentation-applied-when-there-is-none",
        "        if augment is not None:\n            images = augment(images)\n",
        "        images = augment(images)\n",
        "check_train_one_epoch",
        (
            "augment is none",
            "augment=none",
            "augment is not none",
            "optional",
            "without augment",
            "no augment",
        ),
    ),
    (
        "scheduler-stepped-before-the-optimizer",
        STEP,
        STEP.replace(
            "        optimizer.step()\n        if scheduler is not None:\n"
            "            scheduler.step()  # one-cycle: after every batch, not every epoch\n",
            "        if scheduler is not None:\n"
            "            scheduler.step()  # one-cycle: after every batch, not every epoch\n"
            "        optimizer.step()\n",
        ),
        "check_train_one_epoch",
        ("order", "after optimizer.step", "before optimizer.step", "first learning rate", "skip"),
    ),
    (
        "zero-grad-between-backward-and-step",
        STEP,
        STEP.replace(
            "        optimizer.zero_grad()\n        loss = loss_function(model(images), labels)\n"
            "        loss.backward()\n",
            "        loss = loss_function(model(images), labels)\n        loss.backward()\n"
            "        optimizer.zero_grad()\n",
        ),
        "check_train_one_epoch",
        ("between", "wipe", "erase", "zero_grad() after", "zero_grad after", "clears", "zeroed"),
    ),
]


# Cases that the checks catch but do not name yet, or miss: each stays a strict xfail, so a
# check that starts naming it shows as XPASS and the mark comes off.
NOT_NAMED_YET = {
    "inputs-with-the-channel-axis-last": "the shape is reported, not where the channel axis goes",
    "conv1d-returns-a-python-list": "a list of 0-d tensors is accepted",
    "conv1d-products-never-summed": "the output length is reported, not the missing sum",
    "evaluate-loops-over-the-global-validation-loader": (
        "the probe loader is never iterated; the model's shape error is reported instead"
    ),
    "augmentation-applied-when-there-is-none": "the probe always passes an augment function",
    "classifier-without-flatten": "PyTorch's matrix-shape error is explained as in_features",
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    error = catch_mistake(NOTEBOOK, old, new, check)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
