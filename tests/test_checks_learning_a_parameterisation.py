"""The checks of notebook 06 pass right answers and name each wrong one.

The right answers are written here from the equations, not taken from utils.lorenz96, so
the tests cannot pass by construction.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from utils.checks import CheckFailed
from utils.checks.learning_a_parameterisation import (
    check_climate_statistics,
    check_coupled_step,
    check_evaluate,
    check_headline,
    check_online_setup,
    check_rk4_step,
    check_tendency,
    check_train_one_epoch,
    check_training_pairs,
)
from utils.lorenz96 import Parameters

P = Parameters()


def slow(x, forcing):
    return -np.roll(x, 1, -1) * (np.roll(x, 2, -1) - np.roll(x, -1, -1)) - x + forcing


def subgrid(y, parameters):
    grouped = y.reshape(*y.shape[:-1], parameters.num_slow, parameters.num_fast)
    return -parameters.coupling_constant * grouped.sum(-1)


def rk4(tendency, state, dt):
    k1 = tendency(state)
    k2 = tendency(state + dt / 2 * k1)
    k3 = tendency(state + dt / 2 * k2)
    k4 = tendency(state + dt * k3)
    return state + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6


def full_middle_steps(tendency, state, dt):
    k1 = tendency(state)
    k2 = tendency(state + dt * k1)
    k3 = tendency(state + dt * k2)
    k4 = tendency(state + dt * k3)
    return state + dt * (k1 + 2 * k2 + 2 * k3 + k4) / 6


def coupled(x, parameterisation, dt):
    return rk4(lambda s: slow(s, 20.0) + parameterisation(s), x, dt)


def statistics(x, lag):
    m, v = x.mean(), x.var()
    return {
        "mean": m,
        "variance": v,
        "autocorrelation": np.mean((x[:-lag] - m) * (x[lag:] - m)) / v,
    }


def failure(check, *args) -> CheckFailed:
    with pytest.raises(CheckFailed) as caught:
        check(*args)
    return caught.value


def test_right_answers_pass(capsys):
    check_tendency(slow, subgrid, P)
    check_rk4_step(rk4)
    check_coupled_step(coupled, 20.0)
    check_climate_statistics(statistics)
    assert capsys.readouterr().out.count("✓") == 4


@pytest.mark.parametrize(
    ("wrong_slow", "named"),
    [
        (
            lambda x, f: -np.roll(x, -1, -1) * (np.roll(x, -2, -1) - np.roll(x, 1, -1)) - x + f,
            "wrong way",
        ),
        (
            lambda x, f: np.roll(x, 1, -1) * (np.roll(x, 2, -1) - np.roll(x, -1, -1)) - x + f,
            "advection",
        ),
        (lambda x, f: slow(x, f) + x, "damping"),
        (lambda x, f: slow(x, 0.0), "forcing F is missing"),
        (lambda x, f: slow(x, -f), "subtracted"),
        (
            lambda x, f: -np.roll(x, 1, 0) * (np.roll(x, 2, 0) - np.roll(x, -1, 0)) - x + f,
            "last axis",
        ),
        (lambda x, f: slow(x, f) * 1.01, "term by term"),
    ],
)
def test_slow_tendency_slips_are_named(wrong_slow, named):
    assert named in str(failure(check_tendency, wrong_slow, subgrid, P))


@pytest.mark.parametrize(
    ("wrong_subgrid", "named"),
    [
        (lambda y, p: -y.reshape(3, 8, 32).sum(-1), "coupling constant"),
        (lambda y, p: -subgrid(y, p), "wrong sign"),
        (lambda y, p: subgrid(y, p) / p.num_fast, "averages"),
        (lambda y, p: -p.coupling_constant * y.reshape(3, 32, 8).sum(-2), "k major"),
    ],
)
def test_subgrid_slips_are_named(wrong_subgrid, named):
    assert named in str(failure(check_tendency, slow, wrong_subgrid, P))


@pytest.mark.parametrize(
    ("wrong_step", "named"),
    [
        (lambda f, s, dt: s + dt * f(s), "Euler"),
        (lambda f, s, dt: rk4(f, s, dt) - s, "increments"),
        (lambda f, s, dt: rk4(lambda v: f(v), s, dt * 1.0001), "term by term"),
        (full_middle_steps, "half a step"),
        ("not a function", "should be a function"),
    ],
)
def test_rk4_slips_are_named(wrong_step, named):
    assert named in str(failure(check_rk4_step, wrong_step))


@pytest.mark.parametrize(
    ("wrong_coupled", "named"),
    [
        (lambda x, p, dt: rk4(lambda s: slow(s, 20.0), x, dt), "add the parameterisation"),
        (lambda x, p, dt: rk4(lambda s: slow(s, 20.0) - p(s), x, dt), "subtracted"),
        (lambda x, p, dt: rk4(lambda s: slow(s, 20.0), x, dt) + dt * p(x), "outside RK4"),
        (lambda x, p, dt: rk4(lambda s: slow(s, 20.0) + p(x), x, dt), "held from the start"),
    ],
)
def test_coupled_step_slips_are_named(wrong_coupled, named):
    assert named in str(failure(check_coupled_step, wrong_coupled, 20.0))


def test_training_pairs_from_different_times_are_named():
    xs = np.random.default_rng(0).normal(size=(5, 2, 8))
    us = np.random.default_rng(1).normal(size=(5, 2, 8))
    check_training_pairs(xs.reshape(-1, 8), us.reshape(-1, 8), xs, us)
    error = failure(check_training_pairs, xs[1:].reshape(-1, 8), us[:-1].reshape(-1, 8), xs, us)
    assert "neighbouring time" in str(error)
    error = failure(check_training_pairs, xs.reshape(-1, 8) + 1, us.reshape(-1, 8), xs, us)
    assert "not in the training runs" in str(error)


def test_online_runs_from_training_states_are_refused():
    x_train = np.random.default_rng(0).normal(size=(10, 8))
    check_online_setup(np.random.default_rng(1).normal(size=(3, 8)), x_train)
    assert "training data" in str(failure(check_online_setup, x_train[2:5], x_train))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda s, x, lag: {**s, "variance": np.sqrt(s["variance"])}, "standard deviation"),
        (
            lambda s, x, lag: {**s, "autocorrelation": np.mean(x[:-lag] * x[lag:]) / x.var()},
            "subtract the mean",
        ),
        (
            lambda s, x, lag: {**s, "autocorrelation": statistics(x, 1)["autocorrelation"]},
            "`lag` samples",
        ),
    ],
)
def test_climate_statistics_slips_are_named(change, named):
    def wrong(x, lag):
        return change(statistics(x, lag), x, lag)

    assert named in str(failure(check_climate_statistics, wrong))


def test_autocorrelation_over_k_is_named():
    def over_k(x, lag):
        return statistics(np.moveaxis(x, 2, 0), lag)

    assert "time axis" in str(failure(check_climate_statistics, over_k))


def train_one_epoch(model, loader, loss_function, optimizer, device):
    model.train()
    total = 0.0
    for x, u in loader:
        x, u = x.to(device), u.to(device)
        optimizer.zero_grad()
        loss = loss_function(model(x), u)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(u)
    return total / len(loader.dataset)


def evaluate(model, loader, loss_function, device):
    model.eval()
    total, error = 0.0, 0.0
    with torch.no_grad():
        for x, u in loader:
            x, u = x.to(device), u.to(device)
            outputs = model(x)
            total += loss_function(outputs, u).item() * len(u)
            error += (outputs - u).abs().mean(dim=1).sum().item()
    return {"loss": total / len(loader.dataset), "mae": error / len(loader.dataset)}


def test_the_engine_checks_pass_the_right_epoch_and_evaluate(capsys):
    check_train_one_epoch(train_one_epoch)
    check_evaluate(evaluate)
    assert capsys.readouterr().out.count("✓") == 2


def test_evaluate_with_the_mae_over_the_whole_batch_only_is_refused():
    def last_batch(model, loader, loss_function, device):
        result = evaluate(model, loader, loss_function, device)
        return {**result, "mae": result["mae"] * 2}

    assert "mae" in str(failure(check_evaluate, last_batch))


def test_headline():
    check_headline(3.0, 1e-7, threshold=1.5)
    check_headline(3.0, None, threshold=1.5)
    assert "not 1.5" in str(failure(check_headline, 1.2, 0.0, 1.5))
    assert "Fortran" in str(failure(check_headline, 3.0, 0.1, 1.5))
    with pytest.raises(ValueError, match="threshold"):
        check_headline(3.0, 0.0, threshold=0.5)
