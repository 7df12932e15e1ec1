"""Run a solution notebook with one typical mistake in it, up to the check that should catch it.

A mistake catalogue test puts one slip into a solution (a "mutation": replace
an exact piece of source, which must occur exactly once in the notebook), runs
the notebook's code cells in order in one fresh namespace, in this process,
and stops at the cell that calls the named check after the mutated cell::

    error = catch_mistake(NOTEBOOK, "-2 * np.mean(error)", "2 * np.mean(error)", "check_gradients")
    assert "sign" in error.hint

The Colab set-up cell is skipped; matplotlib draws nowhere (Agg) and printed
output is swallowed. ``replace`` shortens slow cells for every run, e.g.
``{"num_epochs = 8": "num_epochs = 1"}``. Nothing is cached between runs:
each starts from a fresh namespace and stops at the check, so a run costs the
notebook's cells up to that check. The notebooks use no IPython magics, so
plain ``exec`` runs them.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import re
import traceback
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

import matplotlib
import nbformat
import pytest

from utils.checks import CheckFailed
from utils.checks._core import brief_failure

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend

SETUP_CELL_MARKER = '"google.colab" in sys.modules'


class MutationError(ValueError):
    """A mutation, replacement or check does not fit the notebook it is meant for."""


@contextlib.contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    """Run in ``folder``, as Jupyter runs a notebook (contextlib.chdir needs Python 3.11)."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _code_cells(notebook: Path) -> list[tuple[int, str]]:
    """Return (cell number, source) of each code cell but the Colab set-up cell."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [
        (number, cell.source)
        for number, cell in enumerate(cells, start=1)
        if cell.cell_type == "code" and SETUP_CELL_MARKER not in cell.source
    ]


def _apply(cells: list[tuple[int, str]], old: str, new: str, what: str, exactly_once: bool) -> int:
    """Replace ``old`` with ``new`` in ``cells``; return the index of the (last) cell changed."""
    count = sum(source.count(old) for _, source in cells)
    if count == 0 or (exactly_once and count != 1):
        raise MutationError(
            f"{what} {old!r} occurs {count} times in the notebook's code cells; "
            + ("it must occur exactly once: quote more of the line." if count else "check it.")
        )
    changed = -1
    for index, (number, source) in enumerate(cells):
        if old in source:
            cells[index] = (number, source.replace(old, new))
            changed = index
    return changed


def catch_mistake(
    notebook: str | Path,
    old: str,
    new: str,
    check: str,
    replace: Mapping[str, str] | None = None,
) -> CheckFailed:
    """Run ``notebook`` with ``old`` replaced by ``new``; return the failure of ``check``.

    Parameters
    ----------
    notebook
        Path of a solution notebook.
    old, new
        The mutation: ``old`` must occur exactly once in the code cells.
    check
        The name of the check function that should catch the mistake
        (``"check_gradients"`` or ``"check.check_model"``); the first cell at
        or after the mutated one that calls it is the last cell run.
    replace
        Further substitutions for every run (each must occur at least once),
        to make slow cells fast.

    Returns
    -------
    CheckFailed
        The failure that ``check`` raised.

    Raises
    ------
    MutationError
        If the mutation or a replacement does not occur as required, or no
        cell from the mutated one on calls ``check``.
    pytest.fail.Exception
        If no check failed, another check failed first, or the code raised
        anything else (its traceback is shown). A PyTorch error that
        ``brief_failure`` explains, raised between the mutated cell and the check,
        counts as caught: the learner sees it as two lines with a hint.
    """
    path = Path(notebook)
    cells = _code_cells(path)
    for replaced, replacement in (replace or {}).items():
        _apply(cells, replaced, replacement, "replacement", exactly_once=False)
    mutated = _apply(cells, old, new, "mutation", exactly_once=True)
    check_name = check.rsplit(".", 1)[-1]
    call = re.compile(rf"(?<![\w]){re.escape(check)}\(")
    last = next((i for i in range(mutated, len(cells)) if call.search(cells[i][1])), None)
    if last is None:
        raise MutationError(f"no cell from cell {cells[mutated][0]} on calls {check}(...).")

    namespace: dict[str, object] = {"__name__": "__main__"}
    output = io.StringIO()
    error: BaseException | None = None
    failed_in = ""
    with (
        _working_directory(path.parent),
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            for number, source in cells[: last + 1]:
                failed_in = f"<{path.name} cell {number}>"
                linecache.cache[failed_in] = (len(source), None, source.splitlines(True), failed_in)
                exec(compile(source, failed_in, "exec"), namespace)
        except Exception as raised:  # whatever the notebook raises is reported below
            error = raised
        finally:
            plt.close("all")

    mistake = f"{path.name}: mutation {old!r} -> {new!r}"
    if error is None:
        pytest.fail(f"{mistake} was not caught: {check} passed.\nOutput:\n{output.getvalue()}")
    if not isinstance(error, CheckFailed):
        # A known PyTorch error in a cell from the mutated one to the check's is what the
        # learner sees in two lines with a hint (utils.checks._core.show_known_errors_briefly).
        brief = brief_failure(error)
        cells_run = {f"<{path.name} cell {number}>" for number, _ in cells[mutated : last + 1]}
        if brief is not None and failed_in in cells_run:
            return brief
        trace = "".join(traceback.format_exception(error))
        pytest.fail(f"{mistake} raised {type(error).__name__} before {check} failed:\n{trace}")
    codes = [frame.f_code for frame, _ in traceback.walk_tb(error.__traceback__)]
    at = next((i for i, code in enumerate(codes) if code.co_filename == failed_in), None)
    caller = codes[at + 1].co_name if at is not None and at + 1 < len(codes) else "the cell"
    if failed_in != f"<{path.name} cell {cells[last][0]}>" or caller != check_name:
        pytest.fail(f"{mistake} was caught in {failed_in} by {caller}, not by {check}: {error}")
    return error


def fresh_cases(
    mistakes: list[tuple[str, str, str, str, tuple[str, ...]]], not_named_yet: Mapping[str, str]
) -> list[object]:
    """The pytest parameters of a fresh catalogue: (old, new, check, cause words) per case.

    Each case in ``not_named_yet`` becomes a strict xfail with its reason, so that it fails
    the suite as soon as the check names it.

    Raises
    ------
    MutationError
        If ``not_named_yet`` names a case the catalogue does not hold.
    """
    unknown = sorted(set(not_named_yet) - {case[0] for case in mistakes})
    if unknown:
        raise MutationError(f"not_named_yet names cases the catalogue does not hold: {unknown}")

    def marks(name: str) -> list[pytest.MarkDecorator]:
        if name not in not_named_yet:
            return []
        return [pytest.mark.xfail(strict=True, reason=f"not named yet: {not_named_yet[name]}")]

    return [pytest.param(*case[1:], id=case[0], marks=marks(case[0])) for case in mistakes]


def assert_names_cause(error: CheckFailed, check: str, cause_words: tuple[str, ...]) -> None:
    """Assert that the failure of ``check`` says one of ``cause_words`` (any case)."""
    said = f"{error.message}\n{error.hint or ''}".lower()
    assert any(word.lower() in said for word in cause_words), (
        f"{check} caught it but names none of {cause_words}:\n{error}"
    )
