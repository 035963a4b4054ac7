"""Partial fingerprints for SARIF results: GitHub's line hash and regoscan's own.

Two values go into every result's ``partialFingerprints`` (SARIF §3.27.17):

``primaryLocationLineHash``
    What GitHub code scanning uses to recognise an alert across runs. When a result has
    none, codeql-action's ``upload-sarif`` computes it from the file; when a result has
    one that differs from its own computation it logs "inconsistent fingerprint". So the
    value must be *exactly* what ``upload-sarif`` would compute, which is why
    :func:`iter_line_hashes` is a line-by-line port of ``hash()`` in
    github/codeql-action ``src/fingerprints.ts`` (checked at commit f3f1edb, 2026-06-13):

    * the file is decoded as UTF-8 (invalid bytes become U+FFFD, a BOM is kept, as
      Node's ``fs.createReadStream(path, "utf8")`` does) and walked in UTF-16 code units
      (JavaScript's ``charCodeAt``);
    * spaces and tabs are skipped; CR, LF and CRLF each count as one line break (a LF
      directly after a CR is skipped, every other CR becomes LF);
    * a rolling polynomial hash (multiplier 37, modulo 2**64, as ``Long`` arithmetic)
      covers the 100 non-space/tab code units starting at each line's first one;
    * after the text an EOF marker (65535) is hashed, then the window is flushed with
      zeros so the last lines get hashes too (a file ending in a line break therefore
      has one more, empty, line);
    * the value is ``"<hex>:<n>"`` where ``n`` counts the lines so far with the same hex
      value (1 for the first), so identical lines stay apart.

    The hash depends on the text at and after the line, so it changes when that text
    changes, and it survives lines being inserted above (only ``n`` can move when the
    inserted lines are copies of it).

``regoscanFinding/v1``
    regoscan's own identity of a finding (:func:`regoscan_fingerprint`): check id, file
    and the offending node (the engine's resource identity: kind/namespace/name plus the
    message naming the container or instruction). No line number and no file content go
    in, so it stays put when unrelated lines are added above and it exists even when the
    file cannot be read. GitHub ignores it; it is for regoscan's consumers (the console
    JSON ``fingerprint`` carries the same value).

Files are read relative to the report root; a file that cannot be read just gets no
line hash (upload-sarif would skip it as well).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from regoscan.models import Finding

from ._shared import FINGERPRINT_KEY, finding_key

__all__ = [
    "FINGERPRINT_KEY",
    "LINE_HASH_KEY",
    "FingerprintHook",
    "SourceLineHashes",
    "decode_source",
    "iter_line_hashes",
    "line_hashes",
    "regoscan_fingerprint",
]

LINE_HASH_KEY = "primaryLocationLineHash"
"""The partial fingerprint GitHub code scanning uses (and the only one it uses)."""

FingerprintHook = Callable[[Finding], Mapping[str, str]]
"""Extra ``partialFingerprints`` for one finding (``build_sarif(fingerprints=...)``)."""

# --- port of codeql-action src/fingerprints.ts ----------------------------------------------

_TAB = 0x09
_SPACE = 0x20
_LF = 0x0A
_CR = 0x0D
_EOF = 65535
BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1  # Long arithmetic wraps at 64 bits; toUnsigned() reads it mod 2**64
_FIRST_MOD = pow(_MOD, BLOCK_SIZE, 1 << 64)  # computeFirstMod(): 37**100 as a Long
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"

MAX_SOURCE_BYTES = 32 * 1024 * 1024
"""Files larger than this are not hashed (they are not IaC; hashing would only cost time)."""


def decode_source(data: bytes) -> str:
    """Bytes to text the way Node's ``"utf8"`` stream decoding does it.

    Invalid sequences become U+FFFD (one per maximal ill-formed subpart, the WHATWG and
    Unicode-recommended practice, which CPython's ``"replace"`` handler follows too) and a
    leading BOM is kept, not stripped.
    """
    return data.decode("utf-8", errors="replace")


def _code_units(text: str) -> Iterable[int]:
    """``text`` as UTF-16 code units (``charCodeAt``): astral characters become surrogate pairs."""
    return memoryview(text.encode(_UTF16, errors="surrogatepass")).cast("H")


def iter_line_hashes(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, "<hex>:<n>")`` for every line of ``text``, in line order.

    A faithful port of ``hash()`` in codeql-action's ``src/fingerprints.ts``; the names
    below are the TypeScript ones. Lines are 1-based; a text ending in a line break has
    one more, empty, line, exactly as upload-sarif counts them. Stopping the iteration
    early is fine: a line's value depends only on the lines before it and the 100 code
    units after its start.
    """
    window = [0] * BLOCK_SIZE
    line_numbers = [-1] * BLOCK_SIZE
    hash_raw = 0
    index = 0
    line_number = 0
    line_start = True
    prev_cr = False
    hash_counts: dict[str, int] = {}

    units = _code_units(text)
    for i in range(len(units) + 1):
        current = units[i] if i < len(units) else _EOF  # processCharacter(EOF) after the input
        # skip tabs, spaces, and line feeds that come directly after a carriage return
        if current in (_SPACE, _TAB) or (prev_cr and current == _LF):
            prev_cr = False
            continue
        # replace CR with LF
        if current == _CR:
            current = _LF
            prev_cr = True
        else:
            prev_cr = False
        if line_numbers[index] != -1:
            # outputHash()
            hash_value = format(hash_raw, "x")
            count = hash_counts.get(hash_value, 0) + 1
            hash_counts[hash_value] = count
            yield line_numbers[index], f"{hash_value}:{count}"
            line_numbers[index] = -1
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[index] = line_number
        if current == _LF:
            line_start = True
        # updateHash(current)
        begin = window[index]
        window[index] = current
        hash_raw = (_MOD * hash_raw + current - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE

    # Flush the remaining lines
    for _ in range(BLOCK_SIZE):
        if line_numbers[index] != -1:
            hash_value = format(hash_raw, "x")
            count = hash_counts.get(hash_value, 0) + 1
            hash_counts[hash_value] = count
            yield line_numbers[index], f"{hash_value}:{count}"
            line_numbers[index] = -1
        # updateHash(0)
        begin = window[index]
        window[index] = 0
        hash_raw = (_MOD * hash_raw - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE


def line_hashes(text: str, lines: Iterable[int] | None = None) -> dict[int, str]:
    """``{line: primaryLocationLineHash}`` for ``lines`` (all lines when ``None``)."""
    wanted = None if lines is None else set(lines)
    last = max(wanted) if wanted else 0
    out: dict[int, str] = {}
    if wanted is not None and not wanted:
        return out
    for line, value in iter_line_hashes(text):
        if wanted is None or line in wanted:
            out[line] = value
        if wanted is not None and line >= last:
            break
    return out


# --- regoscan's own fingerprint --------------------------------------------------------------


def regoscan_fingerprint(finding: Finding) -> str:
    """``regoscanFinding/v1``: sha256 of check id, file, node identity and message; no line."""
    return finding_key(finding)


# --- the hook build_sarif uses by default ----------------------------------------------------


class SourceLineHashes:
    """``fingerprints`` hook: ``primaryLocationLineHash`` of each finding's first line.

    Files are read relative to ``root`` once each, and only as far as the highest line a
    finding needs. A file that is missing, a directory, unreadable, outside ``root`` or
    larger than :data:`MAX_SOURCE_BYTES`, or a line it does not have, yields ``{}``: the
    result then carries only regoscan's own fingerprint (upload-sarif would find nothing
    to hash either).
    """

    def __init__(self, root: str | os.PathLike[str], findings: Iterable[Finding] = ()) -> None:
        self.root = Path(os.path.abspath(root))
        self._wanted: dict[str, set[int]] = {}
        self._hashes: dict[str, dict[int, str]] = {}
        for finding in findings:
            self._wanted.setdefault(finding.path, set()).add(finding.region.start_line)

    def __call__(self, finding: Finding) -> Mapping[str, str]:
        line = finding.region.start_line
        wanted = self._wanted.setdefault(finding.path, set())
        hashes = self._hashes.get(finding.path)
        if hashes is None or (line not in wanted and line not in hashes):
            # first use of the file, or a line that was not announced: (re)hash up to it
            wanted.add(line)
            hashes = self._hashes[finding.path] = self._hash_file(finding.path, wanted)
        value = hashes.get(line)
        return {LINE_HASH_KEY: value} if value is not None else {}

    def _resolve(self, path: str) -> Path | None:
        candidate = Path(path)
        full = candidate if candidate.is_absolute() else self.root / candidate
        try:
            resolved = full.resolve()
            resolved.relative_to(self.root.resolve())
        except (OSError, ValueError, RuntimeError):
            return None
        return full

    def _hash_file(self, path: str, lines: set[int]) -> dict[int, str]:
        full = self._resolve(path)
        if full is None:
            return {}
        try:
            if not full.is_file() or full.stat().st_size > MAX_SOURCE_BYTES:
                return {}
            data = full.read_bytes()
        except OSError:
            return {}
        return line_hashes(decode_source(data), lines)
