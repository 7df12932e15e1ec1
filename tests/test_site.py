"""The course website: built from the README and the stored notebooks, with working links.

The site is built once per test session into a temporary folder (``python -m tools.site
build``), with the stored outputs only: no kernel runs, and the build fails if anything
tries to open a network connection.
"""

import ast
import base64
import importlib.metadata
import json
import socket
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from offline_browser import BROKEN_IMAGES_JS, RAW_MATHS_JS, SKIP_WITHOUT_BROWSER, offline_page
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.command_line import ToolError
from tools.site import build, linked_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

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


def top_level_imports(path: Path) -> set[str]:
    """Return the top-level names of the modules ``path`` imports (not relative imports)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


# What `make site` runs: tools.site, with its hooks, the maths and the deck (no PDF).
SITE_MODULES = ["site", "site_hooks", "maths", "slides", "figures", "command_line"]
PDF_ONLY = {"playwright"}  # tools.slides prints the deck's PDF with it; the site does not


def test_the_docs_extra_provides_every_package_the_site_build_imports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime_and_docs = project["dependencies"] + project["optional-dependencies"]["docs"]
    provided = {canonicalize_name(Requirement(line).name) for line in runtime_and_docs}
    distributions = importlib.metadata.packages_distributions()
    missing = {
        f"{module} imports {name}"
        for module in SITE_MODULES
        for name in top_level_imports(ROOT / "tools" / f"{module}.py")
        - set(sys.stdlib_module_names)
        - {"tools", "__future__", *PDF_ONLY}
        if not {canonicalize_name(dist) for dist in distributions.get(name, [name])} & provided
    }
    assert not missing, f"not in the runtime dependencies or the docs extra: {sorted(missing)}"
    test_extra = [Requirement(line) for line in project["optional-dependencies"]["test"]]
    assert any(req.name == project["name"] and "docs" in req.extras for req in test_extra), (
        "the test extra should include the docs extra: the tests build the site"
    )


def test_build_refuses_a_folder_it_would_empty(tmp_path: Path) -> None:
    # MkDocs empties the output folder first: the repository, or a folder of other files,
    # must never be one.
    with pytest.raises(ToolError, match="holds the repository"):
        build(ROOT)
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ToolError, match="holds files but no website"):
        build(tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_build_names_a_broken_notebook_before_building(tmp_path: Path) -> None:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "00_broken.ipynb").write_text("{", encoding="utf-8")
    with pytest.raises(ToolError, match=r"00_broken\.ipynb: not a notebook"):
        build(tmp_path / "_site", root=tmp_path)
    assert not (tmp_path / "_site").exists()


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


# ---------------------------------------------------------------------------------------
# A site without holes: slides and guide, maths, alt text, headings, no other hosts.

PLACEHOLDER_ALT = "No description has been provided for this image"
REMOTE_CODE_HOSTS = (
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "cdn.jsdelivr.net",
    "fonts.googleapis.com",
)


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_home_page_links_to_the_slides_and_the_guide(site: Path) -> None:
    links = {urlsplit(link).path for link in collect(site / "index.html").links}
    assert "slides/index.html" in links, "the home page does not link to the deck"
    assert "docs/instructors_guide.html" in links, "the home page does not link to the guide"
    assert (site / "slides" / "index.html").is_file()
    assert (site / "docs" / "instructors_guide.html").is_file()


# Material's own script names unpkg.com for two fallbacks only: a ResizeObserver polyfill
# (every browser the course supports has ResizeObserver) and mermaid, fetched only for a page
# with a mermaid diagram, which the test below rules out. The browser test records every
# request a page really makes.
THEME_BUNDLE = "assets/javascripts/bundle."


def test_no_file_of_the_site_loads_code_or_fonts_from_another_host(site: Path) -> None:
    offending = [
        f"{path.relative_to(site)}: {host}"
        for path in sorted(site.rglob("*"))
        if path.suffix in {".html", ".js", ".css", ".mjs"}
        and not path.relative_to(site).as_posix().startswith(THEME_BUNDLE)
        for host in REMOTE_CODE_HOSTS
        if host in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not offending, "files that reach other hosts:\n" + "\n".join(offending)
    empty_scripts = [page.name for page in pages(site) if '<script src=""' in page.read_text()]
    assert not empty_scripts, f"empty script sources (MathJax?) on {empty_scripts}"
    diagrams = [page.name for page in pages(site) if 'class="mermaid' in page.read_text()]
    assert not diagrams, f"mermaid diagrams, which the theme would fetch from unpkg, on {diagrams}"


def test_every_image_has_a_real_description(site: Path) -> None:
    from bs4 import BeautifulSoup

    undescribed = []
    for page in pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for image in soup.find_all("img"):
            alt = (image.get("alt") or "").strip()
            if len(alt) < 20 or alt == PLACEHOLDER_ALT:
                undescribed.append(f"{page.relative_to(site)}: {image.get('src', '')[:60]}")
    assert not undescribed, "figures without a description:\n" + "\n".join(undescribed)


def stored_figures(notebook: Path) -> dict[str, int]:
    """Return the number of stored PNG figures of each code cell of ``notebook``, by cell id."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    counts = {
        cell["id"]: sum("image/png" in output.get("data", {}) for output in cell["outputs"])
        for cell in cells
        if cell["cell_type"] == "code"
    }
    return {cell_id: count for cell_id, count in counts.items() if count}


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda path: path.name)
def test_every_stored_figure_has_exactly_one_description(notebook: Path) -> None:
    from tools.site_hooks import FIGURE_DESCRIPTIONS, figure_descriptions

    described = {
        cell_id: len(texts)
        for cell_id, texts in figure_descriptions().get(notebook.stem, {}).items()
    }
    assert described == stored_figures(notebook), (
        f"describe each figure of {notebook.name} once in {FIGURE_DESCRIPTIONS.name} "
        f"(cell id: number of figures): has {described}, the notebook shows "
        f"{stored_figures(notebook)}"
    )


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda path: path.name)
def test_notebook_maths_is_typeset(site: Path, notebook: Path) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_for(site, notebook).read_text(encoding="utf-8"), "html.parser")
    for code in soup.find_all(["code", "pre", "script", "style", "math"]):
        code.decompose()
    prose = " ".join(cell.get_text() for cell in soup.select(".jp-MarkdownOutput"))
    assert prose, "no Markdown cells found: has the page format changed?"
    for raw in ("$", "\\frac", "\\partial", "\\("):
        assert raw not in prose, f"raw LaTeX {raw!r} left on {notebook.stem}'s page"


