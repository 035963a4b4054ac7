"""The code scanning client (regoscan.action.code_scanning) against the fake GitHub API.

Each test sends real HTTP to tests/e2e/fake_github.py and checks both what the client
concluded and what the API received (routes, bodies, the gzip + base64 encoding).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest

from regoscan.action.code_scanning import (
    CodeScanning,
    dismissal_refusal,
    encode_sarif,
    publish,
    upload_target,
)
from regoscan.action.event import Event
from regoscan.action.github_api import ApiError, GitHubAPI
from regoscan.action.reconcile import MARKER
from tests.e2e.fake_github import FakeGitHub

TOKEN = "ghs_CodeScanningTest_0123456789"
SHA = "c" * 40
REF = "refs/heads/main"


def result(rule: str, path: str, line: int, waived: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": rule, "level": "error", "message": {"text": f"{rule} in {path}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                                            "region": {"startLine": line, "startColumn": 1}}}],
        "partialFingerprints": {"primaryLocationLineHash": f"{path}-{line}:1"},
        "suppressions": [],
    }
    if waived:
        out["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": "Exempted by rule exception",
            "location": {"physicalLocation": {"artifactLocation": {"uri": "policy/ex.rego"},
                                              "region": {"startLine": 4}}},
            "properties": {"exceptionKind": "rule", "exceptionPackage": f"builtin.kubernetes.{rule}",
                           "reason": "legacy"}}]
    return out


def sarif(*results: dict[str, Any], category: str = "regoscan/") -> bytes:
    log = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
           "runs": [{"tool": {"driver": {"name": "regoscan", "rules": []}}, "automationDetails": {"id": category},
                     "results": list(results)}]}
    return json.dumps(log).encode("utf-8")


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        yield server


def client(fake: FakeGitHub) -> CodeScanning:
    return CodeScanning(GitHubAPI(TOKEN, fake.url), "octo/demo")


def run(fake: FakeGitHub, data: bytes, *, dismiss: bool = True, sha: str = SHA, ref: str = REF,
        timeout: float = 30.0) -> Any:
    slept: list[float] = []
    out = publish(client(fake), data, ref=ref, commit_sha=sha, tool_name="regoscan", dismiss=dismiss,
                  timeout=timeout, sleep=slept.append, clock=lambda: sum(slept))
    out.slept = slept  # type: ignore[attr-defined]
    return out


def patches(fake: FakeGitHub) -> list[tuple[str, Any]]:
    return [(r.path, r.body) for r in fake.requests if r.method == "PATCH"]


# --- the calls -------------------------------------------------------------------------------------


def test_encode_sarif_is_gzip_then_base64() -> None:
    data = sarif(result("R", "a.yaml", 1))
    assert gzip.decompress(base64.b64decode(encode_sarif(data))) == data
    assert encode_sarif(data) == encode_sarif(data)  # no timestamp in the gzip header


def test_upload_sends_the_documented_body(fake: FakeGitHub) -> None:
    data = sarif(result("R", "a.yaml", 1))
    sarif_id = client(fake).upload(data, commit_sha=SHA, ref=REF, tool_name="regoscan")
    (post,) = [r for r in fake.requests if r.method == "POST"]
    assert post.path == "/repos/octo/demo/code-scanning/sarifs"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert set(post.body) == {"commit_sha", "ref", "sarif", "tool_name"}
    assert (post.body["commit_sha"], post.body["ref"], post.body["tool_name"]) == (SHA, REF, "regoscan")
    assert fake.code_scanning.sarif_of(sarif_id) == json.loads(data)


def test_upload_rejections_raise_with_the_status(fake: FakeGitHub) -> None:
    with pytest.raises(ApiError) as bad:
        client(fake).upload(sarif(), commit_sha="nope", ref=REF, tool_name="regoscan")
    assert bad.value.status == 422
    fake.read_only = True
    with pytest.raises(ApiError) as forbidden:
        client(fake).upload(sarif(), commit_sha=SHA, ref=REF, tool_name="regoscan")
    assert forbidden.value.status == 403


def test_wait_polls_until_complete(fake: FakeGitHub) -> None:
    fake.code_scanning.pending_polls = 3
    api = client(fake)
    sarif_id = api.upload(sarif(), commit_sha=SHA, ref=REF, tool_name="regoscan")
    slept: list[float] = []
    status = api.wait(sarif_id, sleep=slept.append, clock=lambda: sum(slept))
    assert status.processing_status == "complete"
    assert slept == [1.0, 2.0, 3.0]
    assert len([r for r in fake.requests if r.method == "GET" and "/sarifs/" in r.path]) == 4


def test_wait_gives_up_at_the_deadline(fake: FakeGitHub) -> None:
    fake.code_scanning.pending_polls = 1_000
    api = client(fake)
    sarif_id = api.upload(sarif(), commit_sha=SHA, ref=REF, tool_name="regoscan")
    slept: list[float] = []
    status = api.wait(sarif_id, timeout=20, sleep=slept.append, clock=lambda: sum(slept))
    assert status.processing_status == "timeout"
    assert sum(slept) <= 20


def test_wait_treats_an_unknown_id_as_not_registered_yet(fake: FakeGitHub) -> None:
    slept: list[float] = []
    status = client(fake).wait("not-there", timeout=4, sleep=slept.append, clock=lambda: sum(slept))
    assert status.processing_status == "timeout"


def test_alert_list_follows_link_pages(fake: FakeGitHub) -> None:
    results = [result("R", f"f{i:03d}.yaml", 1) for i in range(230)]
    client(fake).upload(sarif(*results), commit_sha=SHA, ref=REF, tool_name="regoscan")
    found = client(fake).alerts(ref=REF, tool_name="regoscan", state="open")
    assert len(found) == 230 and len({a.number for a in found}) == 230
    lists = [r.path for r in fake.requests if r.method == "GET" and r.path.split("?")[0].endswith("/alerts")]
    assert len(lists) == 3
    assert all("tool_name=regoscan" in p and "state=open" in p and "ref=refs%2Fheads%2Fmain" in p for p in lists)


# --- one run ---------------------------------------------------------------------------------------


def test_publish_dismisses_waived_results_and_reopens_them_when_active(fake: FakeGitHub) -> None:
    first = run(fake, sarif(result("KSV012", "k8s/legacy.yaml", 5, waived=True), result("ORG001", "k8s/web.yaml", 9)))
    assert first.errors == [] and first.status == "complete" and first.reconciled
    (dismissed,) = first.dismissed
    (alert,) = fake.code_scanning.find("KSV012")
    assert alert["number"] == dismissed.number and alert["state"] == "dismissed"
    assert alert["dismissed_reason"] == "won't fix"
    assert alert["dismissed_comment"].startswith(MARKER) and "policy/ex.rego:4: legacy" in alert["dismissed_comment"]
    assert fake.code_scanning.find("ORG001")[0]["state"] == "open"
    assert [p for p, _ in patches(fake)] == [f"/repos/octo/demo/code-scanning/alerts/{alert['number']}"]

    # nothing changed: nothing to do
    again = run(fake, sarif(result("KSV012", "k8s/legacy.yaml", 5, waived=True), result("ORG001", "k8s/web.yaml", 9)),
                sha="d" * 40)
    assert (again.dismissed, again.reopened, again.refreshed) == ([], [], [])
    assert len(patches(fake)) == 1

    # the exception is gone: the result is active again, the alert is reopened
    later = run(fake, sarif(result("KSV012", "k8s/legacy.yaml", 5), result("ORG001", "k8s/web.yaml", 9)),
                sha="e" * 40)
    assert [a.number for a in later.reopened] == [alert["number"]]
    assert fake.code_scanning.alerts[alert["number"]]["state"] == "open"
    assert patches(fake)[-1][1] == {"state": "open"}


def test_publish_leaves_human_dismissals_alone(fake: FakeGitHub) -> None:
    run(fake, sarif(result("ORG001", "k8s/web.yaml", 9), result("KSV012", "k8s/legacy.yaml", 5)))
    human_active = fake.code_scanning.find("ORG001")[0]["number"]
    human_waived = fake.code_scanning.find("KSV012")[0]["number"]
    fake.code_scanning.dismiss_by_person(human_active)
    fake.code_scanning.dismiss_by_person(human_waived, reason="won't fix", comment="accepted risk")
    out = run(fake, sarif(result("ORG001", "k8s/web.yaml", 9), result("KSV012", "k8s/legacy.yaml", 5, waived=True)),
              sha="d" * 40)
    assert out.errors == [] and (out.dismissed, out.reopened, out.refreshed) == ([], [], [])
    assert sorted(a.number for a in out.human) == sorted([human_active, human_waived])
    assert patches(fake) == []
    assert fake.code_scanning.alerts[human_waived]["dismissed_comment"] == "accepted risk"


def test_publish_without_dismissal_does_not_wait_or_touch_alerts(fake: FakeGitHub) -> None:
    fake.code_scanning.pending_polls = 5
    out = run(fake, sarif(result("KSV012", "k8s/legacy.yaml", 5, waived=True)), dismiss=False,
              ref="refs/pull/7/merge")
    assert out.sarif_id and not out.reconciled and out.slept == []
    assert [r.method for r in fake.requests] == ["POST"]


def test_publish_reports_a_forbidden_upload(fake: FakeGitHub) -> None:
    fake.read_only = True
    out = run(fake, sarif())
    assert out.sarif_id == "" and not out.reconciled
    (error,) = out.errors
    assert "HTTP 403" in error and "security-events: write" in error


def test_publish_reports_failed_processing(fake: FakeGitHub) -> None:
    fake.code_scanning.fail_processing = ["locationFromSarifResult: expected artifact location"]
    out = run(fake, sarif(result("R", "a.yaml", 1, waived=True)))
    assert out.status == "failed" and not out.reconciled
    assert "expected artifact location" in out.errors[0]
    assert patches(fake) == []


def test_publish_gives_up_reconciling_after_the_deadline(fake: FakeGitHub) -> None:
    fake.code_scanning.pending_polls = 1_000
    out = run(fake, sarif(result("R", "a.yaml", 1, waived=True)), timeout=10)
    assert out.status == "timeout" and not out.reconciled and out.errors == []
    assert "not finished processing" in out.warnings[0]
    assert patches(fake) == []


def test_publish_reports_a_failed_patch_and_goes_on(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    data = sarif(result("A", "a.yaml", 1, waived=True), result("B", "b.yaml", 1, waived=True))
    calls: list[int] = []
    original = CodeScanning.dismiss

    def flaky(self: CodeScanning, number: int, comment: str) -> None:
        calls.append(number)
        if len(calls) == 1:
            raise ApiError(502, "Bad Gateway", "PATCH", "/alerts")
        original(self, number, comment)

    monkeypatch.setattr(CodeScanning, "dismiss", flaky)
    out = run(fake, data)
    assert len(calls) == 2 and len(out.dismissed) == 1
    assert "could not dismiss alert" in out.errors[0] and "502" in out.errors[0]


# --- where and when ---------------------------------------------------------------------------------


def test_upload_target_by_event() -> None:
    env = {"GITHUB_REF": "refs/pull/7/merge", "GITHUB_SHA": SHA}
    assert upload_target(Event("pull_request"), env) == ("refs/pull/7/merge", SHA)
    target = Event("pull_request_target", {"pull_request": {"number": 7, "head": {"sha": "f" * 40}}})
    assert upload_target(target, {"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": SHA}) == (
        "refs/pull/7/head", "f" * 40)
    assert upload_target(Event("push"), {"GITHUB_REF": "main", "GITHUB_SHA": SHA}) is None
    assert upload_target(Event("push"), {"GITHUB_REF": REF, "GITHUB_SHA": "xyz"}) is None
    assert upload_target(Event("push"), {"GITHUB_REF": REF, "GITHUB_SHA": SHA.upper()}) == (REF, SHA)


@pytest.mark.parametrize(("name", "payload", "ref", "allowed"), [
    ("push", {"repository": {"default_branch": "main"}}, "refs/heads/main", True),
    ("push", {"repository": {"default_branch": "main"}}, "refs/heads/feature", False),
    ("push", {"repository": {"default_branch": "main"}}, "refs/tags/v1", False),
    ("push", {}, "refs/heads/main", False),
    ("workflow_dispatch", {"repository": {"default_branch": "trunk"}}, "refs/heads/trunk", True),
    ("schedule", {}, "refs/heads/main", True),
    ("pull_request", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    ("pull_request_target", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    ("merge_group", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    # GITHUB_REF is the default branch, but such workflows often check out a pull request
    ("issue_comment", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    ("workflow_run", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    ("pull_request_review", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
    ("", {"repository": {"default_branch": "main"}}, "refs/heads/main", False),
])
def test_dismissing_is_allowed_only_on_the_default_branch(name: str, payload: dict[str, Any], ref: str,
                                                          allowed: bool) -> None:
    refusal = dismissal_refusal(Event(name, payload), {"GITHUB_REF": ref})
    assert (refusal is None) is allowed, refusal
