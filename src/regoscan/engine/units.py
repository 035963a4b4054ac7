"""From prepared modules to the runtime's units, and back from the runtime to notices.

The runtime knows modules and entrypoints only; this stage remembers where each
entrypoint came from (file, line, package, rule), so every engine message can cite the
user's own source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyset import METADATA_RULES, NAMESPACE_EXCEPTIONS, entrypoint
from regoscan.models import Notice, NoticeLevel
from regoscan.rego.lexer import OPENERS, tokenize
from regoscan.rego.prepare import PreparedModule
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit, Quarantined
from regoscan.rego.syntax import matching_close


@dataclass
class Origin:
    path: str
    line: int
    package: str
    rule: str
    source: str = ""
    """The module's own text, to find the line of a call the engine names without one."""


def policy_units(modules: list[PreparedModule], check_pkgs: set[str], meta_eps: set[str]) -> tuple[
        list[PolicyUnit], dict[str, Origin]]:
    """One unit per module with the entrypoints a scan queries, and each entrypoint's origin."""
    units: list[PolicyUnit] = []
    origins: dict[str, Origin] = {}
    for mod in modules:
        eps: list[str] = []
        pkg = mod.package or ""
        if pkg in check_pkgs:
            for rule in mod.check_rules:
                ep = entrypoint(pkg, rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        if pkg in check_pkgs or pkg == NAMESPACE_EXCEPTIONS or mod.exceptions:
            for d in mod.exceptions:
                ep = entrypoint(pkg, d.rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = Origin(mod.path, d.line, pkg, "exception", mod.original)
        for rule in METADATA_RULES:
            ep = entrypoint(pkg, rule)
            if ep in meta_eps and ep not in origins and mod.rule_line(rule) is not None:
                eps.append(ep)
                origins[ep] = Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        units.append(PolicyUnit(mod.name, mod.text, eps, library=not eps, rule_spans=mod.rule_spans))
    return units, origins


def quarantine_notices(runtime: PolicyRuntime, modules: list[PreparedModule], notices: NoticeSink) -> None:
    by_name = {m.name: m for m in modules}
    for q in runtime.quarantined:
        mod = by_name.get(q.unit)
        code = "policy-crash" if q.crashed else "policy-compile-error"
        if q.syntax and mod is not None:
            notices.add(syntax_notice(q, mod))
            continue
        message = f"policy not loaded: {q.message}"
        if mod is not None and mod.log.upgraded_v0:
            message += " (module was upgraded from Rego v0 syntax)"
        notices.add(Notice(NoticeLevel.ERROR, code, message, q.unit, q.line))


_OPENERS = {"(": "(", "[": "[", "{": "{", '"': "string", "`": "raw string"}


def syntax_notice(q: Quarantined, mod: PreparedModule, code: str = "policy-compile-error",
                  lead: str = "policy not loaded") -> Notice:
    """One notice for a module rego-cpp could not parse: line, column, the line's text.

    rego-cpp lists the innermost error first, then every construct around it ("this is
    unclosed" for the body, then the file): those echoes are dropped; another error of
    its own is named after the first. An unclosed bracket is named by its character.
    rego-cpp parsed the prepared text (``sprintf`` routed to a stand-in, v0 heads
    upgraded): the line and column shown are the user's own, mapped back.
    """
    lines = mod.text.split("\n")
    first = q.syntax[0]
    line, column, what = first.get("line"), first.get("column"), str(first.get("message") or "")
    source = lines[line - 1] if isinstance(line, int) and 0 < line <= len(lines) else None
    if what == "this is unclosed" and source is not None and isinstance(column, int) \
            and 0 < column <= len(source) and source[column - 1] in _OPENERS:
        what = f"`{_OPENERS[source[column - 1]]}` is not closed"
    original = mod.original.split("\n")
    rewritten = source is not None and len(original) == len(lines) and original[line - 1] != source  # type: ignore[index]
    if rewritten:
        assert source is not None and isinstance(line, int)
        if isinstance(column, int):
            column = original_column(source, original[line - 1], column)
        source = original[line - 1]
    others = [e for e in q.syntax[1:] if e.get("message") != "this is unclosed"]
    message = f"{lead}: syntax error"
    if isinstance(column, int):
        message += f" at column {column}"
    message += f": {what}"
    if source is not None and source.strip():
        message += f" in `{source.strip()}`"
    if others:
        message += "; also " + "; ".join(f"line {e.get('line')}, column {e.get('column')}: {e.get('message')}"
                                         for e in others[:3])
    if rewritten and mod.log.upgraded_v0:
        message += " (module was upgraded from Rego v0 syntax)"
    if what == "Invalid collection" and isinstance(line, int) and isinstance(column, int) \
            and _key_value_some_inside(original, line, column):
        message += ("; rego-cpp (regopy) cannot parse `some k, v in xs` inside an array or set comprehension, "
                    "which OPA accepts: write `some k; v := xs[k]`")
    return Notice(NoticeLevel.ERROR, code, message, q.unit, line, column=column, source=source)


def _key_value_some_inside(lines: list[str], line: int, column: int) -> bool:
    """Whether the collection opened at (line, column) holds ``some k, v in``: rego-cpp's
    "Invalid collection" for it names nothing a user could act on. Read with the module
    tokenizer, so brackets and words inside strings and comments do not count."""
    text = "\n".join(lines[line - 1:])
    tokens = [t for t in tokenize(text) if t.kind not in ("ws", "nl", "comment")]
    opened = next((i for i, t in enumerate(tokens) if t.start == column - 1), None)
    if opened is None or tokens[opened].text not in OPENERS:
        return False
    inside = tokens[opened:matching_close(tokens, opened) + 1]
    shape = ("some", "ident", ",", "ident", "in")
    for i in range(len(inside) - len(shape) + 1):
        window = inside[i:i + len(shape)]
        if window[0].text == "some" and window[2].text == "," and window[4].text == "in" \
                and window[1].kind == window[3].kind == "ident":
            return True
    return False


def original_column(prepared: str, original: str, column: int) -> int:
    """The 1-based column in the user's line of ``column`` in the prepared line: text the
    preparation kept maps one to one, a replaced stretch to where it starts."""
    index = column - 1
    import difflib  # only when an error column is mapped: not a cost of every scan
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, prepared, original, autojunk=False).get_opcodes():
        if i1 <= index < i2 or i1 == i2 == index:
            return j1 + (index - i1 if tag == "equal" else 0) + 1
    return max(1, min(column, len(original) + 1))


def legacy_metadata(runtime: PolicyRuntime, meta_eps: set[str]) -> dict[str, Any]:
    """Evaluate ``__rego_metadata__``/``__rego_input__`` once with an empty input."""
    compiled = set(runtime.entrypoints)
    eps = [ep for ep in sorted(meta_eps) if ep in compiled]
    if not eps:
        return {}
    res = runtime.run([Job(-1, {}, eps)])[0]
    return dict(res.values)
