"""Turn one Rego file into a module regopy evaluates correctly, and describe it.

The pipeline (each step keeps line numbers):
1. read the structure (package, imports, rules, ``# METADATA``);
2. upgrade v0 syntax to v1 unless the module imports ``rego.v1``;
3. hoist iterating refs out of call arguments (regopy compile/silent-undefined bugs);
4. route a few built-ins regopy lacks or gets wrong to Rego stand-ins;
5. give every ``exception`` definition its own rule name so the engine can tell which
   definition waived a finding and cite its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from regoscan.rego.annotations import Annotation, package_annotation, parse_annotations
from regoscan.rego.lexer import KEYWORDS, Token, apply_edits, string_value
from regoscan.rego.linking import function_arity
from regoscan.rego.rewrite import Edit, RewriteLog, hoist_edits, keyword_function_renames, upgrade_edits
from regoscan.rego.syntax import ModuleSyntax, is_v1_module, parse_module

CHECK_RULE = re.compile(r"^(deny|warn|violation)(_[A-Za-z0-9_]+)?$")
EXCEPTION_PREFIX = "__rs_exc"
COMPAT_PACKAGE = "regoscan.compat"
MAX_POLICY_BYTES = 1024 * 1024
"""Largest policy file loaded (the largest built-in is under 16 KiB). regopy compiles
about a thousand rules a second, so a policy far beyond this would hold the scan for
minutes; in a pull request that is a denial of service, not a check."""

# Built-ins regopy 1.5.2 does not have (or that OPA removed in v1): a module calling
# one is refused at load time with the line, instead of failing per evaluation.
UNSUPPORTED_CALLS = {
    "net.": "regopy has no net.* built-ins",
    "rego.metadata.": "regopy does not implement rego.metadata.*; use __rego_metadata__ or METADATA",
    "rego.parse_module": "regopy does not implement rego.parse_module",
    "json.match_schema": "regopy does not implement json.match_schema",
    "json.verify_schema": "regopy does not implement json.verify_schema",
    "http.send": "network access is not available to policies",
    "rand.intn": "random numbers would make results differ from run to run",
    "crypto.x509.parse_and_verify_certificates": "certificate verification depends on the current time and the "
                                                 "machine's trust store",
    "crypto.x509.parse_and_verify_certificates_with_options": "certificate verification depends on the current "
                                                              "time and the machine's trust store",
    "strings.render_template": "regopy does not implement strings.render_template",
    "graphql.": "regopy has no graphql.* built-ins",
    "providers.aws.sign_req": "regopy does not implement providers.aws.sign_req",
    "any": "any() was removed from Rego; use `some x in xs` with a condition",
    "all": "all() was removed from Rego; use `every`",
    "set_diff": "set_diff() was removed from Rego; use `a - b`",
    "cast_array": "cast_array() was removed from Rego",
    "cast_set": "cast_set() was removed from Rego",
    "cast_string": "cast_string() was removed from Rego",
    "cast_boolean": "cast_boolean() was removed from Rego",
    "cast_null": "cast_null() was removed from Rego",
    "cast_object": "cast_object() was removed from Rego",
}

# Calls without arguments rewritten to a value (rule) of package regoscan.compat: regopy has
# no zero-argument functions, so ``time.now_ns()`` becomes ``data.regoscan.compat.now_ns``.
COMPAT_VALUES = {
    "time.now_ns": f"data.{COMPAT_PACKAGE}.now_ns",  # the scan's one clock reading
    "opa.runtime": f"data.{COMPAT_PACKAGE}.opa_runtime",  # no environment, no configuration
}

# Calls rewritten to a Rego stand-in in package regoscan.compat (policies/lib/compat.rego).
COMPAT_CALLS = {
    "re_match": "regex.match",
    "time.parse_rfc3339_ns": f"data.{COMPAT_PACKAGE}.parse_rfc3339_ns",
    "isManaged": f"data.{COMPAT_PACKAGE}.is_managed",
    "sprintf": f"data.{COMPAT_PACKAGE}.clean_sprintf",
    # Built-ins that would reach outside the policy (clock, environment, randomness, a
    # debug channel) get deterministic stand-ins; see SECURITY.md, "Rego built-ins".
    "uuid.rfc4122": f"data.{COMPAT_PACKAGE}.uuid_rfc4122",
    "io.jwt.decode_verify": f"data.{COMPAT_PACKAGE}.jwt_decode_verify",
    "trace": f"data.{COMPAT_PACKAGE}.trace_stub",
}


@dataclass
class RuleInfo:
    name: str
    line: int
    is_function: bool = False
    arity: int = 0


@dataclass
class ExceptionDef:
    """One definition of an ``exception`` rule, evaluable on its own."""

    rule: str
    """Rule name to evaluate (the renamed definition, or ``exception`` when not renamed)."""
    line: int


@dataclass
class LoadProblem:
    """Why a module is refused before loading (it is never given to the engine)."""

    message: str
    line: int | None = None


@dataclass
class PreparedModule:
    name: str
    """Unique module name given to regopy (the display path)."""
    path: str
    """Path shown to users."""
    original: str
    text: str
    package: str | None
    package_line: int | None
    v0: bool
    rules: list[RuleInfo] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    exceptions: list[ExceptionDef] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    builtin: bool = False
    log: RewriteLog = field(default_factory=RewriteLog)
    rule_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def package_meta(self) -> Annotation | None:
        return package_annotation(self.annotations)

    @property
    def is_library(self) -> bool:
        ann = self.package_meta
        if ann is not None and isinstance(ann.data.get("custom"), dict) and ann.data["custom"].get("library"):
            return True
        return not any(CHECK_RULE.match(r.name) for r in self.rules) and not self.exceptions

    @property
    def check_rules(self) -> list[str]:
        seen: list[str] = []
        for r in self.rules:
            if CHECK_RULE.match(r.name) and not r.is_function and r.name not in seen:
                seen.append(r.name)
        return seen

    def rule_line(self, name: str) -> int | None:
        for r in self.rules:
            if r.name == name:
                return r.line
        return None

    @property
    def fatal(self) -> bool:
        return bool(self.problems)


def _dotted_calls(tokens: list[Token]) -> list[tuple[str, Token, int, int, bool]]:
    """Every call site as (dotted name, first token, index of the last name token, index of
    the ``(``, whether a part was written in brackets).

    rego-cpp reads a call however it is spaced: whitespace, a newline or a comment may stand
    around the dots and before ``(`` (``opa . runtime ()``), and a part may be a string in
    brackets (``opa["runtime"]()``). Each is the same call, so each is found here; before,
    ``opa.runtime ()`` reached the real built-in past its stand-in.
    """
    sig = [i for i, t in enumerate(tokens) if t.significant]
    out: list[tuple[str, Token, int, int, bool]] = []
    n = len(sig)
    k = 0
    while k < n:
        t = tokens[sig[k]]
        if t.kind != "ident" or t.text in KEYWORDS or (k > 0 and tokens[sig[k - 1]].text == "."):
            k += 1
            continue
        parts = [t.text]
        bracketed = False
        j = k
        while True:
            if j + 2 < n and tokens[sig[j + 1]].text == "." and tokens[sig[j + 2]].kind == "ident":
                parts.append(tokens[sig[j + 2]].text)
                j += 2
                continue
            if j + 3 < n and tokens[sig[j + 1]].text == "[" and tokens[sig[j + 2]].kind in ("str", "raw") \
                    and tokens[sig[j + 3]].text == "]":
                part = string_value(tokens[sig[j + 2]])
                if part is None:
                    break
                parts.append(part)
                bracketed = True
                j += 3
                continue
            break
        if j + 1 < n and tokens[sig[j + 1]].text == "(":
            out.append((".".join(parts), t, sig[j], sig[j + 1], bracketed))
        k = j + 1
    return out


def _keep_lines(src: str, start: int, end: int, replacement: str) -> Edit:
    """An edit that replaces ``src[start:end]`` and keeps its line breaks (lines never move)."""
    return (start, end, replacement + "\n" * src.count("\n", start, end))


def _special(name: str) -> bool:
    return name in COMPAT_VALUES or name in COMPAT_CALLS or any(
        name == prefix or (prefix.endswith(".") and name.startswith(prefix)) for prefix in UNSUPPORTED_CALLS)


def _call_edits(mod: ModuleSyntax, problems: list[LoadProblem]) -> list[Edit]:
    compat = mod.package == COMPAT_PACKAGE  # the stand-ins themselves call the real built-ins
    defined = {r.name for r in mod.rules if r.is_function}
    edits: list[Edit] = []
    toks = mod.tokens
    for name, first, last_idx, open_idx, bracketed in _dotted_calls(toks):
        if name in defined or name.startswith(("data.", "input.")):
            continue
        if bracketed and _special(name) and not compat:
            problems.append(LoadProblem(f"calls {name}() with a part of its name in brackets; write it "
                                        f"as {name}()", first.line))
            continue
        for prefix, why in UNSUPPORTED_CALLS.items():
            if name == prefix or (prefix.endswith(".") and name.startswith(prefix)):
                problems.append(LoadProblem(f"calls {name}(): {why}", first.line))
                break
        else:
            if compat:
                continue
            value = COMPAT_VALUES.get(name)
            if value is not None:
                close = next((i for i in range(open_idx + 1, len(toks)) if toks[i].significant), None)
                if close is not None and toks[close].text == ")":
                    edits.append(_keep_lines(mod.src, first.start, toks[close].end, value))
                else:
                    problems.append(LoadProblem(f"calls {name}() with arguments; it takes none", first.line))
                continue
            target = COMPAT_CALLS.get(name)
            if target is not None:
                edits.append(_keep_lines(mod.src, first.start, toks[last_idx].end, target))
    return edits


def _late_import_edits(mod: ModuleSyntax) -> tuple[list[Edit], list[str]]:
    """rego-cpp rejects imports after the first rule: move them up without moving lines.

    Each late import is blanked where it stands and written into an empty line between
    the package line and the first rule. When there are not enough empty lines the
    imports stay where they are and regopy reports the error with its line.
    """
    first_rule = next((st for st in mod.statements if st.kind == "rule"), None)
    package = next((st for st in mod.statements if st.kind == "package"), None)
    if first_rule is None or package is None:
        return [], []
    late = [st for st in mod.statements if st.kind == "import" and st.start_idx > first_rule.start_idx]
    if not late:
        return [], []
    toks = mod.tokens
    lo, hi = toks[package.end_idx - 1].end, toks[first_rule.start_idx].start
    gaps = [m.start() + 1 for m in re.finditer(r"\n(?=[ \t]*\n)", mod.src[lo:hi])]
    gaps = [lo + g for g in gaps]
    if len(gaps) < len(late):
        return [], []
    edits: list[Edit] = []
    moved: list[str] = []
    for st, gap in zip(late, gaps, strict=False):
        start, end = toks[st.start_idx].start, toks[st.end_idx - 1].end
        text = mod.src[start:end].strip()
        if "\n" in text:
            return [], []
        moved.append(text)
        edits.append((start, end, ""))
        edits.append((gap, gap, text))
    return edits, moved


def _exception_defs(mod: ModuleSyntax, module_index: int) -> tuple[list[Edit], list[ExceptionDef], str]:
    """Rename each partial-set ``exception`` definition so it can be evaluated alone.

    An aggregating ``exception`` rule is appended after the last line, so code that
    reads ``data.<pkg>.exception`` still sees the union and no line moves.
    """
    defs = [r for r in mod.rules if r.name == "exception" and not r.is_function]
    if not defs:
        return [], [], ""
    if not all(r.has_contains for r in defs) or any(r.is_default for r in defs):
        return [], [ExceptionDef("exception", defs[0].line)], ""
    edits: list[Edit] = []
    out: list[ExceptionDef] = []
    tail: list[str] = []
    for r in defs:
        name_tok = next(mod.tokens[i] for i in r.head_idx if mod.tokens[i].text == "exception")
        new = f"{EXCEPTION_PREFIX}_m{module_index}_l{r.line}"
        edits.append((name_tok.start, name_tok.end, new))
        out.append(ExceptionDef(new, r.line))
        tail.append(f"exception contains __rs_x if {{ some __rs_x in {new} }}")
    return edits, out, "\n" + "\n".join(tail) + "\n"


def prepare_module(text: str, path: str, *, module_index: int = 0, builtin: bool = False) -> PreparedModule:
    """Prepare one policy file; problems are recorded on the result, never raised."""
    text = text.lstrip("\ufeff")
    syntax = parse_module(text)
    v0 = not is_v1_module(syntax)
    log = RewriteLog()
    edits: list[Edit] = []
    problems: list[LoadProblem] = []
    if v0:
        up = upgrade_edits(syntax) + keyword_function_renames(syntax)
        log.upgraded_v0 = bool(up)
        edits.extend(up)
    else:
        stray = upgrade_edits(syntax)
        if stray:
            line = text.count("\n", 0, stray[0][0]) + 1
            problems.append(LoadProblem(
                "v0 rule syntax (a body without `if`, or `p[x] {`) in a module that imports rego.v1; "
                "remove the import or write `p contains x if {`", line))
    current = apply_edits(text, edits)
    syntax2 = parse_module(current) if edits else syntax
    second: list[Edit] = hoist_edits(syntax2, log)
    second += _call_edits(syntax2, problems)
    late, moved = _late_import_edits(syntax2)
    second += late
    if moved:
        log.notes.append(f"moved late imports up: {', '.join(moved)}")
    exc_edits, exc_defs, tail = _exception_defs(syntax2, module_index)
    second += exc_edits
    try:
        final = apply_edits(current, second) + tail
    except ValueError as exc:  # overlapping rewrites: evaluate the upgraded text as is
        log.notes.append(f"rewrite skipped: {exc}")
        final = current
        exc_defs = [ExceptionDef("exception", d.line) for d in exc_defs[:1]]
    rules = [RuleInfo(r.name, r.line, r.is_function, function_arity(syntax, r)) for r in syntax.rules]
    spans = [(syntax.tokens[st.start_idx].line, syntax.tokens[st.end_idx - 1].line)
             for st in syntax.statements if st.kind == "rule"]
    if syntax.package is None:
        problems.append(LoadProblem("no package declaration", 1))
    elif syntax.package_problem:
        problems.append(LoadProblem(syntax.package_problem, syntax.package_line))
    return PreparedModule(
        name=path,
        path=path,
        original=text,
        text=final,
        package=syntax.package,
        package_line=syntax.package_line,
        v0=v0,
        rules=rules,
        annotations=parse_annotations(text),
        exceptions=exc_defs,
        problems=problems,
        builtin=builtin,
        log=log,
        rule_spans=spans,
    )


def read_module(path: Path, display: str, *, module_index: int = 0, builtin: bool = False,
                max_bytes: int = MAX_POLICY_BYTES) -> PreparedModule:
    size = path.stat().st_size
    if size > max_bytes:
        mod = PreparedModule(display, display, "", "", None, None, False, builtin=builtin)
        mod.problems.append(LoadProblem(f"policy file is {size} bytes, over the {max_bytes}-byte limit", None))
        return mod
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        mod = PreparedModule(display, display, "", "", None, None, False, builtin=builtin)
        line = raw.count(b"\n", 0, exc.start) + 1
        mod.problems.append(LoadProblem(f"not valid UTF-8 (byte offset {exc.start})", line))
        return mod
    return prepare_module(text, display, module_index=module_index, builtin=builtin)
