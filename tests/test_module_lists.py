"""The lists of modules in the package docstrings and the README name every module there is."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TWO_ROOMS = README[README.index("**Two rooms.**") : README.index("**One vocabulary.**")]


def _modules(package: str) -> list[str]:
    folder = ROOT / package
    files = [path.stem for path in folder.glob("*.py") if path.stem != "__init__"]
    folders = [path.name for path in folder.iterdir() if (path / "__init__.py").exists()]
    return sorted(files + folders)


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


@pytest.mark.parametrize("package", ["utils", "tools"])
def test_the_package_docstring_names_every_module(package):
    docstring = _docstring(ROOT / package / "__init__.py")
    missing = [name for name in _modules(package) if f"{package}.{name}" not in docstring]
    assert not missing, f"{package}/__init__.py should name {missing}"


@pytest.mark.parametrize("package", ["utils", "tools"])
def test_the_readme_names_every_module(package):
    missing = [name for name in _modules(package) if f"`{name}`" not in TWO_ROOMS]
    assert not missing, f'the README\'s "Two rooms" should name {missing}'


def test_the_checks_package_names_the_engine_and_every_notebook_module():
    docstring = _docstring(ROOT / "utils" / "checks" / "__init__.py")
    public = [name for name in _modules("utils/checks") if not name.startswith("_")]
    missing = [name for name in public if f"utils.checks.{name}" not in docstring]
    assert not missing, f"utils/checks/__init__.py should name {missing}"
