"""Open the course on Google Colab and Binder, from one setting: the repository's URL.

The URL is stated once, in ``pyproject.toml`` under ``[project.urls] Repository``.
From it this module writes the set-up cell that every notebook carries (it
installs the course when the notebook runs on Colab, and does nothing
elsewhere) and the "Open in Colab" and Binder links of the README.

After changing the URL (for example in a fork), run from the repository root::

    python -m tools.links      # rewrite the set-up cells and the README's links
    python -m tools.exercises  # and carry the set-up cell into the exercises

``python -m tools.links --check`` only reports (exit status 1) what is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from tools.command_line import ToolError, read_notebook, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
README = REPOSITORY_ROOT / "README.md"
SETUP_CELL_ID = "colab-setup"
BRANCH = "main"

SETUP_CELL_TEMPLATE = """\
# Set-up for Google Colab only: fetch the course and install what Colab lacks.
# Anywhere else (JupyterLab after `make lab`, Binder, conda) this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    COURSE_REPOSITORY = "{url}"
    COURSE_FOLDER = "/content/course"
    INSTALLED = os.path.join(COURSE_FOLDER, ".installed")  # written once pip has succeeded
    if not os.path.isdir(COURSE_FOLDER):
        subprocess.run(["git", "clone", "--depth=1", COURSE_REPOSITORY, COURSE_FOLDER], check=True)
    if not os.path.exists(INSTALLED):  # so re-running the cell retries a failed install
        # Colab already has PyTorch, NumPy, pandas, matplotlib and tqdm: install the course
        # without its dependencies, and only the packages Colab lacks.
        pip_install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps"]
        subprocess.run([*pip_install, "-e", COURSE_FOLDER, {colab_extras}], check=True)
        open(INSTALLED, "w").close()
    sys.path.insert(0, COURSE_FOLDER)  # importable at once, without restarting the kernel"""
# What the course needs that a Colab runtime does not have (it has the rest of the
# course's dependencies): tests/test_links.py checks that these are dependencies.
COLAB_EXTRAS = ["palmerpenguins"]


def repository_url(pyproject: Path = REPOSITORY_ROOT / "pyproject.toml") -> str:
    """Return the course repository's URL, as set in ``pyproject.toml``.

    Raises
    ------
    ValueError
        If the setting is missing or is not a GitHub URL (Colab and Binder
        open notebooks from GitHub).
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    url = project.get("urls", {}).get("Repository", "")
    if not url.startswith("https://github.com/") or url.count("/") != 4:
        raise ValueError(
            f"[project.urls] Repository in {pyproject} should look like "
            f"https://github.com/OWNER/NAME, got {url!r}."
        )
    return url.rstrip("/")


def setup_cell_source(url: str) -> str:
    """Return the source of the Colab set-up cell for the repository at ``url``."""
    extras = ", ".join(f'"{name}"' for name in COLAB_EXTRAS)
    return SETUP_CELL_TEMPLATE.format(url=url, colab_extras=extras)


def colab_link(url: str, notebook: str) -> str:
    """Return the "Open in Colab" address of ``notebook`` (a path such as ``solutions/x.ipynb``)."""
    owner_and_name = url.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{owner_and_name}/blob/{BRANCH}/{notebook}"


def binder_link(url: str) -> str:
    """Return the Binder address that opens the repository in JupyterLab."""
    owner_and_name = url.removeprefix("https://github.com/")
    return f"https://mybinder.org/v2/gh/{owner_and_name}/{BRANCH}?urlpath=lab"


# Any Colab or Binder link to a GitHub repository, whatever repository it names.
_COLAB_PREFIX = re.compile(
    r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/"
)
_BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+\?urlpath=lab")


def with_readme_links(readme: str, url: str) -> str:
    """Return ``readme`` with every Colab and Binder link pointing at the repository ``url``."""
    readme = _COLAB_PREFIX.sub(colab_link(url, ""), readme)
    return _BINDER_LINK.sub(binder_link(url), readme)


def with_setup_cell(notebook: nbformat.NotebookNode, url: str) -> nbformat.NotebookNode:
    """Put the set-up cell right after the notebook's opening cell (replacing an old one)."""
    cells = [cell for cell in notebook.cells if cell.get("id") != SETUP_CELL_ID]
    setup_cell = new_code_cell(setup_cell_source(url))
    setup_cell.id = SETUP_CELL_ID
    old = next((cell for cell in notebook.cells if cell.get("id") == SETUP_CELL_ID), None)
    if old is not None and old.source == setup_cell.source:
        setup_cell = old  # unchanged: keep its stored output and execution count
    elif old is not None:
        # Outside Colab the cell prints nothing: a new version keeps the old execution
        # count, so a stored clean run (counts 1, 2, 3 …) stays one.
        setup_cell.execution_count = old.get("execution_count")
    notebook.cells = [cells[0], setup_cell, *cells[1:]]
    return notebook


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, only report) the set-up cells and README links."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.links", description="Stamp the Colab set-up cell and README links."
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
    try:
        url = repository_url()
    except ValueError as error:
        raise ToolError(str(error)) from None
    stale: list[Path] = []
    paths = args.notebooks or sorted((REPOSITORY_ROOT / "solutions").glob("*.ipynb"))
    notebooks = {path: read_notebook(path) for path in paths}  # all readable before any write
    for path, notebook in notebooks.items():
        before = nbformat.writes(notebook)
        with_setup_cell(notebook, url)
        if nbformat.writes(notebook) != before:
            stale.append(path)
            if not args.check:
                nbformat.write(notebook, path)
                print(f"updated {path}; re-run it (make solutions)")
    readme = README.read_text(encoding="utf-8")
    if with_readme_links(readme, url) != readme:
        stale.append(README)
        if not args.check:
            README.write_text(with_readme_links(readme, url), encoding="utf-8")
            print(f"updated the links in {README.name}")
    if args.check and stale:
        for path in stale:
            print(f"{path} is out of date: run python -m tools.links", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    run(main)
