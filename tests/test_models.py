"""FCNet builds what it says, and summarize describes any model the same way on every version."""

import numpy as np
import pytest
import torch
from torch import nn

from utils.models import DigitCNN, FCNet, conv_block, summarize


def test_fcnet_has_one_block_per_hidden_size_and_no_final_activation():
    model = FCNet(6, 3, hidden_sizes=(8, 4, 5), dropout=0.2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout"] * 3 + ["Linear"]
    assert model(torch.zeros(2, 6)).shape == (2, 3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"num_inputs": 0, "num_outputs": 1},
            "num_inputs should be a positive whole number, got 0",
        ),
        ({"num_inputs": 2, "num_outputs": 1, "hidden_sizes": (4, -1)}, r"hidden_sizes\[1\]"),
        (
            {"num_inputs": 2, "num_outputs": 1, "dropout": 1.0},
            r"dropout should be in \[0, 1\), got 1\.0",
        ),
        ({"num_inputs": 2, "num_outputs": 1, "dropout": float("nan")}, r"dropout .* got nan"),
    ],
)
def test_fcnet_refuses_bad_values_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        FCNet(**arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"num_inputs": 2, "num_outputs": 1.5},
            r"num_outputs should be a positive whole number \(an int\), got float",
        ),
        ({"num_inputs": True, "num_outputs": 1}, "num_inputs .* got bool"),
        (
            {"num_inputs": 4, "num_outputs": 3, "hidden_sizes": 32},
            r"hidden_sizes should be a sequence .*\(32,\) for one layer, got int \(32\)",
        ),
        (
            {"num_inputs": 4, "num_outputs": 3, "hidden_sizes": "32"},
            "hidden_sizes should be a sequence .* got str",
        ),
        (
            {"num_inputs": 4, "num_outputs": 3, "dropout": "0.1"},
            r"dropout should be a number in \[0, 1\), got str",
        ),
    ],
)
def test_fcnet_refuses_bad_types_naming_them(arguments, message):
    with pytest.raises(TypeError, match=message):
        FCNet(**arguments)


def test_fcnet_takes_numpy_integers_as_sizes():
    model = FCNet(np.int64(4), 3, hidden_sizes=np.array([8]))
    assert model(torch.zeros(2, 4)).shape == (2, 3)


def test_fcnet_names_the_input_width_it_wants():
    with pytest.raises(ValueError, match=r"FCNet takes a batch of shape \(N, 6\), got \(2, 5\)"):
        FCNet(6, 3)(torch.zeros(2, 5))


def test_fcnet_in_training_mode_explains_a_batch_of_one():
    with pytest.raises(ValueError, match=r"needs batches of 2 or more .* model\.eval\(\)"):
        FCNet(6, 3)(torch.zeros(1, 6))
    assert FCNet(6, 3).eval()(torch.zeros(1, 6)).shape == (1, 3)


@pytest.mark.parametrize(
    ("channels", "error", "message"),
    [
        (16, TypeError, r"channels should be a sequence .*\(16, 32\), got int \(16\)"),
        (
            (16,),
            ValueError,
            r"channels should be two positive integers, one per block, got \(16,\)",
        ),
        ((16.0, 32), TypeError, r"channels\[0\] .* got float \(16\.0\)"),
        ((16, 0), ValueError, r"channels\[1\] should be a positive whole number, got 0"),
    ],
)
def test_digit_cnn_refuses_bad_channels_naming_them(channels, error, message):
    with pytest.raises(error, match=message):
        DigitCNN(channels=channels)


@pytest.mark.parametrize("dropout", [-0.1, 1.0, float("inf")])
def test_digit_cnn_refuses_a_dropout_outside_zero_to_one(dropout):
    with pytest.raises(ValueError, match=r"dropout should be in \[0, 1\)"):
        DigitCNN(dropout=dropout)


@pytest.mark.parametrize(
    ("images", "error", "message"),
    [
        (torch.zeros(1, 28, 28), ValueError, r"got \(1, 28, 28\) \(one item: add a batch axis"),
        (torch.zeros(2, 28, 28), ValueError, r"shape \(N, 1, 28, 28\), got \(2, 28, 28\)"),
        (torch.zeros(2, 1, 32, 32), ValueError, r"got \(2, 1, 32, 32\)"),
        (torch.zeros(2, 1, 28, 28, dtype=torch.uint8), TypeError, r"torch\.uint8; convert .*255"),
        (np.zeros((2, 1, 28, 28), dtype=np.float32), TypeError, "torch.Tensor .* got ndarray"),
    ],
    ids=["one image", "no channel axis", "wrong size", "uint8", "numpy"],
)
def test_digit_cnn_names_the_input_it_wants(images, error, message):
    with pytest.raises(error, match=message):
        DigitCNN().eval()(images)


def test_digit_cnn_predicts_one_image_in_eval_mode():
    assert DigitCNN().eval()(torch.zeros(1, 1, 28, 28)).shape == (1, 10)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((0, 4), ValueError, "in_channels .* got 0"),
        ((1, "4"), TypeError, "out_channels .* got str"),
    ],
)
def test_conv_block_refuses_bad_channel_counts(arguments, error, message):
    with pytest.raises(error, match=message):
        conv_block(*arguments)


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


def test_summarize_names_a_wrong_input_shape_and_the_right_one():
    with pytest.raises(
        ValueError, match=r"FCNet cannot take an input of shape \(2, 5\): it takes \(N, 6\)"
    ):
        summarize(FCNet(6, 3), (2, 5))


def test_summarize_says_the_shape_needs_a_batch_axis():
    with pytest.raises(
        ValueError, match=r"\(1, 28, 28\): it takes \(N, 1, 28, 28\); .*batch size first"
    ) as error:
        summarize(DigitCNN(), (1, 28, 28))
    assert "4D" not in str(error.value)


def test_summarize_of_any_model_says_what_its_first_layer_takes():
    model = nn.Sequential(nn.Conv2d(3, 2, 3), nn.ReLU())
    with pytest.raises(
        ValueError,
        match=r"takes \(N, 3, height, width\) .* a Conv2d; .* PyTorch says: Given groups",
    ):
        summarize(model, (2, 1, 8, 8))


@pytest.mark.parametrize(
    ("input_shape", "error", "message"),
    [
        (28, TypeError, r"input_shape should be a sequence .*, got int \(28\)"),
        ((2, 1, 28, 0), ValueError, r"input_shape\[3\] should be a positive whole number, got 0"),
        ((2, 6.0), TypeError, r"input_shape\[1\] .* got float"),
    ],
)
def test_summarize_refuses_a_bad_input_shape(input_shape, error, message):
    with pytest.raises(error, match=message):
        summarize(FCNet(6, 3), input_shape)


def test_summarize_refuses_something_that_is_not_a_model():
    with pytest.raises(TypeError, match=r"model should be a torch\.nn\.Module, got str"):
        summarize("FCNet", (2, 6))
