"""Neutralising untrusted text before it reaches Markdown or a terminal.

Everything regoscan prints about a finding (paths, messages, resource names, exception
justifications, check titles) comes from files in the repository being scanned, and in a
pull request those files are written by whoever opened the PR. The PR summary is posted
as a comment by a token with write access, so any formatting that survives from the
input is formatting the attacker controls: a ``</details>`` can break our layout, an
``@org/team`` pings people, ``#123`` cross-links issues, and ``[click](https://evil)``
puts a phishing link under our name. :func:`md_escape` is the *one* filter every such
string goes through; :func:`plain_text` is its terminal counterpart (ANSI escapes in a
manifest must not rewrite the CI log).
"""

from __future__ import annotations

import re

__all__ = ["ELLIPSIS", "ZWSP", "md_escape", "plain_text", "shorten"]

ZWSP = "\u200b"
"""Zero-width space: invisible, but it splits the tokens GitHub's autolinkers look for."""

ELLIPSIS = "…"

# C0/C1 control characters and Unicode line/paragraph separators (newlines included:
# they are collapsed, not kept) plus the Unicode bidi overrides/isolates that can make
# text display in a different order than it is stored ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r" {2,}")

# Characters that mean something to CommonMark/GFM inline or block syntax, plus ``$``
# (GitHub renders ``$...$`` as math). ``&``, ``<`` and ``>`` are not here: they become
# HTML entities instead, because a backslash before them does not stop HTML in every
# renderer and ``\&`` would turn our own entities into literal text.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-!|~=$")

# Tokens that GitHub turns into links or notifications even when every Markdown
# metacharacter is escaped, because it matches them on the rendered text. A zero-width
# space after the trigger breaks the match without changing what the reader sees.
_AUTOLINK_TRIGGERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"@"), "@" + ZWSP),  # @user, @org/team, user@example.com (email autolink)
    (re.compile(r"#(?=\d)"), "#" + ZWSP),  # #123, owner/repo#123
    (re.compile(r"\b(GH-)(?=\d)", re.IGNORECASE), r"\1" + ZWSP),  # GH-123
    (re.compile(r":(?=//)"), ":" + ZWSP),  # scheme://host (GFM extended autolinks)
    (re.compile(r"\b(www)\.", re.IGNORECASE), r"\1" + ZWSP + "."),  # www.host
)

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def plain_text(value: object) -> str:
    """Return ``value`` as one line of printable text.

    Control characters (ANSI escape sequences, carriage returns, newlines, bidi
    overrides) are replaced by a space so that text from a scanned file can neither
    forge extra output lines nor restyle the terminal or CI log.
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, limit: int | None) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


def md_escape(value: object, limit: int | None = None) -> str:
    """Make untrusted text safe to embed anywhere inline in GitHub-flavoured Markdown.

    The result renders as the literal input text (modulo collapsed whitespace and
    invisible zero-width spaces) and is safe inside a table cell, a list item, bold text
    or a ``<summary>``: it contains no newline, no unescaped ``|``, no HTML, no link or
    image syntax, no ``@mention``, no ``#123`` reference and no autolinkable URL.
    ``limit`` shortens the *input* (in characters) before escaping, so a cut can never
    split an escape sequence in half.

    It must not be used inside code spans or fenced blocks, where backslashes are
    literal; the templates never put untrusted text there.
    """
    text = shorten(plain_text(value), limit)
    for pattern, replacement in _AUTOLINK_TRIGGERS:
        text = pattern.sub(replacement, text)
    out: list[str] = []
    for char in text:
        if char in _HTML:
            out.append(_HTML[char])
        elif char in _MD_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)
