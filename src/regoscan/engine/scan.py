"""The scan, stage by stage: collect inputs -> evaluate -> findings -> report.

Each stage lives in its own module (``collect``, ``evaluate``, ``findings``); this one
only wires them together and stores fresh results in the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from regoscan import __version__
from regoscan.engine.collect import CacheState, Collected, collect, coverage_notices, exclusions, open_cache
from regoscan.engine.notices import NoticeSink
from regoscan.engine.outcome import Evaluated, apply_expiry, finding_order
from regoscan.models import Finding, InputFile, PolicyChange, ScanReport
from regoscan.redact import secrets_for, withhold_secrets

if TYPE_CHECKING:
    # imported when a file is evaluated: a scan served wholly from the cache needs no engine
    from regoscan.engine.evaluate import Evaluation, PolicyInputs
    from regoscan.rego.process import WorkerProcess

DEFAULT_NAMESPACES = ["builtin", "user"]


@dataclass
class ScanOptions:
    paths: list[str] = field(default_factory=lambda: ["."])
    root: Path = field(default_factory=Path.cwd)
    policies: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=lambda: list(DEFAULT_NAMESPACES))
    builtin: bool = True
    include: list[str] | None = None
    exclude: list[str] | None = None
    workers: int | None = None
    eval_timeout: float = 20.0
    partial: bool = False
    files: list[str] | None = None
    """When set (changed-files mode), exactly these paths are scanned instead of walking ``paths``."""
    cache_dir: Path | None = None
    """Result cache folder (see engine/cache.py); None: no cache."""
    now: dt.datetime | None = None
    """The instant exception expiry dates are compared with (None: the clock)."""
    environment: Mapping[str, str] | None = None
    """Where the secrets to withhold from reports are looked up (see ``redact``); None: ``os.environ``."""
    policy_root: Path | None = None
    """What policy and data paths are shown relative to, when they were exported from a trusted
    revision (``trusted.trusted_policies``); None: ``root``."""
    policy_source: str = ""
    """The trusted revision policies came from, for the reports; empty: the working tree."""
    policy_changes: list[PolicyChange] | None = None
    """Policy and data files the scanned change touched: listed first in every report."""
    shipped_bundles: Path | None = None
    """Compiled bundles of the built-in checks (None: those the installed package carries, see
    ``rego.prebuilt``); for tests, never a command line option."""

    def policy_inputs(self) -> PolicyInputs:
        from regoscan.engine.evaluate import PolicyInputs

        return PolicyInputs(self.policies, self.data, self.policy_root or self.root, self.namespaces, self.builtin,
                            self.workers, self.eval_timeout, shipped_bundles=self.shipped_bundles)


def _store(state: CacheState, collected: Collected, evaluated: Evaluated) -> None:
    if state.cache is None:
        return
    if state.policy is None:
        state.cache.store_policy(state.key, evaluated.checks, evaluated.policy_notices)
    for f in collected.misses:
        if f.path in evaluated.unstable:
            continue
        own = ([(collected.parse_notices[f.path], None)] if f.path in collected.parse_notices else []) + \
            evaluated.file_notices.get(f.path, [])
        state.cache.store_file(state.key, f, evaluated.findings.get(f.path, []), own)
    state.cache.save(state.key)


def run_scan(opts: ScanOptions, progress: Callable[[str], None] | None = None,
             tick: Callable[[str, int, int], None] | None = None) -> ScanReport:
    """``progress`` gets occasional log lines; ``tick(stage, done, total)`` counts files
    parsed and documents evaluated, for a progress display on a terminal."""
    notices = NoticeSink()
    # one clock reading per scan: exception expiry and time.now_ns() in every policy agree
    now = opts.now or dt.datetime.now(dt.UTC)
    state = open_cache(opts.cache_dir, opts.policies, opts.data, opts.policy_root or opts.root, opts.namespaces,
                       opts.builtin, scan_root=opts.root)
    if state.refused is not None:
        notices.add(state.refused)
    paths = opts.files if opts.files is not None else opts.paths
    now_ns = int(now.timestamp()) * 1_000_000_000 + now.microsecond * 1000
    # Without a cache every file is evaluated: a worker starts now, importing the engine while
    # this process reads the policies. The evaluation starts with the first parsed documents.
    # With one, the engine is not even imported until a file misses.
    early: WorkerProcess | None = None
    if state.cache is None:
        from regoscan.rego.runtime import spawn_worker

        early = spawn_worker()
    evaluation: Evaluation | None = None

    def start(expected: int) -> Evaluation:
        nonlocal early
        from regoscan.engine.evaluate import Evaluation

        cfg = opts.policy_inputs()
        cfg.now_ns = now_ns
        started, early = Evaluation(cfg, notices, progress, tick, expected=expected, early=early), None
        return started

    def parsed(f: InputFile, found: int) -> None:
        nonlocal evaluation
        if evaluation is None and f.documents:
            evaluation = start(found)
        if evaluation is not None:
            evaluation.add(f.documents)

    try:
        collected = collect(paths, opts.root, opts.include, exclusions(opts.exclude, opts.cache_dir, opts.root),
                            state, notices, tick, parsed)
        for n in coverage_notices(collected.files, paths, opts.files is not None):
            notices.add(n)
        if evaluation is None and state.policy is not None:
            for n in state.policy[1]:
                notices.add(n)
            evaluated = Evaluated(state.policy[0], {}, {}, state.policy[1], set())
        else:
            if evaluation is None:  # nothing to evaluate: the policy set is still loaded, for its checks and notices
                evaluation = start(0)
            evaluated = evaluation.finish()
    finally:
        if evaluation is not None:
            evaluation.close()
        if early is not None:
            early.close()
    findings: list[Finding] = list(collected.cached_findings)
    for f in collected.misses:
        findings.extend(evaluated.findings.get(f.path, []))
    findings.sort(key=finding_order)
    expiry = apply_expiry(findings, now)
    for n in expiry.notices:
        notices.add(n)
    report = ScanReport(
        findings=findings,
        checks=evaluated.checks,
        files=collected.files,
        notices=notices.finish(),
        root=str(opts.root.resolve()),
        tool_version=__version__,
        partial=opts.partial,
        expiring=expiry.expiring,
    )
    report.policy_source = opts.policy_source
    if opts.policy_changes:
        from regoscan.engine.policy_changes import describe_changes

        report.changed_policies = describe_changes(opts.policy_changes, report, opts.root,
                                                   in_effect=not opts.policy_source)
    # The one place every policy-supplied string passes before any writer (and the cache)
    # sees it: a string that spells a secret this process can see is withheld.
    cache_copies = [*evaluated.policy_notices, *(n for kept in evaluated.file_notices.values() for n, _ in kept)]
    if withhold_secrets(report, secrets_for(opts.root, opts.environment), also=cache_copies):
        state.cache = None  # nothing from a run that needed it is replayed later
    _store(state, collected, evaluated)
    return report
