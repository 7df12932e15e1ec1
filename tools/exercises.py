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

Outputs, execution counts and the solution run's timestamps are removed. Run from the
repository root::

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
import builtins
import copy
import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import nbformat

from tools.command_line import ToolError, output_folder, read_notebook, run

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
            # nbconvert records when the solution's cell ran; that says nothing to a learner.
            cell.metadata.pop("execution", None)
        cells.append(cell)
    exercise.cells = cells
    # Widget state saved with the solution's outputs means nothing without them.
    exercise.metadata.pop("widgets", None)
    return exercise


class Leak(NamedTuple):
    """A statement of a solution's answer that its exercise still shows."""

    cell: int  # the solution cell (1-based) whose answer leaks
    line: str  # the leaked statement, as ast.unparse writes it
    exercise_cell: int  # the exercise cell (1-based) that shows it

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.line!r} is shown in exercise cell {self.exercise_cell}"


# A leaked statement must say something: shorter ones (``return x``, ``i += 1``)
# appear everywhere and give nothing away.
MIN_LEAK_LENGTH = 12
# With its variables renamed, a statement must be longer to count: short ones
# (``_ = mean_absolute_error(_, _)``) match by chance, not by copying.
MIN_RENAMED_LEAK_LENGTH = 40
_FENCED_CODE = re.compile(r"^```(?:python|py)?\s*\n(.*?)^```", re.MULTILINE | re.DOTALL)


class _RenameVariables(ast.NodeTransformer):
    """Rename every variable to ``_``, keeping imported, builtin and defined names."""

    def __init__(self, keep: set[str]) -> None:
        self.keep = keep

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.copy_location(ast.Name("_" if node.id not in self.keep else node.id), node)


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return None


def _simple_statements(tree: ast.AST) -> list[ast.stmt]:
    """Every statement in ``tree`` that holds no other statement (``x = 1``, ``f()``)."""
    compound = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.AsyncFor)
    compound += (ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not isinstance(node, compound)
    ]


def _is_bare_method_call(statement: ast.stmt) -> bool:
    # `loss.backward()`, `model.eval()`: a step the TODO names, not an answer.
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and not statement.value.args
        and not statement.value.keywords
    )


def _answer_code(cell: nbformat.NotebookNode) -> list[str]:
    """The code of ``cell`` that an exercise hides: each solution region, or all of it."""
    if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
        return [cell.source]
    regions: list[str] = []
    region: list[str] | None = None
    for line in cell.source.splitlines():
        if BEGIN_PATTERN.match(line):
            region = []
        elif END_PATTERN.match(line) and region is not None:
            regions.append("\n".join(region))
            region = None
        elif region is not None:
            region.append(line)
    return regions


def _defined_names(notebook: nbformat.NotebookNode) -> set[str]:
    """Builtins, and the names a notebook imports or defines with ``def`` or ``class``."""
    names = set(dir(builtins))
    for cell in notebook.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.Import | ast.ImportFrom):
                names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
    return names


