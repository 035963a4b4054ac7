"""The scan: inputs -> policy set -> evaluation in workers -> findings with suppressions."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regoscan import __version__
from regoscan.engine.cache import ResultCache, policy_key
from regoscan.engine.exceptions import ExceptionTypeError, namespace_names, rule_suffix, rule_suffixes
from regoscan.engine.policyset import (
    METADATA_RULES,
    NAMESPACE_EXCEPTIONS,
    Check,
    ExceptionSource,
    PolicySet,
    assemble,
    collect_policy_files,
    data_files_of,
    describe,
    entrypoint,
    load_data,
    load_modules,
    metadata_entrypoints,
)
from regoscan.engine.results import region_for, rule_results
from regoscan.engine.selectors import applies
from regoscan.inputs.discover import discover
from regoscan.inputs.load import MAX_BYTES, load_file
from regoscan.models import (
    CheckMetadata,
    Document,
    Finding,
    InputFile,
    InputType,
    Notice,
    NoticeLevel,
    ScanReport,
    SuppressionInfo,
)
from regoscan.rego.prepare import PreparedModule
from regoscan.rego.process import WorkerProcess
from regoscan.rego.runtime import Job, JobResult, PolicyRuntime, PolicyUnit, plan_module, spawn_worker

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


@dataclass
class _Origin:
    path: str
    line: int
    package: str
    rule: str
    source: str = ""
    """The module's own text, to find the line of a call the engine names without one."""


