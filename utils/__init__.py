"""Helpers for the Practical ML with PyTorch course, one small module per job.

Notebooks import each name from the module that defines it, so you always know where to
read the code::

    from utils.seeding import seed_everything
    from utils.penguins import PenguinDataset

- ``utils.devices``, ``utils.seeding``: pick a device, seed every random generator;
- ``utils.penguins``, ``utils.mnist``, ``utils.ellipses``: the course's data sets;
- ``utils.augmentation``: random rotations and shifts of image batches;
- ``utils.models``: model code shared between notebooks, and ``summarize`` for a model;
- ``utils.checkpoints``, ``utils.digit_runner``: safe checkpoints, and the C++ program of
  notebook 05;
- ``utils.lorenz96``, ``utils.fortran_driver``: the two-scale Lorenz '96 model, and the
  Fortran program of notebook 06;
- ``utils.torchrun``: launch ``torchrun`` from notebook 07 safely (a free port per run, a
  timeout, no process left behind);
- ``utils.plots``: every plot of the course, one module per kind of figure;
- ``utils.results``, ``utils.predictions``: show a result and record it for the prose that
  quotes it; put a learner's prediction beside what the run shows;
- ``utils.errors``: the learner's line in a traceback, and hints for PyTorch's typical errors;
- ``utils.checks``: the exercises' self-checks, the shared ``engine`` and one module per
  notebook;
- ``utils.check_env``: ``python -m utils.check_env`` checks this computer before a workshop.

This file imports nothing, so that ``python -m utils.check_env`` can still run (and say
what is missing) on a computer where PyTorch is not installed yet.
"""
