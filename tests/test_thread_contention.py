"""The thread-contention measurement: its arguments, its table, and one real (tiny) run."""

import subprocess
import sys
from pathlib import Path

import pytest

from tools.command_line import ToolError
from tools.thread_contention import parse_counts, parse_threads, records, table

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*arguments: str) -> subprocess.CompletedProcess:
    """Run ``python -m tools.thread_contention ARGUMENTS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "tools.thread_contention", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_counts_and_thread_settings_are_read_from_commas() -> None:
    assert parse_counts("1, 2,4", "--copies") == [1, 2, 4]
    assert parse_threads("default,1,8") == ["default", "1", "8"]


@pytest.mark.parametrize("text", ["0", "two", "1,,2", "-1", "1.5"])
def test_a_count_that_is_not_a_positive_whole_number_is_named(text: str) -> None:
    with pytest.raises(ToolError, match=r"--copies: '.*' is not a whole number ≥ 1"):
        parse_counts(text, "--copies")


@pytest.mark.parametrize("text", ["all", "0", "default,none"])
def test_a_thread_setting_that_is_neither_default_nor_a_count_is_named(text: str) -> None:
    with pytest.raises(ToolError, match=r"--threads: '.*' is neither 'default' nor"):
        parse_threads(text)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [(["--copies", "0"], "'0'"), (["--threads", "many"], "'many'"), (["--steps", "x"], "'x'")],
)
def test_bad_input_stops_the_tool_in_one_line(arguments: list[str], named: str) -> None:
    result = run_tool(*arguments)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0], result.stderr


def test_the_table_compares_each_setting_with_one_copy_alone() -> None:
    rows = [
        {"threads": "default", "torch threads": 2, "copies": 1, "median s per copy": 2.0},
        {"threads": "default", "torch threads": 2, "copies": 2, "median s per copy": 9.0},
        {"threads": "1", "torch threads": 1, "copies": 2, "median s per copy": 3.0},
    ]
    for row in rows:
        row["slowest s"] = row["median s per copy"]
    lines = table(rows).splitlines()
    assert lines[2] == "| default (2) | 1 | 2.00 | 2.00 | 1.0 |"
    assert lines[3] == "| default (2) | 2 | 9.00 | 9.00 | 4.5 |"
    assert lines[4] == "| 1 (1) | 2 | 3.00 | 3.00 |  |", "no copy alone: no ratio"


def test_the_records_name_each_setting_and_its_ratio_to_one_copy() -> None:
    rows = [
        {"threads": "default", "copies": 1, "median s per copy": 2.0},
        {"threads": "default", "copies": 4, "median s per copy": 9.0},
        {"threads": "1", "copies": 2, "median s per copy": 3.0},
    ]
    assert [(r["name"], r["value"], r["unit"]) for r in records(rows, "m")] == [
        ("default threads, 1 copy", 2.0, "s"),
        ("default threads, 1 copy, × one copy", 1.0, "×"),
        ("default threads, 4 copies", 9.0, "s"),
        ("default threads, 4 copies, × one copy", 4.5, "×"),
        ("1 thread, 2 copies", 3.0, "s"),
    ]


def test_a_tiny_measurement_runs_the_workload_with_the_threads_asked_for() -> None:
    result = run_tool("--copies", "1,2", "--threads", "1", "--steps", "1", "--rounds", "1")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 1 (1) |")]
    assert [row.split("|")[2].strip() for row in rows] == ["1", "2"], result.stdout
    assert "cores, load average" in result.stdout
