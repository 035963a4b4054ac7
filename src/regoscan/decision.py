"""The run's decision: exit codes, the ``--fail-on`` policy, and the verdict writers show.

Both front ends (``regoscan scan`` and ``regoscan action``) end with the same decision,
so it lives here, below both, instead of one importing the other. The writers (console
text, Markdown headline, JSON) word their headline from the same :class:`Verdict`, so an
icon can never say "failed" while the exit code says 0, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

from regoscan.models import Finding, NoticeLevel, ScanReport, Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
DECISIONS = {EXIT_OK: "pass", EXIT_FINDINGS: "fail", EXIT_ERROR: "error"}

FAIL_ON = ("critical", "high", "medium", "low", "never")
# Notices that mean the run is not trustworthy as configured (exit 2). Unreadable input
# files are only warnings: the scan of everything else is still complete.
CONFIG_ERROR_CODES = ("policy-", "data-", "exception-", "evaluation-")


def effective_severity(finding: Finding) -> Severity:
    """A check that declares no severity is treated as HIGH: a deny must not pass silently."""
    return finding.severity if finding.severity is not Severity.UNKNOWN else Severity.HIGH


def config_errors(report: ScanReport) -> list[str]:
    """Codes of the error notices that make the run exit 2 (empty: none)."""
    return [n.code for n in report.notices
            if n.level is NoticeLevel.ERROR and n.code.startswith(CONFIG_ERROR_CODES)]


@dataclass(frozen=True)
class Verdict:
    """The decision and the counts a headline needs, computed once."""

    code: int
    fail_on: str
    failing: int
    """Active deny findings at or above the bar (what makes the run fail)."""
    below: int
    """Active deny findings below the bar (or every one with ``--fail-on never``)."""
    warnings: int
    """Active findings of ``warn`` rules: advisory, never fail the run."""
    suppressed: int
    errors: int
    """Error notices that make the run exit 2."""
    files_considered: int
    files_scanned: int
    preexisting: int = 0
    """Deny findings at or above the bar that a pull request did not introduce, when only
    new ones count (the Action's ``fail-on-new-only``, :attr:`Baseline.new_only`)."""

    @property
    def decision(self) -> str:
        return DECISIONS[self.code]

    @property
    def nothing_scanned(self) -> bool:
        """Files were found but none could be scanned: a pass that proves nothing."""
        return self.files_considered > 0 and self.files_scanned == 0

    @property
    def no_inputs(self) -> bool:
        return self.files_considered == 0


def verdict(report: ScanReport, fail_on: str | None = None) -> Verdict:
    """Configuration errors first, then unsuppressed deny findings at or above the bar."""
    bar_name = fail_on or report.fail_on
    if bar_name not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {bar_name!r}")
    bar = None if bar_name == "never" else Severity[bar_name.upper()]
    failing = below = warnings = preexisting = 0
    baseline = report.baseline
    new = {id(f) for f in baseline.new} if baseline is not None and baseline.new_only else None
    for f in report.active:
        if f.is_warning:
            warnings += 1  # warn rules are advisory, as in Conftest
        elif bar is not None and effective_severity(f) >= bar and new is not None and id(f) not in new:
            preexisting += 1
        elif bar is not None and effective_severity(f) >= bar:
            failing += 1
        else:
            below += 1
    errors = len(config_errors(report))
    code = EXIT_ERROR if errors else EXIT_FINDINGS if failing else EXIT_OK
    considered = len(report.files)
    return Verdict(
        code=code,
        fail_on=bar_name,
        failing=failing,
        below=below,
        warnings=warnings,
        suppressed=len(report.suppressed),
        errors=errors,
        files_considered=considered,
        files_scanned=considered - len(report.unscanned),
        preexisting=preexisting,
    )


def exit_code(report: ScanReport, fail_on: str | None = None) -> int:
    """0 pass, 1 findings at or above ``fail_on`` (default: the report's own bar), 2 errors."""
    return verdict(report, fail_on).code