def test_maths_is_typeset_as_mathml(site: Path) -> None:
    page = page_for(site, ROOT / "solutions" / "00_straight_line_sgd.ipynb").read_text()
    assert page.count("<math") >= 10
    assert 'alttext="\\frac{\\partial L}{\\partial m}' in page or "<mfrac>" in page


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda path: path.name)
def test_table_of_contents_keeps_code_words_and_real_anchors(site: Path, notebook: Path) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_for(site, notebook).read_text(encoding="utf-8"), "html.parser")
    ids = {element["id"] for element in soup.find_all(id=True)}
    entries = soup.select("nav.md-nav--secondary a.md-nav__link[href^='#']")
    assert entries, "no table of contents in the sidebar"
    dangling = [entry["href"] for entry in entries if entry["href"][1:] not in ids]
    assert not dangling, f"sidebar links to headings that do not exist: {dangling}"
    for heading in soup.select(".jp-MarkdownOutput h2"):
        shown = heading.get_text().replace("¶", "").strip()
        assert any(entry.get_text().strip() == shown for entry in entries), (
            f"the sidebar lacks the heading {shown!r}"
        )


def test_code_words_stay_in_the_straight_line_headings(site: Path) -> None:
    from bs4 import BeautifulSoup

    page = page_for(site, ROOT / "solutions" / "00_straight_line_sgd.ipynb").read_text()
    entries = BeautifulSoup(page, "html.parser").select("nav.md-nav--secondary a.md-nav__link")
    assert "7 · The same with torch.nn and torch.optim" in [
        entry.get_text().strip() for entry in entries
    ]


@SKIP_WITHOUT_BROWSER[0]
@SKIP_WITHOUT_BROWSER[1]
def test_every_page_is_whole_in_a_browser_with_the_network_refused(
    site: Path, tmp_path: Path
) -> None:
    checked, problems = [], []
    with offline_page(width=1280, height=900) as tab:
        for page in pages(site):
            if page.name == "404.html":
                continue  # a web server's page: its links start at the server's root
            tab.page.goto(page.as_uri())
            tab.page.wait_for_load_state("networkidle")  # scripts that load more have run
            content = tab.page.locator("article.md-content__inner, .reveal").first.element_handle()
            raw = tab.page.evaluate(RAW_MATHS_JS, content)
            broken = tab.page.evaluate(BROKEN_IMAGES_JS, content)
            name = page.relative_to(site).as_posix()
            if raw:
                problems.append(f"{name}: raw LaTeX {raw[:3]}")
            if broken:
                problems.append(f"{name}: broken images {broken}")
            tab.page.screenshot(path=tmp_path / f"{name.replace('/', '_')}.png")
            checked.append(name)
    assert len(checked) >= 1 + len(SOLUTIONS) + len(EXERCISES) + 2, f"checked only {checked}"
    assert not problems, "\n".join(problems)
    assert tab.refused == [], f"pages asked the network for {tab.refused}"
    assert tab.errors == [], f"pages logged errors: {tab.errors[:5]}"


@SKIP_WITHOUT_BROWSER[0]
@SKIP_WITHOUT_BROWSER[1]
def test_search_finds_a_notebook_on_the_site_opened_from_disk(site: Path, tmp_path: Path) -> None:
    # Browsers refuse a Web Worker to a page from file://, and search used to hang on
    # "Searching..." there: the README tells readers to open _site/index.html from disk.
    with offline_page(width=1280, height=900) as tab:
        tab.page.goto((site / "index.html").as_uri())
        tab.page.locator("input.md-search__input").click()
        tab.page.keyboard.type("landscape")
        results = tab.page.locator(".md-search-result__item a")
        results.first.wait_for(timeout=30_000)
        tab.page.screenshot(path=tmp_path / "search.png")
        targets = [results.nth(index).get_attribute("href") for index in range(results.count())]
        assert tab.errors == [], f"the search logged errors: {tab.errors}"
    pages_found = {urlsplit(target).path.rsplit("/", 1)[-1] for target in targets}
    assert "00_straight_line_sgd.html" in pages_found, f"search found only {sorted(pages_found)}"


@SKIP_WITHOUT_BROWSER[0]
@SKIP_WITHOUT_BROWSER[1]
@pytest.mark.parametrize("width", [1280, 800])
def test_home_page_tables_fit_their_column(site: Path, width: int) -> None:
    with offline_page(width=width, height=900) as tab:
        tab.page.goto((site / "index.html").as_uri())
        sizes = tab.page.evaluate(
            """() => {
                const column = document.querySelector('article.md-content__inner');
                return [...column.querySelectorAll('table')].map(table => [
                    Math.ceil(table.getBoundingClientRect().width), column.clientWidth]);
            }"""
        )
    assert sizes, "no table on the home page"
    too_wide = [(table, column) for table, column in sizes if table > column]
    assert not too_wide, f"tables wider than their column (px, table vs column): {too_wide}"
