"""Built-in packages are closed to the scanned change: only exceptions may join them.

Rego merges every module of a package and rego-cpp lets ``data`` override rules, so a
pull request could switch built-in checks off with no suppression and no notice: a
helper clause ``_pod_requires_non_root(pod) if { true }`` in ``builtin.kubernetes.KSV012``
removed its finding, and data ``{"lib": {"kubernetes": {"is_workload": false}}}`` dropped
every finding. Each case here goes through the CLI and must leave the built-in findings
in place, with an error (exit 2) that names the file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from tests.helpers import write

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostPID: true
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
          runAsUser: 0
"""


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    write(tmp_path, "configs/deploy.yaml", DEPLOYMENT)
    args = ["scan", str(tmp_path / "configs"), "--format", "json", *extra]
    if (tmp_path / "policy").exists():
        args += ["--policy", str(tmp_path / "policy")]
    if (tmp_path / "data").exists():
        args += ["--data", str(tmp_path / "data")]
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def honest(tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]) -> set[str]:
    _, report = _scan(tmp_path_factory.mktemp("honest"), capsys)
    found = {f["check_id"] for f in report["findings"]}
    assert {"KSV012", "KSV017", "KSV010"} <= found
    return found


def _errors(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [n for n in report["notices"] if n["code"] == code]


OVERRIDES = {
    # the case: a helper clause that is always true
    "builtin.kubernetes.KSV012": ("_pod_requires_non_root(pod) if { true }", 5),
    "builtin.kubernetes.KSV017": ('deny := set()', 5),
    # an ancestor of the library packages, or a library package itself
    "lib": ('kubernetes := {"is_workload": false}', 5),
    "lib.kubernetes": ("is_workload := false", 5),
    "result": ('new(msg, cause) := {"msg": msg, "startline": -1}', 5),
    "regoscan": ('compat := {}', 5),
    "regoscan.compat": ("clean_sprintf(fmt, args) := \"\"", 5),
    "appshield.kubernetes.KSV122": ("deny := set()", 5),
    "defsec.kubernetes.KSV107": ("x := 1", 5),
    "builtin.kubernetes": ('KSV012 := {"deny": set()}', 5),
    "lib.mine": ("helper(x) := x", 5),  # the lib.* root stays the library's, even for a new package
}


@pytest.mark.parametrize("package", sorted(OVERRIDES))
def test_a_module_joining_a_builtin_package_with_more_than_exceptions_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str], package: str) -> None:
    rule, line = OVERRIDES[package]
    write(tmp_path, "policy/override.rego", f"package {package}\n\nimport rego.v1\n\n{rule}\n")
    code, report = _scan(tmp_path, capsys)
    assert code == 2
    (error,) = _errors(report, "policy-builtin-override")
    assert error["path"].endswith("policy/override.rego") and error["line"] == line
    assert f"package {package} belongs to the built-in library" in error["message"]
    assert {f["check_id"] for f in report["findings"]} == honest


def test_a_rule_beside_an_exception_refuses_the_whole_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str]) -> None:
    write(tmp_path, "policy/ksv012.rego", """\
        package builtin.kubernetes.KSV012

        import rego.v1

        exception contains rules if {
            input.metadata.name == "web"
            rules := [""]
        }

        exception(x) := true
        """)
    code, report = _scan(tmp_path, capsys)
    (error,) = _errors(report, "policy-builtin-override")
    assert code == 2 and error["line"] == 10 and "function exception" in error["message"]
    ksv012 = [f for f in report["findings"] if f["check_id"] == "KSV012"]
    assert ksv012 and not any(f["suppressed"] for f in ksv012)


def test_exceptions_and_metadata_may_still_join_a_builtin_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "policy/ksv012.rego", """\
        # METADATA
        # custom:
        #   reason: the legacy image needs root
        package builtin.kubernetes.KSV012

        import rego.v1

        exception contains rules if {
            input.metadata.name == "web"
            rules := [""]
        }
        """)
    _, report = _scan(tmp_path, capsys)
    assert _errors(report, "policy-builtin-override") == []
    (ksv012,) = [f for f in report["findings"] if f["check_id"] == "KSV012"]
    assert ksv012["suppressed"]


def test_the_builtin_namespace_stays_closed_without_the_builtin_checks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "policy/check.rego", """\
        package builtin.kubernetes.KSV999

        import rego.v1

        deny contains "x" if true
        """)
    code, report = _scan(tmp_path, capsys, "--no-builtin")
    assert code == 2 and _errors(report, "policy-builtin-override")[0]["line"] == 5


DATA = {
    "lib.json": ({"lib": {"kubernetes": {"is_workload": False}}}, "lib.kubernetes"),
    "builtin.json": ({"builtin": {"kubernetes": {"KSV012": {"deny": []}}}}, "builtin.kubernetes.KSV012"),
    "leaf.yaml": ({"lib": 5}, "lib"),
    "result.json": ({"result": {"new": {}}}, "result"),
}


@pytest.mark.parametrize("name", sorted(DATA))
def test_data_keys_at_package_paths_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str], name: str) -> None:
    value, package = DATA[name]
    write(tmp_path, f"data/{name}", json.dumps(value))
    code, report = _scan(tmp_path, capsys)
    assert code == 2
    (error,) = _errors(report, "data-error")
    assert error["path"].endswith(f"data/{name}") and package in error["message"]
    assert {f["check_id"] for f in report["findings"]} == honest


