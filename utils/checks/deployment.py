"""Self-checks for notebook 05, deploying a trained model: checkpoint, export, C++.

Every expected value is computed here from the learner's own model or files, or
from small probes; none is typed in.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from utils.checkpoints import state_dict_mismatches, unsupported_global
from utils.checks._core import as_float, call_learner_function, fail, passed, require_answer
from utils.models import IMAGE_SHAPE, NUMBER_OF_CLASSES, DigitCNN

CHECKPOINT_KEYS = ("state_dict", "architecture", "input", "class_names", "versions")
# Outputs of the same model through two routes (eager, exported, compiled, C++) agree
# to about 1e-6 for these logits; the checks allow a hundred times more.
TOLERANCE = 1e-4
MIN_ACCURACY = 0.95
# The probes of check_median_latency: a slow first call, then quick ones.
_WARM_UP_S = 0.5
_CALL_S = 0.01
_PROBE_REPEATS = 7

# A stand-in for malicious code in a pickle: unpickling it only flips this flag.
_TRIPWIRE = {"sprung": False}


def _spring_tripwire() -> str:
    _TRIPWIRE["sprung"] = True
    return "code from the file ran"


class _Tripwire:
    """An object whose unpickling calls ``_spring_tripwire``, as a malicious one would call
    something harmful."""

    def __reduce__(self) -> tuple[Callable[[], str], tuple[()]]:
        return _spring_tripwire, ()


def _probe_images(count: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(count)
    return torch.rand(count, *IMAGE_SHAPE, generator=generator)


def _eval_outputs(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The model's outputs in evaluation mode, leaving its mode as it was."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(images)
    finally:
        model.train(was_training)


def _max_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.detach().float().cpu() - b.detach().float().cpu()).abs().max().item()


def check_checkpoint(checkpoint_path: object, checkpoint: object = None) -> None:
    """Check the file ``checkpoint_path``: a dictionary of plain data that rebuilds a DigitCNN.

    ``checkpoint``, the learner's dictionary, is only looked at to say "fill in the TODO"
    while it is still the placeholder ``...``; the file is what counts.
    """
    if checkpoint is not None:
        require_answer("checkpoint", checkpoint)
    path = Path(str(checkpoint_path))
    if not path.is_file():
        fail(f"there is no file at {path}.", "save the dictionary: torch.save(checkpoint, path).")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        refused = unsupported_global(error) or "Python object"
        if refused == "torch.torch_version.TorchVersion":
            hint = "torch.__version__ is a TorchVersion object; store str(torch.__version__)."
        elif refused.endswith(".DigitCNN") or refused.startswith("torch.nn"):
            hint = (
                "torch.save(model, path) pickles the whole model, class and all. Save a "
                "dictionary with model.state_dict() and the architecture arguments instead."
            )
        else:
            hint = "keep to tensors, numbers, strings, lists, tuples and dictionaries."
        fail(
            f"torch.load(..., weights_only=True) refuses {path}: it holds a pickled {refused}.",
            hint,
        )
    if not isinstance(checkpoint, dict):
        fail(f"the checkpoint should be a dictionary, got {type(checkpoint).__name__}.")
    missing = [key for key in CHECKPOINT_KEYS if key not in checkpoint]
    if missing:
        hint = f"the task lists the keys: {', '.join(CHECKPOINT_KEYS)}."
        if all(isinstance(value, torch.Tensor) for value in checkpoint.values()):
            hint = (
                "this is a bare state_dict: the weights alone cannot rebuild the model. Put it "
                f"under 'state_dict' in a dictionary with the keys {', '.join(CHECKPOINT_KEYS)}."
            )
        fail(f"the checkpoint has no {', '.join(missing)}.", hint)
    state_dict = checkpoint["state_dict"]
    if not isinstance(state_dict, dict) or not all(
        isinstance(value, torch.Tensor) for value in state_dict.values()
    ):
        fail(
            "checkpoint['state_dict'] should be a dictionary of tensors.",
            "model.state_dict(), with the brackets: it returns the weights by name.",
        )
    architecture = checkpoint["architecture"]
    if not isinstance(architecture, dict):
        fail(
            f"checkpoint['architecture'] should be a dictionary of DigitCNN's keyword "
            f"arguments, got {type(architecture).__name__}.",
            "for example {'channels': (16, 32), 'dropout': 0.2}.",
        )
    try:
        rebuilt = DigitCNN(**architecture)
    except (TypeError, ValueError) as error:
        fail(f"DigitCNN(**checkpoint['architecture']) fails: {error}")
    problems = state_dict_mismatches(rebuilt.state_dict(), state_dict)
    if problems:
        fail(
            "the architecture arguments do not rebuild a model these weights fit:\n  "
            + "\n  ".join(problems[:4]),
            "store the arguments the model was built with.",
        )
    class_names = checkpoint["class_names"]
    if not (
        isinstance(class_names, list | tuple)
        and len(class_names) == NUMBER_OF_CLASSES
        and all(isinstance(name, str) for name in class_names)
    ):
        fail(
            f"checkpoint['class_names'] should be {NUMBER_OF_CLASSES} strings, one per output.",
            "the digits as text: [str(digit) for digit in range(10)].",
        )
    if not isinstance(checkpoint["input"], dict) or not checkpoint["input"]:
        fail(
            "checkpoint['input'] should describe the input in a dictionary.",
            "its shape, dtype and value range, as the task says.",
        )
    versions = checkpoint["versions"]
    if not isinstance(versions, dict) or versions.get("torch") != str(torch.__version__):
        fail(
            "checkpoint['versions'] should be a dictionary whose 'torch' is this PyTorch's "
            f"version, {str(torch.__version__)!r}.",
            "str(torch.__version__).",
        )
    passed(
        f"checkpoint: {len(state_dict)} tensors of weights and statistics, DigitCNN"
        f"(**{architecture}), and it loads with weights_only=True"
    )


def check_load_digit_model(load_digit_model: object, checkpoint_path: object) -> None:
    """Check ``load_digit_model(path)``: a DigitCNN with the checkpoint's weights, ready to use.

    Also feeds it a checkpoint with a harmless stand-in for malicious code, which a
    safe loader (``weights_only=True``) refuses to run.
    """
    path = Path(str(checkpoint_path))
    model = call_learner_function("load_digit_model", load_digit_model, path)
    if isinstance(model, dict):
        fail(
            "load_digit_model returned a dictionary.",
            "build DigitCNN(**checkpoint['architecture']), load the weights into it with "
            "load_state_dict, and return the model.",
        )
    if not isinstance(model, DigitCNN):
        fail(f"load_digit_model should return a DigitCNN, got {type(model).__name__}.")
    assert isinstance(model, DigitCNN)
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    for name, value in model.state_dict().items():
        if not torch.equal(value.cpu(), checkpoint["state_dict"][name]):
            fail(
                f"the model's {name} differs from the checkpoint's.",
                "model.load_state_dict(checkpoint['state_dict']) copies every weight in.",
            )
    if model.training:
        fail(
            "the model is in training mode: Dropout drops features and BatchNorm uses each "
            "batch's statistics, so the same image gets different scores.",
            "call model.eval() before returning it.",
        )
    _TRIPWIRE["sprung"] = False
    with tempfile.TemporaryDirectory() as folder:
        trap = Path(folder) / "suspicious.pt"
        torch.save({**checkpoint, "note": _Tripwire()}, trap)
        try:
            load_digit_model(trap)
        except Exception:  # refusing the file, with any error, is right
            pass
    if _TRIPWIRE["sprung"]:
        fail(
            "load_digit_model ran code stored in a checkpoint file: a malicious file could "
            "have done anything.",
            "torch.load(path, weights_only=True) loads tensors and plain values only.",
        )
    passed(
        "load_digit_model rebuilds the model in eval mode, with the checkpoint's weights, "
        "and refuses to run code hidden in a file"
    )


def check_exported_program(exported_program: object, model: nn.Module) -> None:
    """Check ``exported_program``: ``model`` in eval mode, for any batch size."""
    if not isinstance(exported_program, torch.export.ExportedProgram):
        fail(
            "exported_program should be a torch.export.ExportedProgram, got "
            f"{type(exported_program).__name__}.",
            "torch.export.export(model, (example,), dynamic_shapes=...) returns one.",
        )
    assert isinstance(exported_program, torch.export.ExportedProgram)
    module = exported_program.module()
    for batch_size in (3, 17):
        images = _probe_images(batch_size)
        try:
            with torch.no_grad():
                scores = module(images)
        except Exception as error:
            fail(
                f"the exported program fails on a batch of {batch_size} images: "
                f"{str(error).splitlines()[0]}",
                "export with a dynamic batch dimension: dynamic_shapes={'x': {0: "
                "torch.export.Dim('batch')}}, and an example batch of more than one image "
                "(a size of 1 is taken as a constant).",
            )
        expected = _eval_outputs(model, images)
        if _max_difference(scores, expected) > TOLERANCE:
            fail(
                "the exported program's scores differ from the model's in eval mode.",
                "call model.eval() before torch.export.export: export records the model as "
                "it is, and in training mode that means dropout and batch statistics.",
            )
    passed("exported_program gives the model's scores, for batches of 3 and 17 images")


def check_runner_input(images_path: object, expected_images: torch.Tensor) -> None:
    """Check the .npy file for the C++ runner: float32 images of shape (N, 1, 28, 28) in [0, 1]."""
    path = Path(str(images_path))
    if not path.is_file():
        fail(f"there is no file at {path}.", "np.save(images_path, array) writes one.")
    try:
        images = np.load(path, allow_pickle=False)
    except ValueError as error:
        fail(f"{path} is not a plain .npy array: {error}", "save a NumPy array, not a list.")
    expected = expected_images.detach().cpu().numpy()
    if images.ndim == 3 and images.shape == expected.shape[:1] + expected.shape[2:]:
        fail(
            f"the images have shape {images.shape}, without the channel axis.",
            "the model wants (N, 1, 28, 28); keep the channel axis of the tensor you saved.",
        )
    if images.shape != expected.shape:
        fail(
            f"the images have shape {images.shape}, expected {expected.shape}.",
            "save the batch the task names, as it is: (N, 1, 28, 28).",
        )
    if images.dtype != np.float32:
        hint = "the C++ runner reads float32 ('<f4'); convert with .astype(np.float32)."
        if images.dtype == np.uint8:
            hint = "these are raw pixels (0 to 255); the model was trained on floats in [0, 1]."
        fail(f"the images have dtype {images.dtype}, expected float32.", hint)
    if not np.allclose(images, expected):
        fail(
            "the images are not the ones the task names.",
            "the same preprocessing as in training: floats in [0, 1].",
        )
    passed(f"{path.name}: {len(images)} float32 images of shape {images.shape[1:]}, in [0, 1]")


def check_aoti_package(package_path: object, model: nn.Module) -> None:
    """Check the AOTInductor package at ``package_path``: it reproduces ``model`` in eval mode."""
    path = Path(str(package_path))
    if not path.is_file():
        fail(
            f"there is no package at {path}.",
            "aoti_compile_and_package(exported_program, package_path=...) writes it.",
        )
    if path.suffix != ".pt2":
        fail(f"{path.name} should end in .pt2, the suffix the package loaders expect.")
    compiled = torch._inductor.aoti_load_package(str(path))
    for batch_size in (1, 5):
        images = _probe_images(batch_size)
        expected = _eval_outputs(model, images)
        difference = _max_difference(compiled(images), expected)
        if difference > TOLERANCE:
            fail(
                f"the package's scores differ from the model's by up to {difference:.2g}.",
                "compile the exported program of the trained model, in eval mode.",
            )
    passed(f"{path.name} reproduces the model's scores, for batches of 1 and 5 images")


class _SlowFirstCall:
    """A stand-in for a model: the first call is slow, the later ones quick; counts its calls."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        time.sleep(_WARM_UP_S if self.count == 0 else _CALL_S)
        self.count += 1


