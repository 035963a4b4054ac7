"""The corpus findings equal the committed golden file: speed work must not change a finding.

tests/golden/corpus-findings.tsv was written by bench/golden.py from main before the
performance work of issue 11; every later speed measure is checked against it. A change
that is meant to alter findings regenerates the file (``.venv/bin/python bench/golden.py``)
in the same commit.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.shared import CORPUS, CORPUS_MISSING

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING),
]


def _golden_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_golden", REPO / "bench" / "golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_findings_equal_the_golden_file() -> None:
    golden = _golden_module()
    expected = golden.GOLDEN.read_text(encoding="utf-8")
    got = golden.render(golden.scan(CORPUS.resolve(), sys.executable))
    assert expected.count("\tDS") > 500 and expected.count("\tKSV") > 1000
    if got != expected:
        diff = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "now", n=0, lineterm=""))
        pytest.fail(f"{len(diff)} diff lines against tests/golden/corpus-findings.tsv:\n" + "\n".join(diff[:40]))
