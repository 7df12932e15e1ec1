"""The checks of notebook 07 pass right answers and name wrong ones.

The right answers are written here, not taken from the solution notebook, so the tests
cannot pass by construction; the mistake catalogue (test_mistakes_07_...) covers the slips.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from utils.checks import CheckFailed
from utils.checks.training_on_many_processes import (
    check_bytes_all_reduced,
    check_distributed,
    check_fit,
    check_headline,
    check_make_loader,
)

DISTRIBUTED = """
import os
import torch
from torch import distributed
from torch.nn.parallel import DistributedDataParallel as DDP


def start_process_group():
    gpu = torch.cuda.is_available()
    distributed.init_process_group("nccl" if gpu else "gloo")
    device = torch.device(f"cuda:{os.environ['LOCAL_RANK']}") if gpu else torch.device("cpu")
    return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), device


def wrap_model(model, device):
    model.to(device)
    return DDP(model, device_ids=None if device.type == "cpu" else [device.index])
"""

DATA = """
from torch.utils.data import DataLoader, DistributedSampler


def make_loader(dataset, batch_size, rank, world_size, seed):
    sampler = DistributedSampler(dataset, world_size, rank, seed=seed)
    return DataLoader(dataset, batch_size, sampler=sampler), sampler
"""

TRAINING = """
from pathlib import Path

import torch
from torch import nn


class DigitNet(nn.Module):
    def __init__(self, hidden=256, batch_norm=False):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 10))

    def forward(self, x):
        return self.layers(x)


def fit(model, loader, sampler, loss_function, optimizer, device, *, rank, num_epochs, folder,
        architecture):
    saved = sorted(Path(folder).glob("epoch_*.pt"))
    start = int(saved[-1].stem[6:]) if saved else 0
    for epoch in range(start, num_epochs):
        sampler.set_epoch(epoch)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss_function(model(inputs), targets).backward()
            optimizer.step()
        if rank == 0:
            torch.save(model.state_dict(), Path(folder) / f"epoch_{epoch + 1:03d}.pt")
"""


@pytest.fixture
def folder(tmp_path):
    for name, source in [("distributed", DISTRIBUTED), ("data", DATA), ("training", TRAINING)]:
        (tmp_path / f"{name}.py").write_text(source)
    return tmp_path


def test_right_pieces_pass(folder, capsys):
    check_distributed(folder)
    check_make_loader(folder)
    check_fit(folder)
    assert capsys.readouterr().out.count("✓") == 3


def test_a_missing_file_says_which_cell_to_run(tmp_path):
    with pytest.raises(CheckFailed, match=r"there is no data\.py") as caught:
        check_make_loader(tmp_path)
    assert "%%writefile" in caught.value.hint


def test_an_unfilled_folder_says_fill_in_the_todo():
    with pytest.raises(CheckFailed, match="fill in the TODO"):
        check_fit(...)


def test_a_file_that_does_not_import_is_named(folder):
    (folder / "data.py").write_text("from torch.utils.data import NoSuchSampler\n")
    with pytest.raises(CheckFailed, match=r"importing data\.py raised ImportError"):
        check_make_loader(folder)


def test_the_checks_leave_no_process_group_and_no_stand_in_behind(folder):
    init = torch.distributed.init_process_group
    ddp = torch.nn.parallel.DistributedDataParallel
    check_distributed(folder)
    assert torch.distributed.init_process_group is init
    assert torch.nn.parallel.DistributedDataParallel is ddp
    assert not torch.distributed.is_initialized()


def test_bytes_pass_for_the_gradient_size_and_name_parameters_and_bits():
    model = nn.Linear(10, 3)  # 33 parameters, 132 bytes
    check_bytes_all_reduced(132, model)
    with pytest.raises(CheckFailed) as caught:
        check_bytes_all_reduced(33, model)
    assert "4 bytes" in caught.value.hint
    with pytest.raises(CheckFailed) as caught:
        check_bytes_all_reduced(1056, model)
    assert "bits" in caught.value.hint


def test_frozen_parameters_send_no_gradient():
    model = nn.Sequential(nn.Linear(10, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    check_bytes_all_reduced(16, model)


def test_headline_passes_a_rounding_difference_and_fails_a_real_one():
    check_headline(3e-8, threshold=1e-5)
    with pytest.raises(CheckFailed, match=r"differ by 0\.01"):
        check_headline(0.01, threshold=1e-5)
    with pytest.raises(CheckFailed, match="Python float"):
        check_headline(torch.tensor(0.0), threshold=1e-5)
