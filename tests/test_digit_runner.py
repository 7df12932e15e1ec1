"""Build the C++ program with CMake, run it on a compiled model, and compare with Python.

These tests need CMake and a C++ compiler; without them they skip and say what to
install (continuous integration installs both, see .ci/run). Building and
compiling a small model take about half a minute on a laptop CPU.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from utils.checks.deploying_models import check_aoti_package
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
    runner: Path, package: Path, tmp_path: Path, array: np.ndarray, message: str
) -> None:
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(RuntimeError, match=message):
        run_digit_runner(runner, package, tmp_path / "bad.npy", tmp_path / "s.npy")


@needs_build_tools
def test_runner_names_a_file_that_is_not_npy(runner: Path, package: Path, tmp_path: Path) -> None:
    (tmp_path / "images.npy").write_text("1 2 3")
    with pytest.raises(RuntimeError, match=r"not a \.npy file"):
        run_digit_runner(runner, package, tmp_path / "images.npy", tmp_path / "s.npy")


@needs_build_tools
def test_runner_refuses_a_file_without_images(runner: Path, package: Path, tmp_path: Path) -> None:
    np.save(tmp_path / "none.npy", np.zeros((0, 1, 28, 28), dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"none\.npy holds no images \(shape \(0, 1, 28, 28\)\)"):
        run_digit_runner(runner, package, tmp_path / "none.npy", tmp_path / "s.npy")


def run_directly(runner: Path, *arguments: object) -> subprocess.CompletedProcess[str]:
    """Run the program without the Python helper, as the README shows."""
    return subprocess.run(
        [str(runner), *map(str, arguments)], capture_output=True, text=True, check=False
    )


@needs_build_tools
def test_program_run_directly_names_a_missing_package(
    runner: Path, images: tuple[torch.Tensor, Path], tmp_path: Path
) -> None:
    result = run_directly(runner, tmp_path / "missing.pt2", images[1], tmp_path / "s.npy")
    assert result.returncode == 1
    assert "cannot open" in result.stderr
    assert "missing.pt2" in result.stderr


@needs_build_tools
@pytest.mark.parametrize("repeats", ["many", "-3", "5x", ""])
def test_program_run_directly_refuses_bad_repeats_by_name(
    runner: Path, package: Path, images: tuple[torch.Tensor, Path], tmp_path: Path, repeats: str
) -> None:
    result = run_directly(runner, package, images[1], tmp_path / "s.npy", repeats)
    assert result.returncode == 1
    assert f"REPEATS should be a whole number from 0 to 1000000, got '{repeats}'" in result.stderr


# --- The Python helpers name a bad argument before anything runs ---------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Stand-ins for the program, the package and the images: checked before they are used."""
    paths = {name: tmp_path / name for name in ("digit_runner", "model.pt2", "images.npy")}
    for path in paths.values():
        path.write_bytes(b"")
    paths["digit_runner"].chmod(0o755)
    return paths


def call_runner(files: dict[str, Path], **changes: object) -> str:
    arguments: dict[str, object] = {
        "executable": files["digit_runner"],
        "package_path": files["model.pt2"],
        "images_path": files["images.npy"],
        "scores_path": files["images.npy"].with_name("scores.npy"),
        **changes,
    }
    return run_digit_runner(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"executable": "no/such/runner"},
            FileNotFoundError,
            r"executable no/such/runner does not exist; build it",
        ),
        (
            {"package_path": "missing.pt2"},
            FileNotFoundError,
            r"package_path missing\.pt2 does not exist; write it with torch\._inductor",
        ),
        (
            {"images_path": 42},
            TypeError,
            r"images_path should be a str or a pathlib\.Path, got int",
        ),
        (
            {"scores_path": "no/folder/s.npy"},
            FileNotFoundError,
            r"scores_path .* folder that does not exist: no/folder",
        ),
        ({"repeats": -1}, ValueError, r"repeats should be between 0 and 1,000,000, got -1"),
        ({"repeats": 2.5}, TypeError, r"repeats should be an int, got float \(2\.5\)"),
        ({"repeats": True}, TypeError, r"repeats should be an int, got bool"),
    ],
    ids=["executable", "package", "images type", "scores folder", "negative", "float", "bool"],
)
def test_run_names_a_bad_argument(
    files: dict[str, Path], changes: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call_runner(files, **changes)


def test_run_refuses_a_folder_as_the_images(files: dict[str, Path]) -> None:
    with pytest.raises(IsADirectoryError, match=r"images_path .* is a folder, not a file"):
        call_runner(files, images_path=files["images.npy"].parent)


def test_run_refuses_a_folder_as_the_scores(files: dict[str, Path]) -> None:
    with pytest.raises(IsADirectoryError, match=r"scores_path .* is a folder; give a \.npy"):
        call_runner(files, scores_path=files["images.npy"].parent)


def test_run_refuses_an_executable_that_cannot_run(files: dict[str, Path]) -> None:
    files["digit_runner"].chmod(0o644)
    with pytest.raises(PermissionError, match="is not a program you can run"):
        call_runner(files)


def test_build_names_a_source_folder_without_cmakelists(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"CMakeLists\.txt .* does not exist; source_dir"):
        build_digit_runner(tmp_path / "build", source_dir=tmp_path)


def test_build_refuses_a_file_as_the_build_folder(tmp_path: Path) -> None:
    (tmp_path / "build").write_text("")
    with pytest.raises(NotADirectoryError, match=r"build_dir .*build is a file"):
        build_digit_runner(tmp_path / "build")


def test_build_commands_refuse_a_folder_that_is_not_a_path() -> None:
    with pytest.raises(
        TypeError, match=r"build_dir should be a str or a pathlib\.Path, got NoneType"
    ):
        build_commands(None)  # type: ignore[arg-type]


def test_parse_timings_refuses_bytes_with_a_hint() -> None:
    with pytest.raises(TypeError, match=r"got bytes; decode bytes first, output\.decode\(\)"):
        parse_timings(b"median time, batch of 1: 0.25 ms")  # type: ignore[arg-type]
