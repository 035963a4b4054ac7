"""The v0->v1 upgrade and the regopy work-arounds, checked against a second engine.

regorus (a Rust engine with a real v0 parser) evaluates the user's original text;
regopy evaluates our rewritten text. They must agree. Line numbers must not move.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regoscan.rego.prepare import prepare_module
from tests.oracle import eval_regopy, eval_regorus

INPUT = {"items": ["a", "b"], "name": "ok", "kind": "Deployment", "n": [1, 2, 3],
         "o": [{"name": "bb"}, {"name": "c"}], "labels": {"app": "web"}}

V0_CASES = {
    "partial_set": 'deny[msg] {\n  x := input.items[_]\n  msg := sprintf("item %s", [x])\n}\n',
    "partial_set_suffix": 'deny_foo[msg] { input.kind == "Deployment"; msg := "d" }\n',
    "incremental": 'p[x] { x := 1 }\np[x] { x := 2 }\n',
    "bodyless_fact": 'p["a"]\np["b"]\n',
    "complete": 'p = 1 { input.name == "ok" }\n',
    "complete_assign": 'p := 1 { input.name == "ok" }\n',
    "bool": 'p { input.name == "ok" }\n',
    "function": 'f(x) = y { y := x + 1 }\np := f(1)\n',
    "function_bool": 'f(x) { x == 1 }\np { f(1) }\n',
    "else_chain": 'p = 1 { false } else = 2 { false } else = 3 { true }\n',
    "else_plain": 'p = 1 { false } else = 2\n',
    "default": 'default p = false\np { false }\n',
    "multi_body": 'p { false } { true }\n',
    "partial_object": 'p[k] = v { some k; v := input.labels[k] }\n',
    "exception": 'exception[rules] {\n  input.name == "ok"\n  rules := ["foo", ""]\n}\n',
    "object_result": 'deny[res] { res := {"msg": "m", "startline": 3} }\n',
    "set_of_arrays": 'p[["a", x]] { x := input.items[_] }\n',
    "future_keywords": 'import future.keywords.in\nimport future.keywords.if\nimport future.keywords.contains\n'
                       'deny contains m if { some x in input.items; m := x }\n',
    "local_contains_fn": 'contains(arr, elem) { arr[_] = elem }\np { contains(input.items, "a") }\n',
    "value_object_head": 'p = {"a": 1} { true }\n',
    "nested_comprehension": 'p[x] { x := count([y | y := input.n[_]; y > 1]) }\n',
}

V1_CASES = {
    "wildcard_in_call": 'p if { startswith(input.items[_], "b") }\n',
    "some_var_in_call": 'p if { some i; startswith(input.items[i], "b") }\n',
    "unbound_var_in_call": 'p if { startswith(input.items[i], "b") }\n',
    "wildcard_in_sprintf_array": 'p contains m if { m := sprintf("%s", [input.items[_]]) }\n',
    "nested_calls": 'p if { count(split(input.items[_], "")) == 1 }\n',
    "field_after_wildcard": 'p contains n if { n := upper(input.o[_].name) }\n',
    "user_fn_wildcard": 'f(x) if startswith(x, "b")\np if { f(input.items[_]) }\n',
    "negated_wildcard_true": 'p if { not startswith(input.items[_], "z") }\n',
    "negated_wildcard_false": 'p if { not startswith(input.items[_], "a") }\n',
    "inline_body": 'p if startswith(input.items[_], "b")\n',
    "comprehension_body": 'p := [x | x := lower(input.items[_])]\n',
    "set_comprehension": 'p := {x | some i; x := upper(input.items[i])}\n',
    "every_body": 'p if { every x in input.o { startswith(x.name, input.o[_].name) } }\n',
    "two_wildcards": 'p contains s if { s := concat("-", [input.items[_], input.o[_].name]) }\n',
    "bound_index": 'p if { i := 1; startswith(input.items[i], "b") }\n',
    "semicolons": 'p contains x if { x := input.n[_]; x > 1; abs(input.n[_]) == 3 }\n',
}


COMPAT = [Path("policies/lib/compat.rego").read_text(encoding="utf-8")]


def _module(body: str, v1: bool) -> str:
    header = "package t\n\nimport rego.v1\n\n" if v1 else "package t\n\n"
    return header + body


def _rules(body: str) -> list[str]:
    names = []
    for line in body.splitlines():
        head = line.split("[", 1)[0].split("(", 1)[0].split(" ", 1)[0].split("=", 1)[0].strip()
        if head in ("p", "deny", "deny_foo", "exception") and head not in names:
            names.append(head)
    return names


@pytest.mark.parametrize("name", sorted(V0_CASES))
def test_v0_module_matches_regorus_v0(name: str) -> None:
    src = _module(V0_CASES[name], v1=False)
    prepared = prepare_module(src, "t.rego")
    assert prepared.v0
    for rule in _rules(V0_CASES[name]):
        expected = eval_regorus(src, f"data.t.{rule}", INPUT, v0=True)
        got = eval_regopy(prepared.text, f"data.t.{rule}", INPUT, extra=COMPAT)
        assert got == expected, f"{name}: data.t.{rule}\n{prepared.text}"


@pytest.mark.parametrize("name", sorted(V1_CASES))
def test_regopy_workarounds_match_regorus(name: str) -> None:
    src = _module(V1_CASES[name], v1=True)
    prepared = prepare_module(src, "t.rego")
    expected = eval_regorus(src, "data.t.p", INPUT, v0=False)
    got = eval_regopy(prepared.text, "data.t.p", INPUT, extra=COMPAT)
    assert got == expected, prepared.text


def test_unrewritten_idioms_really_are_broken_in_regopy() -> None:
    """Guards the premise: if regopy ever fixes these, the rewrites can go."""
    src = _module(V1_CASES["some_var_in_call"], v1=True)
    assert eval_regopy(src, "data.t.p", INPUT) == "undefined"
    v0 = _module(V0_CASES["partial_set"], v1=False)
    assert eval_regopy(v0, "data.t.deny", INPUT) == {"item a": True, "item b": True}


@pytest.mark.parametrize("name", sorted({**V0_CASES, **V1_CASES}))
def test_rewrites_keep_every_line(name: str) -> None:
    body = {**V0_CASES, **V1_CASES}[name]
    src = _module(body, v1=name in V1_CASES)
    out = prepare_module(src, "t.rego").text
    original_lines = src.split("\n")
    assert out.split("\n")[: len(original_lines)][0] == original_lines[0]
    # the rewritten text may only append lines at the end (exception aggregators)
    assert len(out.split("\n")) >= len(original_lines)
    for orig, new in zip(original_lines, out.split("\n"), strict=False):
        if orig.strip().startswith(("package", "import", "#")):
            assert orig == new


def test_exception_definitions_are_attributed_to_their_lines() -> None:
    src = (
        "package builtin.kubernetes.KSV012\n\n"
        "exception[rules] {\n  input.metadata.name == \"a\"\n  rules := [\"\"]\n}\n\n"
        "exception[rules] {\n  input.metadata.name == \"b\"\n  rules := [\"foo\"]\n}\n"
    )
    prepared = prepare_module(src, "exc.rego")
    assert [d.line for d in prepared.exceptions] == [3, 8]
    doc = {"metadata": {"name": "b"}}
    first = eval_regopy(prepared.text, f"data.builtin.kubernetes.KSV012.{prepared.exceptions[0].rule}", doc)
    second = eval_regopy(prepared.text, f"data.builtin.kubernetes.KSV012.{prepared.exceptions[1].rule}", doc)
    union = eval_regopy(prepared.text, "data.builtin.kubernetes.KSV012.exception", doc)
    assert first == []
    assert second == [["foo"]]
    assert union == [["foo"]]


def test_v0_syntax_under_rego_v1_import_is_refused_with_its_line() -> None:
    src = "package t\n\nimport rego.v1\n\np := 1\n\ndeny[msg] {\n  msg := \"x\"\n}\n"
    prepared = prepare_module(src, "t.rego")
    assert prepared.fatal
    assert prepared.problems[0].line == 7


def test_unsupported_builtin_is_refused_with_its_line() -> None:
    src = 'package t\n\nimport rego.v1\n\np if {\n  net.cidr_contains("10.0.0.0/8", input.ip)\n}\n'
    prepared = prepare_module(src, "t.rego")
    assert prepared.fatal
    assert prepared.problems[0].line == 6
    assert "net.cidr_contains" in prepared.problems[0].message


def test_rfc3339_z_suffix_goes_through_compat() -> None:
    src = 'package t\n\nimport rego.v1\n\np := time.parse_rfc3339_ns("2020-01-01T00:00:00Z")\n'
    prepared = prepare_module(src, "t.rego")
    compat = Path("policies/lib/compat.rego").read_text(encoding="utf-8")
    assert eval_regopy(prepared.text, "data.t.p", {}, extra=[compat]) == 1577836800000000000


def test_late_import_moves_into_a_blank_line() -> None:
    src = "package t\n\nimport rego.v1\n\np := 1\nimport data.lib.x\nq := x.y\n"
    prepared = prepare_module(src, "t.rego")
    assert prepared.text.split("\n")[1] == "import data.lib.x"
    assert eval_regopy(prepared.text, "data.t.p", {}) == 1
    assert json.loads(json.dumps(prepared.text.count("\n"))) == src.count("\n")


def test_sprintf_of_derived_strings_is_clean() -> None:
    """regopy quotes lower()/concat() results inside sprintf; the compat route fixes it."""
    src = 'package t\n\nimport rego.v1\n\np := sprintf("a %s b %d", [lower(input.x), 3])\n'
    compat_src = Path("policies/lib/compat.rego").read_text(encoding="utf-8")
    compat = prepare_module(compat_src, "compat.rego")
    assert compat.text == compat_src  # the stand-ins call the real built-ins
    prepared = prepare_module(src, "t.rego")
    assert "data.regoscan.compat.clean_sprintf(" in prepared.text
    assert eval_regopy(prepared.text, "data.t.p", {"x": "ABC"}, extra=[compat.text]) == "a abc b 3"
    assert eval_regopy(src, "data.t.p", {"x": "ABC"}).startswith("error")


def test_broken_function_head_does_not_crash_preparation() -> None:
    """Found by hypothesis: a keyword followed by "(" looks like a function with no head."""
    assert prepare_module("if (", "t.rego").text == "if ("
