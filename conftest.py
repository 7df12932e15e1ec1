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
