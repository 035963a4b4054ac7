"""``lexer.lean_source``: a built-in check's bundle modules without comments or trailing blanks.

The engine gets these texts instead of the modules as written (``engine.planning.bundle_modules``),
so every token must keep its text, line and column: an error still cites the module's own
place, and nothing but comments and blanks may go.
"""

from __future__ import annotations

import pytest

from regoscan.rego.lexer import column_of_offset, lean_source, tokenize
from regoscan.resources import policies_dir

POLICIES = sorted(p for p in policies_dir().rglob("*.rego"))

TRICKY = [
    "# METADATA\n# title: x\npackage a # trailing comment\n",
    'x := "a # not a comment" # a comment\n',
    "y := `raw # not a comment\n # still the raw string` # comment\n",
    'z := "escaped \\" quote # inside"   \n',
    "w := 1\t \r\n# crlf comment\r\nv := 2  # c\r\n",
    "no_newline_at_end := 1   ",
    "only_comment # `an unpaired backtick in a comment\nq := 1\n",
    "",
]


def _significant(text: str) -> list[tuple[str, str, int, int]]:
    return [(t.kind, t.text, t.line, column_of_offset(text, t.start)) for t in tokenize(text) if t.significant]


@pytest.mark.parametrize("text", [*TRICKY, *(p.read_text(encoding="utf-8") for p in POLICIES)],
                         ids=[*(f"tricky{i}" for i in range(len(TRICKY))), *(p.name for p in POLICIES)])
def test_every_token_keeps_its_text_line_and_column(text: str) -> None:
    lean = lean_source(text)
    assert _significant(lean) == _significant(text)
    assert lean.count("\n") == text.count("\n")
    assert not any(t.kind == "comment" for t in tokenize(lean))
    assert all(line == line.rstrip(" \t") for line in lean.replace("\r\n", "\n").split("\n"))


def test_the_built_in_checks_lose_most_of_their_text() -> None:
    """What the change is for: a check's METADATA is most of its module."""
    texts = [p.read_text(encoding="utf-8") for p in POLICIES if p.parent.name in ("kubernetes", "dockerfile")
             and not p.name.endswith("_test.rego")]
    assert len(POLICIES) > 100 and len(texts) > 100  # the parametrised test above saw every module
    assert sum(len(lean_source(t)) for t in texts) < 0.6 * sum(len(t) for t in texts)
