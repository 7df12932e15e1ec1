"""Helpers for the Practical ML with PyTorch course: devices, seeding, data sets, plots, checks.

The notebooks import what they need from the module that defines it, for example
``from utils.penguins import PenguinDataset``, so you can see where to read the
code; the most used names are also available from here::

    from utils import pick_device, seed_everything
"""

from utils.devices import pick_device
from utils.ellipses import EllipseDataset, to_pixels, to_targets
from utils.mnist import load_mnist
from utils.penguins import PenguinDataset
from utils.seeding import seed_everything

__all__ = [
    "EllipseDataset",
    "PenguinDataset",
    "load_mnist",
    "pick_device",
    "seed_everything",
    "to_pixels",
    "to_targets",
]
