"""Self-checks for notebook 05, deploying a trained model: checkpoint, export, C++.

Expected values come from the learner's own model and files, or from small probes. Any other
argument of the wrong kind raises a TypeError or ValueError naming it and what is valid."""

import contextlib
import os
import reprlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from utils.checkpoints import CheckpointError, load_checkpoint, unsupported_global
from utils.checks._core import as_float, call_learner_function, fail, passed, require_answer
from utils.checks.engine import predict
from utils.digit_runner import INSTALL_HINT
from utils.errors import first_line, learner_line
from utils.models import IMAGE_SHAPE, NUMBER_OF_CLASSES, DigitCNN

CHECKPOINT_KEYS = ("state_dict", "architecture", "input", "class_names", "versions")
TOLERANCE = 1e-4  # two routes (eager, exported, compiled, C++) agree to ~1e-6: 100× that
_WARM_UP_S, _CALL_S, _REPEATS = 0.5, 0.01, 7  # the latency probe's first call, each later one
_TRIPWIRE = {"sprung": False}
_REFUSED = {  # hints for what torch.load(weights_only=True) refuses in a checkpoint, by name
    "torch.torch_version.TorchVersion": "store str(torch.__version__), a plain string.",
    "getattr": "a method is stored, not its result: model.state_dict(), with the brackets.",
}
_DYNAMIC = (
    "export with a dynamic batch dimension, dynamic_shapes={'x': {0: torch.export.Dim('batch')}}"
    ", and an example batch of two or more (a size of 1 stays fixed)."
)
_REFUSALS = {  # a piece of torch.export's refusal: (what is still wrong, what to try)
    "data-dependent": (
        "a Python decision (`if`) on a tensor's value: export records operations, not branches",
        "torch.where(condition, a, b) picks per element; x.amax(dim=(1, 2, 3), keepdim=True) "
        "is each image's brightest pixel.",
    ),
    "Constraints violated": ("a fixed batch size (a loop over images?)", "torch.where, no loop."),
}
_STATIC = (None, torch.export.Dim.STATIC)  # what keeps a dimension fixed, as does an int
_READINGS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {  # how a reader prepares x
    "": lambda x: torch.where(x.amax((1, 2, 3), True) > 1, x / 255, x),  # the task's
    "it decides for the whole batch at once.": lambda x: x / 255 if x.max() > 1 else x,
    "it divides images already in [0, 1] by 255 too.": lambda x: x / 255,
    "it leaves raw pixels (above 1) unscaled.": lambda x: x,
}


class _Tripwire:
    """A stand-in for malicious code: unpickling it runs code that sets ``_TRIPWIRE``."""

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return exec, ("import utils.checks.deploying_models as m; m._TRIPWIRE['sprung'] = True",)


def _require(name: str, value: Any, valid: bool, what: str, error: type = TypeError) -> None:
    if not valid:
        raise error(f"{name} should be {what}, got {type(value).__name__}: {reprlib.repr(value)}.")


def _file(name: str, value: Any, hint: str) -> Path:
    """The path ``value`` (a TypeError if it is none), failing with ``hint`` if no file is there."""
    valid = isinstance(value, str | os.PathLike) and str(value) != ""
    _require(name, value, valid, "a path (a str or a pathlib.Path)")
    if not Path(value).is_file():
        fail(f"there is no file at {value}.", hint)
    return Path(value)


def _check_scores(run: Callable[..., Any], model: nn.Module, what: str, hint: str) -> None:
    """Fail with ``hint`` unless ``run`` gives ``model``'s eval-mode scores on probe batches."""
    for size in (1, 3, 17):
        images = torch.rand(size, *IMAGE_SHAPE, generator=torch.Generator().manual_seed(size))
        try:
            with torch.no_grad():
                scores = run(images).detach().float().cpu()
        except Exception as error:  # whatever it raises, a fixed batch size is the likely cause
            fail(f"{what} fails on a batch of {size} images: {first_line(error)}", _DYNAMIC)
        difference = (scores - predict(model, images)).abs().max().item()
        if difference > TOLERANCE:
            fail(f"{what}'s scores differ from the model's in eval mode by {difference:.2g}.", hint)


