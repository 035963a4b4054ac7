"""md_escape / plain_text: hostile input must render as inert literal text."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regoscan.output.escape import ZWSP, md_escape, plain_text
from regoscan.output.markdown import md_escape as exported_md_escape


def unescape(text: str) -> str:
    """What a CommonMark renderer shows for our escaped text (backslash escapes, entities)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def escaped_positions_ok(text: str, chars: str) -> bool:
    """Every occurrence of ``chars`` is preceded by an odd number of backslashes."""
    for match in re.finditer(f"[{re.escape(chars)}]", text):
        run = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
        if match.group() != "\\" and run % 2 == 0:
            return False
    return True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        (
            "</details><img src=x onerror=alert(1)>",
            "&lt;/details&gt;&lt;img src\\=x onerror\\=alert\\(1\\)&gt;",
        ),
        ("| col | break", "\\| col \\| break"),
        ("[click](https://evil.example)", f"\\[click\\]\\(https:{ZWSP}//evil.example\\)"),
        ("@org/team", f"@{ZWSP}org/team"),
        ("fixes #123, org/repo#7", f"fixes \\#{ZWSP}123, org/repo\\#{ZWSP}7"),
        ("see GH-12", f"see GH\\-{ZWSP}12"),
        ("# not a heading", "\\# not a heading"),
        ("`rm -rf` ```", "\\`rm \\-rf\\` \\`\\`\\`"),
        ("line1\nline2\r\n\n  line3", "line1 line2 line3"),
        ("www.evil.example", f"www{ZWSP}.evil.example"),
        ("mail me: a@b.example", f"mail me: a@{ZWSP}b.example"),
        ("AT&T &amp; <b>", "AT&amp;T &amp;amp; &lt;b&gt;"),
        ("back\\slash", "back\\\\slash"),
        ("$x^2$ *b* _i_ ~~s~~ !img", "\\$x^2\\$ \\*b\\* \\_i\\_ \\~\\~s\\~\\~ \\!img"),
        ("\x1b[31mred\x1b[0m", "\\[31mred \\[0m"),
        ("abc\u202eevil", "abc evil"),
        ("<!-- regoscan-summary -->", "&lt;\\!\\-\\- regoscan\\-summary \\-\\-&gt;"),
        (None, ""),
        (42, "42"),
    ],
)
def test_md_escape_values(raw: object, expected: str) -> None:
    assert md_escape(raw) == expected


def test_markdown_module_exports_the_same_filter() -> None:
    assert exported_md_escape is md_escape


def test_limit_cuts_input_before_escaping() -> None:
    assert md_escape("x" * 1000, 10) == "x" * 9 + "…"
    assert md_escape("|" * 50, 5) == "\\|" * 4 + "…"  # never half an escape
    assert md_escape("short", 10) == "short"
    assert len(md_escape("a" * 100_000)) == 100_000  # no limit unless asked


def test_plain_text_strips_terminal_controls() -> None:
    assert plain_text("\x1b]0;pwned\x07title\x1b[2J") == "]0;pwned title [2J"
    assert plain_text("a\r\nb\tc") == "a b c"
    assert plain_text(None) == ""


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_md_escape_properties(raw: str) -> None:
    out = md_escape(raw)
    assert "\n" not in out and "\r" not in out
    assert "<" not in out and ">" not in out
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", out)
    assert escaped_positions_ok(out, "|`*_[]()#+-!~=$")
    assert "://" not in out
    assert not re.search(r"@[^\u200b]|@$", out)
    assert not re.search(r"#\d", out)
    assert not re.search(r"(?i)www\.", out)
    # Lossless: the reader sees the input (whitespace-collapsed), minus invisible ZWSPs.
    assert unescape(out).replace(ZWSP, "") == plain_text(raw).replace(ZWSP, "")
