"""The real-world corpus (../shared/corpus) through the installed command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import CORPUS, CORPUS_MISSING

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING),
]


def test_corpus_scan_completes_without_traceback(tmp_path: Path) -> None:
    sarif = tmp_path / "corpus.sarif"
    summary = tmp_path / "corpus.md"
    proc = subprocess.run(
        [sys.executable, "-m", "regoscan", "scan", str(CORPUS), "--format", "json", "--fail-on", "high",
         "--sarif", str(sarif), "--summary", str(summary)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["schema"] == "regoscan/v1"
    families = {f["check_id"].rstrip("0123456789") for f in report["findings"]}
    assert {"KSV", "DS"} <= families
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert summary.read_text(encoding="utf-8").startswith("<!-- regoscan-summary -->")
