"""Model code that notebooks share, and a summary of any model that reads the same everywhere.

``FCNet`` is the fully-connected network that learners write in notebook 01; notebook 02
imports it from here instead of defining it again. ``DigitCNN`` is the small MNIST CNN that
learners write in notebook 03; notebook 05, which deploys it, imports it from here. A
checkpoint stores only a model's constructor arguments and weights, and these classes
rebuild the model from them::

    from utils.models import DigitCNN

    model = DigitCNN(channels=(16, 32), dropout=0.2)

``summarize`` prints a model's layers, their output shapes and parameter counts. Prefer it
to ``print(model)`` in stored notebook outputs: PyTorch's own ``repr`` of a layer changes
between versions (``BatchNorm`` gained ``bias=True`` in 2.12, for one), this table does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn


def _positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a positive whole number; raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{name} should be a positive whole number (an int), got {type(value).__name__} "
            f"({value!r})."
        )
    if value < 1:
        raise ValueError(f"{name} should be a positive whole number, got {value!r}.")
    return int(value)


def _probability(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in [0, 1); raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} should be a number in [0, 1), got {type(value).__name__}.")
    if not (math.isfinite(value) and 0 <= value < 1):
        raise ValueError(f"{name} should be in [0, 1), got {value!r}.")
    return float(value)


def _sizes(name: str, value: object, example: str) -> tuple[int, ...]:
    """Return a sequence of positive whole numbers as a tuple; raise naming ``name``."""
    if isinstance(value, str) or not isinstance(value, Sequence | torch.Size | np.ndarray):
        raise TypeError(
            f"{name} should be a sequence of whole numbers, e.g. {example}, got "
            f"{type(value).__name__} ({value!r})."
        )
    return tuple(_positive_int(f"{name}[{index}]", size) for index, size in enumerate(value))


def _check_batch(model: nn.Module, x: object, shape: tuple[int, ...]) -> None:
    """Raise a clear error unless ``x`` is a floating-point batch of items of ``shape``."""
    name, wanted = type(model).__name__, f"(N, {', '.join(map(str, shape))})"
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} takes a torch.Tensor of shape {wanted}, got {type(x).__name__}.")
    if not x.is_floating_point():
        raise TypeError(
            f"{name} takes floating-point inputs, got {x.dtype}; convert with x.float() "
            "(divide uint8 pixels by 255)."
        )
    if x.dim() != len(shape) + 1 or tuple(x.shape[1:]) != shape:
        hint = (
            " (one item: add a batch axis with x.unsqueeze(0))" if tuple(x.shape) == shape else ""
        )
        raise ValueError(f"{name} takes a batch of shape {wanted}, got {tuple(x.shape)}{hint}.")
    if model.training and x.shape[0] < 2:
        raise ValueError(
            f"{name} in training mode needs batches of 2 or more (BatchNorm computes batch "
            f"statistics), got {x.shape[0]}; call model.eval() to predict one item."
        )


class FCNet(nn.Module):
    """A fully-connected network: one hidden block per entry of ``hidden_sizes``.

    Each block is ``Linear``, ``BatchNorm1d``, ``ReLU`` and ``Dropout``; a last ``Linear``
    layer gives ``num_outputs`` raw outputs (logits for classification, values for
    regression), with no activation.

    Parameters
    ----------
    num_inputs
        Number of input features.
    num_outputs
        Number of outputs.
    hidden_sizes
        Width of each hidden block, in order.
    dropout
        Fraction of units that dropout zeroes during training.

    Raises
    ------
    TypeError
        If a size is not a whole number, ``hidden_sizes`` is not a sequence (write
        ``(32,)`` for one hidden layer of 32), or ``dropout`` is not a number.
    ValueError
        If a size is not positive or ``dropout`` is outside [0, 1).
    """

    def __init__(
        self,
        num_inputs: int,
        num_outputs: int,
        hidden_sizes: Sequence[int] = (32, 32),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.num_inputs = _positive_int("num_inputs", num_inputs)
        num_outputs = _positive_int("num_outputs", num_outputs)
        hidden_sizes = _sizes("hidden_sizes", hidden_sizes, "(32, 32) or (32,) for one layer")
        dropout = _probability("dropout", dropout)
        layers: list[nn.Module] = []
        width = self.num_inputs
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.BatchNorm1d(size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, num_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a batch of shape (batch, num_inputs) to (batch, num_outputs).

        Raises
        ------
        TypeError
            If ``x`` is not a floating-point tensor.
        ValueError
            If ``x`` is not of shape (batch, num_inputs), or a training-mode batch has one row.
        """
        _check_batch(self, x, (self.num_inputs,))
        return self.layers(x)


