"""`regoscan test`: Rego unit tests for users' checks and exceptions, each file isolated."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from regoscan.cli import main

CHECK = """\
package user.kubernetes.ID100

deny_deployment[msg] {
    input.kind == "Deployment"
    msg := sprintf("Found deployment '%s'", [input.metadata.name])
}

exception[rules] {
    input.metadata.name == "allow-deployment"
    rules := ["deployment"]
}
"""

GOOD_TESTS = """\
package user.kubernetes.ID100_test

import rego.v1

import data.user.kubernetes.ID100 as check

deployment(name) := {"kind": "Deployment", "metadata": {"name": name}}

test_denied if {
    check.deny_deployment == {"Found deployment 'web'"} with input as deployment("web")
}

test_exception_applies if {
    check.exception == {["deployment"]} with input as deployment("allow-deployment")
}

test_no_exception_elsewhere if {
    count(check.exception) == 0 with input as deployment("web")
}

test_pod_ignored if {
    count(check.deny_deployment) == 0 with input as {"kind": "Pod", "metadata": {"name": "p"}}
}

test_plain_rule if {
    check.deny_deployment == set()
}
"""

V0_TESTS = """\
package user.kubernetes.ID100_v0_test

import data.user.kubernetes.ID100

test_v0_style {
    ID100.deny_deployment["Found deployment 'x'"] with input as {"kind": "Deployment", "metadata": {"name": "x"}}
}

test_v0_fails {
    count(ID100.deny_deployment) == 5 with input as {"kind": "Deployment", "metadata": {"name": "x"}}
}
"""

BROKEN_TESTS = """\
package broken_test

import rego.v1

