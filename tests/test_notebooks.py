"""Every notebook has the shape the course promises, and solutions are stored as one clean run."""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from tools.hygiene import exercise_problems, solution_problems

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_exercises_and_solutions_come_in_pairs():
    assert [path.name for path in EXERCISES] == [path.name for path in SOLUTIONS]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_solution_opens_with_title_objectives_and_time(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# "), "the first cell should start with the title"
    assert "You will learn" in first.source, "state the learning objectives first"
    assert "Estimated time" in first.source


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_solution_ends_with_recap(path):
    headings = [
        cell.source.splitlines()[0] for cell in read(path).cells if cell.cell_type == "markdown"
    ]
    assert "## Recap" in headings


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_solution_is_stored_from_one_clean_run(path):
    assert solution_problems(read(path)) == [], f"re-run {path.name} top to bottom (make solutions)"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_notebook_runs_on_the_standard_python_kernel(path):
    assert read(path).metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.name)
def test_exercise_is_stored_without_outputs(path):
    assert exercise_problems(read(path)) == []


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.name)
def test_exercise_leaves_something_to_do(path):
    sources = [cell.source for cell in read(path).cells]
    assert any("# TODO" in source for source in sources)


def code_cells(path: Path) -> list[tuple[int, str]]:
    """Return (cell number, source) for every code cell of the notebook at ``path``."""
    return [
        (number, cell.source)
        for number, cell in enumerate(read(path).cells)
        if cell.cell_type == "code"
    ]


def prediction_cells(path: Path) -> set[int]:
    """Return the numbers of the code cells tagged ``prediction`` in the notebook at ``path``."""
    return {
        number
        for number, cell in enumerate(read(path).cells)
        if cell.cell_type == "code" and "prediction" in cell.metadata.get("tags", [])
    }


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.name)
def test_every_todo_is_followed_by_a_self_check(path):
    # A prediction's TODO ("your guess: ...") is revealed, not checked: tests/test_predictions.py
    # holds each to a compare_with_prediction after it.
    cells = code_cells(path)
    unchecked = []
    for position, (number, source) in enumerate(cells):
        if "# TODO" not in source or number in prediction_cells(path):
            continue
        after_todo = source.split("# TODO", 1)[1]
        next_cell = cells[position + 1][1] if position + 1 < len(cells) else ""
        if "check_" not in after_todo and "check_" not in next_cell:
            unchecked.append(number)
    assert not unchecked, f"cells {unchecked} have a TODO with no check_… after it"


@pytest.mark.parametrize(
    "path", SOLUTIONS + EXERCISES, ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_no_assert_without_a_message(path):
    bare = [
        number
        for number, source in code_cells(path)
        # a %%writefile cell's body is Python too (notebook 07's scripts)
        for node in ast.walk(ast.parse(re.sub(r"\A%%writefile[^\n]*\n", "", source)))
        if isinstance(node, ast.Assert) and node.msg is None
    ]
    assert not bare, f"cells {bare} assert without a message: say what went wrong"
