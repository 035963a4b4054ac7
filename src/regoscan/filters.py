"""Configured exclusions: ``--severity`` and ``--skip-check`` applied to a finished report.

They are applied after the engine, not inside it, so a skipped check is still loaded and
listed (its SARIF rule stays, with a configuration override saying it was switched off)
and the report records what was filtered and how many findings it removed: every writer
then says so, and an excluded check never looks like a check that found nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from regoscan.errors import UsageError
from regoscan.models import Notice, NoticeLevel, ReportFilters, ScanReport, Severity

SEVERITY_NAMES = tuple(s.name.lower() for s in sorted(Severity, reverse=True))


def split_list(values: Iterable[str]) -> list[str]:
    """``["critical,high", "low"]`` -> ``["critical", "high", "low"]`` (repeats and commas both work)."""
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def parse_severities(values: Iterable[str], option: str = "--severity") -> tuple[Severity, ...]:
    out: list[Severity] = []
    for name in split_list(values):
        try:
            sev = Severity[name.upper()]
        except KeyError:
            import difflib  # a suggestion's matcher, imported when one is needed
            close = difflib.get_close_matches(name.lower(), SEVERITY_NAMES, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise UsageError(f"{option}: unknown severity {name!r} ({hint}use {', '.join(SEVERITY_NAMES)})") from None
        if sev not in out:
            out.append(sev)
    return tuple(out)


def apply_filters(report: ScanReport, severities: Iterable[Severity], skip_checks: Iterable[str]) -> ScanReport:
    """Drop the findings the user configured out and record that in ``report.filters``.

    A ``--skip-check`` value that names no loaded check is a warning notice
    (``config-unknown-check``), with the closest ID: a typo must not pass for a skip.
    """
    sevs = tuple(severities)
    skips = tuple(dict.fromkeys(split_list(skip_checks)))
    if not sevs and not skips:
        return report
    filters = ReportFilters(severities=sevs, skipped_checks=skips)
    for skip in skips:
        if not any(ReportFilters(skipped_checks=(skip,)).skips(c) for c in report.checks):
            import difflib  # a suggestion's matcher, imported when one is needed
            close = difflib.get_close_matches(skip, sorted({c.id for c in report.checks}), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            report.notices.append(Notice(NoticeLevel.WARNING, "config-unknown-check",
                                         f"--skip-check {skip}: no loaded check has this ID{hint}"))
    kept = [f for f in report.findings if not filters.skips(f.check) and (not sevs or f.severity in sevs)]
    filters.removed = len(report.findings) - len(kept)
    report.findings = kept
    report.filters = filters
    return report



def check_selection(report: ScanReport, namespaces: Iterable[str] | None, *, option: str = "--namespace",
                    advice: str = "see --policy, --namespace and --no-builtin") -> None:
    """Warn when the configuration selects no check at all, or names a ``--namespace`` no
    loaded check lives in: either would otherwise pass as a clean scan (a typo in
    ``--namespace usr`` checked nothing and said "Passed: no findings"). A run with errors
    (the only policy did not compile) fails anyway and says why."""
    from regoscan.engine.policyfiles import in_namespaces

    given = list(dict.fromkeys(namespaces or []))
    for ns in given:
        if not any(in_namespaces(c.package, [ns]) for c in report.checks):
            roots = sorted(({c.package.split(".")[0] for c in report.checks} | {"builtin", "user"}) - {ns})
            import difflib  # a suggestion's matcher, imported when one is needed
            close = difflib.get_close_matches(ns, roots, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            report.notices.append(Notice(NoticeLevel.WARNING, "config-unknown-namespace",
                                         f"{option} {ns}: no loaded check is in this namespace{hint}"))
    if not report.checks and not any(n.level is NoticeLevel.ERROR for n in report.notices):
        report.notices.append(Notice(NoticeLevel.WARNING, "config-no-checks",
                                     f"no check was loaded, so nothing was checked: {advice}"))
