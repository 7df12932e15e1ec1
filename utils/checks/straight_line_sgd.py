"""Self-checks for notebook 00, fitting y = m x + c by gradient descent, then by mini-batch SGD.

Expected values are computed (autograd, least squares) on probes, never typed in."""

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from utils.checks import _core
from utils.checks._core import CheckFailed, as_float, call_learner_function, fail, passed
from utils.checks.engine import Probe, close, probe_train_one_epoch

X_DATA, Y_DATA = np.array([1.0, 2.0, 3.0]), np.array([2.1, 3.9, 6.2])
_PARAMETERS = [(0.0, 0.0), (1.5, -0.5), (-2.0, 3.0)]  # (m, c) where functions are compared
# Other data than the notebook's (a step that reads the global x and y is caught), another start.
_PROBE_X, _PROBE_Y = np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, 2.5, 5.5, 8.0])
_START, _RATE = (1.5, -0.5), 0.05
PROBE = Probe("regression", input_shape=(1,), num_outputs=1, mode_layers=False)
_near = functools.partial(np.allclose, rtol=1e-6, atol=1e-9)

# The hints, by slip. A gradient-descent step's slips are named by the update they make.
HINTS = {
    "table": "copy them from the table above, in the same order: x goes with y.",
    "data": "the loss used the notebook's data, not the x and y passed to train_step.",
    "arrays": "with NumPy arrays, arithmetic works element by element.",
    "slope": "the slope multiplies x; the intercept is added once.",
    "square": "square each difference (prediction minus truth) first, then average.",
    "chain_rule": "differentiate (y_i - (m x_i + c))² with the chain rule, then average over i.",
    "unchanged": "m and c did not change. Update the parameters (and return the new ones).",
    "uphill": "the step went uphill: you added the gradient. Gradient descent subtracts it "
    "(a + instead of a −), otherwise the loss grows at every step.",
    "no_rate": "the learning rate is missing: the step is the gradient times the learning rate.",
    "divided": "you divided the gradient by the learning rate; multiply it.",
    "product": "that is a product of m, the learning rate and the gradient. The update is a "
    "difference: the new value is the old value minus a step.",
    "swapped": "m and c are swapped: m moves against dL/dm, c against dL/dc.",
    "globals": "your step used the notebook's x and y, not the x and y passed to the function.",
    "stale": "c was stepped with a gradient computed after m had already moved. Compute both "
    "gradients at the old (m, c) first, then update both.",
    "accumulated": "the second step used the sum of both steps' gradients: backward() adds to "
    ".grad, so the gradients must be reset to zero after every update.",
    "in_place": "update the tensors passed in, in place (m -= ...), inside torch.no_grad(): "
    "`m = m - ...` makes a new tensor the caller never sees.",
    "rebound": "backward() filled m.grad, but your m is another tensor now: `m = m - ...` "
    "makes a new tensor the caller never sees. Update in place (m -= ...) in torch.no_grad().",
    "no_backward": "m.grad is None until loss.backward() has run: call it before the update.",
    "tensors": "section 6 calls mse_loss on tensors that track gradients, where NumPy functions "
    "(np.mean, np.sum, np.square) fail: use the operators (-, **) and the array's own .mean().",
    "returned": "return the loss computed in this step, before the update (loss.item()).",
    "diverged": "the loss grew instead of falling: the steps overshot and grew. Either the update "
    "adds the gradient (+ instead of −) or the learning rate is too large.",
    "dropped": "an epoch uses every sample once. When n is not a multiple of the batch size, the "
    "last batch is smaller: keep it.",
    "twice": "cut the shuffled order into consecutive, non-overlapping slices.",
    "unpaired": "pick the same indices from x and from y.",
    "sizes": "each batch holds batch_size samples; only the last may hold fewer.",
    "unshuffled": "draw a random order of the indices (a permutation) with the generator, and "
    "cut that into batches.",
    "own_generator": "pass generator=generator to the function that draws the random order, so "
    "that a run can be repeated exactly.",
    "reseeded": "do not re-seed or create a generator inside; draw from the one passed in.",
    "list": "count the samples as you go (len(x_batch) in each batch): a list has no .dataset.",
    "same_points": "compute both losses on the same points: all of x_noisy and y_noisy.",
    "slow": "train for more epochs, or check the learning rate.",
    "sgd_diverged": "the training diverged: try a smaller learning rate.",
}
# What check_shuffled_batches says of a slip ("{held}." unless here): {held}, what batches hold.
_BATCH_MESSAGES = {
    "twice": "{held}, some of them twice.",
    "unpaired": "x and y are no longer paired: a y_batch does not belong to its x_batch.",
    "unshuffled": "the samples come in their original order: the batches are not shuffled.",
    "own_generator": "two generators with the same seed gave different orders.",
    "reseeded": "two calls with the same generator gave the same order: so would every epoch.",
}


