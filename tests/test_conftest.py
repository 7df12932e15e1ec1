"""conftest.py: what every test run, unit tests and notebooks alike, can rely on."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_notebook_05_is_skipped_loudly_without_a_compiler():
    # A compiler name that exists nowhere stands for a computer without one.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "solutions/05_deploying_models.ipynb",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, "CXX": "no-such-compiler"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" not in result.stdout
    assert "needs a C++ compiler" in result.stdout
    assert "sudo apt-get install g++ cmake" in result.stdout


def test_notebook_06_is_skipped_loudly_without_a_fortran_compiler():
    # A compiler name that exists nowhere stands for a computer without gfortran.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "solutions/06_learning_a_parameterisation.ipynb",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**os.environ, "FC": "no-such-fortran-compiler"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" not in result.stdout
    assert "needs gfortran" in result.stdout
    assert "sudo apt-get install g++ gfortran cmake" in result.stdout
