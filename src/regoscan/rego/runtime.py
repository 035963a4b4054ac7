"""Compile a policy set once, quarantine what breaks, and evaluate in worker processes.

regopy compiles the whole program at once: one module that fails to compile (or that
crashes the compiler) takes every other module down with it, and the error rarely
names the module. So the set is first built as a whole (the common, cheap case);
only when that fails is each module tried on its own, next to the libraries, to find
and quarantine the culprits. Evaluation then runs on worker processes; a crash or hang
loses one evaluation, which is re-run entrypoint by entrypoint to name the policy.
"""

from __future__ import annotations

import collections
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from regoscan.rego.input_nodes import tree_safe
from regoscan.rego.prebuilt import Shipped, bundle_key
from regoscan.rego.process import WorkerCrashed, WorkerError, WorkerProcess, WorkerTimeout
from regoscan.rego.values import wire_value

PROBE_MODULE = ("__regoscan_probe.rego", "package __regoscan_probe\n\nok := true\n")
PROBE_ENTRYPOINT = "__regoscan_probe/ok"
_BATCH = 16  # jobs per request to a worker (a batch of Kubernetes workloads takes ~0.1 s)
_LOAD_BURST = 64  # shipped bundles per exchange (``PolicyRuntime._preload``): ~25 KB of requests, under a pipe's 64 KB
_SPAWN_BACKLOG = 32  # jobs waiting before a second worker pays for its start (~0.15 s of CPU)
_MAX_CRASHES_PER_ENTRYPOINT = 2


@dataclass
class PolicyUnit:
    """One module and the entrypoints that live in it."""

    name: str
    text: str
    entrypoints: list[str] = field(default_factory=list)
    library: bool = False
    rule_spans: list[tuple[int, int]] = field(default_factory=list)
    """1-based line ranges of the module's rules, to find which rule breaks compilation."""


@dataclass
class Quarantined:
    unit: str
    message: str
    line: int | None = None
    column: int | None = None
    crashed: bool = False
    syntax: list[dict[str, Any]] = field(default_factory=list)
    """Every syntax error the engine listed ({line, column, message}), innermost first."""


@dataclass
class Group:
    """A bundle of some of the units, compiled (or loaded) when a job first needs it."""

    units: list[PolicyUnit]
    data: dict[str, Any] | None = None
    """The data compiled into the bundle (None: the runtime's whole data)."""


@dataclass
class Job:
    id: int
    input: Any
    """The document as the engine is to get it: JSON values (sent with ``values.wire_value``)."""
    entrypoints: list[str]
    group: str = "main"
    """The engine group to evaluate in (see ``PolicyRuntime.define_group``)."""
    strict: list[str] = field(default_factory=list)
    """Entrypoints (of ``entrypoints``) evaluated with built-in errors as
    errors, not undefined: exceptions, which must fail closed (see ``worker.Engine.evaluate``)."""
    routes: dict[str, str] = field(default_factory=dict)
    """Entrypoints evaluated in another group than ``group`` (see ``PolicyRuntime.define_units``)."""

    def parts(self) -> dict[str, list[str]]:
        """The job's entrypoints by the group they are evaluated in, in order."""
        out: dict[str, list[str]] = {}
        for ep in self.entrypoints:
            out.setdefault(self.routes.get(ep, self.group), []).append(ep)
        return out


@dataclass
class JobResult:
    id: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    """Entrypoints that returned an evaluation error (conflict, type error...)."""
    failures: dict[str, str] = field(default_factory=dict)
    """Entrypoints that crashed or hung the engine, or were skipped after repeated crashes."""


