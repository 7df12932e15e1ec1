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
        dL_dm = ...
        dL_dc = ...
        return dL_dm, dL_dc

The placeholder leaves defined, as ``...``, the names a learner is asked for,
so that "Run All" on an exercise meets a check's "fill in the TODO above"
(``utils.checks.require_answer``) rather than a ``NameError``. Which names, read
from the region with ``ast`` (after dedenting it):

- A region at indentation 0 (module level): every name it binds, since later
  cells and checks read them. Bindings are assignment targets (tuple unpacking
  included, one line per name), ``def`` and ``class`` names, ``with ... as``
  and imports; ``for`` targets only if the rest of the cell uses them.
- An indented region (inside a function, a class or a loop): only the names
  the rest of the cell uses after the region, so a local helper such as
  ``residual`` above is not given away. Attribute targets count too:
  ``self.features = ...`` if a later line reads ``self.features``.
- Augmented assignments (``total += ...``) bind nothing new: the name already
  exists, and ``total = ...`` would break the code after the region.
- A region whose own statements include a ``return`` ends with ``return ...``,
  so the check calling the function says "fill in the TODO above" too.
- A region that binds none of these, or that is not complete Python on its
  own, keeps the bare ``...``.

Whole cells can be marked with a cell tag instead:

- ``solution``: a code cell becomes a TODO placeholder (binding, as ``...``,
  every name the cell binds at module level); a markdown cell becomes a prompt
  for the learner's own answer.
- ``solution-only``: the cell is left out of the exercise (for example, a
  discussion of results the learner has not produced yet).

Outputs and execution counts are removed. Run from the repository root::

    python -m tools.exercises          # rewrite exercises/ from solutions/
    python -m tools.exercises --check  # exit 1 if exercises/ is out of date,
                                       # or if an exercise leaks solution code

``--check`` also runs :func:`leaked_lines`: a line of a solution region (or of
a ``solution`` cell) that appears anywhere in the generated exercise gives the
answer away, for example a later cell that repeats it.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

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


class _Bindings(NamedTuple):
    names: list[str]  # in order of first binding
    loop_targets: set[str]  # bound only as a for-loop target
    returns: bool  # a return statement at the region's own level


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return [f"{target.value.id}.{target.attr}"]
    return []  # subscripts and deeper attributes bind no name


def find_bindings(code: str) -> _Bindings | None:
    """Return the names ``code`` binds, or ``None`` if it is not Python on its own.

    Parameters
    ----------
    code
        The lines of a solution region (any common indentation is removed).

    Returns
    -------
    _Bindings or None
        The bound names in order, which of them are only ``for`` targets, and
        whether the code returns at its own level.
    """
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return None
    names: list[str] = []
    other_bindings: set[str] = set()
    loop_targets: set[str] = set()

    def bind(new_names: list[str], loop: bool = False) -> None:
        for name in new_names:
            if name not in names:
                names.append(name)
            (loop_targets if loop else other_bindings).add(name)

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    bind(_target_names(target))
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                bind(_target_names(node.target))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bind([node.name])  # its body is another scope
            elif isinstance(node, ast.Import | ast.ImportFrom):
                bind([alias.asname or alias.name.split(".")[0] for alias in node.names])
            elif isinstance(node, ast.For | ast.AsyncFor):
                bind(_target_names(node.target), loop=True)
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.With | ast.AsyncWith):
                for item in node.items:
                    if item.optional_vars is not None:
                        bind(_target_names(item.optional_vars))
                visit(node.body)
            elif isinstance(node, ast.If | ast.While):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    returns = any(isinstance(node, ast.Return) for node in tree.body)
    return _Bindings(names, loop_targets - other_bindings, returns)


def _is_used_in(name: str, code: str) -> bool:
    # `x` is used by `f(x)` but not by `dataset.x`; `self.a` by `self.a(...)`.
    return re.search(rf"(?<![\w.]){re.escape(name)}\b", code) is not None


def _placeholder(indent: str, todo: str, region: str | None = None, after: str = "") -> list[str]:
    """Return the TODO comment and the ``...`` lines that replace ``region``."""
    lines = [f"{indent}# TODO: {todo}"]
    bindings = find_bindings(region) if region is not None else None
    if bindings is not None:
        for name in bindings.names:
            module_level = indent == "" and name not in bindings.loop_targets
            if module_level or _is_used_in(name, after):
                lines.append(f"{indent}{name} = ...")
        if bindings.returns:
            lines.append(f"{indent}return ...")
    if len(lines) == 1:
        # `...` keeps the cell valid Python even where the region was a whole block.
        lines.append(f"{indent}...")
    return lines


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
    region: list[str] = []
    indent, todo = "", DEFAULT_TODO
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
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
            indent, region = begin.group("indent"), []
        elif END_PATTERN.match(line):
            if open_line is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION.")
            after = "\n".join(lines[number:])
            output.extend(_placeholder(indent, todo, "\n".join(region), after))
            open_line = None
        elif "SOLUTION" in line and re.match(r"^\s*#\s*(BEGIN|END)\b", line):
            raise MarkerError(
                f"{where}, line {number}: malformed marker {line.strip()!r}; "
                "expected '# BEGIN SOLUTION' or '# END SOLUTION'."
            )
        elif open_line is None:
            output.append(line)
        else:
            region.append(line)
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
                cell.source = "\n".join(_placeholder("", DEFAULT_TODO, cell.source))
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
