"""Library modules cut down to the rules a set of modules can reach.

Why: regopy numbers the local variables of every function of a bundle in one sequence,
and its evaluator copies that whole frame on every built-in call (and checks the whole
bundle on every query). So each operation of a check costs more the more rules its
bundle holds, reachable or not: about 2.5 s of the corpus's 4.7 s Kubernetes
evaluation went to the frames of the built-in library's unused rules (measured by
inflating a bundle by 6,000 locals: +2 s). A check compiled beside only the library
rules it can reach evaluates in a small frame.

Reachability is by name, and errs on the side of keeping: a library rule is kept when
its name occurs as an identifier anywhere in the code kept so far (the roots, then the
kept rules), whatever the package or qualifier. Every definition of a kept name stays
(default, else chains, incremental definitions); imports and packages stay. Removed
rules are blanked, never deleted, so line numbers in engine messages stay true. The
caller uses it only for libraries it controls, whose rules are never reached
dynamically (``data.lib.x[name]``, ``walk(data)``).
"""

from __future__ import annotations

from functools import lru_cache

from regoscan.rego.lexer import apply_edits, blank, tokenize
from regoscan.rego.syntax import ModuleSyntax, parse_module


@lru_cache(maxsize=256)
def _parsed(text: str) -> ModuleSyntax:
    return parse_module(text)


@lru_cache(maxsize=1024)
def _identifiers(text: str) -> frozenset[str]:
    return frozenset(t.text for t in tokenize(text) if t.kind == "ident")


def reachable(libraries: list[tuple[str, str]], roots: list[str]) -> list[tuple[str, str]]:
    """``(name, text)`` of each library module with a reachable rule, unreachable rules blanked."""
    names: set[str] = set()
    for text in roots:
        names |= _identifiers(text)
    parsed = [(name, _parsed(text)) for name, text in libraries]
    kept: list[set[int]] = [set() for _ in parsed]
    changed = True
    while changed:
        changed = False
        for keep, (_, mod) in zip(kept, parsed, strict=True):
            for n, st in enumerate(mod.statements):
                if st.rule is None or n in keep or st.rule.base_name not in names:
                    continue
                keep.add(n)
                changed = True
                names.update(t.text for t in mod.tokens[st.start_idx : st.end_idx] if t.kind == "ident")
    out: list[tuple[str, str]] = []
    for keep, (name, mod) in zip(kept, parsed, strict=True):
        if not keep:
            continue
        edits = []
        for n, st in enumerate(mod.statements):
            if st.rule is not None and n not in keep:
                start, end = mod.tokens[st.start_idx].start, mod.tokens[st.end_idx - 1].end
                edits.append((start, end, blank(mod.src[start:end])))
        out.append((name, apply_edits(mod.src, edits)))
    return out