class PolicyRuntime:
    """A validated set of modules, ready to evaluate documents."""

    def __init__(self, units: list[PolicyUnit], data: dict[str, Any], *, workers: int | None = None,
                 eval_timeout: float = 20.0, load_timeout: float = 120.0,
                 prestarted: WorkerProcess | None = None, patient: Collection[str] = (),
                 shipped: Shipped | None = None) -> None:
        self.units = units
        self.shipped = shipped
        """Compiled bundles shipped with regoscan, loaded instead of compiling a group when one
        was built from exactly the group's modules, data and entrypoints (``rego.prebuilt``)."""
        self.patient = frozenset(patient)
        """Entrypoints whose timeouts count like crashes: banned after repeated failures, not the
        first. A built-in check that times out on one huge document (a 9 MB ConfigMap) is that
        document's problem; every other document still gets it."""
        self.data = data
        self.max_workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.eval_timeout = eval_timeout
        self.load_timeout = load_timeout
        self.quarantined: list[Quarantined] = []
        self._good: list[PolicyUnit] = []
        self._idle: list[WorkerProcess] = []
        self._lock = threading.Lock()
        self._crash_counts: dict[str, int] = {}
        self._banned: dict[str, str] = {}
        """Entrypoints no longer evaluated, with why: "timed out" or "crashed the engine"."""
        self._prestarted = prestarted
        """A worker spawned early (see ``spawn_worker``) so its start overlaps the caller's work."""
        self._groups: dict[str, Group] = {}
        self._broken_groups: set[str] = set()
        self._claims: dict[str, threading.Event] = {}
        """Groups one worker has started to compile; the others wait for its saved bundle."""
        self.bundle_stats: dict[str, int] = {"prebuilt": 0, "compiled": 0, "shared": 0, "rejected": 0}
        """How the groups' bundles came to the workers: loaded from a shipped copy, compiled here,
        loaded from another worker's copy, shipped copies refused (stale or corrupt)."""
        self._bundle_dir: str | None = None
        """Where one worker saves a compiled group for the others to load (see ``_load_group``)."""
        self._shipped_copies: dict[str, dict[str, str] | None] = {}
        """Each group's shipped copy (None: none), looked up once for every worker (``_prebuilt``)."""
        self.tree_inputs = tree_safe(u.text for u in units)
        """Documents go to the workers as built trees (``rego.input_nodes``): no module of the set
        calls a built-in that refuses them."""
        self.whole_set_compiled = True
        """False after a trusted ``prepare``: no worker holds the whole set, so a smaller group costs no extra build."""

    # ------------------------------------------------------------------ loading

    @property
    def compiled_units(self) -> list[PolicyUnit]:
        """The units that compiled (after ``prepare``)."""
        return list(self._good)

    @property
    def entrypoints(self) -> list[str]:
        return [ep for u in self._good for ep in u.entrypoints]

    def _modules(self, units: list[PolicyUnit]) -> list[tuple[str, str]]:
        return [PROBE_MODULE, *((u.name, u.text) for u in units)]

    def _eps(self, units: list[PolicyUnit]) -> list[str]:
        return [PROBE_ENTRYPOINT, *(ep for u in units for ep in u.entrypoints)]

    def _try_load(self, worker: WorkerProcess | None, units: list[PolicyUnit]) -> tuple[WorkerProcess | None,
                                                                                       dict[str, Any]]:
        """Load ``units`` into a worker; returns the (possibly new) worker and the reply."""
        try:
            if worker is None:
                worker = WorkerProcess()
            reply = worker.load(self._modules(units), self.data, self._eps(units), self.load_timeout)
            if reply.get("ok"):
                # a module can crash the engine on its first query: smoke-test with an empty input
                list(worker.evaluate([{"id": 0, "input": wire_value({}), "entrypoints": [PROBE_ENTRYPOINT]}],
                                     trace=False, timeout=self.load_timeout))
            return worker, reply
        except WorkerError as exc:
            if worker is not None:
                worker.close()
            return None, {"ok": False, "crashed": True, "timeout": isinstance(exc, WorkerTimeout),
                          "build_error": str(exc)}

    def prepare(self, trusted: bool = False) -> list[Quarantined]:
        """Build the set; quarantine modules that fail alone or together. Returns the quarantined.

        ``trusted``: the set is known to compile (regoscan's own library alone, which its
        tests compile): the whole-set build is skipped (0.3-0.5 s of a scan's start) and
        each group compiles when first needed, the whole set only if a group fails.
        """
        candidates = list(self.units)
        worker: WorkerProcess | None = self._prestarted
        self._prestarted = None
        if trusted:
            self.whole_set_compiled = False
            self._good = candidates
            if worker is not None:
                self._idle.append(worker)
            return self.quarantined
        for _ in range(len(candidates) + 2):
            worker, reply = self._try_load(worker, candidates)
            if reply.get("ok"):
                self._good = candidates
                if worker is not None:
                    self._idle.append(worker)
                return self.quarantined
            syntax = reply.get("module_errors") or []
            if syntax:
                bad_names = {e["module"] for e in syntax}
                for entry in syntax:
                    first = entry["errors"][0]
                    self.quarantined.append(Quarantined(entry["module"], first["message"], first.get("line"),
                                                        first.get("column"), syntax=entry["errors"]))
                candidates = [u for u in candidates if u.name not in bad_names]
                continue
            worker = self._isolate(worker, candidates)
            candidates = [u for u in candidates if u.name not in {q.unit for q in self.quarantined}]
        self._good = []
        return self.quarantined

    def _isolate(self, worker: WorkerProcess | None, units: list[PolicyUnit]) -> WorkerProcess | None:
        """Find the modules that fail: libraries alone, then each module beside the libraries."""
        libs = [u for u in units if u.library]
        others = [u for u in units if not u.library]
        worker, reply = self._try_load(worker, libs)
        good_libs: list[PolicyUnit] = libs
        if not reply.get("ok"):
            good_libs = []
            for lib in libs:
                worker, r = self._try_load(worker, [lib])
                if r.get("ok"):
                    good_libs.append(lib)
                else:
                    self._quarantine(lib, r)
        found = False
        for unit in others:
            worker, r = self._try_load(worker, [*good_libs, unit])
            if not r.get("ok"):
                line = None
                if not r.get("timeout"):  # a module too slow to compile is not searched rule by rule
                    worker, line = self._culprit_line(worker, good_libs, unit)
                self._quarantine(unit, r, line=line)
                found = True
        if not found:
            # each works alone but not together: add them one by one to find the conflicts
            accepted: list[PolicyUnit] = list(good_libs)
            for unit in others:
                worker, r = self._try_load(worker, [*accepted, unit])
                if r.get("ok"):
                    accepted.append(unit)
                else:
                    self._quarantine(unit, r, together=True)
        return worker

    def _culprit_line(self, worker: WorkerProcess | None, libs: list[PolicyUnit],
                      unit: PolicyUnit) -> tuple[WorkerProcess | None, int | None]:
        """The rule that breaks compilation, found by blanking rules out (bisecting).

        regopy's compile errors carry no location, but users need a line to fix. With
        the first ``k`` rules blanked the module compiles once ``k`` passes the culprit,
        so the shortest such prefix ends at it: about log2(rules) compilations. Trying
        one rule at a time took one compilation per rule, hours for a hostile module
        of a few thousand rules. With several culprits, the last one of them is named.
        """
        spans = unit.rule_spans
        lines = unit.text.split("\n")

        def compiles(k: int) -> bool:
            nonlocal worker
            keep = [True] * len(lines)
            for start, end in spans[:k]:
                keep[start - 1 : end] = [False] * (min(end, len(lines)) - start + 1)
            reduced = [ln if kept else "" for ln, kept in zip(lines, keep, strict=True)]
            candidate = PolicyUnit(unit.name, "\n".join(reduced), [], False)
            worker, r = self._try_load(worker, [*libs, candidate])
            return bool(r.get("ok"))

        if not spans or not compiles(len(spans)):
            return worker, None
        low, high = 1, len(spans)  # compiles(high) holds; compiles(0) did not (the caller saw it fail)
        while low < high:
            mid = (low + high) // 2
            if compiles(mid):
                high = mid
            else:
                low = mid + 1
        return worker, spans[low - 1][0]

    def _quarantine(self, unit: PolicyUnit, reply: dict[str, Any], together: bool = False,
                    line: int | None = None) -> None:
        msg = reply.get("build_error") or "failed to compile"
        if reply.get("timeout"):
            msg = f"did not compile within {self.load_timeout:g} s (too large or too complex)"
        elif reply.get("crashed"):
            msg = f"crashed the Rego engine while compiling: {msg}"
        elif together:
            msg = f"fails to compile together with the other policies: {msg}"
        else:
            msg = f"failed to compile: {msg}"
        self.quarantined.append(Quarantined(unit.name, msg, line=line, crashed=bool(reply.get("crashed"))))

    def define_group(self, name: str, unit_names: set[str]) -> None:
        """A smaller bundle, compiled lazily in each worker, for jobs that need only these units.

        On regopy a query costs more the more modules the bundle holds (a Dockerfile check:
        0.33 ms beside its libraries, 0.57 ms beside the whole built-in library), so jobs of
        one input type are better evaluated without the other types' checks. A group that
        fails to compile falls back to the whole set.
        """
        self._groups[name] = Group([u for u in self._good if u.name in unit_names])
        self._shipped_copies.pop(name, None)

    def define_units(self, name: str, units: list[PolicyUnit], data: dict[str, Any] | None = None) -> None:
        """A group made of these units (which may be reduced copies of compiled ones, see
        ``rego.shake``); like ``define_group``, it falls back to the whole set if it fails.
        ``data``: what to compile into it instead of the whole data (the part its modules
        read, see ``engine.planning.data_slice``)."""
        self._groups[name] = Group(list(units), data)
        self._shipped_copies.pop(name, None)

    def group_units(self, name: str) -> list[PolicyUnit]:
        return list(self._groups[name].units)

    @property
    def group_names(self) -> list[str]:
        return list(self._groups)

    def load_request(self, group: str) -> tuple[list[tuple[str, str]], dict[str, Any], list[str]]:
        """(modules, data, entrypoints) a worker compiles for the group: what a shipped
        bundle's key is computed from (``rego.prebuilt.bundle_key``)."""
        spec = self._groups[group]
        return self._modules(spec.units), self.data if spec.data is None else spec.data, self._eps(spec.units)

    def _preload(self, worker: WorkerProcess, groups: list[str]) -> None:
        """The shipped bundles of these groups that the worker lacks, loaded in bursts of one
        exchange each (``WorkerProcess.load_shipped``); anything else, and a copy the worker
        refuses, is left to ``_load_group``."""
        wanted: dict[str, tuple[str, list[str], dict[str, str], str]] = {}
        for group in groups:
            if group == "main" or group in wanted or group in worker.loaded or group in self._broken_groups:
                continue
            modules, data, eps = self.load_request(group)
            prebuilt = self._prebuilt(group, modules, data, eps)
            if prebuilt is not None and eps:
                wanted[group] = (group, eps, prebuilt, self._bundle_path(group))
        bundles = list(wanted.values())
        for start in range(0, len(bundles), _LOAD_BURST):
            for reply in worker.load_shipped(bundles[start:start + _LOAD_BURST], self.load_timeout):
                if reply.get("ok"):
                    self._count_load(reply)

    def _prebuilt(self, group: str, modules: list[tuple[str, str]], data: dict[str, Any],
                  eps: list[str]) -> dict[str, str] | None:
        """The shipped copy of a group's bundle, looked up once per group (not per worker)."""
        if self.shipped is None:
            return None
        with self._lock:
            if group in self._shipped_copies:
                return self._shipped_copies[group]
        found = self.shipped.lookup(bundle_key(modules, data, eps))
        with self._lock:
            self._shipped_copies[group] = found
        return found

    def _bundle_path(self, group: str) -> str:
        """The file a group's compiled bundle is shared through, between this run's workers."""
        with self._lock:
            if self._bundle_dir is None:
                self._bundle_dir = tempfile.mkdtemp(prefix="regoscan-bundles-")
        return os.path.join(self._bundle_dir, hashlib.sha256(group.encode()).hexdigest()[:32] + ".rbb")

    def _ensure(self, worker: WorkerProcess, group: str) -> str:
        """Compile or load ``group`` in the worker if needed; the group to use (``main`` when it fails)."""
        if group != "main" and group not in self._broken_groups:
            if group in worker.loaded:
                return group
            if self._load_group(worker, group, wait=True):
                return group
        if "main" not in worker.loaded:
            reply = worker.load(self._modules(self._good), self.data, self._eps(self._good), self.load_timeout)
            if not reply.get("ok"):
                raise RuntimeError(f"policy set that compiled before no longer compiles: {reply}")
        return "main"

    def _load_group(self, worker: WorkerProcess, group: str, *, wait: bool) -> bool | None:
        """Give the worker the group's bundle: a shipped copy, another worker's, or compiled here.

        A group no worker has claimed is compiled here and saved for the others; one another
        worker is compiling is waited for (``wait``) and then loaded, or left alone (None).
        False when the group does not compile (it is then marked broken).
        """
        modules, data, eps = self.load_request(group)
        prebuilt = self._prebuilt(group, modules, data, eps)
        with self._lock:
            claim = self._claims.get(group)
            mine = claim is None
            if mine:
                self._claims[group] = claim = threading.Event()
        if not mine and prebuilt is None:
            if not wait:
                return None
            claim.wait(self.load_timeout)
        try:
            # with a shipped copy the modules stay here (~20 KB of JSON each way per group and
            # worker, while the worker waits); a worker that refuses the copy asks for them
            reply = worker.load([] if prebuilt else modules, {} if prebuilt else data, eps, self.load_timeout,
                                group=group, path=self._bundle_path(group), prebuilt=prebuilt)
            if reply.get("need_modules"):
                rejected = reply.get("rejected")
                reply = worker.load(modules, data, eps, self.load_timeout, group=group, path=self._bundle_path(group))
                reply["rejected"] = reply.get("rejected") or rejected  # the second reply knows nothing of the copy
        except WorkerError:
            with self._lock:
                self._broken_groups.add(group)
            raise
        finally:
            if mine:
                claim.set()
        self._count_load(reply)
        if not reply.get("ok"):
            with self._lock:
                self._broken_groups.add(group)
        return bool(reply.get("ok"))

    def _count_load(self, reply: dict[str, Any]) -> None:
        """``bundle_stats`` for one load reply: how the bundle came, and a shipped copy refused."""
        with self._lock:
            how = reply.get("source", "compiled")
            self.bundle_stats[how] = self.bundle_stats.get(how, 0) + 1
            if reply.get("rejected"):
                self.bundle_stats["rejected"] += 1

    def probe(self, unit: PolicyUnit, document: Any) -> JobResult | None:
        """Evaluate an extra module's entrypoints beside the compiled set, strictly, on one input.

        For diagnostics after an error (``rego.probe``): the module is compiled once per
        worker in a group of its own and never joins the set. ``None`` when it does not
        compile or the engine fails.
        """
        group = f"probe:{unit.name}"
        if not self._good or group in self._broken_groups:
            return None
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        try:
            if worker is None:
                worker = self._start_worker()
            if group not in worker.loaded:
                reply = worker.load(self._modules([*self._good, unit]), self.data, self._eps([unit]),
                                    self.load_timeout, group=group)
                if not reply.get("ok"):
                    with self._lock:
                        self._broken_groups.add(group)
                    return None
            payload = [{"id": 0, "input": wire_value(document), "entrypoints": unit.entrypoints, "group": group,
                        "strict": unit.entrypoints, "tree": self.tree_inputs}]
            raws = list(worker.evaluate(payload, trace=False, timeout=self.eval_timeout))
        except WorkerError:
            worker = None
            with self._lock:
                self._broken_groups.add(group)
            return None
        finally:
            if worker is not None:
                with self._lock:
                    self._idle.append(worker)
        raw = raws[0] if raws else {}
        return JobResult(0, values=raw.get("values", {}), errors=raw.get("errors", {}))

    # --------------------------------------------------------------- evaluation

    def run(self, jobs: list[Job], on_result: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        """Evaluate every job; never raises for engine crashes (they become ``failures``)."""
        stream = self.stream(on_result, expected=len(jobs))
        for job in jobs:
            stream.submit(job)
        return stream.close()

    def stream(self, on_result: Callable[[JobResult], None] | None = None, expected: int = 0) -> JobStream:
        """Evaluate jobs as they are submitted (while the caller is still parsing inputs).

        ``expected``: how many jobs the caller thinks will come; with enough of them every
        worker starts at once, otherwise a second worker starts only when jobs pile up.
        """
        return JobStream(self, on_result, expected)

    def _start_worker(self) -> WorkerProcess:
        """A fresh worker; bundles are compiled on demand by ``_ensure``."""
        return WorkerProcess()

    def _usable(self, job: Job) -> Job:
        with self._lock:
            banned = set(self._banned)
        if not banned.intersection(job.entrypoints):
            return job
        return Job(job.id, job.input, [ep for ep in job.entrypoints if ep not in banned], group=job.group,
                   strict=job.strict, routes=job.routes)

    def _run_batch(self, worker: WorkerProcess | None, batch: list[Job],
                   collect: Callable[[JobResult], None]) -> WorkerProcess | None:
        pending = {j.id: j for j in batch}
        while pending:
            if worker is None:
                worker = self._start_worker()
            jobs = [self._usable(j) for j in pending.values()]
            try:
                self._preload(worker, [g for j in jobs for g in j.parts()])
                payload = [self._payload(worker, j) for j in jobs]
                for raw in worker.evaluate(payload, trace=False, timeout=self.eval_timeout):
                    job = pending.pop(raw["id"])
                    collect(self._result(job, raw))
            except WorkerError as exc:
                worker = None
                in_flight = self._in_flight(exc, pending)
                if in_flight is not None:
                    job = pending.pop(in_flight)
                    res, worker = self._trace_job(job)
                    collect(res)
        return worker

    def _payload(self, worker: WorkerProcess, job: Job, eps: list[str] | None = None) -> dict[str, Any]:
        """The worker request for a job (or for ``eps`` of it): one part per group it needs."""
        wanted = set(job.entrypoints if eps is None else eps)
        strict = set(job.strict)
        parts = []
        # first the bundles no other worker is compiling, then (waiting if need be) the others'
        for group, group_eps in job.parts().items():
            if group != "main" and group not in worker.loaded and group not in self._broken_groups \
                    and any(ep in wanted for ep in group_eps):
                self._load_group(worker, group, wait=False)
        for group, group_eps in job.parts().items():
            group_eps = [ep for ep in group_eps if ep in wanted]
            if not group_eps:
                continue
            used = self._ensure(worker, group)
            parts.append({"group": used, "entrypoints": group_eps, "strict": [ep for ep in group_eps if ep in strict]})
        return {"id": job.id, "input": wire_value(job.input), "parts": parts, "tree": self.tree_inputs}

    def _in_flight(self, exc: WorkerError, pending: dict[int, Job]) -> int | None:
        """The job that was running when the worker died: the first one not yet answered."""
        return next(iter(pending), None)

    def _result(self, job: Job, raw: dict[str, Any]) -> JobResult:
        res = JobResult(job.id, values=raw.get("values", {}), errors=raw.get("errors", {}))
        with self._lock:
            banned = {ep: self._banned[ep] for ep in job.entrypoints if ep in self._banned}
        for ep, why in banned.items():
            if ep not in res.values:
                res.failures[ep] = _skipped(why)
        return res

    def _trace_job(self, job: Job) -> tuple[JobResult, WorkerProcess | None]:
        """Re-run one job entrypoint by entrypoint, skipping the ones that crash or hang."""
        result = JobResult(job.id)
        remaining = list(job.entrypoints)
        worker: WorkerProcess | None = None
        while remaining:
            with self._lock:
                banned = dict(self._banned)
            for ep in [e for e in remaining if e in banned]:
                result.failures[ep] = _skipped(banned[ep])
                remaining.remove(ep)
            if not remaining:
                break
            if worker is None:
                worker = self._start_worker()
            try:
                payload = [self._payload(worker, job, remaining)]
                for raw in worker.evaluate(payload, trace=True, timeout=self.eval_timeout):
                    result.values.update(raw.get("values", {}))
                    result.errors.update(raw.get("errors", {}))
                remaining = []
            except WorkerError as exc:
                worker = None
                ep = (exc.progress or {}).get("entrypoint")
                if ep is None or ep not in remaining:
                    for e in remaining:
                        result.failures[e] = f"timed out ({exc})" if isinstance(exc, WorkerTimeout) else str(exc)
                    break
                kind = "timed out" if isinstance(exc, WorkerTimeout) else "crashed the Rego engine"
                detail = f"after {self.eval_timeout:g} s" if isinstance(exc, WorkerTimeout) else str(exc)
                result.failures[ep] = f"{kind} ({detail})"
                idx = remaining.index(ep)
                done = remaining[:idx]
                remaining = remaining[idx + 1 :]
                # entrypoints before the crash were evaluated but their values were lost with the process
                remaining = done + remaining
                with self._lock:
                    self._crash_counts[ep] = self._crash_counts.get(ep, 0) + 1
                    if self._crash_counts[ep] >= _MAX_CRASHES_PER_ENTRYPOINT or (
                            isinstance(exc, WorkerTimeout) and ep not in self.patient):
                        self._banned[ep] = "timed out" if isinstance(exc, WorkerTimeout) else "crashed the engine"
                # a crash with no progress means the crash happened outside an entrypoint
                if isinstance(exc, WorkerCrashed) and not remaining:
                    break
        return result, worker

    def close(self) -> None:
        if self._prestarted is not None:
            self._prestarted.close()
            self._prestarted = None
        with self._lock:
            idle, self._idle = self._idle, []
            bundle_dir, self._bundle_dir = self._bundle_dir, None
        for worker in idle:
            worker.request_exit()
        for worker in idle:
            worker.close()
        if bundle_dir is not None:
            shutil.rmtree(bundle_dir, ignore_errors=True)


class JobStream:
    """Jobs evaluated on the runtime's workers as they arrive; ``close`` returns their results.

    One thread per worker takes batches off a shared queue. While jobs are still coming,
    a worker takes what is there (up to ``_BATCH``); once the caller has closed the stream,
    batches shrink so that the workers finish together. A second worker starts when jobs
    pile up (``_SPAWN_BACKLOG``), or at once when the caller expects many jobs.
    """

    def __init__(self, runtime: PolicyRuntime, on_result: Callable[[JobResult], None] | None, expected: int) -> None:
        self._rt = runtime
        self._on_result = on_result
        self._cond = threading.Condition()
        self._jobs: collections.deque[Job] = collections.deque()
        self._order: list[int] = []
        self._results: dict[int, JobResult] = {}
        self._closed = False
        self._errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        with runtime._lock:
            self._idle, runtime._idle = runtime._idle, []
        self._usable = bool(runtime._good)
        if self._usable:
            self._grow(runtime.max_workers if expected >= _SPAWN_BACKLOG else 1)

    def _grow(self, n: int) -> None:
        while len(self._threads) < min(n, self._rt.max_workers):
            worker = self._idle.pop() if self._idle else None
            thread = threading.Thread(target=self._loop, args=(worker,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def submit(self, job: Job) -> None:
        if not self._usable:
            self._results[job.id] = JobResult(job.id, failures=dict.fromkeys(job.entrypoints,
                                                                             "no policy could be loaded"))
            self._order.append(job.id)
            return
        with self._cond:
            self._order.append(job.id)
            self._jobs.append(job)
            backlog = len(self._jobs)
            self._cond.notify()
        if backlog >= _SPAWN_BACKLOG and len(self._threads) < self._rt.max_workers:
            self._grow(len(self._threads) + 1)

    def _take(self) -> list[Job]:
        with self._cond:
            while not self._jobs and not self._closed:
                self._cond.wait()
            if not self._jobs:
                return []
            size = _BATCH
            if self._closed:  # the last jobs: small batches, so that no worker is left alone at the end
                size = max(1, min(_BATCH, len(self._jobs) // (2 * len(self._threads))))
            return [self._jobs.popleft() for _ in range(min(size, len(self._jobs)))]

    def _collect(self, res: JobResult) -> None:
        with self._cond:
            self._results[res.id] = res
        if self._on_result is not None:
            self._on_result(res)

    def _loop(self, worker: WorkerProcess | None) -> None:
        try:
            while batch := self._take():
                worker = self._rt._run_batch(worker, batch, self._collect)
        except BaseException as exc:  # surfaced by close(); a thread must not swallow it
            self._errors.append(exc)
            with self._cond:
                self._closed = True
                self._jobs.clear()
                self._cond.notify_all()
        finally:
            if worker is not None:
                with self._rt._lock:
                    self._rt._idle.append(worker)

    def close(self) -> list[JobResult]:
        """Wait for every submitted job; the results in submission order."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()
        with self._rt._lock:
            self._rt._idle.extend(self._idle)
        self._idle = []
        if self._errors:
            raise self._errors[0]
        return [self._results[i] for i in self._order]


def _skipped(why: str) -> str:
    """A banned entrypoint's failure; it says "timed out" for a timeout (evaluation-timeout)."""
    return f"skipped: this policy {why} on an earlier document"


def spawn_worker() -> WorkerProcess | None:
    """Start a worker now, to be handed to ``PolicyRuntime(prestarted=...)`` later."""
    try:
        return WorkerProcess()
    except (OSError, WorkerError):
        return None
