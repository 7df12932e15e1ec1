"""Build the lecture slides: ``slides/lecture.md`` → a reveal.js deck (HTML) and a PDF.

::

    python -m tools.slides build slides/_build          # or: make slides
    python -m tools.slides build slides/_build --no-pdf # HTML only, no browser needed

The source is one Markdown file. A line holding only ``---`` separates slides; a line
``Note:`` starts the speaker notes of a slide (press ``S`` in the deck to see them).
Maths is LaTeX (``$...$``, ``$$...$$``), typeset as MathML here (:mod:`tools.maths`), and
the figures are drawn by :mod:`tools.figures`: the deck needs no network, no CDN and no
maths engine to present. reveal.js itself is shipped in ``slides/vendor/reveal.js``.

The PDF (one page per slide, for handouts) is printed by Debian's Chromium through
Playwright, with every request outside the deck's folder refused.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import markdown

from tools.command_line import ToolError, existing_file, output_folder, run
from tools.figures import draw_all
from tools.maths import typeset_html

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "slides/lecture.md"
VENDOR = "slides/vendor/reveal.js"
THEME = "slides/theme.css"
CHROMIUM = Path("/usr/bin/chromium")
SEPARATOR = re.compile(r"^---[ \t]*$", flags=re.MULTILINE)
NOTES = re.compile(r"^Note:[ \t]*$", flags=re.MULTILINE)
WIDTH, HEIGHT = 1280, 720

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="reveal/reset.css">
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="theme.css">
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="reveal/reveal.js"></script>
<script src="reveal/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({{
  hash: true, slideNumber: "c/t", width: {width}, height: {height}, margin: 0.04,
  transition: "none", pdfMaxPagesPerSlide: 1, plugins: [RevealNotes]
}});
</script>
</body>
</html>
"""


@dataclass(frozen=True)
class Slide:
    """One slide: its Markdown body and its speaker notes (Markdown, may be empty)."""

    body: str
    notes: str


def parse(text: str) -> list[Slide]:
    """Split the deck's Markdown into slides.

    Raises
    ------
    ValueError
        If a slide is empty or has more than one ``Note:`` line.
    """
    slides = []
    for number, chunk in enumerate(SEPARATOR.split(text), start=1):
        parts = NOTES.split(chunk)
        if len(parts) > 2:
            raise ValueError(f"slide {number} has more than one 'Note:' line")
        body = parts[0].strip()
        if not body:
            raise ValueError(f"slide {number} is empty (two '---' lines in a row?)")
        slides.append(Slide(body=body, notes=parts[1].strip() if len(parts) == 2 else ""))
    return slides


def to_html(text: str) -> str:
    """Return Markdown ``text`` as HTML with its maths typeset as MathML."""
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "attr_list", "pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return typeset_html(converter.convert(text))


def render(slides: list[Slide], title: str) -> str:
    """Return the deck's HTML page."""
    sections = []
    for slide in slides:
        notes = f'\n<aside class="notes">{to_html(slide.notes)}</aside>' if slide.notes else ""
        sections.append(f"<section>\n{to_html(slide.body)}{notes}\n</section>")
    return PAGE.format(
        title=html.escape(title), slides="\n".join(sections), width=WIDTH, height=HEIGHT
    )


def build(output_dir: Path, pdf: bool = True, root: Path = ROOT) -> Path:
    """Build the deck into ``output_dir`` (``index.html``, figures, reveal.js; ``lecture.pdf``).

    Parameters
    ----------
    output_dir : Path
        Folder to write; created if missing, its old deck replaced.
    pdf : bool
        Whether to print the PDF too (needs Playwright and ``/usr/bin/chromium``).
    root : Path
        The repository root.

    Returns
    -------
    Path
        The deck's ``index.html``.

    Raises
    ------
    ToolError
        If ``output_dir`` is a file, or the deck's source is missing or malformed.
    """
    output_dir = output_folder(output_dir).resolve()
    source = existing_file(root / SOURCE, "Markdown file")
    try:
        slides = parse(source.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ToolError(f"{source}: {error}") from None
    title = re.sub(r"^#+\s*", "", slides[0].body.splitlines()[0])
    output_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(output_dir / "reveal", ignore_errors=True)
    shutil.copytree(root / VENDOR, output_dir / "reveal", ignore=shutil.ignore_patterns("*.md"))
    shutil.copy2(root / THEME, output_dir / "theme.css")
    draw_all(output_dir / "figures")
    page = output_dir / "index.html"
    page.write_text(render(slides, title), encoding="utf-8")
    if pdf:
        print_pdf(page, output_dir / "lecture.pdf")
    return page


PRINT_ATTEMPTS = 3


def pdf_page_count(pdf_path: Path) -> int:
    """Return the number of pages of the PDF at ``pdf_path`` (Chromium writes them plainly)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf_path.read_bytes()))


def print_pdf(page: Path, pdf_path: Path) -> Path:
    """Print the deck at ``page`` to ``pdf_path``, one slide per page, with no network.

    Raises
    ------
    FileNotFoundError
        If ``/usr/bin/chromium`` is missing.
    """
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: install Debian's chromium to print the PDF, "
            "or build with --no-pdf"
        )
    from playwright.sync_api import sync_playwright

    folder = page.parent.as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(folder) else route.abort()
                ),
            )
            # Now and then Chromium prints a single blank page although reveal.js says it
            # is ready (seen only in long test runs); wait for fonts and the print layout,
            # check the page count, and try again before giving up loudly.
            for _attempt in range(PRINT_ATTEMPTS):
                tab.goto(page.as_uri() + "?print-pdf")
                tab.wait_for_function("window.Reveal && Reveal.isReady()")
                tab.wait_for_function(
                    "document.querySelectorAll('.pdf-page').length >= Reveal.getTotalSlides()"
                )
                tab.evaluate("document.fonts.ready.then(() => true)")
                slides = tab.evaluate("Reveal.getTotalSlides()")
                tab.pdf(
                    path=str(pdf_path),
                    width=f"{WIDTH}px",
                    height=f"{HEIGHT}px",
                    print_background=True,
                    prefer_css_page_size=True,
                )
                if pdf_page_count(pdf_path) == slides:
                    break
            else:
                raise RuntimeError(
                    f"{pdf_path} has {pdf_page_count(pdf_path)} pages for {slides} slides "
                    f"after {PRINT_ATTEMPTS} attempts; build again, or with --no-pdf"
                )
        finally:
            browser.close()
    return pdf_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m tools.slides build OUTPUT_DIR [--no-pdf]``; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m tools.slides", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="build the deck into OUTPUT_DIR")
    build_parser.add_argument("output_dir", type=Path, metavar="OUTPUT_DIR")
    build_parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    arguments = parser.parse_args(argv)
    start = time.perf_counter()
    page = build(arguments.output_dir, pdf=not arguments.no_pdf)
    print(f"Built the slides in {time.perf_counter() - start:.1f} s: open {page}")
    return 0


if __name__ == "__main__":
    run(main)
