"""The event payload: read defensively, never trusted onto a git command line."""

from __future__ import annotations

import json
from pathlib import Path

from regoscan.action.event import ZERO_SHA, load_event

A = "a" * 40
B = "b" * 40


def _event(tmp_path: Path, name: str, payload: object) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)}


def test_pull_request_fields(tmp_path: Path) -> None:
    ev = load_event(_event(tmp_path, "pull_request", {
        "number": 12, "pull_request": {"number": 12, "base": {"sha": A.upper()}, "head": {"sha": B}},
        "repository": {"default_branch": "main"},
    }))
    assert ev.is_pull_request and ev.problem is None
    assert ev.pr_number == 12
    assert (ev.pr_base_sha, ev.pr_head_sha) == (A, B)
    assert ev.default_branch == "main"


def test_push_fields(tmp_path: Path) -> None:
    ev = load_event(_event(tmp_path, "push", {
        "ref": "refs/heads/topic", "before": ZERO_SHA, "after": B, "forced": True,
        "commits": [{"id": A}, {"id": "not-a-sha"}, {"id": B}],
    }))
    assert ev.before == ZERO_SHA and ev.after == B and ev.forced
    assert ev.pushed_commits == [A, B]
    assert ev.pr_number is None and ev.ref == "refs/heads/topic"


def test_merge_group_fields(tmp_path: Path) -> None:
    ev = load_event(_event(tmp_path, "merge_group", {"merge_group": {"base_sha": A, "head_sha": B}}))
    assert (ev.merge_group_base_sha, ev.merge_group_head_sha) == (A, B)


def test_values_that_could_reach_git_as_options_are_dropped(tmp_path: Path) -> None:
    ev = load_event(_event(tmp_path, "pull_request", {
        "pull_request": {"number": "7", "base": {"sha": "--upload-pack=evil"}, "head": {"sha": "HEAD"}},
        "repository": {"default_branch": "--output=/etc/passwd"},
    }))
    assert ev.pr_base_sha is None and ev.pr_head_sha is None
    assert ev.default_branch is None
    assert ev.pr_number is None  # a string is not a number


def test_missing_path_is_a_local_run_not_a_problem() -> None:
    ev = load_event({"GITHUB_EVENT_NAME": "workflow_dispatch"})
    assert ev.name == "workflow_dispatch" and ev.payload == {} and ev.problem is None


def test_unreadable_payload_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json", encoding="utf-8")
    ev = load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(bad)})
    assert ev.problem and "cannot read the event payload" in ev.problem
    ev = load_event({"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})
    assert ev.problem and "No such file" in ev.problem
    bad.write_text("[1, 2]", encoding="utf-8")
    assert "not a JSON object" in (load_event({"GITHUB_EVENT_PATH": str(bad)}).problem or "")
