"""Self-checks for notebook 00, fitting y = m x + c by gradient descent.

Every expected value is computed here from first principles (autograd, least
squares, a reference step), never typed in, so a check cannot drift from the
maths it checks. The checks of a training step run the learner's step on a
small probe problem (other data, other starting values) and compare it with one
reference step, so a flipped sign or a forgotten ``zero_grad()`` is named at the
task, not after a long loop.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from utils.checks._core import (
    as_float,
    call_learner_function,
    check_array,
    fail,
    find_factor,
    passed,
    require_answer,
)

X_DATA = np.array([1.0, 2.0, 3.0])
Y_DATA = np.array([2.1, 3.9, 6.2])

# Points (m, c) at which learners' functions are compared with the reference.
_PROBE_PARAMETERS = [(0.0, 0.0), (1.5, -0.5), (-2.0, 3.0)]

# A probe problem for the training steps: other data than the notebook's (so a step
# that reads the notebook's global x and y is caught) and a start away from the optimum.
_PROBE_X = np.array([0.0, 1.0, 2.0, 4.0])
_PROBE_Y = np.array([1.0, 2.5, 5.5, 8.0])
_PROBE_START = (1.5, -0.5)
_PROBE_LEARNING_RATE = 0.05

_FILL_IN = "fill in the TODO above."


def _require_filled(name: str, value: object) -> None:
    """Fail with "fill in the TODO" if ``value`` is (or holds) the exercise's ``...``."""
    values = value if isinstance(value, tuple | list) else (value,)
    if any(item is Ellipsis for item in values):
        fail(f"{name} is still `...`: {_FILL_IN}", "replace the `...` with your code.")


def _autograd_gradients(x: np.ndarray, y: np.ndarray, m: float, c: float) -> tuple[float, float]:
    """Return dL/dm and dL/dc of the mean squared error, computed by autograd."""
    m_tensor = torch.tensor(m, dtype=torch.float64, requires_grad=True)
    c_tensor = torch.tensor(c, dtype=torch.float64, requires_grad=True)
    prediction = m_tensor * torch.from_numpy(x) + c_tensor
    loss = torch.mean((torch.from_numpy(y) - prediction) ** 2)
    loss.backward()
    return float(m_tensor.grad), float(c_tensor.grad)


def _mse(x: np.ndarray, y: np.ndarray, m: float, c: float) -> float:
    return float(np.mean((y - (m * x + c)) ** 2))


