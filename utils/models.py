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

from collections.abc import Sequence

import torch
from torch import nn


class FCNet(nn.Module):
    """A fully-connected network: one hidden block per entry of ``hidden_sizes``.

    Each block is ``Linear``, ``BatchNorm1d``, ``ReLU`` and ``Dropout``; a last ``Linear``
    layer gives ``n_outputs`` raw outputs (logits for classification, values for
    regression), with no activation.

    Parameters
    ----------
    n_inputs
        Number of input features.
    n_outputs
        Number of outputs.
    hidden_sizes
        Width of each hidden block, in order.
    dropout
        Fraction of units that dropout zeroes during training.

    Raises
    ------
    ValueError
        If a size is not a positive whole number or ``dropout`` is outside [0, 1).
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        hidden_sizes: Sequence[int] = (32, 32),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        for name, size in [("n_inputs", n_inputs), ("n_outputs", n_outputs)] + [
            (f"hidden_sizes[{index}]", size) for index, size in enumerate(hidden_sizes)
        ]:
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"{name} should be a positive whole number, got {size!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout should be in [0, 1), got {dropout!r}.")
        layers: list[nn.Module] = []
        width = n_inputs
        for size in hidden_sizes:
            layers += [nn.Linear(width, size), nn.BatchNorm1d(size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a batch of shape (batch, n_inputs) to (batch, n_outputs)."""
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
    """
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
    ValueError
        If ``channels`` is not two positive integers, or ``dropout`` is not in [0, 1).
    """

    def __init__(self, channels: tuple[int, int] = (16, 32), dropout: float = 0.2) -> None:
        super().__init__()
        channels = tuple(channels)
        if len(channels) != 2 or not all(
            isinstance(number, int) and number > 0 for number in channels
        ):
            raise ValueError(f"channels should be two positive integers, got {channels!r}.")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout should be a probability in [0, 1), got {dropout!r}.")
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
        """Return the scores (logits), shape (N, 10), of images of shape (N, 1, 28, 28)."""
        return self.classifier(self.features(x))


def _trainable_parameters(model: nn.Module) -> int:
    """Return the number of trainable parameters (weights and biases) of ``model``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


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
        The shape of one input batch, for example ``(2, 6)`` or ``(2, 1, 28, 28)``.

    Returns
    -------
    str
        A table, one line per layer, and a total; ``print`` it.

    Raises
    ------
    ValueError
        If the model cannot take an input of that shape; the message includes PyTorch's.
    """
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
            model(torch.zeros(tuple(input_shape), device=device))
    except RuntimeError as error:
        raise ValueError(
            f"{type(model).__name__} cannot take an input of shape {tuple(input_shape)}: {error}"
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
