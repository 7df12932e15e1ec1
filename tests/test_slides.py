"""The lecture slides: parsed, built offline, complete, and whole in a browser.

The deck is built once per module into a temporary folder (``tools.slides.build``); with
Debian's Chromium at hand the PDF is printed too, and a browser steps through every
slide with the network refused.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from offline_browser import (
    BROKEN_IMAGES_JS,
    CHROMIUM,
    RAW_MATHS_JS,
    SKIP_WITHOUT_BROWSER,
    offline_page,
)

from tools import figures
from tools.command_line import ToolError
from tools.slides import HEIGHT, SOURCE, build, parse

ROOT = Path(__file__).resolve().parent.parent
LECTURE = (ROOT / SOURCE).read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "instructors_guide.md").read_text(encoding="utf-8")
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
    # Issue 17: generalisation, softmax and cross-entropy, Adam, train and eval mode.
    "training, validation and test": "Training, validation, test",
    "a test set touched once": "touched **once**",
    "generalisation": "**Generalisation**",
    "over-fitting": "## Over-fitting",
    "early stopping": "**Early stopping**",
    "weight decay": "**Weight decay**",
    "dropout as a cure": "**Dropout**: silence random units",
    "more data, a learning curve": "*learning curve*",
    "softmax": r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}",
    "cross-entropy": r"L = -\log p_y",
    "CrossEntropyLoss takes logits": "takes the **raw logits**",
    "Adam": "## Adam",
    "why Adam replaces plain SGD": "one learning rate",
    "train and eval mode": "## Train mode and eval mode",
    "BatchNorm in both modes": "**BatchNorm**",
    "MNIST's digits named for what they are": "MNIST's 60,000 *training* digits",
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


def slide_titles() -> list[str]:
    """Return each slide's title (its first line, without the Markdown heading marks)."""
    return [re.sub(r"^#+\s*", "", slide.body.splitlines()[0]) for slide in parse(LECTURE)]


