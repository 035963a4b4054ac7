"""The views regoscan precomputes in Python equal what the Rego library computes itself.

``inputs/derived.py`` hands the built-in library the effective containers of a workload
and the shell commands of each RUN instruction; the library falls back to computing
them in Rego when they are absent. Both paths must give the same value, on both
engines, for every fixture and (when present) every corpus document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.inputs.derived import (
    KEY,
    PRECOMPUTED_TOOLS,
    add_kubernetes_views,
    commands,
    effective_containers,
    is_workload,
    name,
    program,
    run_commands,
    tool_calls,
)
from regoscan.inputs.discover import discover
from regoscan.inputs.load import load_file
from regoscan.rego.fallbacks import without_fallbacks
from regoscan.rego.prepare import prepare_module
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.rego.shake import reachable
from regoscan.resources import policies_dir
from tests.helpers import without_key
from tests.shared import CORPUS, CORPUS_MISSING

FIXTURES = Path(__file__).parent / "fixtures"
PROBE = """package probe

import rego.v1

commands := data.lib.sh.run_commands(input)

calls := data.lib.sh.run_calls(input, data.lib.sh._precomputed_tools)

tools := data.lib.sh._precomputed_tools

containers := data.lib.kubernetes.containers

name := data.lib.kubernetes.name

is_workload := data.lib.kubernetes.is_workload

pod := data.lib.kubernetes.workload_pod

file_calls := data.lib.sh.file_calls

