"""What went wrong in a learner's code: where, and what a typical PyTorch error means.

Self-checks use it to point at the line of the learner's own code that failed, and to add
a hint to an error PyTorch raises at a typical slip (:data:`KNOWN_ERRORS`); the same hints
appear when such an error stops a notebook cell (``utils.checks._core``).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

# Frames from these folders (Python, installed packages, this package) are never
# the learner's own code.
_LIBRARY_FOLDERS = tuple(
    {
        str(Path(folder).resolve())
        for folder in (sys.prefix, sys.base_prefix, sys.exec_prefix, Path(__file__).parent)
    }
)


def _is_library_file(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    path = str(Path(filename).resolve())
    return any(path == folder or path.startswith(folder + os.sep) for folder in _LIBRARY_FOLDERS)


def learner_line(error: BaseException) -> str:
    """Return " (line N of your code: `...`)" for the deepest learner frame of ``error``."""
    learner_frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)[1:]  # [0]: our own call
        if not _is_library_file(frame.filename)
    ]
    if not learner_frames:
        return ""
    frame = learner_frames[-1]
    where = f"in {frame.name}" if frame.name not in ("<module>", "<lambda>") else "in your code"
    code = f": `{frame.line.strip()}`" if frame.line and frame.line.strip() else ""
    return f" ({where}, line {frame.lineno}{code})"


# (a piece of PyTorch's message, what it means for a learner). The first that matches wins.
KNOWN_ERRORS: tuple[tuple[str, str], ...] = (
    (
        "mat1 and mat2 shapes cannot be multiplied",
        "a Linear layer gets inputs of another width than its in_features: each layer takes as "
        "many values as the layer before it gives (after Flatten, for images).",
    ),
    (
        "Expected more than 1 value per channel when training",
        "BatchNorm in training mode needs two or more items per batch (drop_last=True for "
        "training; an example batch of at least 2 for export).",
    ),
    (
        "channels, but got",
        "a Conv2d layer gets another number of channels than its in_channels: the first takes "
        "the images' (batch, 1, height, width), each later one the previous out_channels.",
    ),
    ("Expected all tensors to be on the same device", "move model and batches with .to(device)."),
    (
        "does not require grad and does not have a grad_fn",
        "the loss is cut off from the model: compute it from the model's output, outside "
        "torch.no_grad(); call .item() or .detach() only for printing.",
    ),
    (
        "backward through the graph a second time",
        "add loss.item() to a running total, not the loss itself; call backward() once a batch.",
    ),
    (
        "must match the size of tensor b",
        "two tensors of different lengths meet: check each dim= (over one item's classes is "
        "dim=1, over the items dim=0) and that outputs and targets come from one batch.",
    ),
    (
        "received an invalid combination of arguments - got (axis=",
        "a NumPy function was given a tensor: use the tensor's own x.mean(), or x.numpy() first.",
    ),
    ("'method' object is not iterable", "a method used without its brackets: model.parameters()."),
    ("expected scalar type Long", "CrossEntropyLoss takes class indices as int64: .long()."),
    ("multi-target not supported", "CrossEntropyLoss takes class indices of shape (batch,)."),
    ("Found dtype Double but expected Float", "the data are float64: convert them with .float()."),
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "update parameters by hand inside `with torch.no_grad():`.",
    ),
    ("Can't call numpy() on Tensor that requires grad", "detach it first: x.detach().numpy()."),
    (
        "specialized it to be a constant",
        "an example batch of one makes torch.export treat the batch size as fixed: export with "
        "an example batch of at least two items.",
    ),
)


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]


def explain_error(error: BaseException) -> str | None:
    """Return a hint for an error PyTorch raises at a typical slip, or ``None`` if unknown."""
    text = str(error)
    return next((hint for piece, hint in KNOWN_ERRORS if piece in text), None)
