"""Issue 12 end to end in the container, against the fake GitHub API's code scanning.

The image and the runner's way of running it come from ``test_container.py``: root in
the container, the workspace owned by uid 1001 mounted at ``/github/workspace``, inputs
as ``-e INPUT_<NAME>``. Two scenarios:

* **The default branch.** A push to ``main`` whose tree holds one finding waived by an
  exception: the step uploads SARIF with the waived finding as a suppressed result and,
  once GitHub (the fake) has processed it, dismisses that alert with a comment citing
  the exception's file:line. A person dismisses another alert. A later push deletes the
  exception: the alert is reopened; the person's dismissal is left alone.
* **A pull request** that adds an exception and a new finding next to a pre-existing
  one: the comment lists the new finding apart from the pre-existing ones; the upload
  has no waived result and nothing is dismissed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from regoscan.action.reconcile import MARKER
from tests.alert_fixtures import CLEAN_WITH_SIDECAR, EXCEPTION, ORG001, WEB_EXCEPTION
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import commit, git, init_repo, pull_request, write
from tests.e2e.test_container import RUNNER_UID, TOKEN, Runner, _chown_tree, image, run_step

pytestmark = pytest.mark.slow
__all__ = ["image"]  # the module-scoped fixture, used by the tests below


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
"""


