"""Alert reconciliation decisions (regoscan.action.reconcile), without HTTP.

The SARIF logs come from regoscan's own writer (a real scan with an exception), so the
parsing is tested on exactly what the Action uploads; the alerts are shaped like
GitHub's ``code-scanning-alert-items``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regoscan.action.reconcile import (
    COMMENT_LIMIT,
    MARKER,
    Alert,
    UploadedResult,
    Waiver,
    dismissal_comment,
    plan,
    runs_from_sarif,
    same_category,
)
from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.output.sarif import render_sarif
from tests.e2e.scenario import write

SHA = "a" * 40
OTHER_SHA = "b" * 40

POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: c
      image: nginx:1.25
      securityContext:
        privileged: true
"""

EXCEPTION = """# METADATA
# custom:
#   reason: the legacy pod needs it until OPS-12 lands
package builtin.kubernetes.KSV017

import rego.v1

exception contains rules if {
    input.metadata.name == "legacy"
    rules := [""]
}
"""


def waiver(**kw: Any) -> Waiver:
    base = {"kind": "rule", "package": "builtin.kubernetes.KSV017", "path": "policy/ex.rego", "line": 8,
            "justification": "legacy pod"}
    base.update(kw)
    return Waiver(**base)


def alert(number: int, state: str = "open", *, rule: str = "KSV017", path: str = "k8s/a.yaml", line: int = 10,
          tool: str = "regoscan", category: str = "regoscan", sha: str = SHA, comment: str | None = None,
          reason: str | None = None) -> dict[str, Any]:
    """An item of ``GET /code-scanning/alerts`` as GitHub returns it."""
    return {
        "number": number, "state": state, "created_at": "2026-01-01T00:00:00Z",
        "url": f"https://api.github.example/alerts/{number}", "html_url": f"https://github.example/a/{number}",
        "instances_url": "x", "dismissed_by": None, "dismissed_at": None,
        "dismissed_reason": reason, "dismissed_comment": comment,
        "rule": {"id": rule, "severity": "error"}, "tool": {"name": tool, "version": "0.1", "guid": None},
        "most_recent_instance": {"ref": "refs/heads/main", "category": category, "state": state, "commit_sha": sha,
                                 "location": {"path": path, "start_line": line, "end_line": line + 2,
                                              "start_column": 1, "end_column": 5}},
    }


def alerts(*items: dict[str, Any]) -> list[Alert]:
    parsed = [Alert.from_api(i) for i in items]
    assert all(a is not None for a in parsed)
    return [a for a in parsed if a is not None]


def decide(results: list[UploadedResult], items: list[dict[str, Any]], **kw: Any) -> Any:
    return plan(results, alerts(*items), tool=kw.get("tool", "regoscan"), category=kw.get("category", "regoscan/"),
                commit_sha=kw.get("sha", SHA))


ACTIVE = UploadedResult("KSV017", "k8s/a.yaml", 10)
WAIVED = UploadedResult("KSV017", "k8s/a.yaml", 10, (waiver(),))


# --- parsing regoscan's own SARIF -------------------------------------------------------------


def test_runs_from_sarif_reads_waivers_from_a_real_scan(tmp_path: Path) -> None:
    write(tmp_path, {"k8s/legacy.yaml": POD.format(name="legacy"), "k8s/web.yaml": POD.format(name="web"),
                     "policy/ex.rego": EXCEPTION})
    report = run_scan(ScanOptions(paths=[str(tmp_path / "k8s")], root=tmp_path, policies=[str(tmp_path / "policy")]))
    log, _ = render_sarif(report, suppressed="keep")
    (run,) = runs_from_sarif(log)
    assert run.tool == "regoscan" and run.category == "regoscan/"
    waived = [r for r in run.results if r.waived]
    assert {(r.rule_id, r.path) for r in waived} == {("KSV017", "k8s/legacy.yaml")}
    (w,) = waived[0].waivers
    assert (w.kind, w.package, w.path, w.line) == ("rule", "builtin.kubernetes.KSV017", "policy/ex.rego", 8)
    assert w.justification == "the legacy pod needs it until OPS-12 lands"
    assert ("KSV017", "k8s/web.yaml") in {(r.rule_id, r.path) for r in run.results if not r.waived}
    # the same log with waived findings omitted has no waivers at all
    (omitted,) = runs_from_sarif(render_sarif(report, suppressed="omit")[0])
    assert not any(r.waived for r in omitted.results)


def test_runs_from_sarif_skips_what_cannot_be_matched() -> None:
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [
        {"ruleId": "R1", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///abs/x.yaml"},
                                                             "region": {"startLine": 1}}}]},
        {"ruleId": "R2", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "x.yaml"}}}]},
        {"ruleId": "R3"},
        {"locations": []},
        {"ruleId": "R4", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "dir%20a/x%3Ay.yaml"},
                                                             "region": {"startLine": 3}}}],
         "suppressions": [{"kind": "external", "status": "rejected"}]},
        {"ruleId": "R5", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "y.yaml"},
                                                             "region": {"startLine": 2}}}],
         "suppressions": [{"kind": "inSource", "justification": "why"}]},
    ]}, "not a run"]}
    (run,) = runs_from_sarif(log)
    assert run.category == ""
    assert [(r.rule_id, r.path, r.start_line, r.waived) for r in run.results] == [
        ("R4", "dir a/x:y.yaml", 3, False),  # a rejected suppression does not suppress
        ("R5", "y.yaml", 2, True)]
    assert run.results[1].waivers == (Waiver("inSource", "", "", None, "why"),)


