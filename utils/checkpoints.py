"""Save a trained model as a checkpoint that can be trusted, and load it back safely.

A checkpoint here is a dictionary of plain data: the weights (``state_dict``), the
arguments that rebuild the architecture, and what a user of the model needs to
know (the input it expects, the class names, the library versions). It holds no
pickled Python objects, so ``torch.load(path, weights_only=True)`` reads it
without running any code from the file::

    from utils.checkpoints import load_checkpoint, save_checkpoint
    from utils.models import DigitCNN

    save_checkpoint("digits.pt", model, architecture={"channels": (16, 32), "dropout": 0.2})
    model, information = load_checkpoint("digits.pt", DigitCNN)

The file stores data; your code supplies the class. That is what keeps the
checkpoint loadable after the class moves to another module, and safe to open.

Nothing is lost on the way: :func:`save_checkpoint` checks every value before it
writes, writes to a temporary file beside the target and moves it into place only
once it is complete and reads back, so an error, Ctrl-C or a full disk leaves the
old file as it was. The file stores a SHA-256 of the weights, and
:func:`load_checkpoint` names a file whose weights no longer match it as damaged.
Every way a load can fail raises :class:`CheckpointError`, naming the file.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import pickle
import platform
import re
import secrets
import stat
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

FORMAT_VERSION = 2  # 2: with "weights_sha256"; 1 (no hash) is no longer written or read
REQUIRED_KEYS = ("architecture", "state_dict")
# torch.load(weights_only=True) names the first object it refuses in a line like this.
UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL (?P<name>[\w.]+)")
# How many mismatching weights an error lists before it says "and N more".
MAX_LISTED = 6
PLAIN_TYPES = (type(None), bool, int, float, str, torch.dtype)
PLAIN_DESCRIPTION = (
    "a checkpoint holds only tensors and plain values: None, bool, int, float, str, "
    "torch dtypes, and lists, tuples and dictionaries of them"
)
# What to do about an object torch.load(weights_only=True) refuses, by its name or package.
REFUSED_HINTS = {
    "numpy": "Convert NumPy values to Python numbers with .item() or .tolist().",
    "torch.torch_version.TorchVersion": "Store str(torch.__version__), a plain string.",
    "getattr": "A method was stored, not its result: model.state_dict(), with brackets.",
}
# The first bytes of files that people mistake for checkpoints.
IMAGE_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"BM": "a BMP image",
}


class CheckpointError(ValueError):
    """A file that :func:`load_checkpoint` cannot load; the message names the file and why."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """There is no checkpoint file at the path (also a ``FileNotFoundError``)."""


def library_versions() -> dict[str, str]:
    """Return the Python and PyTorch versions, to store alongside the weights."""
    # str(): torch.__version__ is a TorchVersion object, which weights_only=True refuses.
    return {"python": platform.python_version(), "torch": str(torch.__version__)}


def unsupported_global(error: BaseException) -> str | None:
    """Return the name of the object ``torch.load(weights_only=True)`` refused, if it says.

    Raises
    ------
    TypeError
        If ``error`` is not an exception.
    """
    if not isinstance(error, BaseException):
        raise TypeError(f"error should be an exception, got {type(error).__name__}.")
    match = UNSUPPORTED_GLOBAL.search(str(error))
    return match["name"] if match else None


def state_dict_mismatches(
    expected: Mapping[str, torch.Tensor],
    found: Mapping[str, torch.Tensor],
    labels: tuple[str, str] = ("the model", "the checkpoint"),
) -> list[str]:
    """List how the weights ``found`` differ from those a model ``expected``.

    Parameters
    ----------
    expected
        The ``state_dict()`` of the model that should receive the weights.
    found
        The weights on offer, for example a checkpoint's ``"state_dict"``.
    labels
        What to call ``expected`` and ``found`` in the messages.

    Returns
    -------
    list[str]
        One line per missing name, unexpected name and shape mismatch; empty when
        every name and shape agrees.

    Raises
    ------
    TypeError
        If ``expected`` or ``found`` is not a mapping of names to tensors.
    """
    for role, weights in (("expected", expected), ("found", found)):
        _check_weights(role, weights, TypeError)
    problems = [
        f"missing: {name} {tuple(expected[name].shape)}" for name in expected if name not in found
    ]
    problems += [
        f"unexpected: {name} {tuple(found[name].shape)}" for name in found if name not in expected
    ]
    problems += [
        f"shape of {name}: {tuple(expected[name].shape)} in {labels[0]}, "
        f"{tuple(found[name].shape)} in {labels[1]}"
        for name in expected
        if name in found and tuple(found[name].shape) != tuple(expected[name].shape)
    ]
    return problems


def weights_sha256(state_dict: Mapping[str, torch.Tensor]) -> str:
    """Return the SHA-256 of weights: every name, dtype, shape and byte, in name order.

    Raises
    ------
    TypeError
        If ``state_dict`` is not a mapping of names to tensors.
    """
    _check_weights("state_dict", state_dict, TypeError)
    digest = hashlib.sha256()
    for name in sorted(state_dict):
        tensor = state_dict[name].detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}|{tensor.dtype}|{tuple(state_dict[name].shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _check_weights(role: str, weights: object, error: type[Exception]) -> None:
    if not isinstance(weights, Mapping):
        raise error(f"{role} should be a dictionary of weights, got {type(weights).__name__}.")
    for name, value in weights.items():
        if not isinstance(name, str) or not isinstance(value, torch.Tensor):
            raise error(
                f"{role} should map names (str) to tensors; {name!r} maps to "
                f"{type(value).__name__}."
            )


def _plain(value: object, where: str, inside: tuple[int, ...] = ()) -> Any:
    """Return ``value`` as plain data (NumPy scalars become Python numbers), or refuse it."""
    if isinstance(value, np.generic) and type(value.item()) in PLAIN_TYPES:
        return value.item()
    if isinstance(value, torch.Size):
        return tuple(value)
    if type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, torch.Tensor):
        if value.layout != torch.strided:
            raise TypeError(f"{where} is a tensor with layout {value.layout}; {PLAIN_DESCRIPTION}.")
        return value.detach().cpu()
    if id(value) in inside:
        raise ValueError(f"{where} contains itself; {PLAIN_DESCRIPTION}.")
    if type(value) in (list, tuple):
        items = [
            _plain(item, f"{where}[{i}]", (*inside, id(value))) for i, item in enumerate(value)
        ]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if type(_plain(key, f"a key of {where}")) not in (str, int):
                raise TypeError(f"the key {key!r} of {where} should be a str or an int.")
            plain[_plain(key, where)] = _plain(item, f"{where}[{key!r}]", (*inside, id(value)))
        return plain
    hint = " (convert it with .tolist())" if isinstance(value, np.ndarray) else ""
    raise TypeError(f"{where} has type {type(value).__name__}{hint}; {PLAIN_DESCRIPTION}.")


def _summary(problems: list[str]) -> str:
    listed = "\n  ".join(problems[:MAX_LISTED])
    more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return f"\n  {listed}{more}"


def _build(
    model_class: type[nn.Module], architecture: Mapping[str, Any], where: str = ""
) -> nn.Module:
    """Return ``model_class(**architecture)``; ``where`` names the checkpoint, if any."""
    try:
        return model_class(**architecture)
    except (TypeError, ValueError) as error:
        raise (CheckpointError if where else ValueError)(
            f"{where}{model_class.__name__}(**{dict(architecture)!r}) fails: {error}. The "
            f"architecture arguments should be the keyword arguments of {model_class.__name__}."
        ) from error


def _check_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path should be a str or a pathlib.Path, got {type(path).__name__}.")
    return Path(path)


def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    architecture: Mapping[str, Any],
    *,
    input_description: Mapping[str, Any] | None = None,
    class_names: Sequence[str] | None = None,
) -> Path:
    """Save a model's weights with everything needed to rebuild and use it, safely.

    Everything is checked before anything is written. The checkpoint goes to a
    temporary file in the same folder, is flushed to disk and read back, and only
    then replaces ``path``: if anything fails on the way (an error, Ctrl-C, a full
    disk), the file already at ``path`` is left as it was, and no temporary file stays.

    Parameters
    ----------
    path
        The file to write (its folder must exist); ``.pt`` is the usual suffix.
    model
        The trained model. Its weights are copied to the CPU, so the checkpoint
        loads on a computer without a GPU.
    architecture
        The keyword arguments that rebuild the model, ``type(model)(**architecture)``:
        plain values (see below).
    input_description
        What the model expects, e.g. ``{"shape": [1, 28, 28], "dtype": "float32",
        "range": [0.0, 1.0]}``.
    class_names
        The name of each output, in order.

    Returns
    -------
    Path
        ``path``, as a ``pathlib.Path``.

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Module``, ``class_names`` is not a list of
        strings, or a value is not plain: only tensors, None, bool, int, float, str,
        torch dtypes, and lists, tuples and dictionaries of them are stored. NumPy
        scalars are stored as the Python numbers they hold; a NumPy array is refused.
    ValueError
        If ``architecture`` does not rebuild a model with the same weight names and
        shapes as ``model`` (the error lists the differences).
    FileNotFoundError, IsADirectoryError
        If the folder of ``path`` is missing, or ``path`` is a folder.
    """
    path = _check_path(path)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    if not isinstance(architecture, Mapping):
        raise TypeError(
            f"architecture should be a dictionary of {type(model).__name__}'s keyword arguments, "
            f"got {type(architecture).__name__}."
        )
    if isinstance(class_names, str) or not isinstance(class_names, Sequence | None):
        raise TypeError(f"class_names should be a list of str, got {class_names!r}.")
    if input_description is not None and not isinstance(input_description, Mapping):
        raise TypeError(
            f"input_description should be a dictionary, got {type(input_description).__name__}."
        )
    architecture = _plain(dict(architecture), "architecture")
    names = _plain(list(class_names or []), "class_names")
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"class_names should be a list of str, got {class_names!r}.")
    state_dict = _plain(dict(model.state_dict()), "model.state_dict()")
    _check_weights("model.state_dict()", state_dict, TypeError)
    rebuilt = _build(type(model), architecture)
    problems = state_dict_mismatches(
        rebuilt.state_dict(), state_dict, labels=("the rebuilt model", "your model")
    )
    if problems:
        raise ValueError(
            f"{type(model).__name__}(**{architecture!r}) does not rebuild this model; "
            f"its weights differ:{_summary(problems)}\nPass the arguments the model was built "
            "with."
        )
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "model_class": type(model).__name__,
        "architecture": architecture,
        "state_dict": state_dict,
        "weights_sha256": weights_sha256(state_dict),
        "input": _plain(dict(input_description or {}), "input_description"),
        "class_names": names,
        "versions": library_versions(),
    }
    _write_atomically(path, checkpoint)
    return path


def _write_atomically(path: Path, checkpoint: dict[str, Any]) -> None:
    """Write ``checkpoint`` to a temporary file beside ``path``, check it, then move it there."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot save {path}: the folder {path.parent} does not exist.")
    if path.is_dir():
        raise IsADirectoryError(f"Cannot save to {path}: it is a folder; give a file name.")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, 0o666)  # the umask applies, as for any new file
    try:
        with os.fdopen(descriptor, "wb") as file:
            torch.save(checkpoint, file)
            file.flush()
            os.fsync(file.fileno())
        if path.is_file():  # keep the permissions of the file being replaced
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        try:
            _read(temporary)  # never write what load_checkpoint would refuse
        except CheckpointError as error:
            raise CheckpointError(
                f"Did not save {path}: it would not load back: {error}"
            ) from error
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _describe_unreadable(path: Path, error: Exception) -> str:
    """Say what the file at ``path`` is, given that ``torch.load`` failed on it."""
    with path.open("rb") as file:
        start = file.read(512)
    size = path.stat().st_size
    for signature, kind in IMAGE_SIGNATURES.items():
        if start.startswith(signature):
            return f"{path} is {kind}, not a checkpoint."
    if start.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(path):
            return (
                f"{path} is truncated or damaged ({size:,} bytes; its ZIP archive has no "
                "end): save the checkpoint again."
            )
        with zipfile.ZipFile(path) as archive:
            if not any(name.endswith("data.pkl") for name in archive.namelist()):
                return f"{path} is a ZIP archive that torch.save did not write, not a checkpoint."
        return f"{path} is damaged ({type(error).__name__}: {error}): save the checkpoint again."
    with contextlib.suppress(UnicodeDecodeError):
        if b"\0" not in start:  # a cut UTF-8 character at the end is not an error here
            text = codecs.getincrementaldecoder("utf-8")().decode(start).strip()
            first_line = (text.splitlines() or [""])[0][:40]
            return f"{path} is a text file (it starts {first_line!r}), not a checkpoint."
    return f"{path} is not a file torch.save wrote (it starts with {start[:8]!r})."


