"""Notebook 05's mistake catalogue: each slip in a decision TODO is named by the check after it.

Issue 17 made three of 05's TODOs decisions: which dimensions of the export are dynamic,
how to make a model that export refuses exportable, and the preprocessing the C++ runner's
input must match. Every case puts one slip into such a TODO of the solution and runs the
notebook up to the check right after it (tests/mistakes.py). No case needs a trained
network, so the notebook's two epochs are skipped; the preprocessing cases also skip the
AOTInductor compilation, which their check does not use.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "05_deploying_models.ipynb"

UNTRAINED = {"num_epochs = 2": "num_epochs = 0\nvalidation_accuracy = 1.0  # not trained"}
COMPILE = (
    "torch._inductor.aoti_compile_and_package(exported_program, package_path=str(package_path))"
)
LOAD = "compiled_model = torch._inductor.aoti_load_package(str(package_path))"
NO_COMPILING = {
    **UNTRAINED,
    COMPILE: "pass  # not compiled: the check below does not use the package",
    f"check_aoti_package(package_path, model)\n{LOAD}": "compiled_model = None",
}

DYNAMIC = 'dynamic_shapes = {"x": {0: torch.export.Dim("batch")}}'
PER_IMAGE = "raw = x.amax(dim=(1, 2, 3), keepdim=True) > 1"
SCALE = "return self.network(torch.where(raw, x / 255, x))"
PREPROCESS = "images = pixels.astype(np.float32) / 255\n    return images[:, np.newaxis]"

MISTAKES = [
    # ---- which dimensions are dynamic ---------------------------------------------------
    pytest.param(
        "example_images = X_validation[:8]",
        "example_images = X_validation[:1]",
        "check_dynamic_shapes",
        "example is 1 image.*constant",
        id="dynamic-example-of-one-image",
    ),
    pytest.param(
        DYNAMIC,
        "dynamic_shapes = None",
        "check_dynamic_shapes",
        "no dimension is dynamic.*batches of 8",
        id="dynamic-nothing-marked",
    ),
    pytest.param(
        DYNAMIC,
        'dynamic_shapes = {"x": {0: torch.export.Dim("batch"), 2: torch.export.Dim("height"), '
        '3: torch.export.Dim("width")}}',
        "check_dynamic_shapes",
        "28 × 28 pixels",
        id="dynamic-image-size",
    ),
    pytest.param(
        DYNAMIC,
        DYNAMIC.replace('{"x":', '{"images":'),
        "check_dynamic_shapes",
        "names of forward's arguments",
        id="dynamic-keyed-by-another-name",
    ),
    # ---- making DigitReader exportable ---------------------------------------------------
    pytest.param(
        f"{PER_IMAGE}\n        {SCALE}",
        "return self.network(x / 255 if x.max().item() > 1 else x)",
        "check_exportable_reader",
        r"Python decision.*torch\.where",
        id="reader-python-if-left",
    ),
    pytest.param(
        f"{PER_IMAGE}\n        {SCALE}",
        "images = [torch.where(image.max() > 1, image / 255, image) for image in x]\n"
        "        return self.network(torch.stack(images))",
        "check_exportable_reader",
        "fixed batch size.*loop",
        id="reader-loop-over-the-images",
    ),
    pytest.param(
        PER_IMAGE,
        "raw = x.max() > 1",
        "check_exportable_reader",
        "whole batch",
        id="reader-decides-for-the-whole-batch",
    ),
    pytest.param(
        SCALE,
        "return self.network(torch.where(raw, x, x / 255))",
        "check_exportable_reader",
        "differ from the task",
        id="reader-branches-swapped",
    ),
    # ---- the preprocessing the C++ runner's input must match ------------------------------
    pytest.param(
        "pixels.astype(np.float32) / 255",
        "pixels / 255",
        "check_preprocess",
        "float64.*float32",
        id="preprocess-float64",
    ),
    pytest.param(
        "pixels.astype(np.float32) / 255",
        "(pixels.astype(np.float32) / 255 - 0.1307) / 0.3081",
        "check_preprocess",
        "MNIST's mean and std",
        id="preprocess-mnist-mean-and-std",
    ),
    pytest.param(
        "pixels.astype(np.float32) / 255",
        "pixels.astype(np.float32)",
        "check_preprocess",
        "not divided by 255",
        id="preprocess-not-scaled",
    ),
    pytest.param(
        "return images[:, np.newaxis]",
        "return images",
        "check_preprocess",
        "channel axis",
        id="preprocess-no-channel-axis",
    ),
    # ---- a TODO left unfilled -------------------------------------------------------------
    pytest.param(
        DYNAMIC,
        "dynamic_shapes = ...",
        "check_dynamic_shapes",
        "fill in the TODO above",
        id="dynamic-unfilled",
    ),
    pytest.param(
        PREPROCESS,
        "return ...",
        "check_preprocess",
        "fill in the TODO above",
        id="preprocess-unfilled",
    ),
]


@pytest.mark.parametrize(("old", "new", "check", "named"), MISTAKES)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, named):
    replace = NO_COMPILING if check == "check_preprocess" else UNTRAINED
    error = catch_mistake(NOTEBOOK, old, new, check, replace=replace)
    assert error.hint is not None, f"{check} failed without a hint: {error.message}"
    assert re.search(named, str(error), flags=re.DOTALL), f"the check should name it: {error}"
