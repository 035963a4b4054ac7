"""Console writers: the human text summary and the versioned ``regoscan/v1`` JSON."""

from __future__ import annotations

import datetime
import json

from regoscan.models import InputFile, InputType, Notice, NoticeLevel, Severity
from regoscan.output.console import JSON_SCHEMA, render_json, render_text
from regoscan.output.sarif import finding_key
from tests.fixtures.output.reports import check, error_notice, finding, namespace_exception, report, rule_exception


def mixed_report() -> object:
    high = check("KSV001", Severity.HIGH, title="Privileged")
    return report(
        [
            finding(path="k8s/web.yaml", line=21, suppressions=[namespace_exception(reason="Legacy")]),
            finding(high, path="k8s/web.yaml", line=14, message="Container 'web' is privileged"),
            finding(path="k8s/db.yaml", line=3, rule="warn"),
        ],
        files=[
            InputFile(path="k8s/web.yaml", input_type=InputType.KUBERNETES),
            InputFile(path="k8s/db.yaml", input_type=InputType.KUBERNETES),
            InputFile(path="broken.yaml", input_type=None, error="did not find expected key", error_line=5),
        ],
        notices=[error_notice()],
    )


# --- text --------------------------------------------------------------------------------


def test_render_text_layout() -> None:
    assert render_text(mixed_report()) == (
        "k8s/db.yaml:3: [MEDIUM] KSV012 Container 'web' should set runAsNonRoot\n"
        "k8s/web.yaml:14: [HIGH] KSV001 Container 'web' is privileged\n"
        "\n"
        "Suppressed by exceptions (1):\n"
        "  (suppressed) k8s/web.yaml:21: [MEDIUM] KSV012 Container 'web' should set runAsNonRoot -- "
        "Exempted by namespace exception in policy/exceptions.rego:7 (package namespace.exceptions): Legacy\n"
        "\n"
        "Notices (2):\n"
        "error: [policy-compile-error] policy/broken.rego:12: rego_parse_error: unexpected eof token\n"
        "warning: [input-not-scanned] broken.yaml:5: File could not be scanned: did not find expected key\n"
        "\n"
        "2 active, 1 suppressed, 2 notices; 2 files scanned, 1 not scanned\n"
        "ERROR: 1 configuration error; the results are incomplete · 1 finding at or above high · "
        "1 warning (advisory) · 1 suppressed by exceptions · 1 of 3 files not scanned\n"
    )


def test_render_text_clean() -> None:
    rep = report([], files=[InputFile(path="a.yaml", input_type=InputType.YAML)])
    assert render_text(rep) == "0 active, 0 suppressed, 0 notices; 1 file scanned, 0 not scanned\nPASSED: no findings\n"


def test_render_text_verdict_follows_fail_on() -> None:
    rep = report([finding(check("L1", Severity.LOW))])
    assert render_text(rep).endswith("\nPASSED: 1 finding below high\n")
    rep.fail_on = "low"
    assert render_text(rep).endswith("\nFAILED: 1 finding at or above low\n")


def test_render_text_without_notices_and_with_colour() -> None:
    rep = mixed_report()
    plain = render_text(rep, notices=False)
    assert "Notices (" not in plain and "policy-compile-error" not in plain
    assert "2 notices;" in plain  # still counted
    coloured = render_text(rep, color=True)
    assert "\x1b[31m[HIGH]\x1b[0m KSV001" in coloured
    assert "\x1b[1;31mERROR\x1b[0m: 1 configuration error" in coloured
    # colour is ours only: stripping our codes gives back the plain text exactly
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(rep)


def test_render_text_neutralises_terminal_and_workflow_commands() -> None:
    rep = report(
        [
            finding(path="::error::pwned.yaml", message="hi\x1b[2J\n::add-mask::x"),
            finding(path="ok.yaml", message="ok", suppressions=[rule_exception(reason="a\nb")]),
        ],
        notices=[Notice(NoticeLevel.NOTE, "c", "line1\r\n::warning::fake", path="n.yaml")],
    )
    text = render_text(rep)
    assert "\x1b" not in text
    assert all(not line.lstrip().startswith("::") for line in text.splitlines())
    assert "./::error::pwned.yaml:10: [MEDIUM] KSV012 hi [2J ::add-mask::x" in text
    assert "note: [c] n.yaml: line1 ::warning::fake" in text


