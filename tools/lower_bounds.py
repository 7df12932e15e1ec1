"""Write the oldest versions the course supports, as pip constraints, from ``pyproject.toml``.

Every runtime dependency in ``pyproject.toml`` has a lower bound (``numpy>=1.26``); this
tool turns each into an exact pin (``numpy==1.26``), so that ``make test-oldest`` can
build an environment from the lower bounds and run the whole test suite in it. A lower
bound is a promise: it should be a version that has run the suite. Run it as::

    python -m tools.lower_bounds > constraints.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def lower_bound_pins(pyproject: Path = PYPROJECT) -> list[str]:
    """Return one ``name==version`` line per runtime dependency, from its ``>=`` bound.

    Raises
    ------
    ValueError
        If a runtime dependency has no ``>=`` lower bound, or has an upper bound (the
        course promises lower bounds only), naming the dependency.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        operators = {specifier.operator: specifier.version for specifier in requirement.specifier}
        if set(operators) != {">="}:
            raise ValueError(
                f"{line!r} in {pyproject.name} should have exactly one lower bound (>=), "
                f"got {str(requirement.specifier) or 'none'}."
            )
        pins.append(f"{requirement.name}=={operators['>=']}")
    return pins


def main() -> int:
    """Print the pins, one per line."""
    print("\n".join(lower_bound_pins()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
