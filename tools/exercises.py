"""Generate the exercise notebooks from the solution notebooks.

Solutions are the single source of the course. In a solution's code cells,
wrap the code a learner should write between two marker lines::

    def gradients(x, y, m, c):
        # BEGIN SOLUTION: compute both partial derivatives of the loss
        residual = y - (m * x + c)
        ...
        # END SOLUTION
        return dL_dm, dL_dc

The exercise keeps everything outside the markers and replaces the region with
a placeholder at the marker's indentation (the text after ``BEGIN SOLUTION:``
becomes the TODO; without it a generic TODO is used)::

    def gradients(x, y, m, c):
        # TODO: compute both partial derivatives of the loss
        ...
        return dL_dm, dL_dc

Whole cells can be marked with a cell tag instead:

- ``solution``: a code cell becomes a TODO placeholder; a markdown cell becomes
  a prompt for the learner's own answer.
- ``solution-only``: the cell is left out of the exercise (for example, a
  discussion of results the learner has not produced yet).

Outputs and execution counts are removed. Run from the repository root::

    python -m tools.exercises          # rewrite exercises/ from solutions/
    python -m tools.exercises --check  # exit 1 if exercises/ is out of date
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

BEGIN_PATTERN = re.compile(r"^(?P<indent>\s*)#\s*BEGIN SOLUTION(?P<rest>.*)$")
END_PATTERN = re.compile(r"^\s*#\s*END SOLUTION\s*$")
HINT_PATTERN = re.compile(r"^:\s*(?P<hint>\S.*)$")
DEFAULT_TODO = "your code here"
SOLUTION_TAG = "solution"
SOLUTION_ONLY_TAG = "solution-only"
MARKDOWN_PROMPT = "**Your answer:** *write it here.*"
REGENERATE_COMMAND = "python -m tools.exercises"


class MarkerError(ValueError):
    """A solution marker is malformed, nested or unbalanced."""


def _placeholder(indent: str, todo: str) -> list[str]:
    # `...` keeps the cell valid Python even where the region was a whole block.
    return [f"{indent}# TODO: {todo}", f"{indent}..."]


def strip_solution_regions(source: str, where: str = "cell") -> str:
    """Replace each ``BEGIN SOLUTION`` ... ``END SOLUTION`` region with a TODO placeholder.

    Parameters
    ----------
    source
        The source of one code cell.
    where
        A description of the cell (notebook and cell number), used in errors.

    Returns
    -------
    str
        The source with every marked region replaced.

    Raises
    ------
    MarkerError
        If a marker line is malformed, a region is nested in another, an
        ``END`` has no ``BEGIN`` or a ``BEGIN`` has no ``END``.
    """
    output: list[str] = []
    open_line: int | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN_PATTERN.match(line)
        if begin:
            if open_line is not None:
                raise MarkerError(
                    f"{where}, line {number}: BEGIN SOLUTION inside the region opened "
                    f"on line {open_line}; regions cannot be nested."
                )
            rest = begin.group("rest").strip()
            hint = HINT_PATTERN.match(rest)
            if rest and not hint:
                raise MarkerError(
                    f"{where}, line {number}: malformed marker {line.strip()!r}; write "
                    "'# BEGIN SOLUTION' or '# BEGIN SOLUTION: what the learner should do'."
                )
            open_line = number
            todo = hint["hint"] if hint else DEFAULT_TODO
            output.extend(_placeholder(begin.group("indent"), todo))
        elif END_PATTERN.match(line):
            if open_line is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION.")
            open_line = None
        elif "SOLUTION" in line and re.match(r"^\s*#\s*(BEGIN|END)\b", line):
            raise MarkerError(
                f"{where}, line {number}: malformed marker {line.strip()!r}; "
                "expected '# BEGIN SOLUTION' or '# END SOLUTION'."
            )
        elif open_line is None:
            output.append(line)
    if open_line is not None:
        raise MarkerError(
            f"{where}, line {open_line}: BEGIN SOLUTION is never closed by END SOLUTION."
        )
    return "\n".join(output)


def make_exercise(solution: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Return the exercise version of a solution notebook (the input is left unchanged).

    Parameters
    ----------
    solution
        The solution notebook.
    name
        The notebook's name, used in error messages.

    Raises
    ------
    MarkerError
        If any cell's markers are malformed; the message names the notebook and cell.
    """
    exercise = copy.deepcopy(solution)
    cells = []
    for number, cell in enumerate(exercise.cells, start=1):
        tags = cell.get("metadata", {}).get("tags", [])
        where = f"{name}, cell {number}"
        if SOLUTION_ONLY_TAG in tags:
            continue
        if SOLUTION_TAG in tags:
            if cell.cell_type == "code":
                cell.source = "\n".join(_placeholder("", DEFAULT_TODO))
            else:
                cell.source = MARKDOWN_PROMPT
        elif cell.cell_type == "code":
            cell.source = strip_solution_regions(cell.source, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    exercise.cells = cells
    # Widget state saved with the solution's outputs means nothing without them.
    exercise.metadata.pop("widgets", None)
    return exercise


def render(notebook: nbformat.NotebookNode) -> str:
    """Serialise a notebook exactly as this tool writes it to disk."""
    return nbformat.writes(notebook) + "\n"


def exercise_text(solution_path: Path) -> str:
    """Read a solution notebook and return the text of its exercise."""
    solution = nbformat.read(solution_path, as_version=4)
    return render(make_exercise(solution, name=str(solution_path)))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    parser.add_argument("--exercises", type=Path, default=Path("exercises"))
    parser.add_argument(
        "--check", action="store_true", help="only report exercises that are out of date"
    )
    args = parser.parse_args(argv)

    solution_paths = sorted(args.solutions.glob("*.ipynb"))
    if not solution_paths:
        print(f"error: no notebooks found in {args.solutions}/", file=sys.stderr)
        return 1
    stale = []
    for solution_path in solution_paths:
        try:
            text = exercise_text(solution_path)
        except MarkerError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        exercise_path = args.exercises / solution_path.name
        if exercise_path.exists() and exercise_path.read_text(encoding="utf-8") == text:
            continue
        stale.append(exercise_path)
        if not args.check:
            exercise_path.parent.mkdir(parents=True, exist_ok=True)
            exercise_path.write_text(text, encoding="utf-8")
            print(f"wrote {exercise_path}")
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        print(f"Regenerate them with: {REGENERATE_COMMAND}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
