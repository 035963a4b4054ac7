"""Every built-in check, on its fixtures, through the real engine and through regorus.

For each ``tests/fixtures/checks/<ID>/cases.yaml`` the engine's findings for that check
must equal the expected messages and line ranges exactly, and regorus (an independent
Rego engine, used only in tests) must produce the same results from the same inputs,
so a silent regopy bug cannot hide behind a wrong expectation.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.inputs.load import load_file
from regoscan.models import InputType, ScanReport, Severity
from regoscan.rego.prepare import prepare_module
from regoscan.resources import policies_dir

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
POLICIES = policies_dir()


def _check_files() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for sub in ("kubernetes", "dockerfile"):
        for p in sorted((POLICIES / sub).glob("*.rego")):
            if not p.name.endswith("_test.rego"):
                out[p.stem] = p
    return out


CHECKS = _check_files()


def _cases(check_id: str) -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / check_id / "cases.yaml").read_text(encoding="utf-8"))


@cache
def _scan_fixtures(check_id: str) -> ScanReport:
    folder = FIXTURES / check_id
    return run_scan(ScanOptions(paths=[str(folder)], root=folder, workers=1))


def _expected(case: dict[str, Any]) -> list[tuple[int, int, str]]:
    return sorted((f["startline"], f["endline"], f["message"]) for f in case.get("findings") or [])


def test_every_check_has_fixtures_and_cases() -> None:
    assert CHECKS, "no built-in checks found"
    for check_id in CHECKS:
        folder = FIXTURES / check_id
        assert (folder / "cases.yaml").is_file(), f"{check_id}: no tests/fixtures/checks/{check_id}/cases.yaml"
        cases = _cases(check_id)
        listed = {c["file"] for c in cases}
        on_disk = {p.name for p in folder.iterdir() if p.name != "cases.yaml"}
        assert listed == on_disk, f"{check_id}: cases.yaml and fixture files differ"
        assert any(c.get("findings") for c in cases), f"{check_id}: no failing fixture"
        assert any(not c.get("findings") for c in cases), f"{check_id}: no passing fixture"


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_check_metadata_is_complete(check_id: str) -> None:
    mod = prepare_module(CHECKS[check_id].read_text(encoding="utf-8"), CHECKS[check_id].name)
    assert not mod.problems, mod.problems
    ann = mod.package_meta
    assert ann is not None, "package-scoped # METADATA block missing"
    data = ann.data
    custom = data.get("custom") or {}
    assert custom.get("id") == check_id
    assert mod.package and mod.package.endswith(check_id)
    for key in ("title", "description"):
        assert isinstance(data.get(key), str) and data[key].strip(), key
    assert data.get("related_resources"), "reference URL missing"
    assert Severity.parse(custom.get("severity")) is not Severity.UNKNOWN
    assert isinstance(custom.get("recommended_action"), str) and custom["recommended_action"].strip()
    aliases = custom.get("aliases") or []
    digits = "".join(ch for ch in check_id if ch.isdigit())
    prefix = check_id.rstrip("0123456789")
    assert f"{prefix}-{int(digits):04d}" in aliases or f"{prefix}-{digits}" in aliases, aliases
    assert any(a.startswith("AVD-") for a in aliases), aliases
    selectors = (custom.get("input") or {}).get("selector")
    assert selectors and all(s.get("type") in ("kubernetes", "dockerfile") for s in selectors)


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_check_fixtures_through_the_engine(check_id: str) -> None:
    report = _scan_fixtures(check_id)
    errors = [n for n in report.notices if n.level.value == "error"]
    assert not errors, errors
    for case in _cases(check_id):
        got = sorted((f.region.start_line, f.region.end_line, f.message) for f in report.findings
                     if f.check.id == check_id and f.path == case["file"])
        assert got == _expected(case), f"{check_id} {case['file']}"


@cache
def _library_sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((POLICIES / "lib").glob("*.rego"))]


def _regorus_results(check_path: Path, package: str, content: Any) -> list[tuple[int, int, str]]:
    import regorus

    engine = regorus.Engine()
    for i, src in enumerate(_library_sources()):
        engine.add_policy(f"lib{i}.rego", src)
    engine.add_policy(check_path.name, check_path.read_text(encoding="utf-8"))
    engine.set_input_json(json.dumps(content))
    out = json.loads(engine.eval_query_as_json(f"x := data.{package}.deny"))
    rows = out["result"][0]["bindings"]["x"] if out.get("result") else []
    if isinstance(rows, dict) and "set!" in rows:
        rows = rows["set!"]
    return sorted((r["startline"], r["endline"], r["msg"]) for r in rows)


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_check_fixtures_agree_with_regorus(check_id: str) -> None:
    path = CHECKS[check_id]
    package = prepare_module(path.read_text(encoding="utf-8"), path.name).package
    assert package
    folder = FIXTURES / check_id
    for case in _cases(check_id):
        f = load_file(folder / case["file"], case["file"], None)
        assert f.error is None, f.error
        expected = _expected(case)
        got: list[tuple[int, int, str]] = []
        for doc in f.documents:
            want_type = InputType.DOCKERFILE if path.parent.name == "dockerfile" else InputType.KUBERNETES
            if doc.input_type is want_type:
                got.extend(_regorus_results(path, package, doc.content))
        assert sorted(got) == expected, f"{check_id} {case['file']}"
