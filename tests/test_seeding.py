import random

import numpy as np
import pytest
import torch

from utils.seeding import seed_everything


def draw_from_every_generator() -> tuple[float, float, float]:
    return random.random(), float(np.random.rand()), float(torch.rand(1))  # noqa: NPY002


def test_same_seed_gives_same_numbers_everywhere():
    seed_everything(123)
    first = draw_from_every_generator()
    seed_everything(123)
    assert draw_from_every_generator() == first


def test_different_seeds_give_different_numbers():
    seed_everything(1)
    first = draw_from_every_generator()
    seed_everything(2)
    second = draw_from_every_generator()
    assert all(a != b for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_out_of_range_seed_is_rejected_with_its_value(seed):
    with pytest.raises(ValueError, match=str(seed)):
        seed_everything(seed)


@pytest.mark.parametrize("seed", [1.5, "0", True])
def test_non_integer_seed_is_rejected(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        seed_everything(seed)


def test_numpy_integer_seed_gives_the_same_numbers_as_the_int():
    seed_everything(np.int64(3))
    first = draw_from_every_generator()
    seed_everything(3)
    assert draw_from_every_generator() == first