class _NoticeSink:
    """Collects notices, folding repeats of the same problem on many documents into one."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self._seen: dict[tuple[str, str, str | None, int | None], tuple[Notice, list[str]]] = {}

    def add(self, notice: Notice, document: str | None = None) -> None:
        key = (notice.code, notice.message, notice.path, notice.line)
        if key in self._seen:
            if document:
                self._seen[key][1].append(document)
            return
        self._seen[key] = (notice, [document] if document else [])
        self.notices.append(notice)

    def finish(self) -> list[Notice]:
        for notice, docs in self._seen.values():
            if docs:
                first = docs[0]
                more = f" and {len(docs) - 1} more" if len(docs) > 1 else ""
                notice.message = f"{notice.message} (while evaluating {first}{more})"
        return self.notices


def _units(modules: list[PreparedModule], check_pkgs: set[str], meta_eps: set[str]) -> tuple[
        list[PolicyUnit], dict[str, _Origin]]:
    units: list[PolicyUnit] = []
    origins: dict[str, _Origin] = {}
    for mod in modules:
        eps: list[str] = []
        pkg = mod.package or ""
        if pkg in check_pkgs:
            for rule in mod.check_rules:
                ep = entrypoint(pkg, rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = _Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        if pkg in check_pkgs or pkg == NAMESPACE_EXCEPTIONS or mod.exceptions:
            for d in mod.exceptions:
                ep = entrypoint(pkg, d.rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = _Origin(mod.path, d.line, pkg, "exception", mod.original)
        for rule in METADATA_RULES:
            ep = entrypoint(pkg, rule)
            if ep in meta_eps and ep not in origins and mod.rule_line(rule) is not None:
                eps.append(ep)
                origins[ep] = _Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        units.append(PolicyUnit(mod.name, mod.text, eps, library=not eps, rule_spans=mod.rule_spans))
    return units, origins


def _suppression(src: ExceptionSource, matched: str) -> SuppressionInfo:
    pairs = tuple(sorted((str(k), v) for k, v in src.metadata.items() if not str(k).startswith("__")))
    return SuppressionInfo(src.kind, src.package, src.path, src.line, matched, pairs)


class _Evaluator:
    def __init__(self, policy: PolicySet, runtime: PolicyRuntime, origins: dict[str, _Origin],
                 notices: _NoticeSink) -> None:
        self.policy = policy
        self.runtime = runtime
        self.good = set(runtime.entrypoints)
        self.origins = origins
        self.notices = notices
        self.file_notices: dict[str, list[tuple[Notice, str | None]]] = {}
        self._plan_cache: dict[tuple[str, str | None], list[Check]] = {}

    def checks_for(self, doc: Document) -> list[Check]:
        key = (doc.input_type.value, (doc.kind or "").lower() or None)
        cached = self._plan_cache.get(key)
        if cached is None:
            cached = [c for c in self.policy.checks if applies(c.metadata, doc)
                      and any(ep in self.good for ep in c.entrypoints)]
            self._plan_cache[key] = cached
        return cached

    def job_for(self, job_id: int, doc: Document) -> Job | None:
        checks = self.checks_for(doc)
        if not checks:
            return None
        eps: list[str] = []
        for c in checks:
            eps.extend(ep for ep in c.entrypoints if ep in self.good)
            eps.extend(e.entrypoint for e in c.exceptions if e.entrypoint in self.good)
        eps.extend(e.entrypoint for e in self.policy.namespace_exceptions if e.entrypoint in self.good)
        return Job(job_id, json.dumps(doc.content, separators=(",", ":")), eps)

    def _problem(self, ep: str, message: str, doc: Document, code: str) -> None:
        origin = self.origins.get(ep)
        where = f"rule {origin.rule} in package {origin.package}" if origin else ep
        path, line = (origin.path, origin.line) if origin else (None, None)
        unknown = _UNKNOWN_FUNCTION.search(message)
        if origin is not None and unknown is not None:
            line = _call_line(origin.source, unknown.group(1), origin.line) or line
        self.notices.add(Notice(NoticeLevel.ERROR, code, f"{where}: {message}", path, line), document=doc.path)
        # an unfolded copy per file, for the result cache
        self.file_notices.setdefault(doc.path, []).append(
            (Notice(NoticeLevel.ERROR, code, f"{where}: {message}", path, line), doc.path))

    def _fail(self, res: JobResult, ep: str) -> str | None:
        if ep in res.failures:
            return res.failures[ep]
        return res.errors.get(ep)

    def findings(self, doc: Document, res: JobResult) -> list[Finding]:
        for ep, msg in res.failures.items():
            code = "evaluation-timeout" if "timed out" in msg else "evaluation-crash"
            self._problem(ep, msg, doc, code)
        for ep, msg in res.errors.items():
            self._problem(ep, msg, doc, "policy-runtime-error")
        exempt_pkgs: dict[str, list[SuppressionInfo]] = {}
        for src in self.policy.namespace_exceptions:
            if src.entrypoint not in self.good or self._fail(res, src.entrypoint):
                continue
            value = res.values.get(src.entrypoint)
            if value is None:
                continue
            try:
                names = namespace_names(value)
            except ExceptionTypeError as exc:
                self._problem(src.entrypoint, str(exc), doc, "exception-error")
                continue
            for name in names:
                exempt_pkgs.setdefault(name, []).append(_suppression(src, name))
        out: list[Finding] = []
        for check in self.checks_for(doc):
            suffixes: list[tuple[ExceptionSource, set[str]]] = []
            for src in check.exceptions:
                if src.entrypoint not in self.good or self._fail(res, src.entrypoint):
                    continue
                value = res.values.get(src.entrypoint)
                if value is None:
                    continue
                try:
                    suffixes.append((src, rule_suffixes(value)))
                except ExceptionTypeError as exc:
                    self._problem(src.entrypoint, str(exc), doc, "exception-error")
            for rule in check.rules:
                ep = entrypoint(check.package, rule)
                if ep not in res.values:
                    continue
                default_msg = check.metadata.title or f"{check.package}.{rule} denied"
                sups = list(exempt_pkgs.get(check.package, []))
                wanted = rule_suffix(rule)
                sups.extend(_suppression(src, wanted) for src, found in suffixes if wanted in found)
                for raw in rule_results(res.values[ep], default_msg):
                    out.append(Finding(
                        check=check.metadata,
                        rule=rule,
                        message=raw.message,
                        path=doc.path,
                        region=region_for(raw, doc.region),
                        document_index=doc.index,
                        resource=doc.resource,
                        suppressions=_unique(sups),
                        identity=_identity(check.metadata.id, doc, raw.message),
                    ))
        return out


_UNKNOWN_FUNCTION = re.compile(r"Function not found: ([A-Za-z_][\w.]*)")


def _call_line(source: str, name: str, rule_line: int) -> int | None:
    """Line of the first call of ``name`` at or after the rule's line (else anywhere in the
    module): regopy reports an unknown function by name only, at evaluation time."""
    call = re.compile(rf"(?<![\w.]){re.escape(name)}\s*\(")
    lines = source.split("\n")
    for index in [*range(rule_line - 1, len(lines)), *range(0, rule_line - 1)]:
        code = lines[index].split("#", 1)[0]
        if call.search(code):
            return index + 1
    return None


def _unique(sups: list[SuppressionInfo]) -> list[SuppressionInfo]:
    """Drop repeats; metadata values may be lists, so compare instead of hashing."""
    out: list[SuppressionInfo] = []
    for s in sups:
        if s not in out:
            out.append(s)
    return out


def _number_repeats(findings: list[Finding]) -> None:
    """Findings with the same identity (same check, file, resource and message, e.g. two
    identical RUN instructions) get an occurrence number in file order, so fingerprints
    stay distinct and still do not depend on line numbers."""
    seen: dict[str, int] = {}
    for f in findings:
        n = seen.get(f.identity, 0)
        seen[f.identity] = n + 1
        if n:
            f.identity = hashlib.sha256(f"{f.identity}#{n}".encode()).hexdigest()[:32]


def _identity(check_id: str, doc: Document, message: str) -> str:
    resource = "/".join(x or "" for x in (doc.kind, doc.namespace, doc.name))
    raw = "\x1f".join((check_id, doc.path, resource, message))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _quarantine_notices(runtime: PolicyRuntime, modules: list[PreparedModule], notices: _NoticeSink) -> None:
    by_name = {m.name: m for m in modules}
    for q in runtime.quarantined:
        mod = by_name.get(q.unit)
        code = "policy-crash" if q.crashed else "policy-compile-error"
        message = f"policy not loaded: {q.message}"
        if mod is not None and mod.log.upgraded_v0:
            message += " (module was upgraded from Rego v0 syntax)"
        notices.add(Notice(NoticeLevel.ERROR, code, message, q.unit, q.line))


def _file_sha(path: Path) -> str | None:
    """SHA-256 of a file's bytes for the cache (None when unreadable or too large to scan)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _open_cache(opts: ScanOptions) -> tuple[ResultCache | None, str, tuple[list[CheckMetadata], list[Notice]] | None]:
    if opts.cache_dir is None:
        return None, "", None
    policy_files = [(display, path.read_bytes()) for path, display, _ in collect_policy_files(
        opts.policies, opts.root, opts.builtin)]
    data_files = [(p.as_posix(), p.read_bytes()) for p in data_files_of(opts.data)]
    key = policy_key(policy_files, data_files, opts.namespaces, opts.builtin)
    cache = ResultCache(opts.cache_dir)
    return cache, key, cache.load_policy(key)


