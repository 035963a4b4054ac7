"""Real webhook payloads (``@octokit/webhooks-examples``) replayed on real git repositories.

Each test takes a payload GitHub documented, replaces its commit ids with commits of a
repository made in ``tmp_path`` (every other field is kept as GitHub sent it), runs the
Action in process on that repository, and asserts which files the gate covered and the
decision. Where the examples have no payload of a kind, the nearest real one is changed
in the one field that makes the difference, and the test says so: a pull request from a
fork (``head.repo`` replaced by the ``forkee`` of the real ``fork`` payload), a force
push (``forced: true`` and a ``before`` that no longer exists), ``pull_request_target``
(GitHub sends it the ``pull_request`` payload).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.action.event import load_event
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import PullRequest, commit, git, init_repo, pull_request, pull_request_target, write
from tests.github_rest import require_rest_data, webhook_example, webhook_examples
from tests.test_action_run import Run, _results, action, fake, unlocated_commands

__all__ = ["fake"]  # the fixture, imported for the tests below

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\nspec:\n  containers:\n"
       "    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n")
CLEAN = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: app\ndata:\n  a: b\n")


@pytest.fixture(scope="module", autouse=True)
def _examples_installed() -> None:
    require_rest_data()


def replay(payload: dict[str, Any], shas: dict[str, str]) -> dict[str, Any]:
    """``payload`` with each of its commit ids replaced by a commit of the test repository."""
    text = json.dumps(payload)
    for old, new in shas.items():
        assert old in text, f"{old} is not in the payload"
        text = text.replace(old, new)
    return json.loads(text)


def _event_of(tmp_path: Path, name: str, payload: dict[str, Any]) -> Any:
    path = tmp_path / "parsed.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return load_event({"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)})


def _pr_payload(pr: PullRequest, *, fork: bool) -> dict[str, Any]:
    real = webhook_example("pull_request", action="opened")
    payload = replay(real, {real["pull_request"]["base"]["sha"]: pr.base_sha,
                            real["pull_request"]["head"]["sha"]: pr.head_sha})
    if fork:
        payload["pull_request"]["head"]["repo"] = webhook_example("fork")["forkee"]
    # the pull request's number as GitHub would serve its ref
    git(pr.origin, "update-ref", f"refs/pull/{payload['number']}/head", pr.head_sha)
    return payload


def _gate_files(run: Run) -> set[str]:
    """Files the gate reported on: the annotations' ``file=`` (findings of the changed files)."""
    return {line.split("file=", 1)[1].split(",", 1)[0] for line in run.stdout.splitlines()
            if line.startswith(("::error file=", "::warning file=", "::notice file="))}


# --- pull requests ---------------------------------------------------------------------------


def test_pull_request_from_a_fork(tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=1)
    payload = _pr_payload(pr, fork=True)
    event = _event_of(tmp_path, "pull_request", payload)
    assert event.from_fork and event.pr_number == payload["number"]
    fake.read_only = True  # a fork's GITHUB_TOKEN
    run = action(tmp_path, pr.workspace, fake, capfd, event=payload)
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "4"
    assert _gate_files(run) <= {"app/Dockerfile", "k8s/legacy.yaml", "k8s/renamed.yaml", "k8s/web.yaml"}
    assert {"app/Dockerfile", "k8s/web.yaml"} <= _gate_files(run)
    assert run.code == 1 and run.outputs["decision"] == "fail"  # ORG001 and DS002 are high
    assert fake.issue_comments(payload["number"]) == []
    assert "No PR comment" in run.summary and "forks" in run.summary
    assert not unlocated_commands(run)


