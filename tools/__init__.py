"""Tools for instructors and contributors, run from the repository root as ``python -m tools.X``.

They are kept apart from ``utils`` (the package learners import) and need no PyTorch:

- ``tools.exercises``: generate ``exercises/`` from ``solutions/`` (``--check`` for drift);
- ``tools.hygiene``: exercises stored without outputs, solutions as one clean run;
- ``tools.links``: the Colab set-up cell and the README's Colab and Binder links, from the
  repository URL in ``pyproject.toml``;
- ``tools.site``: the course website (``make site``), with ``tools.site_hooks`` and
  ``tools.maths``; ``tools.slides`` and ``tools.figures``: the lecture deck;
- ``tools.references``: the slides and the guide name only what exists;
- ``tools.results``: every figure quoted in prose agrees with the run that recorded it, and
  the guide's table of expected results;
- ``tools.lower_bounds``: the oldest supported versions, for ``make test-oldest``.
- ``tools.thread_contention``: how PyTorch's threads share one server (for a JupyterHub);
  it runs PyTorch only in the child processes it starts.

Each stops on input it cannot use (a missing path, a folder for a file, a corrupt
notebook) with one line naming it and exit status 2 (``tools.command_line``).
"""
