"""The pull request's base, scanned: which findings the change introduced.

Glue between :mod:`regoscan.action.base_revision` (the base versions of the changed
files, from git objects, in a temporary folder outside the workspace) and
:func:`regoscan.baseline.compare`. The base files are scanned with exactly the
head scan's options (same policies, data, namespaces, built-ins), only the files
and the root differ, and without the result cache (its key names policy files
relative to the scan root, so a second root would only add a policy set to it).
Only changed files with an active finding at the head are scanned at the base: only
they can hold a new finding, and a change without findings needs no second scan.
A failure here never fails the run: the comparison is left out and the summary says
why, and ``fail-on-new-only`` then counts every active finding.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from regoscan.action.base_revision import base_revision, materialize, old_paths
from regoscan.action.changes import ChangeSet, Git, GitError
from regoscan.action.event import Event
from regoscan.baseline import compare
from regoscan.errors import UsageError
from regoscan.models import Baseline, ScanReport

if TYPE_CHECKING:
    from regoscan.engine.scan import ScanOptions


def _relative_to_workspace(changes: ChangeSet, workspace: Path, path: str) -> str | None:
    root = (changes.root or workspace).resolve()
    try:
        return Path(os.path.normpath(root / path)).relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return None


def compare_with_base(event: Event, changes: ChangeSet, report: ScanReport, options: ScanOptions, workspace: Path,
                      env: Mapping[str, str], log: Callable[[str], None]) -> tuple[Baseline | None, str]:
    """``(baseline, note)``: the comparison, or ``None`` and why it could not be made.

    ``changes`` is the pull request's change range (before any widening to a full
    scan); ``options`` the :class:`~regoscan.engine.scan.ScanOptions` of the head scan.
    """
    from regoscan.engine.scan import run_scan

    if changes.scope != "changed" or changes.root is None:
        return None, "no change range to compare with"
    git = Git(changes.root, env, log)
    revision = base_revision(event, changes, git)
    if revision is None:
        return None, "the base revision is unknown"
    scanned = {f.path for f in report.files}
    # new path (relative to the workspace, as findings are) -> path at the base (relative to the repository)
    changed: dict[str, str] = {}
    for new, old in old_paths(changes).items():
        rel = _relative_to_workspace(changes, workspace, new)
        if rel is not None and rel in scanned:
            changed[rel] = old
    # Only a changed file with an active finding at the head can hold a new finding: the
    # base versions of the others cannot change the comparison, so they are not scanned
    # (a change without findings costs no second scan at all).
    with_findings = {f.path for f in report.active}
    wanted = {rel: old for rel, old in changed.items() if rel in with_findings}
    label = f"base {revision[:12]}"
    if not wanted:
        return compare(report, [], set(changed), base=label), ""
    try:
        files = materialize(git, revision, wanted, workspace)
    except (GitError, OSError) as exc:
        return None, f"the base versions of the changed files could not be read: {exc}"
    try:
        log(f"comparing with {label}: {len(wanted)} of {len(changed)} changed files have findings, "
            f"{len(files.written)} of them existed there")
        base_report = None
        if files.written:
            opts = dataclasses.replace(options, paths=[str(files.folder)], root=files.folder,
                                       files=[str(p) for p in files.written.values()], partial=True,
                                       cache_dir=None, include=None, exclude=None)
            try:
                base_report = run_scan(opts)
            except UsageError as exc:
                return None, f"the base revision could not be scanned: {exc}"
        return compare(report, base_report.findings if base_report else [], set(changed), base=label,
                       compared_files=len(files.written)), ""
    finally:
        shutil.rmtree(files.folder, ignore_errors=True)
