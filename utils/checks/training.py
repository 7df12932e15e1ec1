"""Checks of a learner's training step: two steps on a small probe, compared with reference steps.

The learner's code takes two steps from known parameters; the check computes
what plain gradient descent would have done (``p - learning_rate * gradient``)
and names the classic slips from the difference:

- the parameters did not move (no ``optimizer.step()``, an update not assigned
  back, or ``zero_grad()`` between ``backward()`` and ``step()``);
- they moved the other way (a ``+`` for a ``-``: gradient ascent);
- the first step is right but the second also adds the first step's gradient
  (no ``zero_grad()``: gradients accumulate);
- there was no gradient at all (no ``backward()``, or the forward pass under
  ``torch.no_grad()``), or the model was in ``eval()`` mode while training.

Two entry points: :func:`check_update_rule` for a hand-written update of a few
numbers or tensors (notebook 00), :func:`check_optimizer_step` for a
``torch.optim`` loop ``train(model, loader, loss_function, optimizer, ...)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checks._core import CheckFailed, as_float, call_learner_function, fail, passed

NO_GRADIENT_HINT = (
    "no gradient reached the parameters: call loss.backward(), and compute the loss outside "
    "torch.no_grad() (only the update itself goes under no_grad)."
)


def _call(name: str, function: object, *args: Any, allow_none: bool = False) -> Any:
    """Call the learner's step, naming a loss computed without gradients."""
    try:
        return call_learner_function(name, function, *args, allow_none=allow_none)
    except CheckFailed as error:
        cause = error.__cause__
        if isinstance(cause, RuntimeError) and "does not require grad" in str(cause):
            raise CheckFailed(f"{name} could not compute gradients.", NO_GRADIENT_HINT) from cause
        raise


def _close(actual: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(actual, expected, rtol=1e-4, atol=1e-9))


def _diagnose_steps(
    name: str,
    parameters: Sequence[np.ndarray],
    gradients: Sequence[np.ndarray],
    learning_rate: float,
    unchanged_hint: str,
) -> None:
    """Fail naming the slip if two steps differ from plain gradient descent, else pass.

    Parameters
    ----------
    name
        The learner's function, used in messages.
    parameters
        The flattened parameters before, after one and after two steps.
    gradients
        The reference gradients at the first two of those parameters.
    learning_rate
        The step size the learner's code was given.
    unchanged_hint
        What to say when the parameters did not move.
    """
    first_step = parameters[1] - parameters[0]
    expected_first = -learning_rate * gradients[0]
    if _close(first_step, np.zeros_like(first_step)):
        fail(f"{name} did not change the parameters.", unchanged_hint)
    if _close(first_step, -expected_first):
        fail(
            f"{name} moved the parameters uphill, along the gradient.",
            "the sign of the update is flipped: subtract learning_rate × gradient.",
        )
    if not _close(first_step, expected_first):
        ratios = first_step[expected_first != 0] / expected_first[expected_first != 0]
        if ratios.size and np.allclose(ratios, ratios[0], rtol=1e-3):
            fail(
                f"{name} took a step {ratios[0]:.3g} times as long as learning_rate × gradient.",
                "multiply the gradient by the learning rate once, and step once per batch.",
            )
        fail(
            f"{name}'s step differs from learning_rate × gradient.",
            "compute the loss on the batch, call backward() once, then update every parameter.",
        )
    second_step = parameters[2] - parameters[1]
    if _close(second_step, -learning_rate * (gradients[0] + gradients[1])):
        fail(
            f"{name}'s second step also used the first step's gradient.",
            "gradients accumulate: zero them at every step, with optimizer.zero_grad() "
            "(or .grad.zero_() on each tensor).",
        )
    if not _close(second_step, -learning_rate * gradients[1]):
        fail(
            f"{name}'s first step is right, but its second is not.",
            "each step should start from fresh gradients of the current parameters.",
        )
    passed(f"{name} takes the same steps as gradient descent")


