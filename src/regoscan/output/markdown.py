"""Markdown summary for ``$GITHUB_STEP_SUMMARY`` and the sticky PR comment.

The layout lives in ``templates/summary.md.j2``; this module prepares plain row
objects for it and enforces the two things a template cannot: escaping (the ``md``
filter, see :mod:`regoscan.output.escape`) and the size limit. Jinja's HTML autoescape
is off on purpose: HTML-escaping is not Markdown-escaping (it leaves ``|``, ``[``,
``@`` and friends alone), so the template applies ``md`` explicitly to every string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from regoscan import resources
from regoscan.models import ExpiringException, Finding, Notice, NoticeLevel, ScanReport, Severity, SuppressionInfo

from ._shared import (
    SEVERITIES_DESC,
    all_notices,
    by_severity,
    exclusions_text,
    plural,
    reason_of,
    severity_counts,
    status,
    tool_version,
)
from .changed import HEADING, changed_counts, changed_rows
from .escape import md_escape

__all__ = ["COLLAPSE_AFTER", "MARKER", "TEMPLATE", "md_escape", "render_summary"]

MARKER = "<!-- regoscan-summary -->"
"""First line of every summary: the PR-comment step finds its own comment by it."""
TEMPLATE = "summary.md.j2"
COLLAPSE_AFTER = 10
CHANGED_ROWS = 40
"""Changed exceptions and policies listed at most (they come first and are never dropped)."""
"""Sections with more rows than this are folded into ``<details>``."""
EXPIRING_ROWS = 20
"""Exceptions expiring soon listed at most (soonest first); the rest are counted."""

_NOTICE_ORDER = {NoticeLevel.ERROR: 0, NoticeLevel.WARNING: 1, NoticeLevel.NOTE: 2}
_REASON_KEYS = frozenset({"reason", "justification", "description"})


# --- rows --------------------------------------------------------------------------------
# Plain values only: the template decides nothing but layout, and every string field
# below is untrusted until the template passes it through ``md``.


@dataclass(frozen=True)
class FindingRow:
    check_id: str
    title: str
    severity: str
    path: str
    line: int
    message: str
    resource: str


@dataclass(frozen=True)
class SuppressedRow:
    check_id: str
    title: str
    severity: str
    path: str
    line: int
    exception_path: str
    exception_line: int
    kind: str
    justification: str


@dataclass(frozen=True)
class ExpiringRow:
    path: str
    line: int
    package: str
    kind: str
    expires: str
    days_left: int
    waived: int


@dataclass(frozen=True)
class NoticeRow:
    level: str
    code: str
    location: str
    message: str


@dataclass(frozen=True)
class Section:
    """Rows actually shown, how many exist in total, and how many were cut for size."""

    rows: Sequence[Any]
    total: int
    hidden: int
    collapsed: bool


@dataclass
class _Plan:
    """Everything that may appear, in the order rows are *kept* when space runs out.

    Rows are dropped from the end of :meth:`ranked`: suppressed findings (lowest
    severity first), then non-error notices, then active findings (lowest severity
    first), and error notices last, because a broken policy explains missing results.
    """

    errors: list[Notice]
    active: list[Finding]
    others: list[Notice]
    suppressed: list[Finding]
    sizes: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.sizes = (len(self.errors), len(self.active), len(self.others), len(self.suppressed))

    @property
    def total(self) -> int:
        return sum(self.sizes)

    def split(self, keep: int) -> tuple[int, int, int, int]:
        """How many of each group survive when only the first ``keep`` ranked rows do."""
        kept = []
        for size in self.sizes:
            take = max(0, min(size, keep))
            kept.append(take)
            keep -= take
        return kept[0], kept[1], kept[2], kept[3]


def _label(severity: Severity) -> str:
    return severity.name.title()


def _finding_row(finding: Finding) -> FindingRow:
    return FindingRow(
        check_id=finding.check.id,
        title=finding.check.title,
        severity=_label(finding.severity),
        path=finding.path,
        line=finding.region.start_line,
        message=finding.message,
        resource=finding.resource or "",
    )


def _justification(info: SuppressionInfo) -> str:
    """The exception's own reason, then any other metadata (ticket, expiry...) as ``k: v``."""
    extras = [f"{k}: {v}" for k, v in info.metadata if k not in _REASON_KEYS and v not in (None, "")]
    reason = reason_of(info.metadata) or "no reason given"
    return f"{reason} ({', '.join(extras)})" if extras else reason


