"""Predict, then run: put a learner's written prediction beside what the run shows.

A notebook asks for a prediction in a cell tagged ``prediction``, before the cell that
reveals the answer::

    my_prediction = "smaller"  # "larger" or "smaller"

and the revealing cell ends with::

    compare_with_prediction(my_prediction, answer, what="the loss after 50 steps",
                            choices=("larger", "smaller"))

A prediction left as ``...`` (the exercise's blank) is not an error: the answer is shown
anyway, with a nudge to guess first next time. Being wrong is not an error either; the point
is the surprise, and the notebook's next paragraph explains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

NOT_YET = "(no prediction written: next time, guess before you run; the guess is the lesson)"


def _format(value: object, unit: str) -> str:
    if isinstance(value, Real) and not isinstance(value, bool):
        if float(value).is_integer() or abs(value) >= 1000:
            number = f"{value:,.0f}"  # 2,320 rather than 2.32e+03
        else:
            number = f"{value:.3g}"
        return f"{number}{' ' + unit if unit else ''}"
    return repr(value)


def compare_with_prediction(
    prediction: object,
    answer: object,
    *,
    what: str,
    unit: str = "",
    choices: Sequence[str] | None = None,
) -> None:
    """Print the learner's prediction beside the answer, and whether it was right.

    Parameters
    ----------
    prediction
        What the learner wrote: a number, one of ``choices``, or ``...`` for none yet.
    answer
        What the run shows.
    what
        What was predicted, e.g. ``"the validation loss after 20 epochs"``.
    unit
        The unit of a numeric prediction, printed after both numbers.
    choices
        The valid answers for a choice; ``None`` for a numeric prediction.

    A choice is right when it matches; a number when it is within a factor of 2 of the
    answer (the right order of magnitude and then some). Nothing is returned, so that the
    call can end a cell without an ``Out`` line.

    Raises
    ------
    ValueError
        If ``prediction`` is not one of ``choices``, or ``answer`` is not.
    TypeError
        If a numeric prediction is not a number.
    """
    if choices is not None:
        valid = ", ".join(repr(choice) for choice in choices)
        if answer not in choices:
            raise ValueError(f"answer {answer!r} is not one of the choices {valid}")
        if prediction is not Ellipsis and prediction not in choices:
            raise ValueError(f"my_prediction should be one of {valid}, got {prediction!r}")
    elif prediction is not Ellipsis and (
        isinstance(prediction, bool) or not isinstance(prediction, Real)
    ):
        raise TypeError(
            f"my_prediction should be a number for {what}, got {type(prediction).__name__} "
            f"{prediction!r}"
        )
    shown = _format(answer, unit)
    if prediction is Ellipsis:
        print(f"{what}: {shown} {NOT_YET}")
        return
    print(f"{what}: you predicted {_format(prediction, unit)}; the run shows {shown}.")
    if choices is not None:
        right = prediction == answer
        print("Right." if right else "Not this time: the next cell explains why.")
        return
    if prediction == answer:
        ratio = 1.0
    else:
        ratio = abs(prediction) / abs(answer) if answer else float("inf")
    right = 0.5 <= ratio <= 2 and (prediction >= 0) == (answer >= 0)
    if prediction == answer:
        print("Exactly right.")
    else:
        print(
            "Within a factor of 2." if right else "Further off than a factor of 2: see why below."
        )
