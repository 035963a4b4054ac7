"""regoscan's reading of a module's rules agrees with rego-cpp's.

regoscan reads module structure with its own tokenizer (``rego.syntax``): which rules a
module defines decides what a module of the scanned change may add to a built-in
package. Where the two readers disagreed on where a rule ends (a word after a bracket
that closes a multi-line construct, on that bracket's line), a helper clause hid inside an
``exception`` rule and switched a built-in check off. Here modules are put together from
rule layouts and separators that caused such disagreements (58 of 187 modules rego-cpp
accepted, before the fix), and for each module rego-cpp compiles, the rule names must be
the same as rego-cpp's own (``worker.rule_paths``, read from its compiled bundle).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.rego.process import WorkerProcess
from regoscan.rego.syntax import parse_module

RULES = [
    'exception contains "x" if {\n false\n}',
    'exception contains "x" if { false }',
    "h(p) if { true }",
    "h(p) := true",
    "a := [\n1\n]",
    'b := {\n"a": 1\n}',
    'c := {"a": 1}',
    "default d := 1",
    "e if input.a",
    "f := 1 if {\n false\n} else := 2",
    "g := 1 if { false } else := 2 if {\n true\n}",
    "k(x) := y if {\n y := x\n}",
    "m contains y if {\n some y in [1]\n}",
    'n := concat("", [\n"a"\n])',
    "o := `raw\nstr`",
    "r if {\n true\n} {\n false\n}",
    's := "}\\" t"',
    "u := `}\n} v := 1`",
    "w contains 1 if { # }\n true\n}",
    'y := data.q.zz with input as {\n"a": 1\n}',
    "z := {x | some x in [\n1\n]}",
    "aa := [x |\n x := 1\n]",
    "bb := 1 if input.a == [\n1\n]",
    "cc.dd := 1",
    "ff := {\n1\n} | {2}",
    "default gg(_) := false",
    "hh := 1 if {\n false\n}\nelse := 2",
]
SEPARATORS = ["\n", " ", "\t", "; ", "\n\n", "\r\n", " # c\n", "\f", "\v", "\u00a0", ";\n", "\n "]


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerProcess]:
    proc = WorkerProcess()
    yield proc
    proc.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(RULES), st.sampled_from(SEPARATORS)), min_size=2, max_size=3,
                unique_by=lambda pair: pair[0]))
def test_rule_names_agree_with_rego_cpp(worker: WorkerProcess, layout: list[tuple[str, str]]) -> None:
    body = "".join(rule + sep for rule, sep in layout[:-1]) + layout[-1][0] + "\n"
    src = "package q\n\nimport rego.v1\n\n" + body
    reply = worker.rule_paths("m.rego", src, timeout=60)
    if not reply["ok"]:
        return  # rego-cpp refuses the module: nothing can hide in it
    engine = {path.removeprefix("q.") for path in reply["paths"]}
    assert {r.name for r in parse_module(src).rules} == engine, src


def test_rego_cpps_list_is_the_rules_not_the_references(worker: WorkerProcess) -> None:
    """Calls and references to rules the module does not define are not in the list (an
    exception may call its check's helpers), and a module that does not compile says so."""
    reply = worker.rule_paths("m.rego", 'package builtin["kubernetes"].KSV012\n\nimport rego.v1\n\n'
                              'exception contains "" if { _helper(1); data.lib.kubernetes.f(2); x := other }\n', 60)
    assert reply == {"ok": True, "paths": ["builtin.kubernetes.KSV012.exception"]}
    assert worker.rule_paths("m.rego", "package q\n\nexception contains 1 if {\n", 60)["ok"] is False
