"""Every figure the course quotes comes from a run: the record, and the check of each quote.

::

    python -m tools.results list    # every result the stored solutions recorded
    python -m tools.results check   # every quoted figure agrees with its record
    python -m tools.results table   # the guide's table of expected results (Markdown)
    python -m tools.results update  # rewrite quoted numbers from the record (read the diff!)
    python -m tools.results time-suite  # time `pytest --nbval solutions` (median of 3 runs)

A solution shows a figure with :func:`utils.results.show_result`, which records it in the
output's metadata; the stored solution notebooks are therefore the record of one clean run.
Prose quotes a figure by writing it as shown and naming its record in an HTML comment right
after it, invisible once rendered::

    The stored run reaches 98.9 %<!-- result 03: validation accuracy --> on ...

:func:`check_quotes` resolves every such quote in :data:`QUOTING_FILES` and in the solutions'
Markdown: the name must exist, the unit must be the recorded one, and the number must equal
the recorded value to the rounding the quote shows (``98.9`` stands for anything in
[98.85, 98.95]). ``tests/test_results.py`` runs it, so a re-run that moves a figure fails
there until the prose follows.

Times of the whole notebook suite are not shown by any notebook: ``time-suite`` runs
``pytest --nbval solutions`` three times (``--one-thread``: with ``OMP_NUM_THREADS=1``) and
writes the medians, with the machine and its load, to ``docs/records/suite.json``; prose
quotes them as ``<!-- result suite: solutions, default threads -->``. Run it on a quiet
machine. Any other instructor tool that measures what prose quotes writes its records the
same way, to ``docs/records/<group>.json`` (:func:`save_records`), quoted as ``result
<group>: name`` (``python -m tools.thread_contention --record`` writes ``threads``).

Figures that are not results (settings such as a 95 % interval, a 2 px shift) are marked
``<!-- not a result -->`` so that :func:`unquoted_figures` can find every figure left
unmarked.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from tools.command_line import ToolError, read_notebook, run

ROOT = Path(__file__).resolve().parent.parent
QUOTING_FILES = ("README.md", "docs/instructors_guide.md", "slides/lecture.md")
RECORDS = ROOT / "docs" / "records"
METADATA_KEY = "practical_ml_result"  # as utils.results writes it (tools import no torch)
QUOTE = re.compile(
    r"(?P<number>[-−]?\d[\d,]*(?:\.\d+)?(?:e[-−+]?\d+)?)(?P<unit>[^\d<>\n]{0,16}?)"
    r"<!--\s*result\s+(?P<notebook>\d\d|[a-z]+)\s*:\s*(?P<name>[^>]*?)\s*-->"
)
# A figure of the kinds runs produce: a number and a unit, not already quoted or marked.
FIGURE = re.compile(
    r"(?<![\w.,=\"'])\d[\d,]*(?:\.\d+)?\s?(?:%|px\b|ms\b|s\b|images/s\b)"
    r"(?![^\n<]{0,3}<!--\s*(?:result|not a result))"
)
TABLE_BEGIN = "<!-- expected results: begin (python -m tools.results table) -->"
TABLE_END = "<!-- expected results: end -->"


@dataclass(frozen=True)
class Result:
    """One recorded figure: where it was shown, its name, value and unit."""

    notebook: str  # the two-digit prefix, "03"
    name: str
    value: float
    unit: str
    digits: int
    machine: str | None = None
    scientific: bool = False

    def shown(self) -> str:
        """Return the figure as the notebook showed it: ``98.9 %`` (or ``2.7e-08``)."""
        number = format_number(self.value, self.digits, scientific=self.scientific)
        return f"{number}{' ' + self.unit if self.unit else ''}"


def format_number(value: float, decimals: int, *, scientific: bool, grouping: str = ",") -> str:
    """Return ``value`` with ``decimals`` decimals, as ``2.7e-08`` when ``scientific``."""
    return f"{value:.{decimals}e}" if scientific else f"{value:{grouping}.{decimals}f}"


def precision(number: str) -> tuple[int, float]:
    """Return the decimals a quoted number shows and half its last digit (its rounding)."""
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return decimals, 0.5 * 10.0 ** (int(exponent or 0) - decimals)


@dataclass(frozen=True)
class Quote:
    """One figure quoted in prose, with the file and line it sits on."""

    where: str
    number: str
    unit: str
    notebook: str
    name: str


def read_results(
    solutions: Path = ROOT / "solutions", records: Path = RECORDS
) -> dict[tuple[str, str], Result]:
    """Return every recorded result, by (notebook, name); a tool's, by (its group, name).

    Raises
    ------
    ToolError
        If a notebook records the same name twice (a quote could not tell them apart).
    """
    results: dict[tuple[str, str], Result] = {}
    for path in sorted(Path(solutions).glob("[0-9][0-9]_*.ipynb")):
        notebook = path.name[:2]
        for cell in read_notebook(path).cells:
            for output in cell.get("outputs", []):
                record = output.get("metadata", {}).get(METADATA_KEY)
                if record is None:
                    continue
                key = (notebook, record["name"])
                if key in results:
                    raise ToolError(f"{path.name} records {record['name']!r} twice")
                results[key] = Result(
                    notebook,
                    record["name"],
                    float(record["value"]),
                    record.get("unit", ""),
                    int(record.get("digits", 1)),
                    record.get("machine"),
                    bool(record.get("scientific", False)),
                )
    for path in sorted(Path(records).glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            results[(path.stem, record["name"])] = Result(
                path.stem,
                record["name"],
                float(record["value"]),
                record.get("unit", ""),
                int(record.get("digits", 1)),
                record.get("machine"),
            )
    return results


def quoted_unit(match: re.Match[str]) -> str:
    """Return the unit a :data:`QUOTE` match shows, without emphasis marks or odd spaces."""
    return match["unit"].replace("*", "").replace("\u00a0", " ").strip()


def find_quotes(text: str, where: str) -> list[Quote]:
    """Return the quoted figures in ``text``; ``where`` names the file for messages."""
    quotes = []
    for match in QUOTE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        unit = quoted_unit(match)
        quotes.append(
            Quote(f"{where}:{line}", match["number"], unit, match["notebook"], match["name"])
        )
    return quotes


def unquoted_figures(text: str) -> list[str]:
    """Return each figure in ``text`` (number and unit) that is neither quoted nor marked."""
    # A record's name ("accuracy at a 2 px shift") is not a figure; other comments are not prose.
    text = re.sub(r"(<!--\s*(?:result|not a result))[^>]*-->", r"\1 -->", text)
    text = re.sub(r"<!--(?!\s*(?:result|not a result)).*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", " ", text)  # code (a record's name in the table) is no claim
    return [match.group(0) for match in FIGURE.finditer(text)]


def disagreement(quote: Quote, results: dict[tuple[str, str], Result]) -> str | None:
    """Return why ``quote`` disagrees with its record, or None when it agrees."""
    result = results.get((quote.notebook, quote.name))
    if result is None:
        names = sorted(name for notebook, name in results if notebook == quote.notebook)
        return (
            f"{quote.where}: notebook {quote.notebook} records no {quote.name!r} "
            f"(it records: {', '.join(map(repr, names)) or 'nothing'})"
        )
    if quote.unit != result.unit:
        return (
            f"{quote.where}: {quote.number} {quote.unit!r} quotes {quote.name!r}, "
            f"recorded in {result.unit!r} ({result.shown()})"
        )
    number = quote.number.replace(",", "").replace("−", "-")
    decimals, rounding = precision(number)
    if abs(float(number) - result.value) > rounding + 1e-9 * abs(result.value):
        scientific = "e" in number
        return (
            f"{quote.where}: quotes {quote.name!r} as {quote.number} {quote.unit}, but the run "
            f"shows {format_number(result.value, decimals + 2, scientific=scientific)} "
            f"(write {format_number(result.value, decimals, scientific=scientific)})"
        )
    return None


def quoting_texts(root: Path = ROOT) -> dict[str, str]:
    """Return the prose that may quote results: the files and the solutions' Markdown."""
    texts = {name: (root / name).read_text(encoding="utf-8") for name in QUOTING_FILES}
    for path in sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb")):
        cells = read_notebook(path).cells
        markdown = [cell.source for cell in cells if cell.cell_type == "markdown"]
        texts[f"solutions/{path.name}"] = "\n".join(markdown)
    return texts