def _read(path: Path) -> dict[str, Any]:
    """Read and check a checkpoint file, without building a model; see :func:`load_checkpoint`."""
    if not path.is_file():
        raise CheckpointNotFoundError(
            f"No checkpoint at {path}{' (it is a folder)' if path.is_dir() else ''}. "
            "save_checkpoint(path, model, architecture) writes one."
        )
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path} is empty (0 bytes): save the checkpoint again.")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        refused = unsupported_global(error)
        if refused is None:
            raise CheckpointError(_describe_unreadable(path, error)) from error
        hint = next(
            (
                text
                for name, text in REFUSED_HINTS.items()
                if refused.split(".")[0] == name or refused == name
            ),
            "Save a dictionary of the model's state_dict() and plain values instead, as "
            "save_checkpoint does; torch.save(model, ...) pickles the whole model.",
        )
        raise CheckpointError(
            f"{path} holds more than tensors and plain values (a pickled {refused}), and "
            f"torch.load(weights_only=True) refuses to run code from a file. {hint}"
        ) from error
    except PermissionError as error:
        raise CheckpointError(f"{path} cannot be read: permission denied.") from error
    except Exception as error:  # torch.load fails in many ways on a file it did not write
        raise CheckpointError(_describe_unreadable(path, error)) from error
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f"{path} holds a {type(checkpoint).__name__}, not a checkpoint dictionary with the "
            f"keys {', '.join(REQUIRED_KEYS)}."
        )
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        hint = (
            " It looks like a bare state_dict: it has the weights but not the architecture "
            "arguments."
            if checkpoint and all(isinstance(value, torch.Tensor) for value in checkpoint.values())
            else ""
        )
        raise CheckpointError(
            f"{path} has no {', '.join(missing)}.{hint} save_checkpoint stores both."
        )
    _check_contents(path, checkpoint)
    return checkpoint


