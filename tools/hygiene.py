"""Check that notebooks are stored as the course needs them.

- Exercises are stored without outputs or execution counts: learners start from a
  clean notebook (``python -m tools.exercises`` writes them that way).
- Solutions are stored executed, top to bottom in one clean run, with no errors:
  nbval compares their outputs and the website shows them (``make solutions``).

Run from the repository root; the pre-commit hook passes the staged notebooks::

    python -m tools.hygiene                  # every notebook
    python -m tools.hygiene solutions/00_straight_line_sgd.ipynb

The exit status is 1 when a notebook breaks a rule, with one line per problem, and 2
when a path is not a notebook of ``exercises/`` or ``solutions/`` (missing, a folder,
not a notebook, or elsewhere): every path given is checked, or the tool says why not.
"""

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

from tools.command_line import ToolError, existing_file, read_notebook, run

FOLDERS = ("exercises", "solutions")
FIXES = {
    "exercises": "regenerate it with: python -m tools.exercises",
    "solutions": "re-run it top to bottom with: make solutions",
}


def exercise_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Return what is wrong with an exercise notebook: outputs or execution counts kept.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The exercise, as read by :func:`nbformat.read`.

    Returns
    -------
    list[str]
        One message per offending cell; empty when the exercise is clean.
    """
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has stored outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has an execution count")
        if "execution" in cell.get("metadata", {}):
            problems.append(f"cell {index} keeps the solution run's timestamps")
    return problems


def solution_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Return what is wrong with a solution notebook: not one clean run, or an error.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The solution, as read by :func:`nbformat.read`.

    Returns
    -------
    list[str]
        Messages; empty when the code cells ran once each, in order (execution counts
        1, 2, 3, …), and none stored an error.
    """
    code_cells = [
        (index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
    ]
    counts = [cell.get("execution_count") for _, cell in code_cells]
    problems = []
    if counts != list(range(1, len(code_cells) + 1)):
        if all(count is None for count in counts):
            problems.append("its outputs were cleared: it was stored without running")
        else:
            problems.append(f"execution counts {counts} are not 1, 2, 3, … (one clean run)")
    for index, cell in code_cells:
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            problems.append(f"cell {index} stored an error")
    return problems


def check(paths: Iterable[Path]) -> list[str]:
    """Check notebooks by the rule of their folder, ``exercises/`` or ``solutions/``.

    Parameters
    ----------
    paths : Iterable[Path]
        Notebook files, each in a folder named ``exercises`` or ``solutions``.

    Returns
    -------
    list[str]
        One line per problem, naming the notebook and how to fix it.

    Raises
    ------
    ToolError
        If a path is not a ``.ipynb`` file of one of the two folders (no rule applies to
        it), is missing, is a folder, or is not a readable notebook.
    """
    messages = []
    for path in map(Path, paths):
        existing_file(path, "notebook (.ipynb)")
        folder = path.parent.name
        if folder not in FOLDERS or path.suffix != ".ipynb":
            raise ToolError(
                f"{path}: not a notebook (.ipynb) of exercises/ or solutions/, "
                "so no rule applies to it"
            )
        notebook = read_notebook(path)
        rule = exercise_problems if folder == "exercises" else solution_problems
        messages.extend(f"{path}: {problem}; {FIXES[folder]}" for problem in rule(notebook))
    return messages


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks to check (default: all of them)"
    )
    arguments = parser.parse_args(argv)
    paths = arguments.paths or sorted(
        path for folder in FOLDERS for path in Path(folder).glob("*.ipynb")
    )
    if not paths:
        raise ToolError("no notebooks in exercises/ or solutions/: run from the repository root")
    messages = check(paths)
    for message in messages:
        print(message, file=sys.stderr)
    return 1 if messages else 0


if __name__ == "__main__":
    run(main)
