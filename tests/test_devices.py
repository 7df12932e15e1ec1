import pytest
import torch

from utils.devices import pick_device


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def test_cpu_when_there_is_no_gpu(no_gpu, capsys):
    assert pick_device() == torch.device("cpu")
    assert "Using device: cpu" in capsys.readouterr().out


def test_mps_when_only_apple_gpu(no_gpu, monkeypatch, capsys):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device() == torch.device("mps")
    assert "Using device: mps" in capsys.readouterr().out


def test_cuda_is_preferred_over_mps(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "Test GPU")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")
    assert "Test GPU" in capsys.readouterr().out


def test_quiet_when_not_verbose(no_gpu, capsys):
    pick_device(verbose=False)
    assert capsys.readouterr().out == ""


def test_verbose_that_is_not_a_bool_is_named(no_gpu):
    with pytest.raises(TypeError, match="verbose should be True or False, got 'no'"):
        pick_device(verbose="no")
