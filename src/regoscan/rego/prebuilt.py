"""Compiled bundles shipped with regoscan: the built-in checks, compiled when the wheel is built.

Why: a cold scan compiled about a hundred small bundles (one per built-in check, see
``engine.planning``), about 1 s of CPU, the same ones in every run. rego-cpp saves a
compiled bundle in its binary format (little-endian on every machine, with a CRC) and
loads it in about half a millisecond, so the wheel carries them: ``hatch_build.py``
calls ``engine.prebuild`` when the wheel is built, which compiles each built-in check's
group exactly as a scan defines it and writes ``regoscan/_bundled/bundles/``.

Trust: a compiled bundle is code. These files come only from regoscan's own build (the
package folder, which holds regoscan's Python code too), never from a cache folder or
anything a scanned repository could write. A file is used only when
* its key, a hash of exactly the modules, data and entrypoints the scan would compile,
  is in the manifest: a file compiled from other policy text never matches (stale);
* the manifest names the engine build (``regopy.build_info()``) that compiled it, and it is
  the worker's: another regopy version or build compiles instead;
* its bytes have the SHA-256 the manifest records (checked by the worker before loading):
  a corrupt or replaced file is compiled instead, never loaded.
Any doubt means compiling, as without shipped bundles: slower, never a different result.

The same folder carries the built-in modules as ``rego.prepare`` makes them
(``prepared.pickle``), under the same rules: used only with the manifest's hash, and a
module only for a source file with the bytes it was prepared from. And the library cut
for each built-in check (``cuts.json``, ``rego.shake.reachable``: about 0.1 s of every
start that evaluates anything): used only with the manifest's hash, and a cut only for
exactly the library and check texts it was cut from (its key).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
"""Part of every key: bump it when what a key covers changes."""
MANIFEST = "manifest.json"
_KEY = re.compile(r"^[0-9a-f]{64}$")


def bundle_key(modules: list[tuple[str, str]], data: dict[str, Any], entrypoints: list[str]) -> str:
    """The key of a compile request: its modules (names and texts), data and entrypoints, in order."""
    payload = json.dumps([FORMAT, [list(m) for m in modules], data, list(entrypoints)], ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Shipped:
    """A folder of shipped bundles and its manifest."""

    folder: Path
    engine: str
    """``regopy.build_info()`` of the engine that compiled them."""
    files: dict[str, str]
    """Key -> SHA-256 of ``<key>.rbb``."""
    prepared: str | None = None
    """SHA-256 of ``prepared.pickle``: the built-in modules as ``prepare`` makes them (see ``prepared_modules``)."""
    cuts: str | None = None
    """SHA-256 of ``cuts.json``: the library cut for each built-in check (see ``read_cuts``)."""

    def lookup(self, key: str) -> dict[str, str] | None:
        """What a worker needs to load the bundle of ``key`` ({path, sha256, engine}), or None."""
        digest = self.files.get(key)
        if digest is None:
            return None
        return {"path": str(self.folder / f"{key}.rbb"), "sha256": digest, "engine": self.engine}


def read_shipped(folder: Path | None) -> Shipped | None:
    """The shipped bundles in ``folder`` (None when there are none or the manifest is not one)."""
    if folder is None:
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    engine, files = manifest.get("engine"), manifest.get("bundles")
    if not isinstance(engine, str) or not isinstance(files, dict):
        return None
    good = {k: v for k, v in files.items() if isinstance(k, str) and _KEY.match(k) and isinstance(v, str)
            and _KEY.match(v)}
    prepared, cuts = manifest.get("prepared"), manifest.get("cuts")
    return Shipped(folder, engine, good, prepared if isinstance(prepared, str) and _KEY.match(prepared) else None,
                   cuts if isinstance(cuts, str) and _KEY.match(cuts) else None)


def write_manifest(folder: Path, engine: str, files: dict[str, str], prepared: str | None = None,
                   cuts: str | None = None) -> None:
    text = json.dumps({"format": FORMAT, "engine": engine, "bundles": dict(sorted(files.items())),
                       "prepared": prepared, "cuts": cuts}, indent=1)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def _write_hashed(folder: Path, name: str, raw: bytes) -> str:
    """Write one shipped file; its SHA-256, for the manifest."""
    (folder / name).write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def _read_hashed(shipped: Shipped | None, name: str, digest: str | None) -> bytes | None:
    """A shipped file's bytes, only when the manifest records its SHA-256 and the bytes have it."""
    if shipped is None or digest is None:
        return None
    try:
        raw = (shipped.folder / name).read_bytes()
    except OSError:
        return None
    return raw if hashlib.sha256(raw).hexdigest() == digest else None


