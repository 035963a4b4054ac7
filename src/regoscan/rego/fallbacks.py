"""Rego fallbacks a scan's own inputs never take, cut out of the built-in checks' bundles.

Some library rules read a view regoscan's parsers compute in Python (``__rs``, see
``inputs/derived.py``) and compute the same value in Rego when it is absent: for inputs
built by hand (unit tests) and other engines. A scan's documents always carry the view,
so the bundle of a built-in check does not need the Rego path, and keeping it costs:
regopy copies a frame of every local variable of the bundle on each built-in call, and
the shell tokenizer behind ``lib.sh.run_commands`` has many (measured: DS017 0.82 ->
0.63 ms per document without it). A library marks such a path with two comment lines,
``# regoscan: fallback begin`` and ``# regoscan: fallback end`` (an ``else`` chain of
a rule that reads the view, say); ``without_fallbacks`` blanks those lines and what lies
between them, keeping every other line where it was, and ``rego.shake`` then drops the
rules only the fallback reached.
"""

from __future__ import annotations

import re

from regoscan.rego.lexer import blank

BEGIN = "# regoscan: fallback begin"
END = "# regoscan: fallback end"
_MARKER = re.compile(r"^[ \t]*# regoscan: fallback (begin|end)[ \t]*$", re.MULTILINE)


def without_fallbacks(text: str) -> str:
    """``text`` with each marked fallback blanked; ValueError if the markers do not pair up."""
    if "# regoscan: fallback" not in text:
        return text
    out: list[str] = []
    at = 0
    opened: int | None = None
    for m in _MARKER.finditer(text):
        if m.group(1) == "begin":
            if opened is not None:
                raise ValueError(f"fallback opened again at offset {m.start()} before its end")
            opened = m.start()
        else:
            if opened is None:
                raise ValueError(f"fallback end at offset {m.start()} without a begin")
            out.append(text[at:opened])
            out.append(blank(text[opened:m.end()]))
            at = m.end()
            opened = None
    if opened is not None:
        raise ValueError(f"fallback opened at offset {opened} is never ended")
    out.append(text[at:])
    return "".join(out)
