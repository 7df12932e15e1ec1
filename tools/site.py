"""Build the course website: the README as the home page, one page per notebook.

The pages show the outputs stored in the solution notebooks (nothing is executed), so
the build needs no kernel and no network. MkDocs with ``mkdocs-jupyter`` does the work;
this module gathers the pages into a temporary ``docs`` folder and writes MkDocs's
configuration, so the repository keeps its layout and no build files land in it::

    python -m tools.site build _site      # or: make site

Open ``_site/index.html`` in a browser; the links work from the file system too.
"""

import argparse
import re
import shutil
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_FOLDERS = ("solutions", "exercises")
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
    ValueError
        If a link points to a file that does not exist, or outside ``root``.
    """
    found = []
    for target in RELATIVE_LINK.findall(markdown):
        path = (root / target).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            raise ValueError(f"the link {target!r} does not point to a file in {root}")
        relative = path.relative_to(root.resolve())
        if relative not in found:
            found.append(relative)
    return found


def first_heading(markdown: str) -> str:
    """Return the text of the first level-1 heading of ``markdown`` (``""`` if none)."""
    match = re.search(r"^# (.+)$", markdown, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""


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
    readme = (root / "README.md").read_text(encoding="utf-8")
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / "index.md").write_text(readme, encoding="utf-8")
    by_folder = notebooks(root)
    pages = [path.relative_to(root) for paths in by_folder.values() for path in paths]
    for relative in dict.fromkeys([*pages, *linked_files(readme, root)]):
        (docs_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, docs_dir / relative)
    nav = [{"Home": "index.md"}] + [
        {folder.capitalize(): [path.relative_to(root).as_posix() for path in paths]}
        for folder, paths in by_folder.items()
        if paths
    ]
    return {
        "site_name": first_heading(readme) or root.name,
        # highlight.js would come from a CDN: the notebooks are highlighted at build time.
        "theme": {"name": "readthedocs", "navigation_depth": 2, "highlightjs": False},
        "nav": nav,
        # Pages end in .html, so that the site also works opened from the file system.
        "use_directory_urls": False,
        "plugins": [
            "search",
            {
                "mkdocs-jupyter": {
                    "include": ["*.ipynb"],
                    "execute": False,  # show the stored outputs; never run a kernel
                    "include_source": True,
                    "cache": False,  # nothing written outside the temporary folders
                }
            },
        ],
        # Any warning, such as a link to a missing page, fails the build.
        "strict": True,
    }


def build(site_dir: Path, root: Path = ROOT) -> Path:
    """Build the website into ``site_dir`` from the README and the stored notebooks.

    Parameters
    ----------
    site_dir : Path
        Output folder; replaced if it exists.
    root : Path
        The repository root.

    Returns
    -------
    Path
        ``site_dir``, holding ``index.html`` and one page per notebook.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    site_dir = Path(site_dir).resolve()
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


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m tools.site build OUTPUT_DIR``."""
    parser = argparse.ArgumentParser(prog="python -m tools.site", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the website into OUTPUT_DIR")
    build_parser.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR")
    arguments = parser.parse_args(argv)
    site_dir = build(arguments.output_dir)
    print(f"Built the course website: open {site_dir / 'index.html'}")


if __name__ == "__main__":
    main()
