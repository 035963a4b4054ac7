"""Options a Trivy/Conftest/Checkov user looks for first, through the CLI: --severity,
--skip-check, `regoscan checks`, the config file; and the progress display on its own."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.output.progress import Progress
from tests.helpers import POD, write
from tests.test_cli_scan import HIGH_CHECK, LOW_CHECK, project, scan


def sarif_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def rule_ids(out: str) -> list[str]:
    return sorted(f["check_id"] for f in json.loads(out)["findings"])


# --- --severity and --skip-check ------------------------------------------------------


def test_severity_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, LOW_CHECK, HIGH_CHECK)
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--format", "json")
    assert rule_ids(out) == ["HIGH1", "HIGH1", "LOW1"] and code == 1
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--format", "json", "--severity", "low")
    assert rule_ids(out) == ["LOW1"] and code == 0  # the exit code follows what is reported
    assert json.loads(out)["summary"]["exclusions"] == {"severities": ["LOW"], "skipped_checks": [], "removed": 2}
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--format", "json", "--severity", "CRITICAL,high")
    assert rule_ids(out) == ["HIGH1", "HIGH1"]
    code, _, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--severity", "hihg")
    assert code == 2 and "--severity: unknown severity 'hihg' (did you mean high? use critical, high" in err


def test_skip_check_is_recorded_never_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, LOW_CHECK, HIGH_CHECK)
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--skip-check", "HIGH1", "--sarif", "o.sarif",
                        "--summary", "s.md")
    assert code == 0
    assert "Configured exclusions: checks skipped: HIGH1 (2 findings not reported)" in out
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "**Configured exclusions:** checks skipped: HIGH1 \\(2 findings not reported\\)." in summary
    run = sarif_of(tmp_path / "o.sarif")["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["LOW1"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "HIGH1" in rules  # the rule stays, switched off by a configuration override
    invocation = run["invocations"][0]
    assert invocation["ruleConfigurationOverrides"] == [
        {"descriptor": {"id": "HIGH1", "index": rules.index("HIGH1")}, "configuration": {"enabled": False}}
    ]
    assert invocation["properties"] == {"skippedChecks": ["HIGH1"], "severityFilter": [], "filteredOutResults": 2}


def test_skip_check_by_package_repeatable_and_unknown_ids_warn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, LOW_CHECK, HIGH_CHECK)
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--format", "json",
                          "--skip-check", "user.test.LOW1", "--skip-check", "HIGH2")
    assert rule_ids(out) == ["HIGH1", "HIGH1"] and code == 1
    assert "--skip-check HIGH2: no loaded check has this ID (did you mean HIGH1?) (config-unknown-check)" in err
    notices = [n["code"] for n in json.loads(out)["notices"]]
    assert "config-unknown-check" in notices


# --- regoscan checks ------------------------------------------------------------------


def test_a_namespace_or_policy_set_that_selects_nothing_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A typo in --namespace, or --no-builtin without checks, checked nothing: a warning,
    never a silent "Passed: no findings"."""
    project(tmp_path, LOW_CHECK)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--namespace", "usr",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    notices = [(n["code"], n["message"]) for n in json.loads(captured.out)["notices"]]
    assert notices == [
        ("config-unknown-namespace", "--namespace usr: no loaded check is in this namespace (did you mean user?)"),
        ("config-no-checks", "no check was loaded, so nothing was checked: see --policy, --namespace and "
                             "--no-builtin")]
    assert "(config-no-checks)" in captured.err
    # one namespace right, one wrong: the checks run, the wrong one is named
    assert main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--namespace", "user",
                 "--namespace", "builtin", "--format", "json", "--fail-on", "never"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["check_id"] for f in report["findings"]] == ["LOW1"]
    assert [n["message"] for n in report["notices"]] == ["--namespace builtin: no loaded check is in this namespace"]
    assert main(["scan", "k8s", "--no-builtin", "-q"]) == 0
    assert "(config-no-checks)" in capsys.readouterr().err