def _check_contents(path: Path, checkpoint: dict[str, Any]) -> None:
    """Check the version, the types and the weights' hash of a loaded checkpoint."""
    if not isinstance(checkpoint["architecture"], dict) or not all(
        isinstance(key, str) for key in checkpoint["architecture"]
    ):
        raise CheckpointError(
            f"{path}: its architecture should be a dictionary of keyword arguments, got "
            f"{checkpoint['architecture']!r}."
        )
    _check_weights(f"{path}: its state_dict", checkpoint["state_dict"], CheckpointError)
    has_version, has_hash = "format_version" in checkpoint, "weights_sha256" in checkpoint
    if not has_version and not has_hash:
        return  # a checkpoint made by hand, with torch.save: nothing to verify
    if has_version and checkpoint["format_version"] != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} is in checkpoint format {checkpoint['format_version']!r}; this version of "
            f"utils.checkpoints reads format {FORMAT_VERSION} only. Save the model again with "
            "save_checkpoint."
        )
    if not (has_version and has_hash):
        raise CheckpointError(
            f"{path} is damaged: it has a {'format_version' if has_version else 'weights_sha256'}"
            f" but no {'weights_sha256' if has_version else 'format_version'}."
        )
    if weights_sha256(checkpoint["state_dict"]) != checkpoint["weights_sha256"]:
        raise CheckpointError(
            f"{path} is damaged: its weights do not match the SHA-256 stored when it was "
            "saved (the file changed on disk, or in a copy or download). Use another copy, "
            "or save the model again."
        )


