"""Build and run ``fortran/l96_driver``, a Fortran time-stepper that calls a compiled network.

The program (``fortran/l96_driver/main.f90``) steps the coarse Lorenz '96 model with RK4 and
gets the subgrid tendency from an AOTInductor package (``.pt2``) through ``iso_c_binding``
and three ``extern "C"`` functions (``l96_net.cpp``). This module builds it with CMake
against the PyTorch installed in this Python environment, and runs it::

    from utils.fortran_driver import build_fortran_driver, run_fortran_driver

    executable = build_fortran_driver("build/l96_driver")
    trajectory, seconds_per_step = run_fortran_driver(executable, "net.pt2", x0, 200, 0.005, 20.0)

Building needs CMake, a C++ compiler and gfortran; :func:`missing_build_tools` says which
are missing and :data:`INSTALL_HINT` how to install them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from utils.digit_runner import build_with_cmake, run_command
from utils.digit_runner import missing_build_tools as missing_cpp_tools

SOURCE_DIR = Path(__file__).resolve().parent.parent / "fortran" / "l96_driver"
EXECUTABLE_NAME = "l96_driver"
INSTALL_HINT = (
    "install CMake, a C++ compiler and gfortran: on Debian or Ubuntu "
    "`sudo apt-get install g++ gfortran cmake`, on macOS `xcode-select --install` and "
    "`brew install cmake gcc`, with conda `conda install -c conda-forge cxx-compiler "
    "fortran-compiler cmake`."
)
TIMING_PATTERN = re.compile(r"time per step:\s*(?P<us>[\d.eE+-]+) us")


def missing_build_tools() -> list[str]:
    """Return what is missing to build the driver: ``cmake``, ``a C++ compiler``, ``gfortran``.

    The Fortran compiler is the one named by the ``FC`` environment variable if set, else
    ``gfortran``.
    """
    fortran = os.environ.get("FC") or "gfortran"
    return missing_cpp_tools() + ([] if shutil.which(fortran) else ["gfortran"])


def build_fortran_driver(build_dir: str | Path, source_dir: str | Path = SOURCE_DIR) -> Path:
    """Configure and build the Fortran driver with CMake; return the executable's path.

    Parameters
    ----------
    build_dir
        The folder for CMake's files and the executable (a second call reuses the build).
    source_dir
        The folder with ``CMakeLists.txt`` (the course's ``fortran/l96_driver``).

    Returns
    -------
    Path
        The executable.

    Raises
    ------
    TypeError
        If a folder is not a str or a path.
    FileNotFoundError
        If ``source_dir`` has no ``CMakeLists.txt``.
    NotADirectoryError
        If ``build_dir`` is a file.
    RuntimeError
        If a tool is missing (the message says what to install) or the build fails (the
        message shows the end of its output).
    """
    return build_with_cmake(
        build_dir,
        source_dir,
        EXECUTABLE_NAME,
        "the Fortran driver",
        missing_build_tools(),
        INSTALL_HINT,
    )


def run_fortran_driver(
    executable: str | Path,
    package_path: str | Path,
    initial_state: np.ndarray,
    num_steps: int,
    dt: float,
    forcing: float,
) -> tuple[np.ndarray, float]:
    """Run the driver from one state; return its trajectory and its time per step.

    Parameters
    ----------
    executable
        The program, as returned by :func:`build_fortran_driver`.
    package_path
        The AOTInductor package of a network mapping X of shape (1, K) to U of shape (1, K).
    initial_state
        X at the start, shape (K,).
    num_steps, dt, forcing
        Steps to take, the time step and F.

    Returns
    -------
    tuple[np.ndarray, float]
        X after each step, the start included, shape (num_steps + 1, K), and the seconds per
        step the program measured (its loop only).

    Raises
    ------
    FileNotFoundError
        If the executable or the package is not a file.
    ValueError
        If the state is not one finite vector of at least 4 values, or a count or step is
        not positive.
    RuntimeError
        If the program fails (the message is its own).
    """
    for name, value in (("executable", executable), ("package_path", package_path)):
        if not isinstance(value, str | os.PathLike) or not Path(value).is_file():
            raise FileNotFoundError(f"{name} {value!r} is not a file.")
    state = np.asarray(initial_state, dtype=np.float64)
    if state.ndim != 1 or len(state) < 4 or not np.all(np.isfinite(state)):
        raise ValueError(
            f"initial_state should be one finite vector of K >= 4 values, got shape {state.shape}."
        )
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 1:
        raise ValueError(f"num_steps should be a positive int, got {num_steps!r}.")
    if not isinstance(dt, float | int) or not dt > 0:
        raise ValueError(f"dt should be a positive number, got {dt!r}.")
    with tempfile.TemporaryDirectory(prefix="l96_driver_") as folder:
        initial_path, output_path = Path(folder) / "initial.bin", Path(folder) / "out.bin"
        state.astype("<f8").tofile(initial_path)
        arguments = [len(state), num_steps, repr(float(dt)), repr(float(forcing))]
        command = [str(executable), str(package_path), str(initial_path)]
        command += [*map(str, arguments), str(output_path)]
        output = run_command(command, "The Fortran driver")
        trajectory = np.fromfile(output_path, dtype="<f8").reshape(num_steps + 1, len(state))
    match = TIMING_PATTERN.search(output)
    if match is None:
        raise RuntimeError(f"The Fortran driver printed no time per step:\n{output}")
    return trajectory, float(match["us"]) * 1e-6
