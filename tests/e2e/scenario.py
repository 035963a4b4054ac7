"""Real git histories for the action tests (shared by unit and container tests).

The pull-request scenario mirrors what GitHub does: an "origin" repository with a
default branch ``main``, a feature branch, ``refs/pull/N/head`` and a synthetic merge
commit ``refs/pull/N/merge``; the workspace is a checkout of that merge commit, by
default as shallow as ``actions/checkout``'s ``fetch-depth: 1`` makes it. Files come
from ``tests/fixtures/action`` (see its README for what each step holds).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "action"
PR_NUMBER = 7

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}


def git_env(home: Path | None = None) -> dict[str, str]:
    """A git environment independent of the machine's and the user's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(_GIT_ENV)
    if home is not None:
        env["HOME"] = str(home)
        env["XDG_CONFIG_HOME"] = str(home / ".config")
    return env


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env or git_env(), check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def init_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    # let a test fetch any commit by id, as github.com allows
    git(path, "config", "uploadpack.allowAnySHA1InWant", "true")
    return path


def copy_tree(src: Path, dst: Path) -> None:
    for file in sorted(src.rglob("*")):
        if file.is_file():
            target = dst / file.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class PullRequest:
    origin: Path
    workspace: Path
    base_sha: str
    head_sha: str
    merge_sha: str
    number: int = PR_NUMBER

    def event(self) -> dict[str, Any]:
        """The parts of a ``pull_request`` webhook payload that regoscan (and GitHub) rely on."""
        return {
            "action": "synchronize",
            "number": self.number,
            "pull_request": {
                "number": self.number,
                "base": {"ref": "main", "sha": self.base_sha},
                "head": {"ref": "feature", "sha": self.head_sha},
            },
            "repository": {"full_name": "octo/demo", "default_branch": "main"},
        }

    def write_event(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.event()), encoding="utf-8")
        return path


def publish_pull_refs(origin: Path, base: str, head: str) -> str:
    """The refs GitHub keeps for a pull request: ``refs/pull/N/head`` and the synthetic merge
    commit ``refs/pull/N/merge`` (first parent the base tip, second the head); ``main`` is
    checked out again. The merge commit's id."""
    git(origin, "checkout", "-q", "--detach", base)
    git(origin, "merge", "-q", "--no-ff", "-m", f"Merge {head} into {base}", head)
    merge = git(origin, "rev-parse", "HEAD")
    git(origin, "update-ref", f"refs/pull/{PR_NUMBER}/head", head)
    git(origin, "update-ref", f"refs/pull/{PR_NUMBER}/merge", merge)
    git(origin, "checkout", "-q", "main")
    return merge


def pull_request(tmp: Path, *, depth: int | None = 1, extra_pr_files: dict[str, str] | None = None,
                 extra_pr_links: dict[str, str] | None = None) -> PullRequest:
    """Build origin (main, feature, pull refs) and a workspace checked out at the merge commit.

    ``depth=None`` makes a full clone (``fetch-depth: 0``). ``extra_pr_links`` maps a path
    to a symlink target the pull request adds (committed as a link, as git stores it).
    """
    origin = init_repo(tmp / "origin")
    copy_tree(FIXTURES / "base", origin)
    commit(origin, "base")
    git(origin, "checkout", "-q", "-b", "feature")
    copy_tree(FIXTURES / "pr", origin)
    git(origin, "mv", "k8s/old-name.yaml", "k8s/renamed.yaml")
    git(origin, "rm", "-q", "k8s/gone.yaml")
    write(origin, extra_pr_files or {})
    for rel, target in (extra_pr_links or {}).items():
        link = origin / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
    head = commit(origin, "feature work")
    git(origin, "checkout", "-q", "main")
    copy_tree(FIXTURES / "main-later", origin)
    base = commit(origin, "main moves on")
    merge = publish_pull_refs(origin, base, head)

    workspace = tmp / "workspace"
    init_repo(workspace)
    git(workspace, "remote", "add", "origin", origin.as_uri())
    depth_args = [f"--depth={depth}"] if depth else []
    git(workspace, "fetch", "-q", "--no-tags", *depth_args, "origin",
        f"+refs/pull/{PR_NUMBER}/merge:refs/remotes/pull/{PR_NUMBER}/merge")
    git(workspace, "checkout", "-q", "--detach", f"refs/remotes/pull/{PR_NUMBER}/merge")
    return PullRequest(origin, workspace, base, head, merge)


def checkout(origin: Path, dest: Path, ref: str, *, depth: int | None = 1) -> Path:
    """A workspace as actions/checkout makes it: ``origin`` as remote, ``ref`` checked out detached."""
    init_repo(dest)
    git(dest, "remote", "add", "origin", origin.as_uri())
    depth_args = [f"--depth={depth}"] if depth else []
    git(dest, "fetch", "-q", "--no-tags", *depth_args, "origin", f"+{ref}:refs/remotes/origin/checkout")
    git(dest, "checkout", "-q", "--detach", "refs/remotes/origin/checkout")
    return dest


def pull_request_target(tmp: Path, *, depth: int | None = 1,
                        extra_pr_files: dict[str, str] | None = None) -> PullRequest:
    """The same pull request, but the workspace is the base branch, as ``pull_request_target``
    checks it out by default (the head is only in origin's ``refs/pull/N/head``)."""
    pr = pull_request(tmp, depth=depth, extra_pr_files=extra_pr_files)
    shutil.rmtree(pr.workspace)
    checkout(pr.origin, pr.workspace, "refs/heads/main", depth=depth)
    assert git(pr.workspace, "rev-parse", "HEAD") == pr.base_sha
    return pr