def _loss(m: float, c: float, x: np.ndarray = _PROBE_X, y: np.ndarray = _PROBE_Y) -> np.ndarray:
    """The mean squared error of the line (m, c) on (x, y), then dL/dm and dL/dc, by autograd."""
    m_t, c_t = (torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in (m, c))
    (loss := torch.mean((torch.from_numpy(y) - (m_t * torch.from_numpy(x) + c_t)) ** 2)).backward()
    return np.array([loss.item(), m_t.grad.item(), c_t.grad.item()])  # type: ignore[union-attr]


def _diagnose_update(start: Any, result: Any, previous: Any = None) -> str | None:
    """Name the slip of one probe step from ``start`` to ``result`` (None if it is right)."""
    start, rate = np.asarray(start, dtype=float), _RATE
    (m, c), gradient = start, _loss(*start)[1:]
    if _near(result, right := start - rate * gradient):
        return None
    updates = {
        "unchanged": start,
        "uphill": start + rate * gradient,
        "no_rate": start - gradient,
        "divided": start - gradient / rate,
        "product": -start * rate * gradient,
        "swapped": start - rate * gradient[::-1],
        "globals": start - rate * _loss(m, c, X_DATA, Y_DATA)[1:],
        "stale": (right[0], c - rate * _loss(right[0], c)[2]),
    }
    if previous is not None:  # a second step may have kept the first one's gradient
        updates["accumulated"] = start - rate * (gradient + _loss(*previous)[1:])
    if found := next((name for name, update in updates.items() if _near(result, update)), None):
        return HINTS[found]
    for i, (this, other) in enumerate(("mc", "cm")):  # one is right: name the slip in the other
        if _near(result[1 - i], right[1 - i]):
            names = ("uphill", "no_rate", "divided", "product")
            for name in (name for name in names if _near(result[i], updates[name][i])):
                return f"{other} is right, but in {this}'s update {HINTS[name]}"
            return f"m or c is right but {this} is not: compare the two updates."
    return "each parameter moves by minus the learning rate times its own derivative."


