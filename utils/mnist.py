"""Load MNIST, the handwritten digits, online (all 70,000) or offline (a bundled sample).

One call gives a training set and a held-out set that behave like
``torchvision.datasets.MNIST`` whichever source serves them; notebook 03 validates on
the held-out set::

    from utils.mnist import load_mnist

    train_set, validation_set = load_mnist()
    image, label = train_set[0]  # a 28 x 28 greyscale PIL image and an int

Sources, and what the held-out digits are:

- ``"full"``: the full MNIST, read from ``data/MNIST`` or downloaded there by
  torchvision: MNIST's 60,000 training digits, and its 10,000 *test* digits held out.
- ``"sample"``: 10,000 real MNIST *training* digits shipped with the course in
  ``data/mnist_sample.npz``, split into 8,000 for training and 2,000 for validation.
  None of MNIST's test digits is in the sample, so an accuracy on those 2,000 is not
  comparable with published MNIST test-set results.
- ``"auto"``: the full set when it is on disk or can be downloaded, otherwise
  the sample.

The default is the sample: it keeps notebook 03 within its stated time on a laptop
CPU, online or offline, in a workshop room as at home. The full set is one argument
away, ``load_mnist(source="full")``, with 7.5 times as many training digits per epoch.
"""

from __future__ import annotations

import hashlib
import math
import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset
from torchvision.datasets import MNIST

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_FILE = DATA_DIR / "mnist_sample.npz"
SAMPLE_SHA256 = "adde2d86a6ac7be9fd79ccdd635ca20d0bab6a482b9c71b1bfe429baf4e59323"
REBUILD_COMMAND = "python data/build_mnist_sample.py"
SOURCES = ("auto", "full", "sample")
SAMPLE_VALIDATION_FRACTION = 0.2
SAMPLE_SPLIT_SEED = 0
CONNECT_TIMEOUT_S = 3.0


def _check_transform(name: str, transform: object) -> None:
    """Raise a clear error unless ``transform`` is None or a function of one item."""
    if isinstance(transform, type):
        raise TypeError(
            f"{name} should be a function or a transform object, got the class "
            f"{transform.__name__}; create one with {transform.__name__}()."
        )
    if transform is not None and not callable(transform):
        raise TypeError(
            f"{name} should be a function (or None), got {type(transform).__name__} "
            f"({transform!r})."
        )


def _check_index(index: object, length: int) -> int:
    """Return ``index`` as an int if it is one within ``length`` items; raise naming it."""
    if isinstance(index, bool) or not isinstance(index, int | np.integer):
        raise TypeError(f"index should be an int, got {type(index).__name__} ({index!r}).")
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for {length} images (0 to {length - 1}).")
    return int(index)


