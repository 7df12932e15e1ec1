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


# check_runner_input


@pytest.fixture
def images() -> torch.Tensor:
    return torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(0))


def test_runner_input_passes_for_float32_images(
    tmp_path: Path, images: torch.Tensor, capsys: pytest.CaptureFixture[str]
) -> None:
    np.save(tmp_path / "images.npy", images.numpy())
    check.check_runner_input(tmp_path / "images.npy", images)
    assert capsys.readouterr().out.startswith("✓")


@pytest.mark.parametrize(
    ("convert", "hint"),
    [
        (lambda x: x.numpy().astype(np.float64), "astype"),
        (lambda x: (x * 255).numpy().astype(np.uint8), "raw pixels"),
        (lambda x: x[:, 0].numpy(), "channel axis"),
        (lambda x: x.numpy() * 255, "as in training"),
    ],
    ids=["float64", "uint8", "no channel axis", "not scaled"],
)
def test_runner_input_slips_fail_with_their_hint(
    tmp_path: Path,
    images: torch.Tensor,
    convert: Callable[[torch.Tensor], np.ndarray],
    hint: str,
) -> None:
    np.save(tmp_path / "images.npy", convert(images))
    with pytest.raises(AssertionError, match=hint):
        check.check_runner_input(tmp_path / "images.npy", images)


def test_runner_input_saved_with_torch_is_not_a_plain_array(
    tmp_path: Path, images: torch.Tensor
) -> None:
    torch.save(images, tmp_path / "images.npy")
    with pytest.raises(AssertionError, match=r"not a plain \.npy array"):
        check.check_runner_input(tmp_path / "images.npy", images)


def test_runner_input_missing_fails(tmp_path: Path, images: torch.Tensor) -> None:
    with pytest.raises(AssertionError, match="no file"):
        check.check_runner_input(tmp_path / "images.npy", images)


def test_runner_input_refuses_expected_images_of_the_wrong_kind_by_name(
    tmp_path: Path, images: torch.Tensor
) -> None:
    with pytest.raises(TypeError, match=r"expected_images should be .*got ndarray"):
        check.check_runner_input(tmp_path / "images.npy", images.numpy())
    with pytest.raises(ValueError, match=r"expected_images should be .*\(N, 1, 28, 28\)"):
        check.check_runner_input(tmp_path / "images.npy", images[:, 0])
    with pytest.raises(TypeError, match="images_path should be a path"):
        check.check_runner_input(None, images)


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
