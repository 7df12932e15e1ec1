"""The notebook hygiene check: exercises stored clean, solutions stored as one clean run."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.command_line import ToolError
from tools.hygiene import check, exercise_problems, main, solution_problems


def executed_notebook() -> nbformat.NotebookNode:
    """Return a small notebook run top to bottom: execution counts 1 and 2, one output."""
    return new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            new_code_cell("x = 1", execution_count=1),
            new_code_cell(
                "print(x)",
                execution_count=2,
                outputs=[new_output("stream", name="stdout", text="1\n")],
            ),
        ]
    )


def cleared_notebook() -> nbformat.NotebookNode:
    """Return the same notebook with outputs and execution counts removed."""
    notebook = executed_notebook()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return notebook


def write(path: Path, notebook: nbformat.NotebookNode) -> Path:
    """Write ``notebook`` to ``path``, creating its folder, and return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def test_clean_exercise_passes():
    assert exercise_problems(cleared_notebook()) == []


def test_exercise_with_outputs_is_reported_by_cell():
    problems = exercise_problems(executed_notebook())
    assert problems == [
        "cell 1 has an execution count",
        "cell 2 has stored outputs",
        "cell 2 has an execution count",
    ]


def test_exercise_with_the_solution_run_timestamps_is_reported():
    notebook = cleared_notebook()
    notebook.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-11-26T14:00:00Z"}
    assert exercise_problems(notebook) == ["cell 1 keeps the solution run's timestamps"]


def test_solution_from_one_clean_run_passes():
    assert solution_problems(executed_notebook()) == []


def test_solution_with_cleared_outputs_is_reported():
    assert solution_problems(cleared_notebook()) == [
        "its outputs were cleared: it was stored without running"
    ]


def test_solution_run_out_of_order_is_reported():
    notebook = executed_notebook()
    notebook.cells[1].execution_count = 3
    assert solution_problems(notebook) == [
        "execution counts [3, 2] are not 1, 2, 3, … (one clean run)"
    ]


def test_solution_with_an_error_output_is_reported():
    notebook = executed_notebook()
    notebook.cells[2].outputs = [
        new_output("error", ename="NameError", evalue="name 'x' is not defined", traceback=[])
    ]
    assert solution_problems(notebook) == ["cell 2 stored an error"]


def test_check_applies_the_rule_of_each_folder(tmp_path: Path):
    exercise = write(tmp_path / "exercises" / "00.ipynb", executed_notebook())
    solution = write(tmp_path / "solutions" / "00.ipynb", executed_notebook())
    messages = check([exercise, solution])
    assert messages, "an exercise with outputs should be reported"
    assert all(message.startswith(f"{exercise}: ") for message in messages)
    assert "python -m tools.exercises" in messages[0]


def test_check_refuses_a_notebook_outside_the_course_folders(tmp_path: Path):
    # No rule applies to it: saying nothing would pass it as checked.
    notebook = write(tmp_path / "scratch" / "00.ipynb", executed_notebook())
    with pytest.raises(ToolError, match=r"scratch/00\.ipynb: not a notebook \(\.ipynb\) of"):
        check([notebook])


@pytest.mark.parametrize(
    ("name", "message"),
    [("typo.ipynb", "no such file"), ("corrupt.ipynb", "not a notebook")],
)
def test_check_names_a_missing_or_corrupt_notebook(tmp_path: Path, name: str, message: str):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "corrupt.ipynb").write_text("{", encoding="utf-8")
    with pytest.raises(ToolError, match=rf"{name}: {message}"):
        check([tmp_path / "solutions" / name])


@pytest.mark.parametrize(
    ("notebook", "status"), [(cleared_notebook(), 0), (executed_notebook(), 1)]
)
def test_main_exit_status_says_whether_there_is_a_problem(
    tmp_path: Path, notebook: nbformat.NotebookNode, status: int
):
    path = write(tmp_path / "exercises" / "00.ipynb", notebook)
    assert main([str(path)]) == status
