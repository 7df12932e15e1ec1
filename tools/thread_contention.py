"""Measure how PyTorch's threads share one server: ``python -m tools.thread_contention``.

On a shared server (a JupyterHub for the room) every learner's kernel is a separate
process, and by default each one's PyTorch starts one thread per core. Several kernels that
train at once then run many more threads than there are cores, and they wait on each other.
This tool measures it: it starts ``K`` copies of one fixed CPU training workload *at the same
moment* (notebook 03's ``DigitCNN``, Adam, batches of 64 random 28 × 28 images), for each
``K`` in ``--copies`` and each thread setting in ``--threads``, and prints the median wall time
per copy, with the machine and its load::

    python -m tools.thread_contention                          # K = 1, 2, 4; default and 1 thread
    python -m tools.thread_contention --copies 1,8 --threads default,1,2 --rounds 3
    python -m tools.thread_contention --record   # also write docs/records/threads.json

``--record`` saves each median and ratio for the instructor's guide to quote (see
:mod:`tools.results`), as ``<!-- result threads: 1 thread, 4 copies -->``.

A thread setting is ``default`` (PyTorch's own choice, ``OMP_NUM_THREADS`` unset) or a number
``n`` (``OMP_NUM_THREADS=n`` and ``torch.set_num_threads(n)`` in every copy). Each copy
imports PyTorch and warms up, then all copies start their timed steps together.

Only this tool runs PyTorch, and only in the child processes it starts (``--worker``); the
module itself imports no PyTorch, like every other tool.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tools.command_line import ToolError, run

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = "default"
BATCH_SIZE = 64
NUM_IMAGES = 512
WARM_UP_STEPS = 3


def parse_counts(text: str, what: str) -> list[int]:
    """Return the positive whole numbers in a comma-separated ``text`` (``"1,2,4"``).

    Raises
    ------
    ToolError
        If an entry is not a whole number ≥ 1; the message names it and ``what`` it is.
    """
    counts = []
    for entry in text.split(","):
        entry = entry.strip()
        if not entry.isdigit() or int(entry) < 1:
            raise ToolError(f"{what}: {entry!r} is not a whole number ≥ 1 (expected e.g. '1,2,4')")
        counts.append(int(entry))
    return counts


def parse_threads(text: str) -> list[str]:
    """Return the thread settings in a comma-separated ``text``: ``"default"`` or ``"n"``.

    Raises
    ------
    ToolError
        If an entry is neither ``default`` nor a whole number ≥ 1.
    """
    settings = []
    for entry in text.split(","):
        entry = entry.strip()
        if entry != DEFAULT and (not entry.isdigit() or int(entry) < 1):
            raise ToolError(
                f"--threads: {entry!r} is neither 'default' nor a whole number ≥ 1 "
                "(expected e.g. 'default,1')"
            )
        settings.append(entry)
    return settings


def worker(num_steps: int, threads: str) -> None:
    """Train the fixed workload in this process, timing ``num_steps`` steps after a barrier.

    Prints ``ready`` once PyTorch is imported and warmed up, waits for a line on stdin,
    then trains and prints ``{"seconds": ..., "threads": ...}`` as one JSON line.
    """
    import torch

    from utils.models import DigitCNN

    if threads != DEFAULT:
        torch.set_num_threads(int(threads))
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    images = torch.rand(NUM_IMAGES, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (NUM_IMAGES,), generator=generator)
    model = DigitCNN()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()

    def step(index: int) -> None:
        start = (index * BATCH_SIZE) % NUM_IMAGES
        x, y = images[start : start + BATCH_SIZE], labels[start : start + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()

    for index in range(WARM_UP_STEPS):
        step(index)
    print("ready", flush=True)
    sys.stdin.readline()  # the barrier: every copy starts its timed steps together
    start = time.perf_counter()
    for index in range(num_steps):
        step(index)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "threads": torch.get_num_threads()}), flush=True)


def run_copies(num_copies: int, threads: str, num_steps: int) -> tuple[list[float], int]:
    """Run ``num_copies`` workers at once; return each copy's seconds and its thread count."""
    environment = dict(os.environ)
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        environment.pop(variable, None)
        if threads != DEFAULT:
            environment[variable] = threads
    command = [sys.executable, "-m", "tools.thread_contention", "--worker"]
    command += ["--steps", str(num_steps), "--threads", threads]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(num_copies)
    ]
    try:
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a worker stopped before it was ready (see its error above)")
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = [json.loads(process.stdout.readline()) for process in processes]
    finally:
        for process in processes:
            process.stdin.close()
            process.wait(timeout=600)
    return [report["seconds"] for report in reports], reports[0]["threads"]


