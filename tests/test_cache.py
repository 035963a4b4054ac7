"""Result cache: unchanged files are neither parsed nor evaluated; changes invalidate what they must."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import regoscan.engine.collect as collect_module
import regoscan.engine.evaluate as evaluate_module
from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.models import ScanReport
from regoscan.output.sarif import build_sarif
from tests.helpers import POD, write
from tests.shared import CORPUS, CORPUS_MISSING

CHECK = """\
package user.test.NAME

import rego.v1

__rego_metadata__ := {"id": "NAME", "severity": "HIGH"}

deny contains msg if {
    input.kind == "Pod"
    msg := sprintf("%s %s", [data.prefix, input.metadata.name])
}
"""

EXCEPTION = """\
package user.test.NAME

import rego.v1

exception contains rules if {
    input.metadata.name == "%s"
    rules := [""]
}
"""




@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("a", "b", "c"):
        write(tmp_path, f"configs/{name}.yaml", POD.format(name=name))
    write(tmp_path, "policy/check.rego", CHECK)
    write(tmp_path, "policy/exc.rego", EXCEPTION % "b")
    write(tmp_path, "data/prefix.yaml", "prefix: pod\n")
    return tmp_path


class _Counter:
    """Counts parses and engine starts, to prove what the cache served."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.engines = 0
        real_load, real_runtime = collect_module.load_file, evaluate_module.PolicyRuntime

        def load_file(abs_path: Path, rel_path: str, *args: Any, **kwargs: Any) -> Any:
            self.parsed.append(rel_path)
            return real_load(abs_path, rel_path, *args, **kwargs)

        def runtime(*args: Any, **kwargs: Any) -> Any:
            self.engines += 1
            return real_runtime(*args, **kwargs)

        monkeypatch.setattr(collect_module, "load_file", load_file)
        monkeypatch.setattr(evaluate_module, "PolicyRuntime", runtime)

    def reset(self) -> None:
        self.parsed.clear()
        self.engines = 0


def _scan(root: Path) -> ScanReport:
    return run_scan(ScanOptions(paths=[str(root / "configs")], root=root, policies=[str(root / "policy")],
                                data=[str(root / "data")], builtin=False, cache_dir=root / ".cache", workers=1))


def _summary(report: ScanReport) -> list[tuple[str, str, bool]]:
    return [(f.path, f.message, f.suppressed) for f in report.findings]


def _sarif(report: ScanReport) -> dict[str, Any]:
    return build_sarif(report, fingerprints=lambda f: {})


def test_second_scan_is_served_from_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _Counter(monkeypatch)
    first = _scan(project)
    assert sorted(counter.parsed) == ["configs/a.yaml", "configs/b.yaml", "configs/c.yaml"]
    assert counter.engines == 1
    counter.reset()
    second = _scan(project)
    assert counter.parsed == [] and counter.engines == 0
    assert _summary(second) == _summary(first)
    assert json.dumps(_sarif(second), sort_keys=True) == json.dumps(_sarif(first), sort_keys=True)
    assert ("configs/b.yaml", "pod b", True) in _summary(second)


def test_changed_input_reevaluates_only_that_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _Counter(monkeypatch)
    _scan(project)
    write(project, "configs/c.yaml", POD.format(name="c2"))
    counter.reset()
    report = _scan(project)
    assert counter.parsed == ["configs/c.yaml"]
    assert ("configs/c.yaml", "pod c2", False) in _summary(report)
    assert ("configs/a.yaml", "pod a", False) in _summary(report)


@pytest.mark.parametrize("change", ["check", "exception", "data"])
def test_policy_exception_or_data_change_invalidates_everything(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                change: str) -> None:
    counter = _Counter(monkeypatch)
    _scan(project)
    if change == "check":
        write(project, "policy/check.rego", CHECK.replace('"%s %s"', '"%s: %s"'))
        expected = ("configs/a.yaml", "pod: a", False)
    elif change == "exception":
        write(project, "policy/exc.rego", EXCEPTION % "a")
        expected = ("configs/a.yaml", "pod a", True)
    else:
        write(project, "data/prefix.yaml", "prefix: workload\n")
        expected = ("configs/a.yaml", "workload a", False)
    counter.reset()
    report = _scan(project)
    assert sorted(counter.parsed) == ["configs/a.yaml", "configs/b.yaml", "configs/c.yaml"]
    assert counter.engines == 1
    assert expected in _summary(report)