file_programs := data.lib.sh.file_programs
"""


def _documents(root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    runs: list[dict[str, Any]] = []
    workloads: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for cand in discover([str(root)], root).candidates:
        for doc in load_file(cand.abs_path, cand.rel_path, cand.input_type_hint).documents:
            if doc.input_type.value == "dockerfile":
                runs.extend(c for st in doc.content["Stages"] for c in st["Commands"] if c["Cmd"] == "run")
            elif isinstance(doc.content, dict) and KEY in doc.content:
                workloads.append(doc.content)
            elif doc.input_type.value == "kubernetes" and isinstance(doc.content, dict):
                others.append(doc.content)
    return runs, workloads, others


def _strip(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != KEY}


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str).replace(".0,", ",").replace(".0}", "}")


def _regorus(inputs: list[dict[str, Any]], query: str) -> list[Any]:
    import regorus

    engine = regorus.Engine()
    for path in sorted((policies_dir() / "lib").glob("*.rego")):
        engine.add_policy(path.name, path.read_text(encoding="utf-8"))
    out = []
    for doc in inputs:
        engine.set_input_json(json.dumps(doc))
        res = json.loads(engine.eval_query_as_json(f"x := {query}"))
        value = res["result"][0]["bindings"]["x"] if res.get("result") else None
        out.append(value["set!"] if isinstance(value, dict) and "set!" in value else value)
    return out


def _regopy(inputs: list[dict[str, Any]], rule: str, scan_bundle: bool = False) -> list[Any]:
    """``scan_bundle``: the library as a scan compiles it beside a built-in check
    (engine/planning.py): the marked Rego fallbacks blanked, then cut to what is reached."""
    libs = [(f"(builtin)/lib/{p.name}", prepare_module(p.read_text(encoding="utf-8"), p.name).text)
            for p in sorted((policies_dir() / "lib").glob("*.rego"))]
    if scan_bundle:
        libs = reachable([(name, without_fallbacks(text)) for name, text in libs], [PROBE])
    units = [PolicyUnit(name, text, [], library=True) for name, text in libs]
    units.append(PolicyUnit("probe.rego", PROBE, [f"probe/{rule}"]))
    runtime = PolicyRuntime(units, {}, workers=1)
    try:
        assert not runtime.prepare()
        results = runtime.run([Job(i, d, [f"probe/{rule}"]) for i, d in enumerate(inputs)])
    finally:
        runtime.close()
    return [r.values.get(f"probe/{rule}") for r in results]


def _check(root: Path) -> tuple[int, int]:
    runs, workloads, others = _documents(root)
    assert runs and workloads and others
    bare_runs = [_strip(c) for c in runs]
    expected_cmds = [c[KEY]["commands"] for c in runs]
    assert expected_cmds == [run_commands(c) for c in bare_runs]
    assert _regorus(bare_runs, "data.lib.sh.run_commands(input)") == expected_cmds
    assert _regopy(bare_runs, "commands") == expected_cmds
    expected_calls = [c[KEY]["calls"] for c in runs]
    assert expected_calls == [tool_calls(cmds) for cmds in expected_cmds]
    assert sum(map(len, expected_calls)) > 20
    query = "data.lib.sh.run_calls(input, data.lib.sh._precomputed_tools)"
    assert _regorus(bare_runs, query) == expected_calls
    assert _regopy(bare_runs, "calls") == expected_calls
    # with the view present, the library reads it (same value)
    assert _regopy(runs, "calls") == expected_calls
    bare_docs = [_strip(d) for d in workloads]
    expected = [sorted({_canon(c) for c in d[KEY]["containers"]}) for d in workloads]
    assert expected == [sorted({_canon(c) for c in effective_containers(d)}) for d in bare_docs]
    for got in (_regorus(bare_docs, "data.lib.kubernetes.containers"), _regopy(bare_docs, "containers"),
                _regopy(workloads, "containers", scan_bundle=True)):
        assert [sorted({_canon(c) for c in g}) for g in got] == expected
    _check_identity(workloads, bare_docs, others)
    return len(runs), len(workloads)


def _pod(doc: dict[str, Any]) -> Any:
    at = doc[KEY].get("pod")
    spec = doc.get("spec", {})
    return {0: doc, 1: spec.get("template"), 2: spec.get("jobTemplate", {}).get("spec", {}).get("template")}.get(at)


def _check_identity(workloads: list[dict[str, Any]], bare_docs: list[dict[str, Any]],
                    others: list[dict[str, Any]]) -> None:
    """``__rs`` is present exactly where is_workload holds, and its name and pod are the library's."""
    assert all(is_workload(d) for d in bare_docs) and not any(is_workload(d) for d in others)
    assert _regorus(bare_docs, "data.lib.kubernetes.is_workload") == [True] * len(bare_docs)
    assert _regopy(bare_docs, "is_workload") == [True] * len(bare_docs)
    assert _regorus(others, "data.lib.kubernetes.is_workload") == [False] * len(others)
    assert _regopy(others, "is_workload") == [False] * len(others)
    names = [d[KEY]["name"] for d in workloads]
    assert names == [name(d) for d in bare_docs] and any(names)
    assert _regorus(bare_docs, "data.lib.kubernetes.name") == names
    assert _regopy(bare_docs, "name") == names
    assert _regopy(workloads, "name") == names
    # what a scan's check bundles compute, on the loader's documents
    assert _regopy(workloads, "is_workload", scan_bundle=True) == [True] * len(workloads)
    assert _regopy(others, "is_workload", scan_bundle=True) == [False] * len(others)
    assert _regopy(others, "containers", scan_bundle=True) == [[]] * len(others)
    assert _regopy(others, "pod", scan_bundle=True) == [None] * len(others)
    assert _regopy(others, "name", scan_bundle=True) == _regopy(others, "name")
    pods = [_canon(_strip(p)) if isinstance(p := _pod(d), dict) and p is d else _canon(p) for d in workloads]
    assert any(d[KEY].get("pod") == 0 for d in workloads) and any(d[KEY].get("pod") == 1 for d in workloads)
    for got in (_regorus(bare_docs, "data.lib.kubernetes.workload_pod"), _regopy(bare_docs, "pod")):
        assert [_canon(p) for p in got] == pods
    with_view = _regopy(workloads, "pod")
    assert _regopy(workloads, "pod", scan_bundle=True) == with_view
    got = [_canon(_strip(p) if d[KEY].get("pod") == 0 else p) for p, d in zip(with_view, workloads, strict=True)]
    assert got == pods


