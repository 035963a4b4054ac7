"""Inputs built node by node (``rego/input_nodes.py``) are the inputs the term parser gives.

The worker hands rego-cpp each document as a tree built through the C API instead of
text to parse. These tests set the same document both ways, on two interpreters, and
ask one bundle the same questions through each: the document echoed back, and what
rego-cpp's string built-ins make of every string and key in it (they work on the stored
text, which is where a wrongly escaped string would show). Values the builder cannot
give exactly must be declined, and the worker must then send the text.

The built tree is not the parsed one in one way (array elements are not wrapped in
terms), which only the built-ins that serialise a value through a well-formedness check
notice: a policy set that names one gets text (``tree_safe``), and its findings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.rego.input_nodes import NodeInput, tree_safe
from regoscan.rego.runtime import PolicyRuntime, PolicyUnit
from regoscan.rego.values import engine_json, read_wire_value, wire_value
from regoscan.rego.worker import _UNDEFINED, Engine
from tests.helpers import scan_json

PROBE = """package probe

import rego.v1

echo := input

strings := [s | walk(input, [_, s]); is_string(s)]

keys := [k | walk(input, [path, _]); count(path) > 0; k := path[count(path) - 1]]

counts := [count(s) | some s in strings]

uppers := [upper(s) | some s in strings]

trimmed := [trim_space(s) | some s in strings]

heads := [substring(s, 0, 2) | some s in strings]

printed := [sprintf("<%v>", [s]) | some s in strings]

joined := concat("|", strings)

quoted := [s | some s in strings; contains(s, `"`)]

split_lines := [split(s, "\\n") | some s in strings]

