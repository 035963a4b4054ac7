"""The input stage: discover files, serve unchanged ones from the cache, parse the rest.

A file served from the cache is neither parsed nor evaluated; every other file is parsed
here and handed on as documents. Parse problems become notices, never exceptions.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from regoscan.engine.cache import CacheRefused, ResultCache, file_digest, policy_key
from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyfiles import collect_policy_files, data_files_of
from regoscan.inputs.discover import discover
from regoscan.inputs.limits import MAX_BYTES
from regoscan.models import CheckMetadata, Finding, InputFile, InputType, Notice, NoticeLevel


@dataclass
class CacheState:
    cache: ResultCache | None = None
    key: str = ""
    policy: tuple[list[CheckMetadata], list[Notice]] | None = None
    """The cached policy set's checks and notices; None when the policy set is not cached yet."""
    refused: Notice | None = None
    """Why the cache folder was not used (the scan then runs without a cache)."""


@dataclass
class Collected:
    files: list[InputFile] = field(default_factory=list)
    """Every file, cached or parsed, in discovery order."""
    cached_findings: list[Finding] = field(default_factory=list)
    misses: list[InputFile] = field(default_factory=list)
    """Files parsed in this run (to evaluate, then to store in the cache)."""
    parse_notices: dict[str, Notice] = field(default_factory=dict)
    """The parse notice of each parsed file, kept apart for its cache entry."""


_CLOCK = re.compile(rb"\b(?:now_ns|decode_verify)\b")
"""Calls whose result depends on the scan's clock reading (``policies/lib/compat.rego``): the
names alone, since rego-cpp reads ``time . now_ns ()`` and ``time.now_ns # note`` + a new line
+ ``()`` as the same call (a spelling in brackets is refused when the policy is loaded)."""


def _reads_clock(path: Path) -> bool:
    from regoscan.rego.prepare import MAX_POLICY_BYTES  # user policies only: prepared later anyway

    try:
        with path.open("rb") as handle:
            return _CLOCK.search(handle.read(MAX_POLICY_BYTES + 1)) is not None  # larger ones are refused
    except OSError:
        return False


def open_cache(cache_dir: Path | None, policies: list[str], data: list[str], root: Path,
               namespaces: list[str], builtin: bool, *, scan_root: Path | None = None) -> CacheState:
    """``root`` resolves policy paths; ``scan_root`` is the tree the scanned change controls,
    in which no component of the cache folder's path may be a link."""
    if cache_dir is None:
        return CacheState()
    files = collect_policy_files(policies, root, builtin)
    if any(_reads_clock(path) for path, _, bundled in files if not bundled):
        return CacheState()  # a policy that reads the clock can give another result tomorrow: not cached
    policy_files = [(display, file_digest(path)) for path, display, _ in files]
    data_files = [(p.as_posix(), file_digest(p)) for p in data_files_of(data)]
    key = policy_key(policy_files, data_files, namespaces, builtin)
    try:
        cache = ResultCache(cache_dir, scan_root or root)
    except CacheRefused as exc:
        return CacheState(refused=Notice(NoticeLevel.WARNING, "cache-refused",
                                         f"result cache not used: {exc}", None))
    return CacheState(cache, key, cache.load_policy(key))


def exclusions(exclude: list[str] | None, cache_dir: Path | None, root: Path) -> list[str] | None:
    """The user's excludes, plus the cache folder: its JSON entries are not inputs."""
    out = list(exclude or [])
    if cache_dir is not None and cache_dir.resolve().is_relative_to(root.resolve()):
        out.append(cache_dir.resolve().relative_to(root.resolve()).as_posix())
    return out or None


def load_file(abs_path: Path, rel_path: str, hint: InputType | None) -> InputFile:
    """``inputs.load.load_file``, imported when the first file is parsed: a scan served wholly
    from the cache never imports the parsers (nor PyYAML)."""
    from regoscan.inputs.load import load_file as load

    return load(abs_path, rel_path, hint)


