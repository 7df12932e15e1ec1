"""Notebook 05's fresh mistake catalogue: typical slips written before the shared probe engine.

Issue 15 asks for a yardstick that the self-check engine is measured against but never
tuned to: slips a learner makes inside the TODO regions, written before the engine. The
notebook has no catalogue of its own yet; these cases also avoid the slips that
tests/test_checks_deploying_models.py feeds the checks directly. Do not edit a case to make a
check pass; a case that turns out to be unrealistic is removed, with the reason, in the
commit that removes it.

Issue 17 turned two TODOs into decisions: the export's TODO now chooses ``example_images``
and ``dynamic_shapes`` (the export call is given), and the C++ runner's TODO writes
``preprocess`` (the ``np.save`` is given). The cases on those TODOs put the same slips into
the new code; two slips that now sit in given code left the catalogue
("export-example-inputs-not-a-tuple", "runner-input-saved-with-torch-save").

Each case puts one slip into the solution and runs the notebook up to the check right
after its TODO (tests/mistakes.py). The check must fail there, and its message or hint
must name the true cause: one of ``cause_words`` (any, case-insensitive) must appear in
it. The words come from the cause itself, so that any honest diagnosis contains one.

No case needs a trained network, so the notebook's two epochs are skipped (an untrained
DigitCNN checkpoints, exports and loads the same way). Cases after the AOTInductor task
skip its compilation and the C++ build too: their checks read only a file or a function.
"""

from pathlib import Path

import pytest

from tests.mistakes import assert_names_cause, catch_mistake, fresh_cases

NOTEBOOK = Path(__file__).resolve().parent.parent / "solutions" / "05_deploying_models.ipynb"

# Untrained: the checks compare the learner's files and programs with `model` itself.
UNTRAINED = {"num_epochs = 2": "num_epochs = 0\nvalidation_accuracy = 1.0  # not trained"}
COMPILE = (
    "torch._inductor.aoti_compile_and_package(exported_program, package_path=str(package_path))"
)
LOAD_PACKAGE = (
    "check_aoti_package(package_path, model)\n"
    "compiled_model = torch._inductor.aoti_load_package(str(package_path))"
)
# For the checks after the AOTInductor task: no package, no C++ runner.
NO_COMPILING = {
    **UNTRAINED,
    COMPILE: "pass  # not compiled: the checks below do not use the package",
    LOAD_PACKAGE: "compiled_model = None",
    "missing = missing_build_tools()": 'missing = ["the time to build it"]',
}
AFTER_COMPILING = {"check_preprocess", "check_median_latency"}

# The export's choices (the TODO since issue 17: the export call itself is given code).
EXAMPLE = "example_images = X_validation[:8]"
DYNAMIC = 'dynamic_shapes = {"x": {0: torch.export.Dim("batch")}}'
TIMING = (
    "        started = time.perf_counter()\n"
    "        function()\n"
    "        times.append(time.perf_counter() - started)\n"
    "    return float(np.median(times))"
)

