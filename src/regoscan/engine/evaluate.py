"""The evaluation stage: policies loaded once, documents evaluated in workers.

Input: parsed documents. Output: findings per file, and the notices that belong to the
policy set (cacheable once) apart from those that belong to one file.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regoscan.engine.findings import FindingBuilder, number_repeats
from regoscan.engine.notices import NoticeSink
from regoscan.engine.outcome import Evaluated, finding_order
from regoscan.engine.planning import PLAN_MIN_JOBS, check_groups, route, type_group
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
from regoscan.models import Document, Finding, InputType, Notice
from regoscan.rego.prebuilt import Cuts, read_cuts, read_prepared, read_shipped
from regoscan.rego.prepare import PreparedModule
from regoscan.rego.process import WorkerError, WorkerProcess
from regoscan.rego.runtime import JobResult, JobStream, PolicyRuntime, spawn_worker
from regoscan.resources import bundles_dir


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
    shipped_bundles: Path | None = None
    """Where compiled bundles of the built-in checks are looked for (None: the installed package's,
    ``resources.bundles_dir``; see ``rego.prebuilt``)."""


def runtime_data(now_ns: int | None = None) -> dict[str, Any]:
    """``data.regoscan_runtime``: what the stand-ins of outside-reaching built-ins return
    (``policies/lib/compat.rego``); one clock reading for the whole scan."""
    return {"regoscan_runtime": {"now_ns": time.time_ns() if now_ns is None else now_ns}}


class Evaluation:
    """The evaluation stage, started before the inputs are parsed.

    Why: parsing the inputs and preparing the policies took about 0.8 s before a worker
    evaluated anything, one core working and the other idle. Now the policies are loaded
    first, the workers start loading or compiling bundles, and each document is queued for
    evaluation as soon as it is parsed (``add``); ``finish`` waits for the last results and
    turns them into findings. Notices about the policy set are held back until ``finish``,
    so every report lists them where it did when the stages ran one after the other.
    ``expected`` is how many documents may come (the number of files found): with few, no
    second worker starts, and the checks are not split into bundles of their own unless
    shipped compiled bundles make that free.
    """

    def __init__(self, cfg: PolicyInputs, notices: NoticeSink, progress: Callable[[str], None] | None,
                 tick: Callable[[str, int, int], None] | None = None, *, expected: int = 0,
                 early: WorkerProcess | None = None) -> None:
        self._notices = notices
        self._progress = progress
        self._tick = tick
        self.policy_notices: list[Notice] = []
        self._held: list[Notice] = []
        self._docs: dict[int, Document] = {}
        self._submitted = 0
        self._done = 0
        self._lock = threading.Lock()
        self._type_groups: dict[InputType, str | None] = {}
        # regopy's import and the interpreter start overlap the policy preparation below
        if early is None:
            early = spawn_worker()
        try:
            self._prepare(cfg, early, expected)
        except BaseException:
            if early is not None:
                early.close()  # a no-op when the runtime already took and closed it
            if getattr(self, "runtime", None) is not None:
                self.runtime.close()
            raise

    def _policy_notice(self, n: Notice) -> None:
        self.policy_notices.append(Notice(n.level, n.code, n.message, n.path, n.line, n.check_id))
        self._held.append(n)

    def _prepare(self, cfg: PolicyInputs, early: WorkerProcess | None, expected: int) -> None:
        shipped = read_shipped(cfg.shipped_bundles if cfg.shipped_bundles is not None else bundles_dir())
        self.cuts: Cuts = read_cuts(shipped) or {}
        """Library cuts per built-in check: the shipped ones, and those made in this run (``engine.prebuild``
        ships them)."""
        modules, load_notices = load_modules(cfg.policies, cfg.root, cfg.builtin, read_prepared(shipped))
        for n in load_notices:
            self._policy_notice(n)

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
            self._policy_notice(n)
        packages = sorted({m.package for m in modules if m.package})
        data, data_notices = load_data(cfg.data, cfg.root, packages)
        for n in data_notices:
            self._policy_notice(n)
        data = {**data, "namespaces": packages, **runtime_data(cfg.now_ns)}

        by_pkg, check_pkgs = describe(modules, cfg.namespaces)
        meta_eps = set(metadata_entrypoints(by_pkg, check_pkgs))
        for pkg, mods in by_pkg.items():
            if pkg not in check_pkgs and any(m.exceptions for m in mods):
                meta_eps.update(entrypoint(pkg, "__rego_metadata__") for m in mods if m.rule_line("__rego_metadata__"))
        units, origins = policy_units(modules, set(check_pkgs), meta_eps)
        builtin = {m.name for m in modules if m.builtin}
        builtin_eps = {ep for u in units if u.name in builtin for ep in u.entrypoints}
        self.runtime = runtime = PolicyRuntime(units, data, workers=cfg.workers, eval_timeout=cfg.eval_timeout,
                                               prestarted=early, patient=builtin_eps, shipped=shipped)
        # the built-in library alone is compiled by its own tests: no whole-set build to vet it
        runtime.prepare(trusted=not cfg.policies and not cfg.data and all(m.builtin for m in modules))
        sink = NoticeSink()
        quarantine_notices(runtime, modules, sink)
        for n in sink.notices:
            self._policy_notice(n)
        bad = {q.unit for q in runtime.quarantined}
        good_modules = [m for m in modules if m.name not in bad]
        legacy = legacy_metadata(runtime, meta_eps)
        self.policy = policy = assemble(good_modules, cfg.namespaces, data, legacy, [])
        for n in policy.notices:
            self._policy_notice(n)
        self.builder = FindingBuilder(policy, runtime, origins, self._notices)
        # a bundle per built-in check: free with shipped bundles, else worth its compiling for many documents
        self._routes: dict[str, str] | None = None
        self._routed: set[str] = set()
        if shipped is not None or expected >= PLAN_MIN_JOBS:
            self._routes = check_groups(runtime, {m.name: m.package for m in good_modules}, self._routed,
                                        self.cuts)
        self._expected = expected
        self._stream: JobStream | None = None

    def _evaluated(self, _res: JobResult) -> None:
        with self._lock:
            self._done += 1
            done, total = self._done, self._submitted
        if self._tick is not None:
            self._tick("evaluated", done, total)

    def add(self, documents: list[Document]) -> None:
        """Queue documents for evaluation (in the order their findings are to be reported)."""
        for doc in documents:
            i = len(self._docs)
            self._docs[i] = doc
            job = self.builder.job_for(i, doc)
            if job is None:
                continue
            if self._routes is not None:
                route(job, self._routes)
            group = self._type_group(doc.input_type)
            if group is not None:
                job.group = group
            with self._lock:
                self._submitted += 1
            self._jobs().submit(job)

    def _jobs(self) -> JobStream:
        if self._stream is None:
            self._stream = self.runtime.stream(self._evaluated if self._tick else None, expected=self._expected)
        return self._stream

    def _type_group(self, input_type: InputType) -> str | None:
        """The bundle for documents of this type: without the other types' built-in checks (nor
        the checks with bundles of their own). None: the whole set (a few documents, when the
        whole set is compiled already, are cheaper there than in a second build)."""
        if input_type in self._type_groups:
            return self._type_groups[input_type]
        group: str | None = None
        if not (self._expected < PLAN_MIN_JOBS and self.runtime.whole_set_compiled):
            group = type_group(self.runtime, input_type, self._routed)
        self._type_groups[input_type] = group
        return group

    def finish(self) -> Evaluated:
        """Wait for every result; findings per file, and the notices in report order."""
        if self._progress:
            self._progress(f"evaluating {len(self.policy.checks)} checks on {self._submitted} documents")
        results = self._jobs().close()
        # notices about the policy set come first, as when the stages ran one after the other
        for n in self._held:
            self._notices.add(n)
        # findings are built while the runtime is up: an exception that errors is probed
        # on it to name the failing statement's line
        per_file: dict[str, list[Finding]] = {}
        unstable: set[str] = set()
        for res in results:
            doc = self._docs[res.id]
            per_file.setdefault(doc.path, []).extend(self.builder.findings(doc, res))
            if res.failures:
                unstable.add(doc.path)
        for found in per_file.values():
            found.sort(key=finding_order)
            number_repeats(found)
        checks = sorted((c.metadata for c in self.policy.checks), key=lambda m: (m.id, m.package))
        return Evaluated(checks, per_file, self.builder.file_notices, self.policy_notices, unstable)

    def close(self) -> None:
        """Stop the workers (after ``finish``, or instead of it when the scan failed)."""
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
        self.runtime.close()
