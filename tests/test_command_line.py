"""Every ``python -m tools.X`` stops on input it cannot use with one line naming it.

A missing path, a folder where a file is expected (or a file where a folder is), or a
file that is not a notebook: a non-zero exit status, one line on stderr naming the path,
and no traceback. Each case runs the tool as a learner or instructor would, in a fresh
interpreter from the repository root.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tools.command_line import BAD_INPUT_STATUS, ToolError, read_notebook, run

ROOT = Path(__file__).resolve().parent.parent


def run_tool(module: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run ``python -m MODULE ARGUMENTS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_naming(result: subprocess.CompletedProcess, name: str) -> None:
    """The tool failed, with exactly one line on stderr that names ``name``, no traceback."""
    assert result.returncode != 0, f"exit status 0:\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert name in lines[0], f"{name!r} is not named in {lines[0]!r}"


@pytest.fixture
def bad_paths(tmp_path: Path) -> dict[str, Path]:
    """Paths a tool cannot use, in folders named as the course's: missing, folder, corrupt..."""
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / "folder.ipynb").mkdir()
    (solutions / "corrupt.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "a_file").write_text("not a folder\n", encoding="utf-8")
    outside = tmp_path / "scratch" / "00_demo.ipynb"
    outside.parent.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), outside)
    return {
        "missing": solutions / "typo.ipynb",
        "folder": solutions / "folder.ipynb",
        "corrupt": solutions / "corrupt.ipynb",
        "file": tmp_path / "a_file",
        "missing folder": tmp_path / "no_such_folder",
        "outside": outside,
        "solutions": solutions,
        "exercises": tmp_path / "exercises",
    }


# (tool, its arguments, the path its one line must name); {name} stands for bad_paths[name].
CASES = [
    ("tools.hygiene", ["{missing}"], "missing"),
    ("tools.hygiene", ["{folder}"], "folder"),
    ("tools.hygiene", ["{corrupt}"], "corrupt"),
    ("tools.hygiene", ["{outside}"], "outside"),
    ("tools.exercises", ["--check", "--solutions", "{missing folder}"], "missing folder"),
    ("tools.exercises", ["--check", "--solutions", "{file}"], "file"),
    ("tools.exercises", ["--solutions", "{solutions}", "--exercises", "{exercises}"], "corrupt"),
    ("tools.exercises", ["--check", "--solutions", "{solutions}"], "corrupt"),
    ("tools.exercises", ["--check", "--exercises", "{file}"], "file"),
    ("tools.links", ["--check", "{missing}"], "missing"),
    ("tools.links", ["--check", "{folder}"], "folder"),
    ("tools.links", ["--check", "{corrupt}"], "corrupt"),
    ("tools.site", ["build", "{file}"], "file"),
    ("tools.site", ["build", "{solutions}"], "solutions"),  # MkDocs would empty it
    ("tools.slides", ["build", "{file}", "--no-pdf"], "file"),
    ("tools.figures", ["{file}"], "file"),
]


@pytest.mark.parametrize(
    ("module", "arguments", "named"),
    CASES,
    ids=[f"{module}-{' '.join(arguments)}" for module, arguments, _ in CASES],
)
def test_a_tool_names_a_path_it_cannot_use_in_one_line(
    bad_paths: dict[str, Path], module: str, arguments: list[str], named: str
) -> None:
    filled = [
        argument.format(**{key: str(path) for key, path in bad_paths.items()})
        for argument in arguments
    ]
    result = run_tool(module, *filled)
    assert_one_line_naming(result, str(bad_paths[named]))
    assert not (bad_paths["exercises"]).exists(), "the tool wrote exercises from bad input"


def test_hygiene_checks_every_path_before_saying_all_is_well(bad_paths: dict[str, Path]) -> None:
    # A typo must never pass as a clean notebook (it used to exit 0 in silence).
    result = run_tool("tools.hygiene", "solutions/00_straight_line_sgd.ipynb", "typo.ipynb")
    assert_one_line_naming(result, "typo.ipynb")


@pytest.mark.parametrize("module", ["tools.references", "tools.lower_bounds"])
def test_a_tool_without_arguments_refuses_one(module: str) -> None:
    result = run_tool(module, "typo.md")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "unrecognized arguments: typo.md" in result.stderr


@pytest.mark.parametrize("module", ["tools.maths", "tools.site_hooks", "tools.command_line"])
def test_a_module_without_a_command_line_says_so(module: str) -> None:
    assert_one_line_naming(run_tool(module, "typo.ipynb"), module)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("", "not JSON"),
        ('{"cells": [', "not JSON"),
        ("[]", "not a valid notebook"),
        ("{}", "not a valid notebook"),
        ('{"nbformat": 9, "nbformat_minor": 0}', "not a valid notebook"),
        ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{}]}', "not a valid"),
    ],
)
def test_read_notebook_names_the_file_and_the_cause(
    tmp_path: Path, content: str, cause: str
) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ToolError, match=rf"broken\.ipynb: .*{cause}") as caught:
        read_notebook(path)
    assert "\n" not in str(caught.value)


def test_read_notebook_refuses_bytes_that_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.ipynb"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ToolError, match=r"binary\.ipynb: not a notebook \(not UTF-8 text\)"):
        read_notebook(path)


def test_read_notebook_reads_a_notebook(tmp_path: Path) -> None:
    path = tmp_path / "fine.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path)
    assert read_notebook(path).cells[0].source == "x = 1"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ToolError("typo.ipynb: no such file"), "error: typo.ipynb: no such file"),
        (
            PermissionError(13, "Permission denied", "locked.ipynb"),
            "locked.ipynb: Permission denied",
        ),
    ],
)
def test_run_prints_bad_input_in_one_line_and_exits_2(
    capsys: pytest.CaptureFixture[str], error: Exception, expected: str
) -> None:
    def main() -> int:
        raise error

    with pytest.raises(SystemExit) as exit_:
        run(main)
    assert exit_.value.code == BAD_INPUT_STATUS
    assert capsys.readouterr().err == f"error: {expected.removeprefix('error: ')}\n"


def test_run_exits_with_the_status_main_returns() -> None:
    with pytest.raises(SystemExit) as exit_:
        run(lambda: 1)
    assert exit_.value.code == 1


def test_results_refuses_a_run_count_below_one_in_one_line() -> None:
    assert_one_line_naming(run_tool("tools.results", "time-suite", "--runs", "0"), "--runs")
