"""What the evaluation stage hands on, and the last steps every finding takes, cached or fresh.

Apart from ``evaluate`` and ``findings`` so that a scan served wholly from the result
cache imports neither the Rego engine layer nor the finding builder: it needs only these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regoscan.engine.exceptions import EXPIRING_SOON_DAYS, ExpiryError, days_left, expiry_of, expiry_text
from regoscan.models import CheckMetadata, ExpiringException, Finding, Notice, NoticeLevel, SuppressionInfo


@dataclass
class Evaluated:
    checks: list[CheckMetadata]
    findings: dict[str, list[Finding]]
    """Per file path."""
    file_notices: dict[str, list[tuple[Notice, str | None]]]
    policy_notices: list[Notice]
    unstable: set[str]
    """Files with a crashed or timed-out evaluation: never cached."""



@dataclass
class ExpiryResult:
    notices: list[Notice]
    expiring: list[ExpiringException]


def apply_expiry(findings: list[Finding], now: dt.datetime) -> ExpiryResult:
    """Take away the waivers of exceptions past their ``custom.expires``, or with a date that
    cannot be read (``policyset.assemble`` reports those), and list those ending soon.

    Applied to every finding of the scan, cached ones included: a waiver recorded while an
    exception was valid must not outlive it. An expired exception is a warning naming its
    date, once per exception; the findings it waived are active again.
    """
    expired: dict[tuple[str, int, str, str], tuple[str, int]] = {}
    soon: dict[tuple[str, int, str, str], tuple[str, int, int]] = {}
    for finding in findings:
        kept: list[SuppressionInfo] = []
        for sup in finding.suppressions:
            meta = dict(sup.metadata)
            try:
                until = expiry_of(meta)
            except ExpiryError:
                continue
            key = (sup.kind, sup.exception_package, sup.path, sup.line)
            if until is not None and until <= now:
                expired[key] = (expiry_text(meta), expired.get(key, ("", 0))[1] + 1)
                continue
            kept.append(sup)
            if until is not None and (left := days_left(until, now)) <= EXPIRING_SOON_DAYS:
                soon[key] = (expiry_text(meta), left, soon.get(key, ("", 0, 0))[2] + 1)
        finding.suppressions = kept
    notices = [
        Notice(NoticeLevel.WARNING, "exception-expired",
               f"{kind} exception in package {package} expired on {date}: it waives nothing "
               f"({count} finding{'s' if count != 1 else ''} it matched stay{'s' if count == 1 else ''} active)",
               path, line)
        for (kind, package, path, line), (date, count) in expired.items()]
    expiring = [ExpiringException(kind, package, path, line, date, left, waived)
                for (kind, package, path, line), (date, left, waived) in soon.items()]
    expiring.sort(key=lambda e: (e.days_left, e.path, e.line))
    return ExpiryResult(notices, expiring)


def finding_order(f: Finding) -> tuple[Any, ...]:
    return (f.path, f.region.start_line, f.check.id, f.rule, f.message)
