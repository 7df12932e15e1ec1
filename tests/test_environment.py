"""environment.yml (conda) must stay in step with pyproject.toml (pip), and serve learners."""

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from the PyPI names.
CONDA_NAMES = {"torch": "pytorch"}


def pyproject_dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    return {requirement.name: requirement for requirement in requirements}


def environment_dependencies() -> dict[str, Requirement]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    specs = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            specs.extend(spec for spec in entry["pip"] if not spec.startswith("-e"))
        else:
            specs.append(entry)
    requirements = [Requirement(spec) for spec in specs]
    return {requirement.name: requirement for requirement in requirements}


def test_environment_uses_conda_forge_and_installs_the_course_without_test_tools():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert environment["channels"] == ["conda-forge"]
    pip_section = next(
        entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict)
    )
    assert "-e ." in pip_section
    assert not any("[test]" in spec for spec in pip_section), "learners need no test tools"


def test_every_runtime_dependency_is_in_both_with_the_same_lower_bound():
    in_environment = environment_dependencies()
    for name, requirement in pyproject_dependencies().items():
        conda_name = CONDA_NAMES.get(name, name)
        assert conda_name in in_environment, f"{name} is missing from environment.yml"
        assert in_environment[conda_name].specifier == requirement.specifier, (
            f"{name}: pyproject.toml asks {requirement.specifier}, "
            f"environment.yml asks {in_environment[conda_name].specifier}"
        )


def test_environment_has_nothing_that_pyproject_lacks():
    expected = {CONDA_NAMES.get(name, name) for name in pyproject_dependencies()} | {
        "python",
        "pip",
    }
    assert set(environment_dependencies()) == expected


def test_python_lower_bound_matches():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python = environment_dependencies()["python"]
    assert str(python.specifier) == project["requires-python"]


def test_torch_and_torchvision_have_lower_bounds_only():
    # Pinning an exact torch breaks installs where that build is not on offer.
    for name in ("torch", "torchvision"):
        specifier = pyproject_dependencies()[name].specifier
        assert all(spec.operator == ">=" for spec in specifier), f"{name}: {specifier}"
