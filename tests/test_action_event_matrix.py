"""Every event, with ``upload: true``: what is judged, what is uploaded where, what is dismissed.

Issue 16 made ``sarif-file`` a full-tree analysis under one category on pushes and pull
requests alike; issue 12 keeps waived findings as suppressed results only where their
alerts are then dismissed (a push, schedule or manual run on the default branch) and
leaves them out everywhere else. This module checks the two together, event by event, on
one real git history and against the fake GitHub API's code scanning:

* the gate (``scan``, ``scanned-files``) and the decision;
* the upload: its ``ref`` and ``commit_sha``, its category (always ``regoscan/``), a full
  tree (the unchanged file's finding is in it), and whether the waived finding is in it
  as a suppressed result;
* dismissals: only where the run scanned the default branch's own commit; a pull
  request's upload never touches the default branch's alerts.

Payloads are GitHub's own examples (``@octokit/webhooks-examples``, default branch
``master``) with their commit ids replaced by this history's (``schedule`` has no webhook:
its payload is the cron line). The repository: ``master`` holds a check (ORG001, no
``:latest``), an exception waiving it for ``web`` and two manifests (``web``, waived;
``old``, active); the pull request adds ``new`` (active).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import checkout, commit, git, init_repo, write
from tests.github_rest import require_rest_data, webhook_example, webhook_examples
from tests.test_action_alerts import ORG001, TOKEN, Run, step
from tests.test_action_webhooks import replay

PR = 2  # the number in GitHub's example payloads
DEFAULT = "refs/heads/master"
ZERO = "0" * 40

WEB_EXCEPTION = """# METADATA
# custom:
#   reason: the web demo may float
package user.kubernetes.ORG001

import rego.v1

exception contains rules if {
\tinput.metadata.name == "web"
\trules := [""]
}
"""


def _deployment(name: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
            f"      containers:\n        - name: app\n          image: nginx:latest\n")


@dataclass
class History:
    origin: Path
    base: str
    """``master``'s tip, where the pull request branched off."""
    head: str
    """The pull request's head (adds ``k8s/new.yaml``)."""
    merge: str
    """GitHub's merge commit (``refs/pull/2/merge``), also what ``master`` holds after the merge."""


@pytest.fixture(scope="module", autouse=True)
def _examples_installed() -> None:
    require_rest_data()


@pytest.fixture
def history(tmp_path: Path) -> History:
    origin = init_repo(tmp_path / "origin", branch="master")
    write(origin, {"policy/org001.rego": ORG001, "policy/web-exception.rego": WEB_EXCEPTION,
                   "k8s/web.yaml": _deployment("web"), "k8s/old.yaml": _deployment("old")})
    base = commit(origin, "master")
    git(origin, "checkout", "-q", "-b", "feature")
    write(origin, {"k8s/new.yaml": _deployment("new")})
    head = commit(origin, "a new deployment")
    git(origin, "checkout", "-q", "--detach", base)
    git(origin, "merge", "-q", "--no-ff", "-m", "merge", head)
    merge = git(origin, "rev-parse", "HEAD")
    git(origin, "update-ref", f"refs/pull/{PR}/head", head)
    git(origin, "update-ref", f"refs/pull/{PR}/merge", merge)
    git(origin, "checkout", "-q", "master")
    return History(origin, base, head, merge)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        server.code_scanning.pending_polls = 0
        server.code_scanning.default_ref = DEFAULT
        yield server


def _workspace(tmp_path: Path, h: History, ref: str) -> Path:
    return checkout(h.origin, tmp_path / "ws", ref, depth=None)


def _run(tmp_path: Path, ws: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], name: str,
         payload: dict[str, Any], ref: str, sha: str, **inputs: str) -> Run:
    return step(tmp_path, ws, fake, capfd, event_name=name, event=payload, ref=ref, sha=sha, upload="true",
                **{"builtin-checks": "false", **inputs})


def _upload(fake: FakeGitHub) -> dict[str, Any]:
    (upload,) = fake.code_scanning.uploads.values()
    return upload


def _results(upload: dict[str, Any]) -> dict[str, bool]:
    """Uploaded results: file -> suppressed."""
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: bool(r["suppressions"])
            for r in upload["log"]["runs"][0]["results"]}


