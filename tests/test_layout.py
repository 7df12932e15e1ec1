"""The learner package and the instructors' tools stay apart (README: "Two rooms")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL_MODULES = sorted(
    f"tools.{path.stem}" for path in (ROOT / "tools").glob("*.py") if path.stem != "__init__"
)


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of the modules that ``path`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "utils").rglob("*.py")), ids=lambda path: str(path.relative_to(ROOT))
)
def test_the_learner_package_imports_no_tool(path):
    assert "tools" not in imported_modules(path), f"{path.relative_to(ROOT)} imports tools"


def run_without_torch(statement: str) -> subprocess.CompletedProcess:
    """Run ``statement`` in a fresh Python where importing torch or torchvision fails."""
    probe = "import sys\nsys.modules['torch'] = None\nsys.modules['torchvision'] = None\n"
    return subprocess.run(
        [sys.executable, "-c", probe + statement],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("module", TOOL_MODULES)
def test_every_tool_imports_without_torch(module):
    result = run_without_torch(f"import {module}")
    assert result.returncode == 0, result.stderr


def test_importing_utils_imports_nothing_heavy():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, utils; print(sorted(set(sys.modules) & "
            "{'torch', 'numpy', 'pandas', 'matplotlib', 'palmerpenguins'}))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
