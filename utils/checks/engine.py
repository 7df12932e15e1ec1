"""The probe engine behind every notebook's ``check_train_one_epoch`` and ``check_evaluate``.

A check runs the learner's function on a *probe*: a tiny seeded model (with BatchNorm and
Dropout, so that the mode matters), ten items in batches of 4, 4 and 2 (so that a mean of
batch means is wrong), a loss, an optimiser and, where the notebook has them, a scheduler and
an augmentation. It records what the function does (each forward: mode, gradients, inputs on
``device`` or not; each loss: arguments, batch mean, the factor ``backward`` was called with;
each ``zero_grad``, ``step``, ``scheduler.step``) and names the first slip the record shows,
from the one table ``SLIPS``. A wrong number is explained by a wrong reduction over batches
(:func:`diagnose_mean`), a factor or offset (:func:`describe_difference`), or by experiment
(the same items in one batch, or in reverse order); otherwise the message says what differs.

Tensors the probe loader yields carry a marker that ``.to(device)`` removes: so a learner who
never moves labels to the device is told so on a computer without a GPU too.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import nn
from torch.utils.data import TensorDataset

from utils.checks._core import CheckFailed, as_float, call_learner_function, fail, require_answer

STEP_ORDER = "optimizer.zero_grad() → forward → loss → loss.backward() → optimizer.step()"
SIZES = (4, 4, 2)

# Every slip any notebook's epoch can make, once: (what happened, what to do).
SLIPS: dict[str, tuple[str, str]] = {
    "other_model": (
        "trains another model than the one passed in: the probe model was never called.",
        "use the function's own argument, `model`, not a model from elsewhere in the notebook.",
    ),
    "other_loss": (
        "never calls the loss_function it is given.",
        "use its argument, loss_function.",
    ),
    "other_optimizer": (
        "changes the weights without the optimizer it is given.",
        "step with its argument, optimizer.step(), not an optimiser from elsewhere.",
    ),
    "inputs_not_moved": (
        "gives the model inputs never moved to `device`: on a GPU this fails.",
        "move each batch first: inputs = inputs.to(device).",
    ),
    "targets_not_moved": (
        "compares outputs on `device` with targets never moved there: on a GPU this fails.",
        "move the targets too: targets = targets.to(device).",
    ),
    "eval_mode": (
        "trains in evaluation mode, where Dropout is off and BatchNorm learns nothing.",
        "call model.train() at the start of the epoch (evaluate leaves the model in eval mode).",
    ),
    "no_grad_training": (
        "runs the forward pass under torch.no_grad(): there is no gradient to learn from.",
        "only evaluation runs without gradients; train with them on.",
    ),
    "early_return": (
        "stops early: it trains on {seen} of {batches} batches.",
        "a `return` inside the for loop ends the epoch; return after the loop.",
    ),
    "no_backward": (
        "never calls loss.backward(): there is no gradient.",
        f"per batch: {STEP_ORDER}.",
    ),
    "ascent": (
        "back-propagates the negative of the loss: the weights move uphill.",
        "call loss.backward() on the loss itself; the optimizer subtracts the gradient already.",
    ),
    "scaled_backward": (
        "back-propagates {factor:g} × the loss, so every step is {factor:g} times too large.",
        "call backward() on the batch's mean loss; multiply by the batch size only the total.",
    ),
    "no_step": (
        "never calls optimizer.step(): the weights never change.",
        f"per batch: {STEP_ORDER}.",
    ),
    "no_zero_grad": (
        "never zeroes the gradients: backward() adds to .grad, so each step uses the sum of "
        "this batch's gradient and every earlier one's.",
        "call optimizer.zero_grad() in every batch, before loss.backward().",
    ),
    "zero_grad_after_backward": (
        "calls zero_grad() between loss.backward() and optimizer.step(): the gradient is wiped.",
        f"zero the gradients before backward: {STEP_ORDER}.",
    ),
    "step_before_backward": (
        "calls optimizer.step() before loss.backward(): it steps with the last batch's gradient.",
        f"per batch: {STEP_ORDER}.",
    ),
    "softmax": (
        "passes probabilities to the loss: CrossEntropyLoss applies the softmax itself.",
        "give loss_function the model's raw scores (logits).",
    ),
    "shape_mismatch": (
        "compares outputs of shape {output} with targets of shape {target}: the loss "
        "broadcasts them to a grid of every pair.",
        "keep outputs and targets the same shape (no .squeeze() on one of them).",
    ),
    "no_scheduler": ("never steps the scheduler it is given.", "call scheduler.step() per batch."),
    "scheduler_per_epoch": (
        "steps the scheduler {count} time(s) in an epoch of {batches} batches.",
        "call scheduler.step() inside the loop, after optimizer.step(): it counts batches.",
    ),
    "scheduler_before_step": (
        "steps the scheduler before optimizer.step(): each batch learns at the next batch's rate.",
        "call scheduler.step() right after optimizer.step().",
    ),
    "no_augment": (
        "never augments the batches, though it is given `augment`.",
        "when augment is given, apply it to each batch of inputs before the forward pass.",
    ),
    "returns_tensor": (
        "returns a {kind} where a Python float is wanted.",
        "add loss.item(), a plain number, to the total: a tensor keeps each batch's graph alive "
        "and breaks plots and comparisons later.",
    ),
    "eval_in_train_mode": (
        "predicts in training mode: Dropout drops units at random, BatchNorm updates itself.",
        "call model.eval() before the loop.",
    ),
    "eval_with_grad": (
        "builds the graph for backpropagation, which evaluation never uses.",
        "run the loop under torch.no_grad() (or decorate the function with @torch.no_grad()).",
    ),
    "eval_changes_weights": (
        "changes the model's weights: evaluation must only look.",
        "no optimizer.step() or backward() in evaluate.",
    ),
}


def slip(name: str, **details: object) -> tuple[str, str]:
    """Return the (message, hint) of slip ``name``, its placeholders filled from ``details``."""
    message, hint = SLIPS[name]
    return message.format(**details), hint.format(**details)


# --- Probe data that know whether they were moved to the device ------------------------------


class _OnLoaderDevice(torch.Tensor):
    """A tensor where the loader put it. ``.to(...)`` moves it to the device (a plain tensor).

    Any other operation gives a plain tensor, so the marker never spreads.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    def to(self, *args: Any, **kwargs: Any) -> torch.Tensor:  # type: ignore[override]
        return torch.Tensor.to(self.as_subclass(torch.Tensor), *args, **kwargs)


