"""SARIF writer: concrete values, and every log validated against the official schema."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regoscan.models import InputFile, InputType, Notice, NoticeLevel, Severity, SuppressionInfo
from regoscan.output.sarif import build_sarif, finding_key, write_sarif
from tests.fixtures.output.reports import (
    check,
    error_notice,
    finding,
    namespace_exception,
    report,
    rule_exception,
    sarif_errors,
)

_URI = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-F]{2})*$")


def build(rep: Any, **kwargs: Any) -> dict[str, Any]:
    """build_sarif + schema validation + invariants every log must satisfy."""
    log = build_sarif(rep, **kwargs)
    assert sarif_errors(log) == []
    assert json.loads(json.dumps(log)) == log  # plain JSON, nothing exotic left
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert isinstance(result["suppressions"], list)  # all non-null in the run (§3.27.23)
        for loc in result["locations"]:
            assert _URI.match(loc["physicalLocation"]["artifactLocation"]["uri"])
    return log


def run_of(log: dict[str, Any]) -> dict[str, Any]:
    assert len(log["runs"]) == 1
    return log["runs"][0]


# --- log / run / driver ------------------------------------------------------------------


def test_no_findings_still_has_results_and_rules() -> None:
    log = build(report([]))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = run_of(log)
    assert run["results"] == []
    driver = run["tool"]["driver"]
    assert driver["name"] == "regoscan"
    assert driver["version"] == "1.2.3"
    assert driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/regoscan/regoscan"
    assert [r["id"] for r in driver["rules"]] == ["KSV012"]
    assert run["automationDetails"] == {"id": "regoscan/"}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///github/workspace/"}}
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert run["properties"] == {"suppressedMode": "keep", "partialScan": False}


def test_non_semver_version_keeps_version_but_drops_semantic_version() -> None:
    driver = run_of(build(report([], tool_version="0.2.0.dev3+g1234")))["tool"]["driver"]
    assert driver["version"] == "0.2.0.dev3+g1234"
    assert "semanticVersion" not in driver


def test_root_uri_is_encoded_and_ends_with_slash() -> None:
    run = run_of(build(report([], root="/home/me/My Repo/é")))
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///home/me/My%20Repo/%C3%A9/"


@pytest.mark.parametrize(
    ("category", "partial", "expected"),
    [
        (None, False, "regoscan/"),
        (None, True, "regoscan/changed/"),
        ("regoscan/full/", False, "regoscan/full/"),
        ("regoscan/changed/", True, "regoscan/changed/"),
        ("custom", False, "custom/"),
    ],
)
def test_automation_details_category(category: str | None, partial: bool, expected: str) -> None:
    run = run_of(build(report([], partial=partial), category=category))
    assert run["automationDetails"]["id"] == expected


# --- rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "level", "security", "problem"),
    [
        (Severity.CRITICAL, "error", "9.5", "error"),
        (Severity.HIGH, "error", "8.0", "error"),
        (Severity.MEDIUM, "warning", "5.5", "warning"),
        (Severity.LOW, "note", "2.0", "recommendation"),
        (Severity.UNKNOWN, "note", None, "recommendation"),
    ],
)
def test_rule_levels_and_security_severity(severity: Severity, level: str, security: str | None, problem: str) -> None:
    rule = run_of(build(report([], checks=[check(severity=severity)])))["tool"]["driver"]["rules"][0]
    assert rule["defaultConfiguration"] == {"level": level}
    assert rule["properties"]["problem.severity"] == problem
    if security is None:
        assert "security-severity" not in rule["properties"]
    else:
        assert rule["properties"]["security-severity"] == security
        assert isinstance(rule["properties"]["security-severity"], str)


def test_rule_descriptor_fields() -> None:
    chk = check("KSV012", Severity.MEDIUM, aliases=["KSV-0012", "AVD-KSV-0012"])
    rule = run_of(build(report([], checks=[chk])))["tool"]["driver"]["rules"][0]
    assert rule["id"] == "KSV012"
    assert rule["name"] == "RunsAsRootUser"
    assert rule["shortDescription"] == {"text": "Runs as root user"}
    assert rule["fullDescription"] == {"text": "Force the container to run with user ID > 1000."}
    assert rule["helpUri"] == "https://avd.aquasec.com/misconfig/ksv012"
    assert rule["help"]["text"] == (
        "Force the container to run with user ID > 1000.\n\n"
        "Recommended action: Set 'containers[].securityContext.runAsUser' to an integer > 1000.\n\n"
        "References:\n- https://avd.aquasec.com/misconfig/ksv012"
    )
    assert rule["help"]["markdown"] == (
        "Force the container to run with user ID &gt; 1000.\n\n"
        "**Recommended action:** Set 'containers\\[\\].securityContext.runAsUser' to an integer &gt; 1000.\n\n"
        "**References:**\n- <https://avd.aquasec.com/misconfig/ksv012>"
    )
    assert rule["properties"] == {
        "tags": ["security", "kubernetes", "KSV-0012", "AVD-KSV-0012"],
        "precision": "high",
        "problem.severity": "warning",
        "package": "builtin.kubernetes.KSV012",
        "aliases": ["KSV-0012", "AVD-KSV-0012"],
        "security-severity": "5.5",
    }


def test_rule_fallbacks_for_sparse_metadata() -> None:
    chk = check(
        "USER001",
        title="",
        description="",
        recommended_action="",
        references=[],
        aliases=[],
        selectors=[],
        package="user.dockerfile.USER001",
    )
    rule = run_of(build(report([], checks=[chk])))["tool"]["driver"]["rules"][0]
    assert "name" not in rule  # SARIF §3.49.7: name must differ from id, so none at all
    assert rule["shortDescription"] == {"text": "USER001"}
    assert rule["fullDescription"] == {"text": "USER001"}  # never empty
    assert rule["help"] == {"text": "USER001", "markdown": "USER001"}
    assert "helpUri" not in rule
    assert rule["properties"]["tags"] == ["security", "dockerfile"]  # from the package path


def test_rule_lengths_are_clipped_and_tags_capped() -> None:
    chk = check(title="word " * 400, description="d" * 3000, aliases=[f"A{i}" for i in range(20)])
    rule = run_of(build(report([], checks=[chk])))["tool"]["driver"]["rules"][0]
    assert len(rule["name"]) == 255
    assert len(rule["shortDescription"]["text"]) == 1024
    assert len(rule["fullDescription"]["text"]) == 1024
    assert rule["fullDescription"]["text"].endswith("…")
    assert len(rule["properties"]["tags"]) == 10


def test_rules_keep_report_order_and_include_checks_only_seen_on_findings() -> None:
    a, b, extra = check("KSV002"), check("KSV001"), check("DS002", kind="dockerfile")
    rep = report([finding(extra, path="Dockerfile")], checks=[a, b, a])
    run = run_of(build(rep))
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["KSV002", "KSV001", "DS002"]
    assert run["results"][0]["ruleIndex"] == 2


# --- results -----------------------------------------------------------------------------


def test_result_fields() -> None:
    f = finding(line=10, end=14)
    result = run_of(build(report([f])))["results"][0]
    expected_key = hashlib.sha256(
        "\x00".join(
            ["KSV012", "k8s/deploy.yaml", "Deployment/web/web", "Container 'web' should set runAsNonRoot"]
        ).encode()
    ).hexdigest()
    assert result == {
        "ruleId": "KSV012",
        "ruleIndex": 0,
        "level": "warning",  # explicit although it is sarif-om's default (to_json would drop it)
        "message": {"text": "Container 'web' should set runAsNonRoot"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "k8s/deploy.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 10, "endLine": 14, "startColumn": 1},
                }
            }
        ],
        "partialFingerprints": {"regoscanFinding/v1": expected_key},
        "suppressions": [],
        "properties": {"regoRule": "deny", "resource": "Deployment 'web'", "documentIndex": 0},
    }
    assert finding_key(f) == expected_key


@pytest.mark.parametrize(
    ("severity", "rule", "level"),
    [
        (Severity.CRITICAL, "deny", "error"),
        (Severity.CRITICAL, "warn", "warning"),
        (Severity.HIGH, "warn_privileged", "warning"),
        (Severity.MEDIUM, "warn", "note"),
        (Severity.LOW, "warn", "note"),
        (Severity.LOW, "violation", "note"),
        (Severity.UNKNOWN, "deny_x", "note"),
        (Severity.HIGH, "warning_is_not_warn", "error"),
    ],
)
def test_result_level_and_warn_rules(severity: Severity, rule: str, level: str) -> None:
    f = finding(check(severity=severity), rule=rule)
    result = run_of(build(report([f])))["results"][0]
    assert result["level"] == level


def test_warn_rule_on_error_rule_is_explicitly_warning() -> None:
    """Absent level means "the rule's default" (error here), so warning must be written."""
    f = finding(check(severity=Severity.HIGH), rule="warn")
    run = run_of(build(report([f])))
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "error"
    assert run["results"][0]["level"] == "warning"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("deploy.yaml", "deploy.yaml"),
        ("k8s/prod/web app/deploy.yaml", "k8s/prod/web%20app/deploy.yaml"),
        ("k8s/dépôt/ünïcode.yaml", "k8s/d%C3%A9p%C3%B4t/%C3%BCn%C3%AFcode.yaml"),
        ("charts/日本/values.yaml", "charts/%E6%97%A5%E6%9C%AC/values.yaml"),
        ("odd/100%/a#b?c.yaml", "odd/100%25/a%23b%3Fc.yaml"),
        ("c:weird/x.yaml", "c%3Aweird/x.yaml"),  # would otherwise parse as scheme "c:"
        ("a/b[1]/x y+z@v.yaml", "a/b%5B1%5D/x%20y+z@v.yaml"),
    ],
)
def test_paths_are_percent_encoded(path: str, uri: str) -> None:
    result = run_of(build(report([finding(path=path)])))["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": uri,
        "uriBaseId": "%SRCROOT%",
    }


@pytest.mark.parametrize("message", ["", "  \n\t"])
def test_message_falls_back_to_title_when_blank(message: str) -> None:
    result = run_of(build(report([finding(message=message)])))["results"][0]
    assert result["message"] == {"text": "Runs as root user"}
    blank_title = check(title=" ")
    result = run_of(build(report([finding(blank_title, message=message)])))["results"][0]
    assert result["message"] == {"text": "KSV012"}


def test_results_are_in_reading_order() -> None:
    rep = report([finding(path="b.yaml", line=1), finding(path="a.yaml", line=9), finding(path="a.yaml", line=2)])
    results = run_of(build(rep))["results"]
    got = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    ]
    assert got == [("a.yaml", 2), ("a.yaml", 9), ("b.yaml", 1)]


def test_fingerprint_hook_merges_extra_partial_fingerprints() -> None:
    f = finding()
    extra = {finding_key(f): {"primaryLocationLineHash": "abc:1"}}
    result = run_of(build(report([f]), fingerprints=extra))["results"][0]
    assert result["partialFingerprints"] == {
        "regoscanFinding/v1": finding_key(f),
        "primaryLocationLineHash": "abc:1",
    }


def test_fingerprint_ignores_line_but_not_message() -> None:
    assert finding_key(finding(line=3)) == finding_key(finding(line=30))
    assert finding_key(finding(message="a")) != finding_key(finding(message="b"))
    assert finding_key(finding(identity="", resource="Pod 'x'")) != finding_key(
        finding(identity="", resource="Pod 'y'")
    )


# --- suppressions ------------------------------------------------------------------------


def test_namespace_suppression_entry() -> None:
    sup = namespace_exception(reason="Legacy app, tracked in SEC-42", expires="2030-01-01")
    f = finding(suppressions=[sup])
    result = run_of(build(report([f, finding(line=20)])))["results"][0]
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": (
                "Exempted by namespace exception in policy/exceptions.rego:7 "
                "(package namespace.exceptions): Legacy app, tracked in SEC-42 (expires: 2030-01-01)"
            ),
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "policy/exceptions.rego", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 7},
                }
            },
            "properties": {
                "expires": "2030-01-01",
                "reason": "Legacy app, tracked in SEC-42",
                "exceptionKind": "namespace",
                "exceptionPackage": "namespace.exceptions",
                "matched": "builtin.kubernetes.KSV012",
            },
        }
    ]


def test_rule_suppression_and_unsuppressed_neighbour() -> None:
    rep = report([finding(suppressions=[rule_exception()]), finding(line=20)])
    results = run_of(build(rep))["results"]
    assert results[1]["suppressions"] == []  # "evaluated, not suppressed", not absent
    sup = results[0]["suppressions"][0]
    assert sup["justification"] == (
        "Exempted by rule exception in policy/ksv012_exceptions.rego:3 (package builtin.kubernetes.KSV012)"
    )
    assert sup["properties"] == {
        "exceptionKind": "rule",
        "exceptionPackage": "builtin.kubernetes.KSV012",
        "matched": "root",
    }
    assert sup["location"]["physicalLocation"]["region"] == {"startLine": 3}


def test_suppressions_are_unique_but_distinct_ones_kept() -> None:
    ns, rule = namespace_exception(reason="x"), rule_exception()
    result = run_of(build(report([finding(suppressions=[ns, rule, ns])])))["results"][0]
    assert [s["properties"]["exceptionKind"] for s in result["suppressions"]] == ["namespace", "rule"]


def test_awkward_exception_metadata_stays_schema_valid() -> None:
    sup = namespace_exception(
        tags="not-a-list",
        when=datetime.date(2030, 1, 1),
        nested={"approvers": ("alice", "bob")},
        matched="metadata cannot override ours",
    )
    props = run_of(build(report([finding(suppressions=[sup])])))["results"][0]["suppressions"][0]["properties"]
    assert props["tags"] == ["not-a-list"]
    assert props["when"] == "2030-01-01"
    assert props["nested"] == {"approvers": ["alice", "bob"]}
    assert props["matched"] == "builtin.kubernetes.KSV012"


def test_exception_without_line_has_no_region() -> None:
    sup = SuppressionInfo(kind="namespace", exception_package="p", path="ex.rego", line=0, matched="m")
    result = run_of(build(report([finding(suppressions=[sup])])))["results"][0]
    assert "region" not in result["suppressions"][0]["location"]["physicalLocation"]


def test_exception_file_outside_root_gets_absolute_uri_and_inside_root_relative() -> None:
    outside = SuppressionInfo(kind="rule", exception_package="p", path="/etc/policies/ex.rego", line=2, matched="m")
    inside = SuppressionInfo(
        kind="rule", exception_package="p", path="/github/workspace/pol icy/ex.rego", line=2, matched="m"
    )
    sups = run_of(build(report([finding(suppressions=[outside, inside])])))["results"][0]["suppressions"]
    assert sups[0]["location"]["physicalLocation"]["artifactLocation"] == {"uri": "file:///etc/policies/ex.rego"}
    assert sups[1]["location"]["physicalLocation"]["artifactLocation"] == {
        "uri": "pol%20icy/ex.rego",
        "uriBaseId": "%SRCROOT%",
    }


def test_omit_mode_drops_suppressed_results_and_counts_them() -> None:
    rep = report(
        [
            finding(line=1, suppressions=[namespace_exception()]),
            finding(line=2),
            finding(check("KSV001", Severity.HIGH), line=3, suppressions=[rule_exception()]),
        ]
    )
    kept = run_of(build(rep))
    omitted = run_of(build(rep, suppressed="omit"))
    assert len(kept["results"]) == 3
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in omitted["results"]] == [2]
    assert omitted["results"][0]["suppressions"] == []
    assert omitted["properties"] == {
        "suppressedMode": "omit",
        "partialScan": False,
        "omittedSuppressedResults": 2,
    }
    assert omitted["tool"]["driver"]["rules"] == kept["tool"]["driver"]["rules"]


def test_omit_mode_with_everything_suppressed_still_has_results_array() -> None:
    rep = report([finding(suppressions=[namespace_exception()])])
    run = run_of(build(rep, suppressed="omit"))
    assert run["results"] == []
    assert run["properties"]["omittedSuppressedResults"] == 1


def test_invalid_suppressed_mode() -> None:
    with pytest.raises(ValueError, match="keep"):
        build_sarif(report([]), suppressed="drop")  # type: ignore[arg-type]


# --- invocation / notifications ----------------------------------------------------------


def test_error_notice_with_location_and_rule_fails_the_run() -> None:
    rep = report([], notices=[error_notice(check_id="KSV012")])
    invocation = run_of(build(rep))["invocations"][0]
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": "rego_parse_error: unexpected eof token"},
                "descriptor": {"id": "policy-compile-error"},
                "associatedRule": {"id": "KSV012", "index": 0},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": "policy/broken.rego", "uriBaseId": "%SRCROOT%"},
                            "region": {"startLine": 12},
                        }
                    }
                ],
            }
        ],
    }


def test_notices_without_location_or_line_and_unknown_rule() -> None:
    notices = [
        Notice(NoticeLevel.WARNING, "engine-timeout", "evaluation took too long"),
        Notice(NoticeLevel.NOTE, "input-skipped", "binary file", path="img/logo.png"),
        Notice(NoticeLevel.WARNING, "rule-eval-error", "boom", check_id="NOPE1"),
    ]
    run = run_of(build(report([], notices=notices)))
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    first, second, third = invocation["toolExecutionNotifications"]
    assert first == {
        "level": "warning",
        "message": {"text": "evaluation took too long"},
        "descriptor": {"id": "engine-timeout"},
    }
    assert second["level"] == "note"
    assert second["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "img/logo.png", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert third["associatedRule"] == {"id": "NOPE1"}


def test_unparseable_files_become_warnings_unless_already_noticed() -> None:
    files = [
        InputFile(path="ok.yaml", input_type=InputType.YAML),
        InputFile(path="bad one.yaml", input_type=None, error="mapping values are not allowed", error_line=4),
        InputFile(path="noticed.yaml", input_type=None, error="tab character"),
        InputFile(path="huge.json", input_type=InputType.JSON, error="file too large"),
    ]
    notices = [Notice(NoticeLevel.WARNING, "input-parse-error", "tab character", path="noticed.yaml", line=2)]
    run = run_of(build(report([], files=files, notices=notices)))
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert [(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]) for n in notes] == [
        (
            "input-parse-error",
            {"artifactLocation": {"uri": "noticed.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 2}},
        ),
        (
            "input-not-scanned",
            {"artifactLocation": {"uri": "bad%20one.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 4}},
        ),
        ("input-not-scanned", {"artifactLocation": {"uri": "huge.json", "uriBaseId": "%SRCROOT%"}}),
    ]
    assert notes[1]["level"] == "warning"
    assert notes[1]["message"]["text"] == "File could not be scanned: mapping values are not allowed"


# --- writing -----------------------------------------------------------------------------


def test_write_sarif_round_trips(tmp_path: Path) -> None:
    rep = report([finding(path="naïve.yaml", suppressions=[namespace_exception()])])
    out = tmp_path / "out.sarif"
    write_sarif(rep, out, suppressed="omit", category="regoscan/changed/")
    text = out.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert json.loads(text) == build_sarif(rep, suppressed="omit", category="regoscan/changed/")


def test_build_is_deterministic() -> None:
    rep = report([finding(suppressions=[namespace_exception(reason="r")]), finding(line=3)])
    assert json.dumps(build_sarif(rep)) == json.dumps(build_sarif(rep))


# --- property test -----------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_segment = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="/\\"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    paths=st.lists(st.lists(_segment, min_size=1, max_size=3).map("/".join), min_size=1, max_size=4),
    message=_text,
    reason=_text,
    warn=st.booleans(),
    severity=st.sampled_from(list(Severity)),
)
def test_any_report_yields_valid_sarif(
    paths: list[str], message: str, reason: str, warn: bool, severity: Severity
) -> None:
    chk = check(severity=severity, title=message, description=reason)
    findings = [
        finding(
            chk,
            path=p,
            line=i + 1,
            message=message,
            rule="warn" if warn else "deny",
            suppressions=[namespace_exception(reason=reason)] if i % 2 else [],
        )
        for i, p in enumerate(paths)
    ]
    for mode in ("keep", "omit"):
        build(report(findings, notices=[error_notice(message=message or "x")]), suppressed=mode)


def test_schema_validation_is_live() -> None:
    """Guard: the validator really rejects the mistakes this writer is designed to avoid."""
    log = build_sarif(report([finding(suppressions=[namespace_exception()])]))
    sup = log["runs"][0]["results"][0]["suppressions"]
    bad_state = json.loads(json.dumps(log))
    bad_state["runs"][0]["results"][0]["suppressions"][0]["state"] = "accepted"  # sarif-om's pre-2.1 name
    duplicate = json.loads(json.dumps(log))
    duplicate["runs"][0]["results"][0]["suppressions"] = sup + sup
    zero_line = json.loads(json.dumps(log))
    zero_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    for broken in (bad_state, duplicate, zero_line):
        assert sarif_errors(broken)


# --- rules: GitHub's fields --------------------------------------------------------------


def test_every_rule_has_what_github_uses() -> None:
    checks = [check(f"KSV00{i}", sev) for i, sev in enumerate(Severity)]
    driver = run_of(build(report([], checks=checks)))["tool"]["driver"]
    assert {k: driver[k] for k in ("name", "version", "semanticVersion", "informationUri")} == {
        "name": "regoscan",
        "version": "1.2.3",
        "semanticVersion": "1.2.3",
        "informationUri": "https://github.com/regoscan/regoscan",
    }
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert "Recommended action" in rule["help"]["text"]
        assert rule["helpUri"] in rule["help"]["markdown"]  # the reference link
        props = rule["properties"]
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert props["problem.severity"] in ("error", "warning", "recommendation")
        assert "security" in props["tags"]
        if "security-severity" in props:
            score = float(props["security-severity"])  # a numeric string, GitHub's bands
            band = {"error": (7.0, 10.0), "warning": (4.0, 6.9), "note": (0.1, 3.9)}[
                rule["defaultConfiguration"]["level"]
            ]
            assert band[0] <= score <= band[1]


@pytest.mark.parametrize("title", ["ksv012", "KSV 012", "Ksv012"])
def test_rule_name_never_equals_id_even_ignoring_case(title: str) -> None:
    rule = run_of(build(report([], checks=[check("KSV012", title=title)])))["tool"]["driver"]["rules"][0]
    assert "name" not in rule
    assert rule["shortDescription"] == {"text": title}


def test_help_uri_is_the_first_http_reference() -> None:
    chk = check(references=["see the wiki", "ftp://x.example/a", "https://docs.example/ksv012"])
    rule = run_of(build(report([], checks=[chk])))["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == "https://docs.example/ksv012"
    none = run_of(build(report([], checks=[check(references=["see the wiki"])])))["tool"]["driver"]["rules"][0]
    assert "helpUri" not in none


def test_a_custom_checks_references_are_text_not_links() -> None:
    """``related_resources`` of a check from the policy folder (the pull request's) is no link
    in code scanning's rule help, and no ``helpUri``; a built-in check's are."""
    refs = ["https://evil.example/phish", "[click](https://evil.example/x)"]
    custom = check("ORG001", package="user.org.ORG001", references=refs, builtin=False)
    rule = run_of(build(report([], checks=[custom])))["tool"]["driver"]["rules"][0]
    assert "helpUri" not in rule
    markdown = rule["help"]["markdown"]
    assert "<https://" not in markdown and "](" not in markdown and "https://evil.example" not in markdown
    builtin = run_of(build(report([], checks=[check(references=refs)])))["tool"]["driver"]["rules"][0]
    assert builtin["helpUri"] == refs[0] and f"<{refs[0]}>" in builtin["help"]["markdown"]


def test_rule_index_matches_rule_id_across_many_rules() -> None:
    checks = [check(f"C{i:03}", severity=list(Severity)[i % 5]) for i in range(40)]
    findings = [finding(checks[(i * 7) % 40], line=i + 1) for i in range(120)]
    run = run_of(build(report(findings, checks=list(reversed(checks)))))
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids)) == 40
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


# --- suppressions: metadata ----------------------------------------------------------------


def test_suppression_justification_carries_ticket_and_expiry() -> None:
    sup = rule_exception(reason="legacy image", ticket="OPS-1234", expires="2027-03-31", approvers=["a", "b"])
    result = run_of(build(report([finding(suppressions=[sup])])))["results"][0]
    (entry,) = result["suppressions"]
    assert entry["kind"] == "external"
    assert entry["status"] == "accepted"
    assert entry["justification"] == (
        "Exempted by rule exception in policy/ksv012_exceptions.rego:3 (package builtin.kubernetes.KSV012): "
        'legacy image (approvers: ["a", "b"], expires: 2027-03-31, ticket: OPS-1234)'
    )
    assert entry["properties"]["ticket"] == "OPS-1234"
    assert entry["properties"]["expires"] == "2027-03-31"
    assert entry["properties"]["reason"] == "legacy image"


def test_every_result_in_a_run_has_a_suppressions_array() -> None:
    rep = report([finding(line=i + 1, suppressions=[namespace_exception()] if i % 3 == 0 else []) for i in range(9)])
    for mode in ("keep", "omit"):
        results = run_of(build(rep, suppressed=mode))["results"]
        assert all(isinstance(r["suppressions"], list) for r in results)
        assert sum(bool(r["suppressions"]) for r in results) == (3 if mode == "keep" else 0)


# --- paths ---------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(path=st.lists(_segment, min_size=1, max_size=4).map("/".join))
def test_path_uris_round_trip(path: str) -> None:
    from urllib.parse import unquote, urlsplit

    from regoscan.output.sarif import path_uri

    uri = path_uri(path)
    assert _URI.match(uri)
    assert unquote(uri) == path
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")  # a plain relative path


def test_subfolder_space_and_non_ascii_paths_stay_relative_to_srcroot() -> None:
    paths = ["deploy.yaml", "k8s/prod/web app/deploy.yaml", "charts/日本/values.yaml", "ünï côdé/Dockerfile"]
    run = run_of(build(report([finding(path=p) for p in paths], root="/home/runner/work/My Repo")))
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///home/runner/work/My%20Repo/"}}
    got = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    assert got == sorted(
        [
            "deploy.yaml",
            "k8s/prod/web%20app/deploy.yaml",
            "charts/%E6%97%A5%E6%9C%AC/values.yaml",
            "%C3%BCn%C3%AF%20c%C3%B4d%C3%A9/Dockerfile",
        ]
    )


# --- fingerprints hook -------------------------------------------------------------------------


def test_fingerprint_hook_accepts_a_callable() -> None:
    f = finding(line=4)
    result = run_of(build(report([f]), fingerprints=lambda x: {"lineProbe/v1": str(x.region.start_line)}))["results"][0]
    assert result["partialFingerprints"] == {"regoscanFinding/v1": finding_key(f), "lineProbe/v1": "4"}


def test_default_fingerprints_hash_the_files_under_the_root(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    found, missing = finding(path="k8s/deploy.yaml", line=2), finding(path="k8s/gone.yaml", line=2)
    results = run_of(build(report([found, missing], root=str(tmp_path))))["results"]
    by_path = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert set(by_path["k8s/deploy.yaml"]["partialFingerprints"]) == {"regoscanFinding/v1", "primaryLocationLineHash"}
    assert by_path["k8s/gone.yaml"]["partialFingerprints"] == {"regoscanFinding/v1": finding_key(missing)}
    off = run_of(build(report([found], root=str(tmp_path)), fingerprints=lambda f: {}))["results"][0]
    assert set(off["partialFingerprints"]) == {"regoscanFinding/v1"}


# --- serialisation -----------------------------------------------------------------------------


def test_fast_serialiser_matches_to_json() -> None:
    """The C-encoder path gives exactly what jschema-to-python's public ``to_json`` gives."""
    from jschema_to_python.to_json import to_json

    from regoscan.output import sarif as sarif_module

    rep = report(
        [finding(suppressions=[namespace_exception(reason="r", n=1)]), finding(line=3, rule="warn")],
        notices=[error_notice(check_id="KSV012")],
    )
    checks = sarif_module._rule_checks(rep)
    objs = [sarif_module._rule(c) for c in checks] + [
        sarif_module._result(f, 0, rep.root, {}, 10) for f in rep.findings
    ]
    assert sarif_module._serialise(objs) == json.loads(to_json(objs))
