"""Files read straight from git objects into a private folder, never checked out.

Three places need a revision's files without touching the workspace: the head of a
``pull_request_target`` (:mod:`regoscan.action.headtree`), the base versions of a pull
request's changed files (:mod:`regoscan.action.base_revision`) and the policies of a
trusted revision (:mod:`regoscan.trusted`). A checkout would run the repository's
filters and hooks and put untrusted files where later steps look, so all three read
``git ls-tree`` and ``git cat-file --batch`` instead, with the same guarantees kept here
once:

* git runs with a scrubbed environment (no token, no prompt, C locale), so a credential
  helper, hook or trace output never sees a secret;
* a tree entry says what it is (regular file, symlink, submodule) and how large, so a
  caller can skip what it must not write before reading a byte;
* blobs come through one ``cat-file --batch`` process, read one at a time;
* what is written goes into a fresh ``0700`` folder that must lie outside the workspace,
  under paths with no ``..``, ``.git`` or absolute part, opened with ``O_EXCL`` (never
  through a file or link already there).

What each caller reads, and how it reports what it skipped, stays in its own module.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import ClassVar

GIT_TIMEOUT = 180.0
REGULAR_MODES = frozenset({"100644", "100755"})
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"
_LS_TREE_CHUNK = 200
"""Paths per ``git ls-tree`` call (keeps command lines short)."""

# Variables a git child never needs; the token in particular must not reach a
# credential helper, hook or trace output we do not control.
_SECRET_ENV_PREFIXES = ("INPUT_", "ACTIONS_RUNTIME", "ACTIONS_ID_TOKEN", "ACTIONS_CACHE")
_SECRET_ENV_NAMES = frozenset({"GITHUB_TOKEN", "GH_TOKEN"})


class GitError(Exception):
    """git failed or is missing; the Action falls back or refuses, never guesses."""


def git_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment for git children: no secrets, no prompts, stable English messages."""
    clean = {k: v for k, v in env.items()
             if not k.startswith(_SECRET_ENV_PREFIXES) and k not in _SECRET_ENV_NAMES}
    clean.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    return clean


