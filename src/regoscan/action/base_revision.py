"""The base versions of a pull request's changed files, read from git objects.

To tell new findings from pre-existing ones, the changed files are scanned a second
time as they were at the base. Nothing is checked out and nothing from the pull
request runs: the blobs are read with ``git ls-tree`` and ``git cat-file --batch``
into a fresh temporary folder **outside the workspace**, under each file's *new*
name (a renamed file's old content goes where the new file is, so fingerprints, which
include the path, agree). Only regular files are written: symlinks and submodules at
the base are skipped, as are blobs above the scanner's size limit. The reading is
:mod:`regoscan.gitobjects`'s; what is read and how skips are worded is this module's.

Which revision is "the base": for ``pull_request`` the workspace is GitHub's merge
commit (base branch tip + the change), so the tip of the base branch
(``pull_request.base.sha``) is what the merge commit is compared with; when the
workspace is the pull request's head commit itself (a checkout of ``head.sha``), or
for ``pull_request_target``, it is the merge base the change range starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from regoscan.action.changes import ChangeSet, Git
from regoscan.action.event import Event
from regoscan.gitobjects import is_plain_path, ls_tree, private_folder, read_blobs, write_new
from regoscan.inputs.load import MAX_BYTES


@dataclass
class BaseFiles:
    folder: Path
    revision: str
    written: dict[str, Path] = field(default_factory=dict)
    """New path (as scanned at the head) -> the base content's file under ``folder``."""
    skipped: dict[str, str] = field(default_factory=dict)
    """New path -> why no base version was written (absent at the base, a symlink...)."""


def base_revision(event: Event, changes: ChangeSet, git: Git) -> str | None:
    """The commit the workspace's changed files are compared with (see the module docstring)."""
    if changes.base is None:
        return None
    if event.name != "pull_request":
        return changes.base
    base_tip = event.pr_base_sha
    head = git.resolve("HEAD")
    if base_tip and head and head != event.pr_head_sha and git.has_commit(base_tip):
        return base_tip
    return changes.base


def old_paths(changes: ChangeSet) -> dict[str, str]:
    """New path -> the path the file had at the base (renames and copies), for every change but deletions."""
    return {c.path: (c.old_path or c.path) for c in changes.changes if c.status != "D"}


def materialize(git: Git, revision: str, paths: Mapping[str, str], workspace: Path) -> BaseFiles:
    """Write the base versions of ``paths`` (new path -> base path) into a new temporary folder.

    The folder is created with :func:`tempfile.mkdtemp` and must not lie inside
    ``workspace``; the caller removes it. Raises :class:`GitError` when git fails.
    """
    folder = private_folder("regoscan-base-", outside=[workspace])
    result = BaseFiles(folder, revision)
    wanted = {new: old for new, old in paths.items() if is_plain_path(new) and is_plain_path(old)}
    for new in set(paths) - set(wanted):
        result.skipped[new] = "not a plain relative path"
    # not recursive: a folder at the base where a file is now is "not a regular file"
    entries = ls_tree(git, revision, sorted(set(wanted.values())), recursive=False)
    oids: dict[str, str] = {}
    for new, old in wanted.items():
        entry = entries.get(old)
        if entry is None:
            result.skipped[new] = f"{old} does not exist at {revision[:12]}" if old != new else "added by the change"
        elif not entry.regular:
            result.skipped[new] = f"{old} is not a regular file at {revision[:12]} (mode {entry.mode})"
        elif (entry.size or 0) > MAX_BYTES:
            result.skipped[new] = f"larger than {MAX_BYTES} bytes at {revision[:12]}"
        else:
            oids[new] = entry.oid
    blobs = read_blobs(git, oids.values())
    for new, oid in oids.items():
        content = blobs.get(oid)
        if content is None:
            result.skipped[new] = f"blob {oid[:12]} could not be read"
            continue
        result.written[new] = write_new(folder, new, content)
    return result
