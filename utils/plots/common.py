"""Small helpers that every plotting module of the course shares."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or the axes of a new figure (of ``figsize`` inches) if it is ``None``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def to_numpy(values: torch.Tensor | np.ndarray | Sequence[float]) -> np.ndarray:
    """Return a tensor (on any device), an array or a list as a NumPy array, for plotting."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)