key_counts := [count(k) | some k in keys; is_string(k)]
"""
QUESTIONS = ["echo", "strings", "keys", "counts", "uppers", "trimmed", "heads", "printed", "joined", "quoted",
             "split_lines", "key_counts"]

TRICKY_STRINGS = [
    "", "plain", 'a "quoted" word', "back\\slash", "ends with a backslash\\", "new\nline", "tab\there",
    "carriage\rreturn", "nul\x00inside", "bell\x07", "\x1f", "é", "naïve café", "emoji 🚀", "line\u2028sep",
    "\\u00e9 as text", '\\"', "}]{[", "<script>", "%v %s", "  padded  ", "$(command) ${VAR}",
]

TRICKY_DOCS: list[Any] = [
    {"kind": "Pod", "metadata": {"name": "a", "labels": {s: s for s in TRICKY_STRINGS}}},
    {"values": TRICKY_STRINGS, "ints": [0, 1, -1, 2**63 - 1, -(2**63)], "flags": [True, False, None]},
    {"empty_object": {}, "empty_array": [], "nested": [[[]], [{}], {"a": [{"b": {}}]}]},
    {'key "with" quotes': 1, "key\nwith newline": 2, "key\\with\\backslashes": 3, "": 4, "ключ": 5},
    {"__defsec_metadata": {"startline": 1, "endline": 9, "filepath": "dir/with space/é.yaml"},
     "spec": {"containers": [{"name": "c", "__defsec_metadata": {"startline": 3, "endline": 4,
                                                                   "filepath": "dir/with space/é.yaml"}}]}},
    [1, "two", {"three": 3}],
    "a bare string",
    7,
]


@pytest.fixture(scope="module")
def probe() -> Engine:
    engine = Engine()
    reply = engine.load([["probe.rego", PROBE]], {}, [f"probe/{q}" for q in QUESTIONS])
    assert reply.get("ok"), reply
    return engine


def _answers(probe: Engine, runner: Engine) -> dict[str, Any]:
    """Each question's (value, error): rego-cpp errors on some strings however they came in
    (``trim_space`` of the text ``\\u00e9`` is an "Invalid escape sequence"), and an error
    must then be the same error."""
    return {q: probe.evaluate(f"probe/{q}", via=runner) for q in QUESTIONS}


def _built_and_parsed(probe: Engine, doc: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    built, parsed = Engine.input_runner(), Engine.input_runner()
    nodes = NodeInput(built._rs.rego)
    assert nodes.set(built.interp._impl, doc), "the builder declined a value it can give"
    parsed.interp.set_input_term(engine_json(doc))
    return _answers(probe, built), _answers(probe, parsed)


@pytest.mark.parametrize("doc", TRICKY_DOCS, ids=range(len(TRICKY_DOCS)))
def test_built_input_answers_as_the_parsed_text(probe: Engine, doc: Any) -> None:
    built, parsed = _built_and_parsed(probe, doc)
    assert built == parsed
    assert built["echo"] == (doc, None)


def test_string_builtins_work_on_the_same_stored_text(probe: Engine) -> None:
    """rego-cpp's string built-ins work on a string's stored text: UTF-8 characters count
    once (``engine_json`` keeps them unescaped), escapes count as written (``count`` of
    ``x"y`` is 4 on regopy, as with the term parser). Built, the text must be the same."""
    built, parsed = _built_and_parsed(probe, {"a": "é", "b": 'x"y', "c": "1\n2", "d": "\x00"})
    assert built == parsed
    assert built["counts"][0][0] == 1
    assert built["echo"] == ({"a": "é", "b": 'x"y', "c": "1\n2", "d": "\x00"}, None)


DECLINED: list[tuple[str, Any]] = [
    ("float", {"cpu": 0.5}),
    ("tiny float", {"x": [1.5e-07]}),
    ("integer beyond 64 bits", {"n": 2**63}),
    ("negative integer beyond 64 bits", {"n": -(2**63) - 1}),
    ("lone surrogate in a value", {"s": "\ud800"}),
    ("lone surrogate in a key", {"\udfff": 1}),
    ("key that is not a string", {1: "one", None: "none"}),
    ("tuple", {"t": (1, "two")}),
]


@pytest.mark.parametrize(("why", "doc"), DECLINED, ids=[w for w, _ in DECLINED])
def test_values_it_cannot_give_exactly_are_declined_and_sent_as_text(probe: Engine, why: str, doc: Any) -> None:
    runner = Engine.input_runner()
    runner.set_input({"previous": "document"}, tree=True)
    assert NodeInput(runner._rs.rego).set(runner.interp._impl, doc) is False, why
    # what was set before is still the input: a declined document sets nothing
    assert probe.evaluate("probe/echo", via=runner)[0] == {"previous": "document"}
    runner.set_input(read_wire_value(wire_value(doc)), tree=True)  # the worker's path: the text goes instead
    parsed = Engine.input_runner()
    parsed.interp.set_input_term(engine_json(doc))
    assert _answers(probe, runner) == _answers(probe, parsed)


def test_nesting_past_the_recursion_limit_is_declined(probe: Engine) -> None:
    doc: Any = "leaf"
    for _ in range(sys.getrecursionlimit() + 10):
        doc = [doc]
    runner = Engine.input_runner()
    assert NodeInput(runner._rs.rego).set(runner.interp._impl, doc) is False


def test_worker_engine_builds_what_it_can_when_told_to(probe: Engine) -> None:
    runner = Engine.input_runner()
    doc = {"kind": "Deployment", "spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "é"}}}}}
    runner.set_input(doc)
    assert runner._nodes is None  # text unless the policy set allows trees
    runner.set_input(doc, tree=True)
    assert runner._nodes is not None  # the builder was used, and kept for the next document
    assert probe.evaluate("probe/echo", via=runner) == (doc, None)
    runner.set_input({"other": True}, tree=True)
    assert probe.evaluate("probe/echo", via=runner) == ({"other": True}, None)
    assert probe.evaluate("probe/joined", via=runner) == ("", None)


# Built-ins that take composite values: each asked of the same document set both ways.
BUILTINS = {
    "union": 'object.union(input, {"z": 1})',
    "union_n": 'object.union_n([input, {"z": [1]}])',
    "remove": 'object.remove(input, ["a"])',
    "filter": 'object.filter(input, ["arr"])',
    "get_path": 'object.get(input, ["arr", 2, "k"], "d")',
    "json_filter": 'json.filter(input, ["arr/2"])',
    "json_remove": 'json.remove(input, ["arr/0"])',
    "json_patch": 'json.patch(input, [{"op": "add", "path": "/q", "value": 1}])',
    "array_concat": "array.concat(input.arr, [9])",
    "slice": "array.slice(input.arr, 0, 2)",
    "reverse": "array.reverse(input.arr)",
    "sort": "sort(input.nums)",
    "sum": "sum(input.nums)",
    "max": "max(input.nums)",
    "equal_literal": "input.nums == [3, 1, 2]",
    "equal_self": "input.arr == input.arr",
    "nested_equal": 'input.arr[2] == {"k": ["v", 1]}',
    "member": "2 in input.nums",
    "object_member": '{"k": ["v", 1]} in input.arr',
    "set_of": "{x | some x in input.nums}",
    "set_union": "{x | some x in input.nums} | {9}",
    "intersection": "intersection({{x | some x in input.nums}, {1, 2}})",
    "array_in_array": "[input.nums] == [[3, 1, 2]]",
    "array_key": "{input.nums: 1}",
    "set_of_arrays": "{input.nums, input.nums}",
    "walk": "[p | walk(input, [p, _])]",
    "sprintf": 'sprintf("%v", [input.arr])',
    "concat": 'concat(",", input.strs)',
    "any_prefix": 'strings.any_prefix_match(input.strs, "a")',
    "type_names": "[type_name(x) | some x in input.arr]",
    "keys": "object.keys(input)",
    "count": "count(input.arr)",
    "reachable": 'graph.reachable(input.graph, ["a"])',
    "units": "units.parse_bytes(input.strs[2])",
    "to_number": "to_number(input.numstr)",
    "deep_ref": "input.arr[2].k[0]",
    "regex": 'regex.find_n("[a-z]", input.strs[0], -1)',
    "replace": 'strings.replace_n({"a": "b"}, input.strs[0])',
}
BUILTINS_DOC = {"a": 1, "arr": ["s", 2, {"k": ["v", 1]}, [True, None]], "nums": [3, 1, 2],
                "strs": ["abc", "x,y", "10KB"], "graph": {"a": ["b"], "b": []}, "numstr": "42"}


def _ask_both(rules: dict[str, str], doc: Any, strict: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    engine = Engine()
    # rules named q_*: a rule named like a built-in (count, units) would shadow it
    module = "package b\n\nimport rego.v1\n\n" + "\n".join(f"q_{k} := {v}" for k, v in rules.items()) + "\n"
    assert engine.load([["b.rego", module]], {}, [f"b/q_{k}" for k in rules]).get("ok")
    built, parsed = Engine.input_runner(), Engine.input_runner()
    assert NodeInput(built._rs.rego).set(built.interp._impl, doc)
    parsed.interp.set_input_term(engine_json(doc))
    return ({k: engine.evaluate(f"b/q_{k}", strict=strict, via=built) for k in rules},
            {k: engine.evaluate(f"b/q_{k}", strict=strict, via=parsed) for k in rules})


@pytest.mark.parametrize("strict", [False, True], ids=["checks", "exceptions"])
def test_builtins_on_composite_values_agree(strict: bool) -> None:
    """Also with built-in errors as errors, as exceptions are evaluated (``worker.Engine.evaluate``)."""
    built, parsed = _ask_both(BUILTINS, BUILTINS_DOC, strict)
    assert built == parsed
    assert all(err is None for _, err in parsed.values())


def test_json_marshal_refuses_a_built_array_which_is_why_such_sets_get_text() -> None:
    """rego-cpp 1.5.2's trap, pinned: should it go, ``tree_safe`` may let these sets have trees too."""
    rules = {"whole": "json.marshal(input)", "array": "json.marshal(input.nums)", "scalar": "json.marshal(input.a)"}
    built, parsed = _ask_both(rules, BUILTINS_DOC)
    assert parsed["array"] == ("[3,1,2]", None)
    assert built["whole"][0] is _UNDEFINED and built["array"][0] is _UNDEFINED
    assert built["scalar"] == parsed["scalar"] == ("1", None)


@pytest.mark.parametrize("call", ["json.marshal(input)", "json.marshal_with_options(input, {})", "yaml.marshal(x)",
                                  'io.jwt.encode_sign({"alg": "HS256"}, input, k)',
                                  'io.jwt.encode_sign_raw("{}", "{}", "{}")'])
def test_a_policy_set_naming_a_serialising_builtin_gets_text(call: str) -> None:
    unit = PolicyUnit("user.rego", f"package user\n\nimport rego.v1\n\nx := {call}\n", ["user/x"])
    assert not tree_safe([unit.text])
    assert PolicyRuntime([unit], {}).tree_inputs is False
    plain = PolicyUnit("plain.rego", "package plain\n\nimport rego.v1\n\nx := count(input)\n", ["plain/x"])
    assert PolicyRuntime([plain], {}).tree_inputs is True


MARSHAL_CHECK = """\
# METADATA
# title: containers as JSON
# custom:
#   id: MARSHAL
#   severity: LOW
package user.marshal

import rego.v1

deny contains json.marshal([c.name | some c in input.spec.containers])
"""


def test_a_check_marshalling_input_arrays_still_finds(tmp_path: Path) -> None:
    """A user check that serialises part of the input gets its finding: its policy set is
    given text (with trees, json.marshal would be undefined and the finding silently gone)."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: app\n      image: nginx:1.27\n    - name: side\n      image: busybox:1.36\n")
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "marshal.rego").write_text(MARSHAL_CHECK)
    _, report = scan_json(tmp_path, "--policy", "policy")
    messages = [f["message"] for f in report["findings"] if f["check_id"] == "MARSHAL"]
    assert messages == ['["app","side"]']


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), _text),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_text, children, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.dictionaries(_text, _values, max_size=5))
def test_any_json_document_answers_as_the_parsed_text(probe: Engine, doc: dict[str, Any]) -> None:
    built, parsed = _built_and_parsed(probe, doc)
    assert built == parsed
    assert built["echo"] == (json.loads(engine_json(doc)), None)


def test_long_values_are_not_kept_between_documents() -> None:
    runner = Engine.input_runner()
    nodes = NodeInput(runner._rs.rego)
    long_value, short_value = "x" * 10_000, "app"
    assert nodes.set(runner.interp._impl, {"data": long_value, "name": short_value})
    assert short_value in nodes._escaped and "name" in nodes._escaped
    assert long_value not in nodes._escaped  # a 9 MB ConfigMap value is not held for the rest of the scan


def test_documents_cross_to_the_worker_exactly() -> None:
    """``wire_value`` (how a job's document reaches the worker) keeps every value and type:
    what the worker builds or writes as text is what the parent parsed."""
    doc = {"f": [1.5e-07, -0.0, 1.7976931348623157e308, float("inf")], "n": [2**63, -(2**70), 0, True, None],
           "s": ["", "\ud800 lone", "é😀", 'quote " and \\ backslash', "nul \x00"], "nested": [[{"a": {}}], []]}
    back = read_wire_value(wire_value(doc))
    assert back == {**doc, "f": back["f"]} and engine_json(back) == engine_json(doc)
    assert [repr(x) for x in back["f"]] == [repr(x) for x in doc["f"]]
    assert [type(x) for x in back["n"]] == [int, int, int, bool, type(None)]
