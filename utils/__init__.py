"""Helpers for the Practical ML with PyTorch course: devices, seeding, plots, self-checks.

The notebooks import what they need from here, for example::

    from utils import pick_device, seed_everything
"""

from utils.devices import pick_device
from utils.seeding import seed_everything

__all__ = ["pick_device", "seed_everything"]