IMAGE_SHAPE = (1, 28, 28)  # channels, height, width of one MNIST digit
NUMBER_OF_CLASSES = 10


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Return a 3 × 3 convolution that keeps height and width, then BatchNorm and ReLU.

    Parameters
    ----------
    in_channels, out_channels
        The number of feature maps in and out.

    Returns
    -------
    nn.Sequential
        ``Conv2d`` (no bias: BatchNorm adds its own), ``BatchNorm2d``, ``ReLU``.

    Raises
    ------
    TypeError, ValueError
        If a channel count is not a positive whole number.
    """
    in_channels = _positive_int("in_channels", in_channels)
    out_channels = _positive_int("out_channels", out_channels)
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


class DigitCNN(nn.Module):
    """Two convolutional blocks and a linear classifier for 28 × 28 greyscale digits.

    Each block is two ``conv_block`` s and a 2 × 2 max-pooling (28 → 14 → 7); the
    classifier flattens the feature maps, applies dropout and a ``Linear`` layer
    with one score (logit) per digit.

    Parameters
    ----------
    channels
        The number of feature maps in the first and the second block.
    dropout
        The probability of zeroing each feature before the ``Linear`` layer, in
        training mode only.

    Raises
    ------
    TypeError
        If ``channels`` is not a sequence of whole numbers, or ``dropout`` not a number.
    ValueError
        If ``channels`` is not two positive integers, or ``dropout`` is not in [0, 1).
    """

    def __init__(self, channels: tuple[int, int] = (16, 32), dropout: float = 0.2) -> None:
        super().__init__()
        channels = _sizes("channels", channels, "(16, 32)")
        if len(channels) != 2:
            raise ValueError(
                f"channels should be two positive integers, one per block, got {channels!r}."
            )
        dropout = _probability("dropout", dropout)
        first, second = channels
        self.features = nn.Sequential(
            conv_block(1, first),
            conv_block(first, first),
            nn.MaxPool2d(2),  # 28 × 28 -> 14 × 14
            conv_block(first, second),
            conv_block(second, second),
            nn.MaxPool2d(2),  # 14 × 14 -> 7 × 7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(second * 7 * 7, NUMBER_OF_CLASSES),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the scores (logits), shape (N, 10), of images of shape (N, 1, 28, 28).

        Raises
        ------
        TypeError
            If ``x`` is not a floating-point tensor.
        ValueError
            If ``x`` is not of shape (N, 1, 28, 28), or a training-mode batch has one image.
        """
        _check_batch(self, x, IMAGE_SHAPE)
        return self.classifier(self.features(x))


def _trainable_parameters(model: nn.Module) -> int:
    """Return the number of trainable parameters (weights and biases) of ``model``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def _wanted_input(model: nn.Module) -> str:
    """Describe the input batch ``model`` takes, from its class or its first layer."""
    if isinstance(model, DigitCNN):
        return f"(N, {', '.join(map(str, IMAGE_SHAPE))})"
    if isinstance(model, FCNet):
        return f"(N, {model.num_inputs})"
    first = next((module for module in model.modules() if not list(module.children())), None)
    if isinstance(first, nn.Linear):
        return f"(N, ..., {first.in_features}) for its first layer, a Linear"
    if isinstance(first, nn.Conv2d):
        return f"(N, {first.in_channels}, height, width) for its first layer, a Conv2d"
    return "(N, ...), batch size first"


def summarize(model: nn.Module, input_shape: Sequence[int]) -> str:
    """Describe ``model`` layer by layer: name, type, output shape and number of parameters.

    The model runs once, in ``eval`` mode and without gradients, on zeros of
    ``input_shape`` (batch dimension included) on the model's device; its training mode is
    restored afterwards. Only the innermost layers (those without children) are listed.

    Parameters
    ----------
    model
        Any ``nn.Module``.
    input_shape
        The shape of one input batch, batch size first, for example ``(2, 6)`` or
        ``(2, 1, 28, 28)``.

    Returns
    -------
    str
        A table, one line per layer, and a total; ``print`` it.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or ``input_shape`` not a sequence of ints.
    ValueError
        If a size in ``input_shape`` is not positive, or the model cannot take an input
        of that shape; the message says what input the model takes, and PyTorch's error.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model should be a torch.nn.Module, got {type(model).__name__}.")
    input_shape = _sizes("input_shape", input_shape, "(2, 1, 28, 28), batch size first")
    rows: list[tuple[str, str, str, int]] = []

    def record(name: str):
        def hook(module: nn.Module, inputs: object, output: object) -> None:
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else "?"
            own_parameters = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append((name, type(module).__name__, str(shape), own_parameters))

        return hook

    leaves = [
        (name, module) for name, module in model.named_modules() if not list(module.children())
    ]
    handles = [module.register_forward_hook(record(name)) for name, module in leaves]
    was_training = model.training
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(input_shape, device=device))
    except (RuntimeError, ValueError, IndexError) as error:
        said = "" if isinstance(model, DigitCNN | FCNet) else f" PyTorch says: {error}"
        raise ValueError(
            f"{type(model).__name__} cannot take an input of shape {input_shape}: it takes "
            f"{_wanted_input(model)}; input_shape is the shape of a whole batch, batch size "
            f"first.{said}"
        ) from error
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    header = ("layer", "type", "output shape", "parameters")
    table = [header] + [(name, kind, shape, f"{count:,}") for name, kind, shape, count in rows]
    widths = [max(len(row[column]) for row in table) for column in range(3)]
    lines = [
        f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {shape:<{widths[2]}}  {count:>10}"
        for name, kind, shape, count in table
    ]
    total = f"{_trainable_parameters(model):,}"
    lines.append(f"{'total':<{widths[0] + widths[1] + widths[2] + 4}}  {total:>10}")
    return "\n".join(lines)