class MNISTSample(Dataset):
    """Part of the bundled MNIST sample, with the interface of ``torchvision.datasets.MNIST``.

    Parameters
    ----------
    data
        The images, a uint8 tensor of shape (N, 28, 28) (0 is black, 255 white).
    targets
        The digit shown in each image, an int64 tensor of shape (N,).
    transform
        Applied to each PIL image, e.g. ``torchvision.transforms.ToTensor()``.
    target_transform
        Applied to each label (an int).

    Raises
    ------
    TypeError
        If ``data`` is not a uint8 tensor, ``targets`` not an integer tensor, or a
        transform is not a function.
    ValueError
        If ``data`` is not of shape (N, height, width), or ``targets`` not of shape (N,).
    """

    classes = MNIST.classes

    def __init__(
        self,
        data: torch.Tensor,
        targets: torch.Tensor,
        transform: Callable[[Image.Image], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
    ) -> None:
        if not isinstance(data, torch.Tensor) or data.dtype != torch.uint8:
            shown = data.dtype if isinstance(data, torch.Tensor) else type(data).__name__
            raise TypeError(f"data should be a uint8 tensor of images (0 to 255), got {shown}.")
        if data.dim() != 3:
            raise ValueError(f"data should have shape (N, height, width), got {tuple(data.shape)}.")
        if (
            not isinstance(targets, torch.Tensor)
            or targets.is_floating_point()
            or targets.is_complex()
        ):
            shown = targets.dtype if isinstance(targets, torch.Tensor) else type(targets).__name__
            raise TypeError(f"targets should be an integer tensor of digits, got {shown}.")
        if tuple(targets.shape) != (len(data),):
            raise ValueError(
                f"targets should have shape ({len(data)},), one digit per image, got "
                f"{tuple(targets.shape)}."
            )
        _check_transform("transform", transform)
        _check_transform("target_transform", target_transform)
        self.data = data
        self.targets = targets
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        index = _check_index(index, len(self))
        # A PIL image, like torchvision, so that the same transforms work on both sources.
        image: Any = Image.fromarray(self.data[index].numpy())
        target: Any = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        return f"MNISTSample({len(self)} images from {SAMPLE_FILE.name})"


def read_sample(path: str | Path = SAMPLE_FILE) -> tuple[np.ndarray, np.ndarray]:
    """Read the bundled sample after checking its SHA-256.

    Parameters
    ----------
    path
        The ``.npz`` file written by ``data/build_mnist_sample.py``.

    Returns
    -------
    tuple of numpy.ndarray
        The images, uint8 of shape (10000, 28, 28), and the labels, uint8 of shape (10000,).

    Raises
    ------
    TypeError
        If ``path`` is not a str or a path.
    FileNotFoundError
        If the file is missing.
    ValueError
        If the file's content is not the sample (damaged, or changed).
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path should be a str or a pathlib.Path, got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not the file" if path.is_dir() else "is missing"
        raise FileNotFoundError(
            f"The MNIST sample {path} {what}. Rebuild it with: {REBUILD_COMMAND}"
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SAMPLE_SHA256:
        raise ValueError(
            f"The MNIST sample {path} is damaged: its SHA-256 is {digest}, expected "
            f"{SAMPLE_SHA256}. Rebuild it with: {REBUILD_COMMAND}"
        )
    with np.load(path) as arrays:
        return arrays["images"], arrays["labels"]


def split_sample(
    labels: np.ndarray,
    validation_fraction: float = SAMPLE_VALIDATION_FRACTION,
    seed: int = SAMPLE_SPLIT_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Split the sample into training and validation indices, the same way every time.

    Each digit contributes the same fraction to the validation set (a stratified
    split), and both index arrays come in a seeded random order, so that digits
    are mixed as in the full MNIST. All of them are MNIST training digits.

    Parameters
    ----------
    labels
        The digit of each image, a 1-D integer array.
    validation_fraction
        The fraction of each digit that goes to the validation set, strictly between 0
        and 1.
    seed
        Seeds the draw; a non-negative int.

    Returns
    -------
    tuple of numpy.ndarray
        The training indices and the validation indices; no index is in both.

    Raises
    ------
    TypeError
        If ``labels`` is not an integer array, ``validation_fraction`` not a number
        or ``seed`` not an int.
    ValueError
        If ``labels`` is not 1-D, ``validation_fraction`` is not strictly between 0 and 1,
        or ``seed`` is negative.
    """
    labels = labels.numpy() if isinstance(labels, torch.Tensor) else labels
    if not isinstance(labels, np.ndarray) or not np.issubdtype(labels.dtype, np.integer):
        shown = labels.dtype if isinstance(labels, np.ndarray) else type(labels).__name__
        raise TypeError(f"labels should be a NumPy array of integer digits, got {shown}.")
    if labels.ndim != 1:
        raise ValueError(f"labels should be 1-D, one digit per image, got shape {labels.shape}.")
    if isinstance(validation_fraction, bool) or not isinstance(validation_fraction, int | float):
        raise TypeError(
            f"validation_fraction should be a number, got {type(validation_fraction).__name__}."
        )
    if not (math.isfinite(validation_fraction) and 0 < validation_fraction < 1):
        raise ValueError(
            f"validation_fraction should be between 0 and 1, got {validation_fraction!r}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed should be an int, got {type(seed).__name__} ({seed!r}).")
    if seed < 0:
        raise ValueError(f"seed should be a non-negative int, got {seed}.")
    generator = np.random.default_rng(seed)
    train_indices, validation_indices = [], []
    for digit in range(10):
        indices = generator.permutation(np.flatnonzero(labels == digit))
        num_validation = round(validation_fraction * len(indices))
        validation_indices.append(indices[:num_validation])
        train_indices.append(indices[num_validation:])
    train = generator.permutation(np.concatenate(train_indices))
    validation = generator.permutation(np.concatenate(validation_indices))
    return train, validation


def _can_reach_any(urls: list[str], timeout: float = CONNECT_TIMEOUT_S) -> bool:
    """Return whether any server in ``urls`` answers within ``timeout`` seconds; never hangs."""
    answers: queue.Queue[bool] = queue.Queue()

    def connect(url: str) -> None:
        parsed = urlparse(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            with socket.create_connection((parsed.hostname, port), timeout=timeout):
                answers.put(True)
        except OSError:
            answers.put(False)

    # Threads, because looking up a host name ignores the socket's timeout.
    for url in urls:
        threading.Thread(target=connect, args=(url,), daemon=True).start()
    deadline = time.monotonic() + timeout
    for _ in urls:
        try:
            if answers.get(timeout=max(0.0, deadline - time.monotonic())):
                return True
        except queue.Empty:
            return False
    return False


def _full_mnist_on_disk(root: Path) -> bool:
    raw_folder = root / "MNIST" / "raw"
    return all((raw_folder / Path(name).stem).is_file() for name, _ in MNIST.resources)


def _load_full(
    root: Path, transform: Callable | None, target_transform: Callable | None
) -> tuple[MNIST, MNIST]:
    if not _full_mnist_on_disk(root):
        if not _can_reach_any(MNIST.mirrors):
            raise RuntimeError(
                f"The full MNIST is not in {root / 'MNIST'} and cannot be downloaded: no "
                f"answer from {', '.join(MNIST.mirrors)} within {CONNECT_TIMEOUT_S:g} s. "
                "Connect to the internet and run again, or use source='sample'."
            )
        # A stalled download should fail, not hang: time out every socket for a while.
        previous_timeout = socket.getdefaulttimeout()
        socket.setdefaulttimeout(60)
        try:
            MNIST(root, train=True, download=True)
        finally:
            socket.setdefaulttimeout(previous_timeout)
    train = MNIST(root, train=True, transform=transform, target_transform=target_transform)
    test = MNIST(root, train=False, transform=transform, target_transform=target_transform)
    return train, test


def _load_sample(
    path: Path, transform: Callable | None, target_transform: Callable | None
) -> tuple[MNISTSample, MNISTSample]:
    images, labels = read_sample(path)
    data, targets = torch.from_numpy(images), torch.from_numpy(labels).long()
    train_indices, validation_indices = split_sample(labels)
    train, validation = (
        MNISTSample(data[indices], targets[indices], transform, target_transform)
        for indices in (torch.from_numpy(train_indices), torch.from_numpy(validation_indices))
    )
    return train, validation


def load_mnist(
    source: str = "sample",
    transform: Callable[[Image.Image], Any] | None = None,
    target_transform: Callable[[int], Any] | None = None,
    root: str | Path = DATA_DIR,
    verbose: bool = True,
) -> tuple[Dataset, Dataset]:
    """Return a training set and a held-out set of MNIST digits, full or the bundled sample.

    Both sources give datasets that behave like ``torchvision.datasets.MNIST``:
    ``dataset[i]`` is ``(image, label)``, a 28 x 28 greyscale PIL image (or
    whatever ``transform`` makes of it) and an int; ``dataset.data`` holds all
    images as a uint8 tensor of shape (N, 28, 28) and ``dataset.targets`` all
    labels as an int64 tensor of shape (N,).

    Parameters
    ----------
    source
        ``"full"`` (70,000 digits, downloaded into ``root`` if needed),
        ``"sample"`` (10,000 MNIST training digits bundled with the course, split
        8,000/2,000),
        or ``"auto"``: full if on disk or downloadable, else the sample.
    transform
        Applied to each image, e.g. ``torchvision.transforms.ToTensor()``.
    target_transform
        Applied to each label.
    root
        The folder that holds (or receives) the full MNIST, in ``root/MNIST``.
    verbose
        If true, print one line saying which source is used and how to get the other.

    Returns
    -------
    tuple of torch.utils.data.Dataset
        The training set and the held-out set, which notebook 03 uses as its validation
        set. With ``"full"`` the held-out set is MNIST's 10,000 test digits; with
        ``"sample"`` it is 2,000 MNIST *training* digits kept out of training (so an
        accuracy on it is not comparable with published MNIST test-set results).

    Raises
    ------
    TypeError
        If a transform is not a function (or is a class, not an instance), ``root``
        is not a str or a path, or ``verbose`` is not a bool.
    ValueError
        If ``source`` is not one of ``"auto"``, ``"full"``, ``"sample"``,
        or the sample file is damaged.
    RuntimeError
        If ``source="full"`` but the full MNIST is neither on disk nor downloadable.
    FileNotFoundError
        If the sample is needed but its file is missing.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}; got {source!r}.")
    _check_transform("transform", transform)
    _check_transform("target_transform", target_transform)
    if not isinstance(root, str | os.PathLike):
        raise TypeError(f"root should be a str or a pathlib.Path, got {type(root).__name__}.")
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose should be True or False, got {verbose!r}.")
    root = Path(root)
    reason = f"source={source!r}"
    if source == "auto":
        online = _full_mnist_on_disk(root) or _can_reach_any(MNIST.mirrors)
        source = "full" if online else "sample"
        reason = "auto" if online else "auto: the full MNIST is neither on disk nor reachable"
    if source == "full":
        try:
            train, held_out = _load_full(root, transform, target_transform)
        except (RuntimeError, OSError) as error:
            if reason != "auto":
                raise
            source, reason = (
                "sample",
                f"auto: getting the full MNIST failed ({type(error).__name__})",
            )
        else:
            digits = (
                f"MNIST's {len(train):,} training digits, and its {len(held_out):,} test "
                "digits held out"
            )
            other = "source='sample' gives the 10,000-digit sample bundled with the course"
    if source == "sample":
        train, held_out = _load_sample(SAMPLE_FILE, transform, target_transform)
        digits = (
            f"{len(train) + len(held_out):,} of MNIST's training digits, {len(train):,} to "
            f"train on and {len(held_out):,} held out for validation (none of MNIST's test "
            "digits)"
        )
        other = "online, source='full' gives all 70,000 digits"
    if verbose:
        print(f"MNIST source: {source} ({reason}): {digits}; {other}.")
    return train, held_out