def check_quotes(root: Path = ROOT, texts: dict[str, str] | None = None) -> list[str]:
    """Return one line per quoted figure that disagrees with the record (none: all agree).

    ``texts`` is :func:`quoting_texts` of ``root`` when the caller has already read it.
    """
    results = read_results(root / "solutions", root / "docs" / "records")
    problems = []
    for where, text in (texts if texts is not None else quoting_texts(root)).items():
        for quote in find_quotes(text, where):
            problem = disagreement(quote, results)
            if problem:
                problems.append(problem)
    return problems


def requote(text: str, results: dict[tuple[str, str], Result]) -> str:
    """Return ``text`` with every quoted number rewritten from its record, same rounding.

    Quotes whose name or unit the record lacks are left for :func:`check_quotes` to report.
    Only the numbers change: read the diff, since the words around a number may need to
    follow it.
    """

    def rewrite(match: re.Match[str]) -> str:
        result = results.get((match["notebook"], match["name"]))
        unit = quoted_unit(match)
        if result is None or unit != result.unit:
            return match.group(0)
        number = match["number"]
        decimals, _ = precision(number.replace("−", "-"))
        grouping = "," if "," in number else ""
        value = format_number(result.value, decimals, scientific="e" in number, grouping=grouping)
        if number.startswith("−"):
            value = value.replace("-", "−")
        return value + match.group(0)[len(number) :]

    return QUOTE.sub(rewrite, text)


