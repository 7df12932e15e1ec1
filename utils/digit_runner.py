"""Build and run ``cpp/digit_runner``, the course's C++ program that runs a compiled model.

The program (``cpp/digit_runner/main.cpp``) loads an AOTInductor package (``.pt2``),
reads images from a ``.npy`` file, and writes the model's scores to another. This
module builds it with CMake against the PyTorch installed in this Python
environment, and runs it::

    from utils.digit_runner import build_digit_runner, run_digit_runner

    executable = build_digit_runner("build/digit_runner")
    output = run_digit_runner(executable, "digits.pt2", "images.npy", "scores.npy")

Building needs CMake and a C++ compiler; :func:`missing_build_tools` says which
are missing and :data:`INSTALL_HINT` how to install them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import torch.utils

SOURCE_DIR = Path(__file__).resolve().parent.parent / "cpp" / "digit_runner"
EXECUTABLE_NAME = "digit_runner"
COMPILERS = ("c++", "g++", "clang++")
INSTALL_HINT = (
    "install CMake and a C++ compiler: on Debian or Ubuntu `sudo apt-get install g++ cmake`, "
    "on macOS `xcode-select --install` and `brew install cmake`, with conda "
    "`conda install -c conda-forge cxx-compiler cmake`."
)
TIMING_PATTERN = re.compile(r"median time, batch of (?P<batch>\d+): (?P<ms>[\d.e+-]+) ms")
# How much of a failed command's output an error shows.
OUTPUT_TAIL_CHARACTERS = 3000
MAX_REPEATS = 1_000_000  # the most timing runs the program accepts


def _as_path(name: str, value: object) -> Path:
    """Return ``value`` as a Path, or raise a TypeError naming the argument."""
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name} should be a str or a pathlib.Path, got {type(value).__name__}.")
    return Path(value)


def _existing_file(name: str, value: object, hint: str) -> Path:
    """Return ``value`` as the Path of an existing file, or raise an error naming it."""
    path = _as_path(name, value)
    if path.is_dir():
        raise IsADirectoryError(f"{name} {path} is a folder, not a file; {hint}")
    if not path.is_file():
        raise FileNotFoundError(f"{name} {path} does not exist; {hint}")
    return path


def missing_build_tools() -> list[str]:
    """Return the names of the build tools that are not installed: ``cmake``, ``a C++ compiler``.

    The compiler is the one named by the ``CXX`` environment variable if set, else
    any of ``c++``, ``g++`` or ``clang++``.
    """
    missing = [] if shutil.which("cmake") else ["cmake"]
    compilers = [os.environ["CXX"]] if os.environ.get("CXX") else list(COMPILERS)
    if not any(shutil.which(compiler) for compiler in compilers):
        missing.append("a C++ compiler")
    return missing


def run_command(command: list[str], what: str) -> str:
    """Run ``command``; return its output, or raise a RuntimeError with the end of it."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-OUTPUT_TAIL_CHARACTERS:]
        raise RuntimeError(f"{what} failed (exit status {result.returncode}):\n{output}")
    return result.stdout


def build_commands(build_dir: str | Path, source_dir: str | Path = SOURCE_DIR) -> list[list[str]]:
    """Return the two CMake commands that configure and build the program.

    Parameters
    ----------
    build_dir
        The folder for CMake's files and the executable (created if need be).
    source_dir
        The folder with ``CMakeLists.txt``.

    Returns
    -------
    list[list[str]]
        The configure command (Release mode, PyTorch found through
        ``torch.utils.cmake_prefix_path``) and the build command.

    Raises
    ------
    TypeError
        If a folder is not given as a str or a path.
    """
    build_dir, source_dir = _as_path("build_dir", build_dir), _as_path("source_dir", source_dir)
    return [
        [
            "cmake",
            "-S",
            str(source_dir),
            "-B",
            str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DCMAKE_PREFIX_PATH={torch.utils.cmake_prefix_path}",
        ],
        ["cmake", "--build", str(build_dir)],
    ]


def build_digit_runner(build_dir: str | Path, source_dir: str | Path = SOURCE_DIR) -> Path:
    """Configure and build the C++ program with CMake; return the executable's path.

    Parameters
    ----------
    build_dir
        The folder for CMake's files and the executable; use a temporary folder or
        ``build/`` (ignored by git). A second call reuses the first build.
    source_dir
        The folder with ``CMakeLists.txt`` (the course's ``cpp/digit_runner``).

    Returns
    -------
    Path
        The executable.

    Raises
    ------
    TypeError
        If a folder is not given as a str or a path.
    FileNotFoundError
        If ``source_dir`` has no ``CMakeLists.txt``.
    NotADirectoryError
        If ``build_dir`` is a file.
    RuntimeError
        If CMake or a C++ compiler is missing (the message says how to install
        them), or the build fails (the message shows the end of its output).
    """
    return build_with_cmake(
        build_dir,
        source_dir,
        EXECUTABLE_NAME,
        "the C++ program",
        missing_build_tools(),
        INSTALL_HINT,
    )


