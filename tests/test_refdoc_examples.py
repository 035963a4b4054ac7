"""Every example of Trivy's exceptions documentation, completed, end to end through the CLI.

Each example runs in Rego v0 and v1 syntax and is checked on the SARIF (results,
suppressions, the cited exception file and line) and on the Markdown summary.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.output.markdown import md_escape

ROOT_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: app
          image: nginx:1.27
"""

DOCKERFILE = "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER root\n"

NAMESPACE_EXCEPTION = {
    "v0": """\
        package namespace.exceptions

        import data.namespaces

        exception[ns] {
            ns := data.namespaces[_]
            startswith(ns, "builtin.kubernetes")
        }
        """,
    "v1": """\
        package namespace.exceptions

        import rego.v1
        import data.namespaces

        exception contains ns if {
            some ns in data.namespaces
            startswith(ns, "builtin.kubernetes")
        }
        """,
}

ID100 = {
    "v0": """\
        package user.kubernetes.ID100

        __rego_metadata__ := {
            "id": "ID100",
            "title": "Deployment not allowed",
            "severity": "HIGH",
            "type": "Kubernetes Custom Check",
        }

        deny_deployment[msg] {
            input.kind == "Deployment"
            msg = sprintf("Found deployment '%s' but deployments are not allowed", [input.metadata.name])
        }

        exception[rules] {
            input.kind == "Deployment"
            input.metadata.name == "allow-deployment"

            rules := ["deployment"]
        }
        """,
    "v1": """\
        package user.kubernetes.ID100

        import rego.v1

        __rego_metadata__ := {
            "id": "ID100",
            "title": "Deployment not allowed",
            "severity": "HIGH",
            "type": "Kubernetes Custom Check",
        }

        deny_deployment contains msg if {
            input.kind == "Deployment"
            msg = sprintf("Found deployment '%s' but deployments are not allowed", [input.metadata.name])
        }

        exception contains rules if {
            input.kind == "Deployment"
            input.metadata.name == "allow-deployment"

            rules := ["deployment"]
        }
        """,
}

KSV012_EXCEPTION = {
    "v0": """\
        package builtin.kubernetes.KSV012

        exception[rules] {
            input.metadata.name == "can-run-as-root"
            rules := [""]
        }
        """,
    "v1": """\
        package builtin.kubernetes.KSV012

        import rego.v1

        exception contains rules if {
            input.metadata.name == "can-run-as-root"
            rules := [""]
        }
        """,
}


def _write(base: Path, rel: str, text: str) -> Path:
    path = base / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    """Line of the first line starting with ``needle`` (after indentation)."""
    for i, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(needle):
            return i
    raise AssertionError(f"{needle!r} not found")


def _scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, dict[str, Any], str]:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--sarif", "out.sarif", "--summary", "summary.md",
                 "--fail-on", "never", "-q", *extra])
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    return code, sarif, (tmp_path / "summary.md").read_text(encoding="utf-8")


def _results(sarif: dict[str, Any]) -> list[dict[str, Any]]:
    return sarif["runs"][0]["results"]


def _suppression(result: dict[str, Any]) -> dict[str, Any]:
    assert len(result["suppressions"]) == 1, result
    return result["suppressions"][0]


@pytest.mark.parametrize("syntax", ["v0", "v1"])
def test_namespace_exception_exempts_builtin_kubernetes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        syntax: str) -> None:
    _write(tmp_path, "configs/deployment.yaml", ROOT_DEPLOYMENT.format(name="web"))
    _write(tmp_path, "configs/Dockerfile", DOCKERFILE)
    policy = textwrap.dedent(NAMESPACE_EXCEPTION[syntax])
    _write(tmp_path, "policy/k8s_exception.rego", policy)
    exception_line = _line_of(policy, "exception")

    code, sarif, summary = _scan(tmp_path, monkeypatch)
    assert code == 0
    results = _results(sarif)
    k8s = [r for r in results if r["ruleId"].startswith("KSV")]
    docker = [r for r in results if r["ruleId"].startswith("DS")]
    assert {r["ruleId"] for r in k8s} >= {"KSV001", "KSV003", "KSV012", "KSV014"}
    for r in k8s:
        sup = _suppression(r)
        assert sup["kind"] == "external"
        assert sup["status"] == "accepted"
        loc = sup["location"]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "policy/k8s_exception.rego"
        assert loc["region"]["startLine"] == exception_line
        assert sup["properties"]["exceptionKind"] == "namespace"
        assert sup["properties"]["exceptionPackage"] == "namespace.exceptions"
        assert f"policy/k8s_exception.rego:{exception_line}" in sup["justification"]
    assert {r["ruleId"] for r in docker} >= {"DS002"}
    assert all(r["suppressions"] == [] for r in docker)

    assert "Suppressed" in summary
    assert md_escape(f"policy/k8s_exception.rego:{exception_line}") in summary
    assert "DS002" in summary