def measure(
    copies: list[int], settings: list[str], num_steps: int, num_rounds: int
) -> list[dict[str, object]]:
    """Return one row per (thread setting, K): the median seconds per copy, over every round."""
    rows = []
    for threads in settings:
        for num_copies in copies:
            times: list[float] = []
            for _ in range(num_rounds):
                seconds, num_threads = run_copies(num_copies, threads, num_steps)
                times.extend(seconds)
            rows.append(
                {
                    "threads": threads,
                    "torch threads": num_threads,
                    "copies": num_copies,
                    "median s per copy": statistics.median(times),
                    "slowest s": max(times),
                }
            )
    return rows


def table(rows: list[dict[str, object]]) -> str:
    """Return ``rows`` as a Markdown table, each time also relative to one copy alone."""
    alone = {row["threads"]: row["median s per copy"] for row in rows if row["copies"] == 1}
    lines = [
        "| threads per copy | copies at once | median s per copy | slowest copy (s) "
        "| × one copy alone |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        base = alone.get(row["threads"])
        ratio = f"{row['median s per copy'] / base:.1f}" if base else ""
        label = f"{row['threads']} ({row['torch threads']})"
        lines.append(
            f"| {label} | {row['copies']} | {row['median s per copy']:.2f} "
            f"| {row['slowest s']:.2f} | {ratio} |"
        )
    return "\n".join(lines)


def records(rows: list[dict[str, object]], machine: str) -> list[dict[str, object]]:
    """Return ``rows`` as records for :func:`tools.results.save_records`, group "threads"."""
    alone = {row["threads"]: row["median s per copy"] for row in rows if row["copies"] == 1}
    saved: list[dict[str, object]] = []
    for row in rows:
        label = "default threads" if row["threads"] == DEFAULT else f"{row['threads']} thread"
        name = f"{label}{'s' if row['threads'] not in (DEFAULT, '1') else ''}, {row['copies']} "
        name += "copy" if row["copies"] == 1 else "copies"
        seconds = row["median s per copy"]
        saved.append({"name": name, "value": seconds, "unit": "s", "digits": 2, "machine": machine})
        if row["threads"] in alone:
            ratio = seconds / alone[row["threads"]]
            saved.append(
                {
                    "name": f"{name}, × one copy",
                    "value": ratio,
                    "unit": "×",
                    "digits": 1,
                    "machine": machine,
                }
            )
    return saved


def describe_machine() -> str:
    """Return the machine and its load averages (over 1, 5 and 15 minutes)."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} cores, load average {load}"


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module's docstring); returns 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.thread_contention", description=__doc__)
    parser.add_argument("--copies", default="1,2,4", help="how many copies at once (1,2,4)")
    parser.add_argument(
        "--threads", default="default,1", help="thread settings: 'default' or a number"
    )
    parser.add_argument("--steps", default="60", help="timed training steps per copy (60)")
    parser.add_argument("--rounds", default="3", help="repeats of each measurement (3)")
    parser.add_argument(
        "--record", action="store_true", help="save the results to docs/records/threads.json"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    copies = parse_counts(arguments.copies, "--copies")
    settings = parse_threads(arguments.threads)
    (num_steps,) = parse_counts(arguments.steps, "--steps")
    (num_rounds,) = parse_counts(arguments.rounds, "--rounds")
    if arguments.worker:
        worker(num_steps, settings[0])
        return 0
    before = describe_machine()
    print(f"Machine: {before} (before)", flush=True)
    start = time.perf_counter()
    rows = measure(copies, settings, num_steps, num_rounds)
    print(table(rows))
    print(
        f"{num_steps} steps of batch {BATCH_SIZE} per copy, {num_rounds} rounds; "
        f"took {time.perf_counter() - start:.0f} s. Machine: {describe_machine()} (after)"
    )
    if arguments.record:
        from tools.results import save_records

        machine = f"{before} (before); {num_steps} steps, median of {num_rounds} rounds"
        print(f"wrote {save_records('threads', records(rows, machine))}")
    return 0


if __name__ == "__main__":
    run(main)
