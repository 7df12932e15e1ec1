"""Notebook 06's mistake catalogue: each typical slip is caught by the check after its TODO.

Every case puts one slip into a learner region of the solution and runs the notebook up to
the check right after it (tests/mistakes.py). The networks train for one epoch instead of
twelve, and the assertion that needs twelve is skipped: no case depends on their quality.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.mistakes import catch_mistake

NOTEBOOK = (
    Path(__file__).resolve().parent.parent / "solutions" / "06_learning_a_parameterisation.ipynb"
)
FAST = {
    "num_epochs = 12": "num_epochs = 1",
    'assert offline_mse["convolutional network"] < offline_mse["cubic"], offline_mse': "pass",
}
ROLLS = (
    "x_minus_one = np.roll(x, 1, axis=-1)\n"
    "    x_minus_two = np.roll(x, 2, axis=-1)\n"
    "    x_plus_one = np.roll(x, -1, axis=-1)"
)
ADVECTION = "return -x_minus_one * (x_minus_two - x_plus_one) - x + forcing"
GROUPED = "grouped = y.reshape(*y.shape[:-1], parameters.num_slow, parameters.num_fast)"
SUBGRID = "return -parameters.coupling_constant * grouped.sum(axis=-1)"
RK4_RETURN = "return state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)"
PAIRS = "x_train = xs_train.reshape(-1, num_slow)\nu_train = us_train.reshape(-1, num_slow)"
COUPLED = "return slow_tendency(state, parameters.forcing) + parameterisation(state)"
COVARIANCE = "covariance = np.mean((x[:-lag] - mean) * (x[lag:] - mean))"

MISTAKES = [
    # ---- task 1: slow_tendency and subgrid_tendency ---------------------------------------
    pytest.param(
        ROLLS,
        (
            "x_minus_one = np.roll(x, -1, axis=-1)\n"
            "    x_minus_two = np.roll(x, -2, axis=-1)\n"
            "    x_plus_one = np.roll(x, 1, axis=-1)"
        ),
        "check_tendency",
        "wrong way",
        id="neighbours-rolled-the-wrong-way",
    ),
    pytest.param(
        ADVECTION,
        ADVECTION.replace("return -x", "return x"),
        "check_tendency",
        "advection term has the wrong sign",
        id="advection-sign",
    ),
    pytest.param(
        ADVECTION,
        ADVECTION.replace("(x_minus_two - x_plus_one)", "(x_plus_one - x_minus_two)"),
        "check_tendency",
        "advection",
        id="advection-indices-swapped",
    ),
    pytest.param(
        ADVECTION,
        ADVECTION.replace("- x + forcing", "+ x + forcing"),
        "check_tendency",
        "damping",
        id="damping-sign",
    ),
    pytest.param(
        ADVECTION,
        ADVECTION.replace(" + forcing", ""),
        "check_tendency",
        "forcing F is missing",
        id="forcing-forgotten",
    ),
    pytest.param(
        ROLLS,
        ROLLS.replace("axis=-1", "axis=0"),
        "check_tendency",
        "last axis",
        id="rolled-along-the-runs",
    ),
    pytest.param(
        SUBGRID,
        "return -grouped.sum(axis=-1)",
        "check_tendency",
        "coupling constant",
        id="coupling-constant-forgotten",
    ),
    pytest.param(
        SUBGRID,
        SUBGRID.replace("return -", "return "),
        "check_tendency",
        "wrong sign",
        id="subgrid-sign",
    ),
    pytest.param(
        SUBGRID, SUBGRID.replace(".sum(", ".mean("), "check_tendency", "averages", id="mean-over-j"
    ),
    pytest.param(
        f"{GROUPED}\n    {SUBGRID}",
        GROUPED.replace("num_slow, parameters.num_fast", "num_fast, parameters.num_slow")
        + "\n    "
        + SUBGRID.replace("axis=-1", "axis=-2"),
        "check_tendency",
        "k major",
        id="fast-variables-grouped-j-major",
    ),
    # ---- task 2: rk4_step ------------------------------------------------------------------
    pytest.param(RK4_RETURN, "return state + dt * k1", "check_rk4_step", "Euler", id="euler-step"),
    pytest.param(
        RK4_RETURN,
        "return state + dt / 4 * (k1 + k2 + k3 + k4)",
        "check_rk4_step",
        "1, 2, 2, 1",
        id="equal-weights",
    ),
    pytest.param(
        "k2 = tendency(state + 0.5 * dt * k1)\n    k3 = tendency(state + 0.5 * dt * k2)",
        "k2 = tendency(state + dt * k1)\n    k3 = tendency(state + dt * k2)",
        "check_rk4_step",
        "half a step",
        id="full-steps-in-the-middle-stages",
    ),
    pytest.param(
        RK4_RETURN,
        RK4_RETURN.replace("return state + ", "return "),
        "check_rk4_step",
        "increments",
        id="returns-the-increment",
    ),
    # ---- task 3: training pairs ------------------------------------------------------------
    pytest.param(
        PAIRS,
        "x_train = xs_train[1:].reshape(-1, num_slow)\n"
        "u_train = us_train[:-1].reshape(-1, num_slow)",
        "check_training_pairs",
        "neighbouring time",
        id="x-and-u-from-different-times",
    ),
    pytest.param(
        PAIRS,
        PAIRS.replace("us_train.reshape", "us_train.transpose(1, 0, 2).reshape"),
        "check_training_pairs",
        "same way",
        id="x-and-u-flattened-differently",
    ),
    # ---- task 4: train_one_epoch and evaluate (the shared engine) --------------------------
    pytest.param(
        "        optimizer.zero_grad()\n        loss = loss_function(model(x), u)",
        "        loss = loss_function(model(x), u)",
        "check_train_one_epoch",
        "zero",
        id="no-zero-grad",
    ),
    pytest.param(
        "    model.train()\n    total_loss = 0.0",
        "    total_loss = 0.0",
        "check_train_one_epoch",
        "evaluation mode",
        id="no-model-train",
    ),
    pytest.param(
        "        total_loss += loss.item() * len(u)\n    return total_loss",
        "        total_loss += loss.item() * len(u)\n        return total_loss",
        "check_train_one_epoch",
        "stops early",
        id="early-return",
    ),
    pytest.param(
        "total_loss += loss.item() * len(u)",
        "total_loss += loss * len(u)",
        "check_train_one_epoch",
        "tensor",
        id="loss-tensor-summed",
    ),
    pytest.param(
        "    model.eval()\n    total_loss, total_error",
        "    total_loss, total_error",
        "check_evaluate",
        "training mode",
        id="evaluate-in-train-mode",
    ),
    pytest.param(
        "(outputs - u).abs().mean(dim=1).sum().item()",
        "(outputs - u).abs().sum().item()",
        "check_evaluate",
        "mae",
        id="mae-summed-over-k",
    ),
    # ---- task 5: coupled_step --------------------------------------------------------------
    pytest.param(
        COUPLED,
        "return slow_tendency(state, parameters.forcing)",
        "check_coupled_step",
        "add the parameterisation",
        id="parameterisation-forgotten",
    ),
    pytest.param(
        COUPLED,
        COUPLED.replace("+ parameterisation", "- parameterisation"),
        "check_coupled_step",
        "subtracted",
        id="parameterisation-subtracted",
    ),
    pytest.param(
        COUPLED,
        COUPLED.replace("parameterisation(state)", "parameterisation(x)"),
        "check_coupled_step",
        "held from the start",
        id="parameterisation-of-the-first-stage-only",
    ),
    # ---- task 6: online initial states -----------------------------------------------------
    pytest.param(
        "initial_states = xs_test[starts]",
        "initial_states = xs_train[starts]",
        "check_online_setup",
        "training data",
        id="online-runs-from-the-training-trajectory",
    ),
    # ---- task 7: climate statistics --------------------------------------------------------
    pytest.param(
        "mean, variance = x.mean(), x.var()",
        "mean, variance = x.mean(), x.std()",
        "check_climate_statistics",
        "standard deviation",
        id="standard-deviation-for-variance",
    ),
    pytest.param(
        COVARIANCE,
        "covariance = np.mean(x[:-lag] * x[lag:])",
        "check_climate_statistics",
        "subtract the mean",
        id="autocorrelation-without-the-mean",
    ),
    pytest.param(
        COVARIANCE,
        COVARIANCE.replace("x[:-lag]", "x[:-1]").replace("x[lag:]", "x[1:]"),
        "check_climate_statistics",
        "`lag` samples",
        id="lag-of-one-sample",
    ),
    pytest.param(
        COVARIANCE,
        "xk = np.moveaxis(x, 2, 0)\n"
        "    covariance = np.mean((xk[:-lag] - mean) * (xk[lag:] - mean))",
        "check_climate_statistics",
        "time axis",
        id="lag-over-k",
    ),
]


@pytest.mark.parametrize(("old", "new", "check", "named"), MISTAKES)
def test_mistake_is_named_by_the_check_after_its_todo(old, new, check, named):
    error = catch_mistake(NOTEBOOK, old, new, check, replace=FAST)
    assert error.hint is not None, f"{check} failed without a hint: {error.message}"
    assert re.search(named, str(error), flags=re.DOTALL), f"the check should name it: {error}"


def test_the_catalogue_holds_at_least_fifteen_mistakes():
    assert len(MISTAKES) >= 15