def _pair(function: str, result: object, names: tuple[str, str]) -> np.ndarray:
    """The two numbers ``function`` returned, or a failure saying it should return two."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(f"{function} should return two numbers.", f"end it with: return {', '.join(names)}")
    return np.array([as_float(names[0], result[0]), as_float(names[1], result[1])])


def check_data(x: object, y: object) -> None:
    """Check that ``x`` and ``y`` hold the three data points as float arrays."""
    _core.check_array("x", x, shape=(3,))
    _core.check_array("y", y, shape=(3,))
    if not np.allclose(x, X_DATA) or not np.allclose(y, Y_DATA):  # type: ignore[arg-type]
        fail("x and y do not hold the three points of the task.", HINTS["table"])
    passed("the data look right")


def check_straight_line(straight_line: object) -> None:
    """Check ``straight_line(x, m, c)`` on a few slopes and intercepts."""
    for m, c in _PARAMETERS:
        prediction = call_learner_function("straight_line", straight_line, X_DATA, m, c)
        if not isinstance(prediction, np.ndarray) or prediction.shape != X_DATA.shape:
            said = f"straight_line should return an array like x, got {type(prediction).__name__}."
            fail(said, HINTS["arrays"])
        if not np.allclose(prediction, m * X_DATA + c):
            fail(f"straight_line(x, m={m}, c={c}) gives the wrong values.", HINTS["slope"])
    passed("straight_line(x, m, c) draws a straight line")


def check_mse_loss(mse_loss: object) -> None:
    """Check ``mse_loss(y_pred, y_true)`` on arrays, and on tensors that track gradients."""
    y_pred, y_true = np.random.default_rng(0).normal(size=(2, 5))
    value = as_float("mse_loss(...)", call_learner_function("mse_loss", mse_loss, y_pred, y_true))
    expected, absolute = np.mean((y_pred - y_true) ** 2), np.mean(np.abs(y_pred - y_true))
    factors = {
        5.0: "that looks like the sum of squared errors; the mean divides by n.",
        0.5: "there is a stray factor 1/2 in your loss.",
        expected**-0.5: "that is the root of the mean squared error; leave out the root.",
        absolute / expected: "that is the mean absolute error; square the differences instead.",
    }
    if not np.isclose(value, expected, rtol=1e-6):
        hint = _core.find_factor(value, expected, factors)
        fail("mse_loss gives the wrong value on a test example.", hint or HINTS["square"])
    try:
        result = mse_loss(torch.tensor(y_pred, requires_grad=True), torch.tensor(y_true))  # type: ignore[operator]
        what = f"returned {type(result).__name__}"
    except Exception as error:  # a learner's loss can raise anything on tensors
        result, what = None, f"raised {type(error).__name__}"
    if not isinstance(result, torch.Tensor) or result.grad_fn is None:
        hint = f"return the loss itself, without .item(), float() or NumPy: {HINTS['tensors']}"
        fail(f"on tensors, mse_loss {what}, not a tensor autograd can differentiate.", hint)
    if result.numel() != 1 or not np.isclose(float(result.detach()), expected, rtol=1e-6):
        fail("on tensors, mse_loss gives a different value than on arrays.", HINTS["tensors"])
    passed("mse_loss computes the mean squared error, on arrays and on tensors")


def check_gradients(gradients: object) -> None:
    """Check ``gradients(x, y, m, c) -> (dL_dm, dL_dc)`` against autograd at several points."""
    factors = {
        -1.0: "the sign is flipped: the inner derivative of (y - (m x + c)) is negative.",
        0.5: "you lost the factor 2 that comes down from the square.",
        3.0: "that looks like a sum over the points; the loss is a mean, so divide by n.",
    }
    for m, c in _PARAMETERS:
        result = call_learner_function("gradients", gradients, X_DATA, Y_DATA, m, c)
        values, rights = _pair("gradients", result, ("dL_dm", "dL_dc")), _loss(m, c, X_DATA, Y_DATA)
        for name, value, right in zip(("dL/dm", "dL/dc"), values, rights[1:], strict=True):
            if not _near(value, right):
                hint = _core.find_factor(value, right, factors) or HINTS["chain_rule"]
                fail(f"{name} is wrong at m={m}, c={c}.", hint)
    passed("both gradients agree with autograd")


def check_gradient_descent_step(gradient_descent_step: object) -> None:
    """Check ``gradient_descent_step(x, y, m, c, learning_rate) -> (m, c)``: one probe step."""
    arguments = (_PROBE_X.copy(), _PROBE_Y.copy(), *_START, _RATE)
    result = call_learner_function("gradient_descent_step", gradient_descent_step, *arguments)
    if hint := _diagnose_update(_START, _pair("gradient_descent_step", result, ("m", "c"))):
        fail(f"one step from (m, c) = {_START} on a test problem went wrong.", hint)
    passed("one step of gradient_descent_step matches the reference step")


def check_autograd_step(autograd_step: object) -> None:
    """Check ``autograd_step(x, y, m, c, learning_rate)``, updating m and c in place, twice."""
    m, c = (torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in _START)
    path, arguments = [np.array(_START)], (*map(torch.tensor, (_PROBE_X, _PROBE_Y)), m, c, _RATE)
    for step in (1, 2):  # a forgotten reset of the gradients only shows on the second step
        try:
            call_learner_function("autograd_step", autograd_step, *arguments, allow_none=True)
        except CheckFailed as failure:  # PyTorch's text does not explain these two
            text = str(failure.__cause__)  # NumPy 2, then NumPy 1, given a tensor; a None .grad
            if "numpy" in text.lower() or "argument 'axis'" in text or "axis=NoneType" in text:
                fail(f"Step {step}: {failure.message}", HINTS["tensors"])
            if "NoneType" not in text:
                raise
            hint = HINTS["no_backward" if m.grad is None and c.grad is None else "rebound"]
            fail(f"Step {step}: {failure.message}", hint)
        path.append(np.array([float(m.detach()), float(c.detach())]))
    if _near(path[1], path[0]):
        fail("autograd_step did not change m and c on a test problem.", HINTS["in_place"])
    for step in (1, 2):
        if hint := _diagnose_update(path[step - 1], path[step], path[0] if step == 2 else None):
            fail(f"step {step} of autograd_step went wrong on a test problem.", hint)
    passed("two steps of autograd_step match the reference steps")


def check_train_step(train_step: object) -> None:
    """Check ``train_step(model, x, y, loss_function, optimizer) -> loss``, once per batch."""

    def epoch(model: Any, loader: Any, loss_function: Any, optimizer: Any, device: Any) -> Any:
        model.train()
        total, computed = 0.0, []  # (loss, targets) of each loss a step computes
        keep = lambda *pair: computed.append((loss_function(*pair), pair[1])) or computed[-1][0]  # noqa: E731
        for x_batch, y_batch in ((x.to(device), y.to(device)) for x, y in loader):
            computed.clear()
            loss = train_step(model, x_batch, y_batch, keep, optimizer)  # type: ignore[operator]
            value = as_float("the loss train_step returns", loss)
            if computed and computed[0][1].numel() != y_batch.numel():
                fail("train_step's loss uses other targets than its y.", HINTS["data"])
            if computed and not close(value, computed[0][0].item()):
                said = f"train_step returned {value:.4g}; the batch's loss is {computed[0][0]:.4g}."
                fail(said, HINTS["returned"])
            total = total + loss * len(y_batch)  # a tensor stays one: the engine names it
        return total / len(loader.dataset)

    probe_train_one_epoch(epoch, PROBE, name="train_step")
    passed("train_step zeroes the gradients, computes the loss, backpropagates and steps")


def check_fit(m: object, c: object, decimals: int = 3, losses: Sequence | None = None) -> None:
    """Check that (m, c) is the least-squares line to ``decimals`` decimals, or say why not."""
    line = np.array([as_float("m", m), as_float("c", c)])
    if not np.abs(np.polyfit(X_DATA, Y_DATA, 1) - line).max() <= 0.5 * 10.0**-decimals:
        loss_here, *gradient = _loss(*line, X_DATA, Y_DATA)
        grew = losses is not None and len(losses) > 1 and not losses[-1] <= losses[0]
        if not np.isfinite(line).all():
            hint = f"m or c is not finite: {HINTS['diverged']}"
        elif grew or not loss_here <= _loss(0.0, 0.0, X_DATA, Y_DATA)[0]:
            hint = f"the loss at your (m, c) is {loss_here:.3g}; {HINTS['diverged']}"
        else:
            hint = "the gradient at your (m, c) is still ({:.2g}, {:.2g}). Take more steps, or a "
            hint = (hint + "larger (but not too large) learning rate.").format(*gradient)
        fail(f"(m, c) = ({line[0]:.4g}, {line[1]:.4g}) is not yet the best line.", hint)
    passed(f"(m, c) matches the least-squares line to {decimals} decimals")


def check_shuffled_batches(shuffled_batches: object) -> None:
    """Check ``shuffled_batches(x, y, batch_size, generator)`` on x = 0 ... 9, y = 10 x."""
    x, runs = torch.arange(10, dtype=torch.float32).unsqueeze(1), []  # x, y values, batch sizes
    generator = torch.Generator().manual_seed(0)  # the same seed: the same order, then a new one
    for seeded in (torch.Generator().manual_seed(0), generator, generator):
        result = call_learner_function("shuffled_batches", shuffled_batches, x, 10 * x, 4, seeded)
        try:  # anything but a list of (x_batch, y_batch) pairs of tensors fails here
            x_parts, y_parts = zip(*result, strict=True)
            runs.append([torch.cat([p.reshape(-1) for p in parts]) for parts in (x_parts, y_parts)])
            runs[-1].append(torch.tensor([len(part) for part in x_parts]))
        except Exception:  # a learner's result can be anything
            got = f"a list of (x_batch, y_batch) pairs of tensors, got {type(result).__name__}."
            hint = "collect one (x_batch, y_batch) pair per batch in a list, and return the list."
            fail(f"shuffled_batches should return {got}", hint)
    (x_seen, y_seen, sizes), (again, *_), (later, *_) = runs
    held = f"your batches of batch_size=4 hold {len(x_seen)} of 10 samples (sizes {sizes.tolist()})"
    wrong = {
        "dropped": len(x_seen) < 10,
        "twice": len(x_seen) > 10 or len(x_seen.unique()) < 10,
        "unpaired": not torch.equal(y_seen, 10 * x_seen),
        "sizes": bool((sizes[:-1] != 4).any() or sizes[-1] > 4),
        "unshuffled": torch.equal(x_seen, x_seen.sort().values),
        "own_generator": not torch.equal(again, x_seen),
        "reseeded": torch.equal(again, later),
    }
    for name in (name for name, is_wrong in wrong.items() if is_wrong):
        fail(_BATCH_MESSAGES.get(name, "{held}.").format(held=held), HINTS[name])
    passed("shuffled_batches covers every sample once per epoch, shuffled and reproducible")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check ``train_one_epoch(...) -> mean loss`` on the engine's probe and on a list."""
    try:
        probe_train_one_epoch(train_one_epoch, PROBE)
    except CheckFailed as failure:  # the loader may be a list here: it has no .dataset
        fail(failure.message, (failure.hint or "").replace(", len(loader.dataset)", " you counted"))
    try:
        with torch.random.fork_rng():  # a new model draws from the notebook's random numbers
            model, batches = PROBE.model(), [(x.to("cpu"), y.to("cpu")) for x, y in PROBE.loader()]
            arguments = (model, batches, PROBE.loss_function(), PROBE.optimizer(model)[0], "cpu")
            call_learner_function("train_one_epoch", train_one_epoch, *arguments)
    except CheckFailed as failure:
        message = f"train_one_epoch works on a loader, not on a list of batches. {failure.message}"
        fail(message, HINTS["list"])
    passed("train_one_epoch steps once per batch and returns the epoch's mean loss")


