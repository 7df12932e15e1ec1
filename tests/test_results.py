"""Every figure comes from a run: utils.results records it, tools.results checks each quote.

The last tests hold the course itself to this: every figure quoted in the README, the
guide, the slides and the solutions' prose agrees with the stored run, no figure of the
kinds runs produce is left unquoted, and the guide's table of expected results is current.
"""

import json
from pathlib import Path

import nbformat
import pytest

from tools.command_line import ToolError
from tools.results import (
    METADATA_KEY,
    QUOTING_FILES,
    Quote,
    Result,
    check_quotes,
    disagreement,
    find_quotes,
    notebook_of,
    quoting_texts,
    read_results,
    requote,
    results_table,
    save_records,
    table_in,
    unquoted_figures,
)
from utils import results as utils_results
from utils.results import show_result

ROOT = Path(__file__).resolve().parent.parent
RECORDED = {
    ("03", "validation accuracy"): Result("03", "validation accuracy", 98.94, "%", 1),
    ("05", "eager latency"): Result("05", "eager latency", 0.4412, "ms", 2, "x86_64, 2 cores"),
}


def test_the_metadata_key_is_the_one_utils_writes() -> None:
    assert METADATA_KEY == utils_results.METADATA_KEY


def test_show_result_prints_the_value_outside_a_notebook(capsys) -> None:
    show_result("validation accuracy", 98.94, "%")
    assert capsys.readouterr().out == "validation accuracy: 98.9 %\n"


def test_show_result_records_value_unit_and_machine_in_a_notebook(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.get_ipython", lambda: object())
    monkeypatch.setattr(
        "IPython.display.display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    show_result("training time", 27.06, "s")
    (data, metadata), *_ = shown
    assert data == {"text/plain": "training time: 27.1 s"}
    record = metadata[METADATA_KEY]
    assert (record["name"], record["value"], record["unit"], record["digits"]) == (
        "training time",
        27.06,
        "s",
        1,
    )
    assert "cores" in record["machine"]


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        (("", 1.0), ValueError, "non-empty"),
        (("loss", "0.5"), TypeError, "plain number, got str"),
        (("loss", True), TypeError, "plain number, got bool"),
        (("loss", float("nan")), ValueError, "finite"),
    ],
)
def test_show_result_names_bad_input(arguments, error, words) -> None:
    with pytest.raises(error, match=words):
        show_result(*arguments)


def test_show_result_refuses_a_tensor_with_the_fix() -> None:
    import torch

    with pytest.raises(TypeError, match=r"\.item\(\)"):
        show_result("loss", torch.tensor(0.5))


def test_show_result_refuses_negative_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        show_result("loss", 0.5, digits=-1)


def test_a_quote_is_its_number_unit_notebook_and_name() -> None:
    text = "intro\nreaches **98.9 %**<!-- result 03: validation accuracy --> on"
    assert find_quotes(text, "x.md") == [Quote("x.md:2", "98.9", "%", "03", "validation accuracy")]


@pytest.mark.parametrize("quoted", ["98.9", "99", "98.94"])
def test_a_quote_agrees_to_the_rounding_it_shows(quoted: str) -> None:
    quote = Quote("x.md:1", quoted, "%", "03", "validation accuracy")
    assert disagreement(quote, RECORDED) is None


@pytest.mark.parametrize(
    ("quote", "words"),
    [
        (Quote("x.md:1", "99.0", "%", "03", "validation accuracy"), "write 98.9"),
        (Quote("x.md:1", "98.9", "", "03", "validation accuracy"), "recorded in '%'"),
        (Quote("x.md:1", "98.9", "%", "03", "test accuracy"), "records no 'test accuracy'"),
        (Quote("x.md:1", "0.5", "ms", "05", "eager latency"), "write 0.4"),
    ],
)
def test_a_quote_that_disagrees_says_how(quote: Quote, words: str) -> None:
    problem = disagreement(quote, RECORDED)
    assert problem is not None
    assert words in problem
    assert problem.startswith("x.md:1")


def write_notebook(folder: Path, name: str, records: list[dict]) -> None:
    cell = nbformat.v4.new_code_cell("show_result(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "x"}, metadata={METADATA_KEY: record}
        )
        for record in records
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbformat.write(notebook, folder / name)


def test_results_are_read_from_stored_notebooks_and_tools_records(tmp_path: Path) -> None:
    record = {"name": "loss", "value": 0.25, "unit": "", "digits": 2}
    write_notebook(tmp_path, "07_x.ipynb", [record])
    save_records(
        "suite",
        [{"name": "all", "value": 180.4, "unit": "s", "digits": 0, "machine": "m"}],
        tmp_path / "records",
    )
    results = read_results(tmp_path, tmp_path / "records")
    assert results == {
        ("07", "loss"): Result("07", "loss", 0.25, "", 2),
        ("suite", "all"): Result("suite", "all", 180.4, "s", 0, "m"),
    }
    assert find_quotes("180 s<!-- result suite: all -->", "x") == [
        Quote("x:1", "180", "s", "suite", "all")
    ]


def test_a_name_recorded_twice_in_one_notebook_is_refused(tmp_path: Path) -> None:
    record = {"name": "loss", "value": 0.25, "unit": "", "digits": 2}
    write_notebook(tmp_path, "07_x.ipynb", [record, record])
    with pytest.raises(ToolError, match="records 'loss' twice"):
        read_results(tmp_path, tmp_path / "no_records")


