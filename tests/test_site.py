"""The course website: built from the README and the stored notebooks, with working links.

The site is built once per test session into a temporary folder (``python -m tools.site
build``), with the stored outputs only: no kernel runs, and the build fails if anything
tries to open a network connection.
"""

import base64
import json
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tools.site import build, linked_files

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
# Attributes that hold the address of another file.
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")}


class LinkCollector(HTMLParser):
    """Collect the addresses of links, stylesheets, scripts and images in an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.image_sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in LINK_ATTRIBUTES and value is not None:
                self.links.append(value)
                if tag == "img":
                    self.image_sources.append(value)


def collect(page: Path) -> LinkCollector:
    """Parse ``page`` and return its links and image sources."""
    collector = LinkCollector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


def is_relative(link: str) -> bool:
    """Return whether ``link`` points into the site (not another site, a data URL or ``#``)."""
    parts = urlsplit(link)
    return not (parts.scheme or parts.netloc) and bool(parts.path)


def resolves(site: Path, page: Path, link: str) -> bool:
    """Return whether the relative ``link`` on ``page`` leads to a file of the built site.

    A link starting with ``/`` (as on ``404.html``, which a web server shows at any
    address) is taken relative to the root of the site.
    """
    path = unquote(urlsplit(link).path)
    base = site if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target.is_file() and target.is_relative_to(site.resolve())


def stored_png_outputs(notebook: Path) -> list[bytes]:
    """Return the PNG images stored in ``notebook``'s outputs, decoded."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [
        base64.b64decode("".join(output["data"]["image/png"]))
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if "image/png" in output.get("data", {})
    ]


def page_for(site: Path, notebook: Path) -> Path:
    """Return the built page of ``notebook``."""
    return site / notebook.parent.name / f"{notebook.stem}.html"


def refuse_network(*args: object, **kwargs: object) -> None:
    """Stand in for opening a network connection: fail, naming the address."""
    raise AssertionError(f"the site build tried to reach the network: {args}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the website once, into a temporary folder, with the network refused."""
    pytest.importorskip("mkdocs_jupyter", reason='not installed: pip install -e ".[test]"')
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse_network)
        patch.setattr(socket.socket, "connect_ex", refuse_network)
        patch.setattr(socket, "getaddrinfo", refuse_network)
        return build(tmp_path_factory.mktemp("site") / "_site")


def test_home_page_is_the_readme(site: Path) -> None:
    title = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
    assert title in (site / "index.html").read_text(encoding="utf-8")


def test_home_page_links_to_every_solution_page(site: Path) -> None:
    links = {urlsplit(link).path for link in collect(site / "index.html").links}
    missing = [
        notebook.name for notebook in SOLUTIONS if f"solutions/{notebook.stem}.html" not in links
    ]
    assert not missing, f"the home page does not link to the pages of {missing}"


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda path: path.name)
def test_solution_page_shows_every_stored_plot(site: Path, notebook: Path) -> None:
    page = page_for(site, notebook)
    assert page.is_file(), f"no page for {notebook.name}"
    shown = {
        base64.b64decode(source.split(",", 1)[1])
        for source in collect(page).image_sources
        if source.startswith("data:image/png;base64,")
    }
    missing = [index for index, png in enumerate(stored_png_outputs(notebook)) if png not in shown]
    assert not missing, f"{page.name} lacks the stored plots number {missing} of {notebook.name}"


@pytest.mark.parametrize("notebook", EXERCISES, ids=lambda path: path.name)
def test_exercise_has_a_page(site: Path, notebook: Path) -> None:
    assert page_for(site, notebook).is_file(), f"no page for {notebook.name}"


def test_every_relative_link_and_image_resolves(site: Path) -> None:
    broken = [
        f"{page.relative_to(site)}: {link}"
        for page in sorted(site.rglob("*.html"))
        for link in collect(page).links
        if is_relative(link) and not resolves(site, page, link)
    ]
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_linked_files_rejects_a_link_to_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "here.md").write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing\.ipynb"):
        linked_files("[ok](here.md) and [broken](missing.ipynb)", root=tmp_path)


def test_linked_files_ignores_web_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "here.md").write_text("hello", encoding="utf-8")
    markdown = "[a](https://pytorch.org) [b](#testing) [c](here.md#top) [d](mailto:x@y.z)"
    assert linked_files(markdown, root=tmp_path) == [Path("here.md")]
