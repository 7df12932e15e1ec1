"""Predict, then run: utils.predictions, and every notebook asks at least three times."""

import ast
import json
from pathlib import Path

import pytest

from utils.predictions import NOT_YET, compare_with_prediction

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
MIN_PREDICTIONS = 3


def test_a_right_choice_is_shown_beside_the_answer(capsys) -> None:
    compare_with_prediction("smaller", "smaller", what="the loss", choices=("larger", "smaller"))
    assert capsys.readouterr().out == (
        "the loss: you predicted 'smaller'; the run shows 'smaller'.\nRight.\n"
    )


def test_a_wrong_choice_is_not_an_error(capsys) -> None:
    compare_with_prediction("larger", "smaller", what="the loss", choices=("larger", "smaller"))
    assert capsys.readouterr().out.endswith("Not this time: the next cell explains why.\n")


@pytest.mark.parametrize(
    ("prediction", "answer", "right"),
    [(1.0, 1.5, True), (0.7, 1.5, False), (3.0, 1.5, True), (4.0, 1.5, False), (-1.5, 1.5, False)],
)
def test_a_number_is_right_within_a_factor_of_two(prediction, answer, right, capsys) -> None:
    compare_with_prediction(prediction, answer, what="x", unit="s")
    shown = capsys.readouterr().out
    assert f"you predicted {prediction:.3g} s; the run shows {answer:.3g} s" in shown
    assert ("Within a factor of 2." in shown) is right


def test_an_exact_count_is_shown_whole_and_called_exact(capsys) -> None:
    compare_with_prediction(2320, 2320, what="parameters")
    assert capsys.readouterr().out == (
        "parameters: you predicted 2,320; the run shows 2,320.\nExactly right.\n"
    )


def test_no_prediction_still_shows_the_answer(capsys) -> None:
    compare_with_prediction(..., 0.25, what="the loss")
    assert capsys.readouterr().out == f"the loss: 0.25 {NOT_YET}\n"


@pytest.mark.parametrize(
    ("prediction", "choices", "error", "words"),
    [
        ("smallr", ("larger", "smaller"), ValueError, "one of 'larger', 'smaller', got 'smallr'"),
        ("0.5", None, TypeError, "a number for x, got str '0.5'"),
    ],
)
def test_a_prediction_of_the_wrong_kind_is_named(prediction, choices, error, words) -> None:
    with pytest.raises(error, match=words):
        compare_with_prediction(prediction, "larger" if choices else 0.5, what="x", choices=choices)


def test_an_answer_outside_the_choices_is_refused() -> None:
    with pytest.raises(ValueError, match="answer 'equal' is not one of"):
        compare_with_prediction("larger", "equal", what="x", choices=("larger", "smaller"))


def predictions_and_reveals(notebook: Path) -> list[tuple[str, int]]:
    """Return the notebook's code cells in order: ("predict", i) or ("reveal", i)."""
    events = []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(line for line in source.splitlines() if line[:1] not in "%!"))
        if "prediction" in cell.get("metadata", {}).get("tags", []):
            assigned = {
                target.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            assert "my_prediction" in assigned, (
                f"{notebook.name} cell {index}: a prediction cell should set my_prediction"
            )
            events.append(("predict", index))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "compare_with_prediction"
                and node.args
                and getattr(node.args[0], "id", None) == "my_prediction"
            ):
                events.append(("reveal", index))
    return events


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda path: path.name[:2])
def test_every_notebook_asks_for_predictions_and_reveals_each(notebook: Path) -> None:
    events = predictions_and_reveals(notebook)
    kinds = [kind for kind, _ in events]
    assert kinds.count("predict") >= MIN_PREDICTIONS, (
        f"{notebook.name} has {kinds.count('predict')} code cells tagged 'prediction' "
        f"(setting my_prediction); it should ask at least {MIN_PREDICTIONS}"
    )
    for (kind, index), (following, _) in zip(events, [*events[1:], ("end", -1)], strict=True):
        if kind == "predict":
            assert following == "reveal", (
                f"{notebook.name} cell {index}: the prediction is never revealed by "
                "compare_with_prediction(my_prediction, ...) before the next one"
            )
