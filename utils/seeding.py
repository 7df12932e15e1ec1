"""One call to make a notebook's random numbers repeatable."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every GPU) at once.

    Call it at the top of a notebook, and again before anything you want to be
    able to re-run on its own, such as a training run. For a shuffling
    ``DataLoader``, also pass a generator of its own,
    ``DataLoader(..., shuffle=True, generator=torch.Generator().manual_seed(seed))``,
    so that the order of batches does not depend on what else drew random numbers.

    Parameters
    ----------
    seed
        A non-negative integer. The same seed gives the same numbers on the same
        machine and library versions.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is negative or does not fit in 32 bits (NumPy's limit).
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} ({seed!r}).")
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be between 0 and 2**32 - 1, got {seed}.")
    random.seed(seed)
    # Notebooks and libraries still draw from NumPy's global generator, so seed it too.
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)  # also seeds every CUDA and MPS device