class _OnModelDevice(torch.Tensor):
    """A model's output, on the device. ``.cpu()`` brings it back to where the loader is."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    def cpu(self, *args: Any, **kwargs: Any) -> torch.Tensor:  # type: ignore[override]
        return torch.Tensor.cpu(self, *args, **kwargs).as_subclass(_OnLoaderDevice)


def _unmoved(tensor: object) -> bool:
    return isinstance(tensor, _OnLoaderDevice)


class ProbeLoader:
    """Batches of a small data set, in a fixed order, with ``dataset`` and ``batch_size``."""

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, sizes: tuple[int, ...]):
        self.dataset = TensorDataset(inputs, targets)
        self.batch_size = sizes[0]
        self.sizes = sizes

    def __len__(self) -> int:
        return len(self.sizes)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        start = 0
        for size in self.sizes:
            x, y = self.dataset.tensors
            yield (
                x[start : start + size].clone().as_subclass(_OnLoaderDevice),
                y[start : start + size].clone().as_subclass(_OnLoaderDevice),
            )
            start += size


def probe_augment(inputs: torch.Tensor) -> torch.Tensor:
    """The probe's augmentation: deterministic, so that every replay sees the same inputs."""
    return inputs.flip(-1) + 0.25


@dataclass(frozen=True)
class Probe:
    """A tiny training problem that stands in for a notebook's own.

    ``task`` is ``"classification"`` (three classes, cross-entropy) or ``"regression"``
    (mean squared error); ``input_shape`` is one item's shape; ``mode_layers`` gives the
    model BatchNorm and Dropout; ``scheduler`` (halving the learning rate every batch) and
    ``augment`` are passed to ``train_one_epoch`` as keywords when true; ``extra_scales``
    names numbers a slip could multiply a metric by.
    """

    task: Literal["classification", "regression"]
    input_shape: tuple[int, ...]
    num_outputs: int
    mode_layers: bool = True
    scheduler: bool = False
    augment: bool = False
    learning_rate: float = 0.1
    seed: int = 0
    extra_scales: Mapping[str, float] = field(default_factory=dict)

    def model(self) -> nn.Module:
        """A fresh, seeded probe model (in evaluation mode, as ``evaluate`` leaves a model)."""
        generator = torch.Generator().manual_seed(self.seed)
        num_inputs = math.prod(self.input_shape)
        if self.mode_layers:
            layers: list[nn.Module] = [nn.Flatten(), nn.Linear(num_inputs, 6), nn.BatchNorm1d(6)]
            layers += [nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, self.num_outputs)]
        else:
            layers = [nn.Flatten(), nn.Linear(num_inputs, self.num_outputs)]
        model = nn.Sequential(*layers)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.copy_(0.7 * torch.randn(parameter.shape, generator=generator))
            for module in model.modules():
                if isinstance(module, nn.BatchNorm1d):  # running statistics far from a batch's
                    module.running_mean.fill_(0.7)
                    module.running_var.fill_(3.0)
        return model.eval()

    def loader(self, sizes: tuple[int, ...] = SIZES) -> ProbeLoader:
        """The probe's items (the same ten whatever the batch sizes), in batches of ``sizes``."""
        generator = torch.Generator().manual_seed(self.seed + 1)
        inputs = torch.randn(sum(SIZES), *self.input_shape, generator=generator)
        if self.task == "classification":
            targets = torch.tensor([0, 1, 2, 0, 2, 1, 1, 0, 2, 2])
        else:
            targets = torch.randn(sum(SIZES), self.num_outputs, generator=generator)
        return ProbeLoader(inputs, targets, sizes)

    def loss_function(self) -> nn.Module:
        return nn.CrossEntropyLoss() if self.task == "classification" else nn.MSELoss()

    def optimizer(self, model: nn.Module) -> tuple[torch.optim.Optimizer, Any]:
        optimizer = torch.optim.SGD(model.parameters(), lr=self.learning_rate)
        if not self.scheduler:
            return optimizer, None
        return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5**step)


