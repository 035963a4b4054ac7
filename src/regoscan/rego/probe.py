"""Find the statement of a rule body whose built-in call fails.

regopy reports a failing built-in call (``to_number("frontend")``, ``1/0``) by its message
alone: no file, no line (the error node carries the argument's value, not its place).
When an exception errors, users need the line of the statement to fix, not only the
line of the ``exception`` head. So the body is cut into its top-level statements and
one rule per prefix (statements 1..k) is evaluated on the same input, with built-in
errors as errors: the first prefix that errors ends at the failing statement.

The probe module is only built after an error, beside the whole compiled set (so every
reference resolves as it did), and it lives in the rule's own package with the
module's imports. A body whose prefixes are not valid on their own (a variable used
before the statement that binds it) does not compile; the caller then keeps the rule's
own line.
"""

from __future__ import annotations

from dataclasses import dataclass

from regoscan.rego.rewrite import split_literals
from regoscan.rego.syntax import parse_module

PROBE_PREFIX = "__rs_probe"


@dataclass
class Statement:
    line: int
    text: str


@dataclass
class ProbeModule:
    text: str
    package: str
    rules: list[tuple[str, Statement]]
    """One rule per prefix, in body order, with the prefix's last statement."""


def body_statements(source: str, rule_name: str, rule_line: int) -> list[Statement] | None:
    """The top-level statements of the braced body of ``rule_name`` defined at ``rule_line``.

    ``source`` is the module as it was given to the engine (after every rewrite, so the
    statements read as they were evaluated; rewrites keep lines). ``None`` when there is no
    such definition or it has no single braced body.
    """
    syntax = parse_module(source)
    rule = next((r for r in syntax.rules if r.name == rule_name and r.line == rule_line), None)
    if rule is None or len(rule.bodies) != 1 or rule.else_heads:
        return None
    toks = syntax.tokens
    body = rule.bodies[0]
    out: list[Statement] = []
    for start, end in split_literals(toks, body.open_idx + 1, body.close_idx):
        sig = [i for i in range(start, end) if toks[i].significant]
        out.append(Statement(toks[sig[0]].line, source[toks[sig[0]].start : toks[sig[-1]].end]))
    return out or None


def prefix_probes(source: str, statements: list[Statement], tag: str) -> ProbeModule | None:
    """A module with one rule per prefix of ``statements`` (see ``body_statements``), in the
    package and with the imports of ``source``; ``tag`` makes its rule names unique."""
    syntax = parse_module(source)
    if syntax.package is None or not statements:
        return None
    toks = syntax.tokens
    imports = [source[toks[st.start_idx].start : toks[st.end_idx - 1].end] for st in syntax.imports]
    lines = [f"package {syntax.package}", "", *imports, ""]
    rules: list[tuple[str, Statement]] = []
    for k in range(1, len(statements) + 1):
        name = f"{PROBE_PREFIX}_{tag}_{k}"
        lines.append(f"{name} contains 1 if {{")
        lines.extend(st.text for st in statements[:k])
        lines.append("}")
        rules.append((name, statements[k - 1]))
    return ProbeModule("\n".join(lines) + "\n", syntax.package, rules)
