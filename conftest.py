"""Pytest set-up shared by the unit tests and the notebook tests (``pytest --nbval``).

Notebook kernels started by nbval inherit this process's environment, so
variables set here reach the notebooks too.
"""

import os

import pytest

# A MPLBACKEND such as "Agg" left in the environment would reach the notebook
# kernels and replace the inline backend: figures would silently vanish from the
# outputs that nbval and the website use. Remove it; plotting code and tests
# that need a headless backend choose one themselves.
os.environ.pop("MPLBACKEND", None)

# Notebook 05 builds and runs a C++ program. Without CMake or a C++ compiler the notebook
# itself skips that part and says so, but its stored outputs come from a run with both, so
# nbval would report differences. Skip the notebook's cells instead, loudly, with the fix.
# (CI installs both: see .ci/run.)
DEPLOYMENT_NOTEBOOK = "05_deploying_models.ipynb"


def pytest_collection_modifyitems(config, items):
    deployment_cells = [item for item in items if item.path.name == DEPLOYMENT_NOTEBOOK]
    if not deployment_cells:
        return
    from utils.digit_runner import INSTALL_HINT, missing_build_tools

    missing = missing_build_tools()
    if missing:
        reason = f"{DEPLOYMENT_NOTEBOOK} needs {' and '.join(missing)}: {INSTALL_HINT}"
        for item in deployment_cells:
            item.add_marker(pytest.mark.skip(reason=reason))
