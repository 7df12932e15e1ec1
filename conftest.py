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

# Notebooks 05 and 06 build and run a C++ (06: and a Fortran) program. Without the build
# tools each notebook itself skips that part and says so, but its stored outputs come from
# a run with them, so nbval would report differences. Skip the notebook's cells instead,
# loudly, with the fix. (CI installs them all: see .ci/run.)
BUILDING_NOTEBOOKS = {
    "05_deploying_models.ipynb": "utils.digit_runner",
    "06_learning_a_parameterisation.ipynb": "utils.fortran_driver",
}


def pytest_collection_modifyitems(config, items):
    import importlib

    for notebook, module_name in BUILDING_NOTEBOOKS.items():
        cells = [item for item in items if item.path.name == notebook]
        if not cells:
            continue
        module = importlib.import_module(module_name)
        missing = module.missing_build_tools()
        if missing:
            reason = f"{notebook} needs {' and '.join(missing)}: {module.INSTALL_HINT}"
            for item in cells:
                item.add_marker(pytest.mark.skip(reason=reason))
