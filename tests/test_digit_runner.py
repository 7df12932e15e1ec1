"""Build the C++ program with CMake, run it on a compiled model, and compare with Python.

These tests need CMake and a C++ compiler; without them they skip and say what to
install (continuous integration installs both, see .ci/run). Building and
compiling a small model take about half a minute on a laptop CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from utils.checks.deployment import check_aoti_package
from utils.digit_runner import (
    INSTALL_HINT,
    build_commands,
    build_digit_runner,
    missing_build_tools,
    parse_timings,
    run_digit_runner,
)

MISSING = missing_build_tools()
needs_build_tools = pytest.mark.skipif(
    bool(MISSING), reason=f"no {' and no '.join(MISSING)}: {INSTALL_HINT}"
)


def tiny_model() -> nn.Module:
    """A model with the runner's input and output shapes that compiles quickly."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)).eval()


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_digit_runner(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = tiny_model()
    exported = torch.export.export(
        model, (torch.rand(4, 1, 28, 28),), dynamic_shapes=({0: torch.export.Dim("batch")},)
    )
    path = tmp_path_factory.mktemp("package") / "tiny.pt2"
    torch._inductor.aoti_compile_and_package(exported, package_path=str(path))
    return path


@pytest.fixture
def images(tmp_path: Path) -> tuple[torch.Tensor, Path]:
    batch = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    path = tmp_path / "images.npy"
    np.save(path, batch.numpy())
    return batch, path


def test_build_commands_point_cmake_at_the_installed_torch(tmp_path: Path) -> None:
    configure, build = build_commands(tmp_path)
    assert f"-DCMAKE_PREFIX_PATH={torch.utils.cmake_prefix_path}" in configure
    assert "-DCMAKE_BUILD_TYPE=Release" in configure
    assert build == ["cmake", "--build", str(tmp_path)]


def test_timings_are_parsed_in_seconds_by_batch_size() -> None:
    output = (
        "image 0: digit 3\nmedian time, batch of 1: 0.25 ms\nmedian time, batch of 256: 40 ms\n"
    )
    assert parse_timings(output) == {1: 0.00025, 256: 0.04}


def test_build_without_tools_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("utils.digit_runner.shutil.which", lambda name: None)
    monkeypatch.delenv("CXX", raising=False)
    with pytest.raises(RuntimeError, match=r"no cmake and no a C\+\+ compiler.*apt-get install"):
        build_digit_runner("unused")


@needs_build_tools
def test_runner_reproduces_python_scores(
    runner: Path, package: Path, images: tuple[torch.Tensor, Path], tmp_path: Path
) -> None:
    batch, images_path = images
    output = run_digit_runner(runner, package, images_path, tmp_path / "scores.npy")
    scores = torch.from_numpy(np.load(tmp_path / "scores.npy"))
    with torch.no_grad():
        expected = tiny_model()(batch)
    assert scores.shape == (6, 10)
    assert torch.allclose(scores, expected, atol=1e-5)
    digits = [int(line.rsplit(" ", 1)[1]) for line in output.splitlines()]
    assert digits == expected.argmax(dim=1).tolist()


@needs_build_tools
def test_runner_times_one_image_and_the_batch(
    runner: Path, package: Path, images: tuple[torch.Tensor, Path], tmp_path: Path
) -> None:
    _, images_path = images
    output = run_digit_runner(runner, package, images_path, tmp_path / "scores.npy", repeats=3)
    timings = parse_timings(output)
    assert sorted(timings) == [1, 6]
    assert all(seconds > 0 for seconds in timings.values())


@needs_build_tools
def test_package_passes_its_self_check(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_aoti_package(package, tiny_model())
    assert capsys.readouterr().out.startswith("✓")


@needs_build_tools
@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((2, 1, 28, 28), dtype=np.float64), r"holds '<f8' values.*float32"),
        (np.zeros((2, 28, 28), dtype=np.float32), r"shape \(2, 28, 28\).*\(N, 1, 28, 28\)"),
        (np.zeros((2, 784), dtype=np.float32), r"shape \(2, 784\)"),
    ],
    ids=["float64", "no channel axis", "flattened"],
)
def test_runner_refuses_wrong_input_with_a_hint(
    runner: Path, tmp_path: Path, array: np.ndarray, message: str
) -> None:
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(RuntimeError, match=message):
        run_digit_runner(runner, tmp_path / "unused.pt2", tmp_path / "bad.npy", tmp_path / "s.npy")


@needs_build_tools
def test_runner_names_a_missing_package(
    runner: Path, images: tuple[torch.Tensor, Path], tmp_path: Path
) -> None:
    _, images_path = images
    with pytest.raises(RuntimeError, match=r"cannot open .*missing\.pt2"):
        run_digit_runner(runner, tmp_path / "missing.pt2", images_path, tmp_path / "s.npy")


@needs_build_tools
def test_runner_names_a_file_that_is_not_npy(runner: Path, tmp_path: Path) -> None:
    (tmp_path / "images.npy").write_text("1 2 3")
    with pytest.raises(RuntimeError, match=r"not a \.npy file"):
        run_digit_runner(runner, tmp_path / "x.pt2", tmp_path / "images.npy", tmp_path / "s.npy")
