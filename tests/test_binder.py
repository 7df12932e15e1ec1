"""Binder (repo2docker) gets a configuration it can build: read statically, nothing is built.

repo2docker installs ``environment.yml`` before the repository is in the image, so a
``-e .`` there fails, and it ignores a minimum Python version (repo2docker issue 1265).
``.binder/`` therefore holds an environment with an exact Python and no local paths, and
a ``postBuild`` that installs the course; the top-level ``environment.yml`` stays for conda
learners.
"""

import os
import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / ".binder"
CONDA_NAMES = {"torch": "pytorch"}  # conda-forge names that differ from PyPI's
LOCAL_PATH = re.compile(r"(^|\s)(-e|--editable)\b|(^|[\s=])\.{1,2}(/|\[|$)|file:|^/")


def binder_environment() -> dict:
    return yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))


def specs(environment: dict) -> tuple[list[str], list[str]]:
    """Return the conda and the pip specifications of an environment file."""
    conda = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip = [
        spec
        for entry in environment["dependencies"]
        if isinstance(entry, dict)
        for spec in entry["pip"]
    ]
    return conda, pip


def test_binder_pins_python_exactly_within_the_supported_versions():
    conda, _ = specs(binder_environment())
    pythons = [spec for spec in conda if re.match(r"python\b", spec)]
    assert len(pythons) == 1, f"one python entry expected, got {pythons}"
    match = re.fullmatch(r"python=(3\.\d+)(\.\d+)?", pythons[0])
    assert match, f"repo2docker needs an exact 'python=3.X', got {pythons[0]!r}"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    supported = SpecifierSet(requires["requires-python"])
    assert match.group(1) + ".0" in supported, f"{pythons[0]} is outside {supported}"


def test_binder_environment_names_no_local_path():
    conda, pip = specs(binder_environment())
    local = [spec for spec in conda + pip if LOCAL_PATH.search(spec)]
    assert not local, f"repo2docker installs this before the repository is there: {local}"


def test_binder_environment_has_every_runtime_dependency():
    conda, pip = specs(binder_environment())
    names = {
        Requirement(spec.replace("=", "==", 1) if re.match(r"[\w-]+=\d", spec) else spec).name
        for spec in conda + pip
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    missing = [
        Requirement(line).name
        for line in project["dependencies"]
        if CONDA_NAMES.get(Requirement(line).name, Requirement(line).name) not in names
    ]
    assert not missing, f".binder/environment.yml lacks {missing}"


def test_binder_environment_has_the_same_lower_bounds_as_pyproject():
    conda, pip = specs(binder_environment())
    in_binder = {
        Requirement(spec).name: Requirement(spec).specifier
        for spec in conda + pip
        if not re.match(r"[\w-]+=\d", spec)  # skip the exact "python=3.11"
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = CONDA_NAMES.get(requirement.name, requirement.name)
        assert in_binder.get(name) == requirement.specifier, (
            f"{name}: pyproject.toml asks {requirement.specifier}, "
            f".binder/environment.yml asks {in_binder.get(name)}"
        )


def test_post_build_installs_the_course_and_stops_on_errors():
    post_build = BINDER / "postBuild"
    text = post_build.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash"), "postBuild needs a shebang"
    assert "set -euo pipefail" in text, "a failed install must fail the Binder build"
    commands = [line.split("#")[0].strip() for line in text.splitlines()[1:]]
    assert any(
        re.fullmatch(r"python -m pip install (--no-deps )?-e \.", line) for line in commands
    ), "postBuild should pip-install the repository (python -m pip install --no-deps -e .)"
    assert os.access(post_build, os.X_OK), (
        "postBuild must be executable (git update-index --chmod=+x)"
    )


def test_conda_learners_keep_the_top_level_environment():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    _, pip = specs(environment)
    assert any(spec.startswith("-e") for spec in pip), "environment.yml should install the course"


def test_local_path_pattern_catches_what_repo2docker_cannot_install():
    for spec in ("-e .", '-e ".[test]"', ".", "./", "file:///repo", "/abs/path", "--editable ."):
        assert LOCAL_PATH.search(spec), spec
    for spec in ("palmerpenguins>=0.1.4", "python=3.11", "pytorch>=2.2"):
        assert not LOCAL_PATH.search(spec), spec