def check_checkpoint(checkpoint_path: str | os.PathLike, checkpoint: object = None) -> None:
    """Check the file: it loads with ``load_checkpoint`` and holds the task's five keys."""
    require_answer("checkpoint", checkpoint)
    path = _file("checkpoint_path", checkpoint_path, "torch.save(checkpoint, checkpoint_path).")
    keys = ", ".join(CHECKPOINT_KEYS)
    try:
        model, loaded = load_checkpoint(path, DigitCNN)
    except CheckpointError as error:
        refused = unsupported_global(error.__cause__) if error.__cause__ else None
        fail(str(error), _REFUSED.get(refused or "", f"save a dictionary with the keys {keys}."))
    missing = [key for key in CHECKPOINT_KEYS[2:] if key not in loaded]
    if missing:
        fail(f"the checkpoint has no {', '.join(missing)}.", f"the task lists the keys {keys}.")
    names, versions, version = loaded["class_names"], loaded["versions"], str(torch.__version__)
    if not isinstance(loaded["input"], dict) or not loaded["input"]:
        got = reprlib.repr(loaded["input"])
        hint = "describe the input in it: its shape, dtype and value range, as the task says."
        fail(f"checkpoint['input'] should be a dictionary, got {got}.", hint)
    if not isinstance(names, list | tuple) or [type(n) for n in names] != [str] * NUMBER_OF_CLASSES:
        fail(
            f"checkpoint['class_names'] should be {NUMBER_OF_CLASSES} strings, one per output.",
            "the digits as text: [str(digit) for digit in range(10)].",
        )
    if not isinstance(versions, dict) or versions.get("torch") != version:
        fail(f"checkpoint['versions'] should hold 'torch': {version!r}.", "str(torch.__version__).")
    tensors = f"checkpoint: {len(model.state_dict())} tensors of weights and statistics"
    passed(f"{tensors}, DigitCNN(**{loaded['architecture']}), and it loads with weights_only=True")


def check_load_digit_model(load_digit_model: object, checkpoint_path: str | os.PathLike) -> None:
    """Check ``load_digit_model(path)``: the checkpoint's DigitCNN in eval mode, loaded safely."""
    path = _file("checkpoint_path", checkpoint_path, "run task 1 first: it saves the checkpoint.")
    model = call_learner_function("load_digit_model", load_digit_model, path)
    if not isinstance(model, DigitCNN):
        fail(
            f"load_digit_model should return a DigitCNN, got {type(model).__name__}.",
            "build DigitCNN(**checkpoint['architecture']), load_state_dict, and return the model.",
        )
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    for name, value in model.state_dict().items():
        stored = checkpoint["state_dict"].get(name)
        if stored is None or not torch.equal(value.cpu(), stored):
            hint = "model.load_state_dict(checkpoint['state_dict']) copies every weight in."
            fail(f"the model's {name} differs from the checkpoint's.", hint)
    if model.training:
        fail(
            "the model is in training mode: Dropout drops features and BatchNorm uses each "
            "batch's statistics, so the same image gets different scores.",
            "call model.eval() before returning it.",
        )
    _TRIPWIRE["sprung"] = False
    with tempfile.TemporaryDirectory() as folder:
        torch.save({**checkpoint, "note": _Tripwire()}, Path(folder) / "suspicious.pt")
        with contextlib.suppress(Exception):  # refusing the file, with any error, is right
            load_digit_model(Path(folder) / "suspicious.pt")
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


def check_dynamic_shapes(example_images: object, dynamic_shapes: object) -> None:
    """Check the choices for export: an example of 2+ images, and only dimension 0 dynamic."""
    for name, value in (("example_images", example_images), ("dynamic_shapes", dynamic_shapes)):
        require_answer(name, value)
    ok = isinstance(example_images, torch.Tensor) and example_images.shape[1:] == IMAGE_SHAPE
    _require("example_images", example_images, ok, "a batch of images, shape (N, 1, 28, 28)")
    spec, n = dynamic_shapes, len(example_images)
    if isinstance(spec, dict) and set(spec) != {"x"}:
        keys = f"dynamic_shapes has the keys {sorted(spec)}: the names of forward's arguments?"
        fail(keys, "DigitCNN.forward(self, x) has one argument, x: {'x': {...}}.")
    spec = spec["x"] if isinstance(spec, dict) else spec[0] if isinstance(spec, tuple) else spec
    spec = dict(enumerate(spec)) if isinstance(spec, tuple | list) else spec or {}
    dynamic = [d for d, v in sorted(spec.items()) if not isinstance(v, int) and v not in _STATIC]
    if [d for d in dynamic if d != 0]:
        said = f"dimensions {dynamic} of (batch, channel, height, width) are dynamic, but "
        why = "DigitCNN fixes 1 channel (first convolution) and 28 × 28 pixels (Linear layer)."
        fail(said + why, "mark dimension 0 alone; the others keep the example's sizes.")
    if not dynamic:
        hint = "mark dimension 0, the batch: {'x': {0: torch.export.Dim('batch')}}."
        fail(f"no dimension is dynamic: the program would take batches of {n} only.", hint)
    if n < 2:
        said = "the example is 1 image: export treats a dimension of size 1 as a constant."
        fail(said, "give an example of two or more images.")
    passed(f"an example of {n} images, and the batch (dimension 0) the only dynamic one")


