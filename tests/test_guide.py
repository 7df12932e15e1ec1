"""The instructor's guide, the slides and the credit: complete, and naming only what exists.

References are checked against the notebooks as they are now (tools/references.py reads
their headings and definitions when the test runs), so renaming a section or a function
that the slides or the guide mention fails here, with the name.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

from tools.references import PROSE, missing_references, read_vocabulary

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructors_guide.md"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
TRY_IT = re.compile(r"\*Try it:\*\s*(.+?)(?:\n\n|$)", flags=re.DOTALL)


def words(text: str) -> str:
    """Return ``text`` as lower-case words only, for comparing prose across line breaks."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.mark.parametrize("relative", PROSE)
def test_prose_names_only_notebooks_sections_and_functions_that_exist(relative: str) -> None:
    missing = missing_references((ROOT / relative).read_text(encoding="utf-8"), read_vocabulary())
    assert not missing, f"{relative} refers to what no notebook has: {missing}"


def test_reference_check_reports_what_does_not_exist() -> None:
    text = (
        "(00 § 42 · No such section) `no_such_function()` 99_no_such_notebook.ipynb "
        "utils.no_such_module (01 § 1 · Meet the penguins) 00_straight_line_sgd.ipynb"
    )
    assert missing_references(text, read_vocabulary()) == [
        "notebook 99_no_such_notebook.ipynb",
        "section (00 § 42 · No such section)",
        "function or class no_such_function()",
        "utils.no_such_module",
    ]


def test_guide_answers_every_try_it_question() -> None:
    guide = words(GUIDE.read_text(encoding="utf-8"))
    questions = [
        (notebook.name, question)
        for notebook in SOLUTIONS
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "markdown"
        for question in TRY_IT.findall("".join(cell["source"]))
    ]
    assert questions, "no 'Try it' questions found: has their format changed?"
    unanswered = [
        f"{name}: {question}" for name, question in questions if words(question) not in guide
    ]
    assert not unanswered, "quote and answer these in docs/instructors_guide.md:\n" + "\n".join(
        unanswered
    )


def questions_in(markdown: str) -> list[str]:
    """Return every question a Markdown cell asks: each sentence that ends in "?".

    Code spans, maths, links' targets and HTML comments are not prose; a heading's marks
    and section number are dropped ("## 3 · Which way is downhill?" asks "Which way is
    downhill?").
    """
    prose = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)|<!--.*?-->", " ", markdown, flags=re.DOTALL)
    prose = re.sub(r"^#+\s*(?:\d+\s*·\s*)?", "", prose, flags=re.MULTILINE)
    questions = []
    for paragraph in re.split(r"\n\s*\n|\n(?=[#>*-] )", prose):
        text = " ".join(paragraph.split())
        questions += [sentence.strip(" *_") for sentence in re.findall(r"[^.!?:]*\?", text)]
    return [question for question in questions if words(question)]


def test_questions_are_found_in_prose_and_headings_but_not_code() -> None:
    markdown = (
        "## 3 · Which way is downhill? The derivative\n\nIt falls. Why does it\n"
        "fall? Because `x?` and $a?$ are not questions.\n\n**Predict.** More or less?"
    )
    assert questions_in(markdown) == [
        "Which way is downhill?",
        "Why does it fall?",
        "More or less?",
    ]


def test_guide_answers_every_question_a_notebook_asks() -> None:
    guide = words(GUIDE.read_text(encoding="utf-8"))
    unanswered = [
        f"{notebook.name}: {question}"
        for notebook in SOLUTIONS
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "markdown"
        for question in questions_in("".join(cell["source"]))
        if words(question) not in guide
    ]
    assert not unanswered, (
        "quote each question in the notebook's section of docs/instructors_guide.md "
        "and answer it there (or, if it is rhetorical, make it a statement):\n"
        + "\n".join(unanswered)
    )


def test_every_prediction_prompt_asks_a_question() -> None:
    silent = [
        f"{notebook.name}: {''.join(cell['source'])[:60]!r}"
        for notebook in SOLUTIONS
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "markdown"
        and "prediction" in cell.get("metadata", {}).get("tags", [])
        and not questions_in("".join(cell["source"]))
    ]
    assert not silent, "a prediction prompt should ask its question (ending in '?'):\n" + (
        "\n".join(silent)
    )


def test_guide_has_every_part_the_course_needs() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ (.+)$", guide, flags=re.MULTILINE))
    for heading in (
        "Learning objectives",
        "Prerequisites",
        "One day (09:00–17:00)",
        "Two days",
        "When short of time",
        "Before the workshop: a checklist",
        "Running the course on Colab and Binder",
        "Credit and licence",
    ):
        assert heading in headings, f"the guide has no section {heading!r}"
    for notebook in SOLUTIONS:
        assert f"`{notebook.name}`" in guide, f"the guide has no part on {notebook.name}"
    assert "python -m utils.check_env" in guide
    assert "download.pytorch.org/whl/cpu" in guide, "the CPU-only wheels for venue Wi-Fi"


def test_readme_links_the_slides_guide_credit_and_citation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](slides/lecture.md)" in readme
    assert "](docs/instructors_guide.md)" in readme
    assert "Cambridge-ICCS/practical-ml-with-pytorch" in readme
    assert "palmerpenguins" in readme
    assert "MNIST" in readme
    assert "CITATION.cff" in readme
    licence = readme.split("## Licence", 1)[1]
    assert "MIT" in licence
    assert "slides" in licence, "state the licence of the prose and slides as well as the code"


def test_citation_file_is_valid_and_credits_the_sources() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "license", "repository-code"):
        assert citation.get(key), f"CITATION.cff lacks {key}"
    referenced = " ".join(str(reference) for reference in citation["references"])
    for source in ("Cambridge-ICCS/practical-ml-with-pytorch", "palmerpenguins", "MNIST"):
        assert source in referenced, f"CITATION.cff does not credit {source}"
