"""``result.new`` (policies/lib/result.rego) gives the value its documented general rule gives.

The helper has a shortcut body for the metadata regoscan's YAML loader writes (exactly
startline, endline and filepath); this keeps it equal to the general object.get chains,
written out here in Python, on both engines, for hand-made causes and for every mapping
of a parsed manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regoscan.inputs.load import load_file
from regoscan.rego.prepare import prepare_module
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.resources import policies_dir

RESULT = policies_dir() / "lib" / "result.rego"
MANIFESTS = Path(__file__).parent / "fixtures" / "inputs"
PROBE = """package probe

import rego.v1

out := data.result.new(input.msg, input.cause)

lines := data.result.finding(input.msg, input.cause)
"""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def expected(msg: str, cause: Any) -> dict[str, Any]:
    """The general body: the cause's __defsec_metadata (or the cause itself), field by field."""
    meta = cause.get("__defsec_metadata", cause) if isinstance(cause, dict) else {}
    meta = meta if isinstance(meta, dict) else {}

    def num(lower: str, upper: str) -> Any:
        n = meta.get(lower, meta.get(upper, 0))
        return n if _is_number(n) else 0

    return {"msg": msg, "startline": num("startline", "StartLine"), "endline": num("endline", "EndLine"),
            "filepath": meta.get("filepath", meta.get("Path", "")), "resource": meta.get("resource", "")}


HAND_MADE: list[Any] = [
    {"name": "a", "__defsec_metadata": {"startline": 3, "endline": 5, "filepath": "x.yaml"}},
    {"__defsec_metadata": {"startline": 3, "endline": 5, "filepath": "x.yaml", "resource": "r"}},
    {"__defsec_metadata": {"startline": "3", "endline": 5, "filepath": "x.yaml"}},
    {"__defsec_metadata": {"startline": 3, "endline": None, "filepath": "x.yaml"}},
    {"__defsec_metadata": {"startline": 3, "endline": 4, "resource": "r"}},
    {"__defsec_metadata": {"startline": 3, "endline": 4, "filepath": 7}},
    {"__defsec_metadata": "abc"},
    {"__defsec_metadata": [1, 2, 3]},
    {"Cmd": "run", "StartLine": 2, "EndLine": 4, "Path": "Dockerfile", "Value": ["x"]},
    {"startline": 1, "EndLine": 2},
    "a string",
    [1, 2, 3],
    None,
    {},
]


def _nodes(value: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            out.append(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def _causes() -> list[Any]:
    causes = list(HAND_MADE)
    for path in sorted(MANIFESTS.glob("*.yaml")):
        for doc in load_file(path, path.name, None).documents:
            causes.extend(n for n in _nodes(doc.content) if "__defsec_metadata" in n)
    return causes


def _regopy(inputs: list[dict[str, Any]], rule: str = "out") -> list[Any]:
    units = [PolicyUnit("result.rego", prepare_module(RESULT.read_text(encoding="utf-8"), "result.rego").text, [],
                        library=True), PolicyUnit("probe.rego", PROBE, [f"probe/{rule}"])]
    runtime = PolicyRuntime(units, {}, workers=1)
    try:
        assert not runtime.prepare()
        results = runtime.run([Job(i, d, [f"probe/{rule}"]) for i, d in enumerate(inputs)])
    finally:
        runtime.close()
    return [r.values.get(f"probe/{rule}") for r in results]


def _regorus(inputs: list[dict[str, Any]], function: str = "new") -> list[Any]:
    import regorus

    engine = regorus.Engine()
    engine.add_policy("result.rego", RESULT.read_text(encoding="utf-8"))
    out = []
    for doc in inputs:
        engine.set_input_json(json.dumps(doc))
        res = json.loads(engine.eval_query_as_json(f"x := data.result.{function}(input.msg, input.cause)"))
        out.append(res["result"][0]["bindings"]["x"] if res.get("result") else None)
    return out


def test_result_new_equals_its_general_rule_on_both_engines() -> None:
    causes = _causes()
    assert len(causes) > 40, "the manifests gave too few nodes"
    inputs = [{"msg": f"m{i}", "cause": c} for i, c in enumerate(causes)]
    want = [expected(d["msg"], d["cause"]) for d in inputs]
    assert sum(1 for w in want if w["startline"] and w["filepath"]) > 25
    assert _regopy(inputs) == want
    assert _regorus(inputs) == want


def test_result_finding_gives_new_s_message_and_lines_on_both_engines() -> None:
    """What regoscan reads of a finding (msg, startline, endline) is the same from finding()
    as from new(); the loader's nodes take its three-key shortcut, anything else new()."""
    causes = _causes()
    inputs = [{"msg": f"m{i}", "cause": c} for i, c in enumerate(causes)]
    read = ("msg", "startline", "endline")
    want = [{k: expected(d["msg"], d["cause"])[k] for k in read} for d in inputs]
    for got in (_regopy(inputs, "lines"), _regorus(inputs, "finding")):
        assert [{k: g.get(k) for k in read} for g in got] == want
        shortcut = [g for g in got if set(g) == set(read)]
        assert len(shortcut) > 25, "the loader's nodes should take the three-key shortcut"

