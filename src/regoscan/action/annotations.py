"""Findings as workflow-command annotations (``::error file=…,line=…::message``).

Annotations put a finding on the line it concerns in the pull request's "Files
changed" view, which works even where nothing else does (fork PRs, no code scanning).
Two rules shape this module:

* **Escaping.** The message and every property come from scanned files, i.e. from
  whoever wrote the pull request. GitHub's runner decodes ``%25``, ``%0D`` and ``%0A``
  in the message, and additionally ``%3A`` and ``%2C`` in properties (where ``:`` ends
  the property list and ``,`` separates properties). Escaping exactly those keeps a
  message from ending the command early or starting a new one.
* **Limits.** GitHub shows at most 10 error and 10 warning annotations per step (and
  drops the rest silently), so we emit the 10 most severe of each level and print one
  line saying how many more there are and where to find them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from regoscan.models import Finding, Notice, NoticeLevel, ScanReport, Severity
from regoscan.output.escape import plain_text

MAX_PER_LEVEL = 10
LEVELS = ("error", "warning", "notice")


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


# Control characters the runner has no escape for: kept in a property (a file name from the
# PR), an ANSI sequence would restyle the log and a bidi override reorder it.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable_property(value: str) -> str:
    """``value`` escaped for a property, with characters no escape covers shown as U+FFFD."""
    return escape_property(_UNPRINTABLE.sub("\ufffd", value))


@dataclass(frozen=True)
class Annotation:
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    end_line: int | None = None
    title: str | None = None

    def command(self) -> str:
        props = []
        if self.file:
            props.append(f"file={printable_property(self.file)}")
        if self.line:
            props.append(f"line={self.line}")
            if self.end_line and self.end_line >= self.line:
                props.append(f"endLine={self.end_line}")
        if self.title:
            props.append(f"title={printable_property(self.title)}")
        head = f"::{self.level} {','.join(props)}" if props else f"::{self.level}"
        return f"{head}::{escape_data(self.message)}"


def finding_level(finding: Finding) -> str:
    """Critical/high (and a deny with no severity, which the gate treats as high) are
    errors; medium and advisory ``warn`` rules are warnings; low is a notice."""
    severity = finding.severity if finding.severity is not Severity.UNKNOWN else Severity.HIGH
    if severity >= Severity.HIGH:
        level = "error"
    elif severity is Severity.MEDIUM:
        level = "warning"
    else:
        level = "notice"
    if finding.is_warning and level == "error":
        level = "warning"
    return level


def _finding_annotation(finding: Finding) -> Annotation:
    check = finding.check
    title = f"{check.id}: {check.title}" if check.title else check.id
    return Annotation(finding_level(finding), plain_text(finding.message), finding.path, finding.region.start_line,
                      finding.region.end_line, plain_text(f"regoscan {title}"))


def _notice_annotation(notice: Notice) -> Annotation:
    level = {NoticeLevel.ERROR: "error", NoticeLevel.WARNING: "warning"}.get(notice.level, "notice")
    return Annotation(level, plain_text(notice.message), notice.path, notice.line,
                      None, plain_text(f"regoscan {notice.code}"))


def annotations_for(report: ScanReport) -> list[Annotation]:
    """Error notices first (a broken policy explains missing results), then active
    findings from the most severe down; suppressed findings are never annotated."""
    out = [_notice_annotation(n) for n in report.notices if n.level is NoticeLevel.ERROR]
    findings = sorted(report.active, key=lambda f: (-f.severity.value, f.path, f.region.start_line))
    out.extend(_finding_annotation(f) for f in findings)
    return out


def render(annotations: Iterable[Annotation], limit: int = MAX_PER_LEVEL) -> list[str]:
    """The command lines to print: at most ``limit`` per level, then one summary line."""
    shown: dict[str, int] = dict.fromkeys(LEVELS, 0)
    dropped: dict[str, int] = dict.fromkeys(LEVELS, 0)
    lines: list[str] = []
    for ann in annotations:
        if shown[ann.level] < limit:
            shown[ann.level] += 1
            lines.append(ann.command())
        else:
            dropped[ann.level] += 1
    if any(dropped.values()):
        parts = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in dropped.items() if n)
        lines.append(f"regoscan: {parts} not shown as annotations (GitHub shows at most {limit} per level "
                     "and step); the job summary and the SARIF file list every finding.")
    return lines
