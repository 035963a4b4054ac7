"""Source rewrites that make regopy (rego-cpp 1.5.2) evaluate policies correctly.

regopy parses only Rego v1 and silently misreads v0 (``deny[msg] { ... }`` becomes an
object ``{msg: true}``), fails to compile iteration inside call arguments
(``startswith(xs[_], "b")``) and silently returns undefined for ``some i;
f(xs[i])``. Each rewrite here is a list of token-offset edits that never add a line,
so everything downstream can cite the user's own line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regoscan.rego.lexer import KEYWORDS, OPENERS, Token
from regoscan.rego.syntax import ModuleSyntax, RuleDef, matching_close

Edit = tuple[int, int, str]

HOIST_PREFIX = "__rs_h"


@dataclass
class RewriteLog:
    """What was changed, for ``--debug`` output and tests."""

    upgraded_v0: bool = False
    hoisted: int = 0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- v0 -> v1


def _top_level(tokens: list[Token], idxs: list[int]) -> list[int]:
    """Keep the head tokens that sit at bracket depth 0 inside the head."""
    out: list[int] = []
    depth = 0
    for i in idxs:
        t = tokens[i]
        if t.kind == "op" and t.text in OPENERS:
            if depth == 0:
                out.append(i)
            depth += 1
            continue
        if t.kind == "op" and t.text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                out.append(i)
            continue
        if depth == 0:
            out.append(i)
    return out


def upgrade_edits(mod: ModuleSyntax) -> list[Edit]:
    """Edits turning v0 rule heads into v1 (``p[x] {`` -> ``p contains x if {``).

    Heads that already say ``if`` or ``contains`` (v0 modules importing
    ``future.keywords``) are left alone: that is what OPA itself does.
    """
    tokens = mod.tokens
    edits: list[Edit] = []
    for rule in mod.rules:
        if rule.is_default:
            continue
        head = [tokens[i] for i in _top_level(tokens, rule.head_idx)]
        texts = [t.text for t in head]
        if "if" not in texts and "contains" not in texts:
            has_value = "=" in texts or ":=" in texts
            if not rule.is_function and not has_value and head and head[-1].text == "]":
                open_tok = _matching_open(tokens, rule.head_idx, head[-1])
                if open_tok is not None:
                    edits.append((open_tok.start, open_tok.end, " contains "))
                    edits.append((head[-1].start, head[-1].end, ""))
            if rule.bodies:
                first_body = rule.bodies[0]
                # only the first body of the main head: later `{...}` bodies of a v0
                # multi-body rule need no keyword in rego-cpp
                if not rule.else_heads or first_body.open_idx < rule.else_heads[0][0]:
                    edits.append((tokens[first_body.open_idx].start, tokens[first_body.open_idx].start, "if "))
        for else_head in rule.else_heads:
            et = [tokens[i].text for i in _top_level(tokens, else_head)]
            if "if" in et:
                continue
            body = next((b for b in rule.bodies if b.open_idx > else_head[-1]), None)
            if body is not None and _follows(else_head, body.open_idx, rule):
                edits.append((tokens[body.open_idx].start, tokens[body.open_idx].start, "if "))
    return edits


def _follows(else_head: list[int], body_open: int, rule: RuleDef) -> bool:
    """True when ``body_open`` is the body belonging to this else head (no other head in between)."""
    return all(not else_head[-1] < other[0] < body_open for other in rule.else_heads)


def _matching_open(tokens: list[Token], head_idx: list[int], close_tok: Token) -> Token | None:
    depth = 0
    for i in reversed(head_idx):
        t = tokens[i]
        if t.start > close_tok.start:
            continue
        if t.kind == "op" and t.text in (")", "]", "}"):
            depth += 1
        elif t.kind == "op" and t.text in OPENERS:
            depth -= 1
            if depth == 0:
                return t
    return None


def keyword_function_renames(mod: ModuleSyntax) -> list[Edit]:
    """v0 modules may define helpers named like v1 keywords (a local ``contains(a, b)``).

    v1 cannot declare them, so the definition and every call in the module is renamed.
    """
    defined = {r.name for r in mod.rules if r.is_function and r.name in ("contains", "in", "if", "every")}
    if not defined:
        return []
    edits: list[Edit] = []
    toks = mod.tokens
    for i, t in enumerate(toks):
        if t.kind == "ident" and t.text in defined and i + 1 < len(toks) and toks[i + 1].text == "(":
            prev = _prev_sig(toks, i)
            if prev is not None and toks[prev].text == ".":
                continue
            edits.append((t.start, t.end, f"__v0_{t.text}"))
    return edits


# --------------------------------------------------------------------- wildcard hoisting


def _prev_sig(tokens: list[Token], i: int) -> int | None:
    i -= 1
    while i >= 0:
        if tokens[i].significant:
            return i
        i -= 1
    return None


def _sig_range(tokens: list[Token], start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if tokens[i].significant]


def _comprehension_bar(tokens: list[Token], open_idx: int, close_idx: int) -> int | None:
    """Index of the ``|`` that makes ``[x | ...]``/``{x | ...}`` a comprehension, if any."""
    depth = 0
    for i in range(open_idx + 1, close_idx):
        t = tokens[i]
        if t.kind != "op":
            continue
        if t.text in OPENERS:
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
        elif t.text == "|" and depth == 0:
            return i
    return None


def split_literals(tokens: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """Split a query (body interior) into literals on depth-0 ``;`` and newlines."""
    out: list[tuple[int, int]] = []
    depth = 0
    lit_start: int | None = None
    last_sig: Token | None = None
    for i in range(start, end):
        t = tokens[i]
        if t.kind == "nl" and depth == 0:
            if lit_start is not None and last_sig is not None and not _unfinished(last_sig):
                out.append((lit_start, i))
                lit_start, last_sig = None, None
            continue
        if not t.significant:
            continue
        if t.kind == "op" and t.text == ";" and depth == 0:
            if lit_start is not None:
                out.append((lit_start, i))
            lit_start, last_sig = None, None
            continue
        if lit_start is None:
            lit_start = i
        if t.kind == "op" and t.text in OPENERS:
            depth += 1
        elif t.kind == "op" and t.text in (")", "]", "}"):
            depth -= 1
        last_sig = t
    if lit_start is not None:
        out.append((lit_start, end))
    return out


_BINARY = {"=", ":=", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&", "|", ",", "in", "not",
           "with", "as", "some", "every", "."}


def _unfinished(t: Token) -> bool:
    return t.kind != "str" and t.text in _BINARY


@dataclass
class _Hoister:
    tokens: list[Token]
    edits: list[Edit]
    counter: int = 0

    def query(self, start: int, end: int) -> None:
        for lit_start, lit_end in split_literals(self.tokens, start, end):
            self.literal(lit_start, lit_end)

    def inline_query(self, start: int, end: int) -> None:
        """``p if expr``: hoisting needs a braced body, so braces are added when it hoists."""
        before = len(self.edits)
        self.literal(start, end, inline=True)
        if len(self.edits) > before:
            sig = _sig_range(self.tokens, start, end)
            # the brace must come before the hoisted assignments inserted at the same offset
            self.edits.insert(before, (self.tokens[sig[0]].start, self.tokens[sig[0]].start, "{ "))
            self.edits.append((self.tokens[sig[-1]].end, self.tokens[sig[-1]].end, " }"))

    def literal(self, start: int, end: int, inline: bool = False) -> None:
        toks = self.tokens
        sig = _sig_range(toks, start, end)
        if not sig:
            return
        first = toks[sig[0]]
        # nested queries (comprehensions, every-bodies) are handled as queries of their own
        nested = self._nested_queries(sig)
        for q_start, q_end in nested:
            self.query(q_start, q_end)
        if first.text in ("some", "every", "default"):
            return
        if any(toks[i].text == "with" for i in self._depth0(sig)):
            return  # hoisting out of a `with` scope would change what the ref sees
        refs = self._iterating_call_refs(sig, nested)
        if not refs:
            return
        hoists: list[str] = []
        for ref_start, ref_end in refs:
            text = "".join(t.text for t in toks[ref_start : ref_end + 1])
            if "\n" in text:
                continue
            self.counter += 1
            var = f"{HOIST_PREFIX}{self.counter}"
            hoists.append(f"{var} := {text}; ")
            self.edits.append((toks[ref_start].start, toks[ref_end].end, var))
        if not hoists:
            return
        # OPA expands iterating call arguments into their own expression before the
        # literal, `not` included (`not f(xs[_])` holds when some element fails f);
        # regorus agrees, so the hoist goes in front of the whole literal.
        self.edits.append((first.start, first.start, "".join(hoists)))

    def _depth0(self, sig: list[int]) -> list[int]:
        out: list[int] = []
        depth = 0
        for i in sig:
            t = self.tokens[i]
            if t.kind == "op" and t.text in OPENERS:
                depth += 1
            elif t.kind == "op" and t.text in (")", "]", "}"):
                depth -= 1
            elif depth == 0:
                out.append(i)
        return out

    def _nested_queries(self, sig: list[int]) -> list[tuple[int, int]]:
        """Bodies of comprehensions and ``every`` inside a literal (outermost only)."""
        toks = self.tokens
        out: list[tuple[int, int]] = []
        k = 0
        while k < len(sig):
            i = sig[k]
            t = toks[i]
            if t.kind == "op" and t.text in ("[", "{"):
                close = matching_close(toks, i)
                bar = _comprehension_bar(toks, i, close)
                prev = _prev_sig(toks, i)
                is_every_body = t.text == "{" and self._in_every(sig, k)
                if bar is not None:
                    out.append((bar + 1, close))
                elif is_every_body and prev is not None:
                    out.append((i + 1, close))
                else:
                    # look inside literals/args for deeper comprehensions
                    inner = [j for j in sig if i < j < close]
                    out.extend(self._nested_queries(inner))
                while k < len(sig) and sig[k] <= close:
                    k += 1
                continue
            if t.kind == "op" and t.text == "(":
                close = matching_close(toks, i)
                inner = [j for j in sig if i < j < close]
                out.extend(self._nested_queries(inner))
                while k < len(sig) and sig[k] <= close:
                    k += 1
                continue
            k += 1
        return out

    def _in_every(self, sig: list[int], k: int) -> bool:
        return bool(sig) and self.tokens[sig[0]].text == "every" and all(
            self.tokens[j].text != "{" for j in sig[1:k]
        )

    def _iterating_call_refs(self, sig: list[int], nested: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Refs with a variable index (``xs[_]``, ``xs[i]``) inside call arguments."""
        toks = self.tokens

        def in_nested(i: int) -> bool:
            return any(a <= i < b for a, b in nested)

        arg_ranges: list[tuple[int, int]] = []
        for k, i in enumerate(sig):
            t = toks[i]
            if t.kind == "op" and t.text == "(" and k > 0:
                prev = toks[sig[k - 1]]
                if prev.kind == "ident" and prev.text not in KEYWORDS and prev.end == t.start:
                    arg_ranges.append((i, matching_close(toks, i)))
        if not arg_ranges:
            return []
        refs: list[tuple[int, int]] = []
        taken_until = -1
        for k, i in enumerate(sig):
            if i <= taken_until or in_nested(i):
                continue
            if not any(a < i < b for a, b in arg_ranges):
                continue
            t = toks[i]
            if t.kind != "ident" or t.text in KEYWORDS:
                continue
            prev = toks[sig[k - 1]] if k > 0 else None
            if prev is not None and prev.text == "." and prev.end == t.start:
                continue
            end, iterating = self._ref_extent(i)
            nxt = end + 1
            if nxt < len(toks) and toks[nxt].text == "(":
                continue  # a call, not a ref
            if iterating:
                refs.append((i, end))
                taken_until = end
        return refs

    def _ref_extent(self, i: int) -> tuple[int, bool]:
        """Last token index of the ref starting at ``i`` and whether it iterates."""
        toks = self.tokens
        end = i
        iterating = False
        j = i + 1
        while j < len(toks):
            t = toks[j]
            if t.start != toks[j - 1].end:
                break
            if t.text == "." and j + 1 < len(toks) and toks[j + 1].kind == "ident":
                end = j + 1
                j += 2
                continue
            if t.text == "[":
                close = matching_close(toks, j)
                inner = [x for x in range(j + 1, close) if toks[x].significant]
                if len(inner) == 1 and toks[inner[0]].kind == "ident" and toks[inner[0]].text not in KEYWORDS:
                    iterating = True
                end = close
                j = close + 1
                continue
            break
        return end, iterating


def hoist_edits(mod: ModuleSyntax, log: RewriteLog | None = None) -> list[Edit]:
    """Move iterating refs out of call arguments: ``f(xs[_])`` -> ``__rs_h1 := xs[_]; f(__rs_h1)``."""
    hoister = _Hoister(mod.tokens, [])
    for rule in mod.rules:
        # comprehensions in head values (`p := [x | x := lower(xs[_])]`) are queries too
        for head in (rule.head_idx, *rule.else_heads):
            for q_start, q_end in hoister._nested_queries(sorted(head)):
                hoister.query(q_start, q_end)
        for body in rule.bodies:
            hoister.query(body.open_idx + 1, body.close_idx)
        if rule.inline_body is not None:
            hoister.inline_query(*rule.inline_body)
    if log is not None:
        log.hoisted += hoister.counter
    return hoister.edits
