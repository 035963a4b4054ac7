"""Result cache: a file whose bytes and policy set are unchanged is not parsed or evaluated.

Key of a file's entry: the policy-set key, the file's path and the SHA-256 of its
bytes. The policy-set key covers everything an evaluation can depend on: regoscan's
version, the bytes of every policy file loaded (built-in library, custom checks,
exceptions, libraries), the data documents, the namespaces and the built-in switch.
A check only ever sees one document (plus data), so nothing else can make an entry
stale; any change to an exception changes the policy key and invalidates every
entry. Evaluations that crashed or timed out are never stored.

Layout (a folder the GitHub Action can persist with actions/cache):
``<dir>/key``, ``<dir>/v2/<policy key>/policy.entry`` and
``<dir>/v2/<policy key>/files/<key>.entry``. Only the newest few policy sets are kept, and
folders of other formats (``v1``) are removed. An entry is its MAC (64 hex digits), a new
line, then its JSON body: read with one JSON parse (v1 wrapped the body in a JSON string,
parsed twice: a tenth of a warm scan went to reading 585 entries).

The cache decides what is reported, and its keys can be computed by anyone who has the
files, so a pull request that could put an entry in it could turn findings into a pass.
Three guards (SECURITY.md): the folder is refused when it is a symbolic link, holds one
(or anything but folders and regular files), or holds files that git tracks (committed
by the change being scanned); every entry carries an HMAC-SHA256 made with a random key
created in the folder on first use (mode 0600), bound to the entry's place, so an entry
written without that key is a miss; and pruning never follows a link (``lstat``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import stat
from dataclasses import asdict
from pathlib import Path
from typing import Any

from regoscan import __version__
from regoscan.models import (
    CheckMetadata,
    Document,
    Finding,
    InputFile,
    InputType,
    Notice,
    NoticeLevel,
    Region,
    Severity,
    SuppressionInfo,
)

FORMAT = "v2"
_FORMAT_NAME = re.compile(r"v[0-9]+")
"""Names of format folders, this one or older: only these are removed beside ``FORMAT``."""
_MAC_HEX = 64
KEEP_POLICY_SETS = 4
KEY_FILE = "key"
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""An entry is our own JSON for one file; anything larger was not written by regoscan."""
_GIT_TIMEOUT = 30.0


class CacheRefused(Exception):
    """The cache folder cannot be trusted or used; the scan runs without it."""