def estimated_minutes(notebook: str) -> int:
    """Return the minutes a solution notebook's "Estimated time" line gives."""
    cells = json.loads((ROOT / "solutions" / notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        found = re.search(r"\*\*Estimated time:\*\* (\d+) minutes", "".join(cell["source"]))
        if found:
            return int(found[1])
    raise AssertionError(f"{notebook} has no '**Estimated time:** N minutes' line")


def test_the_plan_gives_each_notebook_its_own_estimated_time() -> None:
    rows = re.findall(r"^\| `(\d\d_\w+\.ipynb)` \| .+ \| (\d+) min \|$", LECTURE, re.MULTILINE)
    assert len(rows) >= 7, "the plan's table has lost its rows: has its format changed?"
    wrong = {
        notebook: (int(minutes), estimated_minutes(notebook))
        for notebook, minutes in rows
        if int(minutes) != estimated_minutes(notebook)
    }
    assert not wrong, f"the plan's times (slide, notebook) differ from the notebooks': {wrong}"


def test_the_guide_gives_each_notebook_its_own_estimated_time() -> None:
    line = re.search(r"The notebooks' own time estimates: (.+?)\.", GUIDE, re.DOTALL)
    assert line, "the guide's schedules have lost their line of estimated times"
    given = dict(re.findall(r"(\d\d) (\d+) min", line[1]))
    notebooks = {
        path.name[:2]: path.name for path in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")
    }
    assert set(given) == set(notebooks), f"the guide's estimates name {sorted(given)}"
    wrong = {
        number: (int(given[number]), estimated_minutes(name))
        for number, name in notebooks.items()
        if int(given[number]) != estimated_minutes(name)
    }
    assert not wrong, f"the guide's times (guide, notebook) differ from the notebooks': {wrong}"


# "slides 12–24 (*First title* to *Last title*)" or "slide 25 (*Title*)" in the guide.
SLIDE_REFERENCE = re.compile(
    r"slides? (?P<first>\d+)(?:–(?P<last>\d+))?(?: \(\*(?P<title>[^*]+)\*"
    r"(?: to \*(?P<last_title>[^*]+)\*)?\))?"
)


def test_the_guide_names_each_slide_it_numbers_by_its_title() -> None:
    titles = slide_titles()
    references = list(SLIDE_REFERENCE.finditer(GUIDE))
    assert references, "the guide names no slides: has its schedule changed?"
    problems = []
    for reference in references:
        first, last = int(reference["first"]), int(reference["last"] or reference["first"])
        expected = [titles[first - 1] if first <= len(titles) else None]
        given = [reference["title"]]
        if reference["last"]:
            expected.append(titles[last - 1] if last <= len(titles) else None)
            given.append(reference["last_title"])
        if given != expected:
            problems.append(f"{reference[0]!r}: the slides there are {expected}")
    assert not problems, "the guide's slide numbers and titles disagree:\n" + "\n".join(problems)


def test_the_softmax_example_is_computed() -> None:
    logits = np.array([2.0, 1.0, -1.0])
    probabilities = np.exp(logits) / np.exp(logits).sum()
    shown = ", ".join(f"{p:.3f}" for p in probabilities)
    assert f"give probabilities $({shown})$" in LECTURE
    right, wrong = -np.log(probabilities[0]), -np.log(probabilities[2])
    assert f"class 1, $L = {right:.2f}$; if it is class 3, $L = {wrong:.2f}$" in LECTURE
    assert f"\\log 3 \\approx {np.log(3):.2f}" in LECTURE


def test_gradient_descent_in_closed_form_is_the_step_by_step_descent() -> None:
    features, targets = figures.toy_data(15, np.random.default_rng(0))
    epochs = np.array([0, 1, 7, 50, 300])
    for decay in (0.0, figures.WEIGHT_DECAY):
        curvature = 2 * features.T @ features / 15 + 2 * decay * np.eye(figures.NUM_BUMPS)
        learning_rate = 1 / np.linalg.eigvalsh(curvature).max()
        weights, stepped = np.zeros(figures.NUM_BUMPS), []
        for epoch in range(epochs.max() + 1):
            if epoch in epochs:
                stepped.append(weights.copy())
            gradient = 2 * features.T @ (features @ weights - targets) / 15 + 2 * decay * weights
            weights = weights - learning_rate * gradient
        closed = figures.gradient_descent_weights(features, targets, epochs, decay)
        np.testing.assert_allclose(closed, np.array(stepped), atol=1e-8)


def test_the_over_fitting_slides_show_what_the_toy_run_does() -> None:
    run = figures.toy_regression()
    training, validation = run["training"], run["validation"]
    assert np.all(np.diff(training) <= 1e-12), "training loss keeps falling"
    best = int(np.argmin(validation))
    assert 100 <= run["epochs"][best] <= 1000, "lowest validation loss at a few hundred epochs"
    assert validation[-1] > 10 * validation[best], "then validation loss climbs, far"
    decayed = run["validation, weight decay"]
    assert decayed[-1] < 1.05 * decayed.min(), "with weight decay it stays at its lowest"
    assert decayed[-1] < validation[-1] / 10
    by_size = run["validation by size"]
    assert np.all(np.diff(by_size[:-1]) < 0), "more data: validation error falls"
    assert np.all(np.diff(run["training by size"]) > 0), "and training error rises"
    noise = figures.NOISE**2
    assert abs(by_size[-1] / noise - 1) < 0.1, "they meet at the noise level"
    assert abs(run["training by size"][-1] / noise - 1) < 0.1


def test_the_adam_slide_shows_what_the_race_does() -> None:
    race = figures.optimiser_race()
    excess = {key: values - race["minimum"] for key, values in race.items() if key != "minimum"}
    assert excess["gradient descent"][-1] > 0.1, "plain descent stalls far above the minimum"
    assert np.all(excess["Adam"][500:] < 1e-6), "Adam is there within a few hundred steps"
    assert np.all(excess["gradient descent, standardised"][100:] < 1e-6), "standardised: 100"
