"""The base image the container test builds on, as ``make test`` decided it.

``tools/ci/e2e-base.sh`` (run by ``make test`` before pytest) provides a base when this
machine can (the Dockerfile's default if it can be pulled, else the stand-in built from
Debian packages) and records ``base=IMAGE`` or ``skip=REASON`` in ``build/e2e-base``;
the container test follows that record, so a machine without docker or root skips it
with the script's one-line reason instead of failing on a registry it cannot reach.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORD = REPO_ROOT / "build" / "e2e-base"


def read_record(path: Path) -> tuple[str, str] | None:
    """``("base", IMAGE)`` or ``("skip", REASON)`` from a record file; ``None`` when absent or unreadable."""
    try:
        line = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    key, sep, value = line.partition("=")
    if not sep or key not in ("base", "skip") or not value:
        return None
    return key, value


def recorded_skip(record_path: Path, environ: Mapping[str, str]) -> str | None:
    """The recorded reason to skip the container tests, or ``None`` to run them.

    A test module calls this at import and skips whole (``allow_module_level``), so the
    summary shows one line for all its tests. ``REGOSCAN_E2E_BASE`` wins over the record,
    as it does in the script.
    """
    if environ.get("REGOSCAN_E2E_BASE"):
        return None
    record = read_record(record_path)
    if record is None or record[0] != "skip":
        return None
    return f"container tests skipped by tools/ci/e2e-base.sh: {record[1]}"


def decided_base(record_path: Path, environ: Mapping[str, str]) -> str | None:
    """The base image to build on; ``None`` when nothing decided it (a bare ``pytest`` run)."""
    reason = recorded_skip(record_path, environ)
    if reason:
        pytest.skip(reason)
    override = environ.get("REGOSCAN_E2E_BASE")
    if override:
        return override
    record = read_record(record_path)
    return record[1] if record is not None else None


@pytest.fixture(scope="session")
def e2e_base() -> str | None:
    return decided_base(RECORD, os.environ)
