"""Tests for utils.mnist: both sources, the fallback, the override, the split and the checksum."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.datasets import MNIST
from torchvision.transforms import ToTensor

import utils.mnist as mnist_module
from utils.mnist import (
    CONNECT_TIMEOUT_S,
    SAMPLE_FILE,
    MNISTSample,
    load_mnist,
    read_sample,
    split_sample,
)

# The number of each digit among the first 10,000 images of MNIST's training set.
FIRST_10000_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
UNREACHABLE_MIRRORS = ["http://192.0.2.1/mnist/", "https://192.0.2.2/mnist/"]  # TEST-NET-1


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array in MNIST's IDX format (magic 0x0000 08 ndim, big-endian sizes)."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the MNIST mirrors unreachable, even on a computer with internet access."""
    monkeypatch.setattr(MNIST, "mirrors", UNREACHABLE_MIRRORS)


@pytest.fixture(scope="module")
def idx_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding MNIST IDX files made from the sample's train and test split."""
    root = tmp_path_factory.mktemp("idx")
    raw_folder = root / "MNIST" / "raw"
    raw_folder.mkdir(parents=True)
    images, labels = read_sample()
    train_indices, test_indices = split_sample(labels)
    for prefix, indices in (("train", train_indices), ("t10k", test_indices)):
        write_idx(raw_folder / f"{prefix}-images-idx3-ubyte", images[indices])
        write_idx(raw_folder / f"{prefix}-labels-idx1-ubyte", labels[indices])
    return root


def test_sample_holds_the_first_10000_training_digits() -> None:
    images, labels = read_sample()
    assert images.shape == (10_000, 28, 28)
    assert images.dtype == labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == FIRST_10000_COUNTS
    assert images.min() == 0
    assert images.max() == 255


def test_sample_split_is_deterministic_disjoint_and_complete() -> None:
    _, labels = read_sample()
    train, test = split_sample(labels)
    train_again, test_again = split_sample(labels)
    np.testing.assert_array_equal(train, train_again)
    np.testing.assert_array_equal(test, test_again)
    assert len(train) == 8_000
    assert len(test) == 2_000
    assert np.intersect1d(train, test).size == 0
    assert np.union1d(train, test).tolist() == list(range(10_000))


def test_sample_split_is_stratified_and_mixed() -> None:
    _, labels = read_sample()
    train, test = split_sample(labels)
    test_share = np.bincount(labels[test], minlength=10) / np.bincount(labels, minlength=10)
    np.testing.assert_allclose(test_share, 0.2, atol=0.003)
    # Mixed like MNIST itself: the first 100 training images show every digit.
    assert set(labels[train[:100]].tolist()) == set(range(10))


def test_sample_items_look_like_torchvision_items() -> None:
    train_set, test_set = load_mnist("sample", verbose=False)
    assert isinstance(train_set, MNISTSample)
    assert (len(train_set), len(test_set)) == (8_000, 2_000)
    image, label = train_set[0]
    assert isinstance(image, Image.Image)
    assert (image.mode, image.size) == ("L", (28, 28))
    assert isinstance(label, int)
    assert train_set.data.dtype == torch.uint8
    assert tuple(train_set.data.shape) == (8_000, 28, 28)
    assert train_set.targets.dtype == torch.int64
    assert train_set.classes == MNIST.classes


def test_both_sources_give_the_same_item_types_and_shapes(idx_root: Path) -> None:
    sample_sets = load_mnist("sample", transform=ToTensor(), root=idx_root, verbose=False)
    full_sets = load_mnist("full", transform=ToTensor(), root=idx_root, verbose=False)
    for sample_set, full_set in zip(sample_sets, full_sets, strict=True):
        (sample_image, sample_label), (full_image, full_label) = sample_set[0], full_set[0]
        assert type(sample_image) is type(full_image) is torch.Tensor
        assert sample_image.shape == full_image.shape == (1, 28, 28)
        assert sample_image.dtype == full_image.dtype == torch.float32
        assert type(sample_label) is type(full_label) is int
        assert sample_set.data.dtype == full_set.data.dtype
        assert sample_set.targets.dtype == full_set.targets.dtype