def update_quotes(root: Path = ROOT) -> list[str]:
    """Rewrite the quoted numbers in the prose files and solutions; return the files changed."""
    results = read_results(root / "solutions", root / "docs" / "records")
    paths = [root / name for name in QUOTING_FILES]
    paths += sorted((root / "solutions").glob("[0-9][0-9]_*.ipynb"))
    changed = []
    for path in paths:
        # A notebook is rewritten as text: a quote never spans a line, so never a JSON string.
        text = path.read_text(encoding="utf-8")
        new = requote(text, results)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(str(path.relative_to(root)))
    return changed


def results_table(results: dict[tuple[str, str], Result]) -> str:
    """Return the Markdown table of every recorded result, each cell a checked quote."""
    lines = ["| notebook | result | stored run | measured on |", "|---|---|---|---|"]
    for (notebook, name), result in sorted(results.items()):
        quote = f"{result.shown()}<!-- result {notebook}: {name} -->"
        lines.append(f"| {notebook} | `{name}` | {quote} | {result.machine or ''} |")
    return "\n".join(lines)


def table_in(text: str) -> str | None:
    """Return the generated table stored between the markers in ``text``, or None."""
    begin, end = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if begin < 0 or end < begin:
        return None
    return text[begin + len(TABLE_BEGIN) : end].strip()


def notebook_of(classname: str) -> str:
    """Return the notebook number of a JUnit test case: ``solutions.03_x.ipynb`` → ``"03"``."""
    found = re.search(r"(?:^|[./])(\d\d)_\w+\.ipynb$", classname)
    if found is None:
        raise ToolError(f"a test case of {classname!r} is no notebook cell: run only solutions")
    return found[1]