# --- JSON --------------------------------------------------------------------------------


def test_render_json_document() -> None:
    rep = mixed_report()
    doc = json.loads(render_json(rep))
    assert doc["schema"] == JSON_SCHEMA == "regoscan/v1"
    assert list(doc) == [
        "schema",
        "tool",
        "root",
        "partial",
        "summary",
        "findings",
        "checks",
        "notices",
        "files_not_scanned",
        "expiring_exceptions",
        "policy_source",
        "changed_policies",
    ]
    assert doc["tool"] == {"name": "regoscan", "version": "1.2.3"}
    assert doc["root"] == "/github/workspace"
    assert doc["partial"] is False
    assert doc["summary"] == {
        "active": 2,
        "suppressed": 1,
        "by_severity": {
            "CRITICAL": {"active": 0, "suppressed": 0},
            "HIGH": {"active": 1, "suppressed": 0},
            "MEDIUM": {"active": 1, "suppressed": 1},
            "LOW": {"active": 0, "suppressed": 0},
            "UNKNOWN": {"active": 0, "suppressed": 0},
        },
        "files_scanned": 2,
        "files_not_scanned": 1,
        "errors": 1,
        "execution_successful": False,
        "fail_on": "high",
        "decision": "error",
        "failing": 1,
        "headline": "Error: 1 configuration error; the results are incomplete",
        "exclusions": {"severities": [], "skipped_checks": [], "removed": 0},
    }
    assert [(f["path"], f["start_line"]) for f in doc["findings"]] == [
        ("k8s/db.yaml", 3),
        ("k8s/web.yaml", 14),
        ("k8s/web.yaml", 21),
    ]
    assert doc["findings"][0] == {
        "check_id": "KSV012",
        "title": "Runs as root user",
        "severity": "MEDIUM",
        "rule": "warn",
        "level": "warn",
        "message": "Container 'web' should set runAsNonRoot",
        "path": "k8s/db.yaml",
        "start_line": 3,
        "end_line": 3,
        "resource": "Deployment 'web'",
        "identity": "Deployment/web/web",
        "document_index": 0,
        "fingerprint": finding_key(rep.findings[2]),
        "suppressed": False,
        "suppressions": [],
    }
    assert doc["findings"][2]["suppressions"] == [
        {
            "kind": "namespace",
            "exception_package": "namespace.exceptions",
            "path": "policy/exceptions.rego",
            "line": 7,
            "matched": "builtin.kubernetes.KSV012",
            "justification": (
                "Exempted by namespace exception in policy/exceptions.rego:7 (package namespace.exceptions): Legacy"
            ),
            "metadata": {"reason": "Legacy"},
        }
    ]
    assert doc["checks"][0]["id"] == "KSV012" and doc["checks"][0]["severity"] == "MEDIUM"
    assert doc["notices"][1] == {
        "level": "warning",
        "code": "input-not-scanned",
        "message": "File could not be scanned: did not find expected key",
        "path": "broken.yaml",
        "line": 5,
        "column": None,
        "check_id": None,
    }
    assert doc["files_not_scanned"] == [{"path": "broken.yaml", "error": "did not find expected key", "line": 5}]


def test_render_json_is_stable_across_input_order() -> None:
    a = mixed_report()
    b = mixed_report()
    b.findings.reverse()  # type: ignore[attr-defined]
    assert render_json(a) == render_json(b)


def test_render_json_handles_non_json_metadata_and_unicode() -> None:
    sup = namespace_exception(expires=datetime.date(2030, 1, 2), owners=("a", "b"))
    text = render_json(report([finding(path="dépôt/x.yaml", suppressions=[sup])]))
    assert "dépôt/x.yaml" in text  # UTF-8, not \u escapes
    meta = json.loads(text)["findings"][0]["suppressions"][0]["metadata"]
    assert meta == {"expires": "2030-01-02", "owners": ["a", "b"]}
