"""The Makefile gives learners a light install and contributors the test tools.

``make -n`` prints the commands a target would run without running them.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned_commands(target: str, tmp_path: Path, *arguments: str) -> str:
    """Return what ``make TARGET`` would run for a new virtual environment in ``tmp_path``."""
    result = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_lab_installs_the_course_without_the_test_tools(tmp_path):
    commands = planned_commands("lab", tmp_path)
    assert "pip install -e .\n" in commands
    assert "[test]" not in commands


def test_test_installs_the_test_tools(tmp_path):
    assert 'pip install -e ".[test]"' in planned_commands("test", tmp_path)


def test_lab_passes_extra_arguments_and_allows_root_only_as_root(tmp_path):
    commands = planned_commands("lab", tmp_path, "LAB_ARGS=--port 8890")
    lab_line = next(line for line in commands.splitlines() if "jupyter lab" in line)
    assert lab_line.endswith("--port 8890")
    assert ("--allow-root" in lab_line) == (os.getuid() == 0)


def test_site_installs_the_docs_extra_not_the_test_tools(tmp_path):
    commands = planned_commands("site", tmp_path)
    assert 'pip install -e ".[docs]"' in commands
    assert "[test]" not in commands
    assert "python -m tools.site build _site" in commands
