"""Self-checks for notebook 00, fitting y = m x + c by gradient descent.

Every expected value is computed here from first principles (autograd, least
squares), never typed in, so a check cannot drift from the maths it checks.
"""

from __future__ import annotations

import numpy as np
import torch

from utils.checks._core import (
    as_float,
    call_learner_function,
    check_array,
    fail,
    find_factor,
    passed,
)

X_DATA = np.array([1.0, 2.0, 3.0])
Y_DATA = np.array([2.1, 3.9, 6.2])

# Points (m, c) at which learners' functions are compared with the reference.
_PROBE_PARAMETERS = [(0.0, 0.0), (1.5, -0.5), (-2.0, 3.0)]


def _autograd_gradients(x: np.ndarray, y: np.ndarray, m: float, c: float) -> tuple[float, float]:
    """Return dL/dm and dL/dc of the mean squared error, computed by autograd."""
    m_tensor = torch.tensor(m, dtype=torch.float64, requires_grad=True)
    c_tensor = torch.tensor(c, dtype=torch.float64, requires_grad=True)
    prediction = m_tensor * torch.from_numpy(x) + c_tensor
    loss = torch.mean((torch.from_numpy(y) - prediction) ** 2)
    loss.backward()
    return float(m_tensor.grad), float(c_tensor.grad)


def check_data(x: object, y: object) -> None:
    """Check that ``x`` and ``y`` hold the three data points as float arrays."""
    check_array("x", x, shape=(3,))
    check_array("y", y, shape=(3,))
    if not np.allclose(x, X_DATA) or not np.allclose(y, Y_DATA):  # type: ignore[arg-type]
        fail(
            "x and y do not hold the three points of the task.",
            "copy them from the table above, in the same order: x goes with y.",
        )
    passed("the data look right")


def check_model(model: object) -> None:
    """Check ``model(x, m, c)``, the straight line, on a few slopes and intercepts."""
    for m, c in _PROBE_PARAMETERS:
        prediction = call_learner_function("model", model, X_DATA, m, c)
        if not isinstance(prediction, np.ndarray) or prediction.shape != X_DATA.shape:
            fail(
                f"model(x, m, c) should return one prediction per x value "
                f"(an array of shape {X_DATA.shape}), got {type(prediction).__name__} "
                f"of shape {getattr(prediction, 'shape', None)}.",
                "with NumPy arrays, m * x + c works element by element.",
            )
        if not np.allclose(prediction, m * X_DATA + c):
            fail(
                f"model(x, m={m}, c={c}) gives the wrong values.",
                "the slope multiplies x; the intercept is added once.",
            )
    passed("model(x, m, c) draws a straight line")


def check_mse_loss(mse_loss: object) -> None:
    """Check ``mse_loss(y_pred, y_true)`` against PyTorch's mean squared error."""
    generator = np.random.default_rng(0)
    y_pred, y_true = generator.normal(size=(2, 5))
    value = as_float("mse_loss(...)", call_learner_function("mse_loss", mse_loss, y_pred, y_true))
    expected = float(torch.nn.functional.mse_loss(torch.tensor(y_pred), torch.tensor(y_true)))
    if not np.isclose(value, expected, rtol=1e-6):
        known_slip = find_factor(
            value,
            expected,
            {
                5.0: "that looks like the sum of squared errors; the mean divides by n.",
                0.5: "there is a stray factor 1/2 in your loss.",
            },
        )
        fail(
            "mse_loss gives the wrong value on a test example.",
            known_slip or "square each difference (prediction minus truth) first, then average.",
        )
    passed("mse_loss computes the mean squared error")


def check_gradients(gradients: object) -> None:
    """Check ``gradients(x, y, m, c) -> (dL_dm, dL_dc)`` against autograd at several points."""
    for m, c in _PROBE_PARAMETERS:
        result = call_learner_function("gradients", gradients, X_DATA, Y_DATA, m, c)
        if not isinstance(result, tuple | list) or len(result) != 2:
            fail(
                "gradients(x, y, m, c) should return two numbers, (dL_dm, dL_dc).",
                "end the function with: return dL_dm, dL_dc",
            )
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


def check_fit(m: object, c: object, decimals: int = 3) -> None:
    """Check that (m, c) is the least-squares line to ``decimals`` decimal places.

    The failure message reports how steep the loss still is at (m, c), which
    tells whether to train longer, without giving the answer away.
    """
    m_value = as_float("m", m)
    c_value = as_float("c", c)
    design = np.stack([X_DATA, np.ones_like(X_DATA)], axis=1)
    (best_m, best_c), *_ = np.linalg.lstsq(design, Y_DATA, rcond=None)
    tolerance = 0.5 * 10.0**-decimals
    if abs(m_value - best_m) > tolerance or abs(c_value - best_c) > tolerance:
        dl_dm, dl_dc = _autograd_gradients(X_DATA, Y_DATA, m_value, c_value)
        if not np.isfinite([m_value, c_value]).all():
            hint = "m or c is not finite: the steps overshot and grew. Try a smaller learning rate."
        else:
            hint = (
                f"the gradient at your (m, c) is still ({dl_dm:.2g}, {dl_dc:.2g}). "
                "Take more steps, or a larger (but not too large) learning rate."
            )
        fail(f"(m, c) = ({m_value:.4f}, {c_value:.4f}) is not yet the best line.", hint)
    passed(f"(m, c) matches the least-squares line to {decimals} decimals")
