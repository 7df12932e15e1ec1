"""Tests for utils.checkpoints: a round trip, saves that never lose data, one clear error per
broken checkpoint, and a clear error for each bad argument."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from utils.checkpoints import (
    FORMAT_VERSION,
    CheckpointError,
    CheckpointNotFoundError,
    library_versions,
    load_checkpoint,
    save_checkpoint,
    state_dict_mismatches,
    unsupported_global,
    weights_sha256,
)
from utils.models import DigitCNN, FCNet

ARCHITECTURE = {"channels": (4, 8), "dropout": 0.1}


@pytest.fixture
def model() -> DigitCNN:
    torch.manual_seed(0)
    return DigitCNN(**ARCHITECTURE)


@pytest.fixture
def saved(tmp_path: Path, model: DigitCNN) -> Path:
    return save_checkpoint(
        tmp_path / "model.pt",
        model,
        ARCHITECTURE,
        input_description={"shape": [1, 28, 28], "dtype": "float32"},
        class_names=[str(digit) for digit in range(10)],
    )


def edited(saved: Path, name: str, **changes: object) -> Path:
    """Save a copy of the checkpoint with some keys changed (or removed, when None)."""
    checkpoint = torch.load(saved, weights_only=True)
    for key, value in changes.items():
        if value is None:
            del checkpoint[key]
        else:
            checkpoint[key] = value
    path = saved.with_name(name)
    torch.save(checkpoint, path)
    return path


# --- A round trip ------------------------------------------------------------------------


def test_round_trip_gives_the_same_scores_in_eval_mode(saved: Path, model: DigitCNN) -> None:
    loaded, _ = load_checkpoint(saved, DigitCNN)
    images = torch.rand(3, 1, 28, 28)
    model.eval()
    with torch.no_grad():
        assert torch.equal(loaded(images), model(images))
    assert not loaded.training


def test_round_trip_returns_what_the_model_needs_but_not_the_weights(saved: Path) -> None:
    _, information = load_checkpoint(saved, DigitCNN)
    assert information["architecture"] == ARCHITECTURE
    assert information["input"] == {"shape": [1, 28, 28], "dtype": "float32"}
    assert information["class_names"] == [str(digit) for digit in range(10)]
    assert information["versions"] == library_versions()
    assert information["format_version"] == FORMAT_VERSION
    assert "state_dict" not in information


def test_checkpoint_holds_only_plain_data(saved: Path) -> None:
    checkpoint = torch.load(saved, weights_only=True)  # would raise on any pickled object
    assert type(checkpoint["versions"]["torch"]) is str  # not torch's TorchVersion


def test_checkpoint_weights_are_on_the_cpu(saved: Path) -> None:
    checkpoint = torch.load(saved, weights_only=True)
    assert all(value.device.type == "cpu" for value in checkpoint["state_dict"].values())


def test_checkpoint_stores_the_sha256_of_its_weights(saved: Path, model: DigitCNN) -> None:
    checkpoint = torch.load(saved, weights_only=True)
    assert checkpoint["weights_sha256"] == weights_sha256(model.state_dict())


def test_hash_changes_with_one_weight() -> None:
    weights = {"a": torch.zeros(3)}
    changed = {"a": torch.tensor([0.0, 0.0, 1e-30])}
    assert weights_sha256(weights) != weights_sha256(changed)


def test_hash_tells_apart_the_same_bytes_under_another_shape() -> None:
    assert weights_sha256({"a": torch.zeros(2, 3)}) != weights_sha256({"a": torch.zeros(3, 2)})


def test_numpy_scalars_are_stored_as_python_numbers_and_load(tmp_path: Path) -> None:
    architecture = {"channels": (np.int64(4), np.int32(8)), "dropout": np.float32(0.25)}
    path = save_checkpoint(tmp_path / "m.pt", DigitCNN(channels=(4, 8), dropout=0.25), architecture)
    _, information = load_checkpoint(path, DigitCNN)
    assert information["architecture"] == {"channels": (4, 8), "dropout": 0.25}
    assert [type(n) for n in information["architecture"]["channels"]] == [int, int]
    assert type(information["architecture"]["dropout"]) is float


def test_every_kind_of_plain_value_round_trips(tmp_path: Path, model: DigitCNN) -> None:
    description = {
        "none": None,
        "flag": True,
        "count": 3,
        "scale": float("inf"),
        "name": "x",
        "dtype": torch.float32,
        "shape": torch.Size([1, 28, 28]),  # stored as a tuple
        "nested": [(1, 2.0), {"a": [None]}, {7: "int key"}],
        "mean": torch.tensor([0.5]),
        "numpy": [np.float64(0.5), np.bool_(True), np.str_("s")],
    }
    path = save_checkpoint(tmp_path / "m.pt", model, ARCHITECTURE, input_description=description)
    _, information = load_checkpoint(path, DigitCNN)
    stored = information["input"]
    assert stored["shape"] == (1, 28, 28)
    assert type(stored["shape"]) is tuple
    assert stored["numpy"] == [0.5, True, "s"]
    assert [type(value) for value in stored["numpy"]] == [float, bool, str]
    assert torch.equal(stored.pop("mean"), torch.tensor([0.5]))
    for key in ("none", "flag", "count", "scale", "name", "dtype", "nested"):
        assert stored[key] == description[key], key


# --- Saving never loses data ---------------------------------------------------------------


@pytest.fixture
def old_file(saved: Path) -> bytes:
    """The bytes of a good checkpoint that a failed save must leave alone."""
    return saved.read_bytes()


def assert_untouched(saved: Path, old_file: bytes) -> None:
    assert saved.read_bytes() == old_file
    assert sorted(path.name for path in saved.parent.iterdir()) == [saved.name]


def test_unpicklable_value_leaves_the_old_file_intact(
    saved: Path, old_file: bytes, model: DigitCNN
) -> None:
    with pytest.raises(TypeError, match=r"input_description\['transform'\] has type function"):
        save_checkpoint(
            saved, model, ARCHITECTURE, input_description={"transform": lambda x: x / 255}
        )
    assert_untouched(saved, old_file)


@pytest.mark.parametrize(
    "interruption",
    [
        OSError(28, "No space left on device"),
        KeyboardInterrupt(),
        TypeError("cannot pickle 'function' object"),
    ],
    ids=["disk full", "ctrl-c", "pickling error"],
)
def test_failure_while_writing_leaves_the_old_file_intact(
    saved: Path,
    old_file: bytes,
    model: DigitCNN,
    monkeypatch: pytest.MonkeyPatch,
    interruption: BaseException,
) -> None:
    real_save = torch.save

    def save_half_then_fail(checkpoint: object, file: object) -> None:
        real_save(checkpoint, file)  # the temporary file is complete ...
        file.seek(100)  # type: ignore[attr-defined]
        file.truncate()  # type: ignore[attr-defined]  # ... then cut short
        raise interruption

    monkeypatch.setattr("utils.checkpoints.torch.save", save_half_then_fail)
    with pytest.raises(type(interruption)):
        save_checkpoint(saved, model, ARCHITECTURE)
    assert_untouched(saved, old_file)


def test_failure_to_sync_leaves_the_old_file_intact(
    saved: Path, old_file: bytes, model: DigitCNN, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(descriptor: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("utils.checkpoints.os.fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        save_checkpoint(saved, model, ARCHITECTURE)
    assert_untouched(saved, old_file)


def test_failure_to_replace_leaves_the_old_file_intact(
    saved: Path, old_file: bytes, model: DigitCNN, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_replace(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("utils.checkpoints.os.replace", failing_replace)
    with pytest.raises(PermissionError):
        save_checkpoint(saved, model, ARCHITECTURE)
    assert_untouched(saved, old_file)


def test_a_file_that_would_not_load_back_is_not_written(
    saved: Path, old_file: bytes, model: DigitCNN, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = torch.save

    def save_with_a_numpy_value(checkpoint: dict, file: object) -> None:
        real_save({**checkpoint, "input": {"mean": np.float64(0.5)}}, file)

    monkeypatch.setattr("utils.checkpoints.torch.save", save_with_a_numpy_value)
    with pytest.raises(CheckpointError, match=r"Did not save .*model\.pt: it would not load back"):
        save_checkpoint(saved, model, ARCHITECTURE)
    assert_untouched(saved, old_file)


def test_a_successful_save_replaces_the_file_and_leaves_nothing_else(
    saved: Path, old_file: bytes
) -> None:
    torch.manual_seed(1)
    save_checkpoint(saved, DigitCNN(**ARCHITECTURE), ARCHITECTURE)
    assert saved.read_bytes() != old_file
    assert [path.name for path in saved.parent.iterdir()] == [saved.name]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_save_keeps_the_permissions_of_the_file_it_replaces(saved: Path, model: DigitCNN) -> None:
    saved.chmod(0o600)
    save_checkpoint(saved, model, ARCHITECTURE)
    assert saved.stat().st_mode & 0o777 == 0o600


# --- Bad arguments to save_checkpoint --------------------------------------------------------


def test_save_refuses_architecture_that_does_not_rebuild_the_model(
    tmp_path: Path, model: DigitCNN
) -> None:
    with pytest.raises(ValueError, match=r"features\.0\.0\.weight: \(16, 1, 3, 3\)"):
        save_checkpoint(tmp_path / "model.pt", model, {"channels": (16, 32)})
    assert not (tmp_path / "model.pt").exists()


def test_save_names_an_unknown_argument(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(ValueError, match="chanels"):
        save_checkpoint(tmp_path / "model.pt", model, {"chanels": (4, 8)})


def test_save_refuses_something_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"model should be a torch\.nn.Module, got OrderedDict"):
        save_checkpoint(tmp_path / "model.pt", DigitCNN().state_dict(), {})  # type: ignore[arg-type]


def test_save_refuses_a_path_that_is_not_a_path(model: DigitCNN) -> None:
    with pytest.raises(TypeError, match=r"path should be a str or a pathlib\.Path, got int"):
        save_checkpoint(3, model, ARCHITECTURE)  # type: ignore[arg-type]


def test_save_refuses_architecture_that_is_not_a_dictionary(
    tmp_path: Path, model: DigitCNN
) -> None:
    with pytest.raises(TypeError, match=r"architecture should be a dictionary .* got list"):
        save_checkpoint(tmp_path / "m.pt", model, [4, 8])  # type: ignore[arg-type]


def test_save_refuses_a_numpy_array_with_a_hint(tmp_path: Path, model: DigitCNN) -> None:
    architecture = {"channels": np.array([4, 8]), "dropout": 0.1}
    with pytest.raises(
        TypeError, match=r"architecture\['channels'\] has type ndarray .*\.tolist\(\)"
    ):
        save_checkpoint(tmp_path / "m.pt", model, architecture)


def test_save_refuses_torch_version_object_by_name(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(TypeError, match=r"input_description\['torch'\] has type TorchVersion"):
        save_checkpoint(
            tmp_path / "m.pt", model, ARCHITECTURE, input_description={"torch": torch.__version__}
        )


def test_save_refuses_a_string_as_class_names(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(TypeError, match="class_names should be a list of str, got '0123456789'"):
        save_checkpoint(tmp_path / "m.pt", model, ARCHITECTURE, class_names="0123456789")


def test_save_refuses_class_names_that_are_not_strings(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(TypeError, match=r"class_names should be a list of str, got \[0, 1\]"):
        save_checkpoint(tmp_path / "m.pt", model, ARCHITECTURE, class_names=[0, 1])  # type: ignore[list-item]


def test_save_refuses_a_dictionary_key_that_is_not_str_or_int(
    tmp_path: Path, model: DigitCNN
) -> None:
    with pytest.raises(TypeError, match=r"key 1\.5 of input_description\['bins'\]"):
        save_checkpoint(
            tmp_path / "m.pt", model, ARCHITECTURE, input_description={"bins": {1.5: 2}}
        )


def test_save_refuses_a_list_that_contains_itself(tmp_path: Path, model: DigitCNN) -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match=r"input_description\['loop'\]\[0\] contains itself"):
        save_checkpoint(tmp_path / "m.pt", model, ARCHITECTURE, input_description={"loop": loop})


def test_save_names_a_missing_folder(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(FileNotFoundError, match=r"the folder .*nowhere does not exist"):
        save_checkpoint(tmp_path / "nowhere" / "m.pt", model, ARCHITECTURE)


def test_save_refuses_a_folder_as_the_file(tmp_path: Path, model: DigitCNN) -> None:
    with pytest.raises(IsADirectoryError, match="it is a folder; give a file name"):
        save_checkpoint(tmp_path, model, ARCHITECTURE)


# --- One clear error for every way a load can fail -----------------------------------------


def test_every_load_failure_is_a_checkpoint_error_and_a_value_error() -> None:
    assert issubclass(CheckpointError, ValueError)
    assert issubclass(CheckpointNotFoundError, CheckpointError)
    assert issubclass(CheckpointNotFoundError, FileNotFoundError)


def test_load_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(CheckpointNotFoundError, match=r"No checkpoint at .*nothing\.pt"):
        load_checkpoint(tmp_path / "nothing.pt", DigitCNN)


def test_load_of_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(CheckpointNotFoundError, match="is a folder"):
        load_checkpoint(tmp_path, DigitCNN)


def test_load_of_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"empty\.pt is empty \(0 bytes\)"):
        load_checkpoint(tmp_path / "empty.pt", DigitCNN)


@pytest.mark.parametrize("fraction", [0.5, 0.99])
def test_load_of_a_truncated_file_says_it_is_truncated(saved: Path, fraction: float) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CheckpointError, match=r"model\.pt is truncated or damaged \([\d,]+ bytes"):
        load_checkpoint(saved, DigitCNN)


def test_load_of_a_text_file_says_it_is_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.pt"
    path.write_text("epoch 1: loss 0.3\n")
    with pytest.raises(CheckpointError, match=r"notes\.pt is a text file \(it starts 'epoch 1"):
        load_checkpoint(path, DigitCNN)


def test_load_of_an_image_says_it_is_an_image(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from PIL import Image

    path = tmp_path / "digit.pt"
    Image.new("L", (28, 28)).save(path, format="PNG")
    with pytest.raises(CheckpointError, match=r"digit\.pt is a PNG image, not a checkpoint"):
        load_checkpoint(path, DigitCNN)


def test_load_of_random_bytes_says_torch_save_did_not_write_them(tmp_path: Path) -> None:
    path = tmp_path / "noise.pt"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(CheckpointError, match=r"noise\.pt is not a file torch\.save wrote"):
        load_checkpoint(path, DigitCNN)


def test_load_of_another_zip_archive_says_so(tmp_path: Path) -> None:
    path = tmp_path / "archive.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(CheckpointError, match=r"a ZIP archive that torch\.save did not write"):
        load_checkpoint(path, DigitCNN)


def test_load_of_a_flipped_byte_in_the_weights_names_the_file_as_damaged(
    saved: Path, model: DigitCNN
) -> None:
    data = bytearray(saved.read_bytes())
    weights = model.state_dict()["features.0.0.weight"].numpy().tobytes()
    start = data.find(weights)
    assert start > 0, "the weights are stored as raw bytes in the file"
    data[start + 5] ^= 0x01
    saved.write_bytes(bytes(data))
    assert not torch.equal(  # torch.load alone would not notice
        torch.load(saved, weights_only=True)["state_dict"]["features.0.0.weight"],
        model.state_dict()["features.0.0.weight"],
    )
    with pytest.raises(CheckpointError, match=r"model\.pt is damaged: its weights do not match"):
        load_checkpoint(saved, DigitCNN)


def test_load_of_another_format_version_names_both(saved: Path) -> None:
    path = edited(saved, "old.pt", format_version=1)
    with pytest.raises(CheckpointError, match=r"old\.pt is in checkpoint format 1; .* format 2"):
        load_checkpoint(path, DigitCNN)


@pytest.mark.parametrize(
    ("removed", "kept"),
    [("weights_sha256", "format_version"), ("format_version", "weights_sha256")],
)
def test_load_of_a_checkpoint_missing_half_of_its_check_says_damaged(
    saved: Path, removed: str, kept: str
) -> None:
    path = edited(saved, "half.pt", **{removed: None})
    with pytest.raises(CheckpointError, match=f"is damaged: it has a {kept} but no {removed}"):
        load_checkpoint(path, DigitCNN)


def test_load_of_a_pickled_whole_model_names_the_class_and_refuses(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "whole.pt"
    torch.save(model, path)
    with pytest.raises(CheckpointError, match=r"pickled utils\.models\.DigitCNN.*state_dict"):
        load_checkpoint(path, DigitCNN)


def test_load_of_a_numpy_value_names_numpy_not_a_whole_model(tmp_path: Path) -> None:
    path = tmp_path / "numpy.pt"
    torch.save({"state_dict": {}, "architecture": {"dropout": np.float64(0.1)}}, path)
    with pytest.raises(CheckpointError, match=r"pickled numpy.*Convert NumPy values") as error:
        load_checkpoint(path, DigitCNN)
    assert "whole model" not in str(error.value)


def test_load_of_a_bare_state_dict_explains_what_is_missing(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "weights.pt"
    torch.save(model.state_dict(), path)
    with pytest.raises(CheckpointError, match="bare state_dict"):
        load_checkpoint(path, DigitCNN)


def test_load_of_something_other_than_a_dictionary_says_what_it_holds(tmp_path: Path) -> None:
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(CheckpointError, match=r"list\.pt holds a list, not a checkpoint"):
        load_checkpoint(tmp_path / "list.pt", DigitCNN)


def test_load_of_weights_that_are_not_tensors_says_so(saved: Path) -> None:
    path = edited(saved, "odd.pt", state_dict={"w": [1.0]})
    with pytest.raises(CheckpointError, match=r"odd\.pt: its state_dict .* 'w' maps to list"):
        load_checkpoint(path, DigitCNN)


def test_load_of_another_architecture_lists_the_mismatching_shapes(saved: Path) -> None:
    path = edited(saved, "lying.pt", architecture={"channels": (16, 32)})
    with pytest.raises(
        CheckpointError, match=r"\(16, 1, 3, 3\) in the model, \(4, 1, 3, 3\)"
    ) as error:
        load_checkpoint(path, DigitCNN)
    assert "and 15 more" in str(error.value)


def test_load_of_an_architecture_the_class_refuses_names_the_file(saved: Path) -> None:
    path = edited(saved, "bad.pt", architecture={"channels": (4, 8), "colour": True})
    with pytest.raises(CheckpointError, match=r"bad\.pt: DigitCNN\(\*\*.*colour"):
        load_checkpoint(path, DigitCNN)


def test_load_of_another_class_names_both(saved: Path) -> None:
    with pytest.raises(CheckpointError, match="holds a DigitCNN, not a FCNet"):
        load_checkpoint(saved, FCNet)


def test_load_of_a_checkpoint_made_by_hand_works_without_a_hash(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "by_hand.pt"
    torch.save({"state_dict": model.state_dict(), "architecture": ARCHITECTURE}, path)
    loaded, information = load_checkpoint(path, DigitCNN)
    assert weights_sha256(loaded.state_dict()) == weights_sha256(model.state_dict())
    assert "weights_sha256" not in information


def test_load_refuses_a_model_instance_instead_of_the_class(saved: Path) -> None:
    with pytest.raises(TypeError, match="got an instance of DigitCNN; pass the class itself"):
        load_checkpoint(saved, DigitCNN())  # type: ignore[arg-type]


def test_load_refuses_a_class_that_is_not_a_module(saved: Path) -> None:
    with pytest.raises(TypeError, match=r"model_class should be a torch\.nn.Module class.*dict"):
        load_checkpoint(saved, dict)  # type: ignore[arg-type]


def test_load_refuses_a_path_that_is_not_a_path() -> None:
    with pytest.raises(TypeError, match=r"path should be a str or a pathlib\.Path, got NoneType"):
        load_checkpoint(None, DigitCNN)  # type: ignore[arg-type]


# --- Helpers ---------------------------------------------------------------------------------


def test_mismatches_list_missing_unexpected_and_reshaped_weights() -> None:
    expected = {"a": torch.zeros(2), "b": torch.zeros(3)}
    found = {"b": torch.zeros(4), "c": torch.zeros(1)}
    assert state_dict_mismatches(expected, found) == [
        "missing: a (2,)",
        "unexpected: c (1,)",
        "shape of b: (3,) in the model, (4,) in the checkpoint",
    ]


def test_mismatches_are_empty_when_everything_fits() -> None:
    weights = DigitCNN().state_dict()
    assert state_dict_mismatches(weights, weights) == []


def test_mismatches_refuse_a_model_instead_of_its_weights() -> None:
    with pytest.raises(TypeError, match="found should be a dictionary of weights, got Linear"):
        state_dict_mismatches({}, nn.Linear(1, 1))  # type: ignore[arg-type]


def test_hash_refuses_weights_that_are_not_tensors() -> None:
    with pytest.raises(TypeError, match="'w' maps to float"):
        weights_sha256({"w": 1.0})  # type: ignore[dict-item]


def test_unsupported_global_reads_the_refused_name_or_gives_none() -> None:
    assert unsupported_global(RuntimeError("Unsupported global: GLOBAL a.b.C was")) == "a.b.C"
    assert unsupported_global(RuntimeError("something else")) is None


def test_unsupported_global_refuses_a_message_string() -> None:
    with pytest.raises(TypeError, match="error should be an exception, got str"):
        unsupported_global("Unsupported global: GLOBAL a.b")  # type: ignore[arg-type]


def test_load_of_a_torch_version_object_says_to_store_a_string(tmp_path: Path) -> None:
    path = tmp_path / "version.pt"
    torch.save({"state_dict": {}, "architecture": {}, "versions": torch.__version__}, path)
    with pytest.raises(
        CheckpointError, match=r"TorchVersion\), .* Store str\(torch\.__version__\)"
    ):
        load_checkpoint(path, DigitCNN)


def test_load_of_a_method_instead_of_weights_says_to_call_it(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "method.pt"
    torch.save({"state_dict": model.state_dict, "architecture": ARCHITECTURE}, path)
    with pytest.raises(CheckpointError, match=r"model\.state_dict\(\), with brackets"):
        load_checkpoint(path, DigitCNN)


def test_load_error_keeps_torch_s_refusal_as_its_cause(tmp_path: Path, model: DigitCNN) -> None:
    path = tmp_path / "whole.pt"
    torch.save(model, path)
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(path, DigitCNN)
    assert unsupported_global(error.value.__cause__) == "utils.models.DigitCNN"


def test_load_of_an_unreadable_file_says_permission_denied(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*arguments: object, **keywords: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("utils.checkpoints.torch.load", refuse)
    with pytest.raises(CheckpointError, match=r"model\.pt cannot be read: permission denied"):
        load_checkpoint(saved, DigitCNN)