def _suppressed_rows(finding: Finding) -> list[SuppressedRow]:
    """One row per exception that waived the finding (usually exactly one)."""
    return [
        SuppressedRow(
            check_id=finding.check.id,
            title=finding.check.title,
            severity=_label(finding.severity),
            path=finding.path,
            line=finding.region.start_line,
            exception_path=info.path,
            exception_line=info.line,
            kind=info.kind,
            justification=_justification(info),
        )
        for info in finding.suppressions
    ]


def _expiring_row(e: ExpiringException) -> ExpiringRow:
    return ExpiringRow(path=e.path, line=e.line, package=e.exception_package, kind=e.kind, expires=e.expires,
                       days_left=e.days_left, waived=e.waived)


def _notice_row(notice: Notice) -> NoticeRow:
    return NoticeRow(
        level=notice.level.value,
        code=notice.code,
        location=notice.location or "",
        message=notice.message,
    )


# --- context -----------------------------------------------------------------------------


def _plan(report: ScanReport) -> _Plan:
    notices = sorted(all_notices(report), key=lambda n: (_NOTICE_ORDER[n.level], n.path or "", n.line or 0))
    # with a base comparison, new findings rank above pre-existing ones (kept first when space runs out)
    active = [*report.baseline.new, *report.baseline.preexisting] if report.baseline else by_severity(report.active)
    return _Plan(
        errors=[n for n in notices if n.level is NoticeLevel.ERROR],
        active=active,
        others=[n for n in notices if n.level is not NoticeLevel.ERROR],
        suppressed=by_severity(report.suppressed),
    )


def _section(rows: Sequence[Any], total: int, shown: int, *, fold: bool) -> Section:
    """``shown`` counts items (findings, notices), not rows: a finding waived by two
    exceptions is one item but two suppressed rows."""
    return Section(rows=rows, total=total, hidden=total - shown, collapsed=fold)


def _status(report: ScanReport) -> dict[str, str]:
    """Headline for the top of the summary, from the same verdict as the exit code."""
    st = status(report)
    return {"icon": st.icon, "headline": st.headline, "detail": " · ".join(st.details)}


def _counts(report: ScanReport) -> list[dict[str, Any]]:
    active = severity_counts(report.active)
    suppressed = severity_counts(report.suppressed)
    return [
        {"label": _label(s), "active": active[s], "suppressed": suppressed[s]}
        for s in SEVERITIES_DESC
        if active[s] or suppressed[s] or s is not Severity.UNKNOWN
    ]


def _footer(report: ScanReport) -> str:
    scanned = len(report.files) - len(report.unscanned)
    parts = [f"Generated by regoscan {tool_version(report)}", plural(scanned, "file") + " scanned"]
    if report.unscanned:
        parts.append(f"{len(report.unscanned)} not scanned")
    parts.append(plural(len(report.checks), "check"))
    return " · ".join(parts)


def _baseline(report: ScanReport, shown: Sequence[Finding]) -> dict[str, Any] | None:
    """New and pre-existing findings as two sections (``shown``: the active findings kept)."""
    if report.baseline is None:
        return None
    new_ids = {id(f) for f in report.baseline.new}
    new = [f for f in shown if id(f) in new_ids]
    old = [f for f in shown if id(f) not in new_ids]
    n_new, n_old = len(report.baseline.new), len(report.baseline.preexisting)
    return {
        "base": report.baseline.base,
        "compared_files": report.baseline.compared_files,
        "new": _section([_finding_row(f) for f in new], n_new, len(new), fold=n_new > COLLAPSE_AFTER),
        "preexisting": _section([_finding_row(f) for f in old], n_old, len(old), fold=True),
    }


def _changed(report: ScanReport) -> dict[str, Any]:
    """The changed exceptions and policies, shown first and never dropped for size (bounded here)."""
    rows = changed_rows(report)
    exceptions, waived = changed_counts(report)
    return {"total": len(rows), "rows": rows[:CHANGED_ROWS], "hidden": max(0, len(rows) - CHANGED_ROWS),
            "exceptions": exceptions, "waived": waived,
            "in_effect": all(p.in_effect for p in report.changed_policies)}


