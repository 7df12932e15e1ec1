"""Model code that notebooks share, and a summary of any model that reads the same everywhere.

``FCNet`` is the fully-connected network that learners write in notebook 01; notebook 02
and later ones import it from here instead of defining it again.

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
