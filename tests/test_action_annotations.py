"""Workflow-command annotations: escaping and GitHub's per-step limits."""

from __future__ import annotations

from regoscan.action.annotations import (
    Annotation,
    annotations_for,
    escape_data,
    escape_property,
    finding_level,
    render,
)
from regoscan.models import CheckMetadata, Finding, Notice, NoticeLevel, Region, ScanReport, Severity, SuppressionInfo


def _finding(sev: Severity, *, rule: str = "deny", msg: str = "bad", path: str = "k8s/a.yaml", line: int = 3,
             suppressed: bool = False) -> Finding:
    sups = [SuppressionInfo("rule", "p", "policy/x.rego", 1, "")] if suppressed else []
    check = CheckMetadata(id="KSV001", package="builtin.kubernetes.KSV001", title="Title, with: colon", severity=sev)
    return Finding(check, rule, msg, path, Region(line, line + 2), suppressions=sups)


def _report(findings: list[Finding], notices: list[Notice] | None = None) -> ScanReport:
    return ScanReport(findings=findings, checks=[], files=[], notices=notices or [], root="/ws")


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_command_format() -> None:
    ann = Annotation("error", "line1\nline2", "dir/a,b:c.yaml", 3, 5, "KSV001: t")
    assert ann.command() == "::error file=dir/a%2Cb%3Ac.yaml,line=3,endLine=5,title=KSV001%3A t::line1%0Aline2"
    assert Annotation("notice", "plain").command() == "::notice::plain"


def test_untrusted_text_cannot_start_a_command() -> None:
    f = _finding(Severity.HIGH, msg="x\n::add-mask::secret\r\n::error::forged", path="a\n::warning::b.yaml")
    (line,) = render(annotations_for(_report([f])))
    assert "\n" not in line and "\r" not in line
    assert line.startswith("::error file=a%0A%3A%3Awarning%3A%3Ab.yaml,")
    # the properties end at the first "::"; the message after it is one line, and text
    # inside a message is never parsed as a command (commands must start a line)
    props, sep, message = line[2:].partition("::")
    assert sep and "\n" not in props and message == "x ::add-mask::secret ::error::forged"


def test_levels() -> None:
    assert finding_level(_finding(Severity.CRITICAL)) == "error"
    assert finding_level(_finding(Severity.HIGH)) == "error"
    assert finding_level(_finding(Severity.UNKNOWN)) == "error"  # the gate treats it as high
    assert finding_level(_finding(Severity.MEDIUM)) == "warning"
    assert finding_level(_finding(Severity.LOW)) == "notice"
    assert finding_level(_finding(Severity.HIGH, rule="warn_x")) == "warning"  # advisory rules never error


def test_at_most_ten_per_level_with_a_summary_line() -> None:
    findings = [_finding(Severity.HIGH, line=i) for i in range(1, 13)]
    findings += [_finding(Severity.MEDIUM, line=i) for i in range(1, 4)]
    findings += [_finding(Severity.LOW, line=i) for i in range(1, 12)]
    findings.append(_finding(Severity.CRITICAL, suppressed=True))  # suppressed: never annotated
    lines = render(annotations_for(_report(findings)))
    assert sum(x.startswith("::error ") for x in lines) == 10
    assert sum(x.startswith("::warning ") for x in lines) == 3
    assert sum(x.startswith("::notice ") for x in lines) == 10
    assert lines[-1].startswith("regoscan: 2 errors, 1 notice not shown as annotations")


def test_error_notices_come_first_and_most_severe_findings_next() -> None:
    notice = Notice(NoticeLevel.ERROR, "policy-compile-error", "rego_parse_error", "policy/x.rego", 4)
    low, crit = _finding(Severity.HIGH, path="z.yaml"), _finding(Severity.CRITICAL, path="z.yaml")
    anns = annotations_for(_report([low, crit], [notice, Notice(NoticeLevel.WARNING, "w", "only a warning")]))
    assert [a.title for a in anns] == ["regoscan policy-compile-error", "regoscan KSV001: Title, with: colon",
                                       "regoscan KSV001: Title, with: colon"]
    assert anns[0].file == "policy/x.rego" and anns[0].line == 4
    assert anns[1].line == crit.region.start_line