def _context(report: ScanReport, plan: _Plan, keep: int, details_url: str | None) -> dict[str, Any]:
    n_err, n_act, n_oth, n_sup = plan.split(keep)
    suppressed_rows = [row for f in plan.suppressed[:n_sup] for row in _suppressed_rows(f)]
    notice_rows = [_notice_row(n) for n in [*plan.errors[:n_err], *plan.others[:n_oth]]]
    n_notices = len(plan.errors) + len(plan.others)
    return {
        "marker": MARKER,
        "status": _status(report),
        "exclusions": exclusions_text(report),
        "partial": report.partial,
        "omitted": plan.total - keep,
        "details_url": details_url,
        "counts": _counts(report),
        "totals": {"active": len(report.active), "suppressed": len(report.suppressed)},
        "findings": _section(
            [_finding_row(f) for f in plan.active[:n_act]],
            len(plan.active),
            n_act,
            fold=len(plan.active) > COLLAPSE_AFTER,
        ),
        # Suppressed findings are context, not action items: always folded.
        "suppressed": _section(suppressed_rows, len(plan.suppressed), n_sup, fold=True),
        "notices": _section(notice_rows, n_notices, n_err + n_oth, fold=n_notices > COLLAPSE_AFTER),
        "baseline": _baseline(report, plan.active[:n_act]),
        "expiring": _section([_expiring_row(e) for e in report.expiring[:EXPIRING_ROWS]], len(report.expiring),
                             min(len(report.expiring), EXPIRING_ROWS), fold=False),
        "footer": _footer(report),
        "policy_source": report.policy_source,
        "changed": _changed(report),
    }


# --- rendering ---------------------------------------------------------------------------


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resources.templates_dir())),
        autoescape=False,  # HTML autoescape is wrong for Markdown; ``md`` is applied explicitly
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    env.globals["plural"] = plural  # count wording lives in one place
    return env


def _checked_url(url: str | None) -> str | None:
    """The caller's link to the full report, made safe as a Markdown link destination.

    Only http(s) is accepted (a ``javascript:`` link under our name would be worse than
    none); characters that could end the destination early are percent-encoded.
    """
    if url is None:
        return None
    if not re.match(r"^https?://[^\s/]", url, re.IGNORECASE):
        raise ValueError(f"details_url must be an http(s) URL, got {url!r}")
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def _render(report: ScanReport, plan: _Plan, keep: int, details_url: str | None) -> str:
    return _environment().get_template(TEMPLATE).render(_context(report, plan, keep, details_url))


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _largest_fitting(report: ScanReport, plan: _Plan, details_url: str | None, max_bytes: int) -> str | None:
    """Binary search for the most rows that fit; ``None`` when not even zero rows fit.

    Size grows with every kept row (each row is far longer than the few digits by
    which the "N left out" counts shrink), so the predicate is monotonic. Even if it
    were not, only texts that were measured to fit are ever returned.
    """
    best: str | None = None
    low, high = 0, plan.total - 1  # plan.total itself was already tried by the caller
    while low <= high:
        mid = (low + high) // 2
        text = _render(report, plan, mid, details_url)
        if _size(text) <= max_bytes:
            best, low = text, mid + 1
        else:
            high = mid - 1
    return best


def _cut_utf8(text: str, max_bytes: int) -> str:
    """Cut to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    return text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def _minimal(report: ScanReport, details_url: str | None, max_bytes: int) -> str:
    """Last resort for tiny limits: marker, status and the pointer to the full report."""
    status = _status(report)
    lines = [MARKER, f"{status['icon']} **{md_escape(status['headline'])}**", ""]
    if report.changed_policies:
        exceptions, waived = changed_counts(report)
        lines += [f"**{HEADING}:** {len(report.changed_policies)} file(s), {exceptions} exception(s), "
                  f"{waived} finding(s) waived by them.", ""]
    lines.append("The full summary does not fit the size limit.")
    if details_url:
        lines[-1] += f" See the [full report]({details_url})."
    return _cut_utf8("\n".join(lines) + "\n", max_bytes)


def render_summary(report: ScanReport, *, max_bytes: int | None = None, details_url: str | None = None) -> str:
    """Render the Markdown summary of ``report``.

    ``max_bytes`` caps the UTF-8 size (GitHub: 65,536 characters for a comment, 1 MiB
    for a job summary; bytes >= characters, so a byte cap is always safe). Rows are
    dropped, least important first, until the summary fits, and the summary says how
    many were left out and links ``details_url`` when given. The result never exceeds
    ``max_bytes``.
    """
    url = _checked_url(details_url)
    plan = _plan(report)
    text = _render(report, plan, plan.total, url)
    if max_bytes is None or _size(text) <= max_bytes:
        return text
    return _largest_fitting(report, plan, url, max_bytes) or _minimal(report, url, max_bytes)
