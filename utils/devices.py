"""Choose where PyTorch computes: a CUDA GPU, an Apple-silicon GPU, or the CPU."""

from __future__ import annotations

import torch


def pick_device(verbose: bool = True) -> torch.device:
    """Return the fastest device available: CUDA, then Apple MPS, then the CPU.

    Parameters
    ----------
    verbose
        If true, print one line saying which device was chosen and why.

    Returns
    -------
    torch.device
        ``cuda``, ``mps`` or ``cpu``. Move models and tensors there with
        ``.to(device)``.

    Raises
    ------
    TypeError
        If ``verbose`` is not True or False.
    """
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose should be True or False, got {verbose!r}.")
    if torch.cuda.is_available():
        device = torch.device("cuda")
        reason = f"an NVIDIA GPU ({torch.cuda.get_device_name(0)})"
    elif torch.backends.mps.is_available():
        device = torch.device("mps")
        reason = "an Apple-silicon GPU (MPS)"
    else:
        device = torch.device("cpu")
        reason = "no GPU found; everything in this course runs fine on a laptop CPU"
    if verbose:
        print(f"Using device: {device} ({reason})")
    return device