def build_with_cmake(
    build_dir: str | Path,
    source_dir: str | Path,
    executable_name: str,
    program: str,
    missing: list[str],
    install_hint: str,
) -> Path:
    """Configure and build ``program`` in ``source_dir`` with CMake; return its executable.

    Shared by the course's compiled programs (this one, and notebook 06's Fortran driver):
    ``missing`` lists the build tools that are not installed, ``install_hint`` says how to
    install them. Raises as :func:`build_digit_runner` does.
    """
    build_dir = _as_path("build_dir", build_dir)
    _existing_file(
        "source_dir's CMakeLists.txt",
        _as_path("source_dir", source_dir) / "CMakeLists.txt",
        "source_dir should be the program's folder.",
    )
    if build_dir.exists() and not build_dir.is_dir():
        raise NotADirectoryError(f"build_dir {build_dir} is a file; give a folder for the build.")
    if missing:
        raise RuntimeError(f"Cannot build {program}: no {' and no '.join(missing)}; {install_hint}")
    configure, build = build_commands(build_dir, source_dir)
    run_command(configure, f"Configuring {program} (cmake -S ... -B ...)")
    run_command(build, f"Building {program} (cmake --build ...)")
    return build_dir / executable_name


def run_digit_runner(
    executable: str | Path,
    package_path: str | Path,
    images_path: str | Path,
    scores_path: str | Path,
    repeats: int = 0,
) -> str:
    """Run the C++ program on a file of images; return what it printed.

    Parameters
    ----------
    executable
        The program, as returned by :func:`build_digit_runner`.
    package_path
        The AOTInductor package (``.pt2``).
    images_path
        A ``.npy`` file of float32 images, shape (N, 1, 28, 28).
    scores_path
        Where the program writes the scores, a ``.npy`` file of shape (N, 10).
    repeats
        If positive, the program also times this many runs on one image and on the
        whole batch and prints the median times (see :func:`parse_timings`).

    Returns
    -------
    str
        The program's output: one line per image with its predicted digit, then
        the timings if asked for.

    Raises
    ------
    TypeError
        If a path is not a str or a path, or ``repeats`` is not an int.
    ValueError
        If ``repeats`` is negative or above ``MAX_REPEATS``.
    FileNotFoundError, IsADirectoryError, PermissionError
        If the executable, the package or the images are not files (or the
        executable cannot be run), or the folder for the scores is missing.
    RuntimeError
        If the program fails; the message is the program's own (it names the
        problem with the files, e.g. a wrong dtype or shape).
    """
    executable = _existing_file("executable", executable, "build it with build_digit_runner().")
    if not os.access(executable, os.X_OK):
        raise PermissionError(f"executable {executable} is not a program you can run.")
    package_path = _existing_file(
        "package_path", package_path, "write it with torch._inductor.aoti_compile_and_package."
    )
    images_path = _existing_file("images_path", images_path, "write it with np.save.")
    scores_path = _as_path("scores_path", scores_path)
    if scores_path.is_dir():
        raise IsADirectoryError(f"scores_path {scores_path} is a folder; give a .npy file name.")
    if not scores_path.parent.is_dir():
        raise FileNotFoundError(
            f"scores_path {scores_path} is in a folder that does not exist: {scores_path.parent}."
        )
    if isinstance(repeats, bool) or not isinstance(repeats, int):
        raise TypeError(f"repeats should be an int, got {type(repeats).__name__} ({repeats!r}).")
    if not 0 <= repeats <= MAX_REPEATS:
        raise ValueError(f"repeats should be between 0 and {MAX_REPEATS:,}, got {repeats}.")
    command = [str(executable), str(package_path), str(images_path), str(scores_path)]
    if repeats > 0:
        command.append(str(repeats))
    return run_command(command, "The C++ program")


def parse_timings(output: str) -> dict[int, float]:
    """Return the median times the program printed, in seconds, by batch size.

    Raises
    ------
    TypeError
        If ``output`` is not a str (the text :func:`run_digit_runner` returns).
    """
    if not isinstance(output, str):
        hint = "; decode bytes first, output.decode()" if isinstance(output, bytes) else ""
        raise TypeError(
            f"output should be the program's text, a str, got {type(output).__name__}{hint}."
        )
    return {
        int(match["batch"]): float(match["ms"]) / 1000 for match in TIMING_PATTERN.finditer(output)
    }
