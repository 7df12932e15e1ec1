"""Check that this computer is ready for the course: ``python -m utils.check_env``.

Run it before a workshop. It prints one line per item (Python, key packages,
the device PyTorch will use, the course data, the Jupyter widgets extension),
with a one-line fix for each problem, and exits with status 1 when the course
cannot run (0 otherwise).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MINIMUM_PYTHON = (3, 10)
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
INSTALL_FIX = "from the course folder, run: pip install -e .  (or: make lab)"
CHECK_AGAIN = "the lines marked ✗ above first, then run this check again"
CPU_BUILD_FIX = (
    "no NVIDIA GPU on this computer? Delete .venv and follow the README's section "
    '"A laptop without an NVIDIA GPU? Install the small CPU build of PyTorch first"'
)

# Import name -> distribution name, for every package the notebooks import.
REQUIRED_PACKAGES = {
    "torch": "torch",
    "torchvision": "torchvision",
    "numpy": "numpy",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
    "palmerpenguins": "palmerpenguins",
    "ipywidgets": "ipywidgets",
    "jupyterlab": "jupyterlab",
    "tqdm": "tqdm",
}


@dataclass(frozen=True)
class Finding:
    """The result of one check: what was found, and how to fix it if it is a problem."""

    ok: bool
    description: str
    fix: str | None = None
    fatal: bool = True

    def render(self) -> str:
        """One line for the report (two when there is a fix)."""
        mark = "✓" if self.ok else ("✗" if self.fatal else "!")
        line = f"  {mark} {self.description}"
        if self.fix:
            line += f"\n      fix: {self.fix}"
        return line


def check_python() -> list[Finding]:
    """Check the Python version."""
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MINIMUM_PYTHON:
        needed = ".".join(map(str, MINIMUM_PYTHON))
        return [Finding(False, f"Python {version} is too old", f"install Python {needed} or newer")]
    return [Finding(True, f"Python {version} ({sys.executable})")]


def check_packages() -> list[Finding]:
    """Check that every package the notebooks import is installed and imports."""
    findings = []
    for module_name, distribution in REQUIRED_PACKAGES.items():
        try:
            importlib.import_module(module_name)
            version = importlib.metadata.version(distribution)
        except Exception as error:  # an import can fail in many ways; report each the same
            findings.append(
                Finding(False, f"{module_name} cannot be imported ({error})", INSTALL_FIX)
            )
        else:
            findings.append(Finding(True, f"{module_name} {version}"))
    return findings


def check_torchvision_operators() -> list[Finding]:
    """Check that torchvision's compiled operators match the installed torch."""
    try:
        import torch
        import torchvision

        torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
    except Exception as error:
        return [
            Finding(
                False,
                f"torchvision does not work with this torch ({error})",
                "install matching releases, e.g.: pip install --upgrade torch torchvision",
            )
        ]
    return [Finding(True, "torchvision's operators work with this torch")]


def check_device() -> list[Finding]:
    """Report the device the notebooks will use (never a problem: the CPU is fine)."""
    try:
        from utils.devices import pick_device

        device = pick_device(verbose=False)
    except Exception as error:
        return [Finding(False, f"cannot choose a device ({error})", INSTALL_FIX)]
    return [Finding(True, f"device: {device}")]


def check_torch_build() -> list[Finding]:
    """Point out a CUDA build of PyTorch on a Linux computer where CUDA cannot be used.

    On Linux, ``pip install torch`` brings the CUDA libraries along (gigabytes); without a
    usable NVIDIA GPU they are never used, and the README's CPU-only route is far smaller.
    Not a problem for the course, so the finding is a warning.
    """
    try:
        import torch

        cuda_build = torch.version.cuda
        cuda_works = torch.cuda.is_available()
    except Exception as error:
        return [Finding(False, f"PyTorch's build not checked ({error})", CHECK_AGAIN, fatal=False)]
    if not sys.platform.startswith("linux") or cuda_build is None:
        return [Finding(True, f"PyTorch build: {'CUDA ' + cuda_build if cuda_build else 'CPU'}")]
    if cuda_works:
        return [Finding(True, f"PyTorch build: CUDA {cuda_build}, with an NVIDIA GPU to use it")]
    size = cuda_libraries_size()
    return [
        Finding(
            False,
            f"PyTorch is the CUDA {cuda_build} build, but finds no NVIDIA GPU to use: its "
            f"CUDA libraries{f' ({size / 1e9:.1f} GB)' if size else ''} lie unused",
            CPU_BUILD_FIX,
            fatal=False,
        )
    ]


