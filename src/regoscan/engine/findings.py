"""From one document's rule values to findings, with exceptions applied.

The runtime returns raw values per entrypoint; this stage knows what they mean: which
are check rules, which are exceptions, and which errors must be reported instead of
silently dropping (or silently waiving) a finding.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from regoscan.engine.exceptions import (
    ExceptionTypeError,
    namespace_names,
    rule_suffix,
    rule_suffixes,
)
from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyset import NAMESPACE_EXCEPTIONS, Check, ExceptionSource, PolicySet, entrypoint
from regoscan.engine.results import region_for, rule_results
from regoscan.engine.selectors import applies, present_strings, required_strings
from regoscan.engine.units import Origin
from regoscan.models import Document, Finding, Notice, NoticeLevel, SuppressionInfo
from regoscan.rego.probe import Statement, body_statements, prefix_probes
from regoscan.rego.runtime import Job, JobResult, PolicyRuntime, PolicyUnit
from regoscan.rego.syntax import parse_module


def _suppression(src: ExceptionSource, matched: str) -> SuppressionInfo:
    pairs = tuple(sorted((str(k), v) for k, v in src.metadata.items() if not str(k).startswith("__")))
    return SuppressionInfo(src.kind, src.package, src.path, src.line, matched, pairs)


@dataclass(frozen=True)
class _Plan:
    """How the documents of one type and kind are checked and queried (``FindingBuilder.job_for``)."""

    checks: list[Check]
    entrypoints: list[str]
    exceptions: list[str]
    conditional: list[tuple[frozenset[str], frozenset[str]]]
    """(strings one of which the document must hold, the entrypoints that need them)."""
    wanted: frozenset[str]
    """Every string some conditional check needs."""
    rules: list[tuple[Check, list[tuple[str, str, str, str]]]]
    """Per check: (rule, entrypoint, default message, exception suffix) of each of its rules,
    worked out once per plan rather than for every document's results."""


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
        self._plans: dict[tuple[str, str | None], _Plan] = {}
        every = [*policy.namespace_exceptions, *(e for c in policy.checks for e in c.exceptions)]
        self.exceptions: dict[str, ExceptionSource] = {src.entrypoint: src for src in every}
        self._located: dict[tuple[str, str], Statement | None] = {}

    def _plan_for(self, doc: Document) -> _Plan:
        """The document's plan, made once per type and kind: documents of one kind share the
        (never modified) lists; planning them per document cost ~10% of the main process's CPU."""
        key = (doc.input_type.value, (doc.kind or "").lower() or None)
        plan = self._plans.get(key)
        if plan is None:
            checks = [c for c in self.policy.checks if applies(c.metadata, doc)
                      and any(ep in self.good for ep in c.entrypoints)]
            plan = self._plans[key] = self._plan(checks)
        return plan

    def job_for(self, job_id: int, doc: Document) -> Job | None:
        plan = self._plan_for(doc)
        if not plan.checks:
            return None
        entrypoints = plan.entrypoints
        if plan.conditional:
            present = present_strings(doc.content, plan.wanted)
            skipped = {ep for needs, eps in plan.conditional if not needs & present for ep in eps}
            if skipped:
                entrypoints = [ep for ep in entrypoints if ep not in skipped]
                if not entrypoints:
                    return None
        return Job(job_id, doc.content, entrypoints, strict=plan.exceptions)

    def _plan(self, checks: list[Check]) -> _Plan:
        """The entrypoints a document of these checks is queried for, and the exceptions among them."""
        eps: list[str] = []
        exceptions: list[str] = []
        conditional: list[tuple[frozenset[str], frozenset[str]]] = []
        for c in checks:
            own = [ep for ep in c.entrypoints if ep in self.good]
            eps.extend(own)
            needs = required_strings(c.metadata)
            if needs is not None and own:
                conditional.append((needs, frozenset(own)))
            # a check's exceptions are evaluated even where the check is not: their errors
            # are reported on every document, whatever the check would have found
            exceptions.extend(e.entrypoint for e in c.exceptions if e.entrypoint in self.good)
        exceptions.extend(e.entrypoint for e in self.policy.namespace_exceptions if e.entrypoint in self.good)
        # exceptions are evaluated strictly: a failing built-in call anywhere in the body is
        # an error (reported, nothing waived), never an unused assignment regopy drops
        wanted = frozenset().union(*(needs for needs, _ in conditional))
        rules = [(c, [(rule, entrypoint(c.package, rule), c.metadata.title or f"{c.package}.{rule} denied",
                       rule_suffix(rule)) for rule in c.rules]) for c in checks]
        return _Plan(checks, eps + exceptions, exceptions, conditional, wanted, rules)

    def _problem(self, ep: str, message: str, doc: Document, code: str, *, engine_error: bool = False) -> None:
        origin = self.origins.get(ep)
        where = _label(origin) if origin else ep
        path, line = (origin.path, origin.line) if origin else (None, None)
        unknown = _UNKNOWN_FUNCTION.search(message)
        src = self.exceptions.get(ep)
        if src is not None and code == "exception-error":
            where += " waives nothing"
        called = call_line(origin.source, unknown.group(1), origin.line) if origin and unknown else None
        failing = self._failing_statement(src, doc, message) \
            if src is not None and engine_error and called is None else None
        if called is not None:  # the call itself, even inside a helper the rule uses
            line = called
        elif failing is not None:
            line = failing.line
            statement = " ".join(failing.text.split())
            statement = statement if len(statement) <= 120 else statement[:119] + "…"
            message = f"{message}, in `{statement}`"
        self.notices.add(Notice(NoticeLevel.ERROR, code, f"{where}: {message}", path, line), document=doc.path)
        # an unfolded copy per file, for the result cache
        self.file_notices.setdefault(doc.path, []).append(
            (Notice(NoticeLevel.ERROR, code, f"{where}: {message}", path, line), doc.path))

    def _input_problem(self, ep: str, message: str, doc: Document) -> None:
        """A built-in check that timed out or crashed on this document: the document's problem.

        The built-in checks are regoscan's own and tested; what stops one on a document is
        the document (a 9 MB ConfigMap, a 10 MB string), so it is a warning about that
        input, not a configuration error. Other documents still get the check (it is
        banned only after failing again), and a document skipped because of another
        one's failure stays an error.
        """
        check = self._check_of(ep)
        timeout = "timed out" in message
        code = "input-evaluation-timeout" if timeout else "input-evaluation-crash"
        text = (f"not fully scanned: built-in check {check} {message} on this document; its result for it is "
                "missing (the document is too large or too complex for the check)")
        notice = Notice(NoticeLevel.WARNING, code, text, doc.path, doc.region.start_line)
        self.notices.add(notice, document=doc.path)
        self.file_notices.setdefault(doc.path, []).append(
            (Notice(notice.level, notice.code, notice.message, notice.path, notice.line), doc.path))

    def _check_of(self, ep: str) -> str:
        for check in self.policy.checks:
            if ep in check.entrypoints:
                return check.metadata.id
        origin = self.origins.get(ep)
        return f"{origin.package} ({origin.rule})" if origin else ep

    def _failing_statement(self, src: ExceptionSource, doc: Document, message: str) -> Statement | None:
        """The exception's statement that fails on this document (see ``rego.probe``).

        Found once per exception and message: the same message is the same statement.
        """
        key = (src.entrypoint, message)
        if key in self._located:
            return self._located[key]
        self._located[key] = None
        mod = next((m for m in self.policy.modules if m.path == src.path), None)
        statements = body_statements(mod.text, src.definition.rule, src.line) if mod is not None else None
        if statements is not None and len(statements) == 1:
            self._located[key] = statements[0]
            return statements[0]
        tag = str(len(self._located))
        probe = prefix_probes(mod.text, statements, tag) if mod is not None and statements else None
        if probe is not None:
            eps = [entrypoint(probe.package, name) for name, _ in probe.rules]
            unit = PolicyUnit(f"__regoscan_probe_{tag}.rego", probe.text, eps)
            res = self.runtime.probe(unit, doc.content)
            if res is not None:
                self._located[key] = next(
                    (st for ep, (_, st) in zip(eps, probe.rules, strict=True) if ep in res.errors), None)
        return self._located[key]

    def _fail(self, res: JobResult, ep: str) -> str | None:
        if ep in res.failures:
            return res.failures[ep]
        return res.errors.get(ep)

    def _waived(self, src: ExceptionSource, res: JobResult, doc: Document,
                read: Callable[[Any], set[str]]) -> set[str] | None:
        """What one exception waives on this document, as ``read`` parses its value (package
        names or rule suffixes); None when it failed (reported above) or is undefined here.

        Namespace and rule exceptions fail closed the same way: a value of the wrong shape
        is the exception's error and waives nothing."""
        if src.entrypoint not in self.good or self._fail(res, src.entrypoint):
            return None
        value = res.values.get(src.entrypoint)
        if value is None:
            return None
        try:
            return read(value)
        except ExceptionTypeError as exc:
            self._problem(src.entrypoint, str(exc), doc, "exception-error")
            return None

    def findings(self, doc: Document, res: JobResult) -> list[Finding]:
        for ep, msg in res.failures.items():
            if ep in self.runtime.patient and ep not in self.exceptions and not msg.startswith("skipped:"):
                self._input_problem(ep, msg, doc)
                continue
            code = "evaluation-timeout" if "timed out" in msg else "evaluation-crash"
            self._problem(ep, msg, doc, code)
        for ep, msg in res.errors.items():
            if ep in self.exceptions:
                self._problem(ep, msg, doc, "exception-error", engine_error=True)
            else:
                self._problem(ep, msg, doc, "policy-runtime-error")
        exempt_pkgs: dict[str, list[SuppressionInfo]] = {}
        for src in self.policy.namespace_exceptions:
            for name in self._waived(src, res, doc, namespace_names) or ():
                exempt_pkgs.setdefault(name, []).append(_suppression(src, name))
        out: list[Finding] = []
        values = res.values
        for check, rules in self._plan_for(doc).rules:
            suffixes: list[tuple[ExceptionSource, set[str]]] = []
            if check.exceptions:  # most checks have none: no comprehension to run
                suffixes = [(src, found) for src in check.exceptions
                            if (found := self._waived(src, res, doc, rule_suffixes)) is not None]
            for rule, ep, default_msg, wanted in rules:
                if ep not in values:
                    continue
                sups = list(exempt_pkgs.get(check.package, []))
                sups.extend(_suppression(src, wanted) for src, found in suffixes if wanted in found)
                for raw in rule_results(values[ep], default_msg):
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


