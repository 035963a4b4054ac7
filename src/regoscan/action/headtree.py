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

The reading itself (git's environment, tree entries, the blob stream, plain paths, the
private folder, which must lie outside the workspace) is :mod:`regoscan.gitobjects`'s.

``exclude`` folders (the policy and data folders) are left out: :func:`add_trusted` copies
the trusted versions from the workspace there, so the pull request's own exceptions do not
apply until they are merged.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from regoscan.gitobjects import BlobReader, Git, GitError, TreeEntry, is_plain_path, ls_tree, new_path, private_folder
from regoscan.inputs.discover import SKIPPED_DIRS, classify
from regoscan.inputs.forbidden import ForbiddenPaths
from regoscan.inputs.load import MAX_BYTES


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


def _under(path: str, folders: list[str]) -> bool:
    parts = PurePosixPath(path).parts
    return any(folder in ("", ".") or parts[: len(PurePosixPath(folder).parts)] == PurePosixPath(folder).parts
               for folder in folders)


def _read(reader: BlobReader, entry: TreeEntry) -> bytes:
    data = reader.read(entry.oid)
    if data is None:
        raise GitError(f"git cat-file: object {entry.oid[:12]} is missing or not a blob")
    return data


def materialise(git: Git, commit: str, *, exclude: list[str] | None = None,
                wanted: Callable[[str], bool] | None = None) -> HeadTree:
    """Write ``commit``'s scan inputs into a new private temp folder (see the module docstring).

    ``exclude``: repository-relative folders or files to leave out. ``wanted``: an extra
    filter on repository-relative paths (default: every input the name says is one).
    The folder must lie outside ``git``'s repository (the workspace).
    """
    root = private_folder("regoscan-head-", outside=[git.repo])
    tree = HeadTree(root, commit)
    links: list[tuple[str, bytes]] = []
    reader: BlobReader | None = None
    try:
        for entry in ls_tree(git, commit).values():
            if not is_plain_path(entry.path):
                tree.skipped.append(f"{entry.path}: a path git refuses")
                continue
            parts = PurePosixPath(entry.path).parts
            if any(p in SKIPPED_DIRS for p in parts[:-1]) or (exclude and _under(entry.path, exclude)):
                continue
            if entry.submodule:
                tree.skipped.append(f"{entry.path}: a submodule")
                continue
            if entry.symlink:
                reader = reader or BlobReader(git, timeout=None)
                links.append((entry.path, _read(reader, entry)))
                continue
            if not entry.regular or classify(parts[-1]) is None:
                continue
            if wanted is not None and not wanted(entry.path):
                continue
            target = new_path(root, entry.path)
            if entry.size is not None and entry.size > MAX_BYTES:
                with open(target, "xb") as handle:  # sparse: reported as too large, never copied
                    handle.truncate(entry.size)
            else:
                reader = reader or BlobReader(git, timeout=None)
                with open(target, "xb") as handle:
                    handle.write(_read(reader, entry))
            tree.files += 1
        # links last: no file above is ever written through a link made here
        for path, link_target in links:
            os.symlink(os.fsdecode(link_target), new_path(root, path))
            tree.links += 1
    except BaseException:
        tree.cleanup()
        raise
    finally:
        if reader is not None:
            reader.close()
    return tree


def add_trusted(tree: HeadTree, workspace: Path, folders: list[str]) -> None:
    """Copy the workspace's (the base's) policy and data ``folders`` into the head tree.

    Each file is copied as the workspace resolves it. A link copied as a link would resolve
    in the head tree instead: ``data/waived.yaml -> ../config/waived.yaml`` then loaded the
    pull request's ``config/waived.yaml``, which chose what the base's exception waives. A
    link that leads out of the workspace, nowhere, into a folder regoscan never reads, or to
    a folder is left out, and nothing is written through a link the head commit made (a
    folder above the policy folder replaced by a link would have received the copies). What
    is left out is added to ``tree.skipped``.
    """
    base = workspace.resolve()
    guard = ForbiddenPaths(workspace)
    for rel in folders:
        source = workspace / rel
        if source.is_dir():
            for current, dirs, files in os.walk(source):  # never into a folder link
                for name in sorted(dirs):
                    if os.path.islink(os.path.join(current, name)):
                        tree.skipped.append(f"{Path(current, name).relative_to(workspace).as_posix()}: a link to a "
                                            "folder in a policy or data folder")
                for name in sorted(files):
                    path = Path(current, name)
                    _copy_trusted(tree, workspace, base, guard, path, tree.root / rel / path.relative_to(source))
        elif source.exists() or source.is_symlink():
            _copy_trusted(tree, workspace, base, guard, source, tree.root / rel)


def _copy_trusted(tree: HeadTree, workspace: Path, base: Path, guard: ForbiddenPaths, path: Path,
                  target: Path) -> None:
    shown = path.relative_to(workspace).as_posix()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        tree.skipped.append(f"{shown}: a broken or looping link")
        return
    if not real.is_relative_to(base) or not real.is_file():
        tree.skipped.append(f"{shown}: leads out of the workspace or not to a file")
        return
    why = guard.reason(path, real)
    if why is not None:
        tree.skipped.append(f"{shown}: {why}")
        return
    folder = tree.root
    for part in target.relative_to(tree.root).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            tree.skipped.append(f"{shown}: the head commit made {folder.relative_to(tree.root).as_posix()} a link")
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    shutil.copyfile(real, target)
