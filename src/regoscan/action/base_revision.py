"""The base versions of a pull request's changed files, read from git objects.

To tell new findings from pre-existing ones, the changed files are scanned a second
time as they were at the base. Nothing is checked out and nothing from the pull
request runs: the blobs are read with ``git ls-tree`` and ``git cat-file --batch``
into a fresh temporary folder **outside the workspace**, under each file's *new*
name (a renamed file's old content goes where the new file is, so fingerprints, which
include the path, agree). Only regular files are written: symlinks and submodules at
the base are skipped, as are blobs above the scanner's size limit.

Which revision is "the base": for ``pull_request`` the workspace is GitHub's merge
commit (base branch tip + the change), so the tip of the base branch
(``pull_request.base.sha``) is what the merge commit is compared with; when the
workspace is the pull request's head commit itself (a checkout of ``head.sha``), or
for ``pull_request_target``, it is the merge base the change range starts from.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from regoscan.action.changes import ChangeSet, Git, GitError
from regoscan.action.event import Event
from regoscan.inputs.load import MAX_BYTES

_REGULAR = ("100644", "100755")
_CHUNK = 200
"""Paths per ``git ls-tree`` call (keeps command lines short)."""


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


def _safe_relative(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts and "\0" not in path


def _ls_tree(git: Git, revision: str, paths: list[str]) -> dict[str, tuple[str, str, str]]:
    """Path -> (mode, type, object id) for those of ``paths`` that exist at ``revision``."""
    found: dict[str, tuple[str, str, str]] = {}
    for i in range(0, len(paths), _CHUNK):
        proc = git.run("ls-tree", "-z", "--full-tree", revision, "--", *paths[i:i + _CHUNK])
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git ls-tree {revision[:12]} failed: {err or proc.returncode}")
        for entry in proc.stdout.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if len(fields) == 3:
                found[os.fsdecode(name)] = (fields[0], fields[1], fields[2])
    return found


def _read_blobs(git: Git, oids: list[str]) -> dict[str, bytes]:
    """Blob contents by object id, through one ``git cat-file --batch``."""
    if not oids:
        return {}
    try:
        proc = subprocess.run(["git", "-C", str(git.repo), "cat-file", "--batch"], env=git.env,
                              input="".join(f"{o}\n" for o in oids).encode("ascii"), capture_output=True,
                              timeout=180, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git cat-file failed: {exc}") from exc
    if proc.returncode != 0:
        raise GitError(f"git cat-file failed: {proc.stderr.decode('utf-8', 'replace').strip() or proc.returncode}")
    out: dict[str, bytes] = {}
    data, pos = proc.stdout, 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        header = data[pos:end].decode("ascii", "replace").split()
        pos = end + 1
        if len(header) != 3 or header[1] == "missing":
            continue
        size = int(header[2])
        out[header[0]] = data[pos:pos + size]
        pos += size + 1  # the content is followed by a newline
    return out


def materialize(git: Git, revision: str, paths: Mapping[str, str], workspace: Path) -> BaseFiles:
    """Write the base versions of ``paths`` (new path -> base path) into a new temporary folder.

    The folder is created with :func:`tempfile.mkdtemp` and must not lie inside
    ``workspace``; the caller removes it. Raises :class:`GitError` when git fails.
    """
    folder = Path(tempfile.mkdtemp(prefix="regoscan-base-")).resolve()
    if folder.is_relative_to(workspace.resolve()):
        os.rmdir(folder)
        raise GitError(f"the temporary folder {folder} is inside the workspace; set TMPDIR elsewhere")
    result = BaseFiles(folder, revision)
    wanted = {new: old for new, old in paths.items() if _safe_relative(new) and _safe_relative(old)}
    for new in set(paths) - set(wanted):
        result.skipped[new] = "not a plain relative path"
    entries = _ls_tree(git, revision, sorted(set(wanted.values())))
    oids: dict[str, str] = {}
    for new, old in wanted.items():
        entry = entries.get(old)
        if entry is None:
            result.skipped[new] = f"{old} does not exist at {revision[:12]}" if old != new else "added by the change"
        elif entry[1] != "blob" or entry[0] not in _REGULAR:
            result.skipped[new] = f"{old} is not a regular file at {revision[:12]} (mode {entry[0]})"
        else:
            oids[new] = entry[2]
    sizes = _blob_sizes(git, sorted(set(oids.values())))
    for new, oid in list(oids.items()):
        if sizes.get(oid, 0) > MAX_BYTES:
            result.skipped[new] = f"larger than {MAX_BYTES} bytes at {revision[:12]}"
            del oids[new]
    blobs = _read_blobs(git, sorted(set(oids.values())))
    for new, oid in oids.items():
        content = blobs.get(oid)
        if content is None:
            result.skipped[new] = f"blob {oid[:12]} could not be read"
            continue
        target = folder / new
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:  # a fresh folder: never overwrite, never follow
            handle.write(content)
        result.written[new] = target
    return result


def _blob_sizes(git: Git, oids: list[str]) -> dict[str, int]:
    if not oids:
        return {}
    try:
        proc = subprocess.run(["git", "-C", str(git.repo), "cat-file", "--batch-check"], env=git.env,
                              input="".join(f"{o}\n" for o in oids).encode("ascii"), capture_output=True,
                              timeout=180, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git cat-file failed: {exc}") from exc
    sizes: dict[str, int] = {}
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2].isdigit():
            sizes[fields[0]] = int(fields[2])
    return sizes