def test_views_match_the_rego_library_on_fixtures() -> None:
    runs, workloads = _check(FIXTURES)
    assert runs > 20 and workloads > 50


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_views_match_the_rego_library_on_corpus() -> None:
    runs, workloads = _check(CORPUS)
    assert runs > 300 and workloads > 100


def test_shell_splitting_examples() -> None:
    assert commands("apt-get update && apt-get install -y curl") == [
        ["apt-get", "update"], ["apt-get", "install", "-y", "curl"]]
    assert commands("FOO=1 sudo make > /dev/null 2>&1; (cd x && make)") == [
        ["sudo", "make"], ["cd", "x"], ["make"]]
    assert commands("echo 'a && b' | tee \"x y\"") == [["echo", "'a && b'"], ["tee", '"x y"']]
    assert run_commands({"Cmd": "run", "JSON": True, "Value": ["/bin/sh", "-ec", "apk add git; ls"]}) == [
        ["apk", "add", "git"], ["ls"]]
    assert run_commands({"Cmd": "run", "JSON": True, "Value": ["make", "all"]}) == [["make", "all"]]


def test_precomputed_tools_are_the_librarys() -> None:
    assert sorted(_regopy([{}], "tools")[0]) == sorted(PRECOMPUTED_TOOLS)
    cmds = [["sudo", "apt-get", "-o", "X=1", "install", "-y", "curl"], ["apk"], ["/sbin/apk", "add", "git"]]
    assert tool_calls(cmds) == [[0, "apt-get", "install"], [2, "apk", "add"]]


def test_the_view_key_is_reserved() -> None:
    """A manifest's own ``__rs`` would make the library take it for a workload: the loader drops it."""
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, KEY: {"containers": []}}
    add_kubernetes_views(config)
    assert KEY not in config
    bare = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"generateName": "web-"}, KEY: "forged"}
    add_kubernetes_views(bare)
    assert bare[KEY] == {"name": "web-", "containers": []}
    assert _regopy([config, bare], "is_workload") == [False, True]
    assert _regopy([bare], "pod") == [None]


def _dockerfiles(root: Path) -> list[dict[str, Any]]:
    return [doc.content for cand in discover([str(root)], root).candidates
            for doc in load_file(cand.abs_path, cand.rel_path, cand.input_type_hint).documents
            if doc.input_type.value == "dockerfile"]


def _check_file_calls(root: Path) -> int:
    """lib.sh.file_calls and file_programs: the Python views equal the Rego path (no view anywhere) on both engines."""
    docs = _dockerfiles(root)
    expected = [d[KEY]["calls"] for d in docs]
    runs = [[c for st in d["Stages"] for c in st["Commands"] if c["Cmd"] == "run"] for d in docs]
    assert expected == [[[i, *call] for i, c in enumerate(rs) for call in c[KEY]["calls"]] for rs in runs]
    bare = [without_key(d, KEY) for d in docs]
    assert _regorus(bare, "data.lib.sh.file_calls") == expected
    assert _regopy(bare, "file_calls") == expected
    assert _regopy(docs, "file_calls") == expected
    assert any(len({c[0] for c in calls}) > 1 for calls in expected)
    programs = [d[KEY]["programs"] for d in docs]
    assert programs == [[[i, k, program(cmd)] for i, c in enumerate(rs) for k, cmd in enumerate(c[KEY]["commands"])]
                        for rs in runs]
    assert _regorus(bare, "data.lib.sh.file_programs") == programs
    assert _regopy(bare, "file_programs") == programs
    assert _regopy(docs, "file_programs") == programs
    assert any(p[2] == "cd" for ps in programs for p in ps)
    return sum(map(len, expected))


def test_file_calls_match_the_rego_library_on_fixtures() -> None:
    assert _check_file_calls(FIXTURES) > 10


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_file_calls_match_the_rego_library_on_corpus() -> None:
    assert _check_file_calls(CORPUS) > 300
