"""Build the Fortran driver, run it with a compiled network, and compare with Python.

These tests need CMake, a C++ compiler and gfortran; without them they skip and say what to
install (continuous integration installs them, see .ci/run). Compiling the small network and
building the driver take about half a minute of CPU time.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from utils import fortran_driver
from utils.fortran_driver import (
    INSTALL_HINT,
    build_fortran_driver,
    missing_build_tools,
    run_fortran_driver,
)
from utils.lorenz96 import integrate_coarse

MISSING = missing_build_tools()
needs_build_tools = pytest.mark.skipif(
    bool(MISSING), reason=f"no {' and no '.join(MISSING)}: {INSTALL_HINT}"
)
NUM_STEPS = 200  # one model time unit at dt = 0.005
TOLERANCE = 1e-5  # on X, whose values are around ±10
FORCING, DT = 20.0, 0.005


def tiny_network() -> nn.Module:
    """A seeded circular convolution, (1, 8) -> (1, 8), damping X like a parameterisation."""
    torch.manual_seed(0)
    conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="circular")

    class Net(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return -0.8 * x + 0.3 * torch.tanh(conv(x.unsqueeze(1)).squeeze(1))

    return Net().eval()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fortran_driver(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exported = torch.export.export(tiny_network(), (torch.randn(1, 8),))
    path = tmp_path_factory.mktemp("package") / "net.pt2"
    torch._inductor.aoti_compile_and_package(exported, package_path=str(path))
    return path


def python_parameterisation(x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return tiny_network()(torch.as_tensor(x, dtype=torch.float32)).double().numpy()


@needs_build_tools
def test_fortran_trajectory_agrees_with_python(driver: Path, package: Path) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    x0 = np.random.default_rng(0).normal(3.0, 5.0, 8)
    trajectory, seconds_per_step = run_fortran_driver(driver, package, x0, NUM_STEPS, DT, FORCING)
    python = integrate_coarse(x0[None], FORCING, python_parameterisation, DT, NUM_STEPS)[:, 0]
    assert trajectory.shape == (NUM_STEPS + 1, 8)
    np.testing.assert_array_equal(trajectory[0], x0)
    difference = np.abs(trajectory - python).max()
    assert difference <= TOLERANCE, f"Fortran and Python differ by {difference} over {NUM_STEPS}"
    assert np.abs(trajectory[-1] - x0).max() > 0.1, "the state should have moved"
    assert 0 < seconds_per_step < 1


@needs_build_tools
def test_the_driver_reports_a_missing_package_in_its_own_words(driver: Path, tmp_path: Path):
    fake = tmp_path / "not_a_package.pt2"
    fake.write_text("nothing")
    with pytest.raises(RuntimeError, match="cannot load"):
        run_fortran_driver(driver, fake, np.ones(8), 2, DT, FORCING)


@pytest.mark.parametrize(
    ("state", "steps", "dt", "message"),
    [
        (np.ones((2, 8)), 2, DT, "one finite vector"),
        (np.array([1.0, np.nan, 1.0, 1.0]), 2, DT, "one finite vector"),
        (np.ones(8), 0, DT, "num_steps"),
        (np.ones(8), 2, -0.1, "dt"),
    ],
)
def test_bad_input_is_refused_by_name(tmp_path: Path, state, steps, dt, message) -> None:
    executable, package_file = tmp_path / "driver", tmp_path / "net.pt2"
    executable.write_text("")
    package_file.write_text("")
    with pytest.raises(ValueError, match=message):
        run_fortran_driver(executable, package_file, state, steps, dt, FORCING)


def test_a_missing_executable_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="executable"):
        run_fortran_driver(tmp_path / "nothing", tmp_path / "net.pt2", np.ones(8), 2, DT, 20.0)


def test_missing_gfortran_is_named_with_what_to_install(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FC", "no-such-fortran-compiler")
    assert "gfortran" in missing_build_tools()
    with pytest.raises(RuntimeError, match="apt-get install g\\+\\+ gfortran cmake"):
        build_fortran_driver(tmp_path)


def test_a_folder_without_cmakelists_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"CMakeLists\.txt"):
        build_fortran_driver(tmp_path / "build", source_dir=tmp_path)
    assert fortran_driver.SOURCE_DIR.joinpath("CMakeLists.txt").is_file()
