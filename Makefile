# For learners: `make lab` installs the course and opens it. For contributors: `make test`.
# Both create a virtual environment in .venv the first time; later runs reuse it (delete
# .venv to start afresh). `make lab` installs only what the notebooks need; `make test`
# adds the test tools (pytest, nbval, ruff, Playwright, MkDocs, ...).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Extra arguments for JupyterLab, e.g. make lab LAB_ARGS="--port 8890 --no-browser".
LAB_ARGS ?=
# Jupyter refuses to start as root unless told to; containers, WSL and cloud machines
# often run as root, so pass --allow-root there (and only there).
ifeq ($(shell id -u 2>/dev/null),0)
ROOT_ARGS := --allow-root
endif
# The oldest versions the course supports (make test-oldest).
OLDEST_PYTHON ?= python3.10
OLDEST_VENV ?= .venv-oldest

.PHONY: lab test install install-test install-docs test-oldest lint solutions exercises site slides clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $@ $(VENV)/.installed

# The website's tools only (make site): MkDocs, its Material theme and the maths typesetter.
$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[docs]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-docs: $(VENV)/.installed-docs

## Open the course in JupyterLab (with the widgets extension) at the repository root.
lab: install
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS)

## Lint everything, then run the unit tests and every solution notebook.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --nbval tests solutions

## Run the whole test suite on the oldest versions pyproject.toml allows, in $(OLDEST_VENV).
test-oldest:
	test -x $(OLDEST_VENV)/bin/python || $(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install packaging 'tomli; python_version < "3.11"'
	$(OLDEST_VENV)/bin/python -m tools.lower_bounds > $(OLDEST_VENV)/constraints.txt
	$(OLDEST_VENV)/bin/python -m pip install -c $(OLDEST_VENV)/constraints.txt -e ".[test]"
	$(OLDEST_VENV)/bin/python -m pip list
	$(OLDEST_VENV)/bin/python -m pytest --nbval tests solutions

## Fix what ruff can fix by itself.
lint: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## For instructors: re-run every solution top to bottom, then regenerate the exercises.
solutions: install-test
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace solutions/*.ipynb
	$(BIN)/python -m tools.exercises

## For instructors: regenerate exercises/ from solutions/.
exercises: install-test
	$(BIN)/python -m tools.exercises

## Build the course website into _site/ from the README and the solutions' stored outputs.
site: install-docs
	$(BIN)/python -m tools.site build _site

## For instructors: build the lecture deck (HTML and a PDF for handouts) into slides/_build/.
## The PDF needs Debian's chromium; `python -m tools.slides build slides/_build --no-pdf` skips it.
slides: install-test
	$(BIN)/python -m tools.slides build slides/_build

clean:
	rm -rf $(VENV) $(OLDEST_VENV) .pytest_cache .ruff_cache _site slides/_build