def _plain(markdown: str) -> str:
    """The summary's text with Markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _alert_patches(fake: FakeGitHub) -> list[Any]:
    return [r.body for r in fake.requests if r.method == "PATCH" and "/code-scanning/alerts/" in r.path]


def assert_uploaded(fake: FakeGitHub, run: Run, ref: str, sha: str, *, dismissed: bool,
                    files: set[str] | None = None) -> None:
    """One upload for ``ref`` at ``sha``: a full tree under ``regoscan/``; the waived finding
    kept (and its alert dismissed) exactly when ``dismissed``."""
    upload = _upload(fake)
    assert (upload["ref"], upload["commit_sha"]) == (ref, sha)
    assert upload["log"]["runs"][0]["automationDetails"]["id"] == "regoscan/"
    results = _results(upload)
    expected = {"k8s/old.yaml": False, **{f: False for f in files or set()}}
    if dismissed:
        expected["k8s/web.yaml"] = True
    assert results == expected, run.stdout
    assert run.outputs["sarif-id"] in fake.code_scanning.uploads
    assert run.outputs["sarif-category"] == "regoscan/"
    web = fake.code_scanning.find("ORG001", "k8s/web.yaml")
    if dismissed:
        (alert,) = web
        assert alert["state"] == "dismissed" and alert["dismissed_comment"].startswith("[regoscan:waived]")
        assert run.outputs["dismissed"] == "1"
        assert "policy/web-exception.rego:8" in alert["dismissed_comment"]
    else:
        assert web == [] and _alert_patches(fake) == [] and run.outputs["dismissed"] == "0"
        assert "1 waived finding was left out of the upload" in _plain(run.summary)
    for alert in fake.code_scanning.alerts.values():  # nothing on the default branch was closed
        if DEFAULT in alert["instances"]:
            assert alert["state"] != "fixed"


# --- pull requests and merge queues: the change judged, nothing dismissed ----------------------------


def _pr_payload(h: History, *, fork: bool) -> dict[str, Any]:
    real = webhook_example("pull_request", action="opened")
    payload = replay(real, {real["pull_request"]["base"]["sha"]: h.base, real["pull_request"]["head"]["sha"]: h.head})
    assert payload["number"] == PR and payload["pull_request"]["base"]["ref"] == "master"
    if fork:
        payload["pull_request"]["head"]["repo"] = webhook_example("fork")["forkee"]
    return payload


def test_pull_request(tmp_path: Path, history: History, fake: FakeGitHub,
                      capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/merge")
    run = _run(tmp_path, ws, fake, capfd, "pull_request", _pr_payload(history, fork=False),
               f"refs/pull/{PR}/merge", history.merge, **{"fail-on-new-only": "true"})
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1"
    assert run.code == 1 and run.outputs["new-findings"] == "1"
    # the SARIF is the merge commit's whole tree, for the pull request's ref only
    assert_uploaded(fake, run, f"refs/pull/{PR}/merge", history.merge, dismissed=False, files={"k8s/new.yaml"})
    assert "pull_request runs never dismiss alerts" in _plain(run.summary)


def test_pull_request_from_a_fork_fails_only_on_its_findings(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/merge")
    fake.read_only = True  # a fork's GITHUB_TOKEN: no comment, no upload
    run = _run(tmp_path, ws, fake, capfd, "pull_request", _pr_payload(history, fork=True),
               f"refs/pull/{PR}/merge", history.merge, **{"fail-on": "never"})
    assert run.code == 0 and run.outputs["decision"] == "pass", run.stdout  # not an error
    assert run.outputs["sarif-id"] == "" and run.outputs["sarif-complete"] == "true"
    assert fake.code_scanning.uploads == {} and fake.issue_comments(PR) == []
    assert "regoscan: warning: SARIF upload failed" in run.stdout and "security-events: write" in run.stdout
    assert "No PR comment" in run.summary and "SARIF upload failed" in run.summary
    again = _run(tmp_path, ws, fake, capfd, "pull_request", _pr_payload(history, fork=True),
                 f"refs/pull/{PR}/merge", history.merge)
    assert again.code == 1 and again.outputs["decision"] == "fail"  # the findings decide, as without upload


def test_pull_request_target_uploads_the_head_for_the_pull_request(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    ws = checkout(history.origin, tmp_path / "ws", DEFAULT, depth=1)  # the base branch, as GitHub checks it out
    run = _run(tmp_path, ws, fake, capfd, "pull_request_target", _pr_payload(history, fork=True),
               DEFAULT, history.base, **{"fail-on-new-only": "true"})
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1"
    assert run.code == 1 and run.outputs["new-findings"] == "1"
    assert (run.outputs["sarif-ref"], run.outputs["sarif-sha"]) == (f"refs/pull/{PR}/head", history.head)
    # GITHUB_REF is the default branch here: the upload still goes to the pull request's head
    assert_uploaded(fake, run, f"refs/pull/{PR}/head", history.head, dismissed=False, files={"k8s/new.yaml"})


def test_merge_group(tmp_path: Path, history: History, fake: FakeGitHub,
                     capfd: pytest.CaptureFixture[str]) -> None:
    real = webhook_example("merge_group", action="checks_requested")
    group = real["merge_group"]
    payload = replay(real, {group["base_sha"]: history.base, group["head_sha"]: history.merge})
    payload["repository"]["default_branch"] = "master"  # the example's repository uses main
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/merge")
    run = _run(tmp_path, ws, fake, capfd, "merge_group", payload, group["head_ref"], history.merge)
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1" and run.code == 1
    assert_uploaded(fake, run, group["head_ref"], history.merge, dismissed=False, files={"k8s/new.yaml"})


# --- pushes, schedules and manual runs --------------------------------------------------------------


def _push(history: History, *, ref: str, before: str, after: str, **fields: Any) -> dict[str, Any]:
    real = webhook_example("push", ref="refs/heads/master", created=True)
    payload = replay(real, {real["after"]: after})
    payload.update(ref=ref, before=before, **fields)
    return payload


def test_push_to_the_default_branch_dismisses(tmp_path: Path, history: History, fake: FakeGitHub,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/merge")  # the pull request, merged
    payload = _push(history, ref=DEFAULT, before=history.base, after=history.merge, created=False)
    run = _run(tmp_path, ws, fake, capfd, "push", payload, DEFAULT, history.merge)
    assert run.outputs["scan"] == "all" and run.outputs["scanned-files"] == "3" and run.code == 1
    assert_uploaded(fake, run, DEFAULT, history.merge, dismissed=True, files={"k8s/new.yaml"})


def test_force_push_to_the_default_branch_dismisses(tmp_path: Path, history: History, fake: FakeGitHub,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/merge")
    gone = init_repo(tmp_path / "gone")
    write(gone, {"x.yaml": "a: 1\n"})
    payload = _push(history, ref=DEFAULT, before=commit(gone, "rewritten away"), after=history.merge,
                    created=False, forced=True)
    run = _run(tmp_path, ws, fake, capfd, "push", payload, DEFAULT, history.merge, scan="changed")
    assert run.outputs["scan"] == "all" and run.code == 1  # the range is gone: everything judged
    assert_uploaded(fake, run, DEFAULT, history.merge, dismissed=True, files={"k8s/new.yaml"})


def test_push_of_a_new_branch(tmp_path: Path, history: History, fake: FakeGitHub,
                              capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/head")
    payload = _push(history, ref="refs/heads/feature", before=ZERO, after=history.head)
    run = _run(tmp_path, ws, fake, capfd, "push", payload, "refs/heads/feature", history.head, scan="changed")
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1" and run.code == 1
    assert_uploaded(fake, run, "refs/heads/feature", history.head, dismissed=False, files={"k8s/new.yaml"})
    assert "refs/heads/feature is not the default branch (master)" in _plain(run.summary)


def test_tag_push(tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, DEFAULT)
    real = webhook_example("push", ref="refs/tags/simple-tag", created=True)
    payload = replay(real, {real["after"]: history.base})
    run = _run(tmp_path, ws, fake, capfd, "push", payload, "refs/tags/simple-tag", history.base, scan="changed")
    assert run.outputs["scan"] == "all" and run.outputs["scanned-files"] == "2" and run.code == 1
    assert "a tag push has no change range" in run.summary
    assert_uploaded(fake, run, "refs/tags/simple-tag", history.base, dismissed=False)


def test_deletions_upload_nothing(tmp_path: Path, history: History, fake: FakeGitHub,
                                  capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, DEFAULT)
    deletions = [p for p in webhook_examples("push") if p.get("deleted")]
    assert {p["ref"] for p in deletions} == {"refs/tags/simple-tag"}
    branch = {**deletions[0], "ref": DEFAULT}  # the examples delete tags only: the same payload for a branch
    for real in [*deletions, branch]:
        payload = replay(real, {real["before"]: history.base})
        run = _run(tmp_path, ws, fake, capfd, "push", payload, real["ref"], ZERO)
        assert run.code == 0 and run.outputs["scan"] == "none" and run.outputs.get("sarif-id", "") == ""
    assert fake.requests == []


def test_schedule_on_the_default_branch_dismisses(tmp_path: Path, history: History, fake: FakeGitHub,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, DEFAULT)
    run = _run(tmp_path, ws, fake, capfd, "schedule", {"schedule": "23 4 * * 1"}, DEFAULT, history.base)
    assert run.outputs["scan"] == "all" and run.outputs["scanned-files"] == "2" and run.code == 1
    assert_uploaded(fake, run, DEFAULT, history.base, dismissed=True)


@pytest.mark.parametrize("branch", ["master", "feature"])
def test_workflow_dispatch_dismisses_only_on_the_default_branch(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], branch: str) -> None:
    real = webhook_example("workflow_dispatch", ref="refs/heads/master")
    ref = f"refs/heads/{branch}"
    sha = history.base if branch == "master" else history.head
    ws = _workspace(tmp_path, history, DEFAULT if branch == "master" else f"refs/pull/{PR}/head")
    run = _run(tmp_path, ws, fake, capfd, "workflow_dispatch", {**real, "ref": ref}, ref, sha)
    assert run.outputs["scan"] == "all" and run.code == 1
    extra = set() if branch == "master" else {"k8s/new.yaml"}
    assert_uploaded(fake, run, ref, sha, dismissed=branch == "master", files=extra)


# --- the default branch's ref, but not its commit: never uploaded there, never dismissed ---------------


def test_issue_comment_that_checked_out_a_pull_request_uploads_nothing(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    """A "/scan" comment workflow: GITHUB_REF and GITHUB_SHA are the default branch's, the checkout
    the pull request's head. Its SARIF recorded for the default branch would close that branch's
    alerts the pull request fixes, and its exceptions, which nobody merged, would dismiss alerts."""
    real = webhook_example("issue_comment", action="created")
    assert real["repository"]["default_branch"] == "master"
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/head")
    run = _run(tmp_path, ws, fake, capfd, "issue_comment", real, DEFAULT, history.base, comment="false")
    assert fake.requests == [] and run.outputs["sarif-id"] == ""
    assert run.code == 2 and run.outputs["decision"] == "error", run.stdout  # a stale Security tab is not quiet
    note = f"SARIF not uploaded: the checkout is commit {history.head[:12]}, but the upload would be recorded " \
           f"for {DEFAULT} at {history.base[:12]}"
    assert note in _plain(run.summary) and f"regoscan: error: {note}" in run.stdout
    sarif = json.loads((ws / "regoscan.sarif").read_text(encoding="utf-8"))
    assert all(not r["suppressions"] for r in sarif["runs"][0]["results"])  # never kept for a dismissal


def test_issue_comment_on_the_default_branch_itself_never_dismisses(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    real = webhook_example("issue_comment", action="created")
    ws = _workspace(tmp_path, history, DEFAULT)
    run = _run(tmp_path, ws, fake, capfd, "issue_comment", real, DEFAULT, history.base, comment="false")
    assert_uploaded(fake, run, DEFAULT, history.base, dismissed=False)
    assert "issue_comment events never dismiss alerts" in _plain(run.summary)
    assert run.code == 1


def test_a_push_whose_checkout_is_another_commit_uploads_nothing(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/head")  # e.g. checkout with ref: the PR's head
    payload = _push(history, ref=DEFAULT, before=history.base, after=history.merge, created=False)
    run = _run(tmp_path, ws, fake, capfd, "push", payload, DEFAULT, history.merge)
    assert fake.requests == [] and run.code == 2
    assert f"the checkout is commit {history.head[:12]}, but the upload would be recorded" in _plain(run.summary)


def test_a_pull_request_whose_checkout_is_its_head_still_uploads_for_the_pull_request(
        tmp_path: Path, history: History, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    """actions/checkout with ref: the head sha: GITHUB_SHA is the merge commit; the upload is the
    pull request's own ref, which only the pull request's analyses use."""
    ws = _workspace(tmp_path, history, f"refs/pull/{PR}/head")
    run = _run(tmp_path, ws, fake, capfd, "pull_request", _pr_payload(history, fork=False),
               f"refs/pull/{PR}/merge", history.merge, comment="false")
    assert_uploaded(fake, run, f"refs/pull/{PR}/merge", history.merge, dismissed=False, files={"k8s/new.yaml"})
