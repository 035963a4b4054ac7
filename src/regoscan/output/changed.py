"""The rows of "Exceptions and policies changed by this change", shared by every writer.

Markdown and console print the same rows in the same order, so a reviewer reading the
PR comment and one reading the log see the same waivers first. Strings here are raw;
each writer escapes them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from regoscan.models import ChangedPolicy, ScanReport

HEADING = "Exceptions and policies changed by this change"
"""Stable: GitHub derives the anchor ``#exceptions-and-policies-changed-by-this-change`` from it,
and other summaries (code scanning dismissals) link there."""
ANCHOR = "exceptions-and-policies-changed-by-this-change"
WAIVED_SHOWN = 5
"""Waived findings named per exception; the rest are counted."""


@dataclass(frozen=True)
class ChangedRow:
    path: str
    line: int | None
    status: str
    """``added``, ``modified``, ``renamed from x``, ``deleted``..."""
    what: str
    waived: tuple[str, ...]
    """``CHECK path:line`` of the first waived findings."""
    waived_total: int
    in_effect: bool
    is_exception: bool = False

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def waives(self) -> str:
        if not self.is_exception:
            return ""
        if not self.in_effect:
            return "nothing: not applied (policies came from the trusted revision)"
        if not self.waived_total:
            return "nothing in this scan"
        more = self.waived_total - len(self.waived)
        return f"{self.waived_total} finding{'s' if self.waived_total != 1 else ''}: " + ", ".join(self.waived) \
            + (f", and {more} more" if more else "")


def _status(policy: ChangedPolicy) -> str:
    change = policy.change
    if change.status in ("renamed", "copied") and change.old_path:
        return f"{change.status} from {change.old_path}"
    return change.status


def changed_rows(report: ScanReport) -> list[ChangedRow]:
    """Exceptions first (one row per definition), then checks, libraries, data and other files."""
    rows: list[ChangedRow] = []
    for policy in report.changed_policies:
        status = _status(policy)
        for exc in policy.exceptions:
            waived = tuple(f"{w.check_id} {w.path}:{w.line}" for w in exc.waives[:WAIVED_SHOWN])
            rows.append(ChangedRow(policy.change.path, exc.line, status,
                                   f"{exc.kind} exception (package {exc.package})", waived, len(exc.waives),
                                   policy.in_effect, is_exception=True))
        if policy.exceptions:
            continue
        if policy.kind == "checks":
            what = "checks " + ", ".join(policy.checks) if policy.checks else f"checks (package {policy.package})"
        elif policy.kind == "library":
            what = f"library (package {policy.package})" if policy.package else "library"
        elif policy.kind == "data":
            what = "data file"
        else:
            what = "policy file" if policy.change.path.endswith(".rego") else "file"
        rows.append(ChangedRow(policy.change.path, None, status, what, (), 0, policy.in_effect))
    return rows


def changed_counts(report: ScanReport) -> tuple[int, int]:
    """(exceptions changed, findings they waive here)."""
    exceptions = [e for p in report.changed_policies for e in p.exceptions]
    waived = {w for p in report.changed_policies if p.in_effect for e in p.exceptions for w in e.waives}
    return len(exceptions), len(waived)
