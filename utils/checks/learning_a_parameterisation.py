"""Self-checks for notebook 06: a learned parameterisation inside a running Lorenz '96 model.

Expected values come from :mod:`utils.lorenz96` or the probe engine, never typed in. A wrong
answer is compared with what typical slips give (a sign, a shift on the circle, a forgotten
constant, Euler for RK4, ...), and the slip it matches is named."""

from __future__ import annotations

import numpy as np

from utils import lorenz96
from utils.checks import engine
from utils.checks._core import as_float, call_learner_function, check_array, fail, passed

PROBE = engine.Probe("regression", input_shape=(8,), num_outputs=8)
MAE = engine.Metric(lambda outputs, u: (outputs - u).abs().mean(dim=1), "the absolute error of U")
TOLERANCE = 1e-3  # the largest |X| difference accepted between Fortran and Python
PROBE_STATES = np.random.default_rng(6).normal(3.0, 5.0, (3, 8))


def _name_slip(name: str, call: tuple, expected: np.ndarray, slips: dict) -> None:
    """Call ``name`` with ``call``'s arguments; fail naming the slip whose answer it gives."""
    value = call_learner_function(name, *call)
    check_array(f"{name}(...)", value, shape=expected.shape)
    if np.allclose(value, expected, rtol=1e-6, atol=1e-8):
        return
    for hint, wrong in slips.items():
        if np.allclose(value, wrong, rtol=1e-6, atol=1e-8):
            fail(f"{name} gives another answer than the model's equation.", hint)
    at = np.unravel_index(np.argmax(np.abs(value - expected)), value.shape)
    said = f"{name} gives {value[at]:.4g} at {tuple(map(int, at))}, not {expected[at]:.4g}."
    fail(said, "compare your code with the equation above, term by term.")


def check_tendency(slow_tendency: object, subgrid_tendency: object, parameters: object) -> None:
    """Check the resolved tendency of X and the subgrid tendency U of the fast variables."""
    p = parameters if isinstance(parameters, lorenz96.Parameters) else lorenz96.Parameters()
    x, f = PROBE_STATES, p.forcing
    roll = lambda s, axis=-1: np.roll(x, s, axis=axis)  # noqa: E731
    advection, mirrored = -roll(1) * (roll(2) - roll(-1)), -roll(-1) * (roll(-2) - roll(1))
    wrong_axis = -roll(1, 0) * (roll(2, 0) - roll(-1, 0)) - x + f
    _name_slip(
        "slow_tendency",
        (slow_tendency, x, f),
        advection - x + f,
        {
            "the neighbours point the wrong way: np.roll(x, 1) moves X_{k-1} to position k, so "
            "X_{k+1} is np.roll(x, -1).": mirrored - x + f,
            "the advection term has the wrong sign: -X_{k-1} (X_{k-2} - X_{k+1}).": -advection
            - x
            + f,
            "the damping term -X_k is missing.": advection + f,
            "the damping term is -X_k, with a minus sign.": advection + x + f,
            "the forcing F is subtracted; it is added.": advection - x - f,
            "the forcing F is missing: + forcing.": advection - x,
            "roll along k, the last axis: np.roll(x, 1, axis=-1).": wrong_axis,
        },
    )
    p = lorenz96.Parameters(p.num_slow, p.num_fast, coupling=0.5)  # h c / b = 1 would hide slips
    y = np.random.default_rng(7).normal(0.2, 0.5, (3, p.num_slow * p.num_fast))
    sums, expected = y.reshape(3, p.num_slow, -1).sum(-1), lorenz96.subgrid_tendency(y, p)
    transposed = -p.coupling_constant * y.reshape(3, p.num_fast, p.num_slow).sum(-2)
    _name_slip(
        "subgrid_tendency",
        (subgrid_tendency, y, p),
        expected,
        {
            "the coupling constant h c / b is missing: U = -(h c / b) Σ_j Y_{j,k}.": -sums,
            "U has the wrong sign: the fast variables drain X, -(h c / b) Σ_j Y.": -expected,
            "that averages over j; U sums the J fast variables of each X_k.": expected / p.num_fast,
            "the J fast variables of X_k are neighbours, k major: y.reshape(..., K, J), then "
            "sum over the last axis.": transposed,
        },
    )
    passed("slow_tendency and subgrid_tendency follow the two-scale Lorenz '96 equations")


