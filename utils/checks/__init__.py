"""Self-checks for the exercises: generic building blocks, and one module per notebook.

Use them after each task, for example::

    from utils.checks import straight_line as check
    check.gradients(gradients)
"""

from utils.checks._core import (
    CheckFailed,
    as_float,
    call_learner_function,
    check_array,
    check_tensor,
    fail,
    find_factor,
    passed,
    require_answer,
)

__all__ = [
    "CheckFailed",
    "as_float",
    "call_learner_function",
    "check_array",
    "check_tensor",
    "fail",
    "find_factor",
    "passed",
    "require_answer",
]
