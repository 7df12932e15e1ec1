"""The lecture slides: parsed, built offline, complete, and whole in a browser.

The deck is built once per module into a temporary folder (``tools.slides.build``); with
Debian's Chromium at hand the PDF is printed too, and a browser steps through every
slide with the network refused.
"""

import re
from pathlib import Path

import pytest
from offline_browser import (
    BROKEN_IMAGES_JS,
    CHROMIUM,
    RAW_MATHS_JS,
    SKIP_WITHOUT_BROWSER,
    offline_page,
)

from tools.command_line import ToolError
from tools.slides import HEIGHT, SOURCE, build, parse

ROOT = Path(__file__).resolve().parent.parent
LECTURE = (ROOT / SOURCE).read_text(encoding="utf-8")
# What the lecture must cover (issue 11): a phrase from each topic, as written in the source.
TOPICS = {
    "the derivative as the direction of steepest ascent": "steepest ascent",
    "the MSE with its bracket": r"\left(y_i - (m x_i + c)\right)^2",
    "the update rule for m, with a minus": r"m \leftarrow m - l_r \frac{\partial L}{\partial m}",
    "the update rule for c, with a minus": r"c \leftarrow c - l_r \frac{\partial L}{\partial c}",
    "the recap": "model, data, loss",
    "chain rule": "chain rule",
    "fully-connected layers": r"a_{l+1} = \sigma\left(W_l a_l + b_l\right)",
    "their other names": "multi-layer perceptron",
    "tabular data": "Tabular data",
    "classification vs regression": "classification or regression",
    "PyTorch in Python and C++": "C++",
    "the penguins' source": "palmerpenguins",
    "parameters independent of input size": "does **not** depend on the image size",
    "equivariance": "translation-equivariant",
    "invariance": "invariant",
    "rotation and augmentation": "augmentation",
    "1-D convolution": "Convolution in 1-D",
    "2-D convolution": "Convolution in 2-D",
    "a typical CNN": "A typical CNN",
    "MNIST": "MNIST",
    "ellipse colours": "[0, 255]^3",
    "ellipse targets": "x_c, y_c",
    "Dataset / DataLoader / nn.Module": "torch.nn.Module",
    "further information": "Further information",
}


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the deck (and the PDF, if Chromium is here) into a temporary folder."""
    pytest.importorskip("latex2mathml", reason='not installed: pip install -e ".[test]"')
    return build(tmp_path_factory.mktemp("slides") / "_build", pdf=CHROMIUM.exists())


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic)
def test_lecture_covers(topic: str) -> None:
    assert TOPICS[topic] in LECTURE, f"the slides do not cover {topic} ({TOPICS[topic]!r})"


def test_no_sign_error_in_the_update_rule() -> None:
    assert not re.search(r"[mc] \\leftarrow [mc] \+", LECTURE), "gradient descent goes downhill"


def test_every_slide_has_speaker_notes() -> None:
    without = [number for number, slide in enumerate(parse(LECTURE), 1) if not slide.notes]
    assert not without, f"slides {without} have no speaker notes (a 'Note:' line)"


def test_parse_splits_slides_and_notes() -> None:
    slides = parse("# One\n\nNote:\nsay hello\n\n---\n\n## Two\n")
    assert [slide.body for slide in slides] == ["# One", "## Two"]
    assert [slide.notes for slide in slides] == ["say hello", ""]


def test_parse_refuses_an_empty_slide() -> None:
    with pytest.raises(ValueError, match="slide 2 is empty"):
        parse("# One\n---\n\n---\n# Three")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (None, r"lecture\.md: no such file"),
        ("# Deck\n---\n---\nEnd\n", r"lecture\.md: slide 2 is empty"),
    ],
    ids=["missing", "empty-slide"],
)
def test_build_names_a_missing_or_malformed_source(
    tmp_path: Path, source: str | None, message: str
) -> None:
    if source is not None:
        (tmp_path / "slides").mkdir()
        (tmp_path / SOURCE).write_text(source, encoding="utf-8")
    with pytest.raises(ToolError, match=message):
        build(tmp_path / "_build", pdf=False, root=tmp_path)
    assert not (tmp_path / "_build").exists(), "nothing is written from a broken source"


def test_deck_has_one_section_per_slide_with_notes_and_typeset_maths(deck: Path) -> None:
    page = deck.read_text(encoding="utf-8")
    assert page.count("<section>") == len(parse(LECTURE))
    assert page.count('<aside class="notes">') == len(parse(LECTURE))
    assert "<math" in page
    assert "\\frac" not in re.sub(r'alttext="[^"]*"', "", page), "raw LaTeX left in the deck"


def test_deck_loads_nothing_from_another_host(deck: Path) -> None:
    page = deck.read_text(encoding="utf-8")
    sources = re.findall(r'<(?:script|link|img)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert sources, "no scripts, stylesheets or images found: has the page format changed?"
    remote = [source for source in sources if re.match(r"(?:[a-z]+:)?//", source)]
    assert not remote, f"the deck loads {remote}"
    missing = [source for source in sources if not (deck.parent / source).is_file()]
    assert not missing, f"the deck refers to files that were not built: {missing}"


def test_every_figure_has_a_description(deck: Path) -> None:
    images = re.findall(r"<img\b[^>]*>", deck.read_text(encoding="utf-8"))
    assert images
    undescribed = [image for image in images if not re.search(r'alt="[^"]{20,}"', image)]
    assert not undescribed, f"figures without a real description: {undescribed}"


@pytest.mark.usefixtures("deck")
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: no PDF is printed")
def test_pdf_has_one_page_per_slide(deck: Path) -> None:
    pdf = (deck.parent / "lecture.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == len(parse(LECTURE)), f"{pages} PDF pages for {len(parse(LECTURE))} slides"


@pytest.mark.parametrize("mark", SKIP_WITHOUT_BROWSER)
def test_skip_marks_name_what_is_missing(mark: pytest.MarkDecorator) -> None:
    assert "install" in mark.kwargs["reason"]


@SKIP_WITHOUT_BROWSER[0]
@SKIP_WITHOUT_BROWSER[1]
def test_every_slide_shows_typeset_maths_and_figures_offline(deck: Path, tmp_path: Path) -> None:
    problems = []
    with offline_page() as tab:
        tab.page.goto(deck.as_uri())
        tab.page.wait_for_function("window.Reveal && Reveal.isReady()")
        total = tab.page.evaluate("Reveal.getTotalSlides()")
        assert total == len(parse(LECTURE))
        for index in range(total):
            tab.page.evaluate(f"Reveal.slide({index})")
            slide = tab.page.locator(".reveal .slides section.present")
            slide.locator("img").evaluate_all(
                "images => Promise.all(images.map(i => i.decode().catch(() => null)))"
            )
            handle = slide.element_handle()
            raw = tab.page.evaluate(RAW_MATHS_JS, handle)
            broken = tab.page.evaluate(BROKEN_IMAGES_JS, handle)
            height = tab.page.evaluate("(section) => section.scrollHeight", handle)
            if raw:
                problems.append(f"slide {index + 1}: raw LaTeX {raw}")
            if broken:
                problems.append(f"slide {index + 1}: broken images {broken}")
            if height > HEIGHT:
                problems.append(f"slide {index + 1}: {height} px tall, cut off at {HEIGHT} px")
            tab.page.screenshot(path=tmp_path / f"slide{index + 1:02d}.png")
        assert tab.page.evaluate("Reveal.isLastSlide()")
    assert not problems, "\n".join(problems)
    assert tab.refused == [], f"the deck asked the network for {tab.refused}"
    assert tab.errors == [], f"the deck logged errors: {tab.errors}"
