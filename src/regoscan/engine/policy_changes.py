"""What the policy and data files a change touched mean for this scan.

A pull request that adds an exception waives its own findings; the summary lists such
files first so a reviewer sees the waiver before the (now quieter) results. For each
changed ``.rego`` file this stage reads, in Python, the exception definitions (file and
line) and the checks it defines, and matches the exceptions against the findings'
``suppressions`` to say what each one waives here. When policies were loaded from a
trusted revision, the changed files were not loaded at all: they are listed as not in
effect and waive nothing.
"""

from __future__ import annotations

from pathlib import Path

from regoscan.engine.policyset import NAMESPACE_EXCEPTIONS
from regoscan.inputs.forbidden import ForbiddenPaths
from regoscan.models import ChangedException, ChangedPolicy, PolicyChange, ScanReport, WaivedFinding
from regoscan.rego.prepare import read_module
from regoscan.trusted import DATA_SUFFIXES

_ORDER = {"exceptions": 0, "checks": 1, "library": 2, "data": 3, "other": 4}


def describe_changes(changes: list[PolicyChange], report: ScanReport, root: Path, *,
                     in_effect: bool) -> list[ChangedPolicy]:
    """One entry per changed file, exceptions first, then checks, libraries, data."""
    guard = ForbiddenPaths(root)
    waived: dict[tuple[str, int], list[WaivedFinding]] = {}
    if in_effect:
        for f in report.findings:
            for s in f.suppressions:
                waived.setdefault((s.path, s.line), []).append(WaivedFinding(f.check.id, f.path, f.region.start_line))
    out = [_describe(change, report, root, guard, waived, in_effect) for change in changes]
    return sorted(out, key=lambda c: (_ORDER.get(c.kind, 9), c.change.path))


def _describe(change: PolicyChange, report: ScanReport, root: Path, guard: ForbiddenPaths,
              waived: dict[tuple[str, int], list[WaivedFinding]], in_effect: bool) -> ChangedPolicy:
    path = root / change.path
    if change.path.endswith(DATA_SUFFIXES):
        return ChangedPolicy(change, "data", in_effect)
    if change.status == "deleted" or not change.path.endswith(".rego") or not path.is_file() \
            or guard.reason(path) is not None:
        return ChangedPolicy(change, "other", in_effect)
    try:
        mod = read_module(path, change.path)
    except OSError:
        return ChangedPolicy(change, "other", in_effect)
    package = mod.package or ""
    # a policy file that is a link inside the repository is loaded, and cited by suppressions,
    # at its target's path
    cited = {change.path, _target(path, root)}
    exceptions = tuple(
        ChangedException(d.line, "namespace" if package == NAMESPACE_EXCEPTIONS else "rule", package,
                         tuple(sorted({w for p in cited for w in waived.get((p, d.line), [])},
                                      key=lambda w: (w.path, w.line, w.check_id))))
        for d in mod.exceptions
    )
    checks = tuple(sorted({c.id for c in report.checks if c.package == package})) if mod.check_rules else ()
    kind = "exceptions" if exceptions else "checks" if mod.check_rules else "library"
    return ChangedPolicy(change, kind, in_effect, package, exceptions, checks)


def _target(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, RuntimeError, ValueError):
        return ""
