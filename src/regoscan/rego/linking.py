"""Cross-module fix-ups that need the whole policy set.

regopy fails to build (or crashes, depending on load order) when two packages define
functions with the same name and different arities, e.g. a user's ``format(msg)``
beside another package's ``format(fmt, args)``. Trivy-derived checks do this all the
time, so such functions are renamed per arity (``format`` -> ``format__rs1``) at the
definition and at every call site that resolves to it: local calls, calls through an
import alias, and ``data.<pkg>.<fn>(...)`` calls. Renames keep every line in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from regoscan.rego.lexer import KEYWORDS, Token, apply_edits
from regoscan.rego.syntax import ModuleSyntax, RuleDef, matching_close, parse_module

Edit = tuple[int, int, str]


@dataclass
class FunctionDef:
    package: str
    name: str
    arity: int


def _arity(tokens: list[Token], open_idx: int) -> int:
    close = matching_close(tokens, open_idx)
    depth = 0
    commas = 0
    seen = False
    for i in range(open_idx + 1, close):
        t = tokens[i]
        if not t.significant:
            continue
        seen = True
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
        elif t.kind == "op" and t.text == "," and depth == 0:
            commas += 1
    return commas + 1 if seen else 0


def function_arity(mod: ModuleSyntax, rule: RuleDef) -> int:
    if not rule.is_function:
        return 0
    open_idx = next((i for i in rule.head_idx if mod.tokens[i].text == "("), None)
    return 0 if open_idx is None else _arity(mod.tokens, open_idx)  # None: broken text, e.g. "if ("


def function_defs(mod: ModuleSyntax) -> list[FunctionDef]:
    pkg = mod.package or ""
    return [FunctionDef(pkg, rule.name, function_arity(mod, rule)) for rule in mod.rules
            if rule.is_function and "." not in rule.name]


def clashing_names(defs: list[FunctionDef]) -> set[str]:
    """Function names defined with more than one arity across packages."""
    arities: dict[str, set[int]] = {}
    for fd in defs:
        arities.setdefault(fd.name, set()).add(fd.arity)
    return {n for n, a in arities.items() if len(a) > 1}


def clashing_functions(mods: list[ModuleSyntax]) -> dict[str, dict[str, int]]:
    """``{package: {name: arity}}`` for every function whose name has several arities across packages."""
    defs = [fd for mod in mods for fd in function_defs(mod)]
    clash = clashing_names(defs)
    owners: dict[str, dict[str, int]] = {}
    for fd in defs:
        owners.setdefault(fd.package, {})[fd.name] = fd.arity
    return {pkg: {n: a for n, a in fns.items() if n in clash} for pkg, fns in owners.items()
            if any(n in clash for n in fns)}


def _mangled(name: str, arity: int) -> str:
    return f"{name}__rs{arity}"


def rename_edits(mod: ModuleSyntax, renames: dict[str, dict[str, int]]) -> list[Edit]:
    pkg = mod.package or ""
    toks = mod.tokens
    local = renames.get(pkg, {})
    aliases = mod.import_aliases()
    edits: list[Edit] = []
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        member = i > 0 and toks[i - 1].text == "." and toks[i - 1].end == t.start
        if t.kind != "ident" or t.text in KEYWORDS or member:
            i += 1
            continue
        parts = [i]
        j = i
        while j + 2 < n and toks[j + 1].text == "." and toks[j + 2].kind == "ident" \
                and toks[j + 1].start == toks[j].end and toks[j + 2].start == toks[j + 1].end:
            parts.append(j + 2)
            j += 2
        is_call = j + 1 < n and toks[j + 1].text == "(" and toks[j + 1].start == toks[j].end
        if is_call:
            names = [toks[k].text for k in parts]
            fn = names[-1]
            target: str | None = None
            if len(names) == 1:
                target = pkg if fn in local else None
            elif names[0] == "data":
                target = ".".join(names[1:-1])
            elif names[0] in aliases:
                target = ".".join([aliases[names[0]], *names[1:-1]])
            if target is not None and fn in renames.get(target, {}):
                last = toks[parts[-1]]
                # definitions are found here too: a head `f(x) := ...` reads like a local call
                edits.append((last.start, last.end, _mangled(fn, renames[target][fn])))
        i = j + 1
    return edits


def link(texts: dict[str, str], defs: list[FunctionDef] | None = None) -> tuple[dict[str, str], list[str]]:
    """Rename clashing functions across ``{module name: text}``; returns new texts and notes.

    ``defs``, when the caller already knows every module's function definitions, lets the
    common no-clash case return without parsing any module again.
    """
    if defs is not None and not clashing_names(defs):
        return texts, []
    syntaxes = {name: parse_module(text) for name, text in texts.items()}
    renames = clashing_functions(list(syntaxes.values()))
    if not renames:
        return texts, []
    notes = [f"renamed {pkg}.{fn}/{arity} (same name, other arity elsewhere)"
             for pkg, fns in sorted(renames.items()) for fn, arity in sorted(fns.items())]
    out: dict[str, str] = {}
    for name, mod in syntaxes.items():
        edits = rename_edits(mod, renames)
        out[name] = apply_edits(texts[name], edits) if edits else texts[name]
    return out, notes
