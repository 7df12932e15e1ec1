"""The exercise generator: what it strips, what it keeps, what it refuses, and drift."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.exercises import (
    MarkerError,
    exercise_text,
    leaked_lines,
    main,
    make_exercise,
    strip_solution_regions,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_marked_region_becomes_todo_at_its_indentation():
    source = (
        "def f(x):\n    # BEGIN SOLUTION: square x\n    y = x * x\n    # END SOLUTION\n    return y"
    )
    assert strip_solution_regions(source) == (
        "def f(x):\n    # TODO: square x\n    y = ...\n    return y"
    )


def test_marker_without_hint_gets_generic_todo():
    source = "a = 1\n# BEGIN SOLUTION\nprint(a)\n# END SOLUTION\nprint(a)"
    assert strip_solution_regions(source) == "a = 1\n# TODO: your code here\n...\nprint(a)"


def placeholder_of(region: str, before: str = "", after: str = "") -> str:
    """The exercise's replacement of ``region`` (marked at ``before``'s indentation)."""
    indent = region[: len(region) - len(region.lstrip())]
    source = f"{before}{indent}# BEGIN SOLUTION: do it\n{region}\n{indent}# END SOLUTION\n{after}"
    stripped = strip_solution_regions(source)
    return stripped[len(before) : len(stripped) - len(after)].rstrip("\n")


def test_module_level_region_binds_every_assigned_name_one_line_each():
    region = "x_batch, y_batch = next(iter(loader))\nloss = f(x_batch)\nmodel.eval()"
    assert placeholder_of(region) == ("# TODO: do it\nx_batch = ...\ny_batch = ...\nloss = ...")


def test_module_level_region_binds_defs_classes_imports_and_with_targets():
    region = (
        "import math as m\ndef f():\n    inner = 1\nclass Net:\n    pass\n"
        "with open('x') as handle:\n    text = handle.read()"
    )
    assert placeholder_of(region) == (
        "# TODO: do it\nm = ...\nf = ...\nNet = ...\nhandle = ...\ntext = ..."
    )


def test_indented_region_binds_only_names_used_after_it():
    region = "    error = y - m * x\n    dL_dm = -2 * mean(x * error)\n    dL_dc = -2 * mean(error)"
    after = "    return dL_dm, dL_dc\n"
    assert placeholder_of(region, "def g(x, y, m):\n", after) == (
        "    # TODO: do it\n    dL_dm = ...\n    dL_dc = ..."
    )


def test_a_name_used_only_as_an_attribute_after_is_not_bound():
    region = "    x = data.x\n    total = x.sum()"
    after = "    print(dataset.x, total)\n"
    assert placeholder_of(region, "if True:\n", after) == "    # TODO: do it\n    total = ..."


def test_attribute_targets_are_bound_when_read_after():
    region = "        first = 16\n        self.features = Conv(first)\n        self.unused = 1"
    after = "    def forward(self, x):\n        return self.features(x)\n"
    before = "class Net:\n    def __init__(self):\n"
    assert placeholder_of(region, before, after) == (
        "        # TODO: do it\n        self.features = ..."
    )


def test_augmented_assignment_binds_nothing():
    region = "    total += x\n    count += 1"
    after = "    print(total, count)\n"
    assert placeholder_of(region, "for x in data:\n", after) == "    # TODO: do it\n    ..."


def test_for_targets_are_bound_only_if_used_after():
    assert placeholder_of("for item in data:\n    seen = item") == "# TODO: do it\nseen = ..."
    assert placeholder_of("for item in data:\n    pass", after="print(item)\n") == (
        "# TODO: do it\nitem = ..."
    )


def test_region_that_returns_ends_with_return_ellipsis():
    region = "    k = len(kernel)\n    return [x[i : i + k] for i in range(3)]"
    assert placeholder_of(region, "def f(x, kernel):\n") == "    # TODO: do it\n    return ..."


def test_region_that_is_not_python_on_its_own_keeps_the_bare_ellipsis():
    region = "        1,\n        2,"
    assert placeholder_of(region, "values = [\n", "]\n") == "        # TODO: do it\n        ..."


def test_names_bound_in_nested_blocks_count_but_not_inside_functions():
    region = "if flag:\n    a = 1\nelse:\n    b = 2\ndef helper():\n    hidden = 3"
    assert placeholder_of(region) == "# TODO: do it\na = ...\nb = ...\nhelper = ..."


def test_several_regions_in_one_cell():
    source = (
        "# BEGIN SOLUTION\na = 1\n# END SOLUTION\nkeep = 0\n# BEGIN SOLUTION\nb = 2\n# END SOLUTION"
    )
    stripped = strip_solution_regions(source)
    assert stripped.count("# TODO") == 2
    assert "keep = 0" in stripped
    assert "a = 1" not in stripped
    assert "b = 2" not in stripped


def test_source_without_markers_is_unchanged():
    source = "x = 1\n\nprint(x)  # SOLUTION is just a word here"
    assert strip_solution_regions(source) == source


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "cannot be nested"),
        ("x = 1\n# END SOLUTION", "without a BEGIN"),
        ("# BEGIN SOLUTION\nx = 1", "never closed"),
        ("# BEGIN SOLUTION square x\n# END SOLUTION", "malformed marker"),
        ("# BEGIN SOLUTIONS\nx = 1\n# END SOLUTION", "malformed marker"),
        ("# BEGIN SOLUTION\n# END SOLUTION!", "malformed marker"),
    ],
)
def test_bad_markers_are_refused_with_location(source, message):
    with pytest.raises(MarkerError, match=message) as error:
        strip_solution_regions(source, where="nb.ipynb, cell 3")
    assert "nb.ipynb, cell 3, line" in str(error.value)


def make_solution() -> nbformat.NotebookNode:
    notebook = new_notebook()
    code = new_code_cell("# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION\nprint(answer)")
    code.outputs = [new_output("stream", name="stdout", text="42\n")]
    code.execution_count = 1
    whole = new_code_cell("secret = 1", metadata={"tags": ["solution"]})
    discussion = new_markdown_cell("The answer is 42.", metadata={"tags": ["solution"]})
    dropped = new_markdown_cell("Only in solutions.", metadata={"tags": ["solution-only"]})
    notebook.cells = [new_markdown_cell("# Title"), code, whole, discussion, dropped]
    notebook.metadata["widgets"] = {"state": {}}
    return notebook


def test_exercise_strips_outputs_tags_and_widget_state():
    solution = make_solution()
    exercise = make_exercise(solution)
    sources = [cell.source for cell in exercise.cells]
    assert sources[0] == "# Title"
    assert "42" not in sources[1]
    assert sources[2] == "# TODO: your code here\nsecret = ..."
    assert "42" not in sources[3]
    assert "Only in solutions." not in sources
    assert len(exercise.cells) == 4
    code_cells = [cell for cell in exercise.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] for cell in code_cells)
    assert all(cell.execution_count is None for cell in code_cells)
    assert "widgets" not in exercise.metadata


def test_solution_is_not_modified():
    solution = make_solution()
    before = nbformat.writes(solution)
    make_exercise(solution)
    assert nbformat.writes(solution) == before


def test_error_names_notebook_and_cell():
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell("hi"), new_code_cell("# BEGIN SOLUTION\nx = 1")]
    with pytest.raises(MarkerError, match=r"broken\.ipynb, cell 2, line 1"):
        make_exercise(notebook, name="broken.ipynb")


def write_notebook(path: Path, notebook: nbformat.NotebookNode) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def test_command_writes_then_checks_clean(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    write_notebook(solutions / "01_demo.ipynb", make_solution())
    arguments = ["--solutions", str(solutions), "--exercises", str(exercises)]
    assert main(arguments) == 0
    assert (exercises / "01_demo.ipynb").exists()
    assert main([*arguments, "--check"]) == 0


def test_check_reports_drift_and_the_command_to_fix_it(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    write_notebook(solutions / "01_demo.ipynb", make_solution())
    arguments = ["--solutions", str(solutions), "--exercises", str(exercises)]
    main(arguments)
    (exercises / "01_demo.ipynb").write_text("{}", encoding="utf-8")
    assert main([*arguments, "--check"]) == 1
    error_output = capsys.readouterr().err
    assert "01_demo.ipynb" in error_output
    assert "python -m tools.exercises" in error_output


def test_command_exits_nonzero_on_bad_markers(tmp_path, capsys):
    notebook = new_notebook()
    notebook.cells = [new_code_cell("# END SOLUTION")]
    write_notebook(tmp_path / "solutions" / "02_bad.ipynb", notebook)
    assert main(["--solutions", str(tmp_path / "solutions")]) == 1
    assert "02_bad.ipynb, cell 1" in capsys.readouterr().err


def test_there_are_solutions_to_check():
    assert SOLUTIONS, "no solution notebooks found"


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda path: path.name)
def test_exercise_is_up_to_date(solution_path):
    exercise_path = ROOT / "exercises" / solution_path.name
    assert exercise_path.exists(), (
        f"{exercise_path.name} has no exercise; run: python -m tools.exercises"
    )
    assert exercise_path.read_text(encoding="utf-8") == exercise_text(solution_path), (
        f"exercises/{solution_path.name} differs from what the generator makes from "
        f"solutions/{solution_path.name}; run: python -m tools.exercises"
    )


def notebook_of(*sources: str) -> nbformat.NotebookNode:
    """A notebook of code cells, and markdown cells for sources starting 'markdown:'."""
    notebook = new_notebook()
    notebook.cells = [
        new_markdown_cell(source.removeprefix("markdown:"))
        if source.startswith("markdown:")
        else new_code_cell(source)
        for source in sources
    ]
    return notebook


ANSWER = "# BEGIN SOLUTION\nloss = torch.mean((y - (m * x + c)) ** 2)\n# END SOLUTION"


def test_a_later_cell_repeating_an_answer_is_a_leak():
    solution = notebook_of("import torch", ANSWER, "loss = torch.mean((y - (m * x + c)) ** 2)")
    [leak] = leaked_lines(solution)
    assert (leak.cell, leak.exercise_cell) == (2, 3)
    assert leak.line == "loss = torch.mean((y - (m * x + c)) ** 2)"
    assert "cell 2" in str(leak)
    assert "exercise cell 3" in str(leak)


def test_comments_spacing_and_line_breaks_do_not_hide_a_leak():
    repeated = "loss = torch.mean(\n    (y - (m*x + c)) ** 2  # again\n)"
    assert len(leaked_lines(notebook_of("import torch", ANSWER, repeated))) == 1


def test_a_repeated_answer_with_renamed_variables_is_a_leak_when_long():
    answer = (
        "# BEGIN SOLUTION\n"
        "weights = torch.linalg.lstsq(with_intercept(train_set.x), train_set.y).solution\n"
        "# END SOLUTION"
    )
    renamed = "solution = torch.linalg.lstsq(with_intercept(train.x), train.y).solution"
    solution = notebook_of("import torch\ndef with_intercept(x): return x", answer, renamed)
    assert [leak.cell for leak in leaked_lines(solution)] == [2]


def test_short_renamed_matches_and_bare_method_calls_are_not_leaks():
    answer = "# BEGIN SOLUTION\nmae = error(prediction, truth)\nloss.backward()\n# END SOLUTION"
    later = "other_mae = error(other_prediction, truth)\nloss.backward()"
    assert leaked_lines(notebook_of("def error(a, b): return a", answer, later)) == []


def test_code_in_a_markdown_fence_is_a_leak():
    fence = "markdown:Hint:\n```python\nloss = torch.mean((y - (m * x + c)) ** 2)\n```"
    assert [leak.exercise_cell for leak in leaked_lines(notebook_of(ANSWER, fence))] == [2]


def test_a_whole_solution_cell_is_an_answer_too():
    solution = notebook_of("values = compute_the_values(data)", "values = compute_the_values(data)")
    solution.cells[0].metadata["tags"] = ["solution"]
    assert [leak.cell for leak in leaked_lines(solution)] == [1]


def test_the_exercise_placeholder_is_not_a_leak():
    assert leaked_lines(notebook_of("import torch", ANSWER, "print(loss)")) == []


def test_check_reports_leaks(tmp_path, capsys):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    leaky = notebook_of("import torch", ANSWER, "loss = torch.mean((y - (m * x + c)) ** 2)")
    write_notebook(solutions / "03_leaky.ipynb", leaky)
    arguments = ["--solutions", str(solutions), "--exercises", str(exercises)]
    assert main(arguments) == 0
    assert main([*arguments, "--check"]) == 1
    assert "03_leaky.ipynb, cell 2: 'loss = torch.mean(" in capsys.readouterr().err


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda path: path.name)
def test_exercise_does_not_show_any_answer(solution_path):
    leaks = leaked_lines(nbformat.read(solution_path, as_version=4), name=solution_path.name)
    assert not leaks, f"exercises/{solution_path.name} shows solution code:\n" + "\n".join(
        f"  solution {leak}" for leak in leaks
    )