def test_data_beside_the_packages_is_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          honest: set[str]) -> None:
    write(tmp_path, "data/extra.json", json.dumps({"lib": {"team": {"owner": "ops"}}, "registries": ["a"]}))
    code, report = _scan(tmp_path, capsys)
    assert code == 1 and report["notices"] == []
    assert {f["check_id"] for f in report["findings"]} == honest


def test_conflicting_function_clauses_are_an_error_not_a_choice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two clauses of one function giving different values for one input: OPA's
    eval_conflict_error, and an error here too (never one of the values, silently)."""
    write(tmp_path, "policy/a.rego", """\
        package user.test.CONFLICT

        import rego.v1

        __rego_metadata__ := {"id": "CONFLICT", "severity": "HIGH"}

        level(x) := "high" if x.kind == "Deployment"

        deny contains msg if {
            level(input) == "high"
            msg := "high"
        }
        """)
    write(tmp_path, "policy/b.rego", """\
        package user.test.CONFLICT

        import rego.v1

        level(x) := "none" if x.kind == "Deployment"
        """)
    code, report = _scan(tmp_path, capsys)
    assert code == 2
    errors = [n for n in report["notices"] if n["level"] == "error"]
    assert errors and "multiple outputs" in errors[0]["message"]
    assert not [f for f in report["findings"] if f["check_id"] == "CONFLICT"]


# rego-cpp reads a package path written with brackets or spaces as the dotted one; read as
# text, each of these joined KSV012 unseen and its helper clause removed the finding.
SPELLINGS = [
    'builtin["kubernetes"].KSV012',
    'builtin . kubernetes . KSV012',
    'builtin.kubernetes["KSV012"]',
    "builtin[`kubernetes`].KSV012",
    'builtin["kube\\u0072netes"].KSV012',
    'lib["kubernetes"]',
]


@pytest.mark.parametrize("package", SPELLINGS)
def test_a_builtin_package_spelled_another_way_is_still_closed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str], package: str) -> None:
    write(tmp_path, "policy/override.rego",
          f"package {package}\n\nimport rego.v1\n\n_pod_requires_non_root(pod) if {{ true }}\n")
    code, report = _scan(tmp_path, capsys)
    assert code == 2
    (error,) = _errors(report, "policy-builtin-override")
    assert error["path"].endswith("policy/override.rego") and error["line"] == 5
    assert "belongs to the built-in library" in error["message"]
    assert {f["check_id"] for f in report["findings"]} == honest


def test_a_package_path_that_is_not_names_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "policy/odd.rego", 'package user["my-checks"]\n\nimport rego.v1\n\ndeny contains "x" if true\n')
    code, report = _scan(tmp_path, capsys)
    (error,) = _errors(report, "policy-unsupported")
    assert code == 2 and error["line"] == 1 and "not a path of names" in error["message"]


# A rule after a bracket that closes a multi-line construct, on that bracket's line: rego-cpp
# reads two rules where regoscan's reader saw one, so the helper clause hid in an exception.
HIDDEN = [
    'exception contains "x" if {\n    false\n} _pod_requires_non_root(pod) if { true }',
    'exception contains "x" if {\n    false\n}\t_pod_requires_non_root(pod) if { true }',
    'exception contains x if {\n    some x in [\n        "a"\n    ]\n}\x0b_pod_requires_non_root(pod) if { true }',
    'exception := [\n    "a"\n] _pod_requires_non_root(pod) if { true }',
]


@pytest.mark.parametrize("rules", HIDDEN)
def test_a_rule_hidden_after_a_closing_bracket_is_seen(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str], rules: str) -> None:
    write(tmp_path, "policy/ksv012.rego", f"package builtin.kubernetes.KSV012\n\nimport rego.v1\n\n{rules}\n")
    code, report = _scan(tmp_path, capsys)
    assert code == 2
    (error,) = _errors(report, "policy-builtin-override")
    assert "_pod_requires_non_root" in error["message"]
    assert error["line"] == 5 + rules.count("\n")
    assert {f["check_id"] for f in report["findings"]} == honest


def test_rego_cpp_confirms_what_a_module_in_a_builtin_package_defines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], honest: set[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second wall on its own: with regoscan's reader blind (every module passes its
    check), rego-cpp's own list of the module's rules still refuses the hidden clause, and
    lets a plain exception through."""
    from regoscan.engine import policyset

    monkeypatch.setattr(policyset, "_builtin_override", lambda mod, packages: None)
    write(tmp_path, "policy/ksv012.rego", f"package builtin.kubernetes.KSV012\n\nimport rego.v1\n\n{HIDDEN[0]}\n")
    code, report = _scan(tmp_path, capsys)
    (error,) = _errors(report, "policy-builtin-override")
    assert code == 2 and "rego-cpp reads a rule _pod_requires_non_root" in error["message"]
    assert error["line"] == 7
    assert {f["check_id"] for f in report["findings"]} == honest

    write(tmp_path, "policy/ksv012.rego", """\
        package builtin.kubernetes.KSV012

        import rego.v1

        exception contains rules if {
            input.metadata.name == "web"
            rules := [""]
        }
        """)
    code, report = _scan(tmp_path, capsys)
    assert _errors(report, "policy-builtin-override") == []
    assert [f["suppressed"] for f in report["findings"] if f["check_id"] == "KSV012"] == [True]