@pytest.mark.parametrize("syntax", ["v0", "v1"])
def test_custom_check_with_rule_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syntax: str) -> None:
    _write(tmp_path, "configs/allow.yaml", ROOT_DEPLOYMENT.format(name="allow-deployment"))
    _write(tmp_path, "configs/deny.yaml", ROOT_DEPLOYMENT.format(name="deny-deployment"))
    policy = textwrap.dedent(ID100[syntax])
    _write(tmp_path, "policy/id100.rego", policy)
    exception_line = _line_of(policy, "exception")

    code, sarif, summary = _scan(tmp_path, monkeypatch, "--no-builtin")
    assert code == 0
    results = [r for r in _results(sarif) if r["ruleId"] == "ID100"]
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert set(by_uri) == {"configs/allow.yaml", "configs/deny.yaml"}
    denied = by_uri["configs/deny.yaml"]
    assert denied["message"]["text"] == "Found deployment 'deny-deployment' but deployments are not allowed"
    assert denied["suppressions"] == []
    allowed = by_uri["configs/allow.yaml"]
    sup = _suppression(allowed)
    assert sup["properties"]["exceptionKind"] == "rule"
    assert sup["properties"]["exceptionPackage"] == "user.kubernetes.ID100"
    assert sup["location"]["physicalLocation"]["artifactLocation"]["uri"] == "policy/id100.rego"
    assert sup["location"]["physicalLocation"]["region"]["startLine"] == exception_line
    rule = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ID100")
    assert rule["shortDescription"]["text"] == "Deployment not allowed"
    assert rule["defaultConfiguration"]["level"] == "error"

    assert md_escape(f"policy/id100.rego:{exception_line}") in summary
    assert md_escape("deny-deployment") in summary


@pytest.mark.parametrize("syntax", ["v0", "v1"])
def test_rule_exception_on_builtin_ksv012(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syntax: str) -> None:
    _write(tmp_path, "configs/root.yaml", ROOT_DEPLOYMENT.format(name="can-run-as-root"))
    _write(tmp_path, "configs/other.yaml", ROOT_DEPLOYMENT.format(name="other"))
    policy = textwrap.dedent(KSV012_EXCEPTION[syntax])
    _write(tmp_path, "policy/ksv012_exception.rego", policy)
    exception_line = _line_of(policy, "exception")

    code, sarif, summary = _scan(tmp_path, monkeypatch)
    assert code == 0
    results = _results(sarif)

    def find(rule_id: str, uri: str) -> dict[str, Any]:
        hits = [r for r in results if r["ruleId"] == rule_id
                and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri]
        assert len(hits) == 1, (rule_id, uri, hits)
        return hits[0]

    waived = find("KSV012", "configs/root.yaml")
    sup = _suppression(waived)
    assert sup["properties"]["exceptionKind"] == "rule"
    assert sup["properties"]["exceptionPackage"] == "builtin.kubernetes.KSV012"
    assert sup["properties"]["matched"] == ""
    assert sup["location"]["physicalLocation"]["artifactLocation"]["uri"] == "policy/ksv012_exception.rego"
    assert sup["location"]["physicalLocation"]["region"]["startLine"] == exception_line
    assert (f"Exempted by rule exception in policy/ksv012_exception.rego:{exception_line} "
            "(package builtin.kubernetes.KSV012)") in sup["justification"]
    # the exception is scoped: the same check elsewhere and other checks on the same workload stay
    assert find("KSV012", "configs/other.yaml")["suppressions"] == []
    assert find("KSV014", "configs/root.yaml")["suppressions"] == []
    # the finding still points at the container, not at line 1
    region = waived["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == _line_of(ROOT_DEPLOYMENT, "- name: app")

    assert md_escape(f"policy/ksv012_exception.rego:{exception_line}") in summary