def check_sgd_fit(m: object, c: object, x: object, y: object, threshold: float = 1.1) -> None:
    """Check that the loss of (m, c) on (x, y) is within ``threshold`` × the least squares'."""
    line = (as_float("m", m), as_float("c", c))
    xs, ys = (np.asarray(torch.as_tensor(values), dtype=float).reshape(-1) for values in (x, y))
    check_headline(*(_loss(*mc, xs, ys)[0] for mc in (line, np.polyfit(xs, ys, 1))), threshold)


def check_headline(loss: object, least_squares_loss: object, threshold: float = 1.1) -> None:
    """Check that the SGD line's loss is within ``threshold`` × the least-squares line's."""
    if not threshold >= 1:
        raise ValueError(f"threshold is a ratio to the least-squares loss, ≥ 1; got {threshold!r}")
    value, best = as_float("loss", loss), as_float("least_squares_loss", least_squares_loss)
    said = f"the mini-batch SGD line's loss is {value:.4g}"
    if value < best * (1 - 1e-4):
        fail(f"{said}, below the least-squares line's {best:.4g}.", HINTS["same_points"])
    if not value <= threshold * best:
        hint = HINTS["sgd_diverged" if not np.isfinite(value) or value > 100 * best else "slow"]
        fail(f"{said}, more than {threshold:g} × the least-squares line's {best:.4g}.", hint)
    passed(f"mini-batch SGD's loss is within {threshold:g} × the least-squares line's")