WEB = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:latest
"""


def _runner(tmp_path: Path, workspace: Path, event: dict[str, Any], origin: Path | None = None) -> Runner:
    """The runner's folders for one job; ``origin``: the checkout's remote (mounted read-only)."""
    if origin is None:
        origin = tmp_path / "origin"
        origin.mkdir(exist_ok=True)
    r = Runner(tmp_path / "runner", workspace, origin, event)
    for folder in (r.workflow, r.file_commands, r.home):
        folder.mkdir(parents=True, exist_ok=True)
    (r.workflow / "event.json").write_text(json.dumps(event), encoding="utf-8")
    for folder in (workspace, origin, r.root):
        _chown_tree(folder, RUNNER_UID)
    return r


def _push(before: str, after: str) -> dict[str, Any]:
    return {"ref": "refs/heads/main", "before": before, "after": after,
            "repository": {"full_name": "octo/demo", "default_branch": "main"}}


def _patches(fake: FakeGitHub) -> list[Any]:
    return [r.body for r in fake.requests if r.method == "PATCH" and "/code-scanning/alerts/" in r.path]


@pytest.fixture
def as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the runner-ownership setup needs root (chown to another user)")


def test_default_branch_dismisses_waived_alerts_and_reopens_them(image: str, tmp_path: Path, as_root: None) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/legacy.yaml": LEGACY, "k8s/web.yaml": WEB, "policy/legacy-exception.rego": EXCEPTION,
                 "policy/org001.rego": ORG001})
    first_sha = commit(repo, "one")
    runner = _runner(tmp_path, repo, _push("0" * 40, first_sha))
    inputs = {"policy": "policy", "upload": "true", "fail-on": "never"}
    push = {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}
    with FakeGitHub(TOKEN) as fake:
        first = run_step(image, runner, fake.url, inputs, extra_env={**push, "GITHUB_SHA": first_sha})
        assert first.code == 0, f"{first.stdout}\n{first.stderr}"

        # one upload, for main at this commit, with the waived finding as a suppressed result
        (upload,) = fake.code_scanning.uploads.values()
        assert (upload["ref"], upload["commit_sha"]) == ("refs/heads/main", first_sha)
        waived = [r for r in upload["log"]["runs"][0]["results"] if r["suppressions"]]
        assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in waived] == [
            ("KSV012", "k8s/legacy.yaml")]
        sarif_path = repo / "regoscan.sarif"
        assert json.loads(sarif_path.read_text(encoding="utf-8")) == upload["log"]
        assert sarif_path.stat().st_uid == RUNNER_UID

        # its alert: dismissed, won't fix, citing the exception's file:line
        (legacy,) = fake.code_scanning.find("KSV012", "k8s/legacy.yaml")
        assert legacy["state"] == "dismissed" and legacy["dismissed_reason"] == "won't fix"
        assert legacy["dismissed_comment"].startswith(MARKER)
        assert "at policy/legacy-exception.rego:8: the legacy batch job needs root" in legacy["dismissed_comment"]
        assert first.outputs["dismissed"] == "1" and first.outputs["reopened"] == "0"
        assert first.outputs["sarif-id"] in fake.code_scanning.uploads
        assert len(_patches(fake)) == 1
        assert "#### Code scanning" in first.summary

        # a person dismisses the web alert; the next push deletes the exception
        (web,) = fake.code_scanning.find("ORG001", "k8s/web.yaml")
        assert web["state"] == "open"
        fake.code_scanning.dismiss_by_person(web["number"], comment="accepted for the demo")
        _chown_tree(repo, 0)  # the host's git works on its own checkout again (safe.directory)
        git(repo, "rm", "-q", "policy/legacy-exception.rego")
        second_sha = commit(repo, "drop the legacy exception")
        runner = _runner(tmp_path, repo, _push(first_sha, second_sha))
        second = run_step(image, runner, fake.url, inputs, extra_env={**push, "GITHUB_SHA": second_sha})
        assert second.code == 0, f"{second.stdout}\n{second.stderr}"
        assert fake.code_scanning.alerts[legacy["number"]]["state"] == "open"
        assert second.outputs["reopened"] == "1" and second.outputs["dismissed"] == "0"
        assert _patches(fake)[-1] == {"state": "open"} and len(_patches(fake)) == 2
        person = fake.code_scanning.alerts[web["number"]]
        assert person["state"] == "dismissed" and person["dismissed_comment"] == "accepted for the demo"
        for text in (first.stdout, second.stdout, first.summary, second.summary, json.dumps(_patches(fake))):
            assert TOKEN not in text.replace(f"::add-mask::{TOKEN}", "")


def test_pull_request_shows_new_findings_apart_and_dismisses_nothing(
        image: str, tmp_path: Path, as_root: None) -> None:
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={
        "k8s/clean.yaml": CLEAN_WITH_SIDECAR, "policy/web-exception.rego": WEB_EXCEPTION})
    runner = _runner(tmp_path, pr.workspace, pr.event(), pr.origin)
    inputs = {"policy": "policy", "upload": "true", "fail-on-new-only": "true", "builtin-checks": "false"}
    with FakeGitHub(TOKEN) as fake:
        step = run_step(image, runner, fake.url, inputs, extra_env={"GITHUB_SHA": pr.merge_sha})
        assert step.code == 1, f"{step.stdout}\n{step.stderr}"  # the sidecar's ':latest' is new
        (comment,) = fake.issue_comments(7)
        body = comment["body"]
        changed_at = body.index("### Exceptions and policies changed by this change")
        new_at, old_at = body.index("### New findings (1)"), body.index("### Pre-existing findings (2)")
        assert changed_at < new_at < old_at  # the exception first, then new apart from pre-existing
        assert "policy/web\\-exception.rego:8" in body[changed_at:new_at] and "k8s/web.yaml" in body[changed_at:new_at]
        new_part, old_part = body[new_at:old_at], body[old_at:]
        assert "k8s/clean.yaml:10" in new_part and "Container 'sidecar'" in new_part
        assert "k8s/clean.yaml:12" in old_part and "k8s/main\\-only.yaml:10" in old_part
        # the new exception waives web's finding: kept out of the new findings and of the upload
        assert "k8s/web.yaml" not in new_part
        (upload,) = fake.code_scanning.uploads.values()
        assert upload["ref"] == "refs/pull/7/merge"
        assert all(not r["suppressions"] for r in upload["log"]["runs"][0]["results"])
        assert _patches(fake) == [] and step.outputs["dismissed"] == "0"
        assert step.outputs["new-findings"] == "1"
        assert "1 new in this change" in step.summary
