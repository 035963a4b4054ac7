"""Just enough Rego structure to rewrite modules and to know what they define.

regopy offers no API to list a module's package, rules or annotations, and it
misparses v0 syntax silently, so regoscan reads the structure itself: top-level
statements (package, imports, rules with heads and bodies) and, inside bodies, the
literals and nested queries (comprehensions, ``every``). It is not a full parser; it
tracks brackets and statement boundaries, which is what every rewrite needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regoscan.rego.lexer import CLOSERS, OPENERS, Token, string_value, tokenize

# A `{` right after one of these starts a value (object/set literal), not a rule body.
_VALUE_PREFIX = frozenset(
    {"=", ":=", ",", "(", "[", ":", "+", "-", "*", "/", "%", "&", "|", "==", "!=", "<", ">", "<=", ">=", "in"}
)
# A statement continues on the next line when its last token is one of these.
_CONTINUATION = _VALUE_PREFIX | {"if", "else", "contains", "as", "with", "not", "some", "every", "."}
# Words that may follow a closing bracket inside one statement (``x := {..} if``,
# ``} else :=``, ``with input as {..} with``); any other word there starts a new rule.
_AFTER_CLOSER = frozenset({"if", "else", "contains", "in", "with", "as"})


@dataclass
class Body:
    """A rule body ``{ ... }``: indices of its braces in the token list."""

    open_idx: int
    close_idx: int


@dataclass
class RuleDef:
    """One definition of a rule (a rule may be defined several times)."""

    name: str
    """Head name; for ref heads (``a.b.c``) the full dotted ref."""
    line: int
    start_idx: int
    end_idx: int
    head_idx: list[int]
    """Significant token indices of the head (before the first body or ``if``)."""
    bodies: list[Body] = field(default_factory=list)
    else_heads: list[list[int]] = field(default_factory=list)
    inline_body: tuple[int, int] | None = None
    """``p if expr`` without braces: token index range [start, end) of the expression."""
    is_default: bool = False
    has_if: bool = False
    has_contains: bool = False
    is_function: bool = False

    @property
    def base_name(self) -> str:
        return self.name.split(".", 1)[0].split("[", 1)[0]


@dataclass
class Statement:
    kind: str
    """package | import | rule | bad"""
    start_idx: int
    end_idx: int
    line: int
    text: str = ""
    rule: RuleDef | None = None


@dataclass
class ModuleSyntax:
    src: str
    tokens: list[Token]
    statements: list[Statement]

    @property
    def package(self) -> str | None:
        """The package path, dotted (``lib["kubernetes"]`` and ``lib . kubernetes`` are
        ``lib.kubernetes``, as rego-cpp reads them); the text as written when it is not a
        path of names (see ``package_problem``)."""
        for st in self.statements:
            if st.kind == "package":
                return package_path(self.tokens, st.start_idx, st.end_idx) or st.text
        return None

    @property
    def package_problem(self) -> str | None:
        """Why the package declaration is not a path of names regoscan can read, or None."""
        for st in self.statements:
            if st.kind == "package":
                if package_path(self.tokens, st.start_idx, st.end_idx) is None:
                    return (f"package {st.text[:80]!r} is not a path of names; write it as names separated "
                            "by dots (package user.kubernetes.MY001)")
                return None
        return None

    @property
    def package_line(self) -> int | None:
        for st in self.statements:
            if st.kind == "package":
                return st.line
        return None

    @property
    def imports(self) -> list[Statement]:
        return [st for st in self.statements if st.kind == "import"]

    @property
    def rules(self) -> list[RuleDef]:
        return [st.rule for st in self.statements if st.rule is not None]

    def has_import(self, path: str) -> bool:
        return any(st.text.split(" as ")[0].strip() == path for st in self.imports)

    def import_aliases(self) -> dict[str, str]:
        """Import alias -> the imported path without ``data.`` (``import data.lib.kubernetes``
        gives ``kubernetes -> lib.kubernetes``); imports of ``input``, ``rego.v1``... are left out.

        Whatever follows a reference's first name depends on it: library shaking and
        arity linking resolve ``kubernetes.x`` to ``data.lib.kubernetes.x``, tests spell the
        alias out in mocks regopy would otherwise silently not apply."""
        out: dict[str, str] = {}
        for st in self.imports:
            path, _, alias = st.text.partition(" as ")
            path = path.strip()
            if not path.startswith("data."):
                continue
            target = path[len("data."):]
            out[alias.strip() or target.rsplit(".", 1)[-1]] = target
        return out


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def package_path(tokens: list[Token], start: int, end: int) -> str | None:
    """The dotted path of the ``package`` statement in ``tokens[start:end]``, or None.

    rego-cpp accepts ``package builtin["kubernetes"].KSV012`` and spaces around the dots;
    read as text, such a module escaped the check that keeps the scanned change out of
    the built-in packages. Each part must be a name (``["a-b"]`` has no dotted spelling).
    """
    sig = [tokens[i] for i in _significant(tokens, start, end)]
    if not sig or sig[0].text != "package":
        return None
    parts: list[str] = []
    k = 1
    while k < len(sig):
        t = sig[k]
        if not parts and t.kind == "ident":
            part, k = t.text, k + 1
        elif parts and t.text == "." and k + 1 < len(sig) and sig[k + 1].kind == "ident":
            part, k = sig[k + 1].text, k + 2
        elif parts and t.text == "[" and k + 2 < len(sig) and sig[k + 1].kind in ("str", "raw") \
                and sig[k + 2].text == "]":
            part, k = string_value(sig[k + 1]), k + 3
        else:
            return None
        if part is None or not _NAME.fullmatch(part):
            return None
        parts.append(part)
    return ".".join(parts) or None


def _significant(tokens: list[Token], start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if tokens[i].significant]


def _next_sig(tokens: list[Token], i: int) -> int | None:
    while i < len(tokens):
        if tokens[i].significant:
            return i
        i += 1
    return None


def _split_statements(tokens: list[Token]) -> list[tuple[int, int]]:
    """Group tokens into top-level statements by depth-0 newlines.

    A newline ends a statement unless the statement is visibly unfinished (a trailing
    operator or keyword) or the next line continues it (``else``, or another ``{``
    body after a closed body, as in v0 multi-body rules).

    A word right after a bracket that closes at depth 0 starts a statement too, on the
    same line: rego-cpp reads ``exception contains "x" if {`` / ``false`` / ``} h(p) if
    { true }`` as two rules. Reading it as one let a module that may only define
    exceptions (a built-in check's package) hide a helper clause that switched the check
    off.
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start: int | None = None
    last_sig: Token | None = None
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t.kind == "nl":
            if depth == 0 and start is not None and last_sig is not None:
                nxt = _next_sig(tokens, i + 1)
                nxt_text = tokens[nxt].text if nxt is not None else ""
                unfinished = last_sig.text in _CONTINUATION and last_sig.kind != "str"
                continued = nxt_text == "else" or (nxt_text == "{" and last_sig.text == "}")
                if not unfinished and not continued:
                    spans.append((start, i))
                    start = None
                    last_sig = None
            i += 1
            continue
        if not t.significant:
            i += 1
            continue
        if (start is not None and depth == 0 and last_sig is not None and last_sig.kind == "op"
                and last_sig.text in CLOSERS and t.kind == "ident" and t.text not in _AFTER_CLOSER):
            spans.append((start, i))
            start = None
        if start is None:
            start = i
        if t.kind == "op" and t.text in OPENERS:
            depth += 1
        elif t.kind == "op" and t.text in CLOSERS:
            depth = max(0, depth - 1)
        elif t.kind == "op" and t.text == ";" and depth == 0:
            spans.append((start, i))
            start = None
            last_sig = None
            i += 1
            continue
        last_sig = t
        i += 1
    if start is not None:
        spans.append((start, n))
    return spans


def matching_close(tokens: list[Token], open_idx: int) -> int:
    """Index of the bracket closing ``tokens[open_idx]`` (or the last token if unbalanced)."""
    depth = 0
    for i in range(open_idx, len(tokens)):
        t = tokens[i]
        if t.kind != "op":
            continue
        if t.text in OPENERS:
            depth += 1
        elif t.text in CLOSERS:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


def _parse_rule(tokens: list[Token], start: int, end: int) -> RuleDef:
    sig = _significant(tokens, start, end)
    first = tokens[sig[0]]
    rule = RuleDef(name="", line=first.line, start_idx=start, end_idx=end, head_idx=[])
    k = 0
    if first.text == "default":
        rule.is_default = True
        k = 1
    # head name: ident ( . ident | [ ... ] )*
    name_parts: list[str] = []
    if k < len(sig) and tokens[sig[k]].kind == "ident":
        name_parts.append(tokens[sig[k]].text)
        k += 1
        while k + 1 < len(sig) and tokens[sig[k]].text == "." and tokens[sig[k + 1]].kind == "ident":
            name_parts.append(tokens[sig[k + 1]].text)
            k += 2
    rule.name = ".".join(name_parts)
    if k < len(sig) and tokens[sig[k]].text == "(":
        rule.is_function = True

    state = "head"
    current_head: list[int] = rule.head_idx
    prev_text = ""
    j = 0
    while j < len(sig):
        idx = sig[j]
        t = tokens[idx]
        if t.kind == "op" and t.text in OPENERS:
            close = matching_close(tokens, idx)
            is_body = t.text == "{" and state in ("head", "after_body") and prev_text not in _VALUE_PREFIX
            if is_body and rule.is_default:
                is_body = False
            if is_body:
                rule.bodies.append(Body(idx, close))
                state = "after_body"
                prev_text = "}"
            else:
                if state == "head":
                    current_head.extend(i for i in sig if idx <= i <= close)
                prev_text = tokens[close].text
            while j < len(sig) and sig[j] <= close:
                j += 1
            continue
        if t.kind == "ident" and t.text == "else" and state in ("after_body", "inline", "head"):
            current_head = [idx]
            rule.else_heads.append(current_head)
            state = "head"
            prev_text = "else"
            j += 1
            continue
        if state == "head":
            if t.kind == "ident" and t.text == "if":
                rule.has_if = True
                nxt = sig[j + 1] if j + 1 < len(sig) else None
                if nxt is not None and tokens[nxt].text != "{":
                    # `p if expr`: the expression runs to an `else` at depth 0 or the end
                    stop = end
                    for jj in range(j + 1, len(sig)):
                        tt = tokens[sig[jj]]
                        if tt.kind == "op" and tt.text in OPENERS:
                            continue
                        if tt.text == "else" and _depth_between(tokens, sig[j + 1], sig[jj]) == 0:
                            stop = sig[jj]
                            break
                    if not rule.bodies and rule.inline_body is None:
                        rule.inline_body = (nxt, stop)
                    state = "inline"
                current_head.append(idx)
                prev_text = "if"
                j += 1
                continue
            if t.kind == "ident" and t.text == "contains":
                rule.has_contains = True
            current_head.append(idx)
        prev_text = t.text
        j += 1
    return rule


def _depth_between(tokens: list[Token], start: int, stop: int) -> int:
    depth = 0
    for i in range(start, stop):
        t = tokens[i]
        if t.kind == "op" and t.text in OPENERS:
            depth += 1
        elif t.kind == "op" and t.text in CLOSERS:
            depth -= 1
    return depth


def parse_module(src: str) -> ModuleSyntax:
    """Read a module's top-level structure. Never raises: broken text yields ``bad`` statements."""
    tokens = tokenize(src)
    statements: list[Statement] = []
    for start, end in _split_statements(tokens):
        sig = _significant(tokens, start, end)
        if not sig:
            continue
        first = tokens[sig[0]]
        if first.kind == "ident" and first.text in ("package", "import"):
            text = "".join(tokens[i].text for i in range(sig[0] + 1, end) if tokens[i].kind != "comment")
            statements.append(Statement(first.text, start, end, first.line, " ".join(text.split())))
            continue
        if first.kind == "ident":
            rule = _parse_rule(tokens, start, end)
            statements.append(Statement("rule", start, end, first.line, rule=rule))
            continue
        statements.append(Statement("bad", start, end, first.line))
    return ModuleSyntax(src, tokens, statements)


def is_v1_module(mod: ModuleSyntax) -> bool:
    """A module opts into v1 with ``import rego.v1``; OPA treats everything else as v0."""
    return mod.has_import("rego.v1")