def file_digest(path: Path) -> str:
    """SHA-256 of a policy or data file, read in chunks (a 200 MB data file is refused
    later, with a notice, but must not be read into memory to compute a key); a file that
    cannot be read gets a key of its error, which the load stage reports."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "not a regular file"
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def policy_key(policy_files: list[tuple[str, str]], data_files: list[tuple[str, str]],
               namespaces: list[str], builtin: bool) -> str:
    """Key of a policy set: regoscan's version and options, each file's name and digest."""
    h = hashlib.sha256()
    h.update(f"regoscan {__version__}\0{FORMAT}\0builtin={builtin}\0ns={','.join(sorted(namespaces))}\0".encode())
    for label, files in (("policy", policy_files), ("data", data_files)):
        for name, digest in sorted(files):
            h.update(f"{label}\0{name}\0{digest}\0".encode())
    return h.hexdigest()


def file_key(path: str, sha256: str) -> str:
    return hashlib.sha256(f"{path}\0{sha256}".encode()).hexdigest()


# ------------------------------------------------------------------ (de)serialisation


def _check_to_json(c: CheckMetadata) -> dict[str, Any]:
    d = asdict(c)
    d["severity"] = c.severity.name
    return d


def _check_from_json(d: dict[str, Any]) -> CheckMetadata:
    return CheckMetadata(**{**d, "severity": Severity[d["severity"]]})


def _notice_to_json(n: Notice) -> dict[str, Any]:
    return {**asdict(n), "level": n.level.value}


def _notice_from_json(d: dict[str, Any]) -> Notice:
    return Notice(**{**d, "level": NoticeLevel(d["level"])})


def _finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check.id, "package": f.check.package, "rule": f.rule, "message": f.message,
        "region": [f.region.start_line, f.region.end_line], "document_index": f.document_index,
        "resource": f.resource, "identity": f.identity,
        "suppressions": [{**asdict(s), "metadata": [list(p) for p in s.metadata]} for s in f.suppressions],
    }


def _finding_from_json(d: dict[str, Any], path: str, checks: dict[tuple[str, str], CheckMetadata]) -> Finding:
    return Finding(
        check=checks[(d["check"], d["package"])],
        rule=d["rule"],
        message=d["message"],
        path=path,
        region=Region(*d["region"]),
        document_index=d["document_index"],
        resource=d["resource"],
        identity=d["identity"],
        suppressions=[SuppressionInfo(**{**s, "metadata": tuple(tuple(p) for p in s["metadata"])})
                      for s in d["suppressions"]],
    )


def _document_to_json(doc: Document) -> dict[str, Any]:
    return {"input_type": doc.input_type.value, "region": [doc.region.start_line, doc.region.end_line],
            "index": doc.index, "kind": doc.kind, "name": doc.name, "namespace": doc.namespace}


def _document_from_json(d: dict[str, Any], path: str) -> Document:
    # content is not kept: a cached document is never evaluated again
    return Document(path=path, input_type=InputType(d["input_type"]), content=None, region=Region(*d["region"]),
                    index=d["index"], kind=d["kind"], name=d["name"], namespace=d["namespace"])


def _inside_git_work_tree(folder: Path) -> bool:
    return any((p / ".git").exists() for p in (folder, *folder.parents))


def _tracked(folder: Path) -> list[str]:
    """Paths under ``folder`` that git tracks; raises CacheRefused when git cannot tell."""
    import subprocess  # only for a cache folder inside a git work tree

    env = {k: os.environ[k] for k in ("PATH", "HOME", "SYSTEMROOT") if k in os.environ}
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    try:
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(folder), "ls-files", "-z", "--", "."],
                              env=env, capture_output=True, timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CacheRefused(f"{folder} is inside a git work tree and git could not list its tracked files ({exc})"
                           ) from None
    if proc.returncode != 0:
        if b"not a git repository" in proc.stderr:
            return []
        last = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["git failed"]
        raise CacheRefused(f"{folder} is inside a git work tree and git could not list its tracked files "
                           f"({last[0]})")
    return [p for p in proc.stdout.decode("utf-8", "replace").split("\0") if p]


def check_folder(folder: Path, root: Path | None = None) -> None:
    """Refuse a cache folder the scanned change could have written into.

    ``root`` is the scan root: between it and the folder, no component may be a link
    (a committed ``.regoscan-cache -> /elsewhere``). Inside the folder only real
    folders and regular files may exist (a link could redirect a write or a prune; a
    FIFO would hang a read), and none may be tracked by git: a pull request commits
    files, it cannot create untracked ones in the checkout.
    """
    absolute = Path(os.path.abspath(folder))
    chain = [absolute]
    if root is not None:
        base = Path(os.path.abspath(root))
        if absolute.is_relative_to(base):
            parts = absolute.relative_to(base).parts
            chain = [base.joinpath(*parts[:i + 1]) for i in range(len(parts))] or [absolute]
    for component in chain:
        try:
            st = os.lstat(component)
        except FileNotFoundError:
            return  # nothing there yet: created by us, as real folders
        except OSError as exc:
            raise CacheRefused(f"{component}: {exc.strerror or exc}") from None
        if stat.S_ISLNK(st.st_mode):
            raise CacheRefused(f"{component} is a symbolic link")
        if not stat.S_ISDIR(st.st_mode):
            raise CacheRefused(f"{component} is not a folder")
    for dirpath, dirnames, filenames in os.walk(absolute, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                raise CacheRefused(f"{path} is a symbolic link")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise CacheRefused(f"{path} is neither a folder nor a regular file")
    if _inside_git_work_tree(absolute):
        tracked = _tracked(absolute)
        if tracked:
            more = f" (and {len(tracked) - 1} more)" if len(tracked) > 1 else ""
            raise CacheRefused(f"{absolute} holds files tracked by git, such as {tracked[0]}{more}: "
                               "a cache folder must not be part of the repository")


def _read_regular(path: Path | str, limit: int) -> bytes | None:
    """A regular file's bytes, never through a link, never blocking on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _load_key(folder: Path) -> bytes:
    """The folder's HMAC key, created (0600, exclusively) on first use."""
    path = folder / KEY_FILE
    raw = _read_regular(path, 256)
    if raw is not None:
        try:
            key = bytes.fromhex(raw.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            key = b""
        if len(key) == 32:
            return key
        with contextlib.suppress(OSError):
            os.unlink(path)  # unusable: every entry made with it becomes a miss
    import secrets  # (this and the other imports below: not needed by a warm scan that only reads)

    key = secrets.token_bytes(32)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
    except OSError as exc:
        raise CacheRefused(f"cannot create the cache key in {folder}: {exc.strerror or exc}") from None
    return key


class ResultCache:
    def __init__(self, folder: Path, root: Path | None = None) -> None:
        """Raises :class:`CacheRefused` when the folder is unsafe (see ``check_folder``)."""
        check_folder(folder, root)
        self.folder = folder
        self.root = folder / FORMAT
        self._key = _load_key(folder)
        self.hits = 0
        self.misses = 0
        self._files_key = ""
        self._files_path = ""

    def _mac(self, kind: str, key: str, name: str, body: bytes) -> str:
        label = f"regoscan-cache {FORMAT}\0{kind}\0{key}\0{name}\0".encode()
        return hmac.new(self._key, label + body, hashlib.sha256).hexdigest()

    def _policy_dir(self, key: str) -> Path:
        return self.root / key

    def _files_dir(self, key: str) -> str:
        """The folder of a policy set's file entries, as a string: joining Paths 585 times cost more
        than reading the entries."""
        if self._files_key != key:
            self._files_key, self._files_path = key, os.path.join(self.root, key, "files")
        return self._files_path

    # -------------------------------------------------------------- policy entries

    def load_policy(self, key: str) -> tuple[list[CheckMetadata], list[Notice]] | None:
        data = self._read(self._policy_dir(key) / "policy.entry", "policy", key)
        if data is None:
            return None
        try:
            return [_check_from_json(c) for c in data["checks"]], [_notice_from_json(n) for n in data["notices"]]
        except (KeyError, TypeError, ValueError):
            return None

    def store_policy(self, key: str, checks: list[CheckMetadata], notices: list[Notice]) -> None:
        folder = self._policy_dir(key)
        self._write(folder / "policy.entry", {"checks": [_check_to_json(c) for c in checks],
                                             "notices": [_notice_to_json(n) for n in notices]}, "policy", key)
        self._prune(keep=key)
        self._drop_other_formats()

    # ---------------------------------------------------------------- file entries

    def load_file(self, key: str, path: str, sha256: str, checks: dict[tuple[str, str], CheckMetadata],
                  ) -> tuple[InputFile, list[Finding], list[tuple[Notice, str | None]]] | None:
        data = self._read(os.path.join(self._files_dir(key), f"{file_key(path, sha256)}.entry"), "file", key)
        if data is None or data.get("path") != path or data.get("sha256") != sha256:
            self.misses += 1
            return None
        try:
            f = InputFile(path=path, input_type=InputType(data["input_type"]) if data["input_type"] else None,
                          documents=[_document_from_json(d, path) for d in data["documents"]],
                          error=data["error"], error_line=data["error_line"], sha256=sha256)
            findings = [_finding_from_json(x, path, checks) for x in data["findings"]]
            notices = [(_notice_from_json(n["notice"]), n["document"]) for n in data["notices"]]
        except (KeyError, TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return f, findings, notices

    def store_file(self, key: str, f: InputFile, findings: list[Finding],
                   notices: list[tuple[Notice, str | None]]) -> None:
        if f.sha256 is None:
            return
        payload = {
            "path": f.path, "sha256": f.sha256,
            "input_type": f.input_type.value if f.input_type else None,
            "documents": [_document_to_json(d) for d in f.documents],
            "error": f.error, "error_line": f.error_line,
            "findings": [_finding_to_json(x) for x in findings],
            "notices": [{"notice": _notice_to_json(n), "document": doc} for n, doc in notices],
        }
        self._write(self._policy_dir(key) / "files" / f"{file_key(f.path, f.sha256)}.entry", payload, "file", key)

    # ------------------------------------------------------------------- plumbing

    def _read(self, path: Path | str, kind: str, key: str) -> dict[str, Any] | None:
        """An entry's content, or None: unreadable, oversized, malformed, or not made with this cache's key."""
        raw = _read_regular(path, MAX_ENTRY_BYTES)
        if raw is None or len(raw) <= _MAC_HEX or raw[_MAC_HEX] != 0x0A:  # b"\n"
            return None
        body = raw[_MAC_HEX + 1:]
        try:
            mac = raw[:_MAC_HEX].decode("ascii")
        except UnicodeDecodeError:
            return None
        if not hmac.compare_digest(mac, self._mac(kind, key, os.path.basename(path), body)):
            return None
        try:
            value = json.loads(body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _write(self, path: Path, value: dict[str, Any], kind: str, key: str) -> None:
        """Atomic write (temp file + rename): a killed run never leaves a half entry."""
        import tempfile

        body = json.dumps(value, separators=(",", ":")).encode("utf-8")
        content = self._mac(kind, key, path.name, body).encode("ascii") + b"\n" + body
        if not self._real_folders(path.parent):
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def _real_folders(self, folder: Path) -> bool:
        """Every existing folder from the cache folder down to ``folder`` is a real one."""
        chain = [self.folder]
        for part in folder.relative_to(self.folder).parts:
            chain.append(chain[-1] / part)
        for current in chain:
            try:
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    return False
            except FileNotFoundError:
                return True
            except OSError:
                return False
        return True

    def _prune(self, keep: str) -> None:
        """Drop all but the newest policy sets; only real folders, never through a link."""
        import shutil

        try:
            if stat.S_ISLNK(os.lstat(self.root).st_mode):
                return
            sets = []
            with os.scandir(self.root) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        sets.append((st.st_mtime, entry.name))
        except OSError:
            return
        sets.sort(reverse=True)
        names = [name for _, name in sets]
        survivors = {keep, *[n for n in names if n != keep][: KEEP_POLICY_SETS - 1]}
        for name in names:
            if name not in survivors:
                # rmtree does not follow links inside the tree; the top was lstat-ed above
                shutil.rmtree(self.root / name, ignore_errors=True)

    def _drop_other_formats(self) -> None:
        """Remove the folders of other entry formats (``v1``): their entries are never read again.
        Real folders only (``lstat``), never through a link."""
        import shutil

        try:
            with os.scandir(self.folder) as entries:
                old = [e.name for e in entries if e.name != FORMAT and _FORMAT_NAME.fullmatch(e.name)
                       and stat.S_ISDIR(e.stat(follow_symlinks=False).st_mode)]
        except OSError:
            return
        for name in old:
            shutil.rmtree(self.folder / name, ignore_errors=True)
