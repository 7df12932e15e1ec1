"""Tests for utils.checks.deploying_models: right answers pass, slips fail with their hint,
and arguments of the wrong kind are refused by name."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from utils.checks import deploying_models as check
from utils.models import DigitCNN

ARCHITECTURE = {"channels": (4, 8), "dropout": 0.2}


@pytest.fixture
def model() -> DigitCNN:
    torch.manual_seed(0)
    return DigitCNN(**ARCHITECTURE).eval()


def good_checkpoint(model: DigitCNN) -> dict[str, Any]:
    return {
        "state_dict": model.state_dict(),
        "architecture": ARCHITECTURE,
        "input": {"shape": [1, 28, 28], "dtype": "float32", "range": [0.0, 1.0]},
        "class_names": [str(digit) for digit in range(10)],
        "versions": {"python": platform.python_version(), "torch": str(torch.__version__)},
    }


def saved(tmp_path: Path, value: object) -> Path:
    path = tmp_path / "checkpoint.pt"
    torch.save(value, path)
    return path


# check_checkpoint


def test_checkpoint_passes_for_a_dictionary_of_plain_data(
    tmp_path: Path, model: DigitCNN, capsys: pytest.CaptureFixture[str]
) -> None:
    check.check_checkpoint(saved(tmp_path, good_checkpoint(model)), good_checkpoint(model))
    assert capsys.readouterr().out.startswith(f"✓ checkpoint: {len(model.state_dict())} tensors")


def test_checkpoint_of_a_whole_model_names_the_pickled_class(
    tmp_path: Path, model: DigitCNN
) -> None:
    with pytest.raises(AssertionError, match=r"(?s)utils\.models\.DigitCNN.*keys state_dict"):
        check.check_checkpoint(saved(tmp_path, model))


def test_checkpoint_with_torch_version_object_hints_at_str(tmp_path: Path, model: DigitCNN) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint["versions"]["torch"] = torch.__version__
    with pytest.raises(AssertionError, match=r"Hint: store str\(torch.__version__\)"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_with_state_dict_without_brackets_hints_at_them(
    tmp_path: Path, model: DigitCNN
) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint["state_dict"] = model.state_dict
    with pytest.raises(AssertionError, match=r"Hint: a method .*model\.state_dict\(\)"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_of_a_bare_state_dict_says_so(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="bare state_dict"):
        check.check_checkpoint(saved(tmp_path, model.state_dict()))


def test_checkpoint_without_a_key_names_it(tmp_path: Path, model: DigitCNN) -> None:
    checkpoint = good_checkpoint(model)
    del checkpoint["class_names"]
    with pytest.raises(AssertionError, match="no class_names"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_with_the_wrong_architecture_lists_shapes(
    tmp_path: Path, model: DigitCNN
) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint["architecture"] = {"channels": (16, 32)}
    with pytest.raises(AssertionError, match=r"\(16, 1, 3, 3\)"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("class_names", list(range(10)), "10 strings"),
        ("class_names", [str(digit) for digit in range(9)], "10 strings"),
        ("input", {}, r"checkpoint\['input'\] should be a dictionary"),
        ("versions", {"torch": "1.0"}, r"checkpoint\['versions'\] should hold 'torch'"),
    ],
    ids=["numbers as class names", "nine class names", "empty input", "wrong torch version"],
)
def test_checkpoint_entry_of_the_wrong_kind_is_named(
    tmp_path: Path, model: DigitCNN, key: str, value: object, message: str
) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint[key] = value
    with pytest.raises(AssertionError, match=message):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_that_was_never_saved_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no file"):
        check.check_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_that_is_a_text_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.pt"
    path.write_text("not a checkpoint")
    with pytest.raises(AssertionError, match=r"notes\.pt"):
        check.check_checkpoint(path)


def test_checkpoint_left_as_the_placeholder_says_fill_in_the_todo(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check.check_checkpoint(tmp_path / "missing.pt", ...)


@pytest.mark.parametrize("path", [42, None, ""], ids=["int", "None", "empty string"])
def test_checkpoint_path_that_is_no_path_is_refused_by_name(path: object) -> None:
    with pytest.raises(
        TypeError, match=rf"checkpoint_path should be a path .*got {type(path).__name__}"
    ):
        check.check_checkpoint(path)


# check_load_digit_model


def load_right(path: Path) -> DigitCNN:
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model = DigitCNN(**checkpoint["architecture"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def load_unsafely(path: Path) -> DigitCNN:
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    model = DigitCNN(**checkpoint["architecture"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def load_without_eval(path: Path) -> DigitCNN:
    return load_right(path).train()


def load_without_weights(path: Path) -> DigitCNN:
    checkpoint = torch.load(path, weights_only=True)
    return DigitCNN(**checkpoint["architecture"]).eval()


def load_dictionary(path: Path) -> dict[str, Any]:
    return torch.load(path, weights_only=True)


def load_another_architecture(path: Path) -> DigitCNN:
    return DigitCNN(channels=(8, 16)).eval()


def test_load_passes_for_a_safe_loader(
    tmp_path: Path, model: DigitCNN, capsys: pytest.CaptureFixture[str]
) -> None:
    check.check_load_digit_model(load_right, saved(tmp_path, good_checkpoint(model)))
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("loader", "hint"),
    [
        (load_unsafely, "weights_only=True"),
        (load_without_eval, r"model\.eval\(\)"),
        (load_without_weights, "load_state_dict"),
        (load_dictionary, "should return a DigitCNN, got dict"),
        (load_another_architecture, "differs from the checkpoint's"),
    ],
    ids=["weights_only=False", "no eval", "no weights", "dictionary", "other architecture"],
)
def test_load_slips_fail_with_their_hint(
    tmp_path: Path, model: DigitCNN, loader: Callable[[Path], Any], hint: str
) -> None:
    with pytest.raises(AssertionError, match=hint):
        check.check_load_digit_model(loader, saved(tmp_path, good_checkpoint(model)))


def test_unsafe_load_really_runs_the_stand_in_code(tmp_path: Path) -> None:
    # The check's premise: weights_only=False runs what the file names; True refuses it.
    path = saved(tmp_path, {"note": check._Tripwire()})
    check._TRIPWIRE["sprung"] = False
    with pytest.raises(Exception, match="exec"):
        torch.load(path, weights_only=True)
    assert not check._TRIPWIRE["sprung"]
    torch.load(path, weights_only=False)
    assert check._TRIPWIRE["sprung"]


def test_load_with_a_checkpoint_path_that_is_no_path_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="checkpoint_path should be a path"):
        check.check_load_digit_model(load_right, 3.5)


# check_exported_program


def export(model: DigitCNN, dynamic: bool = True) -> torch.export.ExportedProgram:
    shapes = {"x": {0: torch.export.Dim("batch")}} if dynamic else None
    return torch.export.export(model, (torch.rand(4, 1, 28, 28),), dynamic_shapes=shapes)


def test_exported_program_passes_when_exported_in_eval_mode_with_dynamic_batch(
    model: DigitCNN, capsys: pytest.CaptureFixture[str]
) -> None:
    check.check_exported_program(export(model), model)
    assert capsys.readouterr().out.startswith("✓")


def test_exported_program_with_fixed_batch_hints_at_dynamic_shapes(model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="dynamic_shapes"):
        check.check_exported_program(export(model, dynamic=False), model)


def test_exported_program_in_training_mode_hints_at_eval(model: DigitCNN) -> None:
    exported = export(model.train())
    with pytest.raises(AssertionError, match=r"model\.eval\(\) before torch\.export"):
        check.check_exported_program(exported, model.eval())


def test_exported_program_of_another_model_says_the_scores_differ(model: DigitCNN) -> None:
    torch.manual_seed(1)
    other = DigitCNN(**ARCHITECTURE).eval()
    with pytest.raises(AssertionError, match="scores differ from the model's"):
        check.check_exported_program(export(other), model)


def test_exported_program_that_is_a_module_fails(model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="DigitCNN, not an ExportedProgram"):
        check.check_exported_program(model, model)


def test_exported_program_left_as_the_placeholder_says_fill_in_the_todo(model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check.check_exported_program(..., model)


def test_exported_program_with_a_model_that_is_no_module_is_refused_by_name(
    model: DigitCNN,
) -> None:
    with pytest.raises(
        TypeError, match=r"model should be the trained torch\.nn\.Module, got OrderedDict"
    ):
        check.check_exported_program(export(model), model.state_dict())


# check_dynamic_shapes

BATCH = {"x": {0: torch.export.Dim("batch")}}


@pytest.mark.parametrize(
    "dynamic_shapes",
    [
        BATCH,
        {"x": {0: torch.export.Dim.AUTO}},
        ({0: torch.export.Dim("batch")},),
        {"x": (torch.export.Dim("batch"), None, None, None)},
    ],
    ids=["dict", "Dim.AUTO", "tuple of specs", "spec as a tuple"],
)
def test_dynamic_shapes_pass_for_the_batch_alone_in_any_spelling(
    dynamic_shapes: object, capsys: pytest.CaptureFixture[str]
) -> None:
    check.check_dynamic_shapes(torch.rand(8, 1, 28, 28), dynamic_shapes)
    assert capsys.readouterr().out.startswith("✓ an example of 8 images")


@pytest.mark.parametrize(
    ("size", "dynamic_shapes", "named"),
    [
        (1, BATCH, "example is 1 image"),
        (8, None, "no dimension is dynamic.*batches of 8"),
        (8, {"x": {}}, "no dimension is dynamic"),
        (1, {"x": {0: None}}, "batches of 1"),
        (8, {"x": {0: torch.export.Dim("b"), 2: torch.export.Dim("h")}}, r"\[0, 2\].*28 × 28"),
        (8, {"x": {1: torch.export.Dim("c")}}, r"\[1\].*1 channel"),
        (8, {"images": {0: torch.export.Dim("b")}}, "forward's arguments"),
    ],
    ids=["example of 1", "none", "empty", "example of 1, no Dim", "height", "channel", "key"],
)
def test_dynamic_shapes_slips_are_named(
    model: DigitCNN, size: int, dynamic_shapes: object, named: str
) -> None:
    with pytest.raises(AssertionError, match=rf"(?s){named}"):
        check.check_dynamic_shapes(torch.rand(size, 1, 28, 28), dynamic_shapes)


@pytest.mark.parametrize(
    ("size", "dynamic_shapes"),
    [
        (1, BATCH),
        (8, {"x": {0: torch.export.Dim("b"), 2: torch.export.Dim("h")}}),
        (8, {"x": {1: torch.export.Dim("c")}}),
        (8, {"images": {0: torch.export.Dim("b")}}),
    ],
    ids=["example of 1", "height", "channel", "key"],
)
def test_the_slips_the_check_names_are_refused_by_torch_export(
    model: DigitCNN, size: int, dynamic_shapes: object
) -> None:
    # The check's premise, independent of it: torch.export refuses each of these choices.
    with pytest.raises((RuntimeError, AssertionError)):  # RuntimeError in older versions
        torch.export.export(model, (torch.rand(size, 1, 28, 28),), dynamic_shapes=dynamic_shapes)


def test_a_fixed_batch_really_refuses_another_size(model: DigitCNN) -> None:
    program = torch.export.export(model, (torch.rand(1, 1, 28, 28),)).module()
    with pytest.raises((RuntimeError, AssertionError)):  # RuntimeError in older versions
        program(torch.rand(3, 1, 28, 28))


def test_dynamic_shapes_left_as_the_placeholder_say_fill_in_the_todo() -> None:
    with pytest.raises(AssertionError, match=r"dynamic_shapes is still `\.\.\.`"):
        check.check_dynamic_shapes(torch.rand(8, 1, 28, 28), ...)


def test_dynamic_shapes_refuse_an_example_that_is_no_batch_of_images_by_name() -> None:
    with pytest.raises(TypeError, match=r"example_images should be a batch of images.*got Tensor"):
        check.check_dynamic_shapes(torch.rand(8, 28, 28), BATCH)


# check_exportable_reader


class Reader(torch.nn.Module):
    def __init__(self, network: torch.nn.Module) -> None:
        super().__init__()
        self.network = network


class PerImage(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(torch.where(x.amax(dim=(1, 2, 3), keepdim=True) > 1, x / 255, x))


class PythonIf(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x / 255 if x.max().item() > 1 else x)


class LoopWithWhere(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        images = [torch.where(image.max() > 1, image / 255, image) for image in x]
        return self.network(torch.stack(images))


class WholeBatch(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(torch.where(x.max() > 1, x / 255, x))


class Everything(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x / 255)


class Nothing(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)


class Halved(Reader):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(PerImage(torch.nn.Identity())(x) / 2)


def test_reader_passes_when_it_scales_each_raw_image(
    model: DigitCNN, capsys: pytest.CaptureFixture[str]
) -> None:
    check.check_exportable_reader(PerImage(model), model)
    assert capsys.readouterr().out.startswith("✓ the reader exports")


@pytest.mark.parametrize(
    ("reader", "named"),
    [
        (PythonIf, r"(?s)Python decision.*line \d+.*torch\.where"),
        (LoopWithWhere, "fixed batch size.*loop"),
        (WholeBatch, "whole batch"),
        (Everything, "already in"),
        (Nothing, "unscaled"),
        (Halved, "differ from the task"),
    ],
    ids=["python if", "loop", "whole batch", "divides everything", "never divides", "other"],
)
def test_reader_slips_are_named(model: DigitCNN, reader: type[Reader], named: str) -> None:
    with pytest.raises(AssertionError, match=named):
        check.check_exportable_reader(reader(model), model)


def test_reader_left_as_the_placeholder_says_fill_in_the_todo(model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check.check_exportable_reader(..., model)


def test_reader_that_is_no_module_is_refused_by_name(model: DigitCNN) -> None:
    with pytest.raises(TypeError, match=r"reader should be a module.*got type"):
        check.check_exportable_reader(PerImage, model)


# check_preprocess


def preprocess_right(pixels: np.ndarray) -> np.ndarray:
    return pixels[:, np.newaxis].astype(np.float32) / 255


def test_preprocess_passes_for_float32_images_in_zero_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check.check_preprocess(preprocess_right)
    assert capsys.readouterr().out.startswith("✓ preprocess makes float32 images")


@pytest.mark.parametrize(
    ("preprocess", "named"),
    [
        (lambda p: preprocess_right(p).astype(np.float64), "float64.*float32"),
        (lambda p: p[:, None], "uint8"),
        (lambda p: preprocess_right(p)[:, 0], r"\(3, 28, 28\).*channel axis"),
        (lambda p: preprocess_right(p).transpose(0, 2, 3, 1), "channels first"),
        (lambda p: preprocess_right(p) * 255, "not divided by 255"),
        (lambda p: preprocess_right(p) / 255, "twice"),
        (lambda p: (preprocess_right(p) - 0.1307) / 0.3081, "mean and std"),
        (lambda p: 1 - preprocess_right(p), r"pixel / 255"),
        (lambda p: torch.from_numpy(preprocess_right(p)), "not a NumPy array"),
    ],
    ids=[
        "float64",
        "uint8",
        "no channel",
        "channels last",
        "not scaled",
        "scaled twice",
        "mean and std",
        "inverted",
        "tensor",
    ],
)
def test_preprocess_slips_are_named(preprocess: Callable[[np.ndarray], Any], named: str) -> None:
    with pytest.raises(AssertionError, match=rf"(?s){named}"):
        check.check_preprocess(preprocess)


def test_preprocess_left_as_the_placeholder_says_fill_in_the_todo() -> None:
    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check.check_preprocess(...)


# check_aoti_package (the passing case compiles a package: see tests/test_digit_runner.py)


def test_aoti_package_missing_fails(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="aoti_compile_and_package"):
        check.check_aoti_package(tmp_path / "model.pt2", model)


def test_aoti_package_with_another_suffix_fails(tmp_path: Path, model: DigitCNN) -> None:
    (tmp_path / "model.so").write_bytes(b"")
    with pytest.raises(AssertionError, match=r"\.pt2"):
        check.check_aoti_package(tmp_path / "model.so", model)


def test_aoti_package_written_by_export_save_hints_at_compiling(
    tmp_path: Path, model: DigitCNN
) -> None:
    torch.export.save(export(model), tmp_path / "model.pt2")
    with pytest.raises(AssertionError, match=r"(?s)not an AOTInductor package.*export\.save"):
        check.check_aoti_package(tmp_path / "model.pt2", model)


def test_aoti_package_with_a_model_that_is_no_module_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="model should be"):
        check.check_aoti_package(tmp_path / "model.pt2", "model")


# check_median_latency


def median_right(function: Callable[[], object], repeats: int = 20) -> float:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def median_without_warm_up(function: Callable[[], object], repeats: int = 20) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def total_time(function: Callable[[], object], repeats: int = 20) -> float:
    function()
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return time.perf_counter() - start


def mean_with_warm_up(function: Callable[[], object], repeats: int = 20) -> float:
    start = time.perf_counter()
    for _ in range(repeats + 1):
        function()
    return (time.perf_counter() - start) / (repeats + 1)


def median_in_milliseconds(function: Callable[[], object], repeats: int = 20) -> float:
    return 1000 * median_right(function, repeats)


def test_median_latency_passes_for_warm_up_then_median(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check.check_median_latency(median_right)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("median_latency", "hint"),
    [
        (median_without_warm_up, "warm-up"),
        (total_time, "not their sum"),
        (mean_with_warm_up, "slow first call"),
        (median_in_milliseconds, "seconds"),
    ],
    ids=["no warm-up", "total", "mean with warm-up", "milliseconds"],
)
def test_median_latency_slips_fail_with_their_hint(
    median_latency: Callable[..., float], hint: str
) -> None:
    with pytest.raises(AssertionError, match=hint):
        check.check_median_latency(median_latency)


# check_headline


def test_headline_passes_for_an_accurate_model_and_agreeing_scores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check.check_headline(0.97, 3e-6, threshold=0.95)
    assert capsys.readouterr().out.startswith("✓ validation accuracy at least 95%")


def test_headline_fails_for_a_poor_model() -> None:
    with pytest.raises(AssertionError, match="below 95%"):
        check.check_headline(0.80, 3e-6)


def test_headline_holds_the_accuracy_to_the_threshold_given() -> None:
    with pytest.raises(AssertionError, match=r"97\.0% is below 98%"):
        check.check_headline(0.97, 3e-6, threshold=0.98)


@pytest.mark.parametrize("difference", [0.01, -1e-6, float("nan")], ids=["large", "neg", "nan"])
def test_headline_fails_when_cpp_disagrees_or_the_difference_is_impossible(
    difference: float,
) -> None:
    with pytest.raises(AssertionError, match="C\\+\\+ and Python scores differ by up to"):
        check.check_headline(0.97, difference)


def test_headline_says_loudly_when_cpp_was_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_headline(0.97, None)
    assert capsys.readouterr().out.startswith("⚠ validation accuracy at least 95%; C++ skipped")


@pytest.mark.parametrize(
    ("threshold", "error"),
    [("0.95", TypeError), (True, TypeError), (95, ValueError), (0, ValueError)],
    ids=["str", "bool", "percent", "zero"],
)
def test_headline_refuses_a_threshold_that_is_no_accuracy_by_name(
    threshold: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match=rf"threshold should be an accuracy in \(0, 1\].*{threshold!s}"):
        check.check_headline(0.97, 3e-6, threshold=threshold)  # type: ignore[arg-type]