# --- Recording what the learner's function does ---------------------------------------------


@dataclass
class Record:
    """What happened while a learner's function ran on a probe, in order."""

    events: list[str] = field(default_factory=list)
    forward_modes: list[bool] = field(default_factory=list)  # model.training at each forward
    forward_grad: list[bool] = field(default_factory=list)
    inputs_unmoved: bool = False
    targets_unmoved: bool = False
    probabilities: bool = False
    shapes: tuple[tuple[int, ...], tuple[int, ...]] | None = None
    backward_factors: list[float] = field(default_factory=list)
    batch_losses: list[tuple[float, int]] = field(default_factory=list)  # (mean, batch size)

    def count(self, event: str) -> int:
        return self.events.count(event)


class _RecordingLoss(nn.Module):
    """Wraps a loss function and records each call, its arguments and its backward pass."""

    def __init__(self, loss_function: nn.Module, record: Record) -> None:
        super().__init__()
        self.loss_function, self.record = loss_function, record

    def forward(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        record = self.record
        record.events.append("loss")
        if _unmoved(targets) and isinstance(outputs, _OnModelDevice):
            record.targets_unmoved = True
        plain = outputs.detach().as_subclass(torch.Tensor)
        if isinstance(self.loss_function, nn.CrossEntropyLoss) and plain.dim() == 2:
            sums = plain.sum(dim=1)
            record.probabilities |= bool((plain >= 0).all()) and torch.allclose(
                sums, torch.ones_like(sums), atol=1e-4
            )
        elif outputs.shape != targets.shape:
            record.shapes = (tuple(outputs.shape), tuple(targets.shape))
        with warnings.catch_warnings():  # a broadcasting MSE warns; the record names it
            warnings.simplefilter("ignore", UserWarning)
            loss = self.loss_function(outputs, targets)
        record.batch_losses.append((float(loss.detach()), len(targets)))
        if loss.requires_grad:
            loss.register_hook(lambda gradient: self._backward(gradient))
        return loss

    def _backward(self, gradient: torch.Tensor) -> None:
        self.record.events.append("backward")
        self.record.backward_factors.append(float(gradient.sum()))


def _instrument(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any) -> Record:
    """Record forwards, ``zero_grad``, ``step`` and ``scheduler.step`` calls in a new Record."""
    record = Record()

    def before_forward(module: nn.Module, args: tuple[Any, ...]) -> None:
        record.events.append("forward")
        record.forward_modes.append(module.training)
        record.forward_grad.append(torch.is_grad_enabled())
        record.inputs_unmoved |= any(_unmoved(argument) for argument in args)

    model.register_forward_pre_hook(before_forward)
    model.register_forward_hook(lambda _, __, output: output.as_subclass(_OnModelDevice))
    optimizer.register_step_pre_hook(lambda *_: record.events.append("step"))
    for owner in (optimizer, model):
        zero_grad = owner.zero_grad

        def recorded_zero_grad(*args: Any, _zero_grad: Any = zero_grad, **kwargs: Any) -> None:
            record.events.append("zero_grad")
            _zero_grad(*args, **kwargs)

        owner.zero_grad = recorded_zero_grad  # type: ignore[method-assign]
    if scheduler is not None:
        scheduler_step = scheduler.step

        def recorded_scheduler_step(*args: Any, **kwargs: Any) -> None:
            record.events.append("scheduler")
            with warnings.catch_warnings():  # the order warning: the record names the slip
                warnings.simplefilter("ignore", UserWarning)
                scheduler_step(*args, **kwargs)

        scheduler.step = recorded_scheduler_step
    return record


def _recorded_augment(record: Record) -> Callable[[torch.Tensor], torch.Tensor]:
    def augment(inputs: torch.Tensor) -> torch.Tensor:
        record.events.append("augment")
        augmented = probe_augment(inputs)  # stays on the device where its inputs are
        return augmented.as_subclass(_OnLoaderDevice) if _unmoved(inputs) else augmented

    return augment


# --- Reading a number: reductions, factors, offsets ---------------------------------------


def close(value: float, expected: float, tolerance: float = 1e-4) -> bool:
    """Whether two numbers agree to a relative ``tolerance`` (and 1e-7 absolute)."""
    return math.isclose(value, expected, rel_tol=tolerance, abs_tol=1e-7)


def diagnose_mean(value: float, batches: list[tuple[float, int]], what: str) -> str | None:
    """Name the wrong reduction of (batch mean, size) pairs that gives ``value``, or ``None``."""
    means = [mean for mean, _ in batches]
    sizes = [size for _, size in batches]
    total = sum(mean * size for mean, size in batches)
    count, num_batches = sum(sizes), len(batches)
    weigh = f"add {what} × the batch's size, then divide by the number of items"
    wrong = {
        sum(means) / num_batches: f"a mean of the batch means: the smaller last batch counts "
        f"as much as a full one. {weigh.capitalize()}.",
        sum(means) / count: f"each batch's mean is added unweighted: {weigh}.",
        total: "the total over the items is never divided: divide by the number of items, "
        "len(loader.dataset).",
        sum(means): f"the sum of the batch means: {weigh}.",
        total / num_batches: "divided by the number of batches, len(loader); divide by the "
        "number of items, len(loader.dataset).",
        means[-1]: "the last batch's value only: accumulate over every batch of the epoch.",
        means[0]: "the first batch's value only: accumulate over every batch of the epoch.",
        means[-1] * sizes[-1] / count: "only the last batch's total is kept: `total = ...` "
        "where `total += ...` adds every batch's.",
    }
    return next((hint for number, hint in wrong.items() if close(value, number)), None)


def describe_difference(value: float, expected: float, scales: Mapping[str, float]) -> str:
    """Say how ``value`` relates to ``expected``: a sign, a square, one of the named
    ``scales`` as a factor or an offset, or no relation we know."""
    if close(value, -expected):
        return "it has the wrong sign"
    if expected > 0 and value > 0:
        if close(value, expected**2):
            return "it is the square of the right value"
        if close(value, math.sqrt(expected)):
            return "it is the square root of the right value"
    for name, scale in scales.items():
        if close(value, expected * scale):
            return f"it is {name} times the right value"
        if scale and close(value, expected / scale):
            return f"it is the right value divided by {name}"
        if close(value, expected + scale) or close(value, expected - scale):
            return f"it is off by {name}"
    ratio = value / expected if expected else math.inf
    return f"it is {ratio:.4g} × the right value, a factor that matches no slip we know"


# --- train_one_epoch ------------------------------------------------------------------------


def _parameters(model: nn.Module) -> torch.Tensor:
    return torch.cat([parameter.detach().flatten() for parameter in model.parameters()])


def reference_epoch(probe: Probe, model: nn.Module) -> float:
    """Train ``model`` one epoch on the probe, right; return the mean loss over the items."""
    optimizer, scheduler = probe.optimizer(model)
    loss_function, total = probe.loss_function(), 0.0
    model.train()
    for inputs, targets in probe.loader():
        inputs, targets = inputs.to("cpu"), targets.to("cpu")
        if probe.augment:
            inputs = probe_augment(inputs)
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(targets)
    return total / sum(SIZES)


def _order_slip(record: Record, probe: Probe, num_batches: int) -> tuple[str, str] | None:
    """Name the first step of the recorded epoch that a right epoch would not take."""
    if record.count("forward") == 0:
        return slip("other_model")
    if record.count("loss") == 0:
        return slip("other_loss")
    if record.inputs_unmoved:
        return slip("inputs_not_moved")
    if record.targets_unmoved:
        return slip("targets_not_moved")
    if not any(record.forward_modes):
        return slip("eval_mode")
    if not any(record.forward_grad):
        return slip("no_grad_training")
    if record.count("loss") < num_batches:
        return slip("early_return", seen=record.count("loss"), batches=num_batches)
    if record.probabilities:
        return slip("softmax")
    if record.shapes is not None:
        return slip("shape_mismatch", output=record.shapes[0], target=record.shapes[1])
    if probe.augment and record.count("augment") == 0:
        return slip("no_augment")
    if record.count("backward") == 0:
        return slip("no_backward")
    factor = record.backward_factors[0]
    if close(factor, -1.0):
        return slip("ascent")
    if not close(factor, 1.0):
        return slip("scaled_backward", factor=factor)
    if record.count("step") == 0:
        return slip("no_step")
    if probe.scheduler and record.count("scheduler") == 0:
        return slip("no_scheduler")
    if probe.scheduler and record.count("scheduler") != num_batches:
        return slip("scheduler_per_epoch", count=record.count("scheduler"), batches=num_batches)
    return _step_slip(record.events)


def _step_slip(events: list[str]) -> tuple[str, str] | None:
    """Name a step out of order: each backward after a zero_grad, each step after a backward."""
    since_step: list[str] = []
    steps = 0
    for event in events:
        if event == "scheduler" and "backward" in since_step:
            return slip("scheduler_before_step")
        if event == "backward" and steps and "zero_grad" not in since_step:
            return slip("no_zero_grad")
        if event == "step":
            if "backward" not in since_step:
                return slip("step_before_backward")
            last_backward = len(since_step) - since_step[::-1].index("backward")
            if "zero_grad" in since_step[last_backward:]:
                return slip("zero_grad_after_backward")
            since_step, steps = [], steps + 1
        else:
            since_step.append(event)
    return None


def probe_train_one_epoch(
    train_one_epoch: object, probe: Probe, name: str = "train_one_epoch"
) -> float:
    """Run the learner's ``train_one_epoch`` on ``probe``; return the mean loss it returns.

    It gets a probe model in evaluation mode (as ``evaluate`` leaves one), the probe's
    loader, loss and SGD optimiser, ``device=cpu`` and, as keywords, ``scheduler`` and
    ``augment`` where the probe has them. Its weights must end as one right epoch's, and it
    must return the mean loss over the items as a float; otherwise it fails naming the slip.
    The notebook's random numbers are left alone; ``name`` is what messages call it.
    """
    require_answer(name, train_one_epoch)
    with torch.random.fork_rng():
        torch.manual_seed(probe.seed)
        model = probe.model()
        start = _parameters(model)
        optimizer, scheduler = probe.optimizer(model)
        record = _instrument(model, optimizer, scheduler)
        options: dict[str, Any] = {}
        if probe.scheduler:
            options["scheduler"] = scheduler
        if probe.augment:
            options["augment"] = _recorded_augment(record)
        loader = probe.loader()
        loss_function = _RecordingLoss(probe.loss_function(), record)
        arguments = (model, loader, loss_function, optimizer, torch.device("cpu"))
        result = _call_on_probe(name, train_one_epoch, record, arguments, options)
        torch.manual_seed(probe.seed)
        reference = probe.model()
        reference_epoch(probe, reference)
    found = _order_slip(record, probe, len(loader))
    changed = not torch.allclose(_parameters(model), start)
    if found is None and changed and record.count("step") == 0:
        found = slip("other_optimizer")
    if found is not None:
        fail(f"On a probe of {len(loader)} batches, {name} {found[0]}", found[1])
    difference = (_parameters(model) - _parameters(reference)).abs().max().item()
    if difference > 1e-5:
        fail(
            f"On a probe, {name} takes the right steps in the right order, yet its "
            f"weights after the epoch differ from a right epoch's by up to {difference:.3g}.",
            "look at what else the loop does to the model or the batches: it should only "
            f"take, for each batch, {STEP_ORDER}.",
        )
    return _mean_returned(name, result, record.batch_losses, "the loss")


def _call_on_probe(
    name: str, function: object, record: Record, arguments: tuple, options: dict[str, Any]
) -> Any:
    """Call the learner's function; a crash before the probe model ran names the model used."""
    try:
        return call_learner_function(name, function, *arguments, **options)
    except CheckFailed:
        if record.count("forward") == 0 and "`...`" not in str(sys.exc_info()[1]):
            message, hint = slip("other_model")
            fail(f"{name} crashed on a probe, and {message}", hint)
        raise


def _mean_returned(name: str, result: object, batches: list[tuple[float, int]], what: str) -> float:
    """Check that ``result`` is the exact mean of ``batches`` as a Python float."""
    if isinstance(result, torch.Tensor | dict | tuple | list):
        kind = f"{type(result).__name__}" + (
            f" of shape {tuple(result.shape)}" if isinstance(result, torch.Tensor) else ""
        )
        message, hint = slip("returns_tensor", kind=kind)
        fail(f"{name} {message}", hint)
    value = as_float(f"the value {name} returns", result)
    expected = sum(mean * size for mean, size in batches) / sum(size for _, size in batches)
    if not close(value, expected):
        cause = diagnose_mean(value, batches, what)
        fail(
            f"{name} returns {value:.5g}; the mean over the items of this epoch is {expected:.5g}.",
            cause
            or f"{describe_difference(value, expected, {})}: return the sum of "
            f"{what} × batch size over the epoch, divided by the number of items.",
        )
    return value


# --- evaluate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """A per-item quantity ``evaluate`` averages: ``per_item(outputs, targets)`` gives one
    value per item, ``what`` names it in hints, ``scales`` names factors a slip could bring,
    and ``variants`` names other per-item quantities a slip could compute instead."""

    per_item: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    what: str
    scales: Mapping[str, float] = field(default_factory=dict)
    variants: Mapping[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = field(
        default_factory=dict
    )


ACCURACY = Metric(
    lambda outputs, labels: (outputs.argmax(dim=1) == labels).float(),
    "the number of right predictions",
    {"100 (a percentage, not a fraction)": 100.0},
)


def predict(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The model's outputs for ``inputs`` in evaluation mode without gradients, on the CPU;
    the model's mode is left as it was."""
    was_training = model.training
    parameter = next(model.parameters(), None)
    model.eval()
    try:
        with torch.no_grad():
            device = parameter.device if parameter is not None else "cpu"
            outputs = model(inputs.as_subclass(torch.Tensor).to(device))
            return outputs.cpu() if isinstance(outputs, torch.Tensor) else outputs
    finally:
        model.train(was_training)


def _run_evaluate(
    evaluate: Callable[..., Any], probe: Probe, sizes: tuple[int, ...]
) -> tuple[Any, Record, nn.Module]:
    model = probe.model().train()  # handed over in training mode: evaluate must switch
    record = _instrument(model, *probe.optimizer(model))
    loss_function = _RecordingLoss(probe.loss_function(), record)
    arguments = (model, probe.loader(sizes), loss_function, torch.device("cpu"))
    result = _call_on_probe("evaluate", evaluate, record, arguments, {})
    return result, record, model


def _metrics_returned(result: object, names: list[str]) -> dict[str, float]:
    if not isinstance(result, Mapping):
        fail(
            f"evaluate returns a {type(result).__name__}; it should return a dict of plain "
            "numbers.",
            "return {" + ", ".join(f'"{name}": ...' for name in names) + "}",
        )
    missing = [name for name in names if name not in result]
    if missing:
        fail(f"the dict evaluate returns lacks {missing}; it has {list(result)}.")
    for name in names:
        if isinstance(result[name], torch.Tensor):
            message, hint = slip("returns_tensor", kind="tensor")
            fail(f'evaluate(...)["{name}"] {message}', hint)
    return {name: as_float(f'evaluate(...)["{name}"]', result[name]) for name in names}


def probe_evaluate(evaluate: object, probe: Probe, metrics: Mapping[str, Metric]) -> None:
    """Run the learner's ``evaluate`` on ``probe`` and fail naming the slip if it is wrong.

    ``evaluate(model, loader, loss_function, device)`` must return a dict of floats: ``"loss"``
    and each of ``metrics``, means over the items, in evaluation mode without gradients.
    """
    require_answer("evaluate", evaluate)
    names = ["loss", *metrics]
    with torch.random.fork_rng():
        torch.manual_seed(probe.seed)
        result, record, model = _run_evaluate(evaluate, probe, SIZES)  # type: ignore[arg-type]
        values = _metrics_returned(result, names)
        found = {
            "eval_in_train_mode": any(record.forward_modes),
            "eval_with_grad": any(record.forward_grad),
            "inputs_not_moved": record.inputs_unmoved,
            "targets_not_moved": record.targets_unmoved,
            "eval_changes_weights": not torch.equal(_parameters(model), _parameters(probe.model())),
        }
        for name in (name for name, seen in found.items() if seen):
            fail(f"evaluate {SLIPS[name][0]}", SLIPS[name][1])
        expected, per_batch = _expected_metrics(probe, metrics)
        wrong = [name for name in names if not close(values[name], expected[name])]
        if not wrong:
            return
        one_batch, *_ = _run_evaluate(evaluate, probe, (sum(SIZES),))  # type: ignore[arg-type]
        reversed_order, *_ = _run_evaluate(evaluate, probe, SIZES[::-1])  # type: ignore[arg-type]
    name = wrong[0]
    what = "the loss" if name == "loss" else metrics[name].what
    said = (
        f'evaluate\'s "{name}" is {values[name]:.5g} on a probe; it should be {expected[name]:.5g}'
    )
    cause = diagnose_mean(values[name], per_batch[name], what)
    if cause:
        fail(f"{said}.", cause)
    if close(_metrics_returned(one_batch, names)[name], expected[name]):
        fail(
            f"{said}, though it is right when the same items come in one batch: it depends "
            "on how the items are batched.",
            f"{what} of each batch must count in proportion to its size: add up over the items, "
            "then divide by the number of items, len(loader.dataset).",
        )
    if not close(_metrics_returned(reversed_order, names)[name], values[name]):
        fail(
            f"{said}, and it changes when the batches come in another order.",
            "every batch should count the same, whatever its place: accumulate over the loop.",
        )
    variants = metrics[name].variants if name in metrics else {}  # "loss" has none
    for variant, per_item in variants.items():
        value = _expected_metrics(probe, {variant: Metric(per_item, variant)})[0][variant]
        if close(values[name], value):
            fail(f"{said}: that is {variant}.", f"compute {what}, as the task asks.")
    scales = {**(metrics[name].scales if name in metrics else {}), **probe.extra_scales}
    fail(
        f"{said}: {describe_difference(values[name], expected[name], scales)}.",
        f"compute {what} from the model's outputs and the targets of each batch, add it up "
        "over the items, and divide by the number of items.",
    )


def _expected_metrics(
    probe: Probe, metrics: Mapping[str, Metric]
) -> tuple[dict[str, float], dict[str, list[tuple[float, int]]]]:
    """The right metrics of the probe model, and each metric's (batch mean, size) per batch."""
    model, loss_function = probe.model(), probe.loss_function()
    per_batch: dict[str, list[tuple[float, int]]] = {"loss": [], **{name: [] for name in metrics}}
    for inputs, targets in probe.loader():
        outputs, targets = predict(model, inputs), targets.as_subclass(torch.Tensor)
        per_batch["loss"].append((loss_function(outputs, targets).item(), len(targets)))
        for name, metric in metrics.items():
            per_batch[name].append((metric.per_item(outputs, targets).mean().item(), len(targets)))
    expected = {
        name: sum(mean * size for mean, size in batches) / sum(SIZES)
        for name, batches in per_batch.items()
    }
    return expected, per_batch
