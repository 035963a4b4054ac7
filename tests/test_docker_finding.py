"""lib.docker.finding(msg, instr) gives result.new(msg, instr)'s message and lines, on both engines.

Those three keys are all regoscan reads of a finding (its file is the document's); the
shortcut exists only for speed (regopy pays ~0.1 ms per finding for result.new's lookups
and its larger object). These causes cover the instruction the parser gives, the location
{} a check falls back to, and instructions with the keys result.new reads first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from regoscan.inputs.load import parse_text
from regoscan.models import InputType
from tests.oracle import docker_libs, eval_v1

PROBE = """package probe

import rego.v1

import data.lib.docker
import data.result

pairs := [[docker.finding("m", c), result.new("m", c)] | some c in input.causes]
"""


def _causes() -> list[Any]:
    doc = parse_text("FROM alpine:3\nRUN apk add git\nUSER app\n", "app/Dockerfile", InputType.DOCKERFILE)[0]
    parsed = [c for st in doc.content["Stages"] for c in st["Commands"]]
    base = {"Cmd": "user", "Value": ["root"], "Path": "Dockerfile", "StartLine": 3, "EndLine": 4}
    return [*parsed, {}, base,
            {**base, "startline": 9}, {**base, "startline": False}, {**base, "resource": "r"},
            {**base, "filepath": "other"}, {**base, "__defsec_metadata": {"startline": 7, "endline": 7}},
            {**base, "StartLine": "3"}, {**base, "Path": 5}, {k: v for k, v in base.items() if k != "Path"}]


@pytest.mark.parametrize("engine", ["regopy", "regorus"])
def test_finding_equals_result_new(engine: str) -> None:
    doc = {"causes": _causes()}
    pairs = eval_v1(engine, PROBE, "data.probe.pairs", doc, docker_libs())
    assert isinstance(pairs, list) and len(pairs) == len(doc["causes"]), pairs
    read = ("msg", "startline", "endline")
    for (got, want), cause in zip(pairs, doc["causes"], strict=True):
        assert {k: got.get(k) for k in read} == {k: want[k] for k in read}, json.dumps(cause)
    assert pairs[1][0] == {"msg": "m", "startline": 2, "endline": 2}  # the parser's RUN: the shortcut
