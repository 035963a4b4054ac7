"""Result cache: a file whose bytes and policy set are unchanged is not parsed or evaluated.

Key of a file's entry: the policy-set key, the file's path and the SHA-256 of its
bytes. The policy-set key covers everything an evaluation can depend on: regoscan's
version, the bytes of every policy file loaded (built-in library, custom checks,
exceptions, libraries), the data documents, the namespaces and the built-in switch.
A check only ever sees one document (plus data), so nothing else can make an entry
stale; any change to an exception changes the policy key and invalidates every
entry. Evaluations that crashed or timed out are never stored.

Layout (a folder the GitHub Action can persist with actions/cache):
``<dir>/v1/<policy key>/policy.json`` and ``<dir>/v1/<policy key>/files/<key>.json``.
Only the newest few policy sets are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
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

FORMAT = "v1"
KEEP_POLICY_SETS = 4


def policy_key(policy_files: list[tuple[str, bytes]], data_files: list[tuple[str, bytes]],
               namespaces: list[str], builtin: bool) -> str:
    h = hashlib.sha256()
    h.update(f"regoscan {__version__}\0{FORMAT}\0builtin={builtin}\0ns={','.join(sorted(namespaces))}\0".encode())
    for label, files in (("policy", policy_files), ("data", data_files)):
        for name, data in sorted(files):
            h.update(f"{label}\0{name}\0{len(data)}\0".encode())
            h.update(data)
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


class ResultCache:
    def __init__(self, folder: Path) -> None:
        self.root = folder / FORMAT
        self.hits = 0
        self.misses = 0

    def _policy_dir(self, key: str) -> Path:
        return self.root / key

    # -------------------------------------------------------------- policy entries

    def load_policy(self, key: str) -> tuple[list[CheckMetadata], list[Notice]] | None:
        data = self._read(self._policy_dir(key) / "policy.json")
        if data is None:
            return None
        try:
            return [_check_from_json(c) for c in data["checks"]], [_notice_from_json(n) for n in data["notices"]]
        except (KeyError, TypeError, ValueError):
            return None

    def store_policy(self, key: str, checks: list[CheckMetadata], notices: list[Notice]) -> None:
        folder = self._policy_dir(key)
        self._write(folder / "policy.json", {"checks": [_check_to_json(c) for c in checks],
                                             "notices": [_notice_to_json(n) for n in notices]})
        self._prune(keep=key)

    # ---------------------------------------------------------------- file entries

    def load_file(self, key: str, path: str, sha256: str, checks: dict[tuple[str, str], CheckMetadata],
                  ) -> tuple[InputFile, list[Finding], list[tuple[Notice, str | None]]] | None:
        data = self._read(self._policy_dir(key) / "files" / f"{file_key(path, sha256)}.json")
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
        self._write(self._policy_dir(key) / "files" / f"{file_key(f.path, f.sha256)}.json", payload)

    # ------------------------------------------------------------------- plumbing

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            with path.open(encoding="utf-8") as handle:
                value = json.load(handle)
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _write(self, path: Path, value: dict[str, Any]) -> None:
        """Atomic write (temp file + rename): a killed run never leaves a half entry."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(value, handle, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def _prune(self, keep: str) -> None:
        try:
            sets = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime,
                          reverse=True)
        except OSError:
            return
        survivors = [p for p in sets if p.name == keep] + [p for p in sets if p.name != keep][: KEEP_POLICY_SETS - 1]
        for p in sets:
            if p not in survivors:
                shutil.rmtree(p, ignore_errors=True)
