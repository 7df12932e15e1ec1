"""Launch a training script with ``torchrun`` from a notebook, safely.

``torchrun`` starts one *agent* process, which starts the worker processes that run your
script. From a notebook three things can go wrong, and :func:`run_torchrun` prevents them:

- **Collisions.** Two runs on one computer must not meet at the same rendezvous port.
  ``--standalone`` lets the operating system give each run a free port of its own.
- **Runs that never end.** A worker waiting for a peer that died waits forever. Every run
  has a ``timeout``; past it, the run is stopped and :class:`TorchrunTimeout` says so.
- **Orphans.** Interrupting the cell (the stop button, Ctrl-C) or a timeout stops the agent
  *and* every process it started: the agent is asked to stop first (it stops its workers),
  then whatever is left of the process tree is killed.

A failed run raises :class:`TorchrunFailed` with the exit status and the end of the output,
where the workers' own errors are. Typical use::

    from utils.torchrun import run_torchrun

    run = run_torchrun("train.py", ["--num-epochs", "2"], num_processes=2, timeout=120)
    print(run.output)

``python -m utils.torchrun NOTEBOOK FOLDER`` writes a notebook's ``%%writefile`` cells into
``FOLDER``: the scripts notebook 07 builds, for the cluster scripts in ``cluster/``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

OUTPUT_LINES_SHOWN = 40  # lines of a failed run's output put into the error message
STOP_GRACE_SECONDS = 5.0  # how long the agent has to stop its workers before they are killed
# By default torchrun's agent keeps one store for all its attempts, and after a restart
# (--max-restarts) a worker can read a dead worker's address from it and fail to connect
# ("Gloo connectFullMesh failed ... Connection refused"). With this, each attempt's workers
# meet in a store of their own.
TORCHRUN_ENVIRONMENT = {"TORCH_DISABLE_SHARE_RDZV_TCP_STORE": "1"}


class TorchrunFailed(RuntimeError):
    """A torchrun run ended with a non-zero exit status (its output is in ``output``)."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class TorchrunTimeout(TorchrunFailed):
    """A torchrun run took longer than its timeout and was stopped, with all its processes."""


@dataclass(frozen=True)
class TorchrunRun:
    """A finished run: the command, its combined output and how long it took."""

    command: list[str]
    output: str
    seconds: float


def torchrun_command(
    script: str | Path,
    arguments: Sequence[str] = (),
    *,
    num_processes: int = 2,
    max_restarts: int = 0,
) -> list[str]:
    """Return the command that runs ``script`` on ``num_processes`` processes of this computer.

    The same interpreter as this one runs torchrun (``python -m torch.distributed.run``), so
    the workers see the same packages as the notebook.

    Raises
    ------
    ValueError
        If ``num_processes`` is not a whole number ≥ 1 or ``max_restarts`` is not one ≥ 0.
    """
    if isinstance(num_processes, bool) or not isinstance(num_processes, int) or num_processes < 1:
        raise ValueError(f"num_processes should be a whole number ≥ 1, got {num_processes!r}")
    if isinstance(max_restarts, bool) or not isinstance(max_restarts, int) or max_restarts < 0:
        raise ValueError(f"max_restarts should be a whole number ≥ 0, got {max_restarts!r}")
    if isinstance(arguments, str):
        raise TypeError(f"arguments should be a list of strings, got the string {arguments!r}")
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",  # one computer; the OS picks a free rendezvous port for this run
        f"--nproc-per-node={num_processes}",
        f"--max-restarts={max_restarts}",
        str(script),
        *map(str, arguments),
    ]