def load_checkpoint(
    path: str | Path, model_class: type[nn.Module]
) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild a model from a checkpoint written by :func:`save_checkpoint`, safely.

    The file is read with ``torch.load(..., weights_only=True)``: tensors and plain
    Python values only, never code. The weights are checked against the SHA-256
    stored with them; the model is built from ``model_class`` and the stored
    architecture arguments, receives the weights, and is put in ``eval()`` mode. A
    dictionary saved by hand with ``torch.save`` (``"state_dict"`` and
    ``"architecture"``, no ``"format_version"``) loads too, without the hash check.

    Parameters
    ----------
    path
        The checkpoint file.
    model_class
        The class to rebuild, e.g. ``DigitCNN``. Where the checkpoint names the class
        it was saved from (``"model_class"``, as ``save_checkpoint`` stores), the two
        must agree.

    Returns
    -------
    model : nn.Module
        The model with the stored weights, on the CPU, in evaluation mode.
    information : dict
        Everything else the checkpoint holds: ``architecture``, ``input``,
        ``class_names``, ``versions``, ``model_class``, ``format_version``,
        ``weights_sha256``.

    Raises
    ------
    TypeError
        If ``path`` is not a str or path, or ``model_class`` is not a subclass of
        ``torch.nn.Module``.
    CheckpointError
        A ``ValueError``, naming the file and the cause, if it cannot be loaded:
        missing (then also a ``FileNotFoundError``), empty, truncated or damaged
        (its weights do not match their hash), not a checkpoint (a text file, an
        image, a pickled whole model, a bare state_dict), another format version,
        a checkpoint of another class, or weights whose names or shapes do not fit
        the architecture (the message lists the differences).
    """
    path = _check_path(path)
    if not (isinstance(model_class, type) and issubclass(model_class, nn.Module)):
        shown = (
            f"an instance of {type(model_class).__name__}; pass the class itself"
            if isinstance(model_class, nn.Module)
            else repr(model_class)
        )
        raise TypeError(
            f"model_class should be a torch.nn.Module class, e.g. DigitCNN, got {shown}."
        )
    checkpoint = _read(path)
    if checkpoint.get("model_class", model_class.__name__) != model_class.__name__:
        raise CheckpointError(
            f"{path} holds a {checkpoint['model_class']}, not a {model_class.__name__}; "
            f"pass the class it was saved from."
        )
    model = _build(model_class, checkpoint["architecture"], f"{path}: ")
    problems = state_dict_mismatches(model.state_dict(), checkpoint["state_dict"])
    if problems:
        raise CheckpointError(
            f"The weights in {path} do not fit {model_class.__name__}"
            f"(**{checkpoint['architecture']!r}):{_summary(problems)}"
        )
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    information = {key: value for key, value in checkpoint.items() if key != "state_dict"}
    return model, information