def test_full_source_reads_idx_files_through_torchvision(idx_root: Path, offline: None) -> None:
    train_set, test_set = load_mnist("full", root=idx_root, verbose=False)
    sample_train, sample_test = load_mnist("sample", verbose=False)
    assert isinstance(train_set, MNIST)
    assert isinstance(test_set, MNIST)
    assert torch.equal(train_set.data, sample_train.data)
    assert torch.equal(test_set.targets, sample_test.targets)
    image, label = test_set[5]
    assert np.array_equal(np.asarray(image), sample_test.data[5].numpy())
    assert label == int(sample_test.targets[5])


def test_auto_uses_full_mnist_when_it_is_on_disk(
    idx_root: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    train_set, _ = load_mnist("auto", root=idx_root)
    assert isinstance(train_set, MNIST)
    notice = capsys.readouterr().out
    assert "MNIST source: full" in notice
    assert "its 2,000 test digits held out" in notice, (
        "the full source holds out MNIST's test digits"
    )


def test_the_sample_s_notice_says_its_held_out_digits_are_mnist_training_digits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Notebook 03 validates on them: calling them "test" digits would invite a comparison
    # with published MNIST test-set results, which they are not.
    load_mnist("sample")
    notice = capsys.readouterr().out
    assert "10,000 of MNIST's training digits" in notice
    assert "2,000 held out for validation (none of MNIST's test digits)" in notice


def test_auto_falls_back_to_the_sample_offline(
    tmp_path: Path, offline: None, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.monotonic()
    train_set, test_set = load_mnist("auto", root=tmp_path)
    assert time.monotonic() - start < CONNECT_TIMEOUT_S + 2
    assert isinstance(train_set, MNISTSample)
    assert isinstance(test_set, MNISTSample)
    notice = capsys.readouterr().out
    assert notice.count("\n") == 1, "the notice should be one line"
    assert "MNIST source: sample" in notice
    assert "source='full'" in notice, "the notice should say how to get the full MNIST"
    assert not any(tmp_path.iterdir()), "falling back must not write anything"


def test_auto_falls_back_to_the_sample_when_the_download_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing_download(self: MNIST) -> None:
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(mnist_module, "_can_reach_any", lambda urls: True)
    monkeypatch.setattr(MNIST, "download", failing_download)
    train_set, _ = load_mnist("auto", root=tmp_path)
    assert isinstance(train_set, MNISTSample)
    notice = capsys.readouterr().out
    assert notice.count("\n") == 1
    assert "getting the full MNIST failed" in notice
    with pytest.raises(RuntimeError, match="Error downloading"):
        load_mnist("full", root=tmp_path)


def test_full_offline_fails_fast_with_a_clear_message(tmp_path: Path, offline: None) -> None:
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"cannot be downloaded.*source='sample'"):
        load_mnist("full", root=tmp_path)
    assert time.monotonic() - start < CONNECT_TIMEOUT_S + 2


def test_full_offline_fails_fast_even_when_name_lookup_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hanging_connection(*args: object, **kwargs: object) -> socket.socket:
        time.sleep(30)
        raise OSError("never answered")

    monkeypatch.setattr(socket, "create_connection", hanging_connection)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="cannot be downloaded"):
        load_mnist("full", root=tmp_path)
    assert time.monotonic() - start < CONNECT_TIMEOUT_S + 2


def test_default_source_is_the_bundled_sample_even_online(
    idx_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # idx_root holds a "full" MNIST on disk; the default must still be the quick sample.
    train_set, test_set = load_mnist(root=idx_root)
    assert isinstance(train_set, MNISTSample)
    assert (len(train_set), len(test_set)) == (8000, 2000)
    assert "source='full' gives all 70,000 digits" in capsys.readouterr().out


def test_invalid_source_is_rejected_with_the_valid_choices() -> None:
    with pytest.raises(ValueError, match=r"'auto', 'full', 'sample'; got 'smaple'"):
        load_mnist("smaple")


def test_transform_and_target_transform_are_applied() -> None:
    train_set, _ = load_mnist(
        "sample", transform=ToTensor(), target_transform=lambda label: label + 100, verbose=False
    )
    image, label = train_set[3]
    assert torch.equal(image, train_set.data[3].float().div(255).unsqueeze(0))
    assert label == int(train_set.targets[3]) + 100


def test_damaged_sample_names_the_file_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = tmp_path / SAMPLE_FILE.name
    shutil.copy(SAMPLE_FILE, damaged)
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    monkeypatch.setattr(mnist_module, "SAMPLE_FILE", damaged)
    with pytest.raises(ValueError, match=r"(?s)mnist_sample\.npz is damaged.*build_mnist_sample"):
        load_mnist("sample")


def test_missing_sample_names_the_file_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist_module, "SAMPLE_FILE", tmp_path / "mnist_sample.npz")
    with pytest.raises(FileNotFoundError, match=r"mnist_sample\.npz is missing.*build_mnist"):
        load_mnist("sample")


