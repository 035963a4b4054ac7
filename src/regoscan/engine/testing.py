"""``regoscan test``: run Rego unit tests (``test_*`` rules in ``*_test.rego`` files).

Tests run on the same engine layer as scans, so they see the same v0 upgrade, the same
work-arounds and the same built-in library. Every test file is its own unit: one that
fails to compile, or crashes regopy, is reported with its file and line while the
other files still run (``PolicyRuntime`` quarantines and re-runs what breaks).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from regoscan.engine.evaluate import runtime_data
from regoscan.engine.policyset import entrypoint, load_data, load_modules
from regoscan.engine.units import syntax_notice
from regoscan.errors import UsageError
from regoscan.inputs.forbidden import ForbiddenPaths
from regoscan.models import Notice, NoticeLevel, printable
from regoscan.rego.lexer import Token, apply_edits, blank
from regoscan.rego.linking import FunctionDef, link
from regoscan.rego.prepare import PreparedModule, read_module
from regoscan.rego.runtime import Job, JobResult, PolicyRuntime, PolicyUnit
from regoscan.rego.syntax import parse_module
from regoscan.resources import policies_dir

TEST_RULE = re.compile(r"^test_[A-Za-z0-9_]*$")
_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
INPUT_RULE_PREFIX = "__rs_input_"
OUTER_INPUT = "data.__regoscan.outer_input"
"""Stands for ``input`` outside a test whose ``with input as`` is lifted: never defined."""


@dataclass
class WithInputRewrite:
    text: str
    inputs: dict[str, str]
    """test rule name -> the rule that computes its input."""


def rewrite_with_input(mod: PreparedModule) -> WithInputRewrite:
    """Take ``with input as V`` out of test rules: the runner sets V as the input instead.

    regopy 1.5.2 aborts while compiling ``with input as`` whenever the rule under test
    calls any function (``sprintf``, ``lower``...), which is nearly every check, and
    (SIGABRT) whenever ``with input as`` is chained with ``with data.X as``. When all
    ``with input as`` clauses of a test use the same value, the clause is blanked out
    (lines kept), ``V`` is appended as a rule of its own, and the runner evaluates ``V``
    first and then the test with ``V`` as its input. Other ``with`` clauses (``data``
    mocks) stay where they are: alone, regopy compiles them. Tests mixing several
    inputs are left as written. ``input`` in another ``with`` value means the input
    outside the test (none, in ``opa test``), so it becomes an undefined reference.

    One more regopy gap, in every test: a mock whose target goes through an import alias
    (``import data.user.k8s.ID1 as check`` ... ``with check.deny as set()``) is silently
    not applied; the alias is spelled out (``with data.user.k8s.ID1.deny as set()``).
    """
    syntax = parse_module(mod.text)
    toks = syntax.tokens
    # an alias is replaced by its path as text: only plain dotted names (not data.x["y"])
    aliases = {alias: f"data.{path}" for alias, path in syntax.import_aliases().items() if _NAMES.fullmatch(path)}
    edits: list[tuple[int, int, str]] = []
    tail: list[str] = []
    inputs: dict[str, str] = {}
    for rule in syntax.rules:
        if not TEST_RULE.match(rule.name) or rule.is_function or rule.name in inputs:
            continue
        spans: list[tuple[int, int]] = []
        values: set[str] = set()
        outer: list[Token] = []
        for body in rule.bodies:
            for lit_start, lit_end in _literals(toks, body.open_idx + 1, body.close_idx):
                for clause in _with_clauses(toks, lit_start, lit_end):
                    head = toks[clause.target[0]]
                    if head.text in aliases and len(clause.target) > 1 and toks[clause.target[1]].text in ".[":
                        edits.append((head.start, head.end, aliases[head.text]))
                    if clause.target_text != "input":
                        outer.extend(toks[i] for i in clause.value if toks[i].kind == "ident"
                                     and toks[i].text == "input" and toks[i - 1].text != ".")
                        continue
                    spans.append((clause.start, clause.end))
                    values.add(" ".join(clause.value_text.split()))
        if len(values) != 1 or rule.inline_body is not None:
            continue
        value_text = next(iter(values))
        name = f"{INPUT_RULE_PREFIX}{rule.name}"
        for start, end in spans:
            edits.append((start, end, blank(mod.text[start:end])))
        # a `with data.x as input.y` beside it means the input outside the test, which the
        # lifted value is about to replace: `opa test` has none, so it reads as undefined
        edits.extend((t.start, t.end, OUTER_INPUT) for t in outer)
        tail.append(f"{name} := {value_text}")
        inputs[rule.name] = name
    if not edits:
        return WithInputRewrite(mod.text, {})
    text = apply_edits(mod.text, edits)
    return WithInputRewrite(text + ("\n" + "\n".join(tail) + "\n" if tail else ""), inputs)


def _literals(toks: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    from regoscan.rego.rewrite import split_literals

    return split_literals(toks, start, end)


@dataclass
class _WithClause:
    start: int
    """Offset of ``with``."""
    end: int
    """Offset after the value."""
    target: list[int]
    """Token indices of the target (``input``, ``data.x.y``, ``check.deny``)."""
    value: range
    """Token indices of the value."""
    target_text: str
    value_text: str


def _with_clauses(toks: list[Token], start: int, end: int) -> list[_WithClause]:
    """Each depth-0 ``with T as V`` of a literal."""
    sig = [i for i in range(start, end) if toks[i].significant]
    depth = 0
    marks: list[int] = []
    for k, i in enumerate(sig):
        t = toks[i]
        if t.kind == "op" and t.text in "([{":
            depth += 1
        elif t.kind == "op" and t.text in ")]}":
            depth -= 1
        elif depth == 0 and t.kind == "ident" and t.text == "with":
            marks.append(k)
    out: list[_WithClause] = []
    for n, k in enumerate(marks):
        stop = marks[n + 1] if n + 1 < len(marks) else len(sig)
        part = sig[k:stop]
        try:
            as_pos = next(j for j, i in enumerate(part) if toks[i].text == "as")
        except StopIteration:
            continue
        if as_pos < 2 or as_pos + 1 >= len(part):
            continue
        target = part[1:as_pos]
        first_val, last_val = part[as_pos + 1], part[-1]
        out.append(_WithClause(
            toks[part[0]].start, toks[last_val].end, target, range(first_val, last_val + 1),
            "".join(toks[i].text for i in target), "".join(t.text for t in toks[first_val : last_val + 1])))
    return out


@dataclass
class TestResult:
    file: str
    package: str
    name: str
    line: int
    outcome: str
    """``pass``, ``fail`` or ``error``."""
    message: str = ""
    seconds: float = 0.0


@dataclass
class TestReport:
    results: list[TestResult] = field(default_factory=list)
    errors: list[Notice] = field(default_factory=list)
    """Problems outside any single test: a test file or policy that does not load."""

    @property
    def passed(self) -> int:
        return sum(r.outcome == "pass" for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.outcome == "fail" for r in self.results)

    @property
    def errored(self) -> int:
        return sum(r.outcome == "error" for r in self.results) + len(self.errors)

    @property
    def exit_code(self) -> int:
        if self.errored:
            return 2
        return 1 if self.failed else 0


def _test_files(paths: list[str], builtin_tests: bool, root: Path,
                refused: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    guard = ForbiddenPaths(root, bases=[Path(p) for p in paths if Path(p).is_dir()])
    out: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"PATH {raw}: no such file or folder")
        if p.is_file():
            out.append((p, printable(p.as_posix())))
            continue
        for f in sorted(p.rglob("*_test.rego")):
            if not any(part.startswith(".") for part in f.relative_to(p).parts):
                out.append((f, printable(f.as_posix())))
    if builtin_tests:
        root = policies_dir()
        for f in sorted(root.rglob("*_test.rego")):
            out.append((f, "(builtin)/" + f.relative_to(root).as_posix()))
    unique: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path, display in out:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            why = None if display.startswith("(builtin)/") else guard.reason(path)
            if why is not None:  # git metadata or a credential file: never read
                refused.append((path, why))
                continue
            unique.append((path, display))
    return unique


def _test_rules(mod: PreparedModule) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for r in mod.rules:
        if TEST_RULE.match(r.name) and not r.is_function and r.name not in seen:
            seen[r.name] = r.line
    return list(seen.items())


def run_tests(paths: list[str], *, data_paths: list[str] | None = None, builtin: bool = True,
              builtin_tests: bool = False, run: str | None = None, root: Path | None = None,
              workers: int | None = 1, timeout: float = 20.0) -> TestReport:
    report = TestReport()
    root = root or Path.cwd()
    for raw in paths:  # named as the user named them: `regoscan test PATH`, not --policy
        if not Path(raw).exists():
            raise UsageError(f"PATH {raw}: no such file or folder")
        if Path(raw).is_file() and not raw.endswith(".rego"):
            raise UsageError(f"PATH {raw}: not a .rego file or a folder")
    policy_paths = [p for p in paths if Path(p).is_dir() or not p.endswith("_test.rego")]
    base, notices = load_modules(policy_paths, root, builtin)
    report.errors.extend(n for n in notices if n.level.value == "error")
    data, data_notices = load_data(data_paths or [], root, {m.package for m in base if m.package})
    report.errors.extend(data_notices)
    pattern = re.compile(run) if run else None

    tests: list[PreparedModule] = []
    input_rules: dict[str, str] = {}
    refused: list[tuple[Path, str]] = []
    test_files = _test_files(paths, builtin_tests, root, refused)
    for path, why in refused:
        report.errors.append(Notice(level=NoticeLevel.ERROR, code="policy-credential-file",
                                    message=f"test file not read: {why}", path=path.as_posix()))
    for index, (path, display) in enumerate(test_files, start=len(base)):
        mod = read_module(path, display, module_index=index)
        for prob in mod.problems:
            report.errors.append(Notice(level=NoticeLevel.ERROR, code="test-load-error", message=prob.message,
                                        path=display, line=prob.line))
        if mod.fatal:
            continue
        rewritten = rewrite_with_input(mod)
        mod.text = rewritten.text
        for test_name, rule in rewritten.inputs.items():
            input_rules[entrypoint(mod.package or "", test_name)] = entrypoint(mod.package or "", rule)
        tests.append(mod)

    modules = base + tests
    defs = [FunctionDef(m.package or "", r.name, r.arity) for m in modules for r in m.rules
            if r.is_function and "." not in r.name]
    linked, _ = link({m.name: m.text for m in modules}, defs)
    units: list[PolicyUnit] = [PolicyUnit(m.name, linked[m.name], [], library=True, rule_spans=m.rule_spans)
                               for m in base]
    wanted: dict[str, tuple[PreparedModule, str, int]] = {}
    for mod in tests:
        eps: list[str] = []
        for name, line in _test_rules(mod):
            if pattern is not None and not pattern.search(f"{mod.package}.{name}"):
                continue
            ep = entrypoint(mod.package or "", name)
            eps.append(ep)
            if ep in input_rules:
                eps.append(input_rules[ep])
            wanted[ep] = (mod, name, line)
        units.append(PolicyUnit(mod.name, linked[mod.name], eps, library=not eps, rule_spans=mod.rule_spans))
    data = {**data, "namespaces": sorted({m.package for m in modules if m.package}), **runtime_data()}

    runtime = PolicyRuntime(units, data, workers=workers, eval_timeout=timeout)
    try:
        runtime.prepare()
        broken = {q.unit: q for q in runtime.quarantined}
        by_name = {m.name: m for m in modules}
        for q in runtime.quarantined:
            mod = by_name.get(q.unit)
            if q.syntax and mod is not None:
                report.errors.append(syntax_notice(q, mod, "test-compile-error", "not loaded"))
                continue
            report.errors.append(Notice(level=NoticeLevel.ERROR, code="test-compile-error",
                                        message=f"not loaded: {q.message}", path=q.unit, line=q.line))
        good = set(runtime.entrypoints)
        started = time.monotonic()
        per_test = _evaluate(runtime, [ep for ep in wanted if ep in good], input_rules)
        elapsed = time.monotonic() - started
    finally:
        runtime.close()
    for ep, (mod, name, line) in wanted.items():
        outcome, message = _outcome(ep, per_test.get(ep), broken.get(mod.name) is not None)
        report.results.append(TestResult(mod.path, mod.package or "", name, line, outcome, message,
                                         elapsed / max(1, len(eps))))
    return report


def _evaluate(runtime: PolicyRuntime, eps: list[str], input_rules: dict[str, str]) -> dict[str, JobResult]:
    """Plain tests in one job; tests with a lifted input first get it, then run on it."""
    out: dict[str, JobResult] = {}
    plain = [ep for ep in eps if ep not in input_rules]
    lifted = [ep for ep in eps if ep in input_rules]
    if plain:
        res = runtime.run([Job(0, {}, plain)])[0]
        out.update(dict.fromkeys(plain, res))
    if not lifted:
        return out
    values = runtime.run([Job(0, {}, [input_rules[ep] for ep in lifted])])[0]
    jobs: list[Job] = []
    for i, ep in enumerate(lifted, start=1):
        rule = input_rules[ep]
        if rule in values.values:
            jobs.append(Job(i, values.values[rule], [ep]))  # as a scan sends input
        else:
            why = values.failures.get(rule) or values.errors.get(rule) or "the value after `with input as` is undefined"
            out[ep] = JobResult(i, errors={ep: f"input for the test: {why}"})
    for job, res in zip(jobs, runtime.run(jobs), strict=True):
        out[job.entrypoints[0]] = res
    return out


def _outcome(ep: str, results: JobResult | None, file_broken: bool) -> tuple[str, str]:
    if file_broken:
        return "error", "the test file could not be loaded (see errors)"
    if results is None:
        return "error", "not evaluated"
    if ep in results.failures:
        return "error", results.failures[ep]
    if ep in results.errors:
        return "error", results.errors[ep]
    value = results.values.get(ep)
    if value is True:
        return "pass", ""
    if value is None:
        return "fail", "undefined"
    return "fail", f"got {value!r}"


def render_text(report: TestReport, verbose: bool = False) -> str:
    from regoscan.output.console import source_caret
    from regoscan.output.escape import plain_text

    lines: list[str] = []
    for n in report.errors:
        lines.append(f"ERROR {plain_text(n.location)}: {plain_text(n.message)}{source_caret(n)}")
    for r in sorted(report.results, key=lambda r: (r.file, r.line)):
        if r.outcome == "pass" and not verbose:
            continue
        label = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[r.outcome]
        detail = f" ({r.message})" if r.message else ""
        lines.append(f"{label} {r.file}:{r.line}: {r.package}.{r.name}{detail}")
    total = len(report.results)
    lines.append("-" * 60)
    lines.append(f"PASS: {report.passed}/{total}" + (f"  FAIL: {report.failed}" if report.failed else "")
                 + (f"  ERROR: {report.errored}" if report.errored else ""))
    return "\n".join(lines) + "\n"


def render_json(report: TestReport) -> str:

    return json.dumps({
        "schema": "regoscan-test/v1",
        "passed": report.passed, "failed": report.failed, "errors": report.errored,
        "results": [r.__dict__ for r in report.results],
        "load_errors": [{"path": n.path, "line": n.line, "column": n.column, "message": n.message}
                        for n in report.errors],
    }, indent=2) + "\n"
