"""The built-in library's own Rego unit tests (``policies/*/<ID>_test.rego``).

Every check under ``policies/kubernetes`` and ``policies/dockerfile`` has a test file
next to it, in the check's package plus ``_test``, with at least one test that the check
denies (asserting the exact messages) and one that it passes. They run here through
``regoscan test`` (``regoscan.engine.testing.run_tests``), the same way as
``regoscan test --builtin-tests`` on the command line, and through regorus (an
independent engine, used only in tests) so that an expectation cannot silently
depend on a regopy bug.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from regoscan.engine import testing
from regoscan.rego.prepare import prepare_module
from regoscan.resources import policies_dir

POLICIES = policies_dir()
CHECK_DIRS = ("kubernetes", "dockerfile")
MIN_TESTS = 2


def _check_files() -> list[Path]:
    return [p for sub in CHECK_DIRS for p in sorted((POLICIES / sub).glob("*.rego"))
            if not p.name.endswith("_test.rego")]


def _test_file(check: Path) -> Path:
    return check.with_name(f"{check.stem}_test.rego")


def _package(path: Path) -> str:
    package = prepare_module(path.read_text(encoding="utf-8"), path.name).package
    assert package, f"{path}: no package"
    return package


@cache
def _report() -> testing.TestReport:
    # No paths: the built-in library is loaded once (builtin=True) and its *_test.rego
    # files are run (builtin_tests=True), as `regoscan test --builtin-tests` does.
    return testing.run_tests([], builtin=True, builtin_tests=True, workers=1)


def _rel(display: str) -> str:
    return display.removeprefix("(builtin)/")


def test_builtin_rego_tests_pass() -> None:
    report = _report()
    assert report.results, "no built-in Rego tests were found"
    assert report.errored == 0 and report.failed == 0, testing.render_text(report)
    assert report.exit_code == 0


def test_every_check_has_a_test_file_with_two_tests() -> None:
    checks = _check_files()
    assert checks, "no built-in checks found"
    per_file: dict[str, list[str]] = {}
    for r in _report().results:
        per_file.setdefault(_rel(r.file), []).append(r.name)
    problems: list[str] = []
    for check in checks:
        test = _test_file(check)
        rel = test.relative_to(POLICIES).as_posix()
        if not test.is_file():
            problems.append(f"{rel}: missing")
            continue
        names = per_file.get(rel, [])
        if len(names) < MIN_TESTS:
            problems.append(f"{rel}: {len(names)} test(s) ran, at least {MIN_TESTS} are needed")
        want = f"{_package(check)}_test"
        if (got := _package(test)) != want:
            problems.append(f"{rel}: package {got}, expected {want}")
        text = test.read_text(encoding="utf-8")
        if "count(check.deny) == 0" not in text:
            problems.append(f"{rel}: no test that the check passes (count(check.deny) == 0)")
        if not re.search(r"\{r\.msg \| some r in check\.deny\}", text):
            problems.append(f"{rel}: no test of the messages the check denies with")
    assert not problems, "\n".join(problems)


def test_no_test_file_without_a_check() -> None:
    for sub in CHECK_DIRS:
        for test in sorted((POLICIES / sub).glob("*_test.rego")):
            check = test.with_name(test.name.removesuffix("_test.rego") + ".rego")
            assert check.is_file(), f"{test.relative_to(POLICIES)}: no check {check.name}"


@cache
def _library_sources() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted((POLICIES / "lib").glob("*.rego"))]


@pytest.mark.parametrize("check", _check_files(), ids=lambda p: p.stem)
def test_builtin_rego_tests_agree_with_regorus(check: Path) -> None:
    """Each test of the check's test file is true under regorus as well (with `with input as` native)."""
    regorus = pytest.importorskip("regorus")
    test = _test_file(check)
    if not test.is_file():
        pytest.fail(f"{test.relative_to(POLICIES)}: missing")
    names = sorted({r.name for r in _report().results if _rel(r.file) == test.relative_to(POLICIES).as_posix()})
    assert names, f"{test.name}: no tests ran"
    engine = regorus.Engine()
    for name, src in _library_sources():
        engine.add_policy(name, src)
    engine.add_policy(check.name, check.read_text(encoding="utf-8"))
    engine.add_policy(test.name, test.read_text(encoding="utf-8"))
    package = _package(test)
    wrong: dict[str, object] = {}
    for name in names:
        out = json.loads(engine.eval_query_as_json(f"x := data.{package}.{name}"))
        value = out["result"][0]["bindings"]["x"] if out.get("result") else "undefined"
        if value is not True:
            wrong[name] = value
    assert not wrong, f"{test.name}: {wrong}"
