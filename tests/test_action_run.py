"""``regoscan action`` end to end, in process, against a fake GitHub API on 127.0.0.1.

The repository is a real git history (tests/e2e/scenario.py): a pull request with a
base and a head commit, checked out shallow at GitHub's merge commit. Each test runs
the action mode exactly as the container's entrypoint does (``regoscan.action.run.main``
with an environment of ``INPUT_*``/``GITHUB_*`` variables) and then reads what a
runner would read: the SARIF, ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``, the log,
and what the API received.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regoscan.output.markdown import MARKER
from tests.action_step import NO_API, Run, run_action
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import PullRequest, commit, git, init_repo, pull_request, write

TOKEN = "ghs_RunTestToken_d41d8cd98f00b204e980"
RUN_URL = "https://github.example/octo/demo/actions/runs/4242"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        yield server


@pytest.fixture
def pr(tmp_path: Path) -> PullRequest:
    return pull_request(tmp_path / "repo", depth=1)


def action(tmp_path: Path, workspace: Path, fake: FakeGitHub | None, capfd: pytest.CaptureFixture[str], *,
           event_name: str = "pull_request", event: dict[str, Any] | None = None,
           **inputs: str) -> Run:
    """Run the action mode once (``tests.action_step``) with this file's token and the fake API."""
    return run_action(tmp_path, workspace, capfd, token=TOKEN, api_url=fake.url if fake else NO_API,
                      event_name=event_name, event=event, **inputs)


def assert_token_nowhere(run: Run, fake: FakeGitHub | None = None) -> None:
    """The token may appear in exactly one place: the ``::add-mask::`` command itself."""
    lines = [line for line in run.stdout.splitlines() if TOKEN in line]
    assert lines == [f"::add-mask::{TOKEN}"]
    assert TOKEN not in run.stderr
    assert TOKEN not in run.summary
    assert all(TOKEN not in v for v in run.outputs.values())
    for path in run.files_written():
        assert TOKEN not in path.read_text(encoding="utf-8"), path
    if fake is not None:
        for rec in fake.requests:
            assert TOKEN not in rec.path and TOKEN not in rec.raw.decode("utf-8")


def unlocated_commands(run: Run) -> list[str]:
    """Workflow commands that are not annotations on a file: regoscan's own messages must
    be plain log lines, so the runner's 10-per-level annotation budget goes to findings."""
    return [line for line in run.stdout.splitlines()
            if line.startswith(("::warning", "::error", "::notice")) and " file=" not in line.split("::")[1] + " "]


def _results(sarif: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                  for r in sarif["runs"][0]["results"])


# --- the pull request scenario ------------------------------------------------------------