class Git:
    """git in one repository, with the scrubbed environment and a deadline.

    ``error`` is the exception every failure here raises: the Action's :class:`GitError`
    (it falls back to a full scan or refuses the run), or the CLI's usage error for
    ``--trusted-policy-ref`` (a distinct exit code), set by a subclass.
    """

    error: ClassVar[type[Exception]] = GitError

    def __init__(self, repo: Path, env: Mapping[str, str] | None = None) -> None:
        self.repo = repo
        self.env = git_env(os.environ if env is None else env)

    def run(self, *args: str, stdin: bytes | None = None,
            timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", "-C", str(self.repo), *args], env=self.env, input=stdin,
                                  capture_output=True, timeout=timeout, check=False)
        except FileNotFoundError as exc:
            raise self.error("git is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise self.error(f"git {args[0]} timed out after {timeout:.0f}s") from exc


@dataclass(frozen=True)
class TreeEntry:
    """One line of ``git ls-tree -l``."""

    path: str
    mode: str
    kind: str
    """``blob``, ``tree`` or ``commit`` (a submodule)."""
    oid: str
    size: int | None
    """Bytes of a blob; None for trees and submodules."""

    @property
    def regular(self) -> bool:
        return self.kind == "blob" and self.mode in REGULAR_MODES

    @property
    def symlink(self) -> bool:
        return self.mode == SYMLINK_MODE

    @property
    def submodule(self) -> bool:
        return self.mode == SUBMODULE_MODE


def ls_tree(git: Git, revision: str, paths: list[str] | None = None, *,
            recursive: bool = True) -> dict[str, TreeEntry]:
    """Repository path -> entry at ``revision``: the whole tree, or what ``paths`` name.

    ``-z`` keeps names verbatim (no quoting); ``-l`` gives blob sizes, so an oversized
    blob is skipped without being read. Without ``recursive`` a folder named in
    ``paths`` is one ``tree`` entry, not its contents."""
    base = ["ls-tree", "-z", "-l", "--full-tree", *(["-r"] if recursive else []), revision]
    chunks = [[]] if paths is None else [paths[i:i + _LS_TREE_CHUNK] for i in range(0, len(paths), _LS_TREE_CHUNK)]
    found: dict[str, TreeEntry] = {}
    for chunk in chunks:
        proc = git.run(*base, *(["--", *chunk] if chunk else []))
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise git.error(f"git ls-tree {revision[:12]} failed: {err or proc.returncode}")
        for record in proc.stdout.split(b"\0"):
            meta, _, raw_path = record.partition(b"\t")
            fields = meta.decode("ascii", "replace").split()
            if len(fields) != 4:
                continue
            mode, kind, oid, size = fields
            path = os.fsdecode(raw_path)
            found[path] = TreeEntry(path, mode, kind, oid, int(size) if size.isdigit() else None)
    return found


class BlobReader:
    """``git cat-file --batch``: one process for every blob, read one at a time.

    One at a time keeps memory at one blob, however many a tree holds. ``timeout``
    bounds the whole session (a partial clone would fetch missing blobs over the
    network); None waits as long as git does."""

    def __init__(self, git: Git, *, timeout: float | None = GIT_TIMEOUT) -> None:
        self._git = git
        # a file, not a pipe: a pipe nobody reads could fill and stall git
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self._proc = subprocess.Popen(["git", "-C", str(git.repo), "cat-file", "--batch"], env=git.env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except FileNotFoundError as exc:
            self._stderr.close()
            raise git.error("git is not installed") from exc
        self._timeout = timeout
        self._timer: threading.Timer | None = None
        self._expired = threading.Event()
        if timeout is not None:
            self._timer = threading.Timer(timeout, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self._expired.set()
        self._proc.kill()

    def read(self, oid: str) -> bytes | None:
        """The blob's bytes; None when the object is missing or not a blob."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(oid.encode("ascii") + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise self._failure() from None
        line = self._proc.stdout.readline()
        if not line.endswith(b"\n"):
            raise self._failure()
        header = line.decode("ascii", "replace").split()
        if len(header) != 3 or not header[2].isdigit():
            return None  # "<oid> missing", "<name> ambiguous"
        size = int(header[2])
        data = self._proc.stdout.read(size)
        if len(data) != size or self._proc.stdout.read(1) != b"\n":  # a newline follows each object
            raise self._failure()
        return data if header[1] == "blob" else None

    def _failure(self) -> Exception:
        if self._expired.is_set():
            return self._git.error(f"git cat-file timed out after {self._timeout:.0f}s")
        self._stderr.seek(0)
        err = self._stderr.read().decode("utf-8", "replace").strip()
        return self._git.error(f"git cat-file failed: {err or 'it ended early'}")

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_blobs(git: Git, oids: Iterable[str]) -> dict[str, bytes]:
    """Blob contents by object id; a missing object is left out (the caller says so)."""
    wanted = sorted(set(oids))
    if not wanted:
        return {}
    out: dict[str, bytes] = {}
    with BlobReader(git) as reader:
        for oid in wanted:
            data = reader.read(oid)
            if data is not None:
                out[oid] = data
    return out


def is_plain_path(path: str) -> bool:
    """A relative path git would check out: no absolute, empty, ``.``, ``..`` or ``.git`` part, no NUL.

    Trees can hold such names (git refuses them only on checkout); writing one would
    leave the private folder or plant git metadata in it."""
    if not path or "\0" in path or path.startswith("/"):
        return False
    return all(part not in ("", ".", "..", ".git") for part in path.split("/"))


def private_folder(prefix: str, *, outside: Iterable[Path] = (), where: str = "the workspace",
                   error: type[Exception] = GitError) -> Path:
    """A fresh ``0700`` folder under the system temp directory (``mkdtemp``), resolved.

    It must not lie in any of ``outside`` (the workspace, the repository): files written
    there would be scanned, committed or read by later steps as the workspace's own. A
    ``TMPDIR`` that puts it there is an error naming ``where``; the caller removes the
    folder otherwise."""
    folder = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
    for place in outside:
        if folder.is_relative_to(place.resolve()):
            os.rmdir(folder)
            raise error(f"the temporary folder {folder} is inside {where}; set TMPDIR elsewhere")
    return folder


def new_path(folder: Path, path: str) -> Path:
    """Where repository path ``path`` goes under ``folder``, its parent folders made.

    Only for a path :func:`is_plain_path` accepts, in a folder where no symlink has been
    made yet (callers write links last), so the parents are real folders of ours."""
    target = folder.joinpath(*PurePosixPath(path).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def write_new(folder: Path, path: str, data: bytes) -> Path:
    """Write ``data`` at ``path`` under ``folder``; never over, or through, something already there."""
    target = new_path(folder, path)
    with open(target, "xb") as handle:
        handle.write(data)
    return target
