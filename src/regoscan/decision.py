"""The run's decision: exit codes and the ``--fail-on`` policy.

Both front ends (``regoscan scan`` and ``regoscan action``) end with the same decision,
so it lives here, below both, instead of one importing the other.
"""

from __future__ import annotations

from regoscan.models import NoticeLevel, ScanReport, Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
DECISIONS = {EXIT_OK: "pass", EXIT_FINDINGS: "fail", EXIT_ERROR: "error"}

FAIL_ON = ("critical", "high", "medium", "low", "never")
# Notices that mean the run is not trustworthy as configured (exit 2). Unreadable input
# files are only warnings: the scan of everything else is still complete.
CONFIG_ERROR_CODES = ("policy-", "data-", "exception-", "evaluation-")


def exit_code(report: ScanReport, fail_on: str) -> int:
    """Configuration errors first, then unsuppressed findings at or above the bar."""
    if any(n.level is NoticeLevel.ERROR and n.code.startswith(CONFIG_ERROR_CODES) for n in report.notices):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    bar = Severity[fail_on.upper()]
    for f in report.active:
        if f.is_warning:
            continue  # warn rules are advisory, as in Conftest
        # a check that declares no severity is treated as HIGH: a deny must not pass silently
        sev = f.severity if f.severity is not Severity.UNKNOWN else Severity.HIGH
        if sev >= bar:
            return EXIT_FINDINGS
    return EXIT_OK
