"""Issue 12 in process: waived findings as dismissed alerts on the default branch, and
new versus pre-existing findings on pull requests.

Real git histories (tests/e2e/scenario.py), ``regoscan.action.run.main`` with the
runner's environment, and the fake GitHub API's code scanning (which, like GitHub,
ignores SARIF suppressions and keeps alert states across analyses). The container
versions of the main scenarios are in tests/e2e/test_container.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regoscan.action.reconcile import MARKER
from tests.action_step import Run, run_action
from tests.alert_fixtures import CLEAN_WITH_SIDECAR, EXCEPTION, ORG001, WEB_EXCEPTION
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import commit, git, init_repo, pull_request, write

TOKEN = "ghs_AlertsTestToken_0123456789abcdef"


LEGACY = """apiVersion: batch/v1
kind: Job
metadata:
  name: legacy-batch
spec:
  template:
    spec:
      containers:
        - name: batch
          image: registry.example.com/legacy-batch:2.4.1
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
"""


def step(tmp_path: Path, workspace: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], *,
         event_name: str, event: dict[str, Any], ref: str, sha: str, **inputs: str) -> Run:
    """One step (``tests.action_step``) with the ref and commit the runner names for the event."""
    return run_action(tmp_path, workspace, capfd, token=TOKEN, api_url=fake.url, event_name=event_name, event=event,
                      run_id="99", env={"GITHUB_REF": ref, "GITHUB_SHA": sha}, **inputs)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        server.code_scanning.pending_polls = 0
        yield server


def push_event(before: str, after: str, ref: str = "refs/heads/main") -> dict[str, Any]:
    return {"ref": ref, "before": before, "after": after, "repository": {"full_name": "octo/demo",
                                                                          "default_branch": "main"}}


def uploaded(fake: FakeGitHub, index: int = -1) -> dict[str, Any]:
    upload = list(fake.code_scanning.uploads.values())[index]
    return {"ref": upload["ref"], "sha": upload["commit_sha"], "log": upload["log"]}


def alert_patches(fake: FakeGitHub) -> list[Any]:
    return [r.body for r in fake.requests if r.method == "PATCH" and "/code-scanning/" in r.path]


# --- the default branch -----------------------------------------------------------------------------


def test_push_to_main_dismisses_the_waived_alert_and_reopens_it_when_the_exception_goes(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "k8s/web.yaml": LEGACY.replace("legacy-batch", "web")
                 .replace("registry.example.com/web:2.4.1", "nginx:latest"),
                 "policy/legacy-exception.rego": EXCEPTION, "policy/org001.rego": ORG001})
    first_sha = commit(repo, "one")
    first = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event("0" * 40, first_sha),
                 ref="refs/heads/main", sha=first_sha, upload="true")
    assert first.code == 1, first.stdout  # ORG001 is high
    # the upload: the waived finding is in it, as a suppressed result
    up = uploaded(fake)
    assert (up["ref"], up["sha"]) == ("refs/heads/main", first_sha)
    results = up["log"]["runs"][0]["results"]
    waived = [r for r in results if r["suppressions"]]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in waived] == [
        ("KSV012", "k8s/legacy.yaml")]
    assert json.loads((repo / "regoscan.sarif").read_text(encoding="utf-8")) == up["log"]
    # ...and its alert is dismissed, citing the exception's file and line
    (legacy,) = fake.code_scanning.find("KSV012", "k8s/legacy.yaml")
    assert legacy["state"] == "dismissed" and legacy["dismissed_reason"] == "won't fix"
    comment = legacy["dismissed_comment"]
    assert comment.startswith(MARKER) and len(comment) <= 280
    assert "rule exception builtin.kubernetes.KSV012 at policy/legacy-exception.rego:8" in comment
    assert "needs root until OPS-1234" in comment
    (web,) = fake.code_scanning.find("ORG001", "k8s/web.yaml")
    assert web["state"] == "open"
    assert first.outputs["sarif-id"] and first.outputs["dismissed"] == "1" and first.outputs["reopened"] == "0"
    assert "1 alert of waived findings dismissed" in first.summary
    assert TOKEN not in first.summary and TOKEN not in json.dumps(alert_patches(fake))

    # a person dismisses the web alert; a later push deletes the exception
    fake.code_scanning.dismiss_by_person(web["number"], comment="fine for the demo")
    git(repo, "rm", "-q", "policy/legacy-exception.rego")
    second_sha = commit(repo, "drop the exception")
    second = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event(first_sha, second_sha),
                  ref="refs/heads/main", sha=second_sha, upload="true")
    assert second.code == 1
    assert fake.code_scanning.alerts[legacy["number"]]["state"] == "open"
    assert second.outputs["reopened"] == "1" and second.outputs["dismissed"] == "0"
    assert fake.code_scanning.alerts[web["number"]]["dismissed_comment"] == "fine for the demo"  # untouched
    assert alert_patches(fake)[-1] == {"state": "open"}
    assert len(alert_patches(fake)) == 2
    assert "1 reopened" in second.summary and "1 dismissed by people, left as they are" in second.summary


def test_push_to_another_branch_uploads_without_waived_findings_and_dismisses_nothing(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "policy/legacy-exception.rego": EXCEPTION})
    sha = commit(repo, "one")
    run = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event("0" * 40, sha, "refs/heads/topic"),
               ref="refs/heads/topic", sha=sha, upload="true", **{"sarif-suppressed": "keep", "fail-on": "never"})
    assert run.code == 0, run.stdout
    up = uploaded(fake)
    assert up["ref"] == "refs/heads/topic"
    assert all(not r["suppressions"] for r in up["log"]["runs"][0]["results"])
    assert "does not apply to the upload here" in run.stdout
    assert alert_patches(fake) == [] and run.outputs["dismissed"] == "0"
    assert "is not the default branch" in run.summary
    assert "alerts not reconciled: refs/heads/topic is not the default branch (main)" in run.stdout


def test_upload_refused_on_main_fails_the_step_and_says_why(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "policy/legacy-exception.rego": EXCEPTION})
    sha = commit(repo, "one")
    fake.read_only = True
    run = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event("0" * 40, sha),
               ref="refs/heads/main", sha=sha, upload="true")
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert "regoscan: error: SARIF upload failed" in run.stdout and "security-events: write" in run.stdout
    assert run.outputs["sarif-id"] == ""


def test_without_upload_nothing_reaches_code_scanning(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "policy/legacy-exception.rego": EXCEPTION})
    sha = commit(repo, "one")
    run = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event("0" * 40, sha),
               ref="refs/heads/main", sha=sha, **{"fail-on": "never"})
    assert run.code == 0
    assert fake.requests == []
    assert run.outputs["sarif-id"] == "" and run.outputs["dismissed"] == "0"
    sarif = json.loads((repo / "regoscan.sarif").read_text(encoding="utf-8"))
    assert all(not r["suppressions"] for r in sarif["runs"][0]["results"])  # sarif-suppressed: omit, as before


# --- pull requests --------------------------------------------------------------------------------


def test_pull_request_lists_new_findings_apart_from_preexisting_ones(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"k8s/clean.yaml": CLEAN_WITH_SIDECAR})
    event = pr.event()
    run = step(tmp_path, pr.workspace, fake, capfd, event_name="pull_request", event=event,
               ref="refs/pull/7/merge", sha=pr.merge_sha, upload="true",
               **{"fail-on-new-only": "true", "builtin-checks": "false"})
    assert run.code == 1, run.stdout  # new: ORG001 on the sidecar and in the new k8s/web.yaml
    body = fake.issue_comments(7)[0]["body"]
    new_at, old_at = body.index("### New findings (2)"), body.index("### Pre-existing findings (1)")
    assert new_at < old_at
    new_part, old_part = body[new_at:old_at], body[old_at:]
    assert "k8s/clean.yaml:10" in new_part and "Container 'sidecar'" in new_part  # the added container
    assert "k8s/web.yaml:9" in new_part  # a file the change added
    assert "k8s/clean.yaml:12" in old_part and "Container 'app'" in old_part  # moved down two lines: still old
    assert run.outputs["new-findings"] == "2"
    assert "new in this change" in run.summary
    # the PR's upload: no waived result in it, and no alert changes
    up = uploaded(fake)
    assert up["ref"] == "refs/pull/7/merge"
    assert all(not r["suppressions"] for r in up["log"]["runs"][0]["results"])
    assert alert_patches(fake) == [] and run.outputs["dismissed"] == "0"


def test_fail_on_new_only_passes_when_the_change_adds_nothing(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    touched = CLEAN_WITH_SIDECAR.replace("        - name: sidecar\n          image: envoy:latest\n", "") \
        .replace("# Unchanged", "# Touched")
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"k8s/clean.yaml": touched})
    # only the comment line of clean.yaml changes (the fixture's other files are new and noisy,
    # so keep the scan to clean.yaml)
    kw = {"paths": "k8s/clean.yaml", "comment": "false"}
    strict = step(tmp_path, pr.workspace, fake, capfd, event_name="pull_request", event=pr.event(),
                  ref="refs/pull/7/merge", sha=pr.merge_sha, **kw)
    assert strict.code == 1 and strict.outputs["new-findings"] == "0"
    lenient = step(tmp_path, pr.workspace, fake, capfd, event_name="pull_request", event=pr.event(),
                   ref="refs/pull/7/merge", sha=pr.merge_sha, **{**kw, "fail-on-new-only": "true"})
    assert lenient.code == 0, lenient.stdout
    assert "### New findings (0)" in lenient.summary and "None: every active finding" in lenient.summary
    assert f"### Pre-existing findings ({lenient.outputs['findings']})" in lenient.summary
    assert int(lenient.outputs["findings"]) >= 1


def test_pull_request_that_adds_an_exception_compares_against_the_same_policies(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={
        "k8s/clean.yaml": CLEAN_WITH_SIDECAR, "policy/web-exception.rego": WEB_EXCEPTION})
    run = step(tmp_path, pr.workspace, fake, capfd, event_name="pull_request", event=pr.event(),
               ref="refs/pull/7/merge", sha=pr.merge_sha, upload="true",
               **{"fail-on-new-only": "true", "builtin-checks": "false"})
    assert run.outputs["scan"] == "all"  # the policy folder changed
    body = fake.issue_comments(7)[0]["body"]
    # first the exception the change adds (issue 10's section), with what it waives; then the new findings
    changed_at = body.index("### Exceptions and policies changed by this change")
    assert changed_at < body.index("### New findings") < body.index("### Pre-existing findings")
    changed_part = body[changed_at:body.index("### New findings")]
    assert "policy/web\\-exception.rego:8" in changed_part and "k8s/web.yaml" in changed_part
    new_part = body[body.index("### New findings"):body.index("### Pre-existing findings")]
    old_part = body[body.index("### Pre-existing findings"):]
    assert "sidecar" in new_part and "k8s/web.yaml" not in new_part  # web's finding is waived by the new exception
    assert "k8s/main\\-only.yaml:10" in old_part  # unchanged by the change: pre-existing
    assert "k8s/clean.yaml:12" in old_part
    assert alert_patches(fake) == []
    assert run.outputs["suppressed"] == "1" and "left out of the upload" in run.summary
    assert "pull\\_request runs never dismiss alerts" in run.summary


def test_a_rename_compares_with_the_old_name(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "origin")
    write(repo, {"k8s/app.yaml": LEGACY.replace("registry.example.com/legacy-batch:2.4.1", "nginx:latest"),
                 "policy/org001.rego": ORG001})
    base = commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "mv", "k8s/app.yaml", "k8s/renamed.yaml")
    head = commit(repo, "rename")
    event = {"number": 3, "pull_request": {"number": 3, "base": {"ref": "main", "sha": base},
                                           "head": {"ref": "feature", "sha": head}},
             "repository": {"full_name": "octo/demo", "default_branch": "main"}}
    run = step(tmp_path, repo, fake, capfd, event_name="pull_request", event=event, ref="refs/pull/3/head",
               sha=head, comment="false", **{"fail-on-new-only": "true"})
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1"
    assert run.outputs["new-findings"] == "0" and run.code == 0, run.stdout
    assert int(run.outputs["findings"]) >= 2  # ORG001 and built-in checks, all matched under the new name
    assert f"Pre-existing findings ({run.outputs['findings']})" in run.summary and "k8s/renamed.yaml" in run.summary


def test_a_scan_with_configuration_errors_is_not_uploaded(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "policy/legacy-exception.rego": EXCEPTION,
                 "policy/broken.rego": "package user.broken\n\ndeny contains msg if {\n"})
    sha = commit(repo, "one")
    run = step(tmp_path, repo, fake, capfd, event_name="push", event=push_event("0" * 40, sha),
               ref="refs/heads/main", sha=sha, upload="true")
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert fake.requests == [] and run.outputs["sarif-id"] == ""
    assert "regoscan: warning: SARIF not uploaded: the scan has configuration errors" in run.stdout
    assert "alerts stay as they are" in run.summary


def test_the_base_is_scanned_only_for_changed_files_with_findings(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a head finding in a changed file can be new: the base versions of changed files
    without one are not scanned, and a change without findings costs no second scan."""
    import regoscan.engine.scan as scan_mod

    scans: list[list[str] | None] = []
    real = scan_mod.run_scan

    def counted(opts: Any, *args: Any, **kwargs: Any) -> Any:
        scans.append(sorted(Path(f).name for f in opts.files) if opts.files is not None else None)
        return real(opts, *args, **kwargs)

    monkeypatch.setattr(scan_mod, "run_scan", counted)
    latest = LEGACY.replace("registry.example.com/legacy-batch:2.4.1", "nginx:latest")
    repo = init_repo(tmp_path / "origin")
    write(repo, {"k8s/fixed.yaml": latest, "k8s/still.yaml": latest, "policy/org001.rego": ORG001})
    base = commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"k8s/fixed.yaml": latest.replace("nginx:latest", "nginx:1.27")})
    only_fix = commit(repo, "fix one")
    write(repo, {"k8s/still.yaml": "# touched\n" + latest})
    both = commit(repo, "touch the other")

    def pr_event(head: str) -> dict[str, Any]:
        return {"number": 3, "pull_request": {"number": 3, "base": {"ref": "main", "sha": base},
                                              "head": {"ref": "feature", "sha": head}},
                "repository": {"full_name": "octo/demo", "default_branch": "main"}}

    kw = {"comment": "false", "builtin-checks": "false", "fail-on-new-only": "true"}
    run = step(tmp_path, repo, fake, capfd, event_name="pull_request", event=pr_event(both),
               ref="refs/pull/3/head", sha=both, **kw)
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "2"
    assert run.outputs["new-findings"] == "0" and run.code == 0, run.stdout
    assert "Pre-existing findings (1)" in run.summary  # still.yaml's ORG001, matched at the base
    assert scans == [None, ["still.yaml"]]  # the tree, then the one changed file with a finding

    scans.clear()
    git(repo, "checkout", "-q", only_fix)
    run = step(tmp_path, repo, fake, capfd, event_name="pull_request", event=pr_event(only_fix),
               ref="refs/pull/3/head", sha=only_fix, **kw)
    assert run.outputs["scanned-files"] == "1" and run.outputs["new-findings"] == "0" and run.code == 0
    assert scans == [None]  # the fix has no finding: nothing to compare, no base scan
