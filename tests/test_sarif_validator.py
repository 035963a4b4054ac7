"""Microsoft's SARIF Multitool (``validate --rule-kind "Sarif;Gh"``) and the OASIS schema
accept, with zero errors and zero warnings, every kind of SARIF regoscan writes.

All cases are written first and validated in one Multitool run (its start-up costs
seconds); each case is then its own test. Real scans go through the command line. The
session fixture in ``tests/sarif_validator.py`` additionally validates every SARIF file
any other test writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main as cli_main
from regoscan.models import InputFile, InputType, Notice, NoticeLevel, Severity, SuppressionInfo
from regoscan.output.sarif import SarifLimits, write_sarif
from tests.fixtures.output.reports import (
    check,
    error_notice,
    finding,
    namespace_exception,
    report,
    rule_exception,
)
from tests.sarif_validator import (
    EXPECTED_INVALID_SUFFIX,
    require_multitool,
    validate_files,
    validate_multitool,
    validate_schema,
)
from tests.shared import CORPUS, CORPUS_MISSING

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
"""

Case = Callable[[Path], None]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn

    return register


def _sources(root: Path, paths: list[str]) -> None:
    """Real files under the root, so results also carry primaryLocationLineHash."""
    for rel in paths:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(MANIFEST, encoding="utf-8")


# --- synthetic reports: every branch of the writer -------------------------------------------


@case("no-findings")
def _no_findings(out: Path) -> None:
    write_sarif(report([]), out / "no-findings.sarif")


@case("findings")
def _findings(out: Path) -> None:
    root = out / "src-findings"
    _sources(root, ["k8s/deploy.yaml"])
    checks = [check(f"KSV00{i}", sev) for i, sev in enumerate(Severity)]
    findings = [finding(c, line=i + 1, end=i + 2, path="k8s/deploy.yaml") for i, c in enumerate(checks)]
    write_sarif(report(findings, checks=checks, root=str(root)), out / "findings.sarif")


@case("warn-rule")
def _warn(out: Path) -> None:
    findings = [
        finding(check("KSV001", Severity.HIGH), rule="warn", line=3),
        finding(check("KSV002", Severity.CRITICAL), rule="warn_privileged", line=4),
        finding(check("KSV003", Severity.LOW), rule="warn", line=5),
    ]
    write_sarif(report(findings), out / "warn-rule.sarif")


@case("suppressed-namespace-and-rule")
def _suppressed(out: Path) -> None:
    findings = [
        finding(line=1, suppressions=[namespace_exception(reason="Legacy app", ticket="SEC-42", expires="2030-01-01")]),
        finding(line=2, suppressions=[rule_exception(approvers=["alice", "bob"])]),
        finding(line=3, suppressions=[namespace_exception(), rule_exception(reason="both")]),
        finding(line=4),
        finding(
            line=5,
            suppressions=[SuppressionInfo("rule", "p", "/etc/policies/outside.rego", 0, "root")],
        ),
    ]
    write_sarif(report(findings), out / "suppressed-namespace-and-rule.sarif")


@case("omit-mode")
def _omit(out: Path) -> None:
    findings = [finding(line=1, suppressions=[namespace_exception()]), finding(line=2)]
    write_sarif(report(findings), out / "omit-mode.sarif", suppressed="omit")
    write_sarif(report(findings[:1]), out / "omit-mode-all-suppressed.sarif", suppressed="omit")


@case("error-notices")
def _errors(out: Path) -> None:
    notices = [
        error_notice(check_id="KSV012"),
        error_notice(code="policy-runtime-error", message="eval_conflict_error", path="policy/x.rego", line=None),
        Notice(NoticeLevel.ERROR, "evaluation-timeout", "document took longer than 20s", check_id="NOPE1"),
        Notice(NoticeLevel.WARNING, "engine-warning", "something odd"),
        Notice(NoticeLevel.NOTE, "input-skipped", "binary file", path="img/logo.png"),
    ]
    write_sarif(report([finding()], notices=notices), out / "error-notices.sarif")


@case("unparseable-inputs")
def _unparseable(out: Path) -> None:
    files = [
        InputFile(path="ok.yaml", input_type=InputType.YAML),
        InputFile(path="bad one.yaml", input_type=None, error="mapping values are not allowed here", error_line=4),
        InputFile(path="huge.json", input_type=InputType.JSON, error="file too large"),
        InputFile(path="dir/ünïcode.yaml", input_type=None, error="invalid UTF-8", error_line=1),
    ]
    write_sarif(report([], files=files), out / "unparseable-inputs.sarif")


