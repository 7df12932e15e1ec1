"""What the checks of notebooks 01 and 02 share: predictions, curves, model, optimiser, loss."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import torch
from matplotlib.axes import Axes
from torch import nn

from utils.checks._core import check_tensor, fail, require_answer
from utils.checks.engine import predict


def check_predicted(name: str, value: object, shape: tuple[int, ...], hint: str) -> torch.Tensor:
    """Check that ``value`` is a tensor of ``shape`` on the CPU, as plots need; return it."""
    check_tensor(name, value)
    value = cast(torch.Tensor, value).detach()
    if tuple(value.shape) != shape:
        fail(f"{name} has shape {tuple(value.shape)}, expected {shape}.", hint)
    if value.device.type != "cpu":
        fail(f"{name} is still on the GPU.", "move it with .cpu() for plotting.")
    return value


def curves_on(name: str, ax: object, length: int) -> list[np.ndarray]:
    """The y values of each line on the Axes ``ax`` that has ``length`` points."""
    if not isinstance(ax, Axes):
        fail(f"{name} should be a matplotlib Axes, got {type(ax).__name__}.")
    lines = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    return [line for line in lines if len(line) == length]


def check_model(model: object, num_features: int, num_outputs: int) -> nn.Module:
    """Check that ``model`` maps a batch of feature vectors to raw outputs of the right shape."""
    require_answer("model", model)
    if not isinstance(model, nn.Module):
        hint = "create an instance of the class: model = FCNet(...)."
        fail(f"model should be an nn.Module, got {type(model).__name__}.", hint)
    if next(model.parameters(), None) is None:
        fail("model has no parameters to train.", "build its layers in __init__ and keep them.")
    batch = torch.randn(8, num_features, generator=torch.Generator().manual_seed(0))
    try:
        output = predict(model, batch)
    except Exception as error:  # a learner's model can raise anything
        hint = f"the first Linear layer takes the {num_features} features; each later one takes "
        hint += "as many inputs as the layer before it has outputs."
        fail(f"model fails on a batch of shape (8, {num_features}): {error}", hint)
    check_tensor("model(batch)", output, shape=(8, num_outputs), dtype=torch.float32)
    sums_to_one = torch.allclose(output.sum(dim=1), torch.ones(8), atol=1e-4)
    if num_outputs > 1 and sums_to_one and bool((output >= 0).all()):
        hint = "return raw scores (logits); CrossEntropyLoss applies the softmax itself."
        fail("model's outputs look like probabilities (each row sums to 1).", hint)
    return model


def check_optimizer(optimizer: object, model: nn.Module, kind: type, lr: float) -> None:
    """Check that ``optimizer`` is a ``kind`` with learning rate ``lr`` over ``model``'s weights."""
    require_answer("optimizer", optimizer)
    if not isinstance(optimizer, kind):
        hint = f"torch.optim.{kind.__name__}(model.parameters(), lr={lr})"
        fail(f"optimizer is {type(optimizer).__name__}; the task asks for {kind.__name__}.", hint)
    if not math.isclose(learning_rate := optimizer.param_groups[0]["lr"], lr):
        fail(f"the learning rate is {learning_rate}; the task asks for {lr}.")
    handed = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if handed != {id(p) for p in model.parameters()}:
        hint = "create the optimiser after the model, from model.parameters() of that same model."
        fail("optimizer does not hold this model's parameters: step() would not change it.", hint)


def check_loss(loss: object) -> float:
    """Check that ``loss`` is a single-number tensor that backpropagation can start from."""
    check_tensor("loss", loss, shape=(), dtype=torch.float32)
    if not isinstance(loss, torch.Tensor) or loss.grad_fn is None:
        hint = "compute it from the model's output, and only call .item() for printing."
        fail("loss is not connected to the model's parameters: backward() has nothing to do.", hint)
    return loss.item()
