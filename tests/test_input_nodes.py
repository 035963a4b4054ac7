"""Inputs built node by node (``rego/input_nodes.py``) are the inputs the term parser gives.

The worker hands rego-cpp each document as a tree built through the C API instead of
text to parse. These tests set the same document both ways, on two interpreters, and
ask one bundle the same questions through each: the document echoed back, and what
rego-cpp's string built-ins make of every string and key in it (they work on the stored
text, which is where a wrongly escaped string would show). Values the builder cannot
give exactly must be declined, and the worker must then send the text.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.rego.input_nodes import NodeInput
from regoscan.rego.values import engine_json
from regoscan.rego.worker import _UNDEFINED, Engine

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


def _runner() -> Engine:
    runner = Engine()
    runner.interp = runner._regopy.Interpreter()
    return runner


def _answers(probe: Engine, runner: Engine) -> dict[str, Any]:
    """Each question's (value, error): rego-cpp errors on some strings however they came in
    (``trim_space`` of the text ``\\u00e9`` is an "Invalid escape sequence"), and an error
    must then be the same error."""
    return {q: probe.evaluate(f"probe/{q}", via=runner) for q in QUESTIONS}


def _built_and_parsed(probe: Engine, doc: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    built, parsed = _runner(), _runner()
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
]


@pytest.mark.parametrize(("why", "doc"), DECLINED, ids=[w for w, _ in DECLINED])
def test_values_it_cannot_give_exactly_are_declined_and_sent_as_text(probe: Engine, why: str, doc: Any) -> None:
    runner = _runner()
    runner.set_input(engine_json({"previous": "document"}))
    assert NodeInput(runner._rs.rego).set(runner.interp._impl, doc) is False, why
    # what was set before is still the input: a declined document sets nothing
    assert probe.evaluate("probe/echo", via=runner)[0] == {"previous": "document"}
    runner.set_input(engine_json(doc))  # the worker's path: the text goes instead
    parsed = _runner()
    parsed.interp.set_input_term(engine_json(doc))
    assert _answers(probe, runner) == _answers(probe, parsed)


def test_nesting_past_the_recursion_limit_is_declined(probe: Engine) -> None:
    doc: Any = "leaf"
    for _ in range(sys.getrecursionlimit() + 10):
        doc = [doc]
    runner = _runner()
    assert NodeInput(runner._rs.rego).set(runner.interp._impl, doc) is False


def test_worker_engine_builds_what_it_can(probe: Engine) -> None:
    runner = _runner()
    doc = {"kind": "Deployment", "spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "é"}}}}}
    runner.set_input(engine_json(doc))
    assert runner._nodes is not None  # the builder was used, and kept for the next document
    assert probe.evaluate("probe/echo", via=runner) == (doc, None)
    runner.set_input(engine_json({"other": True}))
    assert probe.evaluate("probe/echo", via=runner) == ({"other": True}, None)
    assert probe.evaluate("probe/joined", via=runner) == ("", None)


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


def test_undefined_stays_undefined(probe: Engine) -> None:
    runner = _runner()
    runner.set_input(engine_json({"kind": "Pod"}))
    value, err = probe.evaluate("probe/echo", via=runner)
    assert err is None and value is not _UNDEFINED
