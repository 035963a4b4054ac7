"""A commit's scan inputs, read from git objects into a private folder (``pull_request_target``).

``pull_request_target`` runs in the base repository's context, with its token and
secrets, on a checkout of the *base* branch. Scanning that checkout would gate the base
branch's content, not the pull request's. Checking out the pull request's head there is
what GitHub warns against (its files then sit in a privileged workspace). So regoscan
reads the head commit's files straight from git objects (``git ls-tree`` and ``git
cat-file --batch``) into a fresh ``0700`` folder under the system temp directory,
outside the workspace, and scans that folder. Nothing from the pull request is checked
out, executed, or written into the workspace; git itself never runs a filter, hook or
textconv on these objects.

What is written:

* blobs whose name makes them a scan input (:func:`regoscan.inputs.discover.classify`),
  outside folders a scan skips (``.git``, ``node_modules``...), byte for byte;
* a blob above the input size limit as a *sparse* file of the same size, so the scan
  reports it as too large (as it would in a checkout) without it being copied;
* symlinks as symlinks (their target is the blob's text): the scan's own rule, never
  follow a link out of the scan root, applies to them as to any checkout;
* nothing for submodules (a commit, not a tree) or for paths git itself would refuse
  (``..``, ``.git`` components), which are listed in :attr:`HeadTree.skipped`.

``exclude`` folders (the policy and data folders) are left out: the caller copies the
trusted versions from the workspace there, so the pull request's own exceptions do not
apply until they are merged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from regoscan.action.changes import GIT_TIMEOUT, Git, GitError
from regoscan.inputs.discover import SKIPPED_DIRS, classify
from regoscan.inputs.load import MAX_BYTES

_FILE_MODES = frozenset({"100644", "100755"})
_LINK_MODE = "120000"


@dataclass
class HeadTree:
    root: Path
    commit: str
    files: int = 0
    links: int = 0
    skipped: list[str] = field(default_factory=list)
    """Paths not written, with why (submodules, names git refuses)."""

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str
    sha: str
    size: int | None
    path: str


def _entries(git: Git, commit: str) -> Iterator[_Entry]:
    proc = git.run("ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git ls-tree {commit[:12]} failed: {err or proc.returncode}")
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        parts = meta.decode("ascii", "replace").split()
        if len(parts) != 4:
            continue
        mode, kind, sha, size = parts
        yield _Entry(mode, kind, sha, int(size) if size.isdigit() else None, os.fsdecode(raw_path))


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and all(p not in ("", ".", "..", ".git") for p in parts)


def _under(path: str, folders: list[str]) -> bool:
    parts = PurePosixPath(path).parts
    return any(folder in ("", ".") or parts[: len(PurePosixPath(folder).parts)] == PurePosixPath(folder).parts
               for folder in folders)


class _BlobReader:
    """``git cat-file --batch``: one process for every blob, read in order."""

    def __init__(self, git: Git) -> None:
        try:
            self.proc = subprocess.Popen(["git", "-C", str(git.repo), "cat-file", "--batch"], env=git.env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except FileNotFoundError as exc:
            raise GitError("git is not installed") from exc

    def read(self, sha: str) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(sha.encode("ascii") + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode("ascii", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            raise GitError(f"git cat-file: object {sha[:12]} is missing or not a blob")
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def materialise(git: Git, commit: str, *, exclude: list[str] | None = None,
                wanted: Callable[[str], bool] | None = None) -> HeadTree:
    """Write ``commit``'s scan inputs into a new private temp folder (see the module docstring).

    ``exclude``: repository-relative folders or files to leave out. ``wanted``: an extra
    filter on repository-relative paths (default: every input the name says is one).
    """
    root = Path(tempfile.mkdtemp(prefix="regoscan-head-"))
    tree = HeadTree(root, commit)
    links: list[tuple[str, bytes]] = []
    reader: _BlobReader | None = None
    try:
        for entry in _entries(git, commit):
            if not _safe(entry.path):
                tree.skipped.append(f"{entry.path}: a path git refuses")
                continue
            parts = PurePosixPath(entry.path).parts
            if any(p in SKIPPED_DIRS for p in parts[:-1]) or (exclude and _under(entry.path, exclude)):
                continue
            if entry.mode == "160000":
                tree.skipped.append(f"{entry.path}: a submodule")
                continue
            if entry.mode == _LINK_MODE:
                reader = reader or _BlobReader(git)
                links.append((entry.path, reader.read(entry.sha)))
                continue
            if entry.mode not in _FILE_MODES or classify(parts[-1]) is None:
                continue
            if wanted is not None and not wanted(entry.path):
                continue
            target = root.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if entry.size is not None and entry.size > MAX_BYTES:
                with open(target, "wb") as handle:  # sparse: reported as too large, never copied
                    handle.truncate(entry.size)
            else:
                reader = reader or _BlobReader(git)
                with open(target, "xb") as handle:
                    handle.write(reader.read(entry.sha))
            tree.files += 1
        # links last: no file above is ever written through a link made here
        for path, link_target in links:
            target = root.joinpath(*PurePosixPath(path).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.fsdecode(link_target), target)
            tree.links += 1
    except BaseException:
        tree.cleanup()
        raise
    finally:
        if reader is not None:
            reader.close()
    return tree
