"""The README's course table (and the slides' plan) tell the truth about the notebooks."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
ESTIMATE = re.compile(r"\*\*Estimated time:\*\* (\d+) minutes")


def course_table_rows() -> dict[str, str]:
    """Return the README's course-table rows by notebook number ("00", "01", ...)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return {match[1]: match[0] for match in re.finditer(r"^\| (\d\d) \|.*\|$", readme, re.M)}


def test_every_notebook_has_a_row_and_every_row_a_notebook():
    assert set(course_table_rows()) == {path.name[:2] for path in SOLUTIONS}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_the_row_gives_the_notebook_s_own_time_estimate(path):
    opening = nbformat.read(path, as_version=4).cells[0].source
    estimate = ESTIMATE.search(opening)
    assert estimate, f"{path.name} does not open with '**Estimated time:** N minutes'"
    row = course_table_rows()[path.name[:2]]
    assert row.endswith(f"| {estimate[1]} min |"), (
        f"README says {row.rsplit('|', 2)[1].strip()} for {path.name}, "
        f"the notebook {estimate[1]} min"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.stem)
def test_the_slides_plan_gives_the_notebook_s_own_time_estimate(path):
    opening = nbformat.read(path, as_version=4).cells[0].source
    minutes = ESTIMATE.search(opening)[1]
    plan = (ROOT / "slides" / "lecture.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(path.name)}` \|.*\| (\d+) min \|$", plan, re.M)
    assert row, f"the plan in slides/lecture.md has no row for {path.name}"
    assert row[1] == minutes, f"the slides say {row[1]} min for {path.name}, the notebook {minutes}"
