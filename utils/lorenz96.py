"""The two-scale Lorenz '96 model, its fourth-order Runge–Kutta integration and a coarse model.

Lorenz (1996) wrote a toy atmosphere: ``K`` slow variables ``X_k`` on a circle of latitude,
each coupled to ``J`` fast variables ``Y_{j,k}`` (the small scales)::

    dX_k/dt     = -X_{k-1} (X_{k-2} - X_{k+1}) - X_k + F - (h c / b) Σ_j Y_{j,k}
    dY_{j,k}/dt = -c b Y_{j+1,k} (Y_{j+2,k} - Y_{j-1,k}) - c Y_{j,k} + (h c / b) X_k

The fast variables form one circle of ``K * J`` values (``Y_{J,k}`` is followed by
``Y_{1,k+1}``), stored here in one array of shape ``(..., K * J)``, ``k`` major. The
parameters default to those of Wilks (2005) and Arnold et al. (2013): K = 8, J = 32, h = 1,
b = 10, c = 10, F = 20 (Wilks took F = 18 and 20). The *coarse* model keeps X only and
replaces the subgrid tendency ``U_k = -(h c / b) Σ_j Y_{j,k}`` with a parameterisation, a
function of X. Every function works on a batch: leading dimensions are runs.

References: E. N. Lorenz, "Predictability: a problem partly solved", ECMWF seminar (1996);
D. S. Wilks, Q. J. R. Meteorol. Soc. 131, 389–407 (2005); H. M. Arnold, I. M. Moroz and
T. N. Palmer, Phil. Trans. R. Soc. A 371, 20110479 (2013).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Parameterisation = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Parameters:
    """The constants of the two-scale model (Wilks 2005, Arnold et al. 2013).

    Parameters
    ----------
    num_slow, num_fast
        K slow variables, each with J fast ones.
    forcing
        F, the large-scale forcing.
    coupling, time_scale, space_scale
        h, c and b: the fast variables are c times faster and b times smaller.
    """

    num_slow: int = 8
    num_fast: int = 32
    forcing: float = 20.0
    coupling: float = 1.0
    time_scale: float = 10.0
    space_scale: float = 10.0

    def __post_init__(self) -> None:
        for name in ("num_slow", "num_fast"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 4:
                raise ValueError(f"{name} should be an int of at least 4, got {value!r}.")
        for name in ("time_scale", "space_scale"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} should be positive, got {getattr(self, name)!r}.")

    @property
    def coupling_constant(self) -> float:
        """h c / b, the factor in front of the coupling terms."""
        return self.coupling * self.time_scale / self.space_scale


def _array(name: str, value: object, last: int | None = None) -> np.ndarray:
    """``value`` as a float64 array, or an error naming it (wrong type, shape or non-finite)."""
    if not isinstance(value, np.ndarray | list | tuple | float | int):
        raise TypeError(f"{name} should be a NumPy array, got {type(value).__name__}.")
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0 or (last is not None and array.shape[-1] != last):
        raise ValueError(f"{name} should have shape (..., {last}), got {array.shape}.")
    return array


def slow_tendency(x: np.ndarray, forcing: float) -> np.ndarray:
    """The resolved tendency of X: ``-X_{k-1} (X_{k-2} - X_{k+1}) - X_k + F``, over the circle.

    Parameters
    ----------
    x
        Slow variables, shape (..., K).
    forcing
        F.

    Returns
    -------
    np.ndarray
        dX/dt without the subgrid tendency, the shape of ``x``.
    """
    x = _array("x", x)
    minus_one, minus_two, plus_one = (np.roll(x, shift, axis=-1) for shift in (1, 2, -1))
    return -minus_one * (minus_two - plus_one) - x + forcing


def subgrid_tendency(y: np.ndarray, parameters: Parameters) -> np.ndarray:
    """``U_k = -(h c / b) Σ_j Y_{j,k}``: what the fast variables do to each X_k.

    Parameters
    ----------
    y
        Fast variables, shape (..., K * J), k major.
    parameters
        The model's constants.

    Returns
    -------
    np.ndarray
        Shape (..., K).
    """
    size = parameters.num_slow * parameters.num_fast
    y = _array("y", y, size)
    sums = y.reshape(*y.shape[:-1], parameters.num_slow, parameters.num_fast).sum(axis=-1)
    return -parameters.coupling_constant * sums


def fast_tendency(x: np.ndarray, y: np.ndarray, parameters: Parameters) -> np.ndarray:
    """dY/dt: ``-c b Y_{j+1} (Y_{j+2} - Y_{j-1}) - c Y_j + (h c / b) X_k``, shape (..., K * J)."""
    c, b = parameters.time_scale, parameters.space_scale
    plus_one, plus_two, minus_one = (np.roll(y, shift, axis=-1) for shift in (-1, -2, 1))
    coupling = parameters.coupling_constant * np.repeat(x, parameters.num_fast, axis=-1)
    return -c * b * plus_one * (plus_two - minus_one) - c * y + coupling


def rk4_step(
    tendency: Callable[[np.ndarray], np.ndarray], state: np.ndarray, dt: float
) -> np.ndarray:
    """One classical fourth-order Runge–Kutta step of ``d state/dt = tendency(state)``.

    Parameters
    ----------
    tendency
        Maps a state to its time derivative, same shape.
    state
        The state now.
    dt
        The time step.

    Returns
    -------
    np.ndarray
        The state ``dt`` later.
    """
    k1 = tendency(state)
    k2 = tendency(state + 0.5 * dt * k1)
    k3 = tendency(state + 0.5 * dt * k2)
    k4 = tendency(state + dt * k3)
    return state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} should be a positive int, got {value!r}.")
    return int(value)


def _time_step(dt: object) -> float:
    if isinstance(dt, bool) or not isinstance(dt, float | int) or not 0 < dt <= 0.1:
        raise ValueError(f"dt should be a number in (0, 0.1], got {dt!r}.")
    return float(dt)


def initial_states(
    num_runs: int, parameters: Parameters, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random starting states: X of shape (num_runs, K), Y of shape (num_runs, K * J)."""
    num_runs = _positive_int("num_runs", num_runs)
    generator = np.random.default_rng(seed)
    x = parameters.forcing / 4 * generator.standard_normal((num_runs, parameters.num_slow))
    y = 0.1 * generator.standard_normal((num_runs, parameters.num_slow * parameters.num_fast))
    return x, y


