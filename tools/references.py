"""Check that the slides and the guide name only notebooks, sections and functions that exist.

The notebooks change (sections are added, functions renamed), so everything is read from
them when the check runs. What the prose may refer to, and how it must write it:

* a notebook, by file name: ``00_straight_line_sgd.ipynb``;
* a section, as ``(NN § heading)``, the heading as written in notebook ``NN``, such as
  ``(03 § 3 · Convolution by hand)`` (backticks in the heading may be kept or left out);
* a function or class, in backticks with empty brackets: ```train_one_epoch()``` must be
  defined (``def`` or ``class``) in a solution notebook or in the ``utils`` package;
* a ``utils`` module or name, dotted: ``utils.check_env``, ``utils.plots.mnist.plot_x``.

``python -m tools.references`` prints what is missing and exits with status 1.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.command_line import existing_file, read_notebook, run

ROOT = Path(__file__).resolve().parent.parent
PROSE = ("slides/lecture.md", "docs/instructors_guide.md")
NOTEBOOK_NAME = re.compile(r"\b(\d\d_[a-z0-9_]+)\.ipynb\b")
SECTION = re.compile(r"\((\d\d) § ([^()]+)\)")
FUNCTION = re.compile(r"`([A-Za-z_]\w*)\(\)`")
UTILS_NAME = re.compile(r"(?<![\w.])utils(?:\.[A-Za-z_]\w*)+")  # not torch.utils


def normalise_heading(text: str) -> str:
    """Return ``text`` without Markdown marks and with single spaces, for comparison."""
    return " ".join(re.sub(r"[`*_]", "", text).split())


@dataclass
class Vocabulary:
    """What exists: notebooks and their headings, defined names, ``utils`` modules and names."""

    headings: dict[str, set[str]] = field(default_factory=dict)  # "00" → headings
    notebooks: set[str] = field(default_factory=set)  # file stems
    names: set[str] = field(default_factory=set)  # def/class names
    utils: set[str] = field(default_factory=set)  # "utils.x", "utils.x.name"


def _defined_names(tree: ast.AST) -> set[str]:
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def read_vocabulary(root: Path = ROOT) -> Vocabulary:
    """Read the solution notebooks and the ``utils`` package under ``root``.

    Raises
    ------
    ToolError
        If a solution notebook cannot be read.
    """
    vocabulary = Vocabulary()
    for path in sorted((root / "solutions").glob("*.ipynb")):
        vocabulary.notebooks.add(path.stem)
        headings = vocabulary.headings.setdefault(path.stem[:2], set())
        for cell in read_notebook(path).cells:
            source = cell["source"]
            if cell["cell_type"] == "markdown":
                for line in source.splitlines():
                    if line.startswith("#"):
                        headings.add(normalise_heading(line.lstrip("#")))
            elif cell["cell_type"] == "code":
                code = "\n".join(
                    line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
                )
                try:
                    vocabulary.names |= _defined_names(ast.parse(code))
                except SyntaxError:
                    pass  # a notebook's own tests report it
    for path in sorted((root / "utils").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        vocabulary.utils.add(module)
        defined = _defined_names(ast.parse(path.read_text(encoding="utf-8")))
        vocabulary.names |= defined
        vocabulary.utils |= {f"{module}.{name}" for name in defined}
    return vocabulary


def missing_references(text: str, vocabulary: Vocabulary) -> list[str]:
    """Return each reference in ``text`` to something that does not exist, described."""
    missing = []
    for stem in NOTEBOOK_NAME.findall(text):
        if stem not in vocabulary.notebooks:
            missing.append(f"notebook {stem}.ipynb")
    for number, heading in SECTION.findall(text):
        if normalise_heading(heading) not in vocabulary.headings.get(number, set()):
            missing.append(f"section ({number} § {heading})")
    for name in FUNCTION.findall(text):
        if name not in vocabulary.names:
            missing.append(f"function or class {name}()")
    for dotted in UTILS_NAME.findall(text):
        if dotted not in vocabulary.utils:
            missing.append(f"{dotted}")
    return missing


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """Print the missing references of the slides and the guide; return 1 if there are any."""
    parser = argparse.ArgumentParser(prog="python -m tools.references", description=__doc__)
    parser.parse_args(argv)  # no arguments: it checks PROSE, and refuses anything else
    vocabulary = read_vocabulary(root)
    status = 0
    for relative in PROSE:
        text = existing_file(root / relative, "Markdown file").read_text(encoding="utf-8")
        for reference in missing_references(text, vocabulary):
            print(f"{relative}: no such {reference}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    run(main)