@pytest.mark.parametrize(
    ("text", "unquoted"),
    [
        ("took 27 s and 98.9 % here", ["27 s", "98.9 %"]),
        ("98.9 %<!-- result 03: validation accuracy -->", []),
        ("a 2 px<!-- not a result --> shift", []),
        ('<img width="300px">, 0.44 ms', ["0.44 ms"]),
        ("3,030 images/s; 28 × 28 pixels; 8 epochs", ["3,030 images/s"]),
        ("58 %<!-- result 03: accuracy at a 6 px shift --> <!-- 7 s -->", []),
        ("| `accuracy at a 6 px shift` | 58 %<!-- result 03: x --> |", []),
    ],
)
def test_figures_neither_quoted_nor_marked_are_found(text: str, unquoted: list[str]) -> None:
    assert unquoted_figures(text) == unquoted


def test_the_table_quotes_every_result_checkably() -> None:
    table = results_table(RECORDED)
    assert "98.9 %<!-- result 03: validation accuracy -->" in table
    assert (
        "| 05 | `eager latency` | 0.44 ms<!-- result 05: eager latency --> | x86_64, 2 cores |"
        in (table)
    )
    quotes = find_quotes(table, "table")
    assert len(quotes) == 2
    assert all(disagreement(quote, RECORDED) is None for quote in quotes)


# The course itself.


def test_every_quoted_figure_agrees_with_the_stored_run() -> None:
    problems = check_quotes(ROOT)
    assert not problems, "quoted figures that the run does not show:\n" + "\n".join(problems)


@pytest.mark.parametrize("where", [*QUOTING_FILES, "solutions"])
def test_no_figure_is_left_unquoted(where: str) -> None:
    texts = quoting_texts(ROOT)
    found = {
        name: unquoted_figures(text)
        for name, text in texts.items()
        if name == where or (where == "solutions" and name.startswith("solutions/"))
    }
    found = {name: figures for name, figures in found.items() if figures}
    assert not found, (
        "quote these through <!-- result NN: name --> (after recording them with show_result), "
        f"or mark a setting <!-- not a result -->: {found}"
    )


def test_the_guide_table_of_expected_results_is_current() -> None:
    guide = (ROOT / "docs" / "instructors_guide.md").read_text(encoding="utf-8")
    stored = table_in(guide)
    assert stored is not None, "the guide has lost its expected-results markers"
    assert stored == results_table(read_results()), (
        "the guide's table of expected results is out of date: "
        "paste the output of `python -m tools.results table` between its markers"
    )


def test_records_replace_their_own_names_and_keep_the_others(tmp_path: Path) -> None:
    path = save_records("suite", [{"name": "a", "value": 1.0}], tmp_path)
    save_records("suite", [{"name": "b", "value": 2.0}], tmp_path)
    save_records("suite", [{"name": "a", "value": 3.0}], tmp_path)
    assert json.loads(path.read_text()) == [
        {"name": "b", "value": 2.0},
        {"name": "a", "value": 3.0},
    ]
    assert [file.name for file in tmp_path.iterdir()] == ["suite.json"]


def test_a_record_group_must_be_a_plain_word(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"lower-case letters only, got '\.\./x'"):
        save_records("../x", [], tmp_path)


def test_requote_rewrites_numbers_from_the_record_keeping_their_rounding() -> None:
    text = (
        "reaches 99.0 %<!-- result 03: validation accuracy --> or 99 %<!-- result 03: "
        "validation accuracy -->, eager 0.5 ms<!-- result 05: eager latency -->, "
        "9.9 s<!-- result 05: eager latency --> and 1 %<!-- result 03: no such -->"
    )
    assert requote(text, RECORDED) == (
        "reaches 98.9 %<!-- result 03: validation accuracy --> or 99 %<!-- result 03: "
        "validation accuracy -->, eager 0.4 ms<!-- result 05: eager latency -->, "
        "9.9 s<!-- result 05: eager latency --> and 1 %<!-- result 03: no such -->"
    )


def test_a_tiny_figure_is_shown_and_quoted_in_scientific_notation(capsys) -> None:
    show_result("largest difference", 2.74e-8, digits=1, scientific=True)
    assert capsys.readouterr().out == "largest difference: 2.7e-08\n"
    recorded = {("06", "d"): Result("06", "d", 2.74e-8, "", 1, scientific=True)}
    assert disagreement(Quote("x.md:1", "2.7e-08", "", "06", "d"), recorded) is None
    problem = disagreement(Quote("x.md:1", "3.0e-08", "", "06", "d"), recorded)
    assert problem is not None
    assert "write 2.7e-08" in problem
    assert requote("3.0e-08<!-- result 06: d -->", recorded) == "2.7e-08<!-- result 06: d -->"


def test_a_count_is_shown_whole_by_default(capsys) -> None:
    show_result("cnn parameters", 32154)
    assert capsys.readouterr().out == "cnn parameters: 32,154\n"


def test_a_cell_is_timed_under_its_notebook_number() -> None:
    assert notebook_of("solutions.03_mnist_classification.ipynb") == "03"
    with pytest.raises(ToolError, match="no notebook cell"):
        notebook_of("tests.test_results")