def check_exported_program(exported_program: object, model: nn.Module) -> None:
    """Check ``exported_program``: ``model`` in eval mode, for any batch size."""
    _require("model", model, isinstance(model, nn.Module), "the trained torch.nn.Module")
    require_answer("exported_program", exported_program)
    if not isinstance(exported_program, torch.export.ExportedProgram):
        kind = type(exported_program).__name__
        how = "torch.export.export(model, (example,), dynamic_shapes=...) returns one."
        fail(f"exported_program is a {kind}, not an ExportedProgram.", how)
    hint = "call model.eval() before torch.export.export: it records Dropout and BatchNorm as is."
    _check_scores(exported_program.module(), model, "the exported program", hint)
    passed("exported_program gives the model's scores, for batches of 1, 3 and 17 images")


def check_exportable_reader(reader: object, model: nn.Module) -> None:
    """Check ``reader``: it exports with a dynamic batch and prepares each image on its own."""
    _require("model", model, isinstance(model, nn.Module), "the trained torch.nn.Module")
    require_answer("reader", reader)
    _require("reader", reader, isinstance(reader, nn.Module), "a module, such as Reader(model)")
    images = torch.rand(4, *IMAGE_SHAPE, generator=torch.Generator().manual_seed(0))
    images[::2] = (images[::2] * 255).round()  # images 0 and 2: raw pixels
    try:
        batch = {"x": {0: torch.export.Dim("batch")}}
        program = torch.export.export(reader, (images,), dynamic_shapes=batch).module()
    except Exception as error:  # export's refusal names the cause, in words of its own
        what, hint = next((v for k, v in _REFUSALS.items() if k in str(error)), (None, None))
        fail(f"torch.export refuses {what or first_line(error)}{learner_line(error)}.", hint)
    batches = (images, images[1::2])  # a mixed batch, and one of scaled images alone
    with torch.no_grad():
        scores = torch.cat([program(b) for b in batches]).float()
    gaps = {
        s: scores - torch.cat([predict(model, f(b)) for b in batches]) for s, f in _READINGS.items()
    }
    slip = next((s for s, gap in gaps.items() if gap.abs().max() < TOLERANCE), None)
    if slip != "":  # "" is the task's reading; None, none of them
        hint = (
            "each image on its own: raw ones (brightest pixel above 1) / 255, others as they are."
        )
        fail(f"the reader exports, but {slip or 'its scores differ from the task.'}", hint)
    passed("the reader exports, and divides each raw image (brightest pixel above 1) by 255")


def check_preprocess(preprocess: object) -> None:
    """Check ``preprocess(pixels)``: uint8 digits (N, 28, 28) to the model's float32 input."""
    pixels = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    images = call_learner_function("preprocess", preprocess, pixels.copy())
    expected = pixels[:, None].astype(np.float32) / 255
    if not isinstance(images, np.ndarray):
        hint = "np.save writes NumPy arrays: work in NumPy, or return tensor.numpy()."
        fail(f"preprocess returned a {type(images).__name__}, not a NumPy array.", hint)
    if images.shape != expected.shape:
        last = images.shape == (3, 28, 28, 1)
        hint = "channels first, PyTorch's (N, C, H, W)." if last else "add the channel axis."
        fail(f"preprocess gives shape {images.shape} for 3 digits, expected (3, 1, 28, 28).", hint)
    if images.dtype != np.float32:
        hint = "the C++ runner reads float32 ('<f4') only; .astype(np.float32)."
        fail(f"preprocess gives dtype {images.dtype}, expected float32.", hint)
    slips = {
        "not divided by 255: the model was trained on floats in [0, 1].": expected * 255,
        "divided by 255 twice.": expected / 255,
        "normalised with MNIST's mean and std, but this model was trained on pixel / 255 alone "
        "(see checkpoint['input']).": (expected - 0.1307) / 0.3081,  # MNIST's mean, std
    }
    if not np.allclose(images, expected):
        slip = next((s for s, v in slips.items() if np.allclose(images, v)), "pixel / 255.")
        fail("preprocess's images are not what the model was trained on.", slip)
    passed("preprocess makes float32 images (N, 1, 28, 28) in [0, 1], as the model was trained")