def leaked_lines(solution: nbformat.NotebookNode, name: str = "notebook") -> list[Leak]:
    """Return the statements of the solution's answers that its generated exercise still shows.

    The answers are the ``BEGIN SOLUTION`` regions and the code cells tagged
    ``solution``. Each of their simple statements (an assignment, a call; the
    lines inside a ``for`` or ``with`` count one by one) leaks if a code cell
    or a fenced code block in a markdown cell of the exercise holds the same
    statement. Statements are compared as ``ast`` sees them, so comments,
    spacing and line breaks do not matter, and with every variable renamed to
    ``_`` (imported, builtin and ``def``/``class`` names are kept), so a
    later cell that repeats an answer with other variable names is found too.
    Short statements (under ``MIN_LEAK_LENGTH`` characters as written, under
    ``MIN_RENAMED_LEAK_LENGTH`` once renamed) and method calls without
    arguments (``loss.backward()``) give nothing away and are ignored.

    Parameters
    ----------
    solution
        The solution notebook.
    name
        The notebook's name, used in error messages.

    Returns
    -------
    list[Leak]
        One entry per leaked statement, in the order of the solution's cells.

    Raises
    ------
    MarkerError
        If any cell's markers are malformed.
    """
    exercise = make_exercise(solution, name)
    rename = _RenameVariables(_defined_names(solution))

    def keys(statement: ast.stmt) -> tuple[str, str]:
        return ast.unparse(statement), ast.unparse(rename.visit(copy.deepcopy(statement)))

    shown: dict[str, int] = {}
    for number, cell in enumerate(exercise.cells, start=1):
        codes = [cell.source] if cell.cell_type == "code" else _FENCED_CODE.findall(cell.source)
        for code in codes:
            tree = _parse(code)
            for statement in _simple_statements(tree) if tree else ():
                for key in keys(statement):
                    shown.setdefault(key, number)
    leaks = []
    for number, cell in enumerate(solution.cells, start=1):
        if cell.cell_type != "code":
            continue
        for code in _answer_code(cell):
            tree = _parse(code)
            for statement in _simple_statements(tree) if tree else ():
                if _is_bare_method_call(statement):
                    continue
                exact, renamed = keys(statement)
                if len(exact) >= MIN_LEAK_LENGTH and exact in shown:
                    leaks.append(Leak(number, exact, shown[exact]))
                elif len(renamed) >= MIN_RENAMED_LEAK_LENGTH and renamed in shown:
                    leaks.append(Leak(number, exact, shown[renamed]))
    return leaks


def render(notebook: nbformat.NotebookNode) -> str:
    """Serialise a notebook exactly as this tool writes it to disk."""
    return nbformat.writes(notebook) + "\n"


def exercise_text(solution_path: Path) -> str:
    """Read a solution notebook and return the text of its exercise.

    Raises
    ------
    ToolError
        If ``solution_path`` is not a readable notebook.
    MarkerError
        If its markers are malformed.
    """
    solution = read_notebook(solution_path)
    return render(make_exercise(solution, name=str(solution_path)))


def solution_notebooks(folder: Path) -> list[Path]:
    """Return the notebooks in ``folder``, sorted by name.

    Raises
    ------
    ToolError
        If ``folder`` is missing, is a file, or holds no notebook.
    """
    if not folder.exists():
        raise ToolError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ToolError(f"{folder}: is a file, expected the folder of solution notebooks")
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ToolError(f"{folder}: holds no notebooks (*.ipynb)")
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    parser.add_argument("--exercises", type=Path, default=Path("exercises"))
    parser.add_argument(
        "--check", action="store_true", help="only report exercises that are out of date"
    )
    args = parser.parse_args(argv)

    solution_paths = solution_notebooks(args.solutions)
    output_folder(args.exercises)
    stale: list[Path] = []
    leaks: list[str] = []
    for solution_path in solution_paths:
        solution = read_notebook(solution_path)
        try:
            text = render(make_exercise(solution, name=str(solution_path)))
        except MarkerError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        if args.check:
            leaks.extend(f"{solution_path}, {leak}" for leak in leaked_lines(solution))
        exercise_path = args.exercises / solution_path.name
        if exercise_path.exists() and exercise_path.read_text(encoding="utf-8") == text:
            continue
        stale.append(exercise_path)
        if not args.check:
            exercise_path.parent.mkdir(parents=True, exist_ok=True)
            exercise_path.write_text(text, encoding="utf-8")
            print(f"wrote {exercise_path}")
    for leak in leaks:
        print(f"leaked answer: {leak}", file=sys.stderr)
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        print(f"Regenerate them with: {REGENERATE_COMMAND}", file=sys.stderr)
    return 1 if args.check and (stale or leaks) else 0


if __name__ == "__main__":
    run(main)
