"""Helpers every writer needs, kept in one place so SARIF, Markdown and console agree.

If the three outputs ordered findings differently, or disagreed on which unreadable
files deserve a notice, a user comparing the PR summary with the SARIF artifact would
see two different scans. These functions are the single definition of both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from regoscan import __version__
from regoscan.decision import EXIT_ERROR, EXIT_FINDINGS, verdict
from regoscan.models import Finding, InputFile, Notice, NoticeLevel, ScanReport, Severity

SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
"""CRITICAL first: the order in which severities are listed to humans."""

FINGERPRINT_KEY = "regoscanFinding/v1"
"""Versioned name of regoscan's own partial fingerprint (SARIF §3.27.17 wants ``name/vN``)."""

UNSCANNED_CODE = "input-not-scanned"
"""Notice code used for an :class:`InputFile` with ``error`` that the engine did not report."""


def tool_version(report: ScanReport) -> str:
    """The version to print: the engine's if it set one, else the installed package's."""
    return report.tool_version or __version__


def location_sort_key(finding: Finding) -> tuple[str, int, int, str, str, str]:
    """Reading order: file, then line, then check, so diffs of two outputs stay small."""
    return (
        finding.path,
        finding.region.start_line,
        finding.region.end_line,
        finding.check.id,
        finding.message,
        finding.identity or finding.resource or "",
    )


def by_location(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a deterministic reading order, independent of engine scheduling."""
    return sorted(findings, key=location_sort_key)


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then reading order: the order a reviewer should triage in."""
    return sorted(findings, key=lambda f: (-f.severity.value, *location_sort_key(f)))


def finding_key(finding: Finding) -> str:
    """Stable identity of a finding across runs: sha256 of check, path, node and message.

    Lines are deliberately left out so that inserting lines above a finding does not
    make it look new. The NUL separator keeps ``("a", "bc")`` and ``("ab", "c")`` apart.
    """
    parts = (finding.check.id, finding.path, finding.identity or finding.resource or "", finding.message)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def unscanned_without_notice(report: ScanReport) -> list[InputFile]:
    """Files that could not be scanned and that no engine notice already talks about.

    The engine usually reports a parse failure as a notice itself; repeating it from
    ``InputFile.error`` would list the same file twice.
    """
    noticed = {n.path for n in report.notices if n.path}
    return [f for f in report.unscanned if f.path not in noticed]


def unscanned_notice(file: InputFile) -> Notice:
    """A warning notice for an unreadable file: the scan itself still completed."""
    return Notice(
        level=NoticeLevel.WARNING,
        code=UNSCANNED_CODE,
        message=f"File could not be scanned: {file.error}",
        path=file.path,
        line=file.error_line,
    )


def all_notices(report: ScanReport) -> list[Notice]:
    """Engine notices plus one synthesised warning per unreported unscannable file."""
    return [*report.notices, *(unscanned_notice(f) for f in unscanned_without_notice(report))]


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Count per severity, with every severity present (zero rows are still shown)."""
    counts = dict.fromkeys(SEVERITIES_DESC, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 finding`` / ``2 findings``."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def reason_of(metadata: Iterable[tuple[str, object]]) -> str:
    """The human reason an exception gives, under any of the keys authors use for it."""
    meta = dict(metadata)
    for key in ("reason", "justification", "description"):
        value = meta.get(key)
        if value:
            return str(value)
    return ""


# --- the headline ----------------------------------------------------------------------

STATUS_ICONS = {"error": "❌", "fail": "❌", "pass": "✅", "unscanned": "⚠️", "empty": "ℹ️"}


@dataclass(frozen=True)
class Status:
    """The one line most readers look at, worded from the same verdict as the exit code."""

    kind: str
    """``error`` (exit 2), ``fail`` (exit 1), ``pass``, ``unscanned`` (exit 0, but no file
    could be scanned) or ``empty`` (exit 0, no input files at all)."""
    headline: str
    details: tuple[str, ...]

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.kind]


def status(report: ScanReport) -> Status:
    """Headline and details for ``report`` judged by ``report.fail_on``.

    The icon follows the exit code: ❌ for 1 and 2, ✅ or a notice icon for 0. Findings
    below the bar and ``warn`` results are counted but called what they are (below the
    bar, advisory), so "✅ Passed: 5 findings below high" reads as intended.
    """
    v = verdict(report)
    details: list[str] = []
    bar = v.fail_on
    if v.code == EXIT_ERROR:
        kind, headline = "error", f"Error: {plural(v.errors, 'configuration error')}; the results are incomplete"
        if v.failing:
            details.append(f"{plural(v.failing, 'finding')} at or above {bar}")
    elif v.code == EXIT_FINDINGS:
        kind, headline = "fail", f"Failed: {plural(v.failing, 'finding')} at or above {bar}"
    elif v.no_inputs:
        kind, headline = "empty", "Nothing to scan: no input files found"
    elif v.nothing_scanned:
        kind = "unscanned"
        headline = f"Nothing was scanned: {plural(v.files_considered, 'file')} could not be scanned"
    elif bar == "never":
        kind = "pass"
        headline = "Passed: " + (f"{plural(v.below, 'active finding')} (--fail-on never)" if v.below else "no findings")
    elif v.preexisting:
        kind, headline = "pass", f"Passed: no new findings at or above {bar}"
    else:
        kind = "pass"
        headline = "Passed: " + (f"{plural(v.below, 'finding')} below {bar}" if v.below else "no findings")
    if report.baseline is not None:
        details.append(f"{len(report.baseline.new)} new in this change")
    if v.preexisting:
        details.append(f"{v.preexisting} pre-existing at or above {bar} (only new findings fail this run)")
    if v.below and (kind in ("error", "fail") or v.preexisting):
        details.append(f"{v.below} below {bar}" if bar != "never" else plural(v.below, "active finding"))
    if v.warnings:
        details.append(f"{plural(v.warnings, 'warning')} (advisory)")
    if v.suppressed:
        details.append(f"{v.suppressed} suppressed by exceptions")
    if kind in ("pass", "fail", "error") and v.files_scanned < v.files_considered:
        details.append(f"{v.files_considered - v.files_scanned} of {plural(v.files_considered, 'file')} not scanned")
    return Status(kind, headline, tuple(details))


def exclusions_text(report: ScanReport) -> str:
    """The configured exclusions (``--severity``, ``--skip-check``) in one sentence, or ``""``."""
    f = report.filters
    if not f.active:
        return ""
    parts = []
    if f.severities:
        parts.append("only severities " + ", ".join(s.name.lower() for s in sorted(f.severities, reverse=True)))
    if f.skipped_checks:
        parts.append("checks skipped: " + ", ".join(f.skipped_checks))
    return "; ".join(parts) + f" ({plural(f.removed, 'finding')} not reported)"
