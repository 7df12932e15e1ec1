"""The Colab set-up cell and the README's Colab and Binder links, all from one URL setting."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.links import (
    COLAB_EXTRAS,
    SETUP_CELL_ID,
    binder_link,
    colab_link,
    repository_url,
    setup_cell_source,
    with_readme_links,
    with_setup_cell,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(ROOT.glob("solutions/*.ipynb")) + sorted(ROOT.glob("exercises/*.ipynb"))
URL = repository_url()


def test_url_setting_is_a_github_repository():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", URL)


def test_bad_url_setting_is_refused_with_its_value(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project.urls]\nRepository = "https://gitlab.com/a/b"\n')
    with pytest.raises(ValueError, match=r"gitlab\.com/a/b"):
        repository_url(pyproject)


def test_links_are_built_from_the_url():
    assert colab_link("https://github.com/o/n", "solutions/x.ipynb") == (
        "https://colab.research.google.com/github/o/n/blob/main/solutions/x.ipynb"
    )
    assert (
        binder_link("https://github.com/o/n") == "https://mybinder.org/v2/gh/o/n/main?urlpath=lab"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_notebook_has_the_current_setup_cell_second(path):
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].get("id") == SETUP_CELL_ID, f"run: python -m tools.links {path}"
    assert cells[1].source == setup_cell_source(URL), "run: python -m tools.links"


def requirement_name(requirement: str) -> str:
    """Return the package name of a requirement such as ``torch>=2.2``."""
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def test_colab_cell_installs_the_course_without_its_dependencies():
    source = setup_cell_source(URL)
    assert '"--no-deps"' in source, "the Colab cell would reinstall PyTorch and JupyterLab"
    assert "jupyterlab" not in source
    for name in COLAB_EXTRAS:
        assert f'"{name}"' in source, f"the Colab cell does not install {name}"


def test_colab_installs_only_course_dependencies_that_colab_lacks():
    # Colab's runtime has these; the course needs nothing else but what COLAB_EXTRAS names.
    on_colab = {"torch", "torchvision", "numpy", "pandas", "matplotlib", "tqdm", "ipywidgets"}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = {
        requirement_name(line.strip().strip('",'))
        for line in pyproject.split("dependencies = [", 1)[1].split("]", 1)[0].splitlines()
        if line.strip().startswith('"')
    }
    runtime = dependencies - {"jupyterlab"}  # Colab is the notebook server
    assert set(COLAB_EXTRAS) <= dependencies, f"{COLAB_EXTRAS} are not all course dependencies"
    assert runtime - on_colab == set(COLAB_EXTRAS), (
        f"Colab lacks {sorted(runtime - on_colab)}, the cell installs {COLAB_EXTRAS}"
    )


def test_stamping_twice_changes_nothing():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("1")]
    once = nbformat.writes(with_setup_cell(notebook, URL))
    assert nbformat.writes(with_setup_cell(notebook, URL)) == once
    assert len(notebook.cells) == 3


def test_a_new_setup_cell_keeps_the_old_execution_count():
    notebook = nbformat.v4.new_notebook()
    old = nbformat.v4.new_code_cell("# an old set-up cell", execution_count=1)
    old.id = SETUP_CELL_ID
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title"), old]
    with_setup_cell(notebook, URL)
    assert notebook.cells[1].source == setup_cell_source(URL)
    assert notebook.cells[1].execution_count == 1


def test_setup_cell_does_nothing_outside_colab(tmp_path):
    # Run the cell in a fresh interpreter where running a command would be an error.
    probe = (
        "import subprocess, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('the set-up cell ran a command outside Colab')\n"
        "subprocess.run = refuse\n"
        "path_before = list(sys.path)\n"
        f"exec({setup_cell_source(URL)!r})\n"
        "assert sys.path == path_before, 'sys.path changed'\n"
        "print('no-op')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no-op\n"
    assert list(tmp_path.iterdir()) == []


def make_origin(folder: Path) -> str:
    """Create a small git repository in ``folder`` to stand for the course on GitHub."""
    folder.mkdir()
    (folder / "README.md").write_text("# The course\n", encoding="utf-8")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-C", str(folder)]
    for command in (["init", "-q"], ["add", "README.md"], ["commit", "-q", "-m", "course"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    return folder.as_uri()


# Runs the set-up cell three times in a simulated Colab: a fake google.colab module, the
# course cloned from a local repository into a temporary folder, and pip replaced by a
# stand-in that fails the first time (a network blip) and succeeds afterwards.
COLAB_PROBE = """\
import json, subprocess, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
real_run = subprocess.run
commands, pip_runs = [], []

def run(command, **kwargs):
    commands.append(command)
    if command[1:3] == ["-m", "pip"]:
        pip_runs.append(command)
        if len(pip_runs) == 1:
            raise subprocess.CalledProcessError(1, command)  # what check=True raises
        return subprocess.CompletedProcess(command, 0)
    return real_run(command, **kwargs)

subprocess.run = run
cell = sys.stdin.read()
runs = []
for attempt in range(3):
    try:
        exec(cell, {})
        runs.append("ok")
    except subprocess.CalledProcessError:
        runs.append("failed")
    runs.append([" ".join(command[:4]) for command in commands])
    commands.clear()
print(json.dumps(runs))
"""


def test_setup_cell_finishes_the_install_when_run_again_after_pip_failed(tmp_path):
    course_folder = tmp_path / "content" / "course"
    origin = make_origin(tmp_path / "origin")
    source = setup_cell_source(origin)
    assert source.count('"/content/course"') == 1, "the cell should name its folder once"
    source = source.replace('"/content/course"', json.dumps(str(course_folder)))
    result = subprocess.run(
        [sys.executable, "-c", COLAB_PROBE],
        input=source,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    first, first_commands, second, second_commands, third, third_commands = json.loads(
        result.stdout
    )
    clone, pip = f"git clone --depth=1 {origin}", f"{sys.executable} -m pip install"
    assert (first, first_commands) == ("failed", [clone, pip])
    assert (course_folder / "README.md").is_file(), "the course was not cloned"
    assert (second, second_commands) == ("ok", [pip]), "a re-run must retry the install"
    assert (third, third_commands) == ("ok", []), "once installed, a re-run does nothing"


README_LINK = re.compile(r"\((https://colab\.research\.google\.com/github/[^)]+)\)")


def test_readme_has_a_colab_link_for_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = set(README_LINK.findall(readme))
    expected = {colab_link(URL, path.relative_to(ROOT).as_posix()) for path in NOTEBOOKS}
    assert expected <= links, f"missing: {sorted(expected - links)}"


def test_every_readme_colab_link_points_to_an_existing_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prefix = colab_link(URL, "")
    for link in README_LINK.findall(readme):
        assert link.startswith(prefix), f"{link} is not built from {URL}"
        assert (ROOT / link.removeprefix(prefix)).is_file(), link


def test_readme_has_the_binder_link():
    assert binder_link(URL) in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_links_are_written_by_the_tool():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_readme_links(readme, URL) == readme, "run: python -m tools.links"


def test_readme_links_follow_a_new_url():
    old = (
        "[Colab](https://colab.research.google.com/github/a/b/blob/main/exercises/x.ipynb) "
        "[Binder](https://mybinder.org/v2/gh/a/b/main?urlpath=lab)"
    )
    new = with_readme_links(old, "https://github.com/me/fork")
    assert new == (
        "[Colab](https://colab.research.google.com/github/me/fork/blob/main/exercises/x.ipynb) "
        "[Binder](https://mybinder.org/v2/gh/me/fork/main?urlpath=lab)"
    )
