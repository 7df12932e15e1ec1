"""Pytest set-up shared by the unit tests and the notebook tests (``pytest --nbval``).

Notebook kernels started by nbval inherit this process's environment, so
variables set here reach the notebooks too.
"""

import os

# A MPLBACKEND such as "Agg" left in the environment would reach the notebook
# kernels and replace the inline backend: figures would silently vanish from the
# outputs that nbval and the website use. Remove it; plotting code and tests
# that need a headless backend choose one themselves.
os.environ.pop("MPLBACKEND", None)

# Pin MNIST to the sample bundled in data/, so that notebooks print the same
# "MNIST source" line, and reach the same accuracy, online and offline. To run
# the notebooks on the full MNIST, run them outside pytest (see utils/mnist.py).
os.environ["MNIST_SOURCE"] = "sample"