def _children(pid: int) -> list[int]:
    """The process ids of every descendant of ``pid`` (read from /proc; empty elsewhere)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = text.rsplit(")", 1)[-1].split()
        parents.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    found, waiting = [], [pid]
    while waiting:
        for child in parents.get(waiting.pop(), []):
            found.append(child)
            waiting.append(child)
    return found


def _stop(process: subprocess.Popen) -> None:
    """Stop the agent and every process below it: SIGTERM first, then SIGKILL what is left."""
    descendants = _children(process.pid)
    for pid in [process.pid, *descendants]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    for pid in [process.pid, *descendants, *_children(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def run_torchrun(
    script: str | Path,
    arguments: Sequence[str] = (),
    *,
    num_processes: int = 2,
    timeout: float = 120.0,
    max_restarts: int = 0,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> TorchrunRun:
    """Run ``script`` under torchrun on ``num_processes`` processes; wait for it to end.

    Parameters
    ----------
    script
        The training script (a file that exists).
    arguments
        The script's own command-line arguments.
    num_processes
        Worker processes on this computer (``--nproc-per-node``).
    timeout
        Seconds before the whole run is stopped.
    max_restarts
        How many times torchrun restarts all workers after one of them fails.
    cwd
        Folder to run in (default: the script's folder).
    env
        Extra environment variables for the run (added to this process's, and to
        :data:`TORCHRUN_ENVIRONMENT`).

    Returns
    -------
    TorchrunRun
        The command, its output (stdout and stderr together) and its duration.

    Raises
    ------
    FileNotFoundError
        If ``script`` does not exist.
    ValueError
        If ``timeout`` is not a positive number (or see :func:`torchrun_command`).
    TorchrunTimeout
        If the run took longer than ``timeout`` (all its processes are stopped).
    TorchrunFailed
        If the run ended with a non-zero exit status.
    KeyboardInterrupt
        If the cell is interrupted; every process of the run is stopped first.
    """
    script = Path(script)
    if not script.is_file():
        raise FileNotFoundError(f"no training script at {script}: write it first")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout should be a positive number of seconds, got {timeout!r}")
    command = torchrun_command(
        script.resolve(), arguments, num_processes=num_processes, max_restarts=max_restarts
    )
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd or script.parent,
        env={**os.environ, **TORCHRUN_ENVIRONMENT, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C in the notebook reaches us, not the workers directly
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        output = process.communicate()[0]  # what it wrote before it was stopped
        raise TorchrunTimeout(
            f"torchrun did not finish within {timeout:g} s and was stopped with all its "
            f"processes.\nIts output ended with:\n{_tail(output)}",
            output,
        ) from None
    except BaseException:  # KeyboardInterrupt above all: leave no process behind
        _stop(process)
        raise
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise TorchrunFailed(
            f"torchrun ended with exit status {process.returncode}.\n"
            f"Command: {' '.join(command)}\nIts output ended with:\n{_tail(output)}",
            output,
        )
    return TorchrunRun(command, output, seconds)


def _tail(output: str) -> str:
    lines = output.rstrip().splitlines()
    return "\n".join(lines[-OUTPUT_LINES_SHOWN:]) or "(no output)"


WRITEFILE = re.compile(r"\A%%writefile\s+(?:-a\s+)?(\S+)\s*\n")


def write_scripts(notebook: str | Path, folder: str | Path) -> list[Path]:
    """Write each ``%%writefile`` cell of ``notebook`` into ``folder``, under its file name.

    Only the file name of each cell's target is kept, so ``%%writefile {folder}/train.py``
    becomes ``folder/train.py``.

    Raises
    ------
    FileNotFoundError
        If ``notebook`` or ``folder`` does not exist.
    ValueError
        If the notebook has no ``%%writefile`` cell.
    """
    notebook, folder = Path(notebook), Path(folder)
    if not notebook.is_file():
        raise FileNotFoundError(f"no notebook at {notebook}")
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder at {folder}: create it first")
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    written = []
    for cell in cells:
        source = "".join(cell["source"])
        match = WRITEFILE.match(source) if cell["cell_type"] == "code" else None
        if match:
            name = match.group(1).replace("\\", "/").rsplit("/", 1)[-1]
            target = folder / name
            target.write_text(source[match.end() :].rstrip() + "\n", encoding="utf-8")
            written.append(target)
    if not written:
        raise ValueError(f"{notebook} has no %%writefile cell")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m utils.torchrun NOTEBOOK FOLDER``: write the notebook's scripts to FOLDER."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m utils.torchrun NOTEBOOK FOLDER", file=sys.stderr)
        return 2
    Path(args[1]).mkdir(parents=True, exist_ok=True)
    for path in write_scripts(args[0], args[1]):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
