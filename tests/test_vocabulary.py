"""Every solution speaks the vocabulary of the README's table ("One vocabulary").

The test reads each solution's code cells as Python and holds them to the table: the
signatures and returns of ``train_one_epoch`` and ``evaluate``, one step order, the checks
module named after the notebook, ``check_headline`` last and once with its ``threshold``,
``num_`` counts, and "training" (not "train") in the names of recorded curves.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
README = (ROOT / "README.md").read_text(encoding="utf-8")

TRAIN_SIGNATURE = (
    "train_one_epoch(model, loader, loss_function, optimizer, device, "
    "*, scheduler=None, augment=None) -> float"
)
EVALUATE_SIGNATURE = "evaluate(model, loader, loss_function, device) -> dict[str, float]"
STEP_ORDER = "`optimizer.zero_grad()`, forward, loss, `loss.backward()`, `optimizer.step()`"


def _code(path: Path) -> ast.Module:
    cells = nbformat.read(path, as_version=4).cells
    source = "\n".join(
        "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        for cell in cells
        if cell.cell_type == "code"
    )
    return ast.parse(source)


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _module_name(path: Path) -> str:
    return path.stem.split("_", 1)[1]


def test_the_readme_table_states_the_vocabulary_this_test_holds_to():
    for phrase in (TRAIN_SIGNATURE, EVALUATE_SIGNATURE, STEP_ORDER, "utils.checks.<notebook name>"):
        assert phrase in README, f"the README's vocabulary table should say {phrase!r}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_train_one_epoch_has_the_one_signature(path):
    function = _functions(_code(path)).get("train_one_epoch")
    if function is None:
        pytest.skip(f"{path.name} defines no train_one_epoch")
    positional = [argument.arg for argument in function.args.args]
    assert positional == ["model", "loader", "loss_function", "optimizer", "device"]
    keyword_only = [argument.arg for argument in function.args.kwonlyargs]
    assert set(keyword_only) <= {"scheduler", "augment"}, keyword_only
    for default in function.args.kw_defaults:
        assert isinstance(default, ast.Constant), "scheduler and augment default to None"
        assert default.value is None, "scheduler and augment default to None"
    returns = [node for node in ast.walk(function) if isinstance(node, ast.Return)]
    assert returns, "train_one_epoch returns the mean training loss"
    for node in returns:
        assert node.value is not None, "train_one_epoch returns the mean training loss"
        assert not isinstance(node.value, ast.Dict | ast.Tuple), "return one float, the mean loss"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_evaluate_has_the_one_signature_and_returns_a_dict(path):
    function = _functions(_code(path)).get("evaluate")
    if function is None:
        pytest.skip(f"{path.name} defines no evaluate")
    assert [argument.arg for argument in function.args.args] == [
        "model",
        "loader",
        "loss_function",
        "device",
    ]
    returns = [node for node in ast.walk(function) if isinstance(node, ast.Return)]
    assert returns
    for node in returns:
        assert isinstance(node.value, ast.Dict), "evaluate returns a dict of plain numbers"
        keys = [key.value for key in node.value.keys if isinstance(key, ast.Constant)]
        assert keys[0] == "loss", 'the dict evaluate returns starts with "loss"'
        assert all(re.fullmatch(r"[a-z_]+", key) for key in keys), keys


def _calls(function: ast.FunctionDef) -> list[str]:
    """The attribute names called in ``function``, in source order (e.g. zero_grad, step)."""
    nodes = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
    nodes.sort(key=lambda node: (node.lineno, node.col_offset))
    return [node.func.attr for node in nodes if isinstance(node.func, ast.Attribute)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_each_training_step_takes_the_one_step_order(path):
    functions = _functions(_code(path))
    steppers = [f for f in functions.values() if "backward" in _calls(f)]
    if not steppers:
        pytest.skip(f"{path.name} has no training step")
    for function in steppers:
        calls = [call for call in _calls(function) if call in ("zero_grad", "backward", "step")]
        if "zero_grad" not in calls:
            continue  # e.g. a demonstration of what happens without it
        assert calls.index("zero_grad") < calls.index("backward") < calls.index("step"), (
            f"{function.name} in {path.name}: zero_grad, forward, loss, backward, step"
        )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_checks_come_from_the_module_named_after_the_notebook(path):
    modules = {
        node.module
        for node in ast.walk(_code(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils.checks")
    }
    assert modules == {f"utils.checks.{_module_name(path)}"}, modules


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_check_headline_is_the_last_check_called_once_with_its_threshold(path):
    calls = [
        node
        for node in ast.walk(_code(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("check_")
    ]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    names = [call.func.id for call in calls]
    assert names.count("check_headline") == 1, "call check_headline exactly once"
    assert names[-1] == "check_headline", f"the last check is {names[-1]}"
    for keyword in calls[-1].keywords:
        assert keyword.arg == "threshold", (
            f"check_headline's limit is `threshold`, not {keyword.arg}"
        )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda path: path.name)
def test_counts_are_num_and_curves_say_training(path):
    tree = _code(path)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
    wrong = sorted(name for name in names if name.startswith(("n_", "number_of_")))
    assert not wrong, f"counts are num_...: {wrong}"
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    train_keys = sorted(
        text for text in strings if re.fullmatch(r"train (loss|accuracy|mae)", text)
    )
    assert not train_keys, f'name curves "training ...": {train_keys}'
