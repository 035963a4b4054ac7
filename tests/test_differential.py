"""Differential test: every built-in check, regopy (through the whole engine) vs regorus.

regopy's bugs are silent, so a second, independent engine evaluates the same built-in
checks (their original source, untouched by regoscan's rewrites) on the same documents.
Findings must be identical: message, start line and end line, per document and check.
Runs on the check fixtures always, and on ../shared/corpus when it is present.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.engine.selectors import applies
from regoscan.models import CheckMetadata, Document, ScanReport
from regoscan.resources import policies_dir
from tests.shared import CORPUS, CORPUS_MISSING

FIXTURES = Path(__file__).parent / "fixtures" / "checks"

Key = tuple[str, str, int, int, int, str]


@cache
def _regorus_engine() -> Any:
    import regorus

    engine = regorus.Engine()
    root = policies_dir()
    for sub in ("lib", "kubernetes", "dockerfile"):
        for path in sorted((root / sub).glob("*.rego")):
            if not path.name.endswith("_test.rego"):
                engine.add_policy(f"{sub}/{path.name}", path.read_text(encoding="utf-8"))
    return engine


def _regorus_findings(doc: Document, checks: list[CheckMetadata]) -> Counter[Key]:
    engine = _regorus_engine()
    engine.set_input_json(json.dumps(doc.content))
    wanted = [meta for meta in checks if applies(meta, doc)]
    out: Counter[Key] = Counter()
    if not wanted:
        return out
    # one query per document: the engine call, not the evaluation, dominates the cost
    query = "x := [" + ", ".join(f"data.{m.package}.deny" for m in wanted) + "]"
    try:
        raw = json.loads(engine.eval_query_as_json(query))
        per_check = raw["result"][0]["bindings"]["x"]
    except RuntimeError:
        per_check = []
        for meta in wanted:  # find which check regorus rejects, to name it
            try:
                one = json.loads(engine.eval_query_as_json(f"x := data.{meta.package}.deny"))
            except RuntimeError as exc:
                raise AssertionError(f"regorus fails on {meta.id} for {doc.path}: {str(exc)[-400:]}") from None
            per_check.append(one["result"][0]["bindings"]["x"] if one.get("result") else [])
    for meta, rows in zip(wanted, per_check, strict=True):
        if isinstance(rows, dict) and "set!" in rows:
            rows = rows["set!"]
        for r in rows:
            start = r.get("startline") or doc.region.start_line
            end = r.get("endline") or (doc.region.end_line if not r.get("startline") else start)
            out[(meta.id, doc.path, doc.index, start, max(end, start), r["msg"])] += 1
    return out


def _engine_findings(report: ScanReport) -> Counter[Key]:
    return Counter((f.check.id, f.path, f.document_index, f.region.start_line, f.region.end_line, f.message)
                   for f in report.findings if f.check.builtin)


def _compare(folder: Path) -> tuple[int, int]:
    report = run_scan(ScanOptions(paths=[str(folder)], root=folder))
    crashes = [n for n in report.notices if n.code.startswith(("evaluation-", "policy-"))]
    assert not crashes, crashes[:5]
    builtin_checks = [c for c in report.checks if c.builtin]
    expected: Counter[Key] = Counter()
    docs = 0
    for f in report.files:
        for doc in f.documents:
            docs += 1
            expected.update(_regorus_findings(doc, builtin_checks))
    got = _engine_findings(report)
    missing = expected - got
    extra = got - expected
    assert not missing and not extra, (
        f"regopy and regorus disagree: {sum(missing.values())} findings only in regorus, "
        f"{sum(extra.values())} only in regopy; e.g. {list(missing)[:3]} / {list(extra)[:3]}"
    )
    return docs, sum(got.values())


def test_builtin_checks_agree_on_fixtures() -> None:
    docs, findings = _compare(FIXTURES)
    assert docs > 30 and findings > 30


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_builtin_checks_agree_on_corpus() -> None:
    docs, findings = _compare(CORPUS)
    assert docs > 400 and findings > 1000
