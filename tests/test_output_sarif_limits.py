"""GitHub's ingestion limits: deterministic truncation, and saying so.

Small :class:`SarifLimits` exercise every branch quickly; one test builds a real
25,001-result report against the real limits (and measures the serialiser).
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest

from regoscan.models import Notice, NoticeLevel, Severity
from regoscan.output.sarif import (
    GITHUB_LIMITS,
    TRUNCATED_CODE,
    SarifLimits,
    SarifTruncation,
    build_sarif,
    render_sarif,
    write_sarif,
)
from tests.fixtures.output.reports import check, finding, namespace_exception, report, sarif_errors

SEVERITIES = [Severity.LOW, Severity.CRITICAL, Severity.MEDIUM, Severity.HIGH, Severity.UNKNOWN]


def _mixed(n: int) -> Any:
    checks = {s: check(f"S{s.value}", s) for s in Severity}
    findings = [
        finding(
            checks[SEVERITIES[i % 5]],
            path=f"k8s/app{i % 7}/deploy.yaml",
            line=i + 1,
            message=f"problem {i}",
            rule="warn" if i % 10 == 3 else "deny",
        )
        for i in range(n)
    ]
    return report(findings, checks=list(checks.values()))


def _key(result: dict[str, Any]) -> tuple[str, int]:
    loc = result["locations"][0]["physicalLocation"]
    return loc["artifactLocation"]["uri"], loc["region"]["startLine"]


def _notes(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == TRUNCATED_CODE]


def test_within_limits_nothing_is_said() -> None:
    log, truncation = render_sarif(_mixed(50))
    run = log["runs"][0]
    assert truncation is None
    assert "truncation" not in run["properties"]
    assert _notes(run) == []
    assert SarifTruncation.from_log(log) is None


def test_results_beyond_the_limit_keep_the_most_severe_then_reading_order() -> None:
    rep = _mixed(100)
    log, truncation = render_sarif(rep, limits=SarifLimits(max_results=30))
    assert sarif_errors(log) == []
    run = log["runs"][0]
    kept = run["results"]
    assert len(kept) == 30
    # 20 CRITICAL and 20 HIGH (10 deny, 10 warn) exist: all CRITICAL, then the HIGH deny before the HIGH warn
    rules = run["tool"]["driver"]["rules"]
    severities = [rules[r["ruleIndex"]]["id"] for r in kept]
    assert severities.count("S4") == 20
    assert severities.count("S3") == 10
    # the 10 HIGH kept are exactly the HIGH deny findings
    high = sorted(
        (f for f in rep.findings if f.check.id == "S3" and f.rule == "deny"),
        key=lambda f: (f.path, f.region.start_line),
    )
    assert {_key(r) for r in kept if rules[r["ruleIndex"]]["id"] == "S3"} == {
        (f.path, f.region.start_line) for f in high[:10]
    }
    assert kept == sorted(kept, key=_key)  # written in reading order
    assert truncation == SarifTruncation(
        results_total=100, results_written=30, rules_total=5, rules_written=5, reasons=("results-per-run",)
    )
    assert run["properties"]["truncation"] == {
        "resultsTotal": 100,
        "resultsWritten": 30,
        "resultsOmitted": 70,
        "rulesTotal": 5,
        "rulesWritten": 5,
        "rulesOmitted": 0,
        "reasons": ["results-per-run"],
    }
    (note,) = _notes(run)
    assert note["level"] == "warning"
    assert note["message"]["text"] == (
        "SARIF output truncated to stay within GitHub code scanning limits (25,000 results per run): "
        "70 of 100 results were left out (the 30 most severe were kept, warn results last)."
    )
    assert run["invocations"][0]["executionSuccessful"] is True  # a warning, not a failed run
    assert SarifTruncation.from_log(log) == truncation


def test_truncation_is_deterministic() -> None:
    rep = _mixed(100)
    shuffled = _mixed(100)
    shuffled.findings.reverse()
    limits = SarifLimits(max_results=17)
    assert json.dumps(build_sarif(rep, limits=limits)) == json.dumps(build_sarif(shuffled, limits=limits))


def test_omit_mode_counts_only_unsuppressed_results_against_the_limit() -> None:
    rep = _mixed(20)
    for f in rep.findings[:5]:
        f.suppressions = [namespace_exception()]
    _, keep = render_sarif(rep, limits=SarifLimits(max_results=15))
    _, omit = render_sarif(rep, suppressed="omit", limits=SarifLimits(max_results=15))
    assert keep is not None and keep.results_omitted == 5
    assert omit is None  # 15 unsuppressed results fit exactly


def test_rules_beyond_the_limit_keep_the_ones_results_and_notices_use() -> None:
    checks = [check(f"R{i:02}", Severity.MEDIUM) for i in range(10)]
    rep = report(
        [finding(checks[7], line=1), finding(checks[2], line=2)],
        checks=checks,
        notices=[Notice(NoticeLevel.WARNING, "rule-eval-error", "boom", check_id="R05")],
    )
    log, truncation = render_sarif(rep, limits=SarifLimits(max_rules=4))
    assert sarif_errors(log) == []
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == ["R00", "R02", "R05", "R07"]  # used ones first, then the first unused, in report order
    assert [ids[r["ruleIndex"]] for r in run["results"]] == [r["ruleId"] for r in run["results"]] == ["R07", "R02"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["associatedRule"] == {"id": "R05", "index": 2}
    assert truncation is not None
    assert (truncation.rules_total, truncation.rules_written, truncation.results_omitted) == (10, 4, 0)
    assert truncation.reasons == ("rules-per-run",)
    assert "6 of 10 rules were left out" in _notes(run)[0]["message"]["text"]


def test_results_whose_rule_did_not_fit_are_dropped_and_counted() -> None:
    checks = [check(f"R{i}", Severity.HIGH) for i in range(3)]
    rep = report([finding(c, line=i + 1) for i, c in enumerate(checks)], checks=checks)
    log, truncation = render_sarif(rep, limits=SarifLimits(max_rules=2))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["R0", "R1"]
    assert truncation is not None and truncation.results_omitted == 1
    assert truncation.reasons == ("rules-per-run",)


def test_gzip_limit_drops_the_least_severe_until_it_fits() -> None:
    rep = _mixed(400)
    for i, f in enumerate(rep.findings):
        f.message = f"{i:04d} " + "".join(chr(0x4E00 + (i * 7919 + k * 104729) % 20000) for k in range(300))
    full = build_sarif(rep, limits=SarifLimits(max_gzip_bytes=None))
    size = len(gzip.compress(json.dumps(full, separators=(",", ":"), ensure_ascii=False).encode()))
    limit = size // 3
    log, truncation = render_sarif(rep, limits=SarifLimits(max_gzip_bytes=limit))
    compact = json.dumps(log, separators=(",", ":"), ensure_ascii=False).encode()
    assert len(gzip.compress(compact)) <= limit
    assert truncation is not None and truncation.reasons == ("gzip-size",)
    assert 0 < truncation.results_written < 400
    assert len(log["runs"][0]["results"]) == truncation.results_written
    kept = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert "S4" in kept  # CRITICAL survives
    assert "S0" not in kept  # UNKNOWN goes first


def test_locations_per_result_stay_within_the_limit() -> None:
    log = build_sarif(_mixed(10), limits=SarifLimits(max_locations=1))
    assert all(len(r["locations"]) == 1 for r in log["runs"][0]["results"])
    assert GITHUB_LIMITS.max_locations == 1000


def test_write_sarif_returns_the_truncation(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "truncated.sarif"
    truncation = write_sarif(_mixed(40), out, limits=SarifLimits(max_results=10))
    assert truncation is not None and truncation.results_omitted == 30
    assert SarifTruncation.from_log(json.loads(out.read_text(encoding="utf-8"))) == truncation
    assert write_sarif(_mixed(5), tmp_path / "small.sarif") is None


def test_a_changes_large_warn_results_never_push_deny_findings_out() -> None:
    """A check of the change, CRITICAL but ``warn`` (it never fails the gate), echoing a 2.4 MB
    value: ranked by severity alone, five such results filled the 10 MB and every built-in
    ``deny`` finding was left out of the uploaded file. Messages are cut, warn goes last."""
    import base64
    import os

    checks = {"deny": check("KSV017", Severity.HIGH), "warn": check("JUNK", Severity.CRITICAL)}
    junk = [finding(checks["warn"], path=f"a/cm{i}.yaml", line=1, rule="warn",
                    message=base64.b64encode(os.urandom(2_400_000)).decode()) for i in range(5)]
    real = [finding(checks["deny"], path=f"z/deploy{i}.yaml", line=1, message="privileged") for i in range(20)]
    log, truncation = render_sarif(report([*junk, *real], checks=list(checks.values())))
    results = log["runs"][0]["results"]
    assert truncation is None and len(results) == 25
    assert {r["ruleId"] for r in results} == {"KSV017", "JUNK"}
    assert max(len(r["message"]["text"]) for r in results) <= 8_000
    log, truncation = render_sarif(report([*junk, *real], checks=list(checks.values())),
                                   limits=SarifLimits(max_gzip_bytes=20_000))
    assert truncation is not None and truncation.results_omitted > 0
    assert sum(r["ruleId"] == "KSV017" for r in log["runs"][0]["results"]) == min(20, truncation.results_written)


def test_real_limits_with_25001_results() -> None:
    """GitHub's actual limit, and the time the serialiser needs for it."""
    rep = _mixed(25_001)
    start = time.process_time()
    log, truncation = render_sarif(rep, fingerprints=lambda f: {})
    elapsed = time.process_time() - start
    run = log["runs"][0]
    assert len(run["results"]) == GITHUB_LIMITS.max_results == 25_000
    assert truncation is not None and truncation.results_omitted == 1
    dropped = {_key(r) for r in run["results"]} ^ {(f.path, f.region.start_line) for f in rep.findings}
    (lost,) = [f for f in rep.findings if (f.path, f.region.start_line) in dropped]
    warnings = sorted((f for f in rep.findings if f.rule == "warn"), key=lambda f: (f.path, f.region.start_line))
    assert lost is warnings[-1]  # warn results go first (they never fail the gate), the last in reading order
    size = len(gzip.compress(json.dumps(log, separators=(",", ":"), ensure_ascii=False).encode()))
    assert size <= GITHUB_LIMITS.max_gzip_bytes
    assert elapsed < 30, f"render_sarif took {elapsed:.1f}s of CPU for 25,001 results"


@pytest.mark.parametrize("limits", [SarifLimits(max_results=0), SarifLimits(max_rules=0)])
def test_degenerate_limits_still_give_a_valid_log(limits: SarifLimits) -> None:
    log = build_sarif(_mixed(5), limits=limits)
    assert sarif_errors(log) == []
    assert log["runs"][0]["results"] == []


def test_truncation_is_reported_in_the_summary_too(tmp_path: Path) -> None:
    from regoscan.output.markdown import render_summary
    from regoscan.output.sarif import SarifLimits, note_truncation, write_sarif
    from tests.fixtures.output.reports import finding, report

    rep = report(findings=[finding(line=i + 1) for i in range(30)])
    truncation = write_sarif(rep, tmp_path / "small.sarif", limits=SarifLimits(max_results=10))
    assert truncation is not None and truncation.results_omitted == 20
    note_truncation(rep, truncation)
    note_truncation(rep, truncation)  # once only
    assert [n.code for n in rep.notices].count("sarif-truncated") == 1
    summary = render_summary(rep)
    assert "sarif-truncated" in summary or "truncated" in summary.lower()
    assert "20" in summary