def _label(origin: Origin) -> str:
    """What the message is about, in the words of the README: a namespace exception (package
    ``namespace.exceptions``), a rule exception (in a check's package), or a rule."""
    if origin.rule == "exception":
        kind = "namespace exception" if origin.package == NAMESPACE_EXCEPTIONS else "rule exception"
        return f"{kind} in package {origin.package}"
    return f"rule {origin.rule} in package {origin.package}"


@functools.lru_cache(maxsize=256)
def call_line(source: str, name: str, rule_line: int) -> int | None:
    """Line of a call of ``name``: regopy reports an unknown function by name only, at
    evaluation time. A call inside the rule defined at ``rule_line`` first, else the first
    one in the module (a helper the rule uses); strings and comments are not calls."""
    syntax = parse_module(source)
    toks = syntax.tokens
    calls: list[int] = []
    for i, t in enumerate(toks):
        if t.kind != "ident" or i + 1 >= len(toks) or toks[i + 1].text != "(" or toks[i + 1].start != t.end:
            continue
        start = i
        while start >= 2 and toks[start - 1].text == "." and toks[start - 2].kind == "ident" \
                and toks[start - 1].start == toks[start - 2].end:
            start -= 2
        if "".join(x.text for x in toks[start : i + 1]) == name and (start == 0 or toks[start - 1].text != "."):
            calls.append(t.line)
    rule = next((st for st in syntax.statements if st.kind == "rule" and st.line == rule_line), None)
    if rule is not None:
        first, last = toks[rule.start_idx].line, toks[rule.end_idx - 1].line
        inside = [line for line in calls if first <= line <= last]
        if inside:
            return inside[0]
    return calls[0] if calls else None


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
