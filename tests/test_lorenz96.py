"""The two-scale Lorenz '96 model: tendencies written out by hand, RK4's order, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from utils.lorenz96 import (
    Parameters,
    coarse_tendency,
    fast_tendency,
    initial_states,
    integrate_coarse,
    integrate_two_scale,
    rk4_step,
    slow_tendency,
    subgrid_tendency,
)

SMALL = Parameters(num_slow=4, num_fast=4)


def test_slow_tendency_matches_the_equation_written_with_explicit_indices():
    x = np.array([1.0, -2.0, 3.5, 0.5, 4.0])
    forcing = 8.0
    expected = [
        -x[(k - 1) % 5] * (x[(k - 2) % 5] - x[(k + 1) % 5]) - x[k] + forcing for k in range(5)
    ]
    np.testing.assert_allclose(slow_tendency(x, forcing), expected)


def test_a_steady_state_has_no_resolved_tendency():
    np.testing.assert_allclose(slow_tendency(np.full((2, 6), 8.0), 8.0), 0.0)


def test_subgrid_tendency_sums_each_slow_variables_own_fast_ones_with_the_constant():
    p = Parameters(num_slow=4, num_fast=4, coupling=2.0, time_scale=10.0, space_scale=5.0)
    y = np.arange(16.0)
    expected = [-(2.0 * 10.0 / 5.0) * sum(y[4 * k : 4 * k + 4]) for k in range(4)]
    np.testing.assert_allclose(subgrid_tendency(y, p), expected)


def test_fast_tendency_matches_the_equation_on_one_circle_of_all_fast_variables():
    x, y = np.array([1.0, 2.0, 3.0, 4.0]), np.linspace(-1, 1, 16)
    c, b, size = 10.0, 10.0, 16
    expected = [
        -c * b * y[(i + 1) % size] * (y[(i + 2) % size] - y[i - 1]) - c * y[i] + 1.0 * x[i // 4]
        for i in range(size)
    ]
    np.testing.assert_allclose(fast_tendency(x, y, SMALL), expected)


def test_rk4_is_fourth_order():
    def decay(state: np.ndarray) -> np.ndarray:
        return -state

    errors = []
    for dt in (0.1, 0.05):
        state = np.array([1.0])
        for _ in range(round(1 / dt)):
            state = rk4_step(decay, state, dt)
        errors.append(abs(state[0] - np.exp(-1)))
    assert 14 < errors[0] / errors[1] < 18, errors  # halving dt divides the error by 2**4


def test_the_truth_is_seeded_batched_and_bounded():
    x, y = initial_states(3, Parameters(), seed=0)
    again = initial_states(3, Parameters(), seed=0)
    assert np.array_equal(x, again[0])
    assert np.array_equal(y, again[1])
    last_y, xs, us = integrate_two_scale(x, y, Parameters(), 0.005, 200, sample_every=50)
    assert xs.shape == us.shape == (5, 3, 8)
    assert last_y.shape == (3, 256)
    assert np.all(np.isfinite(xs))
    assert np.abs(xs).max() < 30
    np.testing.assert_allclose(us[-1], subgrid_tendency(last_y, Parameters()))


def test_the_batch_dimension_runs_independent_copies():
    x, y = initial_states(2, Parameters(), seed=1)
    _, together, _ = integrate_two_scale(x, y, Parameters(), 0.005, 20)
    _, alone, _ = integrate_two_scale(x[1:], y[1:], Parameters(), 0.005, 20)
    np.testing.assert_allclose(together[:, 1:], alone, rtol=1e-12)


def test_coarse_model_calls_the_parameterisation_at_every_stage():
    calls = []

    def parameterisation(x: np.ndarray) -> np.ndarray:
        calls.append(x.copy())
        return -0.5 * x

    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    out = integrate_coarse(x, 8.0, parameterisation, 0.01, 3)
    assert out.shape == (4, 1, 4)
    assert len(calls) == 12
    expected = rk4_step(lambda s: coarse_tendency(s, 8.0, parameterisation), x, 0.01)
    np.testing.assert_allclose(out[1], expected)


def test_a_run_that_blows_up_becomes_nan_and_the_others_go_on():
    x = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]])

    def unstable(state: np.ndarray) -> np.ndarray:
        return np.where(np.arange(len(state))[:, None] == 0, 50 * state, 0.0)

    with np.errstate(over="ignore", invalid="ignore"):
        out = integrate_coarse(x, 8.0, unstable, 0.01, 200)
    assert np.all(np.isnan(out[-1, 0]))
    assert np.all(np.isfinite(out[-1, 1]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Parameters(num_slow=2), "num_slow"),
        (lambda: Parameters(space_scale=0.0), "space_scale"),
        (lambda: subgrid_tendency(np.zeros(10), SMALL), r"y should have shape \(\.\.\., 16\)"),
        (lambda: slow_tendency("12", 8.0), "x should be a NumPy array"),
        (lambda: integrate_two_scale(np.zeros(4), np.zeros(16), SMALL, 0.5, 1), "dt"),
        (lambda: integrate_two_scale(np.zeros(4), np.zeros(16), SMALL, 0.01, 0), "num_steps"),
        (lambda: integrate_two_scale(np.zeros((2, 4)), np.zeros(16), SMALL, 0.01, 1), "same runs"),
        (lambda: integrate_coarse(np.zeros(4), 8.0, None, 0.01, 2, sample_every=0), "sample_every"),
        (lambda: initial_states(0, SMALL, seed=0), "num_runs"),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