def test_first_run_creates_the_comment_and_the_second_updates_it(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    first = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"sarif-full-file": "full.sarif"})

    assert first.code == 1  # ORG001 and DS002 are high
    assert first.outputs["decision"] == "fail" and first.outputs["exit-code"] == "1"
    assert first.outputs["scan"] == "changed"
    assert first.outputs["sarif-file"] == "regoscan.sarif"
    assert first.outputs["suppressed"] == "1"
    assert first.outputs["errors"] == "0"
    # only the files the pull request changed; deleted and non-input files are not scanned
    # (app/Dockerfile, k8s/legacy.yaml, k8s/renamed.yaml, k8s/web.yaml)
    assert first.outputs["scanned-files"] == "4"
    assert "4 of 5 changed files scanned; 1 deleted file not scanned" in first.summary  # README.md is no input
    # the SARIF is a full analysis of the checked-out tree under the one stable category, so code
    # scanning can compare the pull request with the base branch; unchanged files are in it
    uris = {uri for _, uri in _results(first.sarif())}
    assert {"app/Dockerfile", "k8s/web.yaml", "k8s/main-only.yaml"} <= uris
    assert ("KSV012", "k8s/legacy.yaml") not in _results(first.sarif())  # waived by the exception
    assert ("ORG001", "k8s/web.yaml") in _results(first.sarif())
    assert ("DS002", "app/Dockerfile") in _results(first.sarif())
    run = first.sarif()["runs"][0]
    assert run["automationDetails"]["id"] == "regoscan/"
    assert run["properties"]["partialScan"] is False
    assert all(not r.get("suppressions") for r in run["results"])
    assert first.outputs["sarif-category"] == "regoscan/" and first.outputs["sarif-complete"] == "true"
    # ...the gate (summary, comment, annotations) sees the changed files only
    assert "k8s/main-only.yaml" not in first.summary and "k8s/main-only.yaml" not in first.stdout.split(
        "::group::regoscan report")[1]
    # the full file keeps the waived finding under a category of its own (uploading both is allowed)
    full = first.sarif("full.sarif")["runs"][0]
    assert full["automationDetails"]["id"] == "regoscan/full/"
    waived = [r for r in full["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in waived] == [
        ("KSV012", "k8s/legacy.yaml")]
    assert "policy/legacy-exception.rego" in json.dumps(waived[0]["suppressions"])

    (comment,) = fake.issue_comments(7)
    assert comment["body"].startswith(MARKER)
    assert "ORG001" in comment["body"] and "Changed files only" in comment["body"]
    assert first.outputs["comment-url"] == comment["html_url"]
    assert first.summary.startswith(MARKER) and "pull request \\#\u200b7" in first.summary
    assert "::error file=k8s/web.yaml,line=" in first.stdout
    assert_token_nowhere(first, fake)

    # second run (a new push to the PR): same comment, edited in place
    second = action(tmp_path, pr.workspace, fake, capfd, event=pr.event())
    assert second.code == 1
    assert len(fake.issue_comments(7)) == 1
    assert [r.method for r in fake.writes()] == ["POST", "PATCH"]
    assert fake.issue_comments(7)[0]["id"] == comment["id"]
    assert second.outputs["comment-url"] == comment["html_url"]
    assert_token_nowhere(second, fake)


def test_fork_pull_request_succeeds_without_a_comment(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    fake.read_only = True
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"fail-on": "never"})
    assert run.code == 0 and run.outputs["decision"] == "pass"
    assert fake.issue_comments(7) == []
    assert "No PR comment" in run.summary and "403" in run.summary and "forks" in run.summary
    assert "regoscan: No pull request comment was posted" in run.stdout and not unlocated_commands(run)
    assert run.outputs["comment-url"] == ""
    assert_token_nowhere(run, fake)


def test_fork_without_comment_keeps_the_findings_decision(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    fake.read_only = True
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event())
    assert run.code == 1  # the comment failing never changes the verdict, in either direction


def test_oversize_comment_is_retried_with_a_shorter_body(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    many = {f"k8s/bulk-{i:02d}.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: bulk-{i}\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: app\n          image: nginx:latest\n") for i in range(40)}
    pr = pull_request(tmp_path / "big", depth=1, extra_pr_files=many)
    fake.max_body = 7_000  # above the short retry's budget, below the first body
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event())
    posts = [r for r in fake.writes() if r.method == "POST"]
    assert len(posts) == 2
    first, retry = (len(r.body["body"]) for r in posts)
    assert first > fake.max_body >= retry
    (comment,) = fake.issue_comments(7)
    assert comment["body"].startswith(MARKER)
    assert RUN_URL in comment["body"]  # points at the run's full summary
    assert "retrying with a shorter one" in run.stdout
    assert run.summary and "No PR comment" not in run.summary
    assert_token_nowhere(run, fake)


def test_a_change_to_the_policy_folder_scans_everything(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"policy/extra.rego": "package user.extra\n"})
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), comment="false")
    assert run.outputs["scan"] == "all"
    assert run.sarif()["runs"][0]["automationDetails"]["id"] == "regoscan/"
    assert "k8s/clean.yaml" in {uri for _, uri in _results(run.sarif())}
    assert "policy/extra.rego is in a policy or data folder" in run.summary
    assert "k8s/clean.yaml" in run.summary  # the gate covers every file now
    assert fake.requests == []  # comment: false


def test_shallow_clone_without_a_remote_falls_back_to_a_full_scan(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    git(pr.workspace, "remote", "remove", "origin")
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), comment="false")
    assert run.outputs["scan"] == "all"
    assert "regoscan: scanning all files" in run.stdout and not unlocated_commands(run)  # a plain log line
    assert "scanning all files" in run.summary
    assert run.sarif()["runs"][0]["automationDetails"]["id"] == "regoscan/"


