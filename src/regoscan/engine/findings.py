"""From one document's rule values to findings, with exceptions applied.

The runtime returns raw values per entrypoint; this stage knows what they mean: which
are check rules, which are exceptions, and which errors must be reported instead of
silently dropping (or silently waiving) a finding.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from regoscan.engine.exceptions import ExceptionTypeError, namespace_names, rule_suffix, rule_suffixes
from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyset import Check, ExceptionSource, PolicySet, entrypoint
from regoscan.engine.results import region_for, rule_results
from regoscan.engine.selectors import applies
from regoscan.engine.units import Origin
from regoscan.models import Document, Finding, Notice, NoticeLevel, SuppressionInfo
from regoscan.rego.runtime import Job, JobResult, PolicyRuntime


def _suppression(src: ExceptionSource, matched: str) -> SuppressionInfo:
    pairs = tuple(sorted((str(k), v) for k, v in src.metadata.items() if not str(k).startswith("__")))
    return SuppressionInfo(src.kind, src.package, src.path, src.line, matched, pairs)


class FindingBuilder:
    """Plans each document's query and turns its result into findings and notices."""

    def __init__(self, policy: PolicySet, runtime: PolicyRuntime, origins: dict[str, Origin],
                 notices: NoticeSink) -> None:
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
            line = call_line(origin.source, unknown.group(1), origin.line) or line
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
                        identity=identity(check.metadata.id, doc, raw.message),
                    ))
        return out


_UNKNOWN_FUNCTION = re.compile(r"Function not found: ([A-Za-z_][\w.]*)")


def call_line(source: str, name: str, rule_line: int) -> int | None:
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


def number_repeats(findings: list[Finding]) -> None:
    """Findings with the same identity (same check, file, resource and message, e.g. two
    identical RUN instructions) get an occurrence number in file order, so fingerprints
    stay distinct and still do not depend on line numbers."""
    seen: dict[str, int] = {}
    for f in findings:
        n = seen.get(f.identity, 0)
        seen[f.identity] = n + 1
        if n:
            f.identity = hashlib.sha256(f"{f.identity}#{n}".encode()).hexdigest()[:32]


def identity(check_id: str, doc: Document, message: str) -> str:
    resource = "/".join(x or "" for x in (doc.kind, doc.namespace, doc.name))
    raw = "\x1f".join((check_id, doc.path, resource, message))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def finding_order(f: Finding) -> tuple[Any, ...]:
    return (f.path, f.region.start_line, f.check.id, f.rule, f.message)
