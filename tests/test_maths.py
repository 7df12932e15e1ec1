"""Maths typeset as MathML at build time (tools/maths.py), for the slides and the website."""

import pytest

from tools.maths import to_mathml, typeset_html, typeset_text


def test_inline_and_display_maths_become_mathml() -> None:
    html, count = typeset_text(r"slope $m$ and $$\frac{\partial L}{\partial m}$$")
    assert count == 2
    assert '<math alttext="m" ' in html
    assert 'display="inline"' in html
    assert 'display="block"' in html
    assert "<mfrac>" in html


def test_bracket_delimiters_are_maths_too() -> None:
    html, count = typeset_text(r"\(x_1\) and \[y^2\]")
    assert count == 2
    assert "<msub>" in html
    assert "<msup>" in html


def test_prices_and_escaped_dollars_stay_prose() -> None:
    assert typeset_text("it costs $5 and $6 in total") == ("it costs $5 and $6 in total", 0)
    assert typeset_text(r"a literal \$ sign") == (r"a literal \$ sign", 0)


def test_text_around_maths_is_escaped_and_less_than_survives() -> None:
    html, _ = typeset_text("if $a < b$ then x < y & z")
    assert "x &lt; y &amp; z" in html
    assert "<mo>&#x0003C;</mo>" in html


def test_code_is_never_typeset() -> None:
    page = "<p>the loss $L$</p><pre><code>print('$x$')</code></pre><code>$y$</code>"
    typeset = typeset_html(page)
    assert "<code>print('$x$')</code>" in typeset
    assert "<code>$y$</code>" in typeset
    assert typeset.count("<math") == 1


def test_selector_limits_typesetting_to_matching_elements() -> None:
    page = '<div class="md">$a$</div><div class="out">$b$</div>'
    typeset = typeset_html(page, selector=".md")
    assert typeset.count("<math") == 1
    assert "$b$" in typeset


def test_a_formula_that_cannot_be_typeset_is_named() -> None:
    with pytest.raises(ValueError, match=r"formula 'x\^'"):
        to_mathml("x^")