def test_sample_reads_from_a_path_given_as_a_string() -> None:
    images, labels = read_sample(str(SAMPLE_FILE))
    assert images.shape == (10_000, 28, 28)
    assert labels.shape == (10_000,)


def test_read_sample_refuses_a_path_that_is_not_a_path() -> None:
    with pytest.raises(TypeError, match=r"path should be a str or a pathlib\.Path, got int"):
        read_sample(3)  # type: ignore[arg-type]


def test_read_sample_says_when_the_path_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is a folder, not the file"):
        read_sample(tmp_path)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"labels": [1, 2, 3]},
            TypeError,
            "labels should be a NumPy array of integer digits, got list",
        ),
        ({"labels": np.zeros(3)}, TypeError, "got float64"),
        ({"labels": np.zeros((2, 3), dtype=int)}, ValueError, r"labels should be 1-D.*\(2, 3\)"),
        (
            {"validation_fraction": 1.0},
            ValueError,
            r"validation_fraction should be between 0 and 1, got 1\.0",
        ),
        ({"validation_fraction": float("nan")}, ValueError, "got nan"),
        (
            {"validation_fraction": "0.2"},
            TypeError,
            "validation_fraction should be a number, got str",
        ),
        ({"seed": -1}, ValueError, "seed should be a non-negative int, got -1"),
        ({"seed": 0.5}, TypeError, r"seed should be an int, got float \(0\.5\)"),
    ],
)
def test_split_sample_names_a_bad_argument(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        split_sample(**{"labels": np.arange(10) % 10, **arguments})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"transform": ToTensor}, r"got the class ToTensor; create one with ToTensor\(\)"),
        ({"transform": "to_tensor"}, r"transform should be a function \(or None\), got str"),
        ({"target_transform": 5}, r"target_transform should be a function .* got int"),
        ({"root": 5}, r"root should be a str or a pathlib\.Path, got int"),
        ({"verbose": "no"}, "verbose should be True or False, got 'no'"),
    ],
)
def test_load_mnist_names_a_bad_argument(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        load_mnist("sample", **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "targets", "error", "message"),
    [
        (
            torch.zeros(2, 28, 28),
            torch.tensor([1, 2]),
            TypeError,
            "data should be a uint8 tensor .* got torch.float32",
        ),
        (np.zeros((2, 28, 28), dtype=np.uint8), torch.tensor([1, 2]), TypeError, "got ndarray"),
        (
            torch.zeros(2, 784, dtype=torch.uint8),
            torch.tensor([1, 2]),
            ValueError,
            r"\(N, height, width\), got \(2, 784\)",
        ),
        (
            torch.zeros(2, 28, 28, dtype=torch.uint8),
            torch.tensor([1.0, 2.0]),
            TypeError,
            "targets should be an integer tensor",
        ),
        (
            torch.zeros(2, 28, 28, dtype=torch.uint8),
            torch.tensor([1, 2, 3]),
            ValueError,
            r"targets should have shape \(2,\), one digit per image, got \(3,\)",
        ),
    ],
    ids=["float data", "numpy data", "flat images", "float targets", "too many targets"],
)
def test_mnist_sample_names_bad_data(
    data: object, targets: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        MNISTSample(data, targets)  # type: ignore[arg-type]


def test_mnist_sample_names_an_index_out_of_range() -> None:
    dataset = MNISTSample(torch.zeros(3, 28, 28, dtype=torch.uint8), torch.tensor([1, 2, 3]))
    with pytest.raises(IndexError, match=r"index 3 is out of range for 3 images \(0 to 2\)"):
        dataset[3]
    with pytest.raises(TypeError, match=r"index should be an int, got str \('0'\)"):
        dataset["0"]  # type: ignore[index]
    assert dataset[-1][1] == 3
