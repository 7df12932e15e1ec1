"""Tests for utils.checks.deployment: right answers pass, classic mistakes fail with their hint."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from utils.checks import deployment as check
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
    check.check_checkpoint(saved(tmp_path, good_checkpoint(model)))
    assert capsys.readouterr().out.startswith("✓")


def test_checkpoint_of_a_whole_model_hints_at_state_dict(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match=r"pickles the whole model.*state_dict"):
        check.check_checkpoint(saved(tmp_path, model))


def test_checkpoint_with_torch_version_object_hints_at_str(tmp_path: Path, model: DigitCNN) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint["versions"]["torch"] = torch.__version__
    with pytest.raises(AssertionError, match=r"str\(torch.__version__\)"):
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
    with pytest.raises(AssertionError, match=r"(?s)do not rebuild.*\(16, 1, 3, 3\)"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_with_numbers_as_class_names_fails(tmp_path: Path, model: DigitCNN) -> None:
    checkpoint = good_checkpoint(model)
    checkpoint["class_names"] = list(range(10))
    with pytest.raises(AssertionError, match="10 strings"):
        check.check_checkpoint(saved(tmp_path, checkpoint))


def test_checkpoint_that_was_never_saved_fails(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no file"):
        check.check_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_left_as_the_placeholder_says_fill_in_the_todo(tmp_path):
    with pytest.raises(AssertionError, match="fill in the TODO above"):
        check.check_checkpoint(tmp_path / "missing.pt", ...)


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
        (load_dictionary, "returned a dictionary"),
    ],
    ids=["weights_only=False", "no eval", "no weights", "dictionary"],
)
def test_load_mistakes_fail_with_their_hint(
    tmp_path: Path, model: DigitCNN, loader: Callable[[Path], Any], hint: str
) -> None:
    with pytest.raises(AssertionError, match=hint):
        check.check_load_digit_model(loader, saved(tmp_path, good_checkpoint(model)))


def test_unsafe_load_really_runs_the_stand_in_code(tmp_path: Path, model: DigitCNN) -> None:
    # The check's premise: weights_only=False runs what the file names.
    path = saved(tmp_path, {"note": check._Tripwire()})
    check._TRIPWIRE["sprung"] = False
    torch.load(path, weights_only=False)
    assert check._TRIPWIRE["sprung"]


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
        check.check_exported_program(exported, model)


def test_exported_program_that_is_a_module_fails(model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="ExportedProgram, got DigitCNN"):
        check.check_exported_program(model, model)


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
        (lambda x: x.numpy() * 255, "same preprocessing"),
    ],
    ids=["float64", "uint8", "no channel axis", "not scaled"],
)
def test_runner_input_mistakes_fail_with_their_hint(
    tmp_path: Path,
    images: torch.Tensor,
    convert: Callable[[torch.Tensor], np.ndarray],
    hint: str,
) -> None:
    np.save(tmp_path / "images.npy", convert(images))
    with pytest.raises(AssertionError, match=hint):
        check.check_runner_input(tmp_path / "images.npy", images)


def test_runner_input_missing_fails(tmp_path: Path, images: torch.Tensor) -> None:
    with pytest.raises(AssertionError, match="no file"):
        check.check_runner_input(tmp_path / "images.npy", images)


# check_aoti_package (the passing case compiles a package: see tests/test_digit_runner.py)


def test_aoti_package_missing_fails(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(AssertionError, match="aoti_compile_and_package"):
        check.check_aoti_package(tmp_path / "model.pt2", model)


def test_aoti_package_with_another_suffix_fails(tmp_path: Path, model: DigitCNN) -> None:
    (tmp_path / "model.so").write_bytes(b"")
    with pytest.raises(AssertionError, match=r"\.pt2"):
        check.check_aoti_package(tmp_path / "model.so", model)


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
def test_median_latency_mistakes_fail_with_their_hint(
    median_latency: Callable[..., float], hint: str
) -> None:
    with pytest.raises(AssertionError, match=hint):
        check.check_median_latency(median_latency)


# check_headline


def test_headline_passes_for_an_accurate_model_and_agreeing_scores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    check.check_headline(0.97, 3e-6)
    assert capsys.readouterr().out.startswith("✓")


def test_headline_fails_for_a_poor_model() -> None:
    with pytest.raises(AssertionError, match="below 95%"):
        check.check_headline(0.80, 3e-6)


def test_headline_fails_when_cpp_disagrees() -> None:
    with pytest.raises(AssertionError, match=r"differ by up to 0\.01"):
        check.check_headline(0.97, 0.01)


def test_headline_says_loudly_when_cpp_was_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    check.check_headline(0.97, None)
    assert capsys.readouterr().out.startswith("⚠ the C++ comparison was skipped")
