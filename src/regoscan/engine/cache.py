"""Result cache: a file whose bytes and policy set are unchanged is not parsed or evaluated.

Key of a file's entry: the policy-set key, the file's path and the SHA-256 of its
bytes. The policy-set key covers everything an evaluation can depend on: regoscan's
version, the bytes of every policy file loaded (built-in library, custom checks,
exceptions, libraries), the data documents, the namespaces and the built-in switch.
A check only ever sees one document (plus data), so nothing else can make an entry
stale; any change to an exception changes the policy key and invalidates every
entry. Evaluations that crashed or timed out are never stored.

Layout (a folder the GitHub Action can persist with actions/cache): ``<dir>/key`` and
one pack per policy set, ``<dir>/v3/<policy key>.pack``. Only the newest few packs are
kept, and folders of other formats (``v1``, ``v2``: a file per entry) are removed. A
warm scan of 600 files read 585 entry files (v2); it now reads one file. Inside the
pack, each entry is still a record of its own::

    regoscan-cache v3 pack            (first line)
    <MAC, 64 hex> <name> <length>     (a record's header line, then its JSON body and a new line)

``name`` is ``policy`` (the policy set's checks and notices) or the SHA-256 of a file's
path, so a changed file's new entry replaces its old one. Records are checked one by one
when read: a record that is tampered with, planted or cut short is a miss for that file
alone, which is then evaluated again; a pack cut short keeps the records before the cut.
A pack is rewritten whole (temporary file, then rename) only when a scan evaluated
something: the fresh entries, the entries this scan served, and those of files it did
not look at that still exist, in that order, up to ``MAX_PACK_BYTES``. Entries of a file
that changed or was removed are dropped. Two scans sharing a folder each write their own
temporary file: the last rename wins, and no reader ever sees half a pack.

The cache decides what is reported, and its keys can be computed by anyone who has the
files, so a pull request that could put an entry in it could turn findings into a pass.
Three guards (SECURITY.md): the folder is refused when it is a symbolic link, holds one
(or anything but folders and regular files), or holds files that git tracks (committed
by the change being scanned); every record carries an HMAC-SHA256 made with a random key
created in the folder on first use (mode 0600), bound to the record's policy set and
name, so a record written without that key is a miss; and pruning never follows a link
(``lstat``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import stat
import time
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

FORMAT = "v3"
_FORMAT_NAME = re.compile(r"v[0-9]+")
"""Names of format folders, this one or older: only these are removed beside ``FORMAT``."""
PACK_SUFFIX = ".pack"
PACK_MAGIC = b"regoscan-cache v3 pack\n"
POLICY_NAME = "policy"
"""The name of a pack's policy record (file records are named by a SHA-256 in hex)."""
_MAC_HEX = 64
_HEADER_MAX = 200
"""Longest record header line: MAC, name and length take well under this."""
KEEP_POLICY_SETS = 4
KEY_FILE = "key"
MAX_ENTRY_BYTES = 64 * 1024 * 1024
"""A record is our own JSON for one file; anything larger was not written by regoscan."""
MAX_PACK_BYTES = 256 * 1024 * 1024
"""A pack is written up to this size (fresh entries first) and a larger one is not read."""
STALE_TEMP_SECONDS = 3600.0
"""A temporary pack older than this was left by a killed scan: removed when packs are pruned."""
_GIT_TIMEOUT = 30.0
_INPUT_TYPES = {t.value: t for t in InputType}


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


def record_name(path: str) -> str:
    """A file's record name in a pack: one per path, whatever its bytes (a changed file's new
    entry replaces the old one); the body names the bytes it was made from."""
    return hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()


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


def _suppression_to_json(s: SuppressionInfo) -> dict[str, Any]:
    return {**asdict(s), "metadata": [list(p) for p in s.metadata]}


def _suppression_from_json(s: dict[str, Any]) -> SuppressionInfo:
    return SuppressionInfo(**{**s, "metadata": tuple(tuple(p) for p in s["metadata"])})