test_x if {
    x := [1, 2
}
"""

CRASHING_TESTS = """\
package crashing_test

import rego.v1

test_crashes_engine if {
    object.subset(["a"], [])
}

test_fine if {
    1 + 1 == 2
}
"""


def _write(base: Path, rel: str, text: str) -> None:
    p = base / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text), encoding="utf-8")


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         *args: str) -> tuple[int, dict]:
    monkeypatch.chdir(tmp_path)
    code = main(["test", "policy", "--format", "json", "--no-builtin", *args])
    return code, json.loads(capsys.readouterr().out)


def _outcomes(out: dict) -> dict[str, str]:
    return {r["name"]: r["outcome"] for r in out["results"]}


def test_passing_suite_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "policy/check.rego", CHECK)
    _write(tmp_path, "policy/check_test.rego", GOOD_TESTS)
    code, out = _run(tmp_path, monkeypatch, capsys)
    assert _outcomes(out) == {"test_denied": "pass", "test_exception_applies": "pass",
                              "test_no_exception_elsewhere": "pass", "test_pod_ignored": "pass",
                              "test_plain_rule": "pass"}
    assert code == 0


def test_failures_exit_1_with_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "policy/check.rego", CHECK)
    _write(tmp_path, "policy/v0_test.rego", V0_TESTS)
    code, out = _run(tmp_path, monkeypatch, capsys)
    assert _outcomes(out) == {"test_v0_style": "pass", "test_v0_fails": "fail"}
    failing = next(r for r in out["results"] if r["name"] == "test_v0_fails")
    assert failing["line"] == 9 and failing["file"] == "policy/v0_test.rego"
    assert code == 1


def test_broken_and_crashing_files_are_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "policy/check.rego", CHECK)
    _write(tmp_path, "policy/check_test.rego", GOOD_TESTS)
    _write(tmp_path, "policy/broken_test.rego", BROKEN_TESTS)
    _write(tmp_path, "policy/crashing_test.rego", CRASHING_TESTS)
    code, out = _run(tmp_path, monkeypatch, capsys)
    outcomes = _outcomes(out)
    assert code == 2
    assert outcomes["test_denied"] == "pass" and outcomes["test_fine"] == "pass"
    assert outcomes["test_crashes_engine"] == "error"
    crash = next(r for r in out["results"] if r["name"] == "test_crashes_engine")
    assert "crashed" in crash["message"] and crash["line"] == 5
    assert outcomes["test_x"] == "error"
    load = out["load_errors"]
    assert any(e["path"] == "policy/broken_test.rego" and e["line"] == 6 for e in load)


def test_run_filter_and_text_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "policy/check.rego", CHECK)
    _write(tmp_path, "policy/check_test.rego", GOOD_TESTS)
    monkeypatch.chdir(tmp_path)
    code = main(["test", "policy", "--no-builtin", "--run", "exception", "-v"])
    text = capsys.readouterr().out
    assert code == 0
    assert "PASS policy/check_test.rego:13: user.kubernetes.ID100_test.test_exception_applies" in text
    assert "test_denied" not in text
    assert "PASS: 2/2" in text


def test_exception_for_builtin_check_is_testable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "policy/ksv012_exception.rego", """\
        package builtin.kubernetes.KSV012

        import rego.v1

        exception contains rules if {
            input.metadata.name == "can-run-as-root"
            rules := [""]
        }
        """)
    _write(tmp_path, "policy/ksv012_exception_test.rego", """\
        package builtin.kubernetes.KSV012_test

        import rego.v1

        import data.builtin.kubernetes.KSV012 as check

        pod(name) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                      "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}

        test_builtin_check_fires if {
            count(check.deny) == 1 with input as pod("web")
        }

        test_waived if {
            check.exception == {[""]} with input as pod("can-run-as-root")
        }
        """)
    monkeypatch.chdir(tmp_path)
    code = main(["test", "policy", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert _outcomes(out) == {"test_builtin_check_fires": "pass", "test_waived": "pass"}
    assert code == 0


ALLOW_LIST_CHECK = """\
package user.kubernetes.ID200

import rego.v1

__rego_metadata__ := {"id": "ID200", "severity": "HIGH"}

deny contains msg if {
    input.kind == "Deployment"
    not input.metadata.name in data.allowed
    msg := sprintf("deployment %s is not allowed", [lower(input.metadata.name)])
}
"""

CHAINED_TESTS = """\
package user.kubernetes.ID200_test

import rego.v1

import data.user.kubernetes.ID200 as check

deployment(name) := {"kind": "Deployment", "metadata": {"name": name}}

test_denied if {
    count(check.deny) == 1 with input as deployment("web") with data.allowed as ["api"]
}

test_allowed if {
    count(check.deny) == 0 with data.allowed as ["web"] with input as deployment("web")
}

test_wrong_expectation if {
    count(check.deny) == 0 with input as deployment("web") with data.allowed as ["api"]
}

test_rule_mocked_through_the_alias if {
    count(check.deny) == 0 with input as deployment("web") with check.deny as set()
}

test_outer_input_is_none if {
    count(check.deny) == 1 with input as deployment("web") with data.allowed as [input.metadata.name]
}
"""


def test_chained_with_input_and_data_agrees_with_regorus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`with input as` chained with `with data.X as` aborted regopy (SIGABRT) and took the file
    down; a mock through an import alias was silently ignored. Every outcome is regorus's."""
    from tests.oracle import eval_regorus

    _write(tmp_path, "policy/check.rego", ALLOW_LIST_CHECK)
    _write(tmp_path, "policy/check_test.rego", CHAINED_TESTS)
    code, out = _run(tmp_path, monkeypatch, capsys)
    assert out["load_errors"] == []
    outcomes = _outcomes(out)
    assert outcomes == {"test_denied": "pass", "test_allowed": "pass", "test_wrong_expectation": "fail",
                        "test_rule_mocked_through_the_alias": "pass", "test_outer_input_is_none": "fail"}
    assert code == 1
    for name, outcome in outcomes.items():
        expected = eval_regorus(CHAINED_TESTS, f"data.user.kubernetes.ID200_test.{name}", None, v0=False,
                                extra=[ALLOW_LIST_CHECK])
        assert (expected is True) == (outcome == "pass"), (name, expected)


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "regoscan: error: PATH nope: no such file or folder"),
    (["policy/notes.txt"], "regoscan: error: PATH policy/notes.txt: not a .rego file or a folder"),
    (["policy", "--data", "missing.json"], "regoscan: error: --data missing.json: no such file or folder"),
])
def test_errors_name_the_argument_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    _write(tmp_path, "policy/check.rego", ALLOW_LIST_CHECK)
    _write(tmp_path, "policy/notes.txt", "not rego")
    monkeypatch.chdir(tmp_path)
    assert main(["test", *args]) == 2
    err = capsys.readouterr().err
    assert err.strip() == message
    assert "--policy" not in err
