"""MkDocs hooks for the course website (``tools/site.py`` names this file in ``hooks``).

They make every page whole without a network:

* maths is typeset as MathML at build time (:mod:`tools.maths`), so no MathJax is loaded;
* a notebook page's table of contents is rebuilt from the page's own headings, so that
  headings keep their code words ("7 · The same with torch.nn and torch.optim") and the
  sidebar's anchors are the headings' real ids;
* each notebook figure gets its description from ``docs/figure_descriptions.yml``
  in place of nbconvert's placeholder alternative text;
* scripts that would fetch code from another host (the widget renderer from unpkg.com,
  mermaid from cdnjs, an empty MathJax ``src``) are removed; an interactive widget,
  which needs a running kernel, is replaced by a sentence saying where to use it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from mkdocs.structure.toc import get_toc

from tools.maths import typeset_html, typeset_soup

ROOT = Path(__file__).resolve().parent.parent
FIGURE_DESCRIPTIONS = ROOT / "docs" / "figure_descriptions.yml"
PLACEHOLDER_ALT = "No description has been provided for this image"
EXTERNAL = re.compile(r"""(?:src=|import\(|['"])\s*['"]?(?:https?:)?//""")
WIDGET_NOTE = (
    "An interactive widget is shown here when the notebook runs in JupyterLab, "
    "Colab or Binder; a static page cannot run it."
)
log = logging.getLogger("mkdocs.plugins.course")


def figure_descriptions(path: Path = FIGURE_DESCRIPTIONS) -> dict[str, dict[str, list[str]]]:
    """Return the figure descriptions: notebook name → cell id → one text per figure.

    Keys are read as strings even if unquoted (a cell id such as ``89436170`` would
    otherwise be a number).
    """
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(notebook): {str(cell): list(texts) for cell, texts in (cells or {}).items()}
        for notebook, cells in loaded.items()
    }


def _is_notebook(page: object) -> bool:
    return str(page.file.src_path).endswith(".ipynb")  # type: ignore[attr-defined]


def headings_toc_tokens(soup: BeautifulSoup) -> list[dict]:
    """Return MkDocs table-of-contents tokens for the ``h1``–``h3`` headings with an id."""
    tokens: list[dict] = []
    stack: list[dict] = []
    for heading in soup.find_all(["h1", "h2", "h3"]):
        if not heading.get("id"):
            continue
        texts = heading.find_all(string=True)
        name = "".join(text for text in texts if "anchor-link" not in text.parent.get("class", []))
        token = {
            "level": int(heading.name[1]),
            "id": heading["id"],
            "name": name.replace("¶", "").strip(),
            "children": [],
        }
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(token)
        stack.append(token)
    return tokens


def describe_figures(soup: BeautifulSoup, notebook: str) -> None:
    """Give each figure of a notebook page the description stored for its cell."""
    descriptions = figure_descriptions().get(notebook, {})
    for cell in soup.select('.jp-Cell[id^="cell-id="]'):
        cell_id = cell["id"].removeprefix("cell-id=")
        images = cell.select(".jp-OutputArea-output img")
        texts = descriptions.get(cell_id, [])
        for image, text in zip(images, texts, strict=False):
            image["alt"] = text.strip()
        if len(images) > len(texts):
            missing = len(images) - len(texts)
            log.info("no description for %d figure(s) of %s, cell %s", missing, notebook, cell_id)


# Large parts of a notebook page that the hooks never change: the inline stylesheets and
# the base64 data of the figures. They are set aside while the page is parsed (parsing
# them is most of the build time) and put back afterwards.
BULKY = re.compile(
    r"<style\b[^>]*>.*?</style>|(?<=data:image/)[a-z+]+;base64,[A-Za-z0-9+/=\s]+", re.DOTALL
)


def _set_aside(html: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def stash(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return (
            f"bulky-{len(kept) - 1}-"
            if not match.group(0).startswith("<")
            else f"<!--bulky-{len(kept) - 1}-->"
        )

    return BULKY.sub(stash, html), kept


def _put_back(html: str, kept: list[str]) -> str:
    html = re.sub(r"<!--bulky-(\d+)-->", lambda match: kept[int(match[1])], html)
    return re.sub(r"bulky-(\d+)-", lambda match: kept[int(match[1])], html)


def on_page_content(html: str, page, config, files) -> str:
    """Typeset maths; for a notebook, rebuild its table of contents and describe its figures."""
    if not _is_notebook(page):
        return typeset_html(html)
    light, kept = _set_aside(html)
    soup = BeautifulSoup(light, "html.parser")
    typeset_soup(soup, selector=".jp-MarkdownOutput")
    page.toc = get_toc(headings_toc_tokens(soup))
    describe_figures(soup, Path(page.file.src_path).stem)
    return _put_back(str(soup), kept)


SCRIPT = re.compile(r"<script\b(?P<attributes>[^>]*)>(?P<body>.*?)</script>", flags=re.DOTALL)
ATTRIBUTE = re.compile(r"""(?P<name>[\w-]+)\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""")


def _keep_or_replace(match: re.Match[str]) -> str:
    """Return what a ``<script>`` element of a notebook page becomes: itself, a note or nothing."""
    attributes = {
        found["name"].lower(): found["double"] if found["double"] is not None else found["single"]
        for found in ATTRIBUTE.finditer(match["attributes"])
    }
    kind = attributes.get("type", "")
    source = attributes.get("src")
    if kind == "application/vnd.jupyter.widget-view+json":
        return f'<p class="widget-note">{WIDGET_NOTE}</p>'
    if (
        source == ""
        or kind in ("text/x-mathjax-config", "application/vnd.jupyter.widget-state+json")
        or (source is None and EXTERNAL.search(match["body"]))
        or (source is not None and re.match(r"(?:https?:)?//", source))
    ):
        return ""
    return match.group(0)


def on_post_page(output: str, page, config) -> str:
    """Drop scripts that would reach another host; replace widgets by a short note."""
    if not _is_notebook(page):
        return output
    return SCRIPT.sub(_keep_or_replace, output)


if __name__ == "__main__":
    raise SystemExit("tools.site_hooks serves MkDocs; build the site with: python -m tools.site")