def time_suite(num_runs: int = 3, *, one_thread: bool = False) -> list[dict[str, object]]:
    """Run ``pytest --nbval solutions`` ``num_runs`` times; return the median times.

    Each record is a time in seconds with the machine (and its load average when the runs
    began): the whole run's wall time, and the sum of each notebook's cell times from
    pytest's JUnit report. ``one_thread`` sets ``OMP_NUM_THREADS=1`` for the notebooks.
    """
    label = "1 thread" if one_thread else "default threads"
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {label}, "
        f"load {os.getloadavg()[0]:.1f} at start, median of {num_runs}"
    )
    environment = dict(os.environ)
    environment.pop("OMP_NUM_THREADS", None)
    if one_thread:
        environment["OMP_NUM_THREADS"] = "1"
    walls: list[float] = []
    cells: dict[str, list[float]] = {}
    for _ in range(num_runs):
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "junit.xml"
            command = [sys.executable, "-m", "pytest", "--nbval", "solutions", "-q"]
            command += ["-p", "no:cacheprovider", f"--junitxml={report}"]
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=environment, check=True)
            walls.append(time.perf_counter() - start)
            sums: dict[str, float] = {}
            for case in ElementTree.parse(report).iter("testcase"):
                notebook = notebook_of(case.get("classname", ""))
                sums[notebook] = sums.get(notebook, 0.0) + float(case.get("time", 0))
            for notebook, seconds in sums.items():
                cells.setdefault(notebook, []).append(seconds)
    medians = {f"solutions, {label}": statistics.median(walls)}
    for notebook, seconds in sorted(cells.items()):
        medians[f"cells of {notebook}, {label}"] = statistics.median(seconds)
    return [
        {"name": name, "value": value, "unit": "s", "digits": 0, "machine": machine}
        for name, value in medians.items()
    ]


def save_records(group: str, records: list[dict[str, object]], folder: Path = RECORDS) -> Path:
    """Merge ``records`` into ``folder/<group>.json`` (same names replaced), atomically.

    Each record is ``{"name", "value", "unit", "digits", "machine"}``; the file is what
    :func:`read_results` reads as the results of ``group``.
    """
    if not re.fullmatch(r"[a-z]+", group):
        raise ToolError(f"a record group is lower-case letters only, got {group!r}")
    path = Path(folder) / f"{group}.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    names = {record["name"] for record in records}
    merged = [record for record in kept if record["name"] not in names] + records
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.results", description=__doc__)
    parser.add_argument("command", choices=("list", "check", "table", "update", "time-suite"))
    parser.add_argument("--runs", type=int, default=3, help="time-suite: runs (median)")
    parser.add_argument("--one-thread", action="store_true", help="time-suite: OMP_NUM_THREADS=1")
    arguments = parser.parse_args()
    command = arguments.command
    if command == "time-suite":
        if arguments.runs < 1:
            raise ToolError(f"--runs should be at least 1, got {arguments.runs}")
        path = save_records("suite", time_suite(arguments.runs, one_thread=arguments.one_thread))
        print(f"wrote the times to {path.relative_to(ROOT)}")
        return 0
    results = read_results()
    if command == "list":
        for (notebook, name), result in sorted(results.items()):
            print(f"{notebook}: {name} = {result.shown()}")
        return 0
    if command == "update":
        for name in update_quotes():
            print(f"rewrote quoted figures in {name}")
        return 0
    if command == "table":
        print(results_table(results))
        return 0
    texts = quoting_texts()
    problems = check_quotes(ROOT, texts)
    for problem in problems:
        print(problem)
    unquoted = {where: unquoted_figures(text) for where, text in texts.items()}
    for where, figures in unquoted.items():
        if figures:
            print(
                f"{where}: unquoted {figures}: quote each as 98.9 %<!-- result NN: name -->, "
                "or mark a setting right after it: 2 px<!-- not a result -->"
            )
    num_quotes = sum(len(find_quotes(text, where)) for where, text in texts.items())
    num_unquoted = sum(map(len, unquoted.values()))
    print(
        f"{num_quotes} quoted figures, {len(problems)} disagree with the record, "
        f"{num_unquoted} figures neither quoted nor marked"
    )
    return 1 if problems or num_unquoted else 0


if __name__ == "__main__":
    run(main)