@dataclass
class _Evaluated:
    checks: list[CheckMetadata]
    findings: dict[str, list[Finding]]
    """Per file path."""
    file_notices: dict[str, list[tuple[Notice, str | None]]]
    policy_notices: list[Notice]
    unstable: set[str]
    """Files with a crashed or timed-out evaluation: never cached."""


def _evaluate(opts: ScanOptions, documents: list[Document], notices: _NoticeSink,
              progress: Callable[[str], None] | None) -> _Evaluated:
    # regopy's import and the interpreter start overlap the policy preparation below
    early = spawn_worker()
    try:
        return _evaluate_with(opts, documents, notices, progress, early)
    except BaseException:
        if early is not None:
            early.close()  # a no-op when the runtime already took and closed it
        raise


def _evaluate_with(opts: ScanOptions, documents: list[Document], notices: _NoticeSink,
                   progress: Callable[[str], None] | None, early: WorkerProcess | None) -> _Evaluated:
    policy_notices: list[Notice] = []

    def policy_notice(n: Notice) -> None:
        policy_notices.append(Notice(n.level, n.code, n.message, n.path, n.line, n.check_id))
        notices.add(n)

    modules, load_notices = load_modules(opts.policies, opts.root, opts.builtin)
    for n in load_notices:
        policy_notice(n)
    data, data_notices = load_data(opts.data, opts.root)
    for n in data_notices:
        policy_notice(n)
    packages = sorted({m.package for m in modules if m.package})
    data = {**data, "namespaces": packages}

    by_pkg, check_pkgs = describe(modules, opts.namespaces)
    meta_eps = set(metadata_entrypoints(by_pkg, check_pkgs))
    for pkg, mods in by_pkg.items():
        if pkg not in check_pkgs and any(m.exceptions for m in mods):
            meta_eps.update(entrypoint(pkg, "__rego_metadata__") for m in mods if m.rule_line("__rego_metadata__"))
    units, origins = _units(modules, set(check_pkgs), meta_eps)
    runtime = PolicyRuntime(units, data, workers=opts.workers, eval_timeout=opts.eval_timeout, prestarted=early)
    try:
        runtime.prepare()
        sink = _NoticeSink()
        _quarantine_notices(runtime, modules, sink)
        for n in sink.notices:
            policy_notice(n)
        bad = {q.unit for q in runtime.quarantined}
        good_modules = [m for m in modules if m.name not in bad]
        legacy = _legacy_metadata(runtime, meta_eps)
        policy = assemble(good_modules, opts.namespaces, data, legacy, [])
        for n in policy.notices:
            policy_notice(n)
        evaluator = _Evaluator(policy, runtime, origins, notices)
        jobs: list[Job] = []
        job_docs: dict[int, Document] = {}
        for i, doc in enumerate(documents):
            job = evaluator.job_for(i, doc)
            if job is not None:
                jobs.append(job)
                job_docs[i] = doc
        _plan(runtime, [j for j in jobs if job_docs[j.id].input_type is InputType.KUBERNETES])
        _group(runtime, jobs, job_docs)
        if progress:
            progress(f"evaluating {len(policy.checks)} checks on {len(jobs)} documents")
        results = runtime.run(jobs)
    finally:
        runtime.close()
    per_file: dict[str, list[Finding]] = {}
    unstable: set[str] = set()
    for res in results:
        doc = job_docs[res.id]
        per_file.setdefault(doc.path, []).extend(evaluator.findings(doc, res))
        if res.failures:
            unstable.add(doc.path)
    for found in per_file.values():
        found.sort(key=_finding_order)
        _number_repeats(found)
    checks = sorted((c.metadata for c in policy.checks), key=lambda m: (m.id, m.package))
    return _Evaluated(checks, per_file, evaluator.file_notices, policy_notices, unstable)


