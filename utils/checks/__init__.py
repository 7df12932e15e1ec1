"""Self-checks for the exercises: one shared engine, and one module per notebook.

- ``utils.checks.engine``: the probe engine that runs a learner's ``train_one_epoch`` or
  ``evaluate`` on a tiny problem, records every step and names the slip;
- ``utils.checks.straight_line_sgd``, ``utils.checks.penguin_classification``,
  ``utils.checks.penguin_regression``, ``utils.checks.mnist_classification``,
  ``utils.checks.ellipse_regression``, ``utils.checks.deploying_models``,
  ``utils.checks.learning_a_parameterisation``,
  ``utils.checks.training_on_many_processes``: each notebook's checks, named after it.

The building blocks (:class:`CheckFailed`, ``fail``, ``require_answer``, ...) live in
``utils.checks._core``. Use the checks after each task, for example::

    from utils.checks.straight_line_sgd import check_gradients

    check_gradients(gradients)

A passing check prints a line starting with ✓; a failing one raises :class:`CheckFailed`,
shown in Jupyter as two lines (what is wrong, and a hint). Importing this package also makes
IPython show the errors PyTorch raises at a typical slip the same way
(:func:`show_known_errors_briefly`); any other error keeps its usual traceback.
"""

from utils.checks._core import CheckFailed, show_known_errors_briefly

show_known_errors_briefly()

__all__ = ["CheckFailed", "show_known_errors_briefly"]
