"""The event that started the workflow: its name and its webhook payload.

The runner writes the payload to ``$GITHUB_EVENT_PATH`` (``/github/workflow/event.json``
inside a container action) and names the event in ``$GITHUB_EVENT_NAME``. Only a few
fields matter to regoscan: the commits a change range is made of and the pull request
number for the comment. They are read defensively (the payload is JSON we did not
write, and may be missing entirely in a local run), so a malformed field degrades to
"unknown" and, at worst, a full scan, never a crash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
CHANGE_EVENTS = PULL_REQUEST_EVENTS | {"merge_group"}
"""Events where ``scan: auto`` means "changed files only"."""

ZERO_SHA = "0" * 40
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")  # SHA-1, or SHA-256 repositories


def _get(payload: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(payload, Mapping):
            return None
        payload = payload.get(key)
    return payload


def _sha(value: Any) -> str | None:
    """A full commit id, or ``None``: anything else never reaches a git command line."""
    return value.lower() if isinstance(value, str) and _SHA.match(value.lower()) else None


@dataclass(frozen=True)
class Event:
    name: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None
    """Why the payload could not be read, when it could not (reported as a notice)."""

    @property
    def is_pull_request(self) -> bool:
        return self.name in PULL_REQUEST_EVENTS

    @property
    def pr_number(self) -> int | None:
        number = _get(self.payload, "pull_request", "number")
        if number is None and self.is_pull_request:
            number = _get(self.payload, "number")
        return number if isinstance(number, int) and not isinstance(number, bool) and number > 0 else None

    @property
    def pr_base_sha(self) -> str | None:
        return _sha(_get(self.payload, "pull_request", "base", "sha"))

    @property
    def pr_head_sha(self) -> str | None:
        return _sha(_get(self.payload, "pull_request", "head", "sha"))

    @property
    def before(self) -> str | None:
        """``before`` of a push; all zeros (kept as such) when the push created the branch."""
        return _sha(_get(self.payload, "before"))

    @property
    def after(self) -> str | None:
        return _sha(_get(self.payload, "after"))

    @property
    def forced(self) -> bool:
        return _get(self.payload, "forced") is True

    @property
    def deleted(self) -> bool:
        return _get(self.payload, "deleted") is True

    @property
    def pushed_commits(self) -> list[str]:
        """Ids of the commits a push added, oldest first (GitHub lists at most 2048)."""
        commits = _get(self.payload, "commits")
        if not isinstance(commits, list):
            return []
        return [sha for c in commits if (sha := _sha(_get(c, "id")))]

    @property
    def ref(self) -> str | None:
        ref = _get(self.payload, "ref")
        return ref if isinstance(ref, str) else None

    @property
    def is_tag(self) -> bool:
        """A push (or creation/deletion) of a tag: ``ref`` is ``refs/tags/...``."""
        return bool(self.ref and self.ref.startswith("refs/tags/"))

    @property
    def deletes_ref(self) -> bool:
        """A push that deleted its branch or tag: nothing is left to scan."""
        return self.name == "push" and (self.deleted or self.after == ZERO_SHA)

    @property
    def pr_head_repo(self) -> str | None:
        name = _get(self.payload, "pull_request", "head", "repo", "full_name")
        return name if isinstance(name, str) else None

    @property
    def from_fork(self) -> bool:
        """The pull request's head lives in another repository (a fork; ``head.repo`` is
        ``null`` when the fork was deleted since)."""
        if not isinstance(_get(self.payload, "pull_request", "head"), Mapping):
            return False
        if _get(self.payload, "pull_request", "head", "repo") is None:
            return True
        base = _get(self.payload, "pull_request", "base", "repo", "full_name")
        return isinstance(base, str) and self.pr_head_repo is not None and self.pr_head_repo != base

    @property
    def merge_group_base_sha(self) -> str | None:
        return _sha(_get(self.payload, "merge_group", "base_sha"))

    @property
    def merge_group_head_sha(self) -> str | None:
        return _sha(_get(self.payload, "merge_group", "head_sha"))

    @property
    def default_branch(self) -> str | None:
        branch = _get(self.payload, "repository", "default_branch")
        # a branch name goes on a git command line: keep to what git itself allows there
        if isinstance(branch, str) and re.match(r"^[A-Za-z0-9._/-]+$", branch) and not branch.startswith("-"):
            return branch
        return None


def load_event(env: Mapping[str, str]) -> Event:
    """Read ``$GITHUB_EVENT_NAME`` and the payload at ``$GITHUB_EVENT_PATH``.

    A missing variable means a run outside Actions (an empty payload, no problem); a
    path that is set but unreadable is a problem worth telling the user about, since
    it turns a changed-files scan into a full one.
    """
    name = env.get("GITHUB_EVENT_NAME", "").strip()
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        return Event(name)
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Event(name, {}, problem=f"cannot read the event payload {path}: {reason}")
    if not isinstance(payload, Mapping):
        return Event(name, {}, problem=f"the event payload {path} is not a JSON object")
    return Event(name, payload)
