"""conftest.py: what every test run, unit tests and notebooks alike, can rely on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("notebook", "compiler", "missing", "install"),
    [
        ("05_deploying_models", "CXX", "a C++ compiler", "sudo apt-get install g++ cmake"),
        (
            "06_learning_a_parameterisation",
            "FC",
            "gfortran",
            "sudo apt-get install g++ gfortran cmake",
        ),
    ],
)
def test_a_building_notebook_is_skipped_loudly_without_its_compiler(
    notebook, compiler, missing, install
):
    # A compiler name that exists nowhere stands for a computer without one.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            f"solutions/{notebook}.ipynb",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, compiler: "no-such-compiler"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" not in result.stdout
    assert f"needs {missing}" in result.stdout
    assert install in result.stdout