# ------------------------------------------------------------------ prepared modules

PREPARED = "prepared.pickle"


def source_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def write_prepared(folder: Path, entries: list[tuple[str, int, str, Any]]) -> str:
    """Save (display name, module index, SHA-256 of the source, prepared module) entries; their SHA-256."""
    return _write_hashed(folder, PREPARED, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))


class PreparedModules:
    """The built-in modules as the wheel's build prepared them, by display name and module index.

    Preparing the built-in library (tokenizing, rewriting, reading METADATA) cost about
    0.18 s of every scan's start. A module is served from here only when the source file
    read now has the bytes it was prepared from; the pickle itself is read only from the
    package's own folder and only when its bytes have the manifest's hash (it is code,
    like the bundles).
    """

    def __init__(self, entries: list[tuple[str, int, str, Any]]) -> None:
        self._entries = {(display, index): (digest, module) for display, index, digest, module in entries}

    def module(self, display: str, index: int, raw: bytes) -> Any | None:
        entry = self._entries.pop((display, index), None)  # each copy serves one scan once
        if entry is None or entry[0] != source_digest(raw):
            return None
        return entry[1]


def read_prepared(shipped: Shipped | None) -> PreparedModules | None:
    raw = _read_hashed(shipped, PREPARED, shipped.prepared if shipped else None)
    if raw is None:
        return None
    try:
        entries = pickle.loads(raw)
    except Exception:  # a pickle of another version's classes: prepare the modules instead
        return None
    if not isinstance(entries, list):
        return None
    return PreparedModules([e for e in entries if isinstance(e, tuple) and len(e) == 4])


# ------------------------------------------------------------------ library cuts

CUTS = "cuts.json"
Cuts = dict[str, list[tuple[str, str]]]
"""Key (``cut_key``) -> the modules of a check's bundle (``engine.planning.bundle_modules``): the
library modules (name, cut text) it reaches, then the check module, each without comments."""
_CUT_LAYOUT = 2
"""Part of every cut key: cuts of another layout (1: the library modules only, with comments) never match."""


def libraries_digest(libraries: list[tuple[str, str]]) -> str:
    """What every cut depends on besides the check: the library modules' names and texts, in order."""
    h = hashlib.sha256(f"cuts {FORMAT} {_CUT_LAYOUT}\0".encode())
    for name, text in libraries:
        h.update(f"{name}\0{text}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def cut_key(libraries: str, name: str, text: str) -> str:
    """The key of one check's cut: the libraries' digest, the check module's name and text."""
    return hashlib.sha256(f"{libraries}\0{name}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def write_cuts(folder: Path, cuts: Cuts) -> str:
    """Save the cuts made while the bundles were built; their file's SHA-256."""
    raw = json.dumps({k: [list(m) for m in v] for k, v in sorted(cuts.items())}, ensure_ascii=False,
                     separators=(",", ":")).encode("utf-8", "surrogatepass")
    return _write_hashed(folder, CUTS, raw)


def read_cuts(shipped: Shipped | None) -> Cuts | None:
    """The shipped cuts, or None (no file, not the manifest's hash, not a table of cuts)."""
    raw = _read_hashed(shipped, CUTS, shipped.cuts if shipped else None)
    if raw is None:
        return None
    try:
        table = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(table, dict):
        return None
    out: Cuts = {}
    for key, mods in table.items():
        if isinstance(key, str) and isinstance(mods, list) and all(
                isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m) for m in mods):
            out[key] = [(m[0], m[1]) for m in mods]
    return out