def check_rk4_step(rk4_step: object) -> None:
    """Check one classical RK4 step on the single-scale Lorenz '96 model."""
    x, dt = PROBE_STATES, 0.05
    f = lambda state: lorenz96.slow_tendency(state, 8.0)  # noqa: E731
    k1 = f(x)
    k2, k2_full = f(x + dt / 2 * k1), f(x + dt * k1)
    k3, k3_full = f(x + dt / 2 * k2), f(x + dt * k2_full)
    k4 = f(x + dt * k3)
    increment = dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    full = x + dt / 6 * (k1 + 2 * k2_full + 2 * k3_full + f(x + dt * k3_full))
    _name_slip(
        "rk4_step",
        (rk4_step, f, x, dt),
        lorenz96.rk4_step(f, x, dt),
        {
            "that is one Euler step; RK4 calls the tendency four times.": x + dt * k1,
            "the weights are 1, 2, 2, 1, divided by 6.": x + dt / 4 * (k1 + k2 + k3 + k4),
            "the middle stages start half a step on: state + dt / 2 * k1, then "
            "state + dt / 2 * k2.": full,
            "the stages are increments: add them to the state, state + dt / 6 * (...).": increment,
        },
    )
    passed("rk4_step takes one classical fourth-order Runge–Kutta step")


def check_training_pairs(x_train: object, u_train: object, xs: object, us: object) -> None:
    """Check that row i of ``u_train`` is U at the time and place of row i of ``x_train``."""
    xs, us = np.asarray(xs), np.asarray(us)
    num_runs, num_slow = xs.shape[1:]
    check_array("x_train", x_train)
    check_array("u_train", u_train)
    x, u = np.asarray(x_train), np.asarray(u_train)
    if x.ndim != 2 or x.shape != u.shape or x.shape[1] != num_slow:
        fail(f"x_train {x.shape} and u_train {u.shape} should both be (samples × runs, K).")
    where = {row.tobytes(): i for i, row in enumerate(xs.reshape(-1, num_slow))}
    rows = np.array([where.get(row.astype(xs.dtype).tobytes(), -1) for row in x])
    if np.any(rows < 0):
        fail("x_train holds states that are not in the training runs.", "reshape xs_train.")
    flat = us.reshape(-1, num_slow)
    if not np.allclose(u, flat[rows]):
        shifted = (np.clip(rows + s, 0, len(flat) - 1) for s in (num_runs, -num_runs))
        later = any(np.allclose(u, flat[r]) for r in shifted)
        when = ": it is U at a neighbouring time." if later else "."
        fail(
            f"u_train is not U at the time of x_train{when}",
            "U_k is what the fast variables do to X_k *now*: take X and U from the same "
            "sample, xs_train and us_train reshaped the same way.",
        )
    if len(x) != len(flat):
        fail(f"x_train holds {len(x):,} of the {len(flat):,} training pairs; keep them all.")
    passed(f"{len(x):,} pairs (X, U), each taken at one time")


def check_train_one_epoch(train_one_epoch: object) -> None:
    """Check ``train_one_epoch`` on the engine's probe (any slip of the engine's table)."""
    engine.probe_train_one_epoch(train_one_epoch, PROBE)
    passed("train_one_epoch trains for one epoch and returns the mean training loss")


def check_evaluate(evaluate: object) -> None:
    """Check that ``evaluate`` returns the mean "loss" and "mae" over the items."""
    engine.probe_evaluate(evaluate, PROBE, {"mae": MAE})
    passed('evaluate returns the mean "loss" and "mae" over the items, in eval mode')


