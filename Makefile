# Two commands for learners: `make lab` opens the course, `make test` checks it.
# Both create a virtual environment in .venv the first time and install the
# course into it; later runs reuse it (delete .venv to start afresh).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: lab test install lint solutions exercises site slides clean

install: $(INSTALLED)

# Reinstall whenever the dependencies change.
$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e ".[test]"
	touch $@

## Open the course in JupyterLab (with the widgets extension) at the repository root.
lab: install
	$(BIN)/jupyter lab

## Lint everything, then run the unit tests and every solution notebook.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --nbval tests solutions

## Fix what ruff can fix by itself.
lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## For instructors: re-run every solution top to bottom, then regenerate the exercises.
solutions: install
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace solutions/*.ipynb
	$(BIN)/python -m tools.exercises

## For instructors: regenerate exercises/ from solutions/.
exercises: install
	$(BIN)/python -m tools.exercises

## Build the course website into _site/ from the README and the solutions' stored outputs.
site: install
	$(BIN)/python -m tools.site build _site

## For instructors: build the lecture deck (HTML and a PDF for handouts) into slides/_build/.
## The PDF needs Debian's chromium; `python -m tools.slides build slides/_build --no-pdf` skips it.
slides: install
	$(BIN)/python -m tools.slides build slides/_build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache _site slides/_build
