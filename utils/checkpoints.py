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
"""

from __future__ import annotations

import pickle
import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

FORMAT_VERSION = 1
REQUIRED_KEYS = ("architecture", "state_dict")
# torch.load(weights_only=True) names the first object it refuses in a line like this.
UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL (?P<name>[\w.]+)")
# How many mismatching weights an error lists before it says "and N more".
MAX_LISTED = 6


def library_versions() -> dict[str, str]:
    """Return the Python and PyTorch versions, to store alongside the weights."""
    # str(): torch.__version__ is a TorchVersion object, which weights_only=True refuses.
    return {"python": platform.python_version(), "torch": str(torch.__version__)}


def unsupported_global(error: Exception) -> str | None:
    """Return the name of the object ``torch.load(weights_only=True)`` refused, if it says."""
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
    """
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


def _summary(problems: list[str]) -> str:
    listed = "\n  ".join(problems[:MAX_LISTED])
    more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return f"\n  {listed}{more}"


def _build(model_class: type[nn.Module], architecture: Mapping[str, Any]) -> nn.Module:
    try:
        return model_class(**architecture)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{model_class.__name__}(**{dict(architecture)!r}) fails: {error}. The architecture "
            f"arguments should be the keyword arguments of {model_class.__name__}."
        ) from error


def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    architecture: Mapping[str, Any],
    *,
    input_description: Mapping[str, Any] | None = None,
    class_names: Sequence[str] | None = None,
) -> Path:
    """Save a model's weights with everything needed to rebuild and use it.

    Parameters
    ----------
    path
        The file to write (its folder must exist); ``.pt`` is the usual suffix.
    model
        The trained model. Its weights are copied to the CPU, so the checkpoint
        loads on a computer without a GPU.
    architecture
        The keyword arguments that rebuild the model, ``type(model)(**architecture)``:
        numbers, strings, lists, tuples and dictionaries of those.
    input_description
        What the model expects, e.g. ``{"shape": [1, 28, 28], "dtype": "float32",
        "range": [0.0, 1.0]}``; stored as given.
    class_names
        The name of each output, in order.

    Returns
    -------
    Path
        ``path``, as a ``pathlib.Path``.

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Module``.
    ValueError
        If ``architecture`` does not rebuild a model with the same weight names and
        shapes as ``model`` (the error lists the differences).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    state_dict = {name: value.detach().cpu() for name, value in model.state_dict().items()}
    rebuilt = _build(type(model), architecture)
    problems = state_dict_mismatches(
        rebuilt.state_dict(), state_dict, labels=("the rebuilt model", "your model")
    )
    if problems:
        raise ValueError(
            f"{type(model).__name__}(**{dict(architecture)!r}) does not rebuild this model; "
            f"its weights differ:{_summary(problems)}\nPass the arguments the model was built "
            "with."
        )
    checkpoint = {
        "format_version": FORMAT_VERSION,
        "model_class": type(model).__name__,
        "architecture": dict(architecture),
        "state_dict": state_dict,
        "input": dict(input_description or {}),
        "class_names": list(class_names or []),
        "versions": library_versions(),
    }
    torch.save(checkpoint, path)
    return Path(path)


def load_checkpoint(
    path: str | Path, model_class: type[nn.Module]
) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild a model from a checkpoint written by :func:`save_checkpoint`, safely.

    The file is read with ``torch.load(..., weights_only=True)``: tensors and plain
    Python values only, never code. The model is built from ``model_class`` and the
    stored architecture arguments, receives the weights, and is put in ``eval()`` mode.

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
        ``class_names``, ``versions``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not such a checkpoint: a pickled whole model (which
        ``weights_only=True`` refuses to run), a dictionary without the required
        keys, a checkpoint of another class, or weights whose names or shapes do
        not fit the architecture (the error lists the differences).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No checkpoint at {path}{' (it is a folder)' if path.is_dir() else ''}. "
            "save_checkpoint(path, model, architecture) writes one."
        )
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        refused = unsupported_global(error)
        if refused is None:
            raise ValueError(
                f"{path} is not a PyTorch checkpoint (not a file torch.save wrote, or a damaged "
                "one)."
            ) from error
        raise ValueError(
            f"{path} holds more than tensors and plain values (a pickled {refused}), and "
            "torch.load(weights_only=True) refuses to run code from a file. Save a dictionary "
            "of the model's state_dict() and plain values instead, as save_checkpoint does; "
            "torch.save(model, ...) pickles the whole model."
        ) from error
    except RuntimeError as error:  # not a file torch.save wrote
        raise ValueError(f"{path} is not a PyTorch checkpoint: {error}") from error
    if not isinstance(checkpoint, dict):
        raise ValueError(
            f"{path} holds a {type(checkpoint).__name__}, not a checkpoint dictionary with the "
            f"keys {', '.join(REQUIRED_KEYS)}."
        )
    missing = [key for key in REQUIRED_KEYS if key not in checkpoint]
    if missing:
        hint = (
            " It looks like a bare state_dict: it has the weights but not the architecture "
            "arguments."
            if all(isinstance(value, torch.Tensor) for value in checkpoint.values())
            else ""
        )
        raise ValueError(f"{path} has no {', '.join(missing)}.{hint} save_checkpoint stores both.")
    if checkpoint.get("model_class", model_class.__name__) != model_class.__name__:
        raise ValueError(
            f"{path} holds a {checkpoint['model_class']}, not a {model_class.__name__}; "
            f"pass the class it was saved from."
        )
    model = _build(model_class, checkpoint["architecture"])
    problems = state_dict_mismatches(model.state_dict(), checkpoint["state_dict"])
    if problems:
        raise ValueError(
            f"The weights in {path} do not fit {model_class.__name__}"
            f"(**{checkpoint['architecture']!r}):{_summary(problems)}"
        )
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    information = {key: value for key, value in checkpoint.items() if key != "state_dict"}
    return model, information
