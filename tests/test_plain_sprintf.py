"""``regoscan.compat.plain_sprintf``: sprintf without clean_sprintf's pass over its arguments.

Every ``sprintf`` call is routed to ``clean_sprintf`` (rego/prepare.py) because regopy
prints a string made by lower/upper/concat/replace with its JSON quotes still on. That
pass costs ~0.1 ms per message, so the built-in checks call ``plain_sprintf`` where every
argument comes straight from the input. This keeps them to that: each argument is a
reference (no call), in a ``deny`` rule; the checks' own tests and the corpus golden file
assert the messages.
"""

from __future__ import annotations

import re
from pathlib import Path

from regoscan.resources import policies_dir
from tests.oracle import eval_regopy

CALL = "data.regoscan.compat.plain_sprintf("
REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")


def _top_level(text: str) -> list[str]:
    """Comma-separated parts of text, outside brackets and strings."""
    parts, depth, cur, quote = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        cur += ch
    return [p for p in [*parts, cur.strip()] if p]


def _call_args(src: str, start: int) -> str:
    depth = 0
    for i in range(start + len(CALL) - 1, len(src)):
        depth += {"(": 1, ")": -1}.get(src[i], 0)
        if depth == 0:
            return src[start + len(CALL):i]
    raise AssertionError("unbalanced call")


def _calls() -> list[tuple[Path, str, str]]:
    out = []
    for path in sorted(policies_dir().glob("*/*.rego")):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(re.escape(CALL), src):
            heads = [ln for ln in src[:m.start()].splitlines()
                     if re.match(r"[A-Za-z_]", ln) and not ln.startswith(("import", "package"))]
            out.append((path, heads[-1] if heads else "", _call_args(src, m.start())))
    return out


def test_plain_sprintf_takes_only_references_in_deny_rules() -> None:
    calls = _calls()
    assert len(calls) > 30, "the built-in checks no longer use plain_sprintf"
    for path, head, args in calls:
        _fmt, values = _top_level(args)
        assert head.startswith("deny"), f"{path.name}: plain_sprintf outside a deny rule ({head})"
        assert values.startswith("[") and values.endswith("]"), f"{path.name}: {values}"
        for value in _top_level(values[1:-1]):
            assert REF.match(value), f"{path.name}: plain_sprintf argument {value!r} is not a reference"


def test_plain_sprintf_is_sprintf() -> None:
    compat = (policies_dir() / "lib" / "compat.rego").read_text(encoding="utf-8")
    src = ('package t\n\nimport rego.v1\n\n'
           'p := data.regoscan.compat.plain_sprintf("%s of %s \'%v\'", [input.a, input.b, input.n])\n')
    assert eval_regopy(src, "data.t.p", {"a": "x", "b": 'q"uote', "n": 3}, extra=[compat]) == "x of q\"uote '3'"
