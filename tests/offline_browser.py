"""A headless Chromium that may open local files only: shared by the slide and site tests.

Every request to anything but ``file://`` is refused and recorded, so a test can assert
that a page asked for nothing on the network. Uses Debian's ``/usr/bin/chromium`` through
Playwright, never a downloaded browser; :data:`SKIP_WITHOUT_BROWSER` skips a test, saying
what is missing, where either is absent.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_WITHOUT_BROWSER = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} not found: install Debian's chromium "
        "(apt-get install --no-install-recommends chromium) to run the browser tests",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason='playwright is not installed: pip install -e ".[test]"',
    ),
]


@dataclass
class OfflinePage:
    """A browser tab, the requests it was refused and the errors its pages logged."""

    page: Page
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(width: int = 1280, height: int = 720) -> Iterator[OfflinePage]:
    """Yield a tab of a fresh headless Chromium that refuses every non-``file:`` request."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            tab = OfflinePage(context.new_page())

            def route(route) -> None:
                url = route.request.url
                if url.startswith(("file://", "data:", "about:")):
                    route.continue_()
                else:
                    tab.refused.append(url)
                    route.abort()

            context.route("**/*", route)
            tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
            tab.page.on(
                "console",
                lambda message: (
                    tab.errors.append(message.text) if message.type == "error" else None
                ),
            )
            yield tab
        finally:
            browser.close()


# JavaScript: what a reader would see as broken on the page (or in one element).
BROKEN_IMAGES_JS = """(root) => [...(root || document).querySelectorAll('img')]
    .filter(img => !img.complete || img.naturalWidth === 0)
    .map(img => img.getAttribute('src').slice(0, 80))"""
# Text outside code that still looks like LaTeX: the maths was not typeset.
RAW_MATHS_JS = """(root) => {
    const walker = document.createTreeWalker(root || document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        // .clipboard-copy-txt: mkdocs-jupyter's hidden copy of a code cell, for its copy button.
        if (node.parentElement.closest(
            'code, pre, script, style, math, textarea, kbd, .clipboard-copy-txt')) continue;
        if (/\\$|\\\\(frac|partial|sum|leftarrow|sigma|mathbf|\\(|\\[)/.test(node.textContent)) {
            found.push(node.textContent.trim().slice(0, 80));
        }
    }
    return found;
}"""