@case("paths")
def _paths(out: Path) -> None:
    paths = [
        "deploy.yaml",
        "k8s/prod/web app/deploy.yaml",
        "k8s/dépôt/ünïcode.yaml",
        "charts/日本/values.yaml",
        "odd/100%/a#b?c.yaml",
        "a/b[1]/x y+z@v.yaml",
        "c:weird/x.yaml",
    ]
    root = out / "src paths é"
    _sources(root, paths)
    write_sarif(report([finding(path=p, line=10) for p in paths], root=str(root)), out / "paths.sarif")


@case("sparse-and-hostile-metadata")
def _sparse(out: Path) -> None:
    sparse = check("USER001", title="", description="", recommended_action="", references=[], aliases=[])
    hostile = check(
        "KSV099",
        title="</details> [x](https://evil.example) @org",
        description="line one\nline two | pipe `code`",
        references=["not a url", "https://ok.example/ksv099"],
        aliases=[f"A{i}" for i in range(30)],
    )
    write_sarif(
        report(
            [finding(sparse, message=" "), finding(hostile, message="\x1b[31mred\x1b[0m")],
            checks=[sparse, hostile],
            notices=[Notice(NoticeLevel.WARNING, "blank-message", " ")],
        ),
        out / "sparse-and-hostile-metadata.sarif",
    )


@case("partial-scan-category")
def _partial(out: Path) -> None:
    write_sarif(report([finding()], partial=True), out / "partial-scan-category.sarif", category="team/iac")


@case("large")
def _large(out: Path) -> None:
    root = out / "src-large"
    paths = [f"k8s/app{i:03}/deploy.yaml" for i in range(300)]
    _sources(root, paths)
    checks = [check(f"KSV{i:03}", list(Severity)[i % 5]) for i in range(40)]
    findings = [
        finding(
            checks[i % 40],
            path=paths[i % 300],
            line=i % 10 + 1,
            message=f"finding {i}",
            suppressions=[namespace_exception()] if i % 9 == 0 else [],
        )
        for i in range(3000)
    ]
    write_sarif(report(findings, checks=checks, root=str(root)), out / "large.sarif")


@case("truncated")
def _truncated(out: Path) -> None:
    checks = [check(f"KSV{i:03}", list(Severity)[i % 5]) for i in range(8)]
    findings = [finding(checks[i % 8], line=i + 1, message=f"m{i}") for i in range(60)]
    write_sarif(
        report(findings, checks=checks),
        out / "truncated.sarif",
        limits=SarifLimits(max_results=20, max_rules=5),
    )


# --- real scans through the command line -------------------------------------------------------


def _cli(*args: str) -> None:
    code = cli_main(["scan", *args, "-q", "--fail-on", "never", "--workers", "2"])
    assert code in (0, 1), f"regoscan {' '.join(args)} exited {code}"


@case("cli-demo-keep-and-omit")
def _demo(out: Path) -> None:
    for mode in ("keep", "omit"):
        _cli(
            str(DEMO),
            "--root",
            str(DEMO),
            "--policy",
            str(DEMO / "policy"),
            "--sarif",
            str(out / f"cli-demo-{mode}.sarif"),
            "--sarif-suppressed",
            mode,
        )


@case("cli-errors")
def _cli_errors(out: Path) -> None:
    root = out / "src-cli-errors"
    (root / "policy").mkdir(parents=True)
    (root / "k8s").mkdir()
    (root / "k8s" / "web.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "k8s" / "broken.yaml").write_text("a: [1, 2\nb: }\n", encoding="utf-8")
    (root / "policy" / "broken.rego").write_text("package user.broken\n\ndeny contains msg if {\n", encoding="utf-8")
    code = cli_main(
        ["scan", str(root / "k8s"), "--root", str(root), "--policy", str(root / "policy"), "-q",
         "--sarif", str(out / "cli-errors.sarif"), "--workers", "1"]
    )  # fmt: skip
    assert code == 2  # the broken policy is a configuration error


# --- collection and validation ------------------------------------------------------------------


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Path, list[str]]]:
    require_multitool()
    out = tmp_path_factory.mktemp("validator-cases")
    for build in CASES.values():
        build(out)
    files = sorted(p for p in out.glob("*.sarif") if not p.name.endswith(EXPECTED_INVALID_SUFFIX))
    return out, validate_files(files)


