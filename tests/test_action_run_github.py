"""The Action on real GitHub: what differs from a local run, in process, on real git histories.

One code-scanning category per configuration; ``pull_request_target`` reading the pull
request from git objects; tag pushes and deletions; API failures around the comment
(rate limits, a hanging server) with the job summary written first; several comments
side by side (``comment-tag``); runner details (absolute paths under the workspace,
ownership of what the Action creates, regoscan's own messages as plain log lines).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

import regoscan.action.run as run_mod
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import PullRequest, commit, git, init_repo, pull_request, pull_request_target, write
from tests.test_action_run import Run, _results, action, assert_token_nowhere, fake, unlocated_commands

__all__ = ["fake"]  # the fixture, imported for the tests below

PRIVILEGED = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\nspec:\n  containers:\n"
              "    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n")
PR_EXCEPTION = ("package builtin.kubernetes.KSV017\n\nimport rego.v1\n\n"
                "exception contains rules if {\n\tinput.metadata.name == \"root-pod\"\n\trules := [\"\"]\n}\n")


def _uris(run: Run, name: str = "regoscan.sarif") -> set[str]:
    return {uri for _, uri in _results(run.sarif(name))}


def _target_event(pr: PullRequest) -> dict[str, Any]:
    event = pr.event()
    event["pull_request"]["head"]["repo"] = {"full_name": "mallory/demo", "fork": True}
    event["pull_request"]["base"]["repo"] = {"full_name": "octo/demo", "fork": False}
    return event


# --- pull_request_target ------------------------------------------------------------------------


def test_pull_request_target_scans_the_head_commit_not_the_base_checkout(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # a temporary folder of this test's own, so another run on the machine cannot leave a head tree in it
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    pr = pull_request_target(tmp_path / "repo", extra_pr_files={
        "k8s/root-pod.yaml": PRIVILEGED, "policy/pr-exception.rego": PR_EXCEPTION})
    before = sorted(p.relative_to(pr.workspace).as_posix() for p in pr.workspace.rglob("*") if ".git" not in p.parts)
    run = action(tmp_path, pr.workspace, fake, capfd, event_name="pull_request_target", event=_target_event(pr),
                 **{"sarif-full-file": "full.sarif"})
    # the gate: the pull request's changed files, read from its head commit
    assert run.code == 1 and run.outputs["decision"] == "fail"
    assert run.outputs["scan"] == "changed"
    assert "**KSV017** Privileged container" in run.summary and "k8s/root\\-pod.yaml:7" in run.summary
    assert "::error file=k8s/root-pod.yaml" in run.stdout
    # the base's policies apply: the pull request's own exception does not waive its finding yet
    assert ("KSV017", "k8s/root-pod.yaml") in _results(run.sarif())
    assert "policy/pr-exception.rego" not in json.dumps(run.sarif("full.sarif"))
    assert "applies once it is merged" in run.stdout
    # the SARIF is the head tree (pull request files and base files alike) for refs/pull/7/head
    assert {"k8s/root-pod.yaml", "k8s/web.yaml", "app/Dockerfile"} <= _uris(run)
    assert "k8s/main-only.yaml" not in _uris(run)  # main's later file is not in the head commit
    assert (run.outputs["sarif-ref"], run.outputs["sarif-sha"]) == ("refs/pull/7/head", pr.head_sha)
    # nothing from the pull request was written into the workspace, which still holds the base
    after = sorted(p.relative_to(pr.workspace).as_posix() for p in pr.workspace.rglob("*") if ".git" not in p.parts)
    assert sorted(set(after) - {"regoscan.sarif", "full.sarif"}) == before
    assert git(pr.workspace, "rev-parse", "HEAD") == pr.base_sha
    assert not (pr.workspace / "k8s" / "root-pod.yaml").exists()
    assert not list(private_tmp.glob("regoscan-head-*"))  # the head tree is removed after the run
    assert_token_nowhere(run, fake)


def test_pull_request_target_refuses_when_the_head_cannot_be_read(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request_target(tmp_path / "repo")
    git(pr.workspace, "remote", "remove", "origin")  # e.g. persist-credentials: false, no way to fetch
    run = action(tmp_path, pr.workspace, fake, capfd, event_name="pull_request_target", event=_target_event(pr))
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert run.outputs["sarif-complete"] == "false"
    assert "::error::regoscan: pull_request_target: the pull request's head commit" in run.stdout
    assert "persist-credentials" in run.stdout and "do not check the head out" in run.stdout
    assert not (pr.workspace / "regoscan.sarif").exists()


def test_pull_request_target_without_history_scans_the_whole_head(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request_target(tmp_path / "repo", extra_pr_files={"k8s/root-pod.yaml": PRIVILEGED})
    event = _target_event(pr)
    event["pull_request"]["base"]["sha"] = "f" * 40  # a base that cannot be fetched: no change range
    run = action(tmp_path, pr.workspace, fake, capfd, event_name="pull_request_target", event=event, comment="false")
    assert run.outputs["scan"] == "all"
    assert "scanning all files" in run.summary
    assert "**KSV017**" in run.summary and run.code == 1  # still the head's files, never a silent pass


# --- pushes: tags and deletions ------------------------------------------------------------------


def _repo_with_pod(tmp_path: Path) -> tuple[Path, str, str]:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/app.yaml": PRIVILEGED})
    first = commit(repo, "one")
    write(repo, {"README.md": "hello\n"})
    second = commit(repo, "two")
    return repo, first, second


def test_a_tag_push_scans_everything_with_a_notice(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo, _, second = _repo_with_pod(tmp_path)
    run = action(tmp_path, repo, fake, capfd, event_name="push", policy="", scan="changed",
                 event={"ref": "refs/tags/v1.0.0", "before": "0" * 40, "after": second, "created": True})
    assert run.outputs["scan"] == "all"
    assert "a tag push has no change range" in run.summary
    assert "k8s/app.yaml" in _uris(run) and run.code == 1  # not "nothing changed, pass"


@pytest.mark.parametrize("ref", ["refs/heads/topic", "refs/tags/v1.0.0"])
def test_a_deletion_ends_early_with_exit_0(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str], ref: str) -> None:
    repo, first, _ = _repo_with_pod(tmp_path)
    run = action(tmp_path, repo, fake, capfd, event_name="push", policy="",
                 event={"ref": ref, "before": first, "after": "0" * 40, "deleted": True})
    assert run.code == 0 and run.outputs["decision"] == "pass"
    assert run.outputs["scan"] == "none" and run.outputs["sarif-complete"] == "false"
    assert run.outputs["sarif-file"] == ""
    assert not (repo / "regoscan.sarif").exists()
    assert f"the push deleted {ref}; nothing to scan" in run.stdout
    assert "Nothing to scan" in run.summary
    assert fake.requests == []


# --- one category per configuration ------------------------------------------------------------


def test_push_and_pull_request_upload_under_the_same_category(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:
    on_pr = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                   **{"fail-on": "never", "sarif-category": "k8s"})
    on_push = action(tmp_path, pr.workspace, None, capfd, event_name="push", comment="false",
                     event={"ref": "refs/heads/main", "before": pr.base_sha, "after": pr.merge_sha},
                     **{"fail-on": "never", "sarif-category": "k8s", "sarif-full-file": "all.sarif"})
    assert on_pr.outputs["scan"] == "changed" and on_push.outputs["scan"] == "all"
    assert on_pr.outputs["sarif-category"] == on_push.outputs["sarif-category"] == "k8s/"
    ids = {on_pr.sarif()["runs"][0]["automationDetails"]["id"], on_push.sarif()["runs"][0]["automationDetails"]["id"]}
    assert ids == {"k8s/"}
    assert on_push.sarif("all.sarif")["runs"][0]["automationDetails"]["id"] == "k8s/full/"


@pytest.fixture
def pr(tmp_path: Path) -> PullRequest:
    return pull_request(tmp_path / "repo", depth=1)


# --- the comment, the summary and the API ------------------------------------------------------


def test_summary_is_written_before_the_comment(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = run_mod.upsert_comment

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append((tmp_path / "file_commands" / "summary").read_text(encoding="utf-8"))
        return real(*args, **kwargs)

    monkeypatch.setattr(run_mod, "upsert_comment", spy)
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event())
    assert len(seen) == 1 and "ORG001" in seen[0]  # the summary was complete when the comment began
    assert run.outputs["comment-url"]


def test_a_hanging_api_cannot_hang_the_step(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    fake.hang()
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"api-timeout": "2"})
    assert run.code == 1  # the findings decide, not the comment
    assert "did not answer in time" in run.summary and "within 2s" in run.summary
    assert "ORG001" in run.summary
    assert not unlocated_commands(run)


def test_a_rate_limited_comment_says_so(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    fake.primary_rate_limit(reset_in=3600, times=None)
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"fail-on": "never"})
    assert run.code == 0
    assert "rate limit" in run.summary and "forks" not in run.summary


def test_comment_tags_keep_separate_comments(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"comment-tag": "k8s"})
    action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"comment-tag": "docker"})
    action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"comment-tag": "k8s"})
    action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"sarif-category": "other"})
    comments = fake.issue_comments(7)
    tags = sorted(c["body"].split("\n")[1] for c in comments)
    assert tags == ["<!-- regoscan-comment-tag: docker -->", "<!-- regoscan-comment-tag: k8s -->",
                    "<!-- regoscan-comment-tag: other/ -->"]
    assert [r.method for r in fake.writes()] == ["POST", "POST", "PATCH", "POST"]


def test_default_tag_is_workflow_job_and_category(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    original = run_mod.run

    def with_job(env: Any, out: Any) -> int:
        return original({**env, "GITHUB_WORKFLOW": "CI", "GITHUB_JOB": "scan"}, out)

    monkeypatch.setattr(run_mod, "run", with_job)
    action(tmp_path, pr.workspace, fake, capfd, event=pr.event())
    (comment,) = fake.issue_comments(7)
    assert comment["body"].split("\n")[1] == "<!-- regoscan-comment-tag: CI/scan/regoscan/ -->"


# --- runner details ------------------------------------------------------------------------------


def test_absolute_paths_under_the_workspace_are_accepted(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:
    ws = str(pr.workspace)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 policy=f"{ws}/policy", paths=f"{ws}/k8s/", **{"sarif-file": f"{ws}/out/r.sarif"})
    assert run.code == 1, run.stdout
    assert run.outputs["sarif-file"] == "out/r.sarif"
    assert (pr.workspace / "out" / "r.sarif").is_file()
    outside = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false", policy="/etc")
    assert outside.code == 2 and "absolute under it" in outside.stdout


def test_everything_the_action_creates_is_owned_like_the_workspace(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root (chown to another user)")
    os.chown(pr.workspace, 1001, 1002)
    # a push: pull requests do not use the result cache; a relative cache-dir lives in $HOME here
    push = {"ref": "refs/heads/main", "before": pr.base_sha, "after": pr.merge_sha}
    run = action(tmp_path, pr.workspace, None, capfd, event_name="push", event=push, comment="false",
                 **{"sarif-file": "reports/sub/regoscan.sarif", "sarif-full-file": "reports/full.sarif",
                    "cache-dir": "cache/regoscan", "fail-on": "never"})
    assert run.code == 0, run.stdout
    cache = tmp_path / "home" / "cache"
    assert (cache / "regoscan" / "key").is_file() and "result cache in" in run.stdout
    created = [pr.workspace / "reports", cache]
    found = [p for top in created for p in [top, *top.rglob("*")]]
    assert len(found) > 8  # folders, both SARIF files, the cache's key and entries
    wrong = [(p, p.lstat().st_uid, p.lstat().st_gid) for p in found if (p.lstat().st_uid, p.lstat().st_gid)
             != (1001, 1002)]
    assert wrong == []


def test_only_findings_become_annotations_and_the_count_is_right(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    many = {f"k8s/bulk-{i:02d}.yaml": PRIVILEGED.replace("root-pod", f"pod-{i}") for i in range(15)}
    pr = pull_request(tmp_path / "big", depth=1, extra_pr_files=many)
    git(pr.workspace, "remote", "remove", "origin")  # plus a fallback notice (scan everything)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false")
    assert "scanning all files" in run.stdout and not unlocated_commands(run)
    lines = run.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10
    (note,) = [line for line in lines if "not shown as annotations" in line]
    shown_or_not = sum(int(part.split()[0]) for part in note.split(": ", 1)[1].split(" not shown")[0].split(", "))
    total = int(run.outputs["findings"]) + int(run.outputs["errors"])
    assert shown_or_not + len([line for line in lines if line.startswith(("::error ", "::warning ", "::notice "))]) \
        == total


def test_upload_and_comment_share_one_api_deadline(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    original = run_mod.run

    def on_the_merge_ref(env: Any, out: Any) -> int:
        return original({**env, "GITHUB_REF": "refs/pull/7/merge", "GITHUB_SHA": pr.merge_sha}, out)

    monkeypatch.setattr(run_mod, "run", on_the_merge_ref)
    fake.hang(path="/code-scanning/")
    started = time.monotonic()
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), upload="true", **{"api-timeout": "3"})
    assert time.monotonic() - started < 60  # the scan's own time plus one 3 s deadline, not one per call
    assert "deadline for GitHub API calls has passed" in run.summary  # the comment found no time left
    assert fake.issue_comments(7) == [] and not unlocated_commands(run)
