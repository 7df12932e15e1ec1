"""FCNet builds what it says, and summarize describes any model the same way on every version."""

import pytest
import torch
from torch import nn

from utils.models import FCNet, summarize


def test_fcnet_has_one_block_per_hidden_size_and_no_final_activation():
    model = FCNet(6, 3, hidden_sizes=(8, 4, 5), dropout=0.2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout"] * 3 + ["Linear"]
    assert model(torch.zeros(2, 6)).shape == (2, 3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_inputs": 0, "n_outputs": 1}, "n_inputs should be a positive whole number, got 0"),
        ({"n_inputs": 2, "n_outputs": 1.5}, "n_outputs should be a positive whole number"),
        ({"n_inputs": 2, "n_outputs": 1, "hidden_sizes": (4, -1)}, r"hidden_sizes\[1\]"),
        ({"n_inputs": 2, "n_outputs": 1, "dropout": 1.0}, r"dropout should be in \[0, 1\)"),
    ],
)
def test_fcnet_refuses_bad_sizes_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        FCNet(**arguments)


def test_summarize_lists_layers_shapes_parameters_and_total():
    model = FCNet(6, 3, hidden_sizes=(4,))
    lines = summarize(model, (2, 6)).splitlines()
    assert lines[0].split() == ["layer", "type", "output", "shape", "parameters"]
    assert lines[1].split() == ["layers.0", "Linear", "(2,", "4)", "28"]
    assert lines[2].split() == ["layers.1", "BatchNorm1d", "(2,", "4)", "8"]
    assert lines[-1].split() == ["total", f"{6 * 4 + 4 + 8 + 4 * 3 + 3}"]


def test_summarize_leaves_the_training_mode_and_weights_alone():
    model = FCNet(6, 3)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    summarize(model, (2, 6))
    assert model.training
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), f"{name} changed"


def test_summarize_counts_thousands_with_separators():
    text = summarize(nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)), (2, 1, 28, 28))
    assert "7,850" in text


def test_summarize_names_a_wrong_input_shape():
    with pytest.raises(ValueError, match=r"FCNet cannot take an input of shape \(2, 5\)"):
        summarize(FCNet(6, 3), (2, 5))