def _finding_to_json(f: Finding) -> list[Any]:
    """A finding as an array (not an object): the warm scan parses 3,400 of them, and keys
    cost half the parse."""
    return [f.check.id, f.check.package, f.rule, f.message, f.region.start_line, f.region.end_line,
            f.document_index, f.resource, f.identity, [_suppression_to_json(s) for s in f.suppressions]]


def _document_to_json(doc: Document) -> list[Any]:
    return [doc.input_type.value, doc.region.start_line, doc.region.end_line, doc.index, doc.kind, doc.name,
            doc.namespace]


def _entry_from_json(data: dict[str, Any], path: str, sha256: str, checks: dict[tuple[str, str], CheckMetadata],
                     ) -> tuple[InputFile, list[Finding], list[tuple[Notice, str | None]]]:
    """Objects from a file record's body; raises KeyError, TypeError or ValueError when it is not one."""
    regions: dict[tuple[int, int], Region] = {}  # frozen: findings of one document share theirs

    def region(start: int, end: int) -> Region:
        r = regions.get((start, end))
        if r is None:
            r = regions[(start, end)] = Region(start, end)
        return r

    documents = [Document(path, _INPUT_TYPES[t], None, region(s, e), i, kind, name, ns)  # content not kept:
                 for t, s, e, i, kind, name, ns in data["documents"]]             # never evaluated again
    findings = [Finding(checks[(check, package)], rule, message, path, region(s, e), index, resource,
                        [_suppression_from_json(x) for x in sups] if sups else [], identity)
                for check, package, rule, message, s, e, index, resource, identity, sups in data["findings"]]
    input_type = data["input_type"]
    f = InputFile(path, _INPUT_TYPES[input_type] if input_type else None, documents, data["error"],
                  data["error_line"], sha256)
    notices = [(_notice_from_json(n["notice"]), n["document"]) for n in data["notices"]]
    return f, findings, notices


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
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                continue  # gone since listed: another scan's temporary pack, renamed or removed
            except OSError as exc:
                raise CacheRefused(f"{path}: {exc.strerror or exc}") from None
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
    """The folder's HMAC key, created (0600) on first use. It appears whole or not at all (written to
    a temporary file, then linked into place, which never replaces a key made meanwhile): a scan
    that loses the race to create it reads the winner's, never half of it."""
    path = folder / KEY_FILE
    for _ in range(2):
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
        import tempfile

        key = secrets.token_bytes(32)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-key-")  # mode 0600
        except OSError as exc:
            raise CacheRefused(f"cannot create the cache key in {folder}: {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key.hex() + "\n")
            _link_exclusively(tmp, path)
        except FileExistsError:
            continue  # made by a concurrent scan since we looked: read that one
        except OSError as exc:
            raise CacheRefused(f"cannot create the cache key in {folder}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return key
    raise CacheRefused(f"cannot read the cache key in {folder}")


def _link_exclusively(source: str, target: Path) -> None:
    """``target`` made a name of ``source``, failing with FileExistsError if it exists (a link too,
    never followed). Where the file system has no hard links, a copy made with O_EXCL instead."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        raise
    except OSError:
        pass
    with open(source, "rb") as handle:
        content = handle.read()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)


def parse_pack(raw: bytes) -> dict[str, tuple[bytes, int, int]]:
    """Record name -> (MAC, start, end of the body in ``raw``), nothing checked yet but the framing.

    Reading stops at the first record that is not framed right (a pack cut short, or bytes
    that are not a pack): the records before it are kept, each still checked when used.
    """
    index: dict[str, tuple[bytes, int, int]] = {}
    if not raw.startswith(PACK_MAGIC):
        return index
    pos, size = len(PACK_MAGIC), len(raw)
    while pos < size:
        eol = raw.find(b"\n", pos, pos + _HEADER_MAX)
        if eol < 0:
            break
        fields = raw[pos:eol].split(b" ")
        if len(fields) != 3 or len(fields[0]) != _MAC_HEX or not fields[2].isdigit() or not fields[1].isalnum():
            break
        start = eol + 1
        end = start + int(fields[2])
        if end >= size or raw[end] != 0x0A or end - start > MAX_ENTRY_BYTES:  # b"\n" closes a record
            break
        index[fields[1].decode("ascii")] = (fields[0], start, end)
        pos = end + 1
    return index


class _Pack:
    """One policy set's pack as this scan sees it: what was read, what was used, what is new.
    (A plain class: a dataclass compiles its methods when imported, on every warm scan.)"""

    __slots__ = ("fresh", "index", "raw", "used")

    def __init__(self, raw: bytes, index: dict[str, tuple[bytes, int, int]]) -> None:
        self.raw = raw
        self.index = index
        self.used: dict[str, bool] = {}
        """Records looked up: True when served (checked and current), False when not (stale or bad)."""
        self.fresh: dict[str, bytes] = {}
        """Records to write: name -> the body (its MAC is made when written)."""


class ResultCache:
    def __init__(self, folder: Path, root: Path | None = None) -> None:
        """Raises :class:`CacheRefused` when the folder is unsafe (see ``check_folder``). ``root``
        is the scan root: reported paths are relative to it (to drop entries of removed files)."""
        check_folder(folder, root)
        self.folder = folder
        self.root = folder / FORMAT
        self.scan_root = root
        self._key = _load_key(folder)
        self.hits = 0
        self.misses = 0
        self._packs: dict[str, _Pack] = {}

    def _mac(self, kind: str, key: str, name: str, body: bytes) -> bytes:
        label = f"regoscan-cache {FORMAT}\0{kind}\0{key}\0{name}\0".encode()
        return hmac.digest(self._key, label + body, "sha256").hex().encode("ascii")

    def pack_path(self, key: str) -> Path:
        return self.root / f"{key}{PACK_SUFFIX}"

    def _pack(self, key: str) -> _Pack:
        pack = self._packs.get(key)
        if pack is None:
            raw = _read_regular(self.pack_path(key), MAX_PACK_BYTES) or b""
            pack = self._packs[key] = _Pack(raw, parse_pack(raw))
        return pack

    def _body(self, pack: _Pack, kind: str, key: str, name: str) -> bytes | None:
        """A record's body when its MAC is this cache's, else None."""
        found = pack.index.get(name)
        if found is None:
            return None
        mac, start, end = found
        body = pack.raw[start:end]
        return body if hmac.compare_digest(mac, self._mac(kind, key, name, body)) else None

    def _read(self, pack: _Pack, kind: str, key: str, name: str) -> dict[str, Any] | None:
        """A record's content, or None: absent, malformed, or not made with this cache's key."""
        body = self._body(pack, kind, key, name)
        if body is None:
            return None
        try:
            value = json.loads(body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    # -------------------------------------------------------------- policy entries

    def load_policy(self, key: str) -> tuple[list[CheckMetadata], list[Notice]] | None:
        pack = self._pack(key)
        data = self._read(pack, "policy", key, POLICY_NAME)
        try:
            loaded = ([_check_from_json(c) for c in data["checks"]], [_notice_from_json(n) for n in data["notices"]]
                      ) if data is not None else None
        except (KeyError, TypeError, ValueError):
            loaded = None
        pack.used[POLICY_NAME] = loaded is not None
        return loaded

    def store_policy(self, key: str, checks: list[CheckMetadata], notices: list[Notice]) -> None:
        """Kept for ``save``, which writes the pack."""
        self._pack(key).fresh[POLICY_NAME] = _dumps({"checks": [_check_to_json(c) for c in checks],
                                                     "notices": [_notice_to_json(n) for n in notices]})

    # ---------------------------------------------------------------- file entries

    def load_file(self, key: str, path: str, sha256: str, checks: dict[tuple[str, str], CheckMetadata],
                  ) -> tuple[InputFile, list[Finding], list[tuple[Notice, str | None]]] | None:
        pack = self._pack(key)
        name = record_name(path)
        data = self._read(pack, "file", key, name)
        loaded = None
        if data is not None and data.get("path") == path and data.get("sha256") == sha256:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                loaded = _entry_from_json(data, path, sha256, checks)
        pack.used[name] = loaded is not None
        if loaded is None:
            self.misses += 1
        else:
            self.hits += 1
        return loaded

    def store_file(self, key: str, f: InputFile, findings: list[Finding],
                   notices: list[tuple[Notice, str | None]]) -> None:
        """Kept for ``save``, which writes the pack."""
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
        self._pack(key).fresh[record_name(f.path)] = _dumps(payload)

    # ------------------------------------------------------------------- writing

    def save(self, key: str) -> None:
        """Write the policy set's pack when this scan stored something (a warm scan writes nothing).

        Records in order: fresh ones, those this scan served, then those of files it did not
        look at whose file still exists; up to ``MAX_PACK_BYTES``. Records of files that
        changed (a miss) are left out, and so are records that fail their MAC.
        """
        pack = self._packs.get(key)
        if pack is None or not pack.fresh:
            return
        records = list(pack.fresh.items())
        served, unseen = [], []
        for name in pack.index:
            if name in pack.fresh:
                continue
            used = pack.used.get(name)
            if used is False:
                continue
            kind = _kind(name)
            body = self._body(pack, kind, key, name)
            if body is None:
                continue
            if used:
                served.append((name, body))
            elif kind == "policy" or self._still_there(body):
                unseen.append((name, body))
        self._write_pack(key, [*records, *served, *unseen])
        self._packs.pop(key, None)  # written: read again if needed
        self._prune(keep=key)
        self._drop_other_formats()

    def _still_there(self, body: bytes) -> bool:
        """Whether the file a record was made for still exists (unknown without a scan root: kept)."""
        if self.scan_root is None:
            return True
        try:
            path = json.loads(body)["path"]
        except (ValueError, KeyError, TypeError):
            return False
        return isinstance(path, str) and os.path.lexists(os.path.join(self.scan_root, path))

    def _write_pack(self, key: str, records: list[tuple[str, bytes]]) -> None:
        """Atomic write (temp file + rename): a killed or concurrent scan never leaves half a pack."""
        import tempfile

        chunks, size = [PACK_MAGIC], len(PACK_MAGIC)
        for name, body in records:
            kind = _kind(name)
            if len(body) > MAX_ENTRY_BYTES:
                continue
            head = b"%s %s %d\n" % (self._mac(kind, key, name, body), name.encode("ascii"), len(body))
            if size + len(head) + len(body) + 1 > MAX_PACK_BYTES:
                continue  # full: the rest are evaluated again next time
            chunks += [head, body, b"\n"]
            size += len(head) + len(body) + 1
        if not self._real_folders(self.root):
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"".join(chunks))
            os.replace(tmp, self.pack_path(key))
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
        """Drop all but the newest packs, and temporary files of killed scans; regular files
        only (``lstat``), never through a link."""
        try:
            if stat.S_ISLNK(os.lstat(self.root).st_mode):
                return
            packs, stale = [], []
            now = time.time()
            with os.scandir(self.root) as entries:
                for entry in entries:
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode):
                        continue
                    if entry.name.endswith(PACK_SUFFIX):
                        packs.append((st.st_mtime, entry.name))
                    elif entry.name.startswith(".tmp-") and now - st.st_mtime > STALE_TEMP_SECONDS:
                        stale.append(entry.name)
        except OSError:
            return
        packs.sort(reverse=True)
        names = [name for _, name in packs]
        mine = f"{keep}{PACK_SUFFIX}"
        survivors = {mine, *[n for n in names if n != mine][: KEEP_POLICY_SETS - 1]}
        for name in [n for n in names if n not in survivors] + stale:
            with contextlib.suppress(OSError):
                os.unlink(self.root / name)  # unlink never follows a link

    def _drop_other_formats(self) -> None:
        """Remove the folders of other entry formats (``v1``, ``v2``): their entries are never read
        again. Real folders only (``lstat``), never through a link."""
        import shutil

        try:
            with os.scandir(self.folder) as entries:
                old = [e.name for e in entries if e.name != FORMAT and _FORMAT_NAME.fullmatch(e.name)
                       and stat.S_ISDIR(e.stat(follow_symlinks=False).st_mode)]
        except OSError:
            return
        for name in old:
            # rmtree does not follow links inside the tree; the top was lstat-ed above
            shutil.rmtree(self.folder / name, ignore_errors=True)


def _kind(name: str) -> str:
    """What a record holds, bound into its MAC: the policy set's record or a file's."""
    return "policy" if name == POLICY_NAME else "file"


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")
