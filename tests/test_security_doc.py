"""SECURITY.md names the tests that prove each promise: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_security_md_cites_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(cited) > 20
    missing = []
    for path, name in cited:
        file = ROOT / path
        if not file.is_file():
            missing.append(path)
        elif name and not re.search(rf"^(?:async )?def {name}\(", file.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path}::{name}")
    # names cited in parentheses right after a file: `tests/x.py` (`test_a`, `test_b`)
    for path, names in re.findall(r"`(tests/[\w/]+\.py)`\s*\(([^)]*)\)", text):
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
        for name in re.findall(r"`(test_\w+)`", names):
            if not re.search(rf"^def {name}\(", source, re.M):
                missing.append(f"{path}::{name}")
    assert missing == []
