"""Console output: a human summary for stdout and a machine-readable JSON document.

Text output goes to CI logs, which render ANSI escapes and treat lines starting with
``::`` as workflow commands (``::error::``, ``::add-mask::``...), so every string from a
scanned file passes through :func:`~regoscan.output.escape.plain_text` and a path that
could open a line with ``:`` is printed as ``./path``.

JSON schema ``regoscan/v1`` (bump the version on any incompatible change; adding a key is
compatible). All keys are always present; absent values are ``null``::

    {
      "schema": "regoscan/v1",
      "tool": {"name": "regoscan", "version": str},
      "root": str,                      # absolute scan root; all paths are relative to it
      "partial": bool,                  # only changed files were scanned
      "summary": {
        "active": int, "suppressed": int,
        "by_severity": {"CRITICAL"|"HIGH"|"MEDIUM"|"LOW"|"UNKNOWN":
                        {"active": int, "suppressed": int}},
        "files_scanned": int, "files_not_scanned": int,
        "errors": int, "execution_successful": bool,
        "fail_on": str,                 # the --fail-on bar the run was judged by
        "decision": "pass"|"fail"|"error",  # agrees with the exit code (0, 1, 2)
        "failing": int,                 # active deny findings at or above fail_on
        "headline": str,                # the same words as the Markdown summary's headline
        "exclusions": {"severities": [str], "skipped_checks": [str], "removed": int}
      },
      "findings": [{                    # sorted by path, line, check id
        "check_id": str, "title": str, "severity": str, "rule": str, "level": "deny"|"warn",
        "message": str, "path": str, "start_line": int, "end_line": int,
        "resource": str|null, "identity": str|null, "document_index": int,
        "fingerprint": str,             # sha256, same as SARIF partialFingerprints regoscanFinding/v1
        "suppressed": bool,
        "suppressions": [{"kind": "namespace"|"rule", "exception_package": str, "path": str,
                          "line": int, "matched": str, "justification": str, "metadata": {}}]
      }],
      "checks": [{"id", "package", "title", "severity", "description", "recommended_action",
                  "references": [str], "aliases": [str], "source_path", "source_line", "builtin"}],
      "notices": [{"level": "error"|"warning"|"note", "code": str, "message": str,
                   "path": str|null, "line": int|null, "column": int|null, "check_id": str|null}],
      "files_not_scanned": [{"path": str, "error": str, "line": int|null}],
      "expiring_exceptions": [{         # waiving findings here, custom.expires within 30 days
        "kind": "namespace"|"rule", "exception_package": str, "path": str, "line": int,
        "expires": str, "days_left": int, "waived": int}],
      "policy_source": str|null,        # trusted revision policies came from (null: working tree)
      "changed_policies": [{            # policy/data files the change touched, exceptions first
        "change": {"path": str, "status": str, "old_path": str|null}, "kind": str, "in_effect": bool,
        "package": str, "checks": [str],
        "exceptions": [{"line": int, "kind": str, "package": str,
                        "waives": [{"check_id": str, "path": str, "line": int}]}]}]
    }

``notices`` includes a synthesised ``input-not-scanned`` warning for every file in
``files_not_scanned`` that the engine did not already report, exactly as SARIF does.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from regoscan.decision import verdict
from regoscan.models import CheckMetadata, Finding, Notice, NoticeLevel, ScanReport, Severity, SuppressionInfo

from . import jsontext
from ._shared import (
    all_notices,
    by_location,
    exclusions_text,
    finding_key,
    plural,
    severity_counts,
    status,
    tool_version,
)
from .changed import HEADING, changed_rows
from .escape import plain_text

__all__ = ["CHECKS_SCHEMA", "JSON_SCHEMA", "notice_line", "render_checks_json", "render_checks_text", "render_json",
           "render_text", "stderr_line"]

JSON_SCHEMA = "regoscan/v1"
CHECKS_SCHEMA = "regoscan/checks/v1"

# ANSI SGR codes, applied only to our own words (severity tags, the headline), after every
# untrusted string has been made plain: colour can never come from a scanned file.
_SEVERITY_COLOURS = {Severity.CRITICAL: "1;31", Severity.HIGH: "31", Severity.MEDIUM: "33",
                     Severity.LOW: "36", Severity.UNKNOWN: "2"}
_STATUS_COLOURS = {"error": "1;31", "fail": "1;31", "pass": "1;32", "unscanned": "1;33", "empty": "1;36"}
_LEVEL_COLOURS = {NoticeLevel.ERROR: "31", NoticeLevel.WARNING: "33", NoticeLevel.NOTE: "36"}


def _paint(text: str, sgr: str, color: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if color else text


# --- text --------------------------------------------------------------------------------


def _display_path(path: str) -> str:
    """Printable path that cannot start a line with ``:`` (a workflow command)."""
    text = plain_text(path)
    return "./" + text if text.startswith(":") else text


def _finding_line(finding: Finding, color: bool = False) -> str:
    """``path:line: [SEVERITY] ID message`` (the format editors and problem matchers parse)."""
    tag = _paint(f"[{finding.severity.name}]", _SEVERITY_COLOURS[finding.severity], color)
    return (
        f"{_display_path(finding.path)}:{finding.region.start_line}: "
        f"{tag} {plain_text(finding.check.id)} {plain_text(finding.message)}"
    )


def _suppressed_line(finding: Finding) -> str:
    why = "; ".join(plain_text(s.justification) for s in finding.suppressions)
    return f"  (suppressed) {_finding_line(finding)} -- {why}"


def notice_line(notice: Notice, color: bool = False) -> str:
    """``level: [code] path:line: message``, one line whatever the message holds."""
    where = f" {plain_text(notice.location)}:" if notice.location else ""
    level = _paint(notice.level.value, _LEVEL_COLOURS[notice.level], color)
    return f"{level}: [{plain_text(notice.code)}]{where} {plain_text(notice.message)}"


def stderr_line(notice: Notice, color: bool = False) -> str:
    """``regoscan: error: path:line: message (code)`` for stderr.

    Paths and engine messages come from the PR: each becomes one line with no terminal or
    workflow-command control (the runner reads workflow commands from stderr too).
    """
    where = f"{plain_text(notice.location)}: " if notice.location else ""
    level = _paint(notice.level.value, _LEVEL_COLOURS[notice.level], color)
    return f"regoscan: {level}: {where}{plain_text(notice.message)} ({plain_text(notice.code)})" + source_caret(notice)


def source_caret(notice: Notice) -> str:
    """The offending source line and a caret under its column (syntax errors), on lines of
    their own that start with the line number or ``|``: never a workflow command, and the
    line's control characters become spaces (tabs stay, so the caret lines up)."""
    if notice.source is None or not notice.column or not notice.line:
        return ""
    text = _SOURCE_CONTROL.sub(" ", notice.source)
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: notice.column - 1])
    gutter = str(notice.line)
    return f"\n {gutter} | {text}\n {' ' * len(gutter)} | {pad}^"