def test_checks_lists_builtin_and_custom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, HIGH_CHECK)
    monkeypatch.chdir(tmp_path)
    assert main(["checks", "--policy", "policy"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "TITLE", "PACKAGE"]
    ksv001 = next(line for line in lines if line.startswith("KSV001 "))
    assert ksv001.split()[1] == "MEDIUM" and ksv001.endswith("builtin.kubernetes.KSV001")
    assert any(line.split()[:2] == ["HIGH1", "HIGH"] and "A high-severity check" in line for line in lines)
    assert lines[-1] == "103 checks"

    assert main(["checks", "--policy", "policy", "--no-builtin", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "regoscan/checks/v1"
    assert [(c["id"], c["severity"], c["title"], c["package"]) for c in doc["checks"]] == [
        ("HIGH1", "HIGH", "A high-severity check", "user.test.HIGH1")
    ]


def test_checks_reports_broken_policies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "policy/bad.rego", "package user.bad\n\ndeny contains msg if {\n")
    monkeypatch.chdir(tmp_path)
    assert main(["checks", "--policy", "policy", "--no-builtin"]) == 2
    err = capsys.readouterr().err
    assert "regoscan: error: policy/bad.rego" in err and "(policy-compile-error)" in err


# --- config file ----------------------------------------------------------------------


def test_config_file_sets_options_and_flags_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, LOW_CHECK, HIGH_CHECK)
    write(tmp_path, "regoscan.yaml", """\
        paths: [k8s]
        policy: [policy]
        no-builtin: true
        format: json
        skip-check: [HIGH1]
        fail-on: low
        workers: 1
        """)
    monkeypatch.chdir(tmp_path)
    code = main(["scan"])
    out = capsys.readouterr().out
    assert code == 1 and rule_ids(out) == ["LOW1"]
    # flags win, and a repeated flag replaces the file's list instead of extending it
    code = main(["scan", "--skip-check", "LOW1", "--fail-on", "never"])
    out = capsys.readouterr().out
    assert code == 0 and rule_ids(out) == ["HIGH1", "HIGH1"]


def test_pyproject_table_and_explicit_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, LOW_CHECK, HIGH_CHECK)
    write(tmp_path, "pyproject.toml", """\
        [project]
        name = "x"

        [tool.regoscan]
        policy = ["policy"]
        no_builtin = true
        severity = ["low"]
        format = "json"
        """)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "k8s"]) == 0
    assert rule_ids(capsys.readouterr().out) == ["LOW1"]
    # --config FILE elsewhere: relative paths are the file's own
    write(tmp_path, "conf/ci.yaml", "policy: [../policy]\nno-builtin: true\nformat: json\npaths: [../k8s]\n")
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert main(["scan", "--config", "../conf/ci.yaml", "--root", str(tmp_path)]) == 1
    assert rule_ids(capsys.readouterr().out) == ["HIGH1", "HIGH1", "LOW1"]


@pytest.mark.parametrize(("text", "message"), [
    ("fail-on: high\nskip-checks: [KSV001]\n", "regoscan.yaml: unknown key 'skip-checks' (did you mean 'skip-check'?)"),
    ("fail-on: hgh\n", "regoscan.yaml: fail-on: 'hgh' is not one of critical, high, medium, low, never"),
    ("workers: many\n", "regoscan.yaml: workers: invalid value 'many'"),
    ("no-builtin: yes please\n", "regoscan.yaml: no-builtin: expected true or false"),
    ("- a\n- b\n", "regoscan.yaml: must be a mapping"),
    ("fail-on: [\n", "regoscan.yaml:2: not valid YAML"),
    ("severity: [high, bogus]\n", "regoscan.yaml: severity: unknown severity 'bogus'"),
    ("workers: 0\n", "regoscan.yaml: workers: must be at least 1, not 0"),
    ("timeout: -1\n", "regoscan.yaml: timeout: must be a positive number of seconds, not -1.0"),
    ("fail_on: low\nfail-on: high\n", "regoscan.yaml: fail-on is given twice (as fail-on and fail_on)"),
])
def test_config_errors_name_file_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    write(tmp_path, "regoscan.yaml", text)
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "."]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_explicit_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "--config", "nope.yaml"]) == 2
    assert "--config nope.yaml: no such file" in capsys.readouterr().err


def test_checks_reads_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "policy/c.rego", LOW_CHECK)
    write(tmp_path, "regoscan.yaml", "policy: [policy]\nno-builtin: true\nfail-on: low\n")
    write(tmp_path, "k8s/p.yaml", POD.format(name="p"))
    monkeypatch.chdir(tmp_path)
    assert main(["checks", "--format", "json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["checks"]] == ["LOW1"]


# --- progress display (unit: a fake clock, no timing) ---------------------------------


def test_progress_waits_for_the_delay_and_throttles() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, delay=1.0, interval=0.1, clock=lambda: now[0])
    progress("parsed", 1, 10)
    assert stream.getvalue() == ""  # a quick run shows nothing
    now[0] = 1.5
    progress("parsed", 2, 10)
    progress("parsed", 3, 10)  # within the interval: skipped
    progress("parsed", 10, 10)  # the last step is always shown
    assert stream.getvalue() == "\r\x1b[Kregoscan: 2/10 files parsed\r\x1b[Kregoscan: 10/10 files parsed"
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")
