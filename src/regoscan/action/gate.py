"""The gate's view of a full scan: only the changed files.

The Action always scans the whole tree for its SARIF, so that every upload under one
code-scanning category is a complete analysis: code scanning compares a pull request's
analysis with the base branch's under the same configuration, and closes alerts that a
later analysis of the same category no longer reports. With a result cache the files a
change did not touch cost a cache lookup each.

What a reviewer sees, and what decides the step (``fail-on``, the summary, the comment,
the annotations), is the change: :func:`restrict` keeps the findings in changed files,
and the notices about them or about nothing in particular (a policy that does not
compile concerns every file), and drops notices about unchanged input files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from regoscan.models import ScanReport


def restrict(report: ScanReport, paths: Iterable[str]) -> ScanReport:
    """``report`` as if only ``paths`` (relative to its root) had been scanned."""
    keep = set(paths)
    inputs = {f.path for f in report.files}
    return replace(
        report,
        findings=[f for f in report.findings if f.path in keep],
        files=[f for f in report.files if f.path in keep],
        notices=[n for n in report.notices
                 if n.path is None or n.path in keep or not (n.path in inputs or n.code.startswith("input-"))],
        partial=True,
    )
