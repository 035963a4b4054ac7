"""The evaluation stage: policies loaded once, documents evaluated in workers.

Input: parsed documents. Output: findings per file, and the notices that belong to the
policy set (cacheable once) apart from those that belong to one file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regoscan.engine.findings import FindingBuilder, finding_order, number_repeats
from regoscan.engine.notices import NoticeSink
from regoscan.engine.planning import group_by_type, plan_queries, split_builtin_checks
from regoscan.engine.policyset import (
    assemble,
    confirm_closed,
    describe,
    entrypoint,
    load_data,
    load_modules,
    metadata_entrypoints,
)
from regoscan.engine.units import legacy_metadata, policy_units, quarantine_notices
from regoscan.models import CheckMetadata, Document, Finding, InputType, Notice
from regoscan.rego.prepare import PreparedModule
from regoscan.rego.process import WorkerError, WorkerProcess
from regoscan.rego.runtime import Job, PolicyRuntime, spawn_worker


@dataclass
class PolicyInputs:
    """What the evaluation stage needs to know of the scan's configuration."""

    policies: list[str]
    data: list[str]
    root: Path
    namespaces: list[str]
    builtin: bool
    workers: int | None
    eval_timeout: float
    now_ns: int | None = None
    """The scan's clock reading, what ``time.now_ns()`` returns to policies (None: read the clock now)."""


def runtime_data(now_ns: int | None = None) -> dict[str, Any]:
    """``data.regoscan_runtime``: what the stand-ins of outside-reaching built-ins return
    (``policies/lib/compat.rego``); one clock reading for the whole scan."""
    return {"regoscan_runtime": {"now_ns": time.time_ns() if now_ns is None else now_ns}}


@dataclass
class Evaluated:
    checks: list[CheckMetadata]
    findings: dict[str, list[Finding]]
    """Per file path."""
    file_notices: dict[str, list[tuple[Notice, str | None]]]
    policy_notices: list[Notice]
    unstable: set[str]
    """Files with a crashed or timed-out evaluation: never cached."""


def evaluate(cfg: PolicyInputs, documents: list[Document], notices: NoticeSink,
             progress: Callable[[str], None] | None,
             tick: Callable[[str, int, int], None] | None = None) -> Evaluated:
    """``tick("evaluated", done, total)`` is called as each document's result arrives
    (from worker threads), for a progress display."""
    # regopy's import and the interpreter start overlap the policy preparation below
    early = spawn_worker()
    try:
        return _evaluate_with(cfg, documents, notices, progress, early, tick)
    except BaseException:
        if early is not None:
            early.close()  # a no-op when the runtime already took and closed it
        raise


def _evaluate_with(cfg: PolicyInputs, documents: list[Document], notices: NoticeSink,
                   progress: Callable[[str], None] | None, early: WorkerProcess | None,
                   tick: Callable[[str, int, int], None] | None = None) -> Evaluated:
    policy_notices: list[Notice] = []

    def policy_notice(n: Notice) -> None:
        policy_notices.append(Notice(n.level, n.code, n.message, n.path, n.line, n.check_id))
        notices.add(n)

    modules, load_notices = load_modules(cfg.policies, cfg.root, cfg.builtin)
    for n in load_notices:
        policy_notice(n)

    def rule_paths(mod: PreparedModule) -> dict[str, Any]:
        """rego-cpp's list of the rules ``mod`` defines (see ``policyset.confirm_closed``)."""
        nonlocal early
        if early is None:
            return {"ok": False, "error": "the Rego engine could not be started"}
        try:
            return early.rule_paths(mod.name, mod.text, timeout=120.0)
        except WorkerError as exc:
            early.close()  # the runtime starts a fresh worker
            early = None
            return {"ok": False, "error": str(exc)}

    modules, closed_notices = confirm_closed(modules, rule_paths)
    for n in closed_notices:
        policy_notice(n)
    packages = sorted({m.package for m in modules if m.package})
    data, data_notices = load_data(cfg.data, cfg.root, packages)
    for n in data_notices:
        policy_notice(n)
    data = {**data, "namespaces": packages, **runtime_data(cfg.now_ns)}

    by_pkg, check_pkgs = describe(modules, cfg.namespaces)
    meta_eps = set(metadata_entrypoints(by_pkg, check_pkgs))
    for pkg, mods in by_pkg.items():
        if pkg not in check_pkgs and any(m.exceptions for m in mods):
            meta_eps.update(entrypoint(pkg, "__rego_metadata__") for m in mods if m.rule_line("__rego_metadata__"))
    units, origins = policy_units(modules, set(check_pkgs), meta_eps)
    builtin = {m.name for m in modules if m.builtin}
    builtin_eps = {ep for u in units if u.name in builtin for ep in u.entrypoints}
    runtime = PolicyRuntime(units, data, workers=cfg.workers, eval_timeout=cfg.eval_timeout, prestarted=early,
                            patient=builtin_eps)
    try:
        # the built-in library alone is compiled by its own tests: no whole-set build to vet it
        runtime.prepare(trusted=not cfg.policies and not cfg.data and all(m.builtin for m in modules))
        sink = NoticeSink()
        quarantine_notices(runtime, modules, sink)
        for n in sink.notices:
            policy_notice(n)
        bad = {q.unit for q in runtime.quarantined}
        good_modules = [m for m in modules if m.name not in bad]
        legacy = legacy_metadata(runtime, meta_eps)
        policy = assemble(good_modules, cfg.namespaces, data, legacy, [])
        for n in policy.notices:
            policy_notice(n)
        builder = FindingBuilder(policy, runtime, origins, notices)
        jobs: list[Job] = []
        job_docs: dict[int, Document] = {}
        for i, doc in enumerate(documents):
            job = builder.job_for(i, doc)
            if job is not None:
                jobs.append(job)
                job_docs[i] = doc
        routed: set[str] = set()
        split_builtin_checks(runtime, jobs, {m.name: m.package for m in good_modules}, routed)
        plan_queries(runtime, [j for j in jobs if job_docs[j.id].input_type is InputType.KUBERNETES])
        group_by_type(runtime, jobs, job_docs, leave_out=routed)
        if progress:
            progress(f"evaluating {len(policy.checks)} checks on {len(jobs)} documents")
        done = iter(range(1, len(jobs) + 1))  # next() on a range iterator is atomic under the GIL
        results = runtime.run(jobs, on_result=(lambda _res: tick("evaluated", next(done), len(jobs))) if tick else None)
        # findings are built while the runtime is up: an exception that errors is probed
        # on it to name the failing statement's line
        per_file: dict[str, list[Finding]] = {}
        unstable: set[str] = set()
        for res in results:
            doc = job_docs[res.id]
            per_file.setdefault(doc.path, []).extend(builder.findings(doc, res))
            if res.failures:
                unstable.add(doc.path)
    finally:
        runtime.close()
    for found in per_file.values():
        found.sort(key=finding_order)
        number_repeats(found)
    checks = sorted((c.metadata for c in policy.checks), key=lambda m: (m.id, m.package))
    return Evaluated(checks, per_file, builder.file_notices, policy_notices, unstable)