def _case_files(out: Path, name: str) -> list[Path]:
    stems = {
        "omit-mode": ["omit-mode", "omit-mode-all-suppressed"],
        "cli-demo-keep-and-omit": ["cli-demo-keep", "cli-demo-omit"],
    }.get(name, [name])
    return [out / f"{stem}.sarif" for stem in stems]


@pytest.mark.parametrize("name", list(CASES))
def test_case_has_zero_errors_and_warnings(name: str, validated: tuple[Path, dict[Path, list[str]]]) -> None:
    out, problems = validated
    for path in _case_files(out, name):
        assert path.is_file(), f"{name} did not write {path.name}"
        assert validate_schema(path) == []
        assert problems[path.resolve()] == [], "\n".join(problems[path.resolve()])


def test_cases_cover_what_they_claim(validated: tuple[Path, dict[Path, list[str]]]) -> None:
    """Guard against a case silently losing what it was meant to exercise."""
    out, _ = validated

    def run(stem: str) -> dict[str, Any]:
        return json.loads((out / f"{stem}.sarif").read_text(encoding="utf-8"))["runs"][0]

    assert run("no-findings")["results"] == []
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in run("findings")["results"])
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in run("paths")["results"])
    assert sum(bool(r["suppressions"]) for r in run("suppressed-namespace-and-rule")["results"]) == 4
    assert run("omit-mode-all-suppressed")["results"] == []
    assert run("error-notices")["invocations"][0]["executionSuccessful"] is False
    assert len(run("large")["results"]) == 3000
    assert run("truncated")["properties"]["truncation"]["resultsOmitted"] == 40
    demo_keep, demo_omit = run("cli-demo-keep"), run("cli-demo-omit")
    assert any(r["suppressions"] for r in demo_keep["results"])
    assert not any(r["suppressions"] for r in demo_omit["results"])
    assert demo_omit["properties"]["omittedSuppressedResults"] >= 1
    errors = run("cli-errors")
    codes = {n["descriptor"]["id"] for n in errors["invocations"][0]["toolExecutionNotifications"]}
    assert errors["invocations"][0]["executionSuccessful"] is False
    assert any(code.startswith("policy-") for code in codes), codes
    assert any(code.startswith("input-") for code in codes), codes


def test_validator_reports_errors_and_warnings(tmp_path: Path) -> None:
    """The check is live: a log missing what GitHub requires is reported, with the rule ids."""
    require_multitool()
    write_sarif(report([finding()]), tmp_path / "good.sarif")
    log = json.loads((tmp_path / "good.sarif").read_text(encoding="utf-8"))
    driver = log["runs"][0]["tool"]["driver"]
    del driver["rules"][0]["fullDescription"]  # GH2012: required by GitHub
    del driver["informationUri"]  # SARIF2005: a warning
    broken = tmp_path / f"broken{EXPECTED_INVALID_SUFFIX}"
    broken.write_text(json.dumps(log), encoding="utf-8")
    problems = validate_multitool(broken)
    assert any(" error GH2012: " in p and "fullDescription" in p for p in problems), problems
    assert any(" warning SARIF2005: " in p and "informationUri" in p for p in problems), problems
    not_json = tmp_path / f"not-json{EXPECTED_INVALID_SUFFIX}"
    not_json.write_text('{"version": "2.1.0", "runs": [', encoding="utf-8")
    assert any("JSON0001" in p for p in validate_multitool(not_json))


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_real_corpus_scan_validates(tmp_path: Path) -> None:
    """One scan of ../shared/corpus (paths relative to it), written in both modes."""
    require_multitool()
    from regoscan.engine.scan import ScanOptions, run_scan

    rep = run_scan(ScanOptions(paths=[str(CORPUS)], root=CORPUS))
    assert rep.findings
    keep, omit = tmp_path / "corpus-keep.sarif", tmp_path / "corpus-omit.sarif"
    write_sarif(rep, keep)
    write_sarif(rep, omit, suppressed="omit")
    problems = validate_files([keep, omit])
    for path in (keep, omit):
        assert validate_schema(path) == []
        assert problems[path.resolve()] == [], "\n".join(problems[path.resolve()][:50])
    run = json.loads(keep.read_text(encoding="utf-8"))["runs"][0]
    assert len(run["results"]) == len(rep.findings)
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:")
               for r in run["results"])  # fmt: skip
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in run["results"])