def _file_sha(path: Path) -> str | None:
    """SHA-256 of a file's bytes for the cache (None when unreadable or too large to scan)."""
    try:  # os calls, no file object: a warm scan hashes every file it serves
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # (a FIFO swapped in must not block)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_BYTES:
            return None
        data = os.read(fd, size + 1)
        digest = hashlib.sha256(data)
        while data:  # (a file that grew since fstat)
            data = os.read(fd, 1 << 20)
            digest.update(data)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def _parse_notice(f: InputFile) -> Notice | None:
    if f.error_code:
        return Notice(NoticeLevel.WARNING, f.error_code, f.error, f.path, f.error_line)
    if f.error:
        return Notice(NoticeLevel.WARNING, "input-parse-error", f"not scanned: {f.error}", f.path, f.error_line)
    if f.warning:
        return Notice(NoticeLevel.WARNING, "input-encoding", f"scanned, but {f.warning}", f.path, f.warning_line)
    if not f.documents:  # read fine, nothing to check: said once, not passed over silently
        what = ("no instructions" if f.input_type is InputType.DOCKERFILE
                else "no documents (empty or only comments)")
        return Notice(NoticeLevel.NOTE, "input-empty", f"nothing to check: the file has {what}", f.path)
    return None


def coverage_notices(files: list[InputFile], paths: list[str], changed_only: bool) -> list[Notice]:
    """Say so when a scan saw nothing: a clean result over no files must not read as "all clear".

    No input file at all is a note (an empty folder, globs that match nothing, a change
    that touches no manifest); files found but none scanned is a warning.
    """
    if not files:
        where = "among the changed files" if changed_only else "under " + ", ".join(str(p) for p in paths[:5])
        return [Notice(NoticeLevel.NOTE, "input-none", f"no input files found {where}")]
    unscanned = [f for f in files if f.error]
    if len(unscanned) == len(files):
        return [Notice(NoticeLevel.WARNING, "input-nothing-scanned",
                       f"none of the {len(files)} input files could be scanned" if len(files) > 1
                       else "the only input file could not be scanned")]
    return []


def collect(paths: list[str], root: Path, include: list[str] | None, exclude: list[str] | None,
            state: CacheState, notices: NoticeSink,
            tick: Callable[[str, int, int], None] | None = None,
            parsed: Callable[[InputFile, int], None] | None = None) -> Collected:
    """``parsed(file, found)`` is called as each file is parsed (not when served from the
    cache), with the number of files found: the evaluation starts on the first documents
    while the others are still being read."""
    found = discover(paths, root, include=include, exclude=exclude)
    for n in found.notices:
        notices.add(n)
    checks_by_key = {(c.id, c.package): c for c in state.policy[0]} if state.policy else {}
    out = Collected()
    for i, cand in enumerate(found.candidates):
        if tick is not None and i:
            tick("parsed", i, len(found.candidates))
        if state.cache is not None and state.policy is not None:
            sha = _file_sha(cand.abs_path)
            hit = state.cache.load_file(state.key, cand.rel_path, sha, checks_by_key) if sha else None
            if hit is not None:
                cached_file, cached_findings, cached_notices = hit
                out.files.append(cached_file)
                out.cached_findings.extend(cached_findings)
                for n, document in cached_notices:
                    notices.add(n, document=document)
                continue
        f = load_file(cand.abs_path, cand.rel_path, cand.input_type_hint)
        n = _parse_notice(f)
        if n is not None:
            out.parse_notices[f.path] = n
            notices.add(Notice(n.level, n.code, n.message, n.path, n.line))
        out.files.append(f)
        out.misses.append(f)
        if parsed is not None:
            parsed(f, len(found.candidates))
    if tick is not None and found.candidates:
        tick("parsed", len(found.candidates), len(found.candidates))
    return out
