"""Small builders shared by the end-to-end tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

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