def check_update_rule(
    name: str,
    update: object,
    gradient: Callable[..., Sequence[float]],
    start: Sequence[float],
    learning_rate: float = 0.1,
    tensors: bool = False,
) -> None:
    """Check a hand-written gradient-descent update by taking two steps from ``start``.

    Parameters
    ----------
    name
        The learner's function, used in messages.
    update
        ``update(*parameters, learning_rate)``: one step. It returns the new
        parameters, or (with ``tensors``) may update them in place and return
        ``None``.
    gradient
        ``gradient(*parameters) -> gradients``: the reference gradient of the
        loss that ``update`` descends, at plain float parameters.
    start
        The parameters to start from, e.g. ``(m, c)``.
    learning_rate
        The step size passed to ``update``.
    tensors
        Pass float64 tensors with ``requires_grad=True`` (for an autograd
        update), the same tensors to both steps, so forgotten ``.grad.zero_()``
        shows; otherwise plain floats.

    Raises
    ------
    CheckFailed
        Naming the slip if the two steps differ from gradient descent.
    """
    if tensors:
        state: list[Any] = [
            torch.tensor(float(value), dtype=torch.float64, requires_grad=True) for value in start
        ]
    else:
        state = [float(value) for value in start]
    history = [np.array(start, dtype=np.float64)]
    for _ in range(2):
        result = _call(name, update, *state, learning_rate, allow_none=tensors)
        if result is not None:
            if not isinstance(result, tuple | list) or len(result) != len(state):
                fail(
                    f"{name} should return the {len(state)} updated parameters.",
                    "end it with e.g. return m, c",
                )
            state = list(result)
        history.append(np.array([as_float(f"{name}'s result", value) for value in state]))
    gradients = [np.asarray(gradient(*point), dtype=np.float64) for point in history[:2]]
    unchanged = "assign the update back (m = m - learning_rate * dL_dm)"
    if tensors:
        unchanged += ", or update the tensors in place under torch.no_grad() (m -= ...)"
    _diagnose_steps(name, history, gradients, learning_rate, unchanged + ".")


class _ProbeModel(nn.Module):
    """A linear layer that records whether it was in training mode at each call."""

    def __init__(self, n_inputs: int, n_outputs: int, generator: torch.Generator) -> None:
        super().__init__()
        self.linear = nn.Linear(n_inputs, n_outputs, dtype=torch.float64)
        with torch.no_grad():
            for parameter in self.linear.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator))
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.linear(x)


def _flat(model: nn.Module) -> np.ndarray:
    return torch.cat([p.detach().flatten() for p in model.parameters()]).numpy().copy()


def check_optimizer_step(
    name: str,
    train_function: object,
    *extra_args: object,
    task: Literal["regression", "classification"] = "regression",
    learning_rate: float = 0.1,
) -> None:
    """Check a training loop by running it twice on one batch of a probe model.

    Calls ``train_function(model, loader, loss_function, optimizer, *extra_args)``
    twice, where ``loader`` holds a single batch, ``optimizer`` is plain
    ``torch.optim.SGD`` and ``loss_function`` is ``nn.MSELoss()`` (regression)
    or ``nn.CrossEntropyLoss()`` (classification), and compares both steps
    with gradient descent on that batch.

    Parameters
    ----------
    name
        The learner's function, used in messages.
    train_function
        The learner's training loop (one pass over ``loader``).
    *extra_args
        Further arguments, e.g. ``torch.device("cpu")``.
    task
        Which loss and targets the probe uses.
    learning_rate
        The SGD step size.

    Raises
    ------
    CheckFailed
        Naming the slip if the steps differ from gradient descent, the model
        was never called or was in ``eval()`` mode.
    """
    generator = torch.Generator().manual_seed(0)
    n_outputs = 3 if task == "classification" else 1
    model = _ProbeModel(3, n_outputs, generator)
    x = torch.randn(4, 3, generator=generator, dtype=torch.float64)
    if task == "classification":
        y = torch.tensor([0, 2, 1, 2])
        loss_function: nn.Module = nn.CrossEntropyLoss()
    else:
        y = torch.randn(4, 1, generator=generator, dtype=torch.float64)
        loss_function = nn.MSELoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=len(x))
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def reference_gradient(parameters: np.ndarray) -> np.ndarray:
        reference = copy.deepcopy(model).requires_grad_(True)
        torch.nn.utils.vector_to_parameters(torch.from_numpy(parameters), reference.parameters())
        reference.zero_grad(set_to_none=True)
        loss_function(reference.linear(x), y).backward()
        return torch.cat([p.grad.flatten() for p in reference.parameters()]).numpy()

    history = [_flat(model)]
    for _ in range(2):
        _call(
            name,
            train_function,
            model,
            loader,
            loss_function,
            optimizer,
            *extra_args,
            allow_none=True,
        )
        history.append(_flat(model))
    if not model.modes:
        fail(f"{name} never called the model.", "compute predictions with model(x) in the loop.")
    if not all(model.modes):
        fail(
            f"{name} ran the model in evaluation mode.",
            "call model.train() before training (model.eval() is for validation only).",
        )
    if _close(history[1], history[0]) and all(p.grad is None for p in model.parameters()):
        fail(f"{name} did not change the parameters.", NO_GRADIENT_HINT)
    gradients = [reference_gradient(point) for point in history[:2]]
    _diagnose_steps(
        name,
        history,
        gradients,
        learning_rate,
        "call optimizer.step() after loss.backward(); optimizer.zero_grad() goes before "
        "backward() (or after step()), never between them.",
    )
