"""lib.docker.final_from is the file's last FROM instruction, on both engines.

It looks at the last stage's first instruction first (the parser starts every stage with
its FROM) and collects every FROM only when that is not one; both paths are asked here,
on Dockerfiles as the parser gives them and on hand-made stages.
"""

from __future__ import annotations

from typing import Any

import pytest

from regoscan.inputs.load import parse_text
from regoscan.models import InputType
from tests.oracle import docker_libs, eval_v1

PROBE = """package probe

import rego.v1

import data.lib.docker

out := docker.final_from
"""

DOCKERFILES = [
    "FROM alpine:3.20\nRUN true\n",
    "ARG BASE=alpine:3.20\nFROM $BASE AS build\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n",
    "FROM golang:1.22 AS a\nFROM a AS b\nRUN x\nFROM b\nUSER app\n",
    "# only a comment and an ARG\nARG X=1\n",
]


def _last_from(doc: dict[str, Any]) -> Any:
    froms = [c for st in doc["Stages"] for c in st["Commands"] if c["Cmd"] == "from"]
    return froms[-1] if froms else None


def _parsed() -> list[dict[str, Any]]:
    out = []
    for text in DOCKERFILES:
        docs = parse_text(text, "Dockerfile", InputType.DOCKERFILE)
        out.extend(d.content for d in docs)
    return out


def _hand_made() -> list[dict[str, Any]]:
    def instr(cmd: str, line: int) -> dict[str, Any]:
        return {"Cmd": cmd, "Value": [f"v{line}"], "StartLine": line, "EndLine": line}

    return [
        {"Stages": [{"Commands": [instr("from", 1), instr("run", 2)]},
                    {"Commands": [instr("run", 3), instr("from", 4), instr("user", 5)]}]},  # the fallback
        {"Stages": [{"Commands": [instr("from", 1)]}, {"Commands": []}]},
        {"Stages": []},
    ]


@pytest.mark.parametrize("engine", ["regopy", "regorus"])
def test_final_from_is_the_last_from(engine: str) -> None:
    libs = docker_libs()
    docs = [*_parsed(), *_hand_made()]
    assert sum(1 for d in docs if _last_from(d) is not None) >= 5
    for doc in docs:
        got = eval_v1(engine, PROBE, "data.probe.out", doc, libs)
        want = _last_from(doc)
        assert got == (want if want is not None else "undefined"), doc  # the oracle's word for undefined