def test_crashed_evaluations_are_not_cached(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, "policy/crash.rego", """\
        package user.test.CRASH

        import rego.v1

        deny contains "x" if {
            input.metadata.name == "a"
            object.subset(["x"], [])
        }
        """)
    counter = _Counter(monkeypatch)
    first = _scan(project)
    assert any(n.code == "evaluation-crash" for n in first.notices)
    counter.reset()
    second = _scan(project)
    assert counter.parsed == ["configs/a.yaml"]  # b and c came from the cache
    assert any(n.code == "evaluation-crash" for n in second.notices)


def test_a_corrupt_cache_entry_is_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _scan(project)
    for pack in (project / ".cache").rglob("*.pack"):
        pack.write_text("{not json", encoding="utf-8")
    counter = _Counter(monkeypatch)
    second = _scan(project)
    assert len(counter.parsed) == 3
    assert _summary(second) == _summary(first)


def test_notices_survive_the_cache(project: Path) -> None:
    write(project, "configs/broken.yaml", "kind: Pod\nmetadata: [\n")
    first = _scan(project)
    second = _scan(project)
    codes = sorted(n.code for n in first.notices)
    assert "input-parse-error" in codes
    assert sorted(n.code for n in second.notices) == codes
    assert [n.message for n in second.notices] == [n.message for n in first.notices]


def test_cache_folder_inside_the_scanned_tree_is_not_scanned(project: Path) -> None:
    opts = ScanOptions(paths=[str(project)], root=project, policies=[str(project / "policy")],
                       data=[str(project / "data")], builtin=False, cache_dir=project / ".cache", workers=1)
    run_scan(opts)
    second = run_scan(opts)
    assert not [f for f in second.files if f.path.startswith(".cache")]


EXPIRING = """\
# METADATA
# custom:
#   reason: waiting for the vendor fix
#   expires: 2999-12-31
package user.test.NAME

import rego.v1

exception contains rules if {
    input.metadata.name == "c"
    rules := [""]
}
"""


def _reports(root: Path, out: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             *extra: str) -> dict[str, bytes]:
    """Every report of one CLI scan, as bytes: the JSON on stdout, the SARIF and the summary files."""
    from regoscan.cli import main

    monkeypatch.chdir(root)
    main(["scan", *extra, "--format", "json", "--fail-on", "never", "--cache-dir", str(root / ".cache"),
          "--sarif", f"{out}.sarif", "--summary", f"{out}.md"])
    return {"json": capsys.readouterr().out.encode(), "sarif": (root / f"{out}.sarif").read_bytes(),
            "summary": (root / f"{out}.md").read_bytes()}


def test_a_warm_scan_writes_the_cold_scans_reports_byte_for_byte(
        project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Built-in and custom checks, waivers with metadata, parse errors, empty files, several documents,
    a Dockerfile: the JSON, SARIF and Markdown of a scan served from the cache are the cold scan's."""
    write(project, "policy/expiring.rego", EXPIRING)
    write(project, "configs/broken.yaml", "kind: Pod\nmetadata: [\n")
    write(project, "configs/empty.yaml", "# nothing\n")
    write(project, "configs/multi.yaml", POD.format(name="m1") + "---\n" + POD.format(name="m2"))
    write(project, "configs/Dockerfile", "FROM alpine:latest\nRUN apk add curl\nUSER root\n")
    args = ["configs", "--policy", "policy", "--data", "data"]
    cold = _reports(project, "cold", monkeypatch, capsys, *args)
    warm = _reports(project, "warm", monkeypatch, capsys, *args)
    assert b'"suppressed": true' in cold["json"] and b"input-parse-error" in cold["json"]
    assert b"DS" in cold["json"] and b"KSV" in cold["json"]  # built-in checks of both input types ran
    assert warm == cold
    served = json.loads(warm["json"])
    assert len(served["findings"]) > 10


@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_the_corpus_warm_report_is_the_cold_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cold = _reports(tmp_path, "cold", monkeypatch, capsys, str(CORPUS))
    warm = _reports(tmp_path, "warm", monkeypatch, capsys, str(CORPUS))
    assert warm == cold
    assert len(json.loads(warm["json"])["findings"]) > 1000