def check_aoti_package(package_path: str | os.PathLike, model: nn.Module) -> None:
    """Check the AOTInductor package at ``package_path``: it reproduces ``model`` in eval mode."""
    _require("model", model, isinstance(model, nn.Module), "the trained torch.nn.Module")
    how = "aoti_compile_and_package(exported_program, package_path=...) writes it."
    path = _file("package_path", package_path, how)
    if path.suffix != ".pt2":
        fail(f"{path.name} should end in .pt2, the suffix the package loaders expect.")
    try:
        compiled = torch._inductor.aoti_load_package(str(path))
    except Exception as error:  # e.g. a file torch.export.save wrote: no compiled code inside
        hint = f"torch.export.save writes an exported program, not compiled code; {how}"
        fail(f"{path.name} is not an AOTInductor package: {first_line(error)}", hint)
    _check_scores(compiled, model, "the package", "compile the exported program of `model`.")
    passed(f"{path.name} reproduces the model's scores, for batches of 1, 3 and 17 images")


def check_median_latency(median_latency: object) -> None:
    """Check ``median_latency(function, repeats)``: one warm-up call, then the median in seconds."""
    calls: list[None] = []

    def probe() -> None:  # a stand-in for a model: a slow first call, then quick ones
        time.sleep(_CALL_S if calls else _WARM_UP_S)
        calls.append(None)

    result = call_learner_function("median_latency", median_latency, probe, _REPEATS)
    value = as_float("median_latency(function, repeats)", result)
    if len(calls) < _REPEATS + 1:
        fail(
            f"median_latency called the function {len(calls)} times for repeats={_REPEATS}.",
            "call it once before timing (a warm-up: the first call of a model is often much "
            f"slower), then time it {_REPEATS} times.",
        )
    if not _CALL_S * 0.9 <= value <= _CALL_S * 5:  # room for a busy computer
        hint = "record time.perf_counter() just before and just after each call."
        if _CALL_S * 900 <= value <= _CALL_S * 5000:  # the right time, in milliseconds
            hint = "give the time in seconds: time.perf_counter() counts seconds."
        elif value >= _CALL_S * (_REPEATS - 1):
            hint = (
                "time each call on its own and return the median of those times, not their sum "
                "or a mean that includes the slow first call."
            )
        said = f"median_latency measured {value:.3g} s for a function that takes {_CALL_S} s"
        fail(f"{said} per call after a slow first call.", hint)
    ms = f"{_CALL_S * 1000:.0f} ms"
    passed(f"median_latency warms up, then times each call: about {ms} for a {ms} function")


def check_headline(
    validation_accuracy: object, max_difference: object, threshold: float = 0.95
) -> None:
    """Check accuracy ≥ ``threshold`` and C++ = Python (``max_difference`` None: C++ skipped)."""
    number = isinstance(threshold, int | float | np.floating) and not isinstance(threshold, bool)
    valid, error = (0 < threshold <= 1, ValueError) if number else (False, TypeError)
    _require("threshold", threshold, valid, "an accuracy in (0, 1], such as 0.95", error)
    accuracy = as_float("validation_accuracy", validation_accuracy, tensor_ok=False)
    if accuracy < threshold:
        hint = "train as in task 0: two epochs of Adam, learning rate 0.003."
        fail(f"validation accuracy {accuracy:.1%} is below {threshold:.0%}.", hint)
    if max_difference is None:
        print(f"⚠ validation accuracy at least {threshold:.0%}; C++ skipped: {INSTALL_HINT}")
        return
    gap = as_float("max_difference", max_difference)
    if not 0 <= gap <= TOLERANCE:
        hint = "the largest absolute difference: (cpp_scores - python_scores).abs().max()."
        fail(f"C++ and Python scores differ by up to {gap:.2g}, outside [0, {TOLERANCE}].", hint)
    agree = f"C++ and Python scores agree within {TOLERANCE:g}"
    passed(f"validation accuracy at least {threshold:.0%}, and {agree}")