def _diagnose_update(
    start: tuple[float, float],
    result: tuple[float, float],
    learning_rate: float,
    x: np.ndarray,
    y: np.ndarray,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> str | None:
    """Name the classic slip that turns one gradient-descent step from ``start`` into ``result``.

    Returns ``None`` when ``result`` is the right step, else a hint.
    """
    m, c = start
    new_m, new_c = result
    grad_m, grad_c = _autograd_gradients(x, y, m, c)
    expected = (m - learning_rate * grad_m, c - learning_rate * grad_c)
    if np.allclose(result, expected, rtol=rtol, atol=atol):
        return None

    def step_is(m_value: float, c_value: float) -> bool:
        return bool(np.allclose(result, (m_value, c_value), rtol=rtol, atol=atol))

    data_grad_m, data_grad_c = _autograd_gradients(X_DATA, Y_DATA, m, c)
    candidates = [
        (
            (m, c),
            "m and c did not change. Update the parameters themselves (and return the new ones).",
        ),
        (
            (m + learning_rate * grad_m, c + learning_rate * grad_c),
            "the step went uphill: you added the gradient. Gradient descent subtracts it "
            "(a + instead of a −), otherwise the loss grows at every step.",
        ),
        (
            (m - grad_m, c - grad_c),
            "the learning rate is missing: the step is the gradient times the learning rate.",
        ),
        (
            (m - grad_m / learning_rate, c - grad_c / learning_rate),
            "you divided the gradient by the learning rate; multiply it.",
        ),
        (
            (-m * learning_rate * grad_m, -c * learning_rate * grad_c),
            "that is the product of m, the learning rate and the gradient. The update is a "
            "difference: the new value is the old value minus a step.",
        ),
        (
            (m - learning_rate * grad_c, c - learning_rate * grad_m),
            "m and c are swapped: m moves against dL/dm, c against dL/dc.",
        ),
        (
            (m - learning_rate * data_grad_m, c - learning_rate * data_grad_c),
            "your step used the notebook's x and y, not the x and y passed to the function.",
        ),
    ]
    for (m_value, c_value), hint in candidates:
        if step_is(m_value, c_value):
            return hint
    # One parameter right, the other with a known slip.
    close = {"rtol": rtol, "atol": atol}
    for (m_value, c_value), hint in candidates[1:5]:
        if np.isclose(new_c, expected[1], **close) and np.isclose(new_m, m_value, **close):
            return f"c is right, but in m's update {hint}"
        if np.isclose(new_m, expected[0], **close) and np.isclose(new_c, c_value, **close):
            return f"m is right, but in c's update {hint}"
    # c stepped with a gradient taken after m had already moved.
    late_grad_c = _autograd_gradients(x, y, expected[0], c)[1]
    if step_is(expected[0], c - learning_rate * late_grad_c):
        return (
            "c was stepped with a gradient computed after m had already moved. Compute both "
            "gradients at the old (m, c) first, then update both."
        )
    m_right = np.isclose(new_m, expected[0], rtol=rtol, atol=atol)
    if m_right != np.isclose(new_c, expected[1], rtol=rtol, atol=atol):
        wrong = "c" if m_right else "m"
        return f"m or c is right but {wrong} is not: compare the two update lines."
    return "each parameter moves by minus the learning rate times its own derivative."


def check_data(x: object, y: object) -> None:
    """Check that ``x`` and ``y`` hold the three data points as float arrays."""
    require_answer("x", x)
    require_answer("y", y)
    check_array("x", x, shape=(3,))
    check_array("y", y, shape=(3,))
    if not np.allclose(x, X_DATA) or not np.allclose(y, Y_DATA):  # type: ignore[arg-type]
        fail(
            "x and y do not hold the three points of the task.",
            "copy them from the table above, in the same order: x goes with y.",
        )
    passed("the data look right")


def check_straight_line(straight_line: object) -> None:
    """Check ``straight_line(x, m, c)`` on a few slopes and intercepts."""
    for m, c in _PROBE_PARAMETERS:
        prediction = call_learner_function("straight_line", straight_line, X_DATA, m, c)
        _require_filled("straight_line(x, m, c)", prediction)
        if not isinstance(prediction, np.ndarray) or prediction.shape != X_DATA.shape:
            fail(
                f"straight_line(x, m, c) should return one prediction per x value "
                f"(an array of shape {X_DATA.shape}), got {type(prediction).__name__} "
                f"of shape {getattr(prediction, 'shape', None)}.",
                "with NumPy arrays, arithmetic works element by element.",
            )
        if not np.allclose(prediction, m * X_DATA + c):
            fail(
                f"straight_line(x, m={m}, c={c}) gives the wrong values.",
                "the slope multiplies x; the intercept is added once.",
            )
    passed("straight_line(x, m, c) draws a straight line")


def check_mse_loss(mse_loss: object) -> None:
    """Check ``mse_loss(y_pred, y_true)`` against PyTorch's mean squared error.

    The loss is checked on NumPy arrays and on tensors that require gradients,
    since the notebook reuses it with autograd: a loss built on ``np.mean`` (or
    one that returns a Python float) passes on arrays and fails there.
    """
    generator = np.random.default_rng(0)
    y_pred, y_true = generator.normal(size=(2, 5))
    result = call_learner_function("mse_loss", mse_loss, y_pred, y_true)
    _require_filled("mse_loss(...)", result)
    value = as_float("mse_loss(...)", result)
    expected = float(torch.nn.functional.mse_loss(torch.tensor(y_pred), torch.tensor(y_true)))
    if not np.isclose(value, expected, rtol=1e-6):
        known_slip = find_factor(
            value,
            expected,
            {
                5.0: "that looks like the sum of squared errors; the mean divides by n.",
                0.5: "there is a stray factor 1/2 in your loss.",
                expected**-0.5: "that is the root of the mean squared error; leave out the root.",
            },
        )
        if known_slip is None and np.isclose(value, np.mean(np.abs(y_pred - y_true)), rtol=1e-6):
            known_slip = "that is the mean absolute error; square the differences instead."
        fail(
            "mse_loss gives the wrong value on a test example.",
            known_slip or "square each difference (prediction minus truth) first, then average.",
        )
    _check_loss_on_tensors(mse_loss, y_pred, y_true, expected)
    passed("mse_loss computes the mean squared error, on arrays and on tensors")


_TENSOR_HINT = (
    "section 6 calls mse_loss on PyTorch tensors. NumPy functions such as np.mean, np.sum or "
    "np.square do not work on tensors that track gradients; use operations that NumPy arrays "
    "and tensors both have: the arithmetic operators (-, **) and the array's own .mean() "
    "method."
)


def _check_loss_on_tensors(
    mse_loss: Any, y_pred: np.ndarray, y_true: np.ndarray, expected: float
) -> None:
    """Fail unless ``mse_loss`` returns a differentiable tensor for tensor inputs."""
    y_pred_tensor = torch.tensor(y_pred, requires_grad=True)
    y_true_tensor = torch.tensor(y_true)
    try:
        result = mse_loss(y_pred_tensor, y_true_tensor)
    except Exception as error:  # a learner's loss can raise anything on tensors
        fail(
            f"mse_loss works on NumPy arrays but raised {type(error).__name__} on tensors.",
            _TENSOR_HINT,
        )
    if not isinstance(result, torch.Tensor) or result.grad_fn is None:
        fail(
            f"on tensors, mse_loss returned {type(result).__name__}, not a tensor that autograd "
            "can differentiate.",
            "return the loss itself, without .item(), float() or a round trip through NumPy; "
            + _TENSOR_HINT,
        )
    if result.numel() != 1 or not np.isclose(float(result.detach()), expected, rtol=1e-6):
        fail("on tensors, mse_loss gives a different value than on arrays.", _TENSOR_HINT)


def check_gradients(gradients: object) -> None:
    """Check ``gradients(x, y, m, c) -> (dL_dm, dL_dc)`` against autograd at several points."""
    for m, c in _PROBE_PARAMETERS:
        result = call_learner_function("gradients", gradients, X_DATA, Y_DATA, m, c)
        if not isinstance(result, tuple | list) or len(result) != 2:
            fail(
                "gradients(x, y, m, c) should return two numbers, (dL_dm, dL_dc).",
                "end the function with: return dL_dm, dL_dc",
            )
        _require_filled("dL_dm or dL_dc", result)
        dl_dm = as_float("dL_dm", result[0])
        dl_dc = as_float("dL_dc", result[1])
        expected_m, expected_c = _autograd_gradients(X_DATA, Y_DATA, m, c)
        mistakes = {
            -1.0: "the sign is flipped: the inner derivative of (y - (m x + c)) is negative.",
            0.5: "you lost the factor 2 that comes down from the square.",
            3.0: "that looks like a sum over the points; the loss is a mean, so divide by n.",
        }
        for name, value, expected in (("dL/dm", dl_dm, expected_m), ("dL/dc", dl_dc, expected_c)):
            if not np.isclose(value, expected, rtol=1e-6, atol=1e-9):
                hint = find_factor(value, expected, mistakes) or (
                    "differentiate (y_i - (m x_i + c))² with the chain rule, then average over i."
                )
                fail(f"{name} is wrong at m={m}, c={c}.", hint)
    passed("both gradients agree with autograd")


def check_gradient_descent_step(gradient_descent_step: object) -> None:
    """Check ``gradient_descent_step(x, y, m, c, learning_rate) -> (m, c)`` on a probe.

    One step from a probe start on probe data is compared with the reference
    step; a wrong step gets the hint of the slip it matches (sign, learning
    rate, product instead of difference, swapped or stale gradients, the
    notebook's global data).
    """
    x, y = _PROBE_X.copy(), _PROBE_Y.copy()
    result = call_learner_function(
        "gradient_descent_step",
        gradient_descent_step,
        x,
        y,
        *_PROBE_START,
        _PROBE_LEARNING_RATE,
    )
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(
            "gradient_descent_step should return two numbers, the new (m, c).",
            "end the function with: return m, c",
        )
    _require_filled("the new m or c", result)
    new_m, new_c = as_float("new m", result[0]), as_float("new c", result[1])
    hint = _diagnose_update(_PROBE_START, (new_m, new_c), _PROBE_LEARNING_RATE, x, y)
    if hint is not None:
        fail(f"one step from (m, c) = {_PROBE_START} on a test problem went wrong.", hint)
    passed("one step of gradient_descent_step matches the reference step")


def _probe_tensors() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    m, c = (torch.tensor(value, dtype=torch.float64, requires_grad=True) for value in _PROBE_START)
    return torch.tensor(_PROBE_X), torch.tensor(_PROBE_Y), m, c


def _autograd_step_error_hint(error: Exception) -> str:
    text = str(error)
    if "'ellipsis'" in text:
        return "a name in your step is still `...`: fill in the TODO above."
    if "leaf Variable that requires grad" in text or "in-place operation" in text:
        return (
            "autograd refused to change m or c in place: do the update inside "
            "`with torch.no_grad():`, so it is not recorded as part of the model."
        )
    # A NumPy function given a tensor: NumPy 2 says "unexpected keyword argument 'axis'",
    # NumPy 1 lets torch complain about "invalid combination of arguments ... axis=NoneType".
    if "numpy" in text.lower() or "argument 'axis'" in text or "axis=NoneType" in text:
        return _TENSOR_HINT
    if isinstance(error, TypeError | AttributeError) and "NoneType" in text:
        return "m.grad is None until loss.backward() has run: call backward() before the update."
    if "does not require grad" in text:
        return "the loss does not depend on m and c: compute it from the tensors passed in."
    if "backward through the graph a second time" in text:
        return "compute a fresh loss at every step before calling backward()."
    return "run your step on small tensors in a cell of its own to see where it breaks."


def check_autograd_step(autograd_step: object) -> None:
    """Check ``autograd_step(x, y, m, c, learning_rate)`` for two steps on a probe.

    ``m`` and ``c`` are tensors that require gradients; the step must update
    them in place. Two steps are taken, because a forgotten reset of the
    gradients only shows on the second: it then steps with the sum of both
    gradients.
    """
    if not callable(autograd_step):
        call_learner_function("autograd_step", autograd_step)
    x, y, m, c = _probe_tensors()
    path = [_PROBE_START]
    for step in (1, 2):
        try:
            autograd_step(x, y, m, c, _PROBE_LEARNING_RATE)
        except Exception as error:  # a learner's step can raise anything
            if "'ellipsis'" in str(error):
                fail(
                    "autograd_step still uses a `...`: fill in the TODO above.",
                    f"Python said {type(error).__name__}: {error}.",
                )
            hint = _autograd_step_error_hint(error)
            if "NoneType" in str(error) and (m.grad is not None or c.grad is not None):
                hint = (
                    "backward() did fill m.grad, but your m is no longer that tensor: "
                    "`m = m - ...` makes a new tensor (without a gradient) that the caller "
                    "never sees. Update in place (m -= ...) inside torch.no_grad()."
                )
            fail(f"autograd_step raised {type(error).__name__} on step {step}: {error}", hint)
        if not m.requires_grad or not c.requires_grad:
            fail(
                "after your step, m or c no longer requires gradients.",
                "update the tensors in place (m -= ...) inside torch.no_grad().",
            )
        path.append((float(m.detach()), float(c.detach())))
    first_hint = _diagnose_update(path[0], path[1], _PROBE_LEARNING_RATE, _PROBE_X, _PROBE_Y)
    if first_hint is not None:
        if path[1] == path[0]:
            first_hint = (
                "m and c did not change. Update the tensors passed in, in place (m -= ...), "
                "inside torch.no_grad(): `m = m - ...` makes a new tensor the caller never sees."
            )
        fail("the first step of autograd_step went wrong on a test problem.", first_hint)
    second_hint = _diagnose_update(path[1], path[2], _PROBE_LEARNING_RATE, _PROBE_X, _PROBE_Y)
    if second_hint is not None:
        grads = [np.array(_autograd_gradients(_PROBE_X, _PROBE_Y, *point)) for point in path[:2]]
        accumulated = np.array(path[1]) - _PROBE_LEARNING_RATE * (grads[0] + grads[1])
        if np.allclose(path[2], accumulated, rtol=1e-6):
            second_hint = (
                "the second step used the sum of both steps' gradients: backward() adds to "
                ".grad, so the gradients must be reset to zero after every update."
            )
        fail("the first step is right, but the second went wrong.", second_hint)
    passed("two steps of autograd_step match the reference steps")


def _probe_line() -> tuple[torch.nn.Linear, torch.Tensor, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):  # leave the notebook's random numbers alone
        line = torch.nn.Linear(1, 1)
    with torch.no_grad():
        line.weight.fill_(_PROBE_START[0])
        line.bias.fill_(_PROBE_START[1])
    x = torch.tensor(_PROBE_X, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(_PROBE_Y, dtype=torch.float32).unsqueeze(1)
    return line, x, y


def _line_parameters(line: torch.nn.Linear) -> tuple[float, float]:
    return float(line.weight.detach().reshape(())), float(line.bias.detach().reshape(()))


def check_train_step(train_step: object) -> None:
    """Check ``train_step(model, x, y, loss_function, optimizer) -> loss`` for two steps.

    Runs the learner's step on a probe ``nn.Linear(1, 1)`` with ``torch.optim.SGD``
    and compares the parameters after each step, and the returned loss, with the
    reference. Names a missing ``step()``, ``backward()`` or ``zero_grad()``, and
    ``zero_grad()`` placed between ``backward()`` and ``step()``.
    """
    if not callable(train_step):
        call_learner_function("train_step", train_step)
    line, x, y = _probe_line()
    loss_function = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(line.parameters(), lr=_PROBE_LEARNING_RATE)
    path = [_PROBE_START]
    for step in (1, 2):
        before = path[-1]
        loss = call_learner_function("train_step", train_step, line, x, y, loss_function, optimizer)
        _require_filled("the loss train_step returns", loss)
        loss_value = as_float("the loss train_step returns", loss)
        path.append(_line_parameters(line))
        if np.allclose(path[-1], before, rtol=0, atol=1e-7):
            grads = [parameter.grad for parameter in line.parameters()]
            if any(grad is not None and float(grad.abs().sum()) > 0 for grad in grads):
                hint = "the gradients are there but unused: call optimizer.step() after backward()."
            else:
                hint = (
                    "no gradients reached the optimizer: call loss.backward(), then "
                    "optimizer.step(). zero_grad() goes before backward(), never between "
                    "backward() and step()."
                )
            fail(f"step {step} of train_step did not change the parameters.", hint)
        if step == 2:
            grads = [
                np.array(_autograd_gradients(_PROBE_X, _PROBE_Y, *point)) for point in path[:2]
            ]
            accumulated = np.array(path[1]) - _PROBE_LEARNING_RATE * (grads[0] + grads[1])
            if np.allclose(path[2], accumulated, rtol=1e-4):
                fail(
                    "the first step is right, but the second stepped with the sum of both "
                    "steps' gradients.",
                    "backward() adds to .grad: call optimizer.zero_grad() at every step, "
                    "before backward().",
                )
        hint = _diagnose_update(
            before, path[-1], _PROBE_LEARNING_RATE, _PROBE_X, _PROBE_Y, rtol=1e-4, atol=1e-6
        )
        if hint is not None:
            fail(f"step {step} of train_step moved the parameters wrongly.", hint)
        expected_loss = _mse(_PROBE_X, _PROBE_Y, *before)
        if not np.isclose(loss_value, expected_loss, rtol=1e-4):
            hint = "return the loss computed in this step, before the update (loss.item())."
            if np.isclose(loss_value, _mse(X_DATA, Y_DATA, *before), rtol=1e-4):
                hint = "the loss used the notebook's data, not the x and y passed to train_step."
            fail(f"train_step returned {loss_value:.4g} on step {step}.", hint)
    passed("two steps of train_step match the reference steps")


def check_fit(
    m: object, c: object, decimals: int = 3, losses: Sequence[float] | None = None
) -> None:
    """Check that (m, c) is the least-squares line to ``decimals`` decimal places.

    The failure message says whether training diverged (non-finite values, a
    loss above the flat line's, or a loss curve that grew) or is merely not
    finished yet (then it reports how steep the loss still is), without giving
    the answer away.

    Parameters
    ----------
    m, c
        The fitted slope and intercept.
    decimals
        How many decimal places must agree.
    losses
        The loss at every step, if recorded: a loss that grew names divergence.
    """
    m_value = as_float("m", m)
    c_value = as_float("c", c)
    design = np.stack([X_DATA, np.ones_like(X_DATA)], axis=1)
    (best_m, best_c), *_ = np.linalg.lstsq(design, Y_DATA, rcond=None)
    tolerance = 0.5 * 10.0**-decimals
    if abs(m_value - best_m) > tolerance or abs(c_value - best_c) > tolerance:
        diverged = (
            "the loss grew instead of falling: the steps overshot and grew. Either the update "
            "adds the gradient (+ instead of −) or the learning rate is too large."
        )
        with np.errstate(over="ignore", invalid="ignore"):
            loss_here = _mse(X_DATA, Y_DATA, m_value, c_value)
        loss_flat = _mse(X_DATA, Y_DATA, 0.0, 0.0)
        grew = losses is not None and len(losses) > 1 and not losses[-1] <= losses[0]
        if not np.isfinite([m_value, c_value]).all():
            hint = "m or c is not finite: " + diverged
        elif grew or not loss_here <= loss_flat:
            hint = f"the loss at your (m, c) is {loss_here:.3g}; " + diverged
        else:
            dl_dm, dl_dc = _autograd_gradients(X_DATA, Y_DATA, m_value, c_value)
            hint = (
                f"the gradient at your (m, c) is still ({dl_dm:.2g}, {dl_dc:.2g}). "
                "Take more steps, or a larger (but not too large) learning rate."
            )
        fail(f"(m, c) = ({m_value:.4g}, {c_value:.4g}) is not yet the best line.", hint)
    passed(f"(m, c) matches the least-squares line to {decimals} decimals")


def _probe_batches_data(num_samples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x = 0, 1, ..., n-1 as a column, and y = 10 x: a batch's pairs show where they came from."""
    x = torch.arange(num_samples, dtype=torch.float32).unsqueeze(1)
    return x, 10 * x


def _call_shuffled_batches(
    shuffled_batches: Any, x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return _as_batches(
        call_learner_function("shuffled_batches", shuffled_batches, x, y, batch_size, generator)
    )


def _as_batches(result: object) -> list[tuple[torch.Tensor, torch.Tensor]]:
    _require_filled("shuffled_batches(...)", result)
    try:
        batches = [tuple(pair) for pair in result]  # type: ignore[attr-defined]
    except TypeError:
        batches = []
    if not batches or not all(
        len(pair) == 2 and all(isinstance(part, torch.Tensor) for part in pair) for pair in batches
    ):
        fail(
            f"shuffled_batches should return a list of (x_batch, y_batch) pairs of tensors, "
            f"got {type(result).__name__}.",
            "collect one (x_batch, y_batch) pair per batch in a list, and return the list.",
        )
    return batches  # type: ignore[return-value]


def check_shuffled_batches(shuffled_batches: object) -> None:
    """Check ``shuffled_batches(x, y, batch_size, generator) -> [(x_batch, y_batch), ...]``.

    On probe data (x = 0 ... 9, y = 10 x, batch size 4) it checks: every sample
    once (the last, smaller batch included), x and y still paired, batches of
    ``batch_size``, a shuffled order, the same order from the same seed (the
    generator is used), and a new order at every call (no re-seeding inside).
    """
    num_samples, batch_size = 10, 4
    x, y = _probe_batches_data(num_samples)
    batches = _call_shuffled_batches(shuffled_batches, x, y, batch_size, seed=0)
    x_seen = torch.cat([x_batch.reshape(-1) for x_batch, _ in batches])
    y_seen = torch.cat([y_batch.reshape(-1) for _, y_batch in batches])
    sizes = [len(x_batch) for x_batch, _ in batches]
    if len(x_seen) < num_samples:
        fail(
            f"with {num_samples} samples and batch_size={batch_size}, your batches hold only "
            f"{len(x_seen)} samples (sizes {sizes}).",
            "an epoch uses every sample once. When n is not a multiple of the batch size, "
            "the last batch is smaller: keep it.",
        )
    if len(x_seen) > num_samples or len(set(x_seen.tolist())) < num_samples:
        fail(
            f"with {num_samples} samples, your batches hold {len(x_seen)} values, some of them "
            f"twice (sizes {sizes}).",
            "cut the shuffled order into consecutive, non-overlapping slices.",
        )
    if not torch.equal(y_seen, 10 * x_seen):
        fail(
            "x and y are no longer paired: a y_batch does not belong to its x_batch.",
            "pick the same indices from x and from y.",
        )
    if any(size != batch_size for size in sizes[:-1]) or sizes[-1] > batch_size:
        fail(
            f"with batch_size={batch_size}, the batches have sizes {sizes}.",
            "each batch holds batch_size samples; only the last may hold fewer.",
        )
    if torch.equal(x_seen, torch.sort(x_seen).values):
        fail(
            "the samples come in their original order: the batches are not shuffled.",
            "draw a random order of the indices (a permutation) with the generator, and cut "
            "that into batches.",
        )
    again = _call_shuffled_batches(shuffled_batches, x, y, batch_size, seed=0)
    if not torch.equal(torch.cat([x_batch.reshape(-1) for x_batch, _ in again]), x_seen):
        fail(
            "two generators with the same seed gave different orders: the shuffle does not "
            "use the generator passed in.",
            "pass generator=generator to the function that draws the random order, so that "
            "a run can be repeated exactly.",
        )
    generator = torch.Generator().manual_seed(0)
    first = _as_batches(shuffled_batches(x, y, batch_size, generator))  # type: ignore[operator]
    second = _as_batches(shuffled_batches(x, y, batch_size, generator))  # type: ignore[operator]
    if torch.equal(first[0][0], second[0][0]) and torch.equal(first[-1][0], second[-1][0]):
        fail(
            "two calls with the same generator gave the same order: every epoch would see "
            "the batches in the same order.",
            "do not re-seed or create a generator inside the function; draw from the one "
            "passed in.",
        )
    passed("shuffled_batches covers every sample once per epoch, shuffled and reproducible")


def _reference_epoch(
    line: torch.nn.Linear,
    batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    learning_rate: float,
) -> float:
    optimizer = torch.optim.SGD(line.parameters(), lr=learning_rate)
    loss_function = torch.nn.MSELoss()
    total, count = 0.0, 0
    for x_batch, y_batch in batches:
        optimizer.zero_grad()
        loss = loss_function(line(x_batch), y_batch)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x_batch)
        count += len(x_batch)
    return total / max(count, 1)


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check ``train_one_epoch(model, loader, loss_function, optimizer, device) -> mean loss``.

    A probe ``nn.Linear(1, 1)`` is trained for one epoch over three batches of
    sizes 4, 4 and 2; the parameters must match one reference step per batch,
    and the returned loss the mean over all samples (each batch's loss weighted
    by its size). Names: batches skipped (a ``return`` inside the loop), the
    mean of the batch means, a sum instead of a mean.
    """
    if not callable(train_one_epoch):
        call_learner_function("train_one_epoch", train_one_epoch)
    x = torch.tensor([[0.0], [1.0], [2.0], [4.0], [0.5], [3.0], [1.5], [2.5], [3.5], [5.0]])
    y = (
        2.0 * x
        + 1.0
        + torch.tensor([0.3, -0.2, 0.1, 0.4, -0.1, 0.2, -0.3, 0.0, 0.1, -0.4])[:, None]
    )
    batches = [(x[:4], y[:4]), (x[4:8], y[4:8]), (x[8:], y[8:])]
    learning_rate = 0.02
    line, *_ = _probe_line()
    reference_line = copy.deepcopy(line)
    expected = _reference_epoch(reference_line, batches, learning_rate)
    optimizer = torch.optim.SGD(line.parameters(), lr=learning_rate)
    result = call_learner_function(
        "train_one_epoch",
        train_one_epoch,
        line,
        batches,
        torch.nn.MSELoss(),
        optimizer,
        torch.device("cpu"),
    )
    _require_filled("the loss train_one_epoch returns", result)
    mean_loss = as_float("the loss train_one_epoch returns", result)
    if not np.allclose(_line_parameters(line), _line_parameters(reference_line), rtol=1e-4):
        for num_batches in range(len(batches)):
            partial = copy.deepcopy(line)
            with torch.no_grad():
                partial.weight.fill_(_PROBE_START[0])
                partial.bias.fill_(_PROBE_START[1])
            _reference_epoch(partial, batches[:num_batches], learning_rate)
            if np.allclose(_line_parameters(line), _line_parameters(partial), rtol=1e-4):
                fail(
                    f"after one epoch over {len(batches)} batches, the model took "
                    f"{num_batches} step(s).",
                    "take one train_step for every batch of the loader; a return inside the "
                    "for loop ends the epoch after the first batch.",
                )
        fail(
            "after one epoch, the model's parameters differ from one train_step per batch.",
            "call your train_step(model, x_batch, y_batch, loss_function, optimizer) once "
            "for every (x_batch, y_batch) of the loader.",
        )
    if not np.isclose(mean_loss, expected, rtol=1e-4):
        reference = copy.deepcopy(line)
        with torch.no_grad():
            reference.weight.fill_(_PROBE_START[0])
            reference.bias.fill_(_PROBE_START[1])
        batch_losses = []
        for x_batch, y_batch in batches:
            batch_losses.append(_reference_epoch(reference, [(x_batch, y_batch)], learning_rate))
        sizes = [len(x_batch) for x_batch, _ in batches]
        known = {
            float(np.mean(batch_losses)): (
                "that is the mean of the batch losses. The last batch is smaller, so weight "
                "each batch's loss by its number of samples and divide by the number of samples."
            ),
            float(np.dot(batch_losses, sizes)): (
                "that is the sum over the samples: divide by the number of samples."
            ),
            float(np.sum(batch_losses)): (
                "that is the sum of the batch losses: each batch loss is already a mean over "
                "its samples; weight it by the batch size and divide by the number of samples."
            ),
            float(
                batch_losses[-1]
            ): "that is the loss of the last batch only, not the epoch's mean.",
            float(np.dot(batch_losses, sizes) / len(batches)): (
                "you divided by the number of batches; divide by the number of samples."
            ),
        }
        hint = next(
            (text for value, text in known.items() if np.isclose(mean_loss, value, rtol=1e-4)),
            "return the mean loss over all samples of the epoch.",
        )
        fail(f"train_one_epoch returned {mean_loss:.4g} on a test epoch.", hint)
    passed("train_one_epoch steps once per batch and returns the epoch's mean loss")


def check_sgd_fit(m: object, c: object, x: object, y: object, tolerance: float = 0.1) -> None:
    """Check that a line fitted by mini-batch SGD comes within ``tolerance`` of the best loss.

    Mini-batch SGD with a fixed learning rate jitters around the minimum, so it
    is not held to the exact least-squares line: its loss on all of (x, y) must
    be at most ``1 + tolerance`` times the least-squares loss.
    """
    m_value = as_float("m", m)
    c_value = as_float("c", c)
    x_values = np.asarray(torch.as_tensor(x).detach().cpu(), dtype=float).reshape(-1)
    y_values = np.asarray(torch.as_tensor(y).detach().cpu(), dtype=float).reshape(-1)
    design = np.stack([x_values, np.ones_like(x_values)], axis=1)
    (best_m, best_c), *_ = np.linalg.lstsq(design, y_values, rcond=None)
    best_loss = _mse(x_values, y_values, best_m, best_c)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = _mse(x_values, y_values, m_value, c_value)
    if not loss <= (1 + tolerance) * best_loss:
        if not np.isfinite(loss) or loss > 100 * best_loss:
            hint = "the training diverged: try a smaller learning rate."
        else:
            hint = "train for more epochs, or check the learning rate."
        fail(
            f"the loss of (m, c) = ({m_value:.3g}, {c_value:.3g}) on all the data is "
            f"{loss:.4g}, more than {100 * tolerance:.0f} % above the best line's {best_loss:.4g}.",
            hint,
        )
    passed(
        f"the mini-batch fit's loss is within {100 * tolerance:.0f} % of the least-squares line's"
    )
