"""Small builders shared by the end-to-end tests."""

from __future__ import annotations

import contextlib
import io
import json
import os
import textwrap
from pathlib import Path
from typing import Any

# A Pod that most checks have something to say about, named per test.
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: nginx:1.27
"""


def write(base: Path, rel: str, data: str | bytes) -> Path:
    """Write a test file (text is dedented, so tests can indent it inline); returns its path."""
    path = base / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(textwrap.dedent(data), encoding="utf-8")
    return path


def scan_json(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """``regoscan scan configs --format json --fail-on never ARGS`` run in ``root``: (exit code, report)."""
    from regoscan.cli import main

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["scan", "configs", "--format", "json", "--fail-on", "never", *args])
    finally:
        os.chdir(cwd)
    return code, json.loads(out.getvalue())


def without_key(value: Any, key: str) -> Any:
    """``value`` with every mapping's ``key`` left out, at any depth (a loader's view or metadata)."""
    if isinstance(value, dict):
        return {k: without_key(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [without_key(v, key) for v in value]
    return value
