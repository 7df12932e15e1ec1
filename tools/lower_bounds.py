"""Write the oldest versions the course supports, as pip constraints, from ``pyproject.toml``.

Every runtime dependency in ``pyproject.toml`` has a lower bound (``numpy>=1.26``); this
tool turns each into an exact pin (``numpy==1.26``), so that ``make test-oldest`` can
build an environment from the lower bounds and run the whole test suite in it. A lower
bound is a promise: it should be a version that has run the suite. Run it as::

    python -m tools.lower_bounds > constraints.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from packaging.requirements import InvalidRequirement, Requirement

from tools.command_line import ToolError, existing_file, run

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def lower_bound_pins(pyproject: Path = PYPROJECT) -> list[str]:
    """Return one ``name==version`` line per runtime dependency, from its ``>=`` bound.

    Raises
    ------
    ToolError
        If ``pyproject`` is missing, not TOML, or without ``[project] dependencies``, or
        if a runtime dependency is malformed, has no ``>=`` lower bound, or has an upper
        bound (the course promises lower bounds only), naming the dependency.
    """
    text = existing_file(pyproject, "pyproject.toml").read_text(encoding="utf-8")
    try:
        lines = tomllib.loads(text)["project"]["dependencies"]
    except tomllib.TOMLDecodeError as error:
        raise ToolError(f"{pyproject}: not valid TOML ({error})") from None
    except KeyError:
        raise ToolError(f"{pyproject}: has no [project] dependencies") from None
    pins = []
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ToolError(f"{pyproject}: {line!r} is not a requirement ({error})") from None
        operators = {specifier.operator: specifier.version for specifier in requirement.specifier}
        if set(operators) != {">="}:
            raise ToolError(
                f"{line!r} in {pyproject.name} should have exactly one lower bound (>=), "
                f"got {str(requirement.specifier) or 'none'}."
            )
        pins.append(f"{requirement.name}=={operators['>=']}")
    return pins


def main(argv: list[str] | None = None) -> int:
    """Print the pins, one per line; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.lower_bounds", description=__doc__)
    parser.parse_args(argv)  # no arguments: it reads the course's pyproject.toml
    print("\n".join(lower_bound_pins()))
    return 0


if __name__ == "__main__":
    run(main)