def check_median_latency(median_latency: object) -> None:
    """Check ``median_latency(function, repeats)``: one warm-up call, then the median in seconds."""
    probe = _SlowFirstCall()
    value = as_float(
        "median_latency(function, repeats)",
        call_learner_function("median_latency", median_latency, probe, _PROBE_REPEATS),
    )
    calls = probe.count
    if calls < _PROBE_REPEATS + 1:
        fail(
            f"median_latency called the function {calls} times for repeats={_PROBE_REPEATS}.",
            "call it once before timing (a warm-up: the first call of a model is often much "
            f"slower), then time it {_PROBE_REPEATS} times.",
        )
    # The probe sleeps 0.01 s per call after the first; allow for a busy computer.
    if _CALL_S * 0.9 <= value <= _CALL_S * 5:
        passed(
            "median_latency warms up, then times each call: about "
            f"{_CALL_S * 1000:.0f} ms for a function that takes {_CALL_S * 1000:.0f} ms"
        )
        return
    if value >= _CALL_S * 500:
        hint = "give the time in seconds: time.perf_counter() counts seconds."
    elif value >= _CALL_S * (_PROBE_REPEATS - 1):
        hint = (
            "time each call on its own and return the median of those times, not their sum or "
            "a mean that includes the slow first call."
        )
    else:
        hint = "record time.perf_counter() just before and just after each call."
    fail(
        f"median_latency measured {value:.3g} s for a function that takes {_CALL_S} s per call "
        "after a slow first call.",
        hint,
    )


def check_headline(validation_accuracy: float, max_difference: Any) -> None:
    """Check the notebook's result: a useful model, and C++ agreeing with Python where it ran."""
    accuracy = as_float("validation_accuracy", validation_accuracy)
    if accuracy < MIN_ACCURACY:
        fail(
            f"validation accuracy {accuracy:.1%} is below {MIN_ACCURACY:.0%}.",
            "train as in task 0: two epochs of Adam, learning rate 0.003.",
        )
    if max_difference is None:
        print(
            "⚠ the C++ comparison was skipped (no compiler or CMake): install them and run the "
            "notebook again to finish it."
        )
        return
    difference = as_float("max_difference", max_difference)
    if not difference <= TOLERANCE:
        fail(f"C++ and Python scores differ by up to {difference:.2g}, more than {TOLERANCE}.")
    passed(
        f"validation accuracy at least {MIN_ACCURACY:.0%}, and C++ and Python scores agree "
        f"within {TOLERANCE:g}"
    )