def cuda_libraries_size() -> int:
    """Return the bytes taken by the NVIDIA CUDA packages pip installed (``nvidia/``), or 0."""
    try:
        spec = importlib.util.find_spec("nvidia")
    except (ImportError, ValueError):
        return 0
    folders = list(spec.submodule_search_locations or []) if spec else []
    return sum(
        path.stat().st_size
        for folder in folders
        for path in Path(folder).rglob("*")
        if path.is_file()
    )


def check_penguin_data() -> list[Finding]:
    """Check that the Palmer penguins table loads offline, from the installed package."""
    try:
        from palmerpenguins import load_penguins

        rows = len(load_penguins())
    except Exception as error:
        return [Finding(False, f"penguin data cannot be loaded ({error})", INSTALL_FIX)]
    return [Finding(True, f"penguin data: {rows} rows, available offline")]


def check_mnist_sample() -> list[Finding]:
    """Check that the bundled MNIST sample is present and intact, so notebook 03 runs offline."""
    try:
        from utils.mnist import read_sample
    except Exception as error:  # utils.mnist needs torch: its own line says what to install
        return [
            Finding(
                False,
                f"MNIST sample not checked: utils.mnist cannot be imported ({error})",
                CHECK_AGAIN,
                fatal=False,
            )
        ]
    try:
        images, _ = read_sample()
    except Exception as error:
        fix = "restore data/mnist_sample.npz from git, or: python data/build_mnist_sample.py"
        return [Finding(False, f"MNIST sample cannot be loaded ({error})", fix)]
    return [Finding(True, f"MNIST sample: {len(images):,} digits, available offline")]


def check_widgets_extension() -> list[Finding]:
    """Check that JupyterLab has the ipywidgets extension, for the interactive explorers."""
    command = [sys.executable, "-m", "jupyter", "labextension", "list"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        output = result.stdout + result.stderr
    except (OSError, subprocess.TimeoutExpired) as error:
        output = str(error)
    widget_lines = [line for line in output.splitlines() if WIDGETS_EXTENSION in line]
    if any("enabled" in line for line in widget_lines):
        return [Finding(True, "JupyterLab widgets extension is installed and enabled")]
    return [
        Finding(
            False,
            "JupyterLab widgets extension not found: interactive sliders will not show",
            "pip install ipywidgets jupyterlab_widgets, then restart JupyterLab",
            fatal=False,
        )
    ]


CHECKS: list[Callable[[], list[Finding]]] = [
    check_python,
    check_packages,
    check_torchvision_operators,
    check_device,
    check_torch_build,
    check_penguin_data,
    check_mnist_sample,
    check_widgets_extension,
]


def main() -> int:
    """Run every check, print the report, and return the exit status."""
    print("Practical ML with PyTorch: checking this computer")
    findings = [finding for check in CHECKS for finding in check()]
    for finding in findings:
        print(finding.render())
    fatal = [finding for finding in findings if not finding.ok and finding.fatal]
    warnings = [finding for finding in findings if not finding.ok and not finding.fatal]
    if fatal:
        print(f"{len(fatal)} problem(s) stop the course from running: fix the lines marked ✗.")
        return 1
    if warnings:
        print("The course will run; the lines marked ! are worth fixing.")
    else:
        print("All good: the course is ready to run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
