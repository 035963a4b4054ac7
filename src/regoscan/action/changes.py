"""Which files a pull request, push or merge group changed, from git.

The rule this module lives by: **when in doubt, scan everything.** A changed-files
scan that silently misses a file is a hole in the gate; a full scan is only slower.
So every path that cannot establish a trustworthy range (no payload, a commit that
cannot be fetched, a shallow clone that stays too shallow, a repository git refuses
to open) returns a full scan together with a notice that says why, and the summary
shows that notice.

Ranges, by event (research notes §6.1–6.2):

* ``pull_request``/``pull_request_target``: ``base.sha...head.sha`` from the payload
  (three dots: what the branch changed since it left the base, not what the base did
  meanwhile). That needs the merge base locally, so a shallow checkout is deepened
  with ``git fetch --deepen`` a few times before giving up.
* ``push``: ``before..after`` as trees. An all-zeros ``before`` is a new branch: the
  range starts at its merge base with the default branch, else at the parent of the
  first pushed commit. A ``before`` that cannot be fetched (a force push rewrote it
  away) means a full scan, and so does a tag push (a tag has no previous tip). A push
  that deletes its branch or tag never gets here: the Action ends early (run.py).
* ``merge_group``: ``base_sha..head_sha`` (the group is built on top of its base).
* Anything else (``workflow_dispatch``, ``schedule``...): a full scan.

Deleted files are not scanned (there is nothing to scan); a rename or copy counts as
its new path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from regoscan import gitobjects
from regoscan.action.event import CHANGE_EVENTS, PULL_REQUEST_EVENTS, ZERO_SHA, Event
from regoscan.gitobjects import GitError

Scope = Literal["changed", "all"]

FETCH_DEPTH = 50
"""Commits fetched at a time when history is missing (tj-actions uses 25, checkout 1)."""
DEEPEN_ATTEMPTS = 4
"""``--deepen`` rounds (50, 100, 200, 400 more commits) before falling back to a full scan."""


@dataclass(frozen=True)
class Change:
    """One line of ``git diff --name-status``: ``A``/``M``/``D``/``T``/``R``/``C``."""

    status: str
    path: str
    old_path: str | None = None


@dataclass
class ChangeSet:
    scope: Scope
    files: list[str] = field(default_factory=list)
    """Changed paths to scan (relative to the repository's top level); only for ``changed``."""
    changes: list[Change] = field(default_factory=list)
    base: str | None = None
    head: str | None = None
    description: str = ""
    """One sentence for the log and the summary: what was compared, or why everything was scanned."""
    notices: list[str] = field(default_factory=list)
    """Why a changed-files scan fell back to a full scan (shown as warnings)."""
    root: Path | None = None
    """The repository's top level, which ``files`` are relative to."""

    @property
    def deleted(self) -> list[str]:
        return [c.path for c in self.changes if c.status == "D"]


class Git(gitobjects.Git):
    """The Action's git: the shared runner (scrubbed environment, :class:`GitError`) plus
    the handful of history commands change detection needs, with fetches logged."""

    def __init__(self, repo: Path, env: Mapping[str, str] | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        super().__init__(repo, env)
        self.log = log or (lambda _msg: None)

    def ok(self, *args: str) -> bool:
        return self.run(*args).returncode == 0

    def out(self, *args: str) -> str | None:
        proc = self.run(*args)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None

    def toplevel(self) -> Path:
        """The repository's top level; a clear :class:`GitError` when git refuses it."""
        proc = self.run("rev-parse", "--show-toplevel")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace")
            if "dubious ownership" in err or "unsafe repository" in err:
                raise GitError(f"git refuses {self.repo}: it is owned by another user (\"dubious ownership\"). "
                               "Add it to git's safe.directory (the regoscan image does this for every folder)")
            last = err.strip().splitlines()[-1] if err.strip() else "git failed"
            raise GitError(f"{self.repo} is not a git repository ({last})")
        return Path(proc.stdout.decode("utf-8", "replace").strip())

    def has_commit(self, sha: str) -> bool:
        return self.ok("cat-file", "-e", f"{sha}^{{commit}}")

    def is_shallow(self) -> bool:
        return self.out("rev-parse", "--is-shallow-repository") == "true"

    def has_remote(self, name: str = "origin") -> bool:
        return name in (self.out("remote") or "").split()

    def merge_base(self, a: str, b: str) -> str | None:
        return self.out("merge-base", a, b) or None

    def parent(self, sha: str) -> str | None:
        return self.out("rev-parse", "--verify", "--quiet", f"{sha}^1^{{commit}}") or None

    def resolve(self, rev: str) -> str | None:
        return self.out("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}") or None

    def fetch(self, *refspecs: str, depth: int | None = None, deepen: int | None = None) -> bool:
        """``git fetch`` from origin; ``False`` (logged, not raised) when it fails.

        Fetching by commit id works on GitHub (it allows any reachable commit), which
        is how the base of a pull request reaches a ``fetch-depth: 1`` checkout.
        """
        if not self.has_remote():
            return False
        args = ["fetch", "--no-tags", "--quiet", "--no-recurse-submodules"]
        if depth is not None:
            args.append(f"--depth={depth}")
        if deepen is not None:
            args.append(f"--deepen={deepen}")
        proc = self.run(*args, "origin", *refspecs)
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            self.log(f"git fetch failed: {err[-1] if err else 'exit ' + str(proc.returncode)}")
            return False
        return True

    def diff(self, a: str, b: str) -> list[Change]:
        """``a``..``b`` as trees, with rename and copy detection, parsed from ``-z`` output."""
        proc = self.run("diff", "--name-status", "-z", "-M", "-C", "--no-ext-diff", "--no-textconv",
                        "--ignore-submodules=all", a, b, "--")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git diff {a[:12]} {b[:12]} failed: {err or proc.returncode}")
        return parse_name_status(proc.stdout)


def parse_name_status(raw: bytes) -> list[Change]:
    """Parse ``git diff --name-status -z``: ``STATUS\\0path\\0`` or ``R090\\0old\\0new\\0``.

    ``-z`` is what makes this safe: paths come out verbatim (no C-quoting, no
    ``core.quotepath`` dependence), even with tabs, newlines or non-ASCII bytes.
    """
    parts = raw.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    changes: list[Change] = []
    i = 0
    while i < len(parts):
        status = parts[i].decode("ascii", "replace")
        kind = status[:1]
        if kind in ("R", "C"):
            if i + 2 >= len(parts):
                break
            old = os.fsdecode(parts[i + 1])
            new = os.fsdecode(parts[i + 2])
            changes.append(Change(kind, new, old))
            i += 3
        else:
            if i + 1 >= len(parts):
                break
            changes.append(Change(kind, os.fsdecode(parts[i + 1])))
            i += 2
    return changes


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "?"


class _Resolver:
    """Finds a trustworthy (base, head) pair for one event, fetching history as needed."""

    def __init__(self, git: Git, event: Event, env: Mapping[str, str]) -> None:
        self.git = git
        self.event = event
        self.env = env
        self.notices: list[str] = []

    def ensure(self, *shas: str) -> bool:
        """Make sure these commits are present locally (fetching them if not)."""
        missing = [s for s in shas if not self.git.has_commit(s)]
        if missing:
            self.git.log(f"fetching {', '.join(_short(s) for s in missing)}")
            self.git.fetch(*missing, depth=FETCH_DEPTH)
            number = self.event.pr_number
            if number and not all(self.git.has_commit(s) for s in shas):
                # a server that refuses a fetch by commit id still serves the pull request's ref
                spec = f"+refs/pull/{number}/head:refs/remotes/pull/{number}/head"
                self.git.fetch(spec, depth=FETCH_DEPTH)
        return all(self.git.has_commit(s) for s in shas)

    def merge_base(self, a: str, b: str, *refspecs: str) -> str | None:
        """Merge base of ``a`` and ``b``, deepening a shallow clone a few times to find it."""
        step = FETCH_DEPTH
        for attempt in range(DEEPEN_ATTEMPTS + 1):
            found = self.git.merge_base(a, b)
            if found:
                return found
            if attempt == DEEPEN_ATTEMPTS or not self.git.is_shallow():
                return None
            self.git.log(f"no merge base of {_short(a)} and {_short(b)} in the local history; "
                         f"deepening by {step} commits")
            if not self.git.fetch(*(refspecs or (a, b)), deepen=step):
                return None
            step *= 2
        return None

    def parent(self, sha: str) -> str | None:
        """First parent, deepening once when ``sha`` sits on the shallow boundary."""
        found = self.git.parent(sha)
        if found is None and self.git.is_shallow():
            self.git.fetch(sha, deepen=FETCH_DEPTH)
            found = self.git.parent(sha)
        return found

    # --- per event --------------------------------------------------------------------

    def pull_request(self) -> tuple[str, str, str] | None:
        base, head = self.event.pr_base_sha, self.event.pr_head_sha
        number = self.event.pr_number
        if not base or not head:
            self.notices.append("the pull request payload has no base.sha/head.sha")
            return None
        if not self.ensure(base, head):
            self.notices.append(f"could not fetch the pull request's base {_short(base)} and head {_short(head)}")
            return None
        mb = self.merge_base(base, head)
        if mb is None:
            self.notices.append(f"no common history between base {_short(base)} and head {_short(head)} "
                                f"within the fetched depth (try `fetch-depth: 0` on actions/checkout)")
            return None
        pr = f"pull request #{number}" if number else "pull request"
        return mb, head, f"{pr}: files changed between {_short(base)}...{_short(head)} (merge base {_short(mb)})"

    def push(self) -> tuple[str, str, str] | None:
        ev = self.event
        if ev.is_tag:
            self.notices.append("a tag push has no change range (a tag is not a branch that moved), "
                                "so the tagged tree is scanned whole")
            return None
        after = ev.after or self.env.get("GITHUB_SHA") or self.git.resolve("HEAD")
        if ev.deleted or not after or after == ZERO_SHA:
            self.notices.append("the push deleted its branch or names no head commit")
            return None
        if not self.ensure(after):
            self.notices.append(f"could not fetch the pushed commit {_short(after)}")
            return None
        before = ev.before
        if before is None:
            self.notices.append("the push payload has no `before` commit")
            return None
        if before == ZERO_SHA:
            return self.new_branch(after)
        if not self.ensure(before):
            why = "a force push rewrote it" if ev.forced else "it is not reachable"
            self.notices.append(f"the previous tip {_short(before)} cannot be fetched ({why})")
            return None
        forced = " (force push)" if ev.forced else ""
        return before, after, f"push: files changed between {_short(before)}..{_short(after)}{forced}"

    def new_branch(self, after: str) -> tuple[str, str, str] | None:
        default = self.event.default_branch
        if default and self.event.ref != f"refs/heads/{default}":
            remote_ref = f"refs/remotes/origin/{default}"
            spec = f"+refs/heads/{default}:{remote_ref}"
            tip = self.git.resolve(remote_ref)
            if tip is None and self.git.fetch(spec, depth=FETCH_DEPTH):
                tip = self.git.resolve(remote_ref)
            if tip is not None:
                mb = self.merge_base(tip, after, spec, after)
                if mb is not None:
                    return mb, after, (f"new branch: files changed since it left {default} "
                                       f"(merge base {_short(mb)}..{_short(after)})")
        pushed = self.event.pushed_commits
        first = pushed[0] if pushed and self.git.has_commit(pushed[0]) else after
        parent = self.parent(first)
        if parent is not None:
            return parent, after, f"new branch: files changed by the pushed commits ({_short(parent)}..{_short(after)})"
        self.notices.append("a new branch with no merge base with the default branch and no parent commit")
        return None

    def merge_group(self) -> tuple[str, str, str] | None:
        base, head = self.event.merge_group_base_sha, self.event.merge_group_head_sha
        if not base or not head:
            self.notices.append("the merge_group payload has no base_sha/head_sha")
            return None
        if not self.ensure(base, head):
            self.notices.append(f"could not fetch the merge group's base {_short(base)} and head {_short(head)}")
            return None
        return base, head, f"merge group: files changed between {_short(base)}..{_short(head)}"


def resolve_scope(requested: str, event: Event) -> Scope:
    """``auto`` is "changed" for pull requests and merge queues, where a change range
    is what reviewers look at, and "all" elsewhere (pushes, schedules), where the
    result feeds the default branch's code scanning view and must be complete."""
    if requested == "auto":
        return "changed" if event.name in CHANGE_EVENTS else "all"
    return "changed" if requested == "changed" else "all"


def changed_files(requested: str, event: Event, workspace: Path, env: Mapping[str, str],
                  log: Callable[[str], None] | None = None) -> ChangeSet:
    """The files to scan for this run (see the module docstring for the rules)."""
    scope = resolve_scope(requested, event)
    if scope == "all":
        why = "`scan: all`" if requested == "all" else f"event `{event.name or 'unknown'}`"
        return ChangeSet("all", description=f"full scan ({why})")
    notices: list[str] = []
    if event.problem:
        notices.append(event.problem)
    git = Git(workspace, env, log)
    try:
        top = git.toplevel()
        git = Git(top, env, log)
        resolver = _Resolver(git, event, env)
        if event.name in PULL_REQUEST_EVENTS:
            found = resolver.pull_request()
        elif event.name == "push":
            found = resolver.push()
        elif event.name == "merge_group":
            found = resolver.merge_group()
        else:
            found = None
            resolver.notices.append(f"event `{event.name or 'unknown'}` has no change range")
        notices.extend(resolver.notices)
        if found is None:
            return _full(notices)
        base, head, description = found
        changes = git.diff(base, head)
    except GitError as exc:
        notices.append(str(exc))
        return _full(notices)
    files = sorted({c.path for c in changes if c.status != "D"})
    return ChangeSet("changed", files=files, changes=changes, base=base, head=head,
                     description=description, notices=notices, root=top)


def _full(notices: list[str]) -> ChangeSet:
    reason = "; ".join(notices) if notices else "no change range"
    return ChangeSet("all", description=f"full scan: changed files could not be determined ({reason})",
                     notices=[f"scanning all files: {reason}"])
