"""The checks' building blocks: friendly failures, unfilled TODOs, learner crashes."""

import subprocess
import sys

import nbformat
import numpy as np
import pytest
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from utils.checks._core import (
    CheckFailed,
    as_float,
    call_learner_function,
    check_array,
    check_tensor,
    fail,
    require_answer,
)


def test_fail_raises_check_failed_which_is_an_assertion_error():
    with pytest.raises(AssertionError) as error:
        fail("m is wrong.", "look at the sign.")
    assert isinstance(error.value, CheckFailed)
    assert error.value.message == "m is wrong."
    assert error.value.hint == "look at the sign."


def test_str_shows_message_then_hint():
    assert str(CheckFailed("m is wrong.", "look at the sign.")) == (
        "m is wrong.\nHint: look at the sign."
    )
    assert str(CheckFailed("m is wrong.")) == "m is wrong."


def test_ipython_display_is_the_message_and_hint_only():
    error = CheckFailed("m is wrong.\nIt is 3.", "look at the sign.")
    assert error._render_traceback_() == ["✗ m is wrong.", "  It is 3.", "Hint: look at the sign."]
    assert CheckFailed("m is wrong.")._render_traceback_() == ["✗ m is wrong."]


def test_require_answer_names_the_unfilled_todo():
    with pytest.raises(CheckFailed, match=r"dL_dm is still `\.\.\.`: fill in the TODO above\."):
        require_answer("dL_dm", ...)
    require_answer("dL_dm", 0.0)  # anything else is left to the check


@pytest.mark.parametrize(
    "check",
    [
        lambda: as_float("loss", ...),
        lambda: check_tensor("loss", ...),
        lambda: check_array("x", ...),
        lambda: call_learner_function("gradients", ...),
    ],
    ids=["as_float", "check_tensor", "check_array", "call_learner_function"],
)
def test_building_blocks_say_fill_in_the_todo_for_ellipsis(check):
    with pytest.raises(CheckFailed, match="fill in the TODO above"):
        check()


def returns_ellipsis(x):
    return ...


def returns_ellipsis_in_a_tuple(x):
    dL_dm = ...
    return dL_dm, 1.0


def computes_with_ellipsis(x):
    error = ...
    return 2 * error


def calls_a_method_on_ellipsis(x):
    loss = ...
    return loss.item()


@pytest.mark.parametrize(
    "function",
    [
        returns_ellipsis,
        returns_ellipsis_in_a_tuple,
        computes_with_ellipsis,
        calls_a_method_on_ellipsis,
    ],
)
def test_learner_function_with_a_placeholder_says_fill_in_the_todo(function):
    with pytest.raises(CheckFailed, match="fill in the TODO above"):
        call_learner_function("f", function, 1.0)


def crashes(x):
    total = x + 1
    return total[0]  # a float cannot be indexed


def test_learner_crash_names_type_message_and_line():
    with pytest.raises(CheckFailed) as error:
        call_learner_function("crashes", crashes, 1.0)
    message = error.value.message
    assert message.startswith("Calling crashes raised TypeError: 'float' object")
    line = crashes.__code__.co_firstlineno + 2
    assert f"(in crashes, line {line}: `return total[0]  # a float cannot be indexed`)" in message
    assert isinstance(error.value.__cause__, TypeError)


def test_learner_crash_inside_a_library_points_at_the_learner_line():
    def uses_torch(x):
        return torch.cat([x, torch.zeros(2, 2)])

    with pytest.raises(CheckFailed, match=r"in uses_torch, line \d+: `return torch\.cat"):
        call_learner_function("uses_torch", uses_torch, torch.zeros(3))


def test_forgotten_return_and_not_callable_keep_their_hints():
    with pytest.raises(CheckFailed, match="forget the return"):
        call_learner_function("f", lambda x: None, 1)
    with pytest.raises(CheckFailed, match="without calling it"):
        call_learner_function("f", 3.0, 1)
    assert call_learner_function("f", lambda x: None, 1, allow_none=True) is None


def test_numbers_still_pass_as_float():
    assert as_float("x", np.float32(2.5)) == 2.5


FAILING_CELL = """\
from utils.checks._core import as_float, call_learner_function

def gradients(x):
    return 2 * x

as_float("loss", ...)
print("never printed")
"""


@pytest.fixture(scope="module")
def executed_notebook():
    """A notebook whose second cell fails a check, run in a real Jupyter kernel."""
    notebook = new_notebook()
    notebook.cells = [new_code_cell("x = 1"), new_code_cell(FAILING_CELL), new_code_cell("x = 2")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    client = NotebookClient(notebook, timeout=120, kernel_name="python3")
    with pytest.raises(CellExecutionError) as error:
        client.execute()
    return notebook, error.value


def test_jupyter_shows_message_and_hint_without_a_traceback(executed_notebook):
    notebook, _ = executed_notebook
    [output] = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert output.ename == "CheckFailed"
    assert output.traceback == [
        "✗ loss is still `...`: fill in the TODO above.",
        "Hint: replace the `...` with your code, then run the cell again.",
    ]
    assert not any("utils" in line or "File " in line for line in output.traceback)


def test_a_failing_check_stops_run_all(executed_notebook):
    notebook, error = executed_notebook
    assert "fill in the TODO above" in str(error)
    assert not any(o.get("text") == "never printed\n" for o in notebook.cells[1].outputs)
    assert notebook.cells[2].execution_count is None  # the next cell never ran


def test_nbval_reports_a_failing_check_as_a_failure(tmp_path):
    notebook = new_notebook()
    notebook.cells = [new_code_cell(FAILING_CELL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "failing.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", path],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "fill in the TODO above" in result.stdout