_SOURCE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _totals(report: ScanReport, notices: int) -> str:
    scanned = len(report.files) - len(report.unscanned)
    return (
        f"{len(report.active)} active, {len(report.suppressed)} suppressed, "
        f"{plural(notices, 'notice')}; {plural(scanned, 'file')} scanned, {len(report.unscanned)} not scanned"
    )


def status_line(report: ScanReport, color: bool = False) -> str:
    """``PASSED: 5 findings below high · 1 warning (advisory)``: the Markdown headline's words."""
    st = status(report)
    word, _, rest = st.headline.partition(": ")
    head = _paint(word.upper(), _STATUS_COLOURS[st.kind], color) + (f": {rest}" if rest else "")
    return " · ".join([head, *st.details])


def _changed_lines(report: ScanReport) -> list[str]:
    """First in the output: the exceptions and policies the change added or edited, and what they waive."""
    lines = []
    if report.policy_source:
        lines.append(f"Policies, exceptions and data loaded from {plain_text(report.policy_source)} "
                     "(not from the files being scanned).")
    rows = changed_rows(report)
    if rows:
        lines.append(f"{HEADING} ({len(rows)}):")
        for row in rows:
            waives = f"; waives {plain_text(row.waives)}" if row.waives else ""
            lines.append(f"  {_display_path(row.location)} ({plain_text(row.status)}): {plain_text(row.what)}{waives}")
    return [*lines, ""] if lines else []


def render_text(report: ScanReport, *, notices: bool = True, color: bool = False) -> str:
    """Human summary: active findings, suppressed ones (marked), notices, totals, verdict.

    ``notices=False`` leaves the notice lines out (the CLI prints them on stderr, where
    they survive ``-q`` and a redirected stdout); the totals still count them.
    """
    lines = _changed_lines(report)
    findings = by_location(report.findings)
    lines += [_finding_line(f, color) for f in findings if not f.suppressed]
    suppressed = [_suppressed_line(f) for f in findings if f.suppressed]
    if suppressed:
        lines += ["", f"Suppressed by exceptions ({len(suppressed)}):", *suppressed]
    every_notice = all_notices(report)
    if notices and every_notice:
        lines += ["", f"Notices ({len(every_notice)}):", *(notice_line(n, color) for n in every_notice)]
    if lines:
        lines.append("")
    exclusions = exclusions_text(report)
    if exclusions:
        lines.append(f"Configured exclusions: {plain_text(exclusions)}")
    lines.append(_totals(report, len(every_notice)))
    lines.append(status_line(report, color))
    return "\n".join(lines) + "\n"


