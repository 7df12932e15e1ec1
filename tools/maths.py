"""Typeset LaTeX maths as MathML when a page is built, so that no maths engine runs in the browser.

The slides and the website write maths as LaTeX between the usual delimiters:
``$...$`` or ``\\(...\\)`` inline, ``$$...$$`` or ``\\[...\\]`` on a line of its own.
:func:`typeset_html` replaces each formula in an HTML page by MathML, which browsers
draw natively (Chromium since version 109, Firefox, Safari): the page needs no script,
font or network to show its maths, and screen readers read MathML as maths.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString
from latex2mathml.converter import convert

# Display maths first, so that "$$" is never read as two empty inline formulas.
# Inline "$...$": no space just inside the dollars and no digit after the closing one,
# so that prose such as "costs $5 and $6" is left alone; "\$" is a literal dollar.
MATHS = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<display2>.+?)\\\]"
    r"|\\\((?P<inline2>.+?)\\\)"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]*?[^\s\\$])?)\$(?!\d)",
    flags=re.DOTALL,
)
# Elements whose text is code or already maths: never typeset inside them.
SKIPPED_ELEMENTS = {"code", "pre", "script", "style", "math", "textarea", "kbd", "samp"}


def to_mathml(latex: str, display: bool = False) -> str:
    """Return the MathML for one LaTeX formula.

    Parameters
    ----------
    latex : str
        The formula, without delimiters, such as ``\\frac{\\partial L}{\\partial m}``.
    display : bool
        Whether the formula stands on its own line (``display="block"``).

    Returns
    -------
    str
        A ``<math>`` element that keeps the LaTeX source as its ``alttext``.

    Raises
    ------
    ValueError
        If the formula cannot be converted; the message quotes it.
    """
    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many types for bad input
        raise ValueError(
            f"cannot typeset the formula {latex!r}: {type(error).__name__} {error}".strip()
        ) from error
    escaped = latex.strip().replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return mathml.replace("<math ", f'<math alttext="{escaped}" ', 1)


def typeset_text(text: str) -> tuple[str, int]:
    """Return plain ``text`` as HTML, each formula replaced by MathML, and the formula count."""
    pieces: list[str] = []
    position = 0
    count = 0
    for match in MATHS.finditer(text):
        pieces.append(_escape(text[position : match.start()]))
        display = match.group("display") or match.group("display2")
        if display is not None:
            pieces.append(to_mathml(display, display=True))
        else:
            pieces.append(to_mathml(match.group("inline") or match.group("inline2")))
        position = match.end()
        count += 1
    pieces.append(_escape(text[position:]))
    return "".join(pieces), count


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def typeset_soup(soup: BeautifulSoup, selector: str | None = None) -> int:
    """Typeset the maths in the prose of a parsed page, in place; return the formula count.

    Parameters
    ----------
    soup : BeautifulSoup
        The parsed page or fragment.
    selector : str or None
        A CSS selector: only text inside matching elements is typeset (for a notebook
        page, its Markdown cells). ``None`` typesets all prose.

    Raises
    ------
    ValueError
        If a formula cannot be typeset.
    """
    roots = soup.select(selector) if selector else [soup]
    total = 0
    for root in roots:
        for node in list(root.find_all(string=True)):
            if type(node) is not NavigableString:
                continue  # comments, CDATA, doctype
            if "$" not in node and "\\" not in node:
                continue
            if any(parent.name in SKIPPED_ELEMENTS for parent in node.parents):
                continue
            typeset, count = typeset_text(str(node))
            if count:
                node.replace_with(BeautifulSoup(typeset, "html.parser"))
                total += count
    return total


def typeset_html(html: str, selector: str | None = None) -> str:
    """Return ``html`` with the maths in its prose typeset as MathML.

    Parameters
    ----------
    html : str
        A whole page or a fragment.
    selector : str or None
        As for :func:`typeset_soup`.

    Returns
    -------
    str
        The page, unchanged where it holds no maths.

    Raises
    ------
    ValueError
        If a formula cannot be typeset.
    """
    if "$" not in html and "\\(" not in html and "\\[" not in html:
        return html
    soup = BeautifulSoup(html, "html.parser")
    return str(soup) if typeset_soup(soup, selector) else html


if __name__ == "__main__":
    raise SystemExit("tools.maths serves tools.site and tools.slides; it has no command line")