# --- other events and inputs ----------------------------------------------------------------


def test_push_to_main_is_a_full_scan_without_comment(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                 "    - name: c\n      image: nginx:latest\n"})
    before = commit(repo, "one")
    write(repo, {"README.md": "hello\n"})
    after = commit(repo, "two")
    run = action(tmp_path, repo, fake, capfd, event_name="push",
                 event={"ref": "refs/heads/main", "before": before, "after": after},
                 policy="", **{"sarif-suppressed": "keep", "sarif-category": "regoscan/full/"})
    assert run.outputs["scan"] == "all"
    assert run.sarif()["runs"][0]["automationDetails"]["id"] == "regoscan/full/"
    assert "k8s/app.yaml" in {uri for _, uri in _results(run.sarif())}
    assert fake.requests == []
    assert "not a pull request; no comment" in run.stdout


def test_a_namespaces_input_that_selects_no_check_warns(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    """A typo in `namespaces` checked nothing: a warning in the log and the summary,
    never a silent pass."""
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/app.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                                 "    - name: c\n      image: nginx:latest\n"})
    before = commit(repo, "one")
    run = action(tmp_path, repo, fake, capfd, event_name="push",
                 event={"ref": "refs/heads/main", "before": before, "after": before},
                 policy="", namespaces="biultin", scan="all", comment="false")
    assert run.code == 0 and run.outputs["findings"] == "0"
    assert "input namespaces: biultin: no loaded check is in this namespace (did you mean builtin?)" in run.stdout
    assert "no check was loaded, so nothing was checked: see the inputs policy, namespaces and builtin-checks" \
        in run.stdout
    assert "nothing was checked" in run.summary


def test_invalid_input_is_exit_2_with_outputs(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"fail-on": "sometimes"})
    assert run.code == 2
    assert run.outputs == {"exit-code": "2", "decision": "error"}
    assert "::error::regoscan: input 'fail-on': expected one of" in run.stdout
    assert fake.requests == []
    assert_token_nowhere(run)


def test_missing_policy_folder_is_a_clear_error(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), policy="policies")
    assert run.code == 2
    assert "input 'policy': policies does not exist in the workspace" in run.stdout


def test_summary_and_comment_can_be_turned_off(
        tmp_path: Path, pr: PullRequest, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), summary="false", comment="false",
                 scan="all", **{"fail-on": "never"})
    assert run.code == 0
    assert run.summary == ""
    assert fake.requests == []
    assert run.outputs["scan"] == "all"


def test_broken_policy_is_exit_2_and_annotated(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    pr = pull_request(tmp_path / "repo", depth=None,
                      extra_pr_files={"policy/broken.rego": "package user.broken\n\ndeny contains msg if {\n"})
    run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), comment="false")
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert int(run.outputs["errors"]) >= 1
    assert "::error file=policy/broken.rego" in run.stdout


def test_unexpected_crash_still_writes_outputs(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import regoscan.engine.scan as scan_mod

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"engine exploded near {TOKEN}")

    monkeypatch.setattr(scan_mod, "run_scan", boom)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false")
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert "regoscan failed unexpectedly: RuntimeError" in run.stdout
    assert "Traceback" in run.stderr
    assert_token_nowhere(run)


def test_files_are_given_to_the_workspace_owner(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:
    import os

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root")
    os.chown(pr.workspace, 1001, 1002)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 **{"sarif-file": "reports/sub/regoscan.sarif", "fail-on": "never"})
    for path in (pr.workspace / "reports", pr.workspace / "reports/sub", pr.workspace / "reports/sub/regoscan.sarif"):
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (1001, 1002), path
    assert run.code == 0


def test_paths_and_exclude_filter_changed_files(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 paths="k8s/", exclude="k8s/legacy.yaml", **{"fail-on": "never"})
    assert run.outputs["scan"] == "changed"
    assert run.outputs["scanned-files"] == "2"  # k8s/renamed.yaml, k8s/web.yaml
    # the SARIF covers every file that paths/exclude select, changed or not
    assert {uri for _, uri in _results(run.sarif())} == {"k8s/web.yaml", "k8s/main-only.yaml", "k8s/clean.yaml"}
