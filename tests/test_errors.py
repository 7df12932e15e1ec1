"""utils.errors: the learner's line in a traceback, and hints for PyTorch's typical errors."""

import pytest
import torch
from torch import nn

from utils.errors import KNOWN_ERRORS, explain_error, first_line, learner_line


def test_a_linear_layer_of_the_wrong_width_is_explained():
    with pytest.raises(RuntimeError) as caught:
        nn.Linear(3, 2)(torch.ones(4, 5))
    assert "in_features" in explain_error(caught.value)


def test_an_export_with_an_example_batch_of_one_is_explained():
    error = RuntimeError("batch is dynamic but your code specialized it to be a constant (1)")

    assert "at least two" in explain_error(error)


def test_an_unknown_error_gets_no_hint():
    assert explain_error(RuntimeError("something new")) is None


def test_every_known_error_has_a_piece_of_message_and_a_hint():
    for piece, hint in KNOWN_ERRORS:
        assert piece
        assert hint.endswith((".", ")"))


def test_first_line_keeps_only_the_first_line():
    assert first_line(ValueError("\n  first\nsecond")) == "first"


def _learner_code():
    return nn.Linear(3, 2)(torch.ones(1, 5))


def test_learner_line_points_at_the_learners_own_frame_not_pytorchs():
    def caller():
        try:
            _learner_code()
        except RuntimeError as error:
            return error
        raise AssertionError("no error")

    where = learner_line(caller())
    assert "in _learner_code" in where
    assert "nn.Linear(3, 2)(torch.ones(1, 5))" in where