def test_pull_request_target_from_a_fork(tmp_path: Path, fake: FakeGitHub,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request_target(tmp_path / "repo", extra_pr_files={"k8s/root-pod.yaml": POD})
    payload = _pr_payload(pr, fork=True)
    run = action(tmp_path, pr.workspace, fake, capfd, event_name="pull_request_target", event=payload)
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "5"
    assert "k8s/root-pod.yaml" in _gate_files(run)
    assert run.code == 1
    assert ("KSV017", "k8s/root-pod.yaml") in _results(run.sarif())
    assert run.outputs["sarif-ref"] == f"refs/pull/{payload['number']}/head"
    assert not (pr.workspace / "k8s" / "root-pod.yaml").exists()
    (comment,) = fake.issue_comments(payload["number"])  # pull_request_target's token can write
    assert "root" in comment["body"]


def test_merge_group(tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=None)
    real = webhook_example("merge_group", action="checks_requested")
    group = real["merge_group"]
    payload = replay(real, {group["base_sha"]: pr.base_sha, group["head_sha"]: pr.merge_sha})
    assert _event_of(tmp_path, "merge_group", payload).merge_group_head_sha == pr.merge_sha
    run = action(tmp_path, pr.workspace, fake, capfd, event_name="merge_group", event=payload)
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "4"
    assert "k8s/main-only.yaml" not in _gate_files(run)  # on the base already: not the group's change
    assert run.code == 1 and fake.requests == []  # no pull request number: no comment


# --- pushes ----------------------------------------------------------------------------------


def _pushed_repo(tmp_path: Path, branch: str = "master") -> tuple[Path, str, str]:
    repo = init_repo(tmp_path / "ws", branch=branch)
    write(repo, {"k8s/settings.yaml": CLEAN})
    first = commit(repo, "settings")
    write(repo, {"k8s/root-pod.yaml": POD})
    second = commit(repo, "a privileged pod")
    return repo, first, second


def test_push_of_a_new_branch(tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo, _first, second = _pushed_repo(tmp_path)
    real = webhook_example("push", ref="refs/heads/master", created=True)
    payload = replay(real, {real["after"]: second})
    assert payload["before"] == "0" * 40 and [c["id"] for c in payload["commits"]] == [second]
    run = action(tmp_path, repo, fake, capfd, event_name="push", event=payload, policy="", scan="changed")
    assert run.outputs["scan"] == "changed" and run.outputs["scanned-files"] == "1"
    assert _gate_files(run) == {"k8s/root-pod.yaml"}
    assert run.code == 1 and run.outputs["decision"] == "fail"
    assert ("KSV017", "k8s/root-pod.yaml") in _results(run.sarif())


def test_force_push_that_rewrote_the_previous_tip(tmp_path: Path, fake: FakeGitHub,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    repo, _first, second = _pushed_repo(tmp_path)
    gone = init_repo(tmp_path / "elsewhere")
    write(gone, {"x.yaml": "a: 1\n"})
    rewritten = commit(gone, "the tip before the force push, now unreachable")
    real = webhook_example("push", ref="refs/heads/master", created=True)
    payload = replay(real, {real["after"]: second})
    payload.update(before=rewritten, forced=True, created=False)  # the example set has no force push
    run = action(tmp_path, repo, fake, capfd, event_name="push", event=payload, policy="", scan="changed")
    assert run.outputs["scan"] == "all"
    assert "cannot be fetched \\(a force push rewrote it\\)" in run.summary  # Markdown-escaped
    assert _gate_files(run) == {"k8s/root-pod.yaml"}  # everything judged: the only findings are the pod's
    assert run.code == 1


def test_tag_push(tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo, _first, second = _pushed_repo(tmp_path)
    real = webhook_example("push", ref="refs/tags/simple-tag", created=True)
    payload = replay(real, {real["after"]: second})
    run = action(tmp_path, repo, fake, capfd, event_name="push", event=payload, policy="", scan="changed")
    assert run.outputs["scan"] == "all"
    assert "a tag push has no change range" in run.summary
    assert run.code == 1 and "k8s/root-pod.yaml" in _gate_files(run)


def test_deletions_end_early(tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    deletions = [p for p in webhook_examples("push") if p.get("deleted")]
    assert deletions
    repo, first, _second = _pushed_repo(tmp_path)
    for real in deletions:
        assert real["after"] == "0" * 40
        payload = replay(real, {real["before"]: first})
        run = action(tmp_path, repo, fake, capfd, event_name="push", event=payload, policy="")
        assert run.code == 0 and run.outputs["scan"] == "none" and run.outputs["sarif-complete"] == "false"
        assert not (repo / "regoscan.sarif").exists()
        assert f"the push deleted {real['ref']}" in run.stdout
    assert fake.requests == []
