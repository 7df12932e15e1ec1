"""The pre-commit configuration runs ruff on code and notebooks and the notebook checks.

These tests read ``.pre-commit-config.yaml`` rather than run pre-commit, which would
need pre-commit itself and a git hook; they need no network.
"""

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(ROOT.glob("exercises/*.ipynb")) + sorted(ROOT.glob("solutions/*.ipynb"))


def hooks() -> dict[str, dict]:
    """Return the configured hooks by id."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


@pytest.mark.parametrize("hook_id", ["ruff-check", "ruff-format"])
def test_ruff_hook_covers_python_and_notebooks(hook_id: str):
    hook = hooks()[hook_id]
    assert hook["entry"].split()[:2] == ["ruff", hook_id.removeprefix("ruff-")]
    assert set(hook["types_or"]) >= {"python", "jupyter"}


@pytest.mark.parametrize(
    ("hook_id", "command"),
    [
        ("exercises-generated", "python -m tools.exercises --check"),
        ("notebook-outputs", "python -m tools.hygiene"),
    ],
)
def test_notebook_hook_runs_the_course_check(hook_id: str, command: str):
    assert hooks()[hook_id]["entry"] == command


@pytest.mark.parametrize("hook_id", ["exercises-generated", "notebook-outputs"])
def test_notebook_hook_runs_when_a_course_notebook_changes(hook_id: str):
    pattern = re.compile(hooks()[hook_id]["files"])
    unmatched = [
        path.relative_to(ROOT).as_posix()
        for path in NOTEBOOKS
        if not pattern.search(path.relative_to(ROOT).as_posix())
    ]
    assert NOTEBOOKS, "no notebooks found"
    assert not unmatched, f"{hook_id} would not run for {unmatched}"


def test_every_module_a_hook_runs_exists():
    modules = [
        hook["entry"].split()[2]
        for hook in hooks().values()
        if hook["entry"].startswith("python -m ")
    ]
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    assert modules, "expected hooks that run course modules"
    assert not missing, f"hooks run modules that do not exist: {missing}"