def _exclusions(opts: ScanOptions) -> list[str] | None:
    """The user's excludes, plus the cache folder: its JSON entries are not inputs."""
    exclude = list(opts.exclude or [])
    if opts.cache_dir is not None and opts.cache_dir.resolve().is_relative_to(opts.root.resolve()):
        exclude.append(opts.cache_dir.resolve().relative_to(opts.root.resolve()).as_posix())
    return exclude or None


# Below this many documents a plan module costs more to compile than it saves.
_PLAN_MIN_JOBS = 8


def _plan(runtime: PolicyRuntime, jobs: list[Job]) -> None:
    """Give jobs with the same entrypoints one aggregating entrypoint (one query per document).

    Used for Kubernetes documents only: measured on the corpus, it cuts their evaluation by
    about a third, while the Dockerfile checks run slower inside one query than one by one.
    """
    if len(jobs) < _PLAN_MIN_JOBS:
        return
    distinct: dict[tuple[str, ...], int] = {}
    for job in jobs:
        distinct.setdefault(tuple(job.entrypoints), len(distinct))
    unit, names = plan_module([list(eps) for eps in distinct])
    if not runtime.extend(unit):
        return  # evaluate entrypoint by entrypoint, as without plans
    for job in jobs:
        job.plan = names[distinct[tuple(job.entrypoints)]]


# Built-in check modules by the input type they are written for.
_BUILTIN_FAMILIES = {"(builtin)/kubernetes/": InputType.KUBERNETES, "(builtin)/dockerfile/": InputType.DOCKERFILE}


