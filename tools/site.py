"""Build the course website: the README as the home page, one page per notebook.

The pages show the outputs stored in the solution notebooks (nothing is executed), so
the build needs no kernel and no network; the instructor's guide and the lecture slides
(``tools/slides.py``) are on the site too. The hooks in ``tools/site_hooks.py`` typeset the
maths as MathML and keep every page free of requests to other hosts. MkDocs with
``mkdocs-jupyter`` and the Material theme does the work; this module gathers the pages into
a temporary ``docs`` folder and writes MkDocs's configuration, so the repository keeps its
layout and no build files land in it::

    python -m tools.site build _site      # or: make site (installs the "docs" extra)

Open ``_site/index.html`` in a browser: the links and the search work from the file system
too (Material's ``offline`` plugin, with the Web Worker shim in ``docs/vendor``).
"""

import argparse
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from tools.command_line import ToolError, output_folder, read_notebook, run

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDERS = ("solutions", "exercises")
HOOKS = ROOT / "tools" / "site_hooks.py"
# Lets the search run from file:// (see docs/vendor/iframe-worker/README.md).
WORKER_SHIM = "docs/vendor/iframe-worker/shim.js"
# The slides' source, as linked from the README and the guide, and the built deck on the site.
SLIDES_SOURCE = "slides/lecture.md"
SLIDES_PAGE = "slides/index.html"
# Markdown links and images whose target is a relative path: [text](target "title").
RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)")


def notebooks(root: Path = ROOT) -> dict[str, list[Path]]:
    """Return the notebooks the site shows, by folder, each list sorted by name.

    Parameters
    ----------
    root : Path
        The repository root.

    Returns
    -------
    dict[str, list[Path]]
        ``{"solutions": [...], "exercises": [...]}``.
    """
    return {folder: sorted((root / folder).glob("*.ipynb")) for folder in NOTEBOOK_FOLDERS}


def linked_files(markdown: str, root: Path = ROOT) -> list[Path]:
    """Return the repository files that relative links and images in ``markdown`` point to.

    Parameters
    ----------
    markdown : str
        Markdown text, such as the README.
    root : Path
        The folder the links are relative to.

    Returns
    -------
    list[Path]
        Existing files, relative to ``root``, in order of first appearance.

    Raises
    ------
    ToolError
        If a link points to a file that does not exist, or outside ``root``.
    """
    found = []
    for target in RELATIVE_LINK.findall(markdown):
        path = (root / target).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            raise ToolError(f"the link {target!r} does not point to a file in {root}")
        relative = path.relative_to(root.resolve())
        if relative not in found:
            found.append(relative)
    return found