def integrate_two_scale(
    x: np.ndarray,
    y: np.ndarray,
    parameters: Parameters,
    dt: float,
    num_steps: int,
    sample_every: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate the full model with RK4; return its final Y and samples of X and U.

    Parameters
    ----------
    x, y
        Starting states, shapes (..., K) and (..., K * J).
    parameters
        The model's constants.
    dt
        The time step (0.005 resolves the fast variables at the defaults).
    num_steps
        Steps to take.
    sample_every
        Keep X and U every this many steps (the start included).

    Returns
    -------
    tuple of np.ndarray
        The last Y, and X and U at the kept times, shape (num_kept, ..., K) each, where
        U is the subgrid tendency at the same time as X.

    Raises
    ------
    ValueError
        If a state has the wrong shape, ``dt`` is not in (0, 0.1], or a count is not positive.
    """
    x = _array("x", x, parameters.num_slow)
    y = _array("y", y, parameters.num_slow * parameters.num_fast)
    if x.shape[:-1] != y.shape[:-1]:
        raise ValueError(f"x {x.shape} and y {y.shape} should hold the same runs.")
    dt, num_steps = _time_step(dt), _positive_int("num_steps", num_steps)
    sample_every = _positive_int("sample_every", sample_every)
    num_x = x.shape[-1]

    def tendency(state: np.ndarray) -> np.ndarray:
        slow, fast = state[..., :num_x], state[..., num_x:]
        dx = slow_tendency(slow, parameters.forcing) + subgrid_tendency(fast, parameters)
        return np.concatenate([dx, fast_tendency(slow, fast, parameters)], axis=-1)

    state = np.concatenate([x, y], axis=-1)
    xs, us = [], []
    for step in range(num_steps + 1):
        if step % sample_every == 0:
            xs.append(state[..., :num_x].copy())
            us.append(subgrid_tendency(state[..., num_x:], parameters))
        if step < num_steps:
            state = rk4_step(tendency, state, dt)
    return state[..., num_x:], np.stack(xs), np.stack(us)


def coarse_tendency(
    x: np.ndarray, forcing: float, parameterisation: Parameterisation | None
) -> np.ndarray:
    """dX/dt of the coarse model: the resolved tendency plus ``parameterisation(x)`` if given."""
    resolved = slow_tendency(x, forcing)
    return resolved if parameterisation is None else resolved + parameterisation(x)


def integrate_coarse(
    x: np.ndarray,
    forcing: float,
    parameterisation: Parameterisation | None,
    dt: float,
    num_steps: int,
    sample_every: int = 1,
    limit: float = 1e3,
) -> np.ndarray:
    """Run the coarse model with RK4, calling ``parameterisation`` at every stage.

    Parameters
    ----------
    x
        Starting states, shape (..., K).
    forcing
        F.
    parameterisation
        Maps X (..., K) to an estimate of U (..., K); None runs without one.
    dt, num_steps, sample_every
        As for :func:`integrate_two_scale`.
    limit
        A run whose |X| passes this has blown up: it is set to NaN from then on (and
        stops calling the parameterisation with absurd inputs).

    Returns
    -------
    np.ndarray
        X at the kept times, shape (num_kept, ..., K); NaN where a run blew up.
    """
    state = _array("x", x).copy()
    dt, num_steps = _time_step(dt), _positive_int("num_steps", num_steps)
    sample_every = _positive_int("sample_every", sample_every)
    kept = []
    for step in range(num_steps + 1):
        if step % sample_every == 0:
            kept.append(state.copy())
        if step < num_steps:
            state = rk4_step(lambda s: coarse_tendency(s, forcing, parameterisation), state, dt)
            blown = ~np.all(np.abs(state) < limit, axis=-1)
            state[blown] = np.nan
            if np.all(blown):
                kept.extend([state.copy()] * (num_steps // sample_every + 1 - len(kept)))
                break
    return np.stack(kept)
