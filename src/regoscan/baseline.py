"""New versus pre-existing findings: a change's scan compared with a scan of its base.

A reviewer of a pull request needs to know what the change *introduces*, apart from
what was already there. The base versions of the changed files are scanned with the
same policies, and a head finding is **pre-existing** when the base has a finding
with the same stable fingerprint (``regoscanFinding/v1``: check, file, offending
node and message; no line number, so findings that only moved stay matched). Each
base finding matches at most one head finding, so a second copy of an old problem
counts as new. Renamed files are compared with their old content, which the caller
scans *under the new name* so that fingerprints, which include the path, agree.

Findings in files the change did not touch are pre-existing by definition (their
content is the base's). Waived findings are not compared: they never count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from regoscan.models import Baseline, Finding, ScanReport
from regoscan.output._shared import by_severity, finding_key


def compare(head: ScanReport, base_findings: Iterable[Finding], changed: Collection[str], *, base: str,
            compared_files: int = 0) -> Baseline:
    """Split ``head``'s active findings into new and pre-existing.

    ``changed``: paths (as in ``Finding.path``) the change added or modified;
    ``base_findings``: the scan of those files' base versions, under the same paths.
    """
    available = Counter(finding_key(f) for f in base_findings if not f.suppressed)
    new: list[Finding] = []
    old: list[Finding] = []
    # reading order, so that when a key occurs more often at the head than at the base,
    # the first occurrences are the pre-existing ones
    for finding in sorted(head.active, key=lambda f: (f.path, f.region.start_line, f.check.id)):
        if finding.path not in changed:
            old.append(finding)
            continue
        key = finding_key(finding)
        if available[key] > 0:
            available[key] -= 1
            old.append(finding)
        else:
            new.append(finding)
    return Baseline(base=base, new=by_severity(new), preexisting=by_severity(old), compared_files=compared_files)
