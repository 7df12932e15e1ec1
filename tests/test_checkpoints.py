"""Tests for utils.checkpoints: a round trip, and a clear error for each broken checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from utils.checkpoints import (
    library_versions,
    load_checkpoint,
    save_checkpoint,
    state_dict_mismatches,
)
from utils.models import DigitCNN

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
    assert "state_dict" not in information


def test_checkpoint_holds_only_plain_data(saved: Path) -> None:
    checkpoint = torch.load(saved, weights_only=True)  # would raise on any pickled object
    assert isinstance(checkpoint["versions"]["torch"], str)
    assert type(checkpoint["versions"]["torch"]) is str  # not torch's TorchVersion


def test_checkpoint_weights_are_on_the_cpu(saved: Path) -> None:
    checkpoint = torch.load(saved, weights_only=True)
    assert all(value.device.type == "cpu" for value in checkpoint["state_dict"].values())


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
    with pytest.raises(TypeError, match="OrderedDict"):
        save_checkpoint(tmp_path / "model.pt", DigitCNN().state_dict(), {})  # type: ignore[arg-type]


def test_load_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.pt"):
        load_checkpoint(tmp_path / "nothing.pt", DigitCNN)


def test_load_of_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is a folder"):
        load_checkpoint(tmp_path, DigitCNN)


def test_load_of_a_pickled_whole_model_names_the_class_and_refuses(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "whole.pt"
    torch.save(model, path)
    with pytest.raises(ValueError, match=r"pickled utils\.models\.DigitCNN.*state_dict"):
        load_checkpoint(path, DigitCNN)


def test_load_of_a_bare_state_dict_explains_what_is_missing(
    tmp_path: Path, model: DigitCNN
) -> None:
    path = tmp_path / "weights.pt"
    torch.save(model.state_dict(), path)
    with pytest.raises(ValueError, match="bare state_dict"):
        load_checkpoint(path, DigitCNN)


def test_load_of_another_architecture_lists_the_mismatching_shapes(
    tmp_path: Path, saved: Path
) -> None:
    checkpoint = torch.load(saved, weights_only=True)
    checkpoint["architecture"] = {"channels": (16, 32)}
    path = tmp_path / "lying.pt"
    torch.save(checkpoint, path)
    with pytest.raises(ValueError, match=r"\(16, 1, 3, 3\) in the model, \(4, 1, 3, 3\)") as error:
        load_checkpoint(path, DigitCNN)
    assert "and 15 more" in str(error.value)


def test_load_of_another_class_names_both(saved: Path) -> None:
    class EllipseCNN(nn.Module):
        pass

    with pytest.raises(ValueError, match="holds a DigitCNN, not a EllipseCNN"):
        load_checkpoint(saved, EllipseCNN)


def test_load_of_a_file_that_is_not_a_checkpoint_says_so(tmp_path: Path) -> None:
    path = tmp_path / "notes.pt"
    path.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="not a PyTorch checkpoint"):
        load_checkpoint(path, DigitCNN)


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
