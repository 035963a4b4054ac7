"""Library modules cut down to the rules a set of modules can reach.

Why: regopy numbers the local variables of every function of a bundle in one sequence,
and its evaluator copies that whole frame on every built-in call (and checks the whole
bundle on every query). So each operation of a check costs more the more rules its
bundle holds, reachable or not: about 2.5 s of the corpus's 4.7 s Kubernetes
evaluation went to the frames of the built-in library's unused rules (measured by
inflating a bundle by 6,000 locals: +2 s). A check compiled beside only the library
rules it can reach evaluates in a small frame, and compiles faster.

Reachability follows references, and errs on the side of keeping:
* ``alias.rule`` (an import alias), ``data.pkg.path.rule`` and ``pkg`` paths reach that
  rule of that library package; a reference to a package itself (``data.lib.x``
  alone, or followed by ``[``) keeps the whole package;
* a bare name reaches the rule of that name in the referring module's own package;
* every definition of a kept name stays (default, else chains, incremental ones);
  imports and packages stay. Removed rules are blanked, never deleted, so line
  numbers in engine messages stay true.
The caller uses it only for libraries it controls; a module that reaches into ``data``
dynamically (``data[x]``, ``walk(data)``) keeps every library whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from regoscan.rego.lexer import Token, apply_edits, blank
from regoscan.rego.syntax import ModuleSyntax, parse_module

_ALL = "*"


@lru_cache(maxsize=256)
def _parsed(text: str) -> ModuleSyntax:
    return parse_module(text)


@dataclass
class _Refs:
    """What one stretch of code refers to: (package, rule name or ``*``) pairs."""

    rules: set[tuple[str, str]] = field(default_factory=set)
    everything: bool = False


def _chains(tokens: list[Token], start: int, end: int) -> list[tuple[list[str], str | None]]:
    """The dotted identifier chains in a token range, with the token that follows each."""
    sig = [t for t in tokens[start:end] if t.significant]
    out: list[tuple[list[str], str | None]] = []
    i = 0
    while i < len(sig):
        tok = sig[i]
        if tok.kind != "ident" or (i > 0 and sig[i - 1].text == "."):
            i += 1
            continue
        chain = [tok.text]
        j = i + 1
        while j + 1 < len(sig) and sig[j].text == "." and sig[j + 1].kind == "ident":
            chain.append(sig[j + 1].text)
            j += 2
        out.append((chain, sig[j].text if j < len(sig) else None))
        i = j
    return out


def _refs(mod: ModuleSyntax, start: int, end: int, packages: set[str]) -> _Refs:
    """The library rules a token range of ``mod`` refers to."""
    refs = _Refs()
    own = mod.package or ""
    aliases = mod.import_aliases()
    for chain, after in _chains(mod.tokens, start, end):
        _note_chain(chain, after == "[", own, aliases, packages, refs)
    return refs


def _note_chain(chain: list[str], indexed: bool, own: str, aliases: dict[str, str],
                packages: frozenset[str] | set[str], refs: _Refs) -> None:
    """Record what one dotted name refers to: a rule of the module's own package, or a path under
    ``data`` (spelt out or through an import alias); ``data`` itself reaches everything."""
    head = chain[0]
    if head == "data":
        path = chain[1:]
    elif head in aliases:
        path = aliases[head].split(".") + chain[1:]
    else:
        refs.rules.add((own, head))
        return
    if not path:
        refs.everything = True
        return
    _resolve(path, indexed, packages, refs)


_CHAIN = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(\s*\[)?")
_DIRECTIVE = re.compile(r"^[ \t]*(?:package|import)\b[^\n]*", re.M)
# string literals, then comments (a '#' inside a string is gone by then)
_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|`[^`]*`')
_COMMENT = re.compile(r"#[^\n]*")


def _root_refs(text: str, packages: frozenset[str]) -> _Refs:
    """What a root module refers to, read with regular expressions rather than the tokenizer.

    Roots are many (one per check) and need no rule structure. Strings and comments are
    removed first: a message saying "stale package data" read as ``data`` itself kept
    every library whole (DS017, KSV01010), with the scan's clock in the bundle.
    """
    refs = _Refs()
    mod_package = next((m.group(0).split()[1] for m in _DIRECTIVE.finditer(text)
                        if m.group(0).split()[0] == "package" and len(m.group(0).split()) > 1), "")
    aliases: dict[str, str] = {}
    for m in _DIRECTIVE.finditer(text):
        words = m.group(0).split()
        if words[0] == "import" and len(words) > 1 and words[1].startswith("data."):
            target = words[1][len("data."):]
            aliases[words[3] if len(words) > 3 and words[2] == "as" else target.rsplit(".", 1)[-1]] = target
    body = _DIRECTIVE.sub("", _COMMENT.sub("", _STRING.sub('""', text)))
    for m in _CHAIN.finditer(body):
        _note_chain(m.group(1).split("."), bool(m.group(2)), mod_package, aliases, packages, refs)
    return refs


_DATA = re.compile(r"data\b((?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)")
_PART_OF_NAME = re.compile(r"[\w.]")
"""A character before ``data`` that makes it part of another name or reference (``mydata``, ``x.data``)."""


def matches_not_after(pattern: re.Pattern[str], text: str, before: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """``pattern``'s matches in ``text`` whose preceding character does not match ``before``.

    Why by hand: a pattern that starts with a look-behind or ``\\b`` is tried at every
    position of the text, twenty times slower than one starting with a literal such as
    ``data`` (a hundred check bundles' texts at every start). After a refused match the
    search goes on from its next character, as the look-behind would.
    """
    pos = 0
    while m := pattern.search(text, pos):
        start = m.start()
        if start and before.match(text, start - 1):
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1


@lru_cache(maxsize=1024)
def data_paths(text: str) -> frozenset[tuple[str, ...]] | None:
    """The ``data.a.b`` paths a module reads (imports included), or None when it reads ``data``
    itself or indexed (``data[x]``, ``walk(data, ...)``): then it may read anything.

    Regular expressions over the text without its strings and comments: the tokenizer
    cost 0.27 s per scan here (a hundred check bundles).
    """
    out: set[tuple[str, ...]] = set()
    code = _COMMENT.sub("", _STRING.sub('""', text))
    for m in matches_not_after(_DATA, code, _PART_OF_NAME):
        path = tuple(part.strip() for part in m.group(1).split(".")[1:])
        if not path:
            return None
        out.add(path)
    return frozenset(out)


def _resolve(path: list[str], indexed: bool, packages: frozenset[str] | set[str], refs: _Refs) -> None:
    """Record what a data path (without ``data``) reaches: a rule, a whole package, or packages below it."""
    for k in range(len(path), 0, -1):
        pkg = ".".join(path[:k])
        if pkg in packages:
            refs.rules.add((pkg, path[k] if k < len(path) else _ALL))
            break
    else:
        dotted = ".".join(path)
        refs.rules.update((p, _ALL) for p in packages if p.startswith(dotted + "."))
    if indexed and ".".join(path) in packages:
        refs.rules.add((".".join(path), _ALL))


@lru_cache(maxsize=256)
def _statement_refs(text: str, packages: frozenset[str]) -> tuple[tuple[int, str | None, _Refs], ...]:
    """Per statement of a module: (index, rule name or None, what it refers to); computed once per text."""
    mod = _parsed(text)
    out = []
    for n, st in enumerate(mod.statements):
        if st.kind in ("package", "import"):
            continue  # an import alone reaches nothing; its uses do
        out.append((n, st.rule.base_name if st.rule is not None else None,
                    _refs(mod, st.start_idx, st.end_idx, set(packages))))
    return tuple(out)


def reachable(libraries: list[tuple[str, str]], roots: list[str]) -> list[tuple[str, str]]:
    """``(name, text)`` of each library module with a reachable rule, unreachable rules blanked."""
    parsed = [(name, text, _parsed(text)) for name, text in libraries]
    packages = frozenset(mod.package for _, _, mod in parsed if mod.package)
    wanted: set[tuple[str, str]] = set()
    for text in roots:
        refs = _root_refs(text, packages)
        if refs.everything:
            return list(libraries)
        wanted |= refs.rules
    kept: list[set[int]] = [set() for _ in parsed]
    changed = True
    while changed:
        changed = False
        for keep, (_, text, mod) in zip(kept, parsed, strict=True):
            pkg = mod.package or ""
            whole = (pkg, _ALL) in wanted
            for n, name, refs in _statement_refs(text, packages):
                if name is None or n in keep or not (whole or (pkg, name) in wanted):
                    continue
                keep.add(n)
                changed = True
                if refs.everything:
                    return list(libraries)
                wanted |= refs.rules
    out: list[tuple[str, str]] = []
    for keep, (name, _, mod) in zip(kept, parsed, strict=True):
        if not keep:
            continue
        edits = []
        for n, st in enumerate(mod.statements):
            if st.rule is not None and n not in keep:
                start, end = mod.tokens[st.start_idx].start, mod.tokens[st.end_idx - 1].end
                edits.append((start, end, blank(mod.src[start:end])))
        out.append((name, apply_edits(mod.src, edits)))
    return out