# --- JSON --------------------------------------------------------------------------------


def _suppression_json(info: SuppressionInfo) -> dict[str, Any]:
    return {
        "kind": info.kind,
        "exception_package": info.exception_package,
        "path": info.path,
        "line": info.line,
        "matched": info.matched,
        "justification": info.justification,
        "metadata": dict(info.metadata),
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "check_id": finding.check.id,
        "title": finding.check.title,
        "severity": finding.severity.name,
        "rule": finding.rule,
        "level": "warn" if finding.is_warning else "deny",
        "message": finding.message,
        "path": finding.path,
        "start_line": finding.region.start_line,
        "end_line": finding.region.end_line,
        "resource": finding.resource,
        "identity": finding.identity or None,
        "document_index": finding.document_index,
        "fingerprint": finding_key(finding),
        "suppressed": finding.suppressed,
        "suppressions": [_suppression_json(s) for s in finding.suppressions],
    }


def _check_json(check: CheckMetadata) -> dict[str, Any]:
    return {
        "id": check.id,
        "package": check.package,
        "title": check.title,
        "severity": check.severity.name,
        "description": check.description,
        "recommended_action": check.recommended_action,
        "references": list(check.references),
        "aliases": list(check.aliases),
        "source_path": check.source_path,
        "source_line": check.source_line,
        "builtin": check.builtin,
    }


def _notice_json(notice: Notice) -> dict[str, Any]:
    return {
        "level": notice.level.value,
        "code": notice.code,
        "message": notice.message,
        "path": notice.path,
        "line": notice.line,
        "column": notice.column,
        "check_id": notice.check_id,
    }


def _summary_json(report: ScanReport) -> dict[str, Any]:
    active, suppressed = severity_counts(report.active), severity_counts(report.suppressed)
    decided = verdict(report)
    return {
        "active": len(report.active),
        "suppressed": len(report.suppressed),
        "by_severity": {s.name: {"active": active[s], "suppressed": suppressed[s]} for s in active},
        "files_scanned": len(report.files) - len(report.unscanned),
        "files_not_scanned": len(report.unscanned),
        "errors": sum(n.level is NoticeLevel.ERROR for n in report.notices),
        "execution_successful": not report.has_errors,
        "fail_on": decided.fail_on,
        "decision": decided.decision,
        "failing": decided.failing,
        "headline": status(report).headline,
        "exclusions": {
            "severities": [s.name for s in report.filters.severities],
            "skipped_checks": list(report.filters.skipped_checks),
            "removed": report.filters.removed,
        },
    }


def render_json(report: ScanReport) -> str:
    """The ``regoscan/v1`` JSON document (see the module docstring), UTF-8, 2-space indent."""
    document = {
        "schema": JSON_SCHEMA,
        "tool": {"name": "regoscan", "version": tool_version(report)},
        "root": report.root,
        "partial": report.partial,
        "summary": _summary_json(report),
        "findings": [_finding_json(f) for f in by_location(report.findings)],
        "checks": [_check_json(c) for c in report.checks],
        "notices": [_notice_json(n) for n in all_notices(report)],
        "files_not_scanned": [{"path": f.path, "error": f.error, "line": f.error_line} for f in report.unscanned],
        "expiring_exceptions": [asdict(e) for e in report.expiring],
        "policy_source": report.policy_source or None,
        "changed_policies": [asdict(c) for c in report.changed_policies],
    }
    return jsontext.dumps(document, default=str) + "\n"


# --- `regoscan checks` -------------------------------------------------------------------


def render_checks_text(checks: list[CheckMetadata], *, color: bool = False) -> str:
    """One aligned row per check: ID, severity, title, package; then the count."""
    rows = [(plain_text(c.id), c.severity, plain_text(c.title), plain_text(c.package)) for c in checks]
    w_id = max([len("ID"), *(len(r[0]) for r in rows)])
    w_title = max([len("TITLE"), *(len(r[2]) for r in rows)])
    lines = [f"{'ID':<{w_id}}  {'SEVERITY':<8}  {'TITLE':<{w_title}}  PACKAGE"]
    for cid, sev, title, package in rows:
        tag = _paint(f"{sev.name:<8}", _SEVERITY_COLOURS[sev], color)
        lines.append(f"{cid:<{w_id}}  {tag}  {title:<{w_title}}  {package}".rstrip())
    lines.append("")
    lines.append(plural(len(checks), "check"))
    return "\n".join(lines) + "\n"


def render_checks_json(checks: list[CheckMetadata]) -> str:
    """``{"schema": "regoscan/checks/v1", "checks": [...]}``, each check as in ``regoscan/v1``."""
    return jsontext.dumps({"schema": CHECKS_SCHEMA, "checks": [_check_json(c) for c in checks]}) + "\n"
