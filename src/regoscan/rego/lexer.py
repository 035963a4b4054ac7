"""A small Rego tokenizer that keeps byte offsets.

Every source rewrite regoscan makes (v0 upgrade, wildcard hoisting, exception
attribution) is an edit at token offsets, so the rewritten module keeps the line
numbers of the file the user wrote: errors, findings and suppressions can then cite
the user's lines without a mapping table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_STRING = r'"(?:\\.|[^"\\\r\n])*"'
_RAW_STRING = r"`[^`]*`"
_TOKEN_RE = re.compile(
    rf"""
    (?P<nl>\r?\n)
  | (?P<ws>[ \t\f\v]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<str>{_STRING})
  | (?P<raw>{_RAW_STRING})
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>:=|==|!=|<=|>=|[=<>+\-*/%&|.,;:\[\](){{}}])
    """,
    re.VERBOSE,
)

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {")", "]", "}"}
KEYWORDS = frozenset(
    {"package", "import", "default", "else", "not", "with", "as", "some", "every", "in", "if", "contains"}
)
TRIVIA = frozenset({"ws", "nl", "comment"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    """One of nl, ws, comment, str, raw, num, ident, op, bad."""
    text: str
    start: int
    end: int
    line: int
    """1-based line of the token's first character."""

    @property
    def significant(self) -> bool:
        return self.kind not in TRIVIA


def string_value(token: Token) -> str | None:
    """The value a ``str`` or ``raw`` token spells, or None (not a string, or a bad escape).

    Rego reads a bracketed string as a name part (``data["lib"]``, ``opa["runtime"]()``),
    so the package reader and the built-in call finder must read it as rego-cpp does:
    a raw string verbatim, a quoted one with JSON escapes."""
    if token.kind == "raw":
        return token.text[1:-1]
    if token.kind != "str":
        return None
    try:
        value = json.loads(token.text)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def tokenize(src: str) -> list[Token]:
    """Split ``src`` into tokens; never fails (unknown characters become ``bad`` tokens)."""
    tokens: list[Token] = []
    pos = 0
    line = 1
    n = len(src)
    while pos < n:
        m = _TOKEN_RE.match(src, pos)
        if m is None:
            tokens.append(Token("bad", src[pos], pos, pos + 1, line))
            pos += 1
            continue
        kind = m.lastgroup or "bad"
        text = m.group()
        tokens.append(Token(kind, text, pos, m.end(), line))
        line += text.count("\n")
        pos = m.end()
    return tokens


def line_of_offset(src: str, offset: int) -> int:
    """1-based line of a byte/char offset (rego-cpp reports errors as offsets)."""
    return src.count("\n", 0, max(0, min(offset, len(src)))) + 1


def column_of_offset(src: str, offset: int) -> int:
    offset = max(0, min(offset, len(src)))
    return offset - (src.rfind("\n", 0, offset) + 1) + 1


def apply_edits(src: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, replacement)`` edits in one pass.

    A replacement may only contain as many newlines as the text it replaces, so line
    numbers hold (blanking a multi-line span keeps its newlines).
    Edits at the same offset keep their given order, which lets two independent
    rewrites insert text at one spot deterministically.
    """
    if not edits:
        return src
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1][0], ie[1][1], ie[0]))
    out: list[str] = []
    pos = 0
    for _, (start, end, text) in ordered:
        if text.count("\n") != src.count("\n", start, end):
            raise ValueError("an edit must not add or remove lines")
        if start < pos:
            raise ValueError(f"overlapping edits at offset {start}")
        out.append(src[pos:start])
        out.append(text)
        pos = end
    out.append(src[pos:])
    return "".join(out)


def blank(text: str) -> str:
    """The same span with every character but newlines turned into a space."""
    return "".join(ch if ch == "\n" else " " for ch in text)


_TRIVIA_OR_STRING = re.compile(rf"({_STRING}|{_RAW_STRING})|[ \t]*\#[^\r\n]*|[ \t]+(?=\r?\n|$)")


def lean_source(text: str) -> str:
    """The module without its comments and trailing blanks: every line, and every token's
    column, where it was.

    Why: a compiled bundle carries its modules' text, and loading one costs in proportion
    to its size: a built-in check's bundle is mostly METADATA comments and the blanked
    rules of the library cut, and loads a third faster without them (each worker loads
    about a hundred per scan). Errors still cite the module's own lines and columns.
    Strings (with a ``#`` inside, or raw strings across lines) are kept as they are.
    """
    return _TRIVIA_OR_STRING.sub(lambda m: m.group(1) or "", text)
