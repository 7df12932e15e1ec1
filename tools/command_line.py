"""What every ``python -m tools.X`` shares: input it cannot use stops it in one line.

A path that does not exist, a folder where a file is expected (or the other way round),
or a file that is not a notebook: the tool prints one line naming it, on stderr, and
exits with status 2, never with a traceback and never with 0 on a path it did not check::

    $ python -m tools.hygiene typo.ipynb
    error: typo.ipynb: no such file

Each tool raises :class:`ToolError` and runs its ``main`` through :func:`run`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import nbformat

BAD_INPUT_STATUS = 2  # as argparse exits on a bad argument


class ToolError(ValueError):
    """Input a tool cannot use; the message names it and says what was expected."""


def existing_file(path: Path, what: str = "file") -> Path:
    """Return ``path`` if it is a file, else raise :class:`ToolError` saying what it is.

    Parameters
    ----------
    path : Path
        The path a tool was given.
    what : str
        What the file should be, for the message (``"notebook (.ipynb)"``).

    Raises
    ------
    ToolError
        If ``path`` does not exist or is a folder.
    """
    path = Path(path)
    if not path.exists():
        raise ToolError(f"{path}: no such file")
    if not path.is_file():
        raise ToolError(f"{path}: is a folder, expected a {what}")
    return path


def output_folder(path: Path) -> Path:
    """Return ``path`` if a tool may write into it: a folder, or nothing yet.

    Raises
    ------
    ToolError
        If ``path`` is an existing file.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ToolError(f"{path}: is a file, expected a folder to write into")
    return path


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read the notebook at ``path`` (as format version 4), checking that it is one.

    Parameters
    ----------
    path : Path
        A ``.ipynb`` file.

    Returns
    -------
    nbformat.NotebookNode
        The notebook, valid against the notebook format's schema.

    Raises
    ------
    ToolError
        If ``path`` is missing, is a folder, or is not a readable notebook (not UTF-8,
        not JSON, or not the notebook format); the message names the path and the cause.
    """
    import nbformat
    from nbformat.reader import NotJSONError

    path = existing_file(path, "notebook (.ipynb)")
    try:
        notebook = nbformat.reader.reads(path.read_text(encoding="utf-8"))
        notebook = nbformat.convert(notebook, 4)
        nbformat.validate(notebook)
    except UnicodeDecodeError:
        raise ToolError(f"{path}: not a notebook (not UTF-8 text)") from None
    except NotJSONError as error:
        raise ToolError(f"{path}: not a notebook (not JSON: {error.__cause__})") from None
    except (ValueError, TypeError, AttributeError, KeyError, nbformat.ValidationError) as error:
        cause = str(getattr(error, "message", error)).splitlines()[0]
        raise ToolError(f"{path}: not a valid notebook ({cause})") from None
    return notebook


def describe(error: OSError) -> str:
    """Return one line for an error of the operating system, naming its file if it has one."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def run(main: Callable[[], int | None]) -> NoReturn:
    """Run a tool's ``main`` and exit with its status; bad input is reported in one line.

    A :class:`ToolError` or an :class:`OSError` (a file that cannot be read, a folder that
    cannot be written) is printed as ``error: …`` on stderr and exits with status 2.
    """
    try:
        status = main()
    except ToolError as error:
        print(f"error: {error}", file=sys.stderr)
        status = BAD_INPUT_STATUS
    except OSError as error:
        print(f"error: {describe(error)}", file=sys.stderr)
        status = BAD_INPUT_STATUS
    sys.exit(status or 0)


if __name__ == "__main__":
    sys.exit("tools.command_line serves the other tools; it has no command line of its own")