def test_alert_from_api_rejects_malformed_items() -> None:
    assert Alert.from_api("nope") is None
    assert Alert.from_api({"number": "1", "rule": {"id": "x"}}) is None
    assert Alert.from_api({"number": 1, "rule": {}}) is None
    bare = Alert.from_api({"number": 3, "rule": {"id": "R"}, "state": "open"})
    assert bare is not None and bare.key is None and bare.tool == ""


def test_category_spelling() -> None:
    assert same_category("regoscan/", "regoscan")
    assert same_category("/language:x/", "/language:x")
    assert not same_category("regoscan/", "regoscan/changed")


# --- the decisions ------------------------------------------------------------------------------


def test_open_alert_of_a_waived_result_is_dismissed_with_a_citation() -> None:
    out = decide([WAIVED], [alert(1)])
    (change,) = out.changes
    assert change.kind == "dismiss" and change.alert.number == 1
    assert change.comment.startswith(MARKER)
    assert "rule exception builtin.kubernetes.KSV017 at policy/ex.rego:8: legacy pod" in change.comment


def test_our_dismissal_is_reopened_when_the_result_is_active_again() -> None:
    ours = alert(2, "dismissed", comment=f"{MARKER} rule exception p at policy/ex.rego:8", reason="won't fix")
    (change,) = decide([ACTIVE], [ours]).changes
    assert (change.kind, change.alert.number, change.comment) == ("reopen", 2, "")


def test_human_dismissals_are_never_touched() -> None:
    human = alert(3, "dismissed", comment="false positive, see #12", reason="false positive")
    silent = alert(4, "dismissed", line=20, comment=None, reason="won't fix")
    for results in ([ACTIVE, UploadedResult("KSV017", "k8s/a.yaml", 20)],
                    [WAIVED, UploadedResult("KSV017", "k8s/a.yaml", 20, (waiver(),))]):
        out = decide(results, [human, silent])
        assert out.changes == []
        assert [a.number for a in out.human] == [3, 4]


def test_our_dismissal_is_refreshed_only_when_the_citation_changed() -> None:
    current = dismissal_comment([waiver()])
    same = alert(5, "dismissed", comment=current, reason="won't fix")
    assert decide([WAIVED], [same]).changes == []
    moved = alert(5, "dismissed", comment=dismissal_comment([waiver(line=3)]), reason="won't fix")
    (change,) = decide([WAIVED], [moved]).changes
    assert change.kind == "refresh" and change.comment == current


def test_active_wins_when_one_location_has_both() -> None:
    out = decide([WAIVED, ACTIVE], [alert(6)])
    assert out.changes == [] and out.waived_without_alert == []
    ours = alert(7, "dismissed", comment=f"{MARKER} x", reason="won't fix")
    assert [c.kind for c in decide([ACTIVE, WAIVED], [ours]).changes] == ["reopen"]


@pytest.mark.parametrize("item", [
    alert(8, tool="CodeQL"),
    alert(8, category="regoscan/changed"),
    alert(8, sha=OTHER_SHA),  # most recent instance is another commit: not from this upload
    alert(8, rule="KSV001"),
    alert(8, path="k8s/b.yaml"),
    alert(8, line=11),
    alert(8, "fixed"),
])
def test_alerts_of_other_tools_categories_commits_or_locations_are_ignored(item: dict[str, Any]) -> None:
    out = decide([WAIVED], [item])
    assert out.changes == [] and out.human == []


def test_open_alert_of_an_active_result_stays_open_and_unmatched_waivers_are_counted() -> None:
    other = UploadedResult("KSV017", "k8s/c.yaml", 4, (waiver(),))
    out = decide([ACTIVE, other], [alert(9)])
    assert out.changes == []
    assert out.waived_without_alert == [other]


def test_our_dismissal_of_a_finding_that_is_gone_is_left_alone() -> None:
    ours = alert(10, "dismissed", comment=f"{MARKER} x", reason="won't fix")
    assert decide([], [ours]).changes == []


def test_changes_come_in_alert_number_order() -> None:
    a = UploadedResult("KSV017", "k8s/a.yaml", 10, (waiver(),))
    b = UploadedResult("KSV017", "k8s/a.yaml", 30, (waiver(),))
    out = decide([a, b], [alert(12, line=30), alert(11, line=10)])
    assert [c.alert.number for c in out.changes] == [11, 12]


# --- the comment --------------------------------------------------------------------------------


def test_comment_is_one_line_and_names_kind_package_location_reason() -> None:
    text = dismissal_comment([waiver(kind="namespace", package="namespace.exceptions",
                                     justification="line one\nline two\x07\tend")])
    assert text == (f"{MARKER} namespace exception namespace.exceptions at policy/ex.rego:8: "
                    "line one line two end")


def test_comment_counts_further_waivers() -> None:
    text = dismissal_comment([waiver(), waiver(path="policy/other.rego")])
    assert "at policy/ex.rego:8 (+1 more): legacy pod" in text


@pytest.mark.parametrize("waiver_kw", [
    {"justification": "x" * 1000},
    {"justification": "why " * 100, "package": "p" * 200},
    {"justification": "", "package": "p" * 400},
    {"justification": "r" * 50, "package": "p" * 300, "path": "deep/" * 80 + "ex.rego"},
])
def test_comment_fits_the_limit_and_keeps_marker_and_line(waiver_kw: dict[str, Any]) -> None:
    w = waiver(**waiver_kw)
    text = dismissal_comment([w])
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(MARKER)
    assert text.endswith(":8") or ":8" in text.split(" at ", 1)[1]
    if len(w.path) < 200:
        assert f" at {w.path}:8" in text


def test_long_justification_is_shortened_with_an_ellipsis() -> None:
    text = dismissal_comment([waiver(justification="because " + "word " * 100)])
    assert len(text) == COMMENT_LIMIT or len(text) == COMMENT_LIMIT - 1
    assert text.endswith("…") and "at policy/ex.rego:8: because word" in text
