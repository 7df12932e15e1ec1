"""tools.lower_bounds turns the runtime lower bounds into exact pins for make test-oldest."""

import pytest

from tools.lower_bounds import lower_bound_pins


def test_every_runtime_dependency_is_pinned_at_its_lower_bound():
    pins = lower_bound_pins()
    assert "torch==2.9.1" in pins
    assert all(pin.count("==") == 1 for pin in pins)


@pytest.mark.parametrize(
    ("line", "message"),
    [('"numpy"', "numpy.*got none"), ('"numpy>=1.26,<3"', "numpy.*<3")],
)
def test_a_dependency_without_a_single_lower_bound_is_refused(tmp_path, line, message):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[project]\ndependencies = [{line}]\n")
    with pytest.raises(ValueError, match=message):
        lower_bound_pins(pyproject)
