"""Changed files from real git repositories, for every event and fallback path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regoscan import gitobjects
from regoscan.action import changes as changes_mod
from regoscan.action.changes import changed_files, parse_name_status, resolve_scope
from regoscan.action.event import ZERO_SHA, Event
from tests.e2e.scenario import commit, git, git_env, init_repo, pull_request, write


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return git_env(home)


def _pr_event(pr: object) -> Event:
    return Event("pull_request", pr.event())  # type: ignore[attr-defined]


# --- pull requests ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [None, 1], ids=["full-clone", "shallow-clone"])
def test_pull_request_three_dot_diff(tmp_path: Path, depth: int | None) -> None:
    pr = pull_request(tmp_path, depth=depth)
    logs: list[str] = []
    got = changed_files("auto", _pr_event(pr), pr.workspace, _env(tmp_path), log=logs.append)
    assert got.scope == "changed", got.notices
    # what the branch changed; not main's later commit (k8s/main-only.yaml)
    assert got.files == ["README.md", "app/Dockerfile", "k8s/legacy.yaml", "k8s/renamed.yaml", "k8s/web.yaml"]
    assert got.deleted == ["k8s/gone.yaml"]
    renamed = [c for c in got.changes if c.status == "R"]
    assert [(c.old_path, c.path) for c in renamed] == [("k8s/old-name.yaml", "k8s/renamed.yaml")]
    assert got.head == pr.head_sha
    assert "pull request #7" in got.description
    assert got.notices == []
    if depth:
        assert any("deepening" in line or "fetching" in line for line in logs)


def test_shallow_clone_that_cannot_be_deepened_falls_back_to_full_scan(tmp_path: Path) -> None:
    pr = pull_request(tmp_path, depth=1)
    git(pr.workspace, "remote", "remove", "origin")  # nothing to fetch from
    got = changed_files("changed", _pr_event(pr), pr.workspace, _env(tmp_path))
    assert got.scope == "all"
    assert got.files == []
    assert got.notices and "could not fetch the pull request's base" in got.notices[0]
    assert "scanning all files" in got.notices[0]


def test_merge_base_beyond_the_deepen_budget_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pr = pull_request(tmp_path, depth=1)
    monkeypatch.setattr(changes_mod, "FETCH_DEPTH", 1)
    monkeypatch.setattr(changes_mod, "DEEPEN_ATTEMPTS", 0)
    got = changed_files("changed", _pr_event(pr), pr.workspace, _env(tmp_path))
    assert got.scope == "all"
    assert "no common history" in got.notices[0] and "fetch-depth: 0" in got.notices[0]


def test_pull_request_without_shas(tmp_path: Path) -> None:
    pr = pull_request(tmp_path, depth=None)
    got = changed_files("auto", Event("pull_request", {"number": 7}), pr.workspace, _env(tmp_path))
    assert got.scope == "all"
    assert "no base.sha/head.sha" in got.notices[0]


# --- pushes -------------------------------------------------------------------------


def _linear(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = init_repo(tmp_path / "repo")
    write(repo, {"a.yaml": "a: 1\n", "b.yaml": "b: 1\n", "c.yaml": "c: 1\n"})
    shas = [commit(repo, "one")]
    write(repo, {"a.yaml": "a: 2\n", "new.yaml": "n: 1\n"})
    git(repo, "mv", "b.yaml", "b2.yaml")
    git(repo, "rm", "-q", "c.yaml")
    shas.append(commit(repo, "two"))
    return repo, shas


def test_push_before_after(tmp_path: Path) -> None:
    repo, (one, two) = _linear(tmp_path)
    got = changed_files("changed", Event("push", {"before": one, "after": two}), repo, _env(tmp_path))
    assert got.scope == "changed"
    assert got.files == ["a.yaml", "b2.yaml", "new.yaml"]
    assert got.deleted == ["c.yaml"]
    assert (got.base, got.head) == (one, two)


def test_push_is_a_full_scan_under_auto(tmp_path: Path) -> None:
    repo, (one, two) = _linear(tmp_path)
    got = changed_files("auto", Event("push", {"before": one, "after": two}), repo, _env(tmp_path))
    assert got.scope == "all" and got.notices == []


def test_push_of_a_new_branch_diffs_against_the_default_branch(tmp_path: Path) -> None:
    origin, (_, main_tip) = _linear(tmp_path)
    git(origin, "checkout", "-q", "-b", "topic")
    write(origin, {"topic1.yaml": "t: 1\n"})
    first = commit(origin, "topic one")
    write(origin, {"topic2.yaml": "t: 2\n"})
    tip = commit(origin, "topic two")
    work = init_repo(tmp_path / "work")
    git(work, "remote", "add", "origin", origin.as_uri())
    git(work, "fetch", "-q", "--depth=1", "origin", "+refs/heads/topic:refs/remotes/origin/topic")
    git(work, "checkout", "-q", "--detach", "origin/topic")
    event = Event("push", {"ref": "refs/heads/topic", "before": ZERO_SHA, "after": tip,
                           "commits": [{"id": first}, {"id": tip}],
                           "repository": {"default_branch": "main"}})
    got = changed_files("changed", event, work, _env(tmp_path))
    assert got.scope == "changed", got.notices
    assert got.files == ["topic1.yaml", "topic2.yaml"]
    assert got.base == main_tip
    assert "new branch" in got.description


def test_new_branch_without_default_branch_uses_the_first_pushed_commits_parent(tmp_path: Path) -> None:
    repo, (one, two) = _linear(tmp_path)
    event = Event("push", {"ref": "refs/heads/topic", "before": ZERO_SHA, "after": two, "commits": [{"id": two}]})
    got = changed_files("changed", event, repo, _env(tmp_path))
    assert got.scope == "changed"
    assert got.base == one
    assert got.files == ["a.yaml", "b2.yaml", "new.yaml"]


def test_new_branch_at_a_root_commit_is_a_full_scan(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    write(repo, {"a.yaml": "a: 1\n"})
    root = commit(repo, "root")
    event = Event("push", {"ref": "refs/heads/main", "before": ZERO_SHA, "after": root,
                           "repository": {"default_branch": "main"}})
    got = changed_files("changed", event, repo, _env(tmp_path))
    assert got.scope == "all"
    assert "no parent commit" in got.notices[0]


def test_force_push_with_unreachable_before_is_a_full_scan(tmp_path: Path) -> None:
    repo, (_, two) = _linear(tmp_path)
    origin = init_repo(tmp_path / "origin")
    git(repo, "remote", "add", "origin", origin.as_uri())
    gone = "1234567890abcdef1234567890abcdef12345678"  # rewritten away: exists nowhere
    event = Event("push", {"before": gone, "after": two, "forced": True})
    got = changed_files("changed", event, repo, _env(tmp_path))
    assert got.scope == "all"
    assert "1234567890ab cannot be fetched (a force push rewrote it)" in got.notices[0]


def test_force_push_with_fetchable_before_diffs_the_trees(tmp_path: Path) -> None:
    repo, (one, _) = _linear(tmp_path)
    git(repo, "checkout", "-q", "--detach", one)
    write(repo, {"rewritten.yaml": "r: 1\n"})
    rewritten = commit(repo, "rewritten history")
    got = changed_files("changed", Event("push", {"before": one, "after": rewritten, "forced": True}),
                        repo, _env(tmp_path))
    assert got.scope == "changed" and got.files == ["rewritten.yaml"]
    assert "force push" in got.description


def test_push_that_deleted_the_branch(tmp_path: Path) -> None:
    repo, (one, _) = _linear(tmp_path)
    event = Event("push", {"before": one, "after": ZERO_SHA, "deleted": True})
    got = changed_files("changed", event, repo, _env(tmp_path))
    assert got.scope == "all" and "deleted its branch" in got.notices[0]


# --- merge queue and other events -----------------------------------------------------


def test_merge_group(tmp_path: Path) -> None:
    repo, (one, two) = _linear(tmp_path)
    event = Event("merge_group", {"merge_group": {"base_sha": one, "head_sha": two}})
    got = changed_files("auto", event, repo, _env(tmp_path))
    assert got.scope == "changed" and got.files == ["a.yaml", "b2.yaml", "new.yaml"]


@pytest.mark.parametrize("name", ["workflow_dispatch", "schedule", "release", ""])
def test_events_without_a_range_scan_everything(tmp_path: Path, name: str) -> None:
    repo, _ = _linear(tmp_path)
    got = changed_files("auto", Event(name), repo, _env(tmp_path))
    assert got.scope == "all" and got.notices == []
    forced = changed_files("changed", Event(name), repo, _env(tmp_path))
    assert forced.scope == "all" and "has no change range" in forced.notices[0]


def test_scan_all_overrides_a_pull_request() -> None:
    assert resolve_scope("all", Event("pull_request")) == "all"
    assert resolve_scope("auto", Event("merge_group")) == "changed"
    assert resolve_scope("auto", Event("pull_request_target")) == "changed"


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    got = changed_files("changed", Event("pull_request", {"pull_request": {}}), tmp_path / "plain", _env(tmp_path))
    assert got.scope == "all" and "not a git repository" in got.notices[0]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_repository_owned_by_another_user_is_explained(tmp_path: Path) -> None:
    pr = pull_request(tmp_path, depth=None)
    for path in [pr.workspace, *pr.workspace.rglob("*")]:
        os.lchown(path, 1001, 1001)
    got = changed_files("changed", _pr_event(pr), pr.workspace, _env(tmp_path))
    assert got.scope == "all"
    assert "dubious ownership" in got.notices[0] and "safe.directory" in got.notices[0]


def test_token_never_reaches_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, (one, two) = _linear(tmp_path)
    seen: list[dict[str, str]] = []
    real_run = gitobjects.subprocess.run  # the one runner every git call goes through

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(dict(kwargs["env"]))  # type: ignore[arg-type]
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(gitobjects.subprocess, "run", spy)
    env = {**_env(tmp_path), "INPUT_GITHUB-TOKEN": "ghs_x", "GITHUB_TOKEN": "ghs_y", "ACTIONS_RUNTIME_TOKEN": "z"}
    changed_files("changed", Event("push", {"before": one, "after": two}), repo, env)
    assert seen
    for child in seen:
        assert not {"INPUT_GITHUB-TOKEN", "GITHUB_TOKEN", "ACTIONS_RUNTIME_TOKEN"} & set(child)
        assert child["GIT_TERMINAL_PROMPT"] == "0"


# --- parsing ------------------------------------------------------------------------


def test_parse_name_status_handles_any_path() -> None:
    raw = (b"M\0a b.yaml\0R087\0old\tname.yaml\0new\nname.yaml\0D\0gone.yaml\0"
           b"C100\0src.yaml\0copy.yaml\0A\0\xc3\xa9.yaml\0")
    got = parse_name_status(raw)
    assert [(c.status, c.path, c.old_path) for c in got] == [
        ("M", "a b.yaml", None),
        ("R", "new\nname.yaml", "old\tname.yaml"),
        ("D", "gone.yaml", None),
        ("C", "copy.yaml", "src.yaml"),
        ("A", "é.yaml", None),
    ]
    assert parse_name_status(b"") == []
    assert parse_name_status(b"R100\0only-old") == []  # truncated output never invents a path


def test_git_missing_is_a_full_scan(tmp_path: Path) -> None:
    repo, (one, two) = _linear(tmp_path)
    env = {**_env(tmp_path), "PATH": str(tmp_path / "nowhere")}  # subprocess looks git up on this PATH
    got = changed_files("changed", Event("push", {"before": one, "after": two}), repo, env)
    assert got.scope == "all" and "git is not installed" in got.notices[0]
