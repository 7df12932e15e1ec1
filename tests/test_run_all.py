"""A learner who opens an exercise and presses Run All first meets a friendly message.

Each exercise runs in a real kernel, as in JupyterLab, until its first error. That error
must be a self-check's "fill in the TODO" message, never a NameError or a crash inside
PyTorch: the generator leaves every name a TODO asks for defined as ``...``, and the check
right after the TODO says so.
"""

from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.stem)
def test_run_all_stops_first_at_a_fill_in_the_todo_message(path):
    notebook = nbformat.read(path, as_version=4)
    # A kernel on this very interpreter (the one with utils installed), as nbval runs them.
    kernel = KernelManager(
        kernel_name=CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=NbvalKernelspecManager()
    )
    client = NotebookClient(
        notebook, km=kernel, timeout=300, resources={"metadata": {"path": path.parent}}
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    errors = [
        (index, output)
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    index, error = errors[0]
    shown = "\n".join(error["traceback"])
    assert error["ename"] == "CheckFailed", f"cell {index} raised {error['ename']}:\n{shown}"
    assert "fill in the TODO above" in shown, f"cell {index}:\n{shown}"
    assert len(error["traceback"]) <= 3, f"cell {index} shows a long traceback:\n{shown}"