# (id, old source, mutated source, the check right after the TODO, words naming the cause)
MISTAKES = [
    # ---- the checkpoint ------------------------------------------------------------------
    (
        "checkpoint-input-shape-without-the-channel",
        '"shape": [1, 28, 28],',
        '"shape": [28, 28],',
        "check_checkpoint",
        ("channel", "[1, 28, 28]", "input shape"),
    ),
    (
        "checkpoint-range-in-raw-pixels",
        '"range": [0.0, 1.0],',
        '"range": [0, 255],',
        "check_checkpoint",
        ("range", "255", "[0, 1]", "[0.0, 1.0]"),
    ),
    (
        "checkpoint-saved-under-another-name",
        "torch.save(checkpoint, checkpoint_path)",
        'torch.save(checkpoint, folder / "checkpoint.pt")',
        "check_checkpoint",
        ("checkpoint_path", "no file", "not found", "does not exist"),
    ),
    # ---- load_digit_model ----------------------------------------------------------------
    (
        "load-reads-the-global-checkpoint-path",
        'checkpoint = torch.load(path, map_location="cpu", weights_only=True)',
        'checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=True)',
        "check_load_digit_model",
        ("global", "argument", "checkpoint_path", "the path it is given", "path argument"),
    ),
    (
        "load-rebuilds-the-default-architecture",
        'model = DigitCNN(**checkpoint["architecture"])',
        "model = DigitCNN()",
        "check_load_digit_model",
        ("architecture",),
    ),
    (
        "load-state-dict-given-the-whole-checkpoint",
        'model.load_state_dict(checkpoint["state_dict"])',
        "model.load_state_dict(checkpoint)",
        "check_load_digit_model",
        ("whole checkpoint", "whole dictionary", "entry", '["state_dict"]', "['state_dict']"),
    ),
    (
        "load-returns-what-load-state-dict-returns",
        '    model.load_state_dict(checkpoint["state_dict"])\n    return model.eval()',
        '    model.eval()\n    return model.load_state_dict(checkpoint["state_dict"])',
        "check_load_digit_model",
        ("incompatiblekeys", "load_state_dict returns", "return the model", "not the model"),
    ),
    # ---- torch.export --------------------------------------------------------------------
    (
        "export-with-an-example-batch-of-one",
        EXAMPLE,
        EXAMPLE.replace("[:8]", "[:1]"),
        "check_dynamic_shapes",
        ("batch of one", "size 1", "one image", "specializ", "at least 2", "more than one"),
    ),
    (
        "export-marks-the-channel-axis-dynamic",
        DYNAMIC,
        DYNAMIC.replace("{0:", "{1:"),
        "check_dynamic_shapes",
        ("dim 0", "{0:", "axis 0", "first axis", "batch axis", "dimension 0", "first dimension"),
    ),
    (
        "export-dynamic-shapes-keyed-by-the-variable-name",
        DYNAMIC,
        DYNAMIC.replace('{"x":', '{"example_images":'),
        "check_dynamic_shapes",
        ("argument name", "parameter name", "named x", "'x'", '"x"', "forward"),
    ),
    # ---- AOTInductor ---------------------------------------------------------------------
    (
        "aoti-compiles-the-module-not-the-exported-program",
        COMPILE,
        COMPILE.replace("(exported_program,", "(model,"),
        "check_aoti_package",
        ("exported_program", "exportedprogram", "torch.export"),
    ),
    # ---- the C++ runner's input ----------------------------------------------------------
    (
        "runner-input-channels-last",
        "return images[:, np.newaxis]",
        "return images[..., np.newaxis]",
        "check_preprocess",
        ("channel", "channels first", "channels last", "permute", "axis order"),
    ),
    # ---- median_latency ------------------------------------------------------------------
    (
        "latency-of-timestamps-not-durations",
        TIMING,
        TIMING.replace(
            "times.append(time.perf_counter() - started)", "times.append(time.perf_counter())"
        ),
        "check_median_latency",
        ("duration", "difference", "timestamp", "started", "subtract"),
    ),
    (
        "latency-function-never-called",
        TIMING,
        TIMING.replace("        function()\n", "        function\n"),
        "check_median_latency",
        ("never called", "not called", "function()", "parentheses", "brackets"),
    ),
    (
        "latency-returns-inside-the-loop",
        TIMING,
        TIMING.replace("\n    return", "\n        return"),
        "check_median_latency",
        ("return inside", "inside the loop", "one call", "only one", "indent", "single"),
    ),
]


IN_THE_TODO_CELL = (
    "PyTorch raises in the TODO cell itself, before the check runs, an error that "
    "utils.checks._core.explain_error does not know"
)
# Cases the checks do not name yet, with what they say instead; each must still fail.
NOT_NAMED_YET = {
    "checkpoint-input-shape-without-the-channel": "check_checkpoint wants a non-empty "
    "dictionary under 'input' and does not read its values",
    "checkpoint-range-in-raw-pixels": "check_checkpoint does not read the values under 'input'",
    "load-reads-the-global-checkpoint-path": "the check hands load_digit_model the notebook's "
    "own checkpoint_path, so reading the global gives the same model",
    "load-rebuilds-the-default-architecture": "the notebook's architecture is DigitCNN's "
    "default, so DigitCNN() gives the same model",
    "load-state-dict-given-the-whole-checkpoint": "the check shows the first line of PyTorch's "
    "RuntimeError ('Error(s) in loading state_dict'), not its cause",
    "aoti-compiles-the-module-not-the-exported-program": IN_THE_TODO_CELL,
    "latency-of-timestamps-not-durations": "the check says how far off the time is, not that "
    "it holds timestamps instead of durations",
    "latency-function-never-called": "the check says the function was called once for "
    "repeats=7, not that `function` lacks its ()",
    "latency-returns-inside-the-loop": "the check says the function was called twice for "
    "repeats=7, not that the return sits inside the loop",
}


@pytest.mark.parametrize(
    ("old", "new", "check", "cause_words"), fresh_cases(MISTAKES, NOT_NAMED_YET)
)
def test_fresh_mistake_is_named_by_the_check_after_its_todo(old, new, check, cause_words):
    replace = NO_COMPILING if check in AFTER_COMPILING else UNTRAINED
    error = catch_mistake(NOTEBOOK, old, new, check, replace=replace)
    assert_names_cause(error, check, cause_words)


def test_the_fresh_catalogue_holds_at_least_six_mistakes():
    assert len(MISTAKES) >= 6