def first_heading(markdown: str) -> str:
    """Return the text of the first level-1 heading of ``markdown`` (``""`` if none)."""
    match = re.search(r"^# (.+)$", markdown, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""


def with_deck_links(markdown: str) -> str:
    """Return ``markdown`` with links to the slides' source pointing at the built deck.

    ``slides/lecture.md`` is what a reader of the repository wants; on the website the
    same link opens the deck itself.
    """
    return re.sub(
        r"\]\(((?:\.\./)*)" + re.escape(SLIDES_SOURCE) + r"\)",
        lambda match: f"]({match.group(1)}{SLIDES_PAGE})",
        markdown,
    )


def assemble_docs(docs_dir: Path, root: Path = ROOT) -> dict[str, object]:
    """Copy the site's pages into ``docs_dir`` and return MkDocs's configuration for them.

    The README becomes ``index.md``; the notebooks and every other file the README links
    to keep their paths, so the README's relative links need no rewriting: MkDocs turns
    links to notebooks into links to their pages.

    Parameters
    ----------
    docs_dir : Path
        An empty or missing folder to fill.
    root : Path
        The repository root.

    Returns
    -------
    dict[str, object]
        The MkDocs configuration, without ``docs_dir`` and ``site_dir``.
    """
    from tools.slides import build as build_slides

    readme = (root / "README.md").read_text(encoding="utf-8")
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / "index.md").write_text(with_deck_links(readme), encoding="utf-8")
    by_folder = notebooks(root)
    pages = [path.relative_to(root) for paths in by_folder.values() for path in paths]
    linked = [path for path in linked_files(readme, root) if path.as_posix() != SLIDES_SOURCE]
    for relative in dict.fromkeys([*pages, *linked]):
        (docs_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix == ".md":  # such as the instructor's guide
            text = (root / relative).read_text(encoding="utf-8")
            (docs_dir / relative).write_text(with_deck_links(text), encoding="utf-8")
        else:
            shutil.copy2(root / relative, docs_dir / relative)
    shim_folder = Path(WORKER_SHIM).parent  # the shim and its licence
    shutil.copytree(
        root / shim_folder, docs_dir / shim_folder, ignore=shutil.ignore_patterns("*.md")
    )
    # The deck is a static page of its own (reveal.js), copied as it is by MkDocs.
    build_slides(docs_dir / Path(SLIDES_PAGE).parent, pdf=False, root=root)
    guides = [path.as_posix() for path in linked if path.parts[0] == "docs"]
    nav = (
        [{"Home": "index.md"}]
        + [{"Instructor's guide": guide} for guide in guides]
        + [
            {folder.capitalize(): [path.relative_to(root).as_posix() for path in paths]}
            for folder, paths in by_folder.items()
            if paths
        ]
    )
    return {
        "site_name": first_heading(readme) or root.name,
        # Material for MkDocs, without the web fonts it would fetch from Google.
        "theme": {"name": "material", "font": False},
        "nav": nav,
        # Pages end in .html, so that the site also works opened from the file system.
        "use_directory_urls": False,
        # Material's offline plugin would load this shim from unpkg.com: ship it instead.
        "extra": {"polyfills": [WORKER_SHIM]},
        "plugins": [
            "search",
            # The search index as a script, which a page opened from disk may load.
            "offline",
            {
                "mkdocs-jupyter": {
                    "include": ["*.ipynb"],
                    "execute": False,  # show the stored outputs; never run a kernel
                    "include_source": True,
                    "cache": False,  # nothing written outside the temporary folders
                }
            },
        ],
        # Maths stays as written (\\(...\\)) for the hooks to typeset as MathML.
        "markdown_extensions": [
            "toc",
            "tables",
            "fenced_code",
            {"pymdownx.arithmatex": {"generic": True}},
        ],
        "hooks": [str(HOOKS)],
        # Any warning, such as a link to a missing page, fails the build.
        "strict": True,
    }


def build(site_dir: Path, root: Path = ROOT) -> Path:
    """Build the website into ``site_dir`` from the README and the stored notebooks.

    Parameters
    ----------
    site_dir : Path
        Output folder: new, empty, or a website built before, which is replaced.
    root : Path
        The repository root.

    Returns
    -------
    Path
        ``site_dir``, holding ``index.html`` and one page per notebook.

    Raises
    ------
    ToolError
        If ``site_dir`` is a file, holds the repository, or holds other files (MkDocs
        empties the folder first), or if a notebook of the site cannot be read.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    site_dir = output_folder(site_dir).resolve()
    if Path(root).resolve().is_relative_to(site_dir):
        raise ToolError(f"{site_dir}: holds the repository; build into a folder such as _site")
    if site_dir.is_dir() and any(site_dir.iterdir()) and not (site_dir / "index.html").is_file():
        raise ToolError(
            f"{site_dir}: holds files but no website (no index.html), and the build would "
            "delete them; choose a new folder, such as _site"
        )
    for paths in notebooks(root).values():
        for path in paths:
            read_notebook(path)  # one clear line for a broken notebook, not mkdocs's traceback
    with tempfile.TemporaryDirectory(prefix="course-site-") as temporary:
        docs_dir = Path(temporary) / "docs"
        config = assemble_docs(docs_dir, root)
        config_file = Path(temporary) / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        mkdocs_config = load_config(
            str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir)
        )
        mkdocs_build(mkdocs_config)
    return site_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tools.site build OUTPUT_DIR``; returns the exit status."""
    from mkdocs.exceptions import MkDocsException

    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the website into OUTPUT_DIR")
    build_parser.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR")
    arguments = parser.parse_args(argv)
    try:
        site_dir = build(arguments.output_dir)
    except MkDocsException as error:  # such as a warning in strict mode, logged above
        raise ToolError(f"the website was not built: {error}") from None
    print(f"Built the course website: open {site_dir / 'index.html'}")
    return 0


if __name__ == "__main__":
    run(main)
