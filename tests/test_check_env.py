"""`python -m utils.check_env`: a clear report, and an exit status that means something."""

import subprocess
import sys
from pathlib import Path

import pytest

from utils import check_env
from utils.check_env import Finding


def test_runs_as_a_module_and_passes_here():
    result = subprocess.run(
        [sys.executable, "-m", "utils.check_env"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for expected in ("Python", "torch", "torchvision", "device:", "penguin data", "widgets"):
        assert expected in result.stdout


def test_reports_a_missing_torch_without_crashing():
    # Simulate a computer without PyTorch: None in sys.modules makes every import of it fail.
    probe = (
        "import runpy, sys\n"
        "sys.modules['torch'] = None\n"
        "sys.modules['torchvision'] = None\n"
        "runpy.run_module('utils.check_env', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "✗ torch cannot be imported" in result.stdout
    assert "fix: from the course folder, run: pip install -e ." in result.stdout
    assert "Traceback" not in result.stderr


def test_missing_package_fails_with_a_fix(monkeypatch, capsys):
    monkeypatch.setitem(check_env.REQUIRED_PACKAGES, "no_such_course_package", "no-such")
    monkeypatch.setattr(check_env, "CHECKS", [check_env.check_packages])
    assert check_env.main() == 1
    output = capsys.readouterr().out
    assert "✗ no_such_course_package cannot be imported" in output
    assert "fix: from the course folder, run: pip install" in output


def test_old_python_is_fatal(monkeypatch):
    monkeypatch.setattr(check_env, "MINIMUM_PYTHON", (99, 0))
    (finding,) = check_env.check_python()
    assert not finding.ok
    assert finding.fatal
    assert "Python 99.0 or newer" in finding.fix


def test_missing_widgets_is_a_warning_not_a_failure(monkeypatch, capsys):
    def no_widgets() -> list[Finding]:
        return [Finding(False, "no widgets", "pip install ipywidgets", fatal=False)]

    monkeypatch.setattr(check_env, "CHECKS", [no_widgets])
    assert check_env.main() == 0
    assert "! no widgets" in capsys.readouterr().out


def test_widgets_extension_is_found_here():
    (finding,) = check_env.check_widgets_extension()
    assert finding.ok, finding.description


@pytest.mark.parametrize("check", check_env.CHECKS, ids=lambda check: check.__name__)
def test_every_check_returns_findings(check):
    findings = check()
    assert findings
    assert all(isinstance(finding, Finding) for finding in findings)


def test_without_torch_the_intact_mnist_sample_is_not_called_damaged():
    # utils.mnist needs torch: failing to import it says nothing about data/mnist_sample.npz.
    probe = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from utils.check_env import check_mnist_sample\n"
        "for finding in check_mnist_sample():\n"
        "    print(finding.render(), finding.fatal)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "restore data/mnist_sample.npz" not in result.stdout
    assert "! MNIST sample not checked: utils.mnist cannot be imported" in result.stdout
    assert result.stdout.rstrip().endswith("False"), "the torch line is the fatal one"


def test_a_damaged_mnist_sample_is_still_sent_to_be_restored(monkeypatch):
    import utils.mnist

    def damaged() -> None:
        raise ValueError("The MNIST sample data/mnist_sample.npz is damaged")

    monkeypatch.setattr(utils.mnist, "read_sample", damaged)
    (finding,) = check_env.check_mnist_sample()
    assert not finding.ok
    assert finding.fatal
    assert "restore data/mnist_sample.npz" in finding.fix


def fake_torch_build(monkeypatch, platform: str, cuda: str | None, gpu: bool) -> None:
    """Make this torch look like a build for ``cuda`` (None: CPU) on ``platform``."""
    import torch

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(torch.version, "cuda", cuda)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)


def test_a_cuda_build_on_linux_without_a_gpu_points_to_the_cpu_build(monkeypatch):
    fake_torch_build(monkeypatch, "linux", cuda="12.8", gpu=False)
    (finding,) = check_env.check_torch_build()
    assert not finding.ok
    assert not finding.fatal, "the course runs on the CPU all the same"
    assert "CUDA 12.8 build" in finding.description
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = "A laptop without an NVIDIA GPU? Install the small CPU build of PyTorch first"
    assert f"### {section}" in readme, "the README section the fix names has moved"
    assert section in finding.fix


@pytest.mark.parametrize(
    ("platform", "cuda", "gpu"),
    [("linux", "12.8", True), ("linux", None, False), ("win32", "12.8", False)],
    ids=["linux-cuda-with-gpu", "linux-cpu-build", "windows-cuda-build"],
)
def test_a_build_that_fits_the_computer_is_fine(monkeypatch, platform, cuda, gpu):
    fake_torch_build(monkeypatch, platform, cuda=cuda, gpu=gpu)
    (finding,) = check_env.check_torch_build()
    assert finding.ok, finding.description