def check_coupled_step(coupled_step: object, forcing: float) -> None:
    """Check one RK4 step of the coarse model with a parameterisation called at every stage."""
    x, dt = PROBE_STATES, 0.01
    damping = lambda state: -0.8 * state - 0.5  # noqa: E731  # a stand-in parameterisation
    step = lambda p: lorenz96.rk4_step(lambda s: lorenz96.coarse_tendency(s, forcing, p), x, dt)  # noqa: E731
    outside, held = step(None) + dt * damping(x), step(lambda s: damping(x))
    minus = step(lambda s: -damping(s))
    _name_slip(
        "coupled_step",
        (coupled_step, x, damping, dt),
        step(damping),
        {
            "add the parameterisation: slow_tendency(x, forcing) + parameterisation(x).": step(
                None
            ),
            "the parameterisation is subtracted; it estimates U, which is added.": minus,
            "it is added once, outside RK4: call it in the tendency, at every stage.": outside,
            "it is held from the start: call it on each of the four stages' states.": held,
        },
    )
    passed("coupled_step takes one RK4 step of the coarse model, the parameterisation inside")


def check_online_setup(initial_states: object, x_train: object) -> None:
    """Check that the online runs start from held-out states, never from training data."""
    check_array("initial_states", initial_states)
    states = np.asarray(initial_states, dtype=np.float32).reshape(-1, np.shape(x_train)[-1])
    seen = {row.tobytes() for row in np.asarray(x_train, dtype=np.float32)}
    if any(row.tobytes() in seen for row in states):
        message = "some initial states are training data: runs from there test memory, not skill."
        fail(message, "start the online runs from the test runs, xs_test, which no model saw.")
    passed(f"{len(states)} initial states, none of them seen in training")


def _statistics(x: np.ndarray, lag: int, time_axis: int = 0) -> dict[str, float]:
    x, mean, variance = np.moveaxis(x, time_axis, 0), x.mean(), x.var()
    lagged = np.mean((x[:-lag] - mean) * (x[lag:] - mean)) / variance
    return {"mean": float(mean), "variance": float(variance), "autocorrelation": float(lagged)}


def check_climate_statistics(climate_statistics: object) -> None:
    """Check the mean, variance and lag autocorrelation of X, pooled over runs and k."""
    x = np.cumsum(np.random.default_rng(8).normal(0, 1, (40, 3, 8)), axis=0) * 0.3 + 2
    value = call_learner_function("climate_statistics", climate_statistics, x, 2)
    expected = _statistics(x, 2)
    if not isinstance(value, dict) or set(value) != set(expected):
        fail(f"climate_statistics should return a dict with the keys {list(expected)}.")
    for name in expected:
        got = as_float(f'climate_statistics(...)["{name}"]', value[name])
        slips = {
            "that is the standard deviation; the variance is its square.": np.sqrt(expected[name]),
            "the lag runs along the time axis, 0: x[:-lag] against x[lag:]; that lags over "
            "another axis.": _statistics(x, 2, time_axis=2)[name],
            "subtract the mean before multiplying: the autocorrelation is a covariance divided "
            "by the variance.": np.mean(x[:-2] * x[2:]) / x.var(),
            "the lag is `lag` samples: x[:-lag] against x[lag:].": _statistics(x, 1)[name],
        }
        if not engine.close(got, expected[name]):
            said = f'climate_statistics(...)["{name}"] = {got:.4g}, not {expected[name]:.4g}.'
            fail(said, next((h for h, v in slips.items() if engine.close(got, v)), None))
    passed("climate_statistics: mean, variance and lag autocorrelation over runs and k")


def check_headline(forecast_gain: object, max_difference: object, threshold: float = 1.5) -> None:
    """Check the network's forecast lasts ``threshold`` times as long, and Fortran = Python."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 1:
        raise ValueError(f"threshold should be a factor above 1, such as 1.5, got {threshold!r}")
    gain = as_float("forecast_gain", forecast_gain)
    if gain < threshold:
        said = f"forecasts stay useful {gain:.2f}× as long as with none, not {threshold}×."
        fail(said, "train as in task 4 and run the coupled model with the network inside.")
    if max_difference is None:
        print(f"⚠ forecasts {threshold}× longer; the Fortran part was skipped.")
        return
    difference = as_float("max_difference", max_difference)
    if not 0 <= difference <= TOLERANCE:
        fail(f"Fortran and Python differ by {difference:.2g}, more than {TOLERANCE}.")
    passed(f"forecasts at least {threshold}× longer; Fortran and Python agree within {TOLERANCE}")