def _group(runtime: PolicyRuntime, jobs: list[Job], docs: dict[int, Document]) -> None:
    """Evaluate each input type in a bundle without the other types' built-in checks.

    Only the built-in checks are left out (they are independent of each other); every
    user module stays in every group, whatever it selects or imports.
    """
    if len(jobs) < _PLAN_MIN_JOBS:
        return
    types = {docs[j.id].input_type for j in jobs}
    everything = {u.name for u in runtime.units}
    for input_type in types:
        keep = {name for name in everything
                if not any(name.startswith(prefix) and family is not input_type
                           for prefix, family in _BUILTIN_FAMILIES.items())}
        if keep == everything:
            continue
        runtime.define_group(input_type.value, keep | {u.name for u in runtime.extra_units})
        for job in jobs:
            if docs[job.id].input_type is input_type:
                job.group = input_type.value


def _finding_order(f: Finding) -> tuple[Any, ...]:
    return (f.path, f.region.start_line, f.check.id, f.rule, f.message)


def run_scan(opts: ScanOptions, progress: Callable[[str], None] | None = None) -> ScanReport:
    notices = _NoticeSink()
    paths = opts.files if opts.files is not None else opts.paths
    found = discover(paths, opts.root, include=opts.include, exclude=_exclusions(opts))
    for n in found.notices:
        notices.add(n)
    cache, pkey, cached_policy = _open_cache(opts)
    checks_by_key = {(c.id, c.package): c for c in cached_policy[0]} if cached_policy else {}

    files: list[InputFile] = []
    findings: list[Finding] = []
    misses: list[InputFile] = []
    parse_notices: dict[str, Notice] = {}
    for cand in found.candidates:
        if cache is not None and cached_policy is not None:
            sha = _file_sha(cand.abs_path)
            hit = cache.load_file(pkey, cand.rel_path, sha, checks_by_key) if sha else None
            if hit is not None:
                cached_file, cached_findings, cached_notices = hit
                files.append(cached_file)
                findings.extend(cached_findings)
                for n, document in cached_notices:
                    notices.add(n, document=document)
                continue
        f = load_file(cand.abs_path, cand.rel_path, cand.input_type_hint)
        n = None
        if f.error:
            n = Notice(NoticeLevel.WARNING, "input-parse-error", f"not scanned: {f.error}", f.path, f.error_line)
        elif not f.documents:  # read fine, nothing to check: said once, not passed over silently
            what = ("no instructions" if f.input_type is InputType.DOCKERFILE
                    else "no documents (empty or only comments)")
            n = Notice(NoticeLevel.NOTE, "input-empty", f"nothing to check: the file has {what}", f.path)
        if n is not None:
            parse_notices[f.path] = n
            notices.add(Notice(n.level, n.code, n.message, n.path, n.line))
        files.append(f)
        misses.append(f)

    documents = [d for f in misses for d in f.documents]
    if cached_policy is not None and not documents:
        checks = cached_policy[0]
        for n in cached_policy[1]:
            notices.add(n)
        evaluated = _Evaluated(checks, {}, {}, cached_policy[1], set())
    else:
        evaluated = _evaluate(opts, documents, notices, progress)
        checks = evaluated.checks
        if cache is not None and cached_policy is None:
            cache.store_policy(pkey, checks, evaluated.policy_notices)
    for f in misses:
        new = evaluated.findings.get(f.path, [])
        findings.extend(new)
        if cache is not None and f.path not in evaluated.unstable:
            own = ([(parse_notices[f.path], None)] if f.path in parse_notices else []) + \
                evaluated.file_notices.get(f.path, [])
            cache.store_file(pkey, f, new, own)
    findings.sort(key=_finding_order)
    return ScanReport(
        findings=findings,
        checks=checks,
        files=files,
        notices=notices.finish(),
        root=str(opts.root.resolve()),
        tool_version=__version__,
        partial=opts.partial,
    )


def _legacy_metadata(runtime: PolicyRuntime, meta_eps: set[str]) -> dict[str, Any]:
    """Evaluate ``__rego_metadata__``/``__rego_input__`` once with an empty input."""
    compiled = set(runtime.entrypoints)
    eps = [ep for ep in sorted(meta_eps) if ep in compiled]
    if not eps:
        return {}
    res = runtime.run([Job(-1, "{}", eps)])[0]
    return dict(res.values)

