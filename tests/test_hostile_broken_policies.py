"""Broken and hostile policies through ``regoscan scan``, beyond tests/test_engine_semantics.py
(syntax, compile and runtime errors, a string-returning exception) and
tests/test_hostile_policies.py (secrets, segfaults, hangs, a crashing exception).

In every case: the problem names its file and, where there is one, its line; a broken
policy means exit code 2; the healthy policies' findings are all still there; and an
exception that errors or returns the wrong thing never waives anything.
"""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.rego.prepare import MAX_POLICY_BYTES
from tests.helpers import POD, write

HEALTHY = """\
package user.test.HEALTHY

import rego.v1

__rego_metadata__ := {"id": "HEALTHY", "severity": "LOW"}

deny contains msg if msg := sprintf("healthy check saw %s", [input.metadata.name])
"""




class Scan:
    def __init__(self, cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 *args: str, fail_on: str = "never") -> None:
        monkeypatch.chdir(cwd)
        started = time.monotonic()
        self.code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--format", "json",
                          "--summary", "summary.md", "--sarif", "out.sarif", "--fail-on", fail_on, *args])
        self.seconds = time.monotonic() - started
        captured = capsys.readouterr()
        self.stderr = captured.err
        self.json: dict[str, Any] = json.loads(captured.out)
        self.summary = (cwd / "summary.md").read_text(encoding="utf-8")

    def notice(self, path: str, code: str | None = None) -> dict[str, Any]:
        found = [n for n in self.json["notices"] if n["path"] == path and (code is None or n["code"] == code)]
        assert len(found) == 1, (path, code, self.json["notices"])
        return found[0]

    def messages(self, check_id: str) -> list[str]:
        return sorted(f["message"] for f in self.json["findings"] if f["check_id"] == check_id)


def _configs(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write(tmp_path, f"configs/{name}.yaml", POD.format(name=name))
    write(tmp_path, "policy/healthy.rego", HEALTHY)


def test_broken_policies_name_file_and_line_and_lose_nothing_else(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _configs(tmp_path)
    write(tmp_path, "policy/unknown_call.rego", """\
        package user.test.UNKNOWN

        import rego.v1

        deny contains msg if {
            input.kind == "Pod"
            msg := no.such.function(input.kind)
        }
        """)
    write(tmp_path, "policy/unknown_in_helper.rego", """\
        package user.test.HELPER

        import rego.v1

        helper(x) := y if {
            y := missing_builtin(x)
        }

        deny contains msg if {
            msg := helper(input.kind)
        }
        """)
    # a complete rule with two values at run time, inside a check (not an exception)
    write(tmp_path, "policy/conflict.rego", """\
        package user.test.CONFLICT

        import rego.v1

        __rego_metadata__ := {"id": "CONFLICT", "severity": "HIGH"}

        level := "a" if input.kind == "Pod"

        level := "b" if input.metadata.name != ""

        deny_conflict contains "never" if level == "a"

        deny_fine contains "the other rule of the package still reports" if input.kind == "Pod"
        """)
    write(tmp_path, "policy/no_package.rego", """\
        import rego.v1

        deny contains "orphan" if true
        """)
    latin1 = 'package user.test.LATIN\n\nimport rego.v1\n\n# caf\xe9 au lait\ndeny contains "x" if true\n'
    write(tmp_path, "policy/latin1.rego", latin1.encode("latin-1"))
    write(tmp_path, "policy/enormous.rego",
           "package user.test.ENORMOUS\n\n" + "# padding\n" * (MAX_POLICY_BYTES // 10 + 1))

    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 2
    assert scan.messages("HEALTHY") == ["healthy check saw a", "healthy check saw b"]
    assert scan.messages("CONFLICT") == ["the other rule of the package still reports"] * 2

    unknown = scan.notice("policy/unknown_call.rego")
    assert unknown["code"] == "policy-runtime-error" and unknown["line"] == 7  # the call, not the rule
    assert "no.such.function" in unknown["message"]
    helper = scan.notice("policy/unknown_in_helper.rego")
    assert helper["line"] == 6 and "missing_builtin" in helper["message"]
    conflict = scan.notice("policy/conflict.rego")
    assert conflict["code"] == "policy-runtime-error" and conflict["line"] == 11
    assert "deny_conflict" in conflict["message"]
    assert "configs/a.yaml" in conflict["message"]  # which input it failed on
    assert scan.notice("policy/no_package.rego")["line"] == 1
    latin = scan.notice("policy/latin1.rego")
    assert latin["line"] == 5 and "UTF-8" in latin["message"]
    enormous = scan.notice("policy/enormous.rego")
    assert f"over the {MAX_POLICY_BYTES}-byte limit" in enormous["message"]
    assert all(n["level"] == "error" for n in scan.json["notices"])
    # stderr names each one as path:line, one line each
    for where in ("policy/unknown_call.rego:7", "policy/conflict.rego:11", "policy/latin1.rego:5",
                  "policy/no_package.rego:1", "policy/enormous.rego"):
        assert where in scan.stderr, where
    assert "Traceback" not in scan.stderr
    assert "❌ **Error: " in scan.summary


def test_a_large_module_that_fails_to_compile_is_pinned_to_its_rule_quickly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """regopy names no line for a compile error, so regoscan blanks rules out to find it;
    one compilation per rule took minutes for a module of a thousand rules (now: bisection)."""
    _configs(tmp_path)
    rules = "\n".join(f'r{i} := "{i:0>40}"\n' for i in range(1500))
    write(tmp_path, "policy/big.rego", "package user.test.BIG\n\nimport rego.v1\n\n" + rules + textwrap.dedent("""
        deny contains "never" if {
            startswith(input.items[_], "b") with input as {"items": ["b"]}
        }
        """))
    text_lines = (tmp_path / "policy/big.rego").read_text().splitlines()
    line = next(i for i, text in enumerate(text_lines, start=1) if text.startswith("deny contains"))
    assert line > 3000
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 2
    assert scan.seconds < 30, scan.seconds
    notice = scan.notice("policy/big.rego")
    assert notice["code"] == "policy-compile-error" and notice["line"] == line
    assert scan.messages("HEALTHY") == ["healthy check saw a", "healthy check saw b"]


def test_exceptions_returning_the_wrong_shape_never_suppress(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _configs(tmp_path)
    write(tmp_path, "policy/objects.rego", """\
        package user.test.HEALTHY

        import rego.v1

        exception contains {"rules": [""]} if true
        """)
    write(tmp_path, "policy/numbers.rego", """\
        package namespace.exceptions

        import rego.v1

        exception contains n if {
            some n in [1, 2.5]
        }
        """)
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 2
    healthy = [f for f in scan.json["findings"] if f["check_id"] == "HEALTHY"]
    assert len(healthy) == 2 and all(f["suppressions"] == [] for f in healthy)
    objects = scan.notice("policy/objects.rego")
    assert objects["code"] == "exception-error" and objects["line"] == 5
    assert "arrays of rule-name suffixes" in objects["message"] and "an object" in objects["message"]
    numbers = scan.notice("policy/numbers.rego")
    assert numbers["code"] == "exception-error" and numbers["line"] == 5
    assert "package names" in numbers["message"] and "number" in numbers["message"]
    assert scan.json["summary"]["suppressed"] == 0 and "Suppressed findings" not in scan.summary


def test_lookalike_exception_packages_never_suppress(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _configs(tmp_path)
    waive_all = """\
        package {pkg}

        import rego.v1

        exception contains ns if {{
            some ns in data.namespaces
        }}

        exception contains rules if {{
            rules := [""]
        }}
        """
    lookalikes = ["user.namespace.exceptions", "namespace.exceptions.extra", "namespace.exceptionsx",
                  "Namespace.Exceptions", "namespace_exceptions", "user.test.HEALTHY.sub", "user.test.HEALTHYX"]
    for i, pkg in enumerate(lookalikes):
        write(tmp_path, f"policy/lookalike{i}.rego", waive_all.format(pkg=pkg))
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 0, scan.json["notices"]
    healthy = [f for f in scan.json["findings"] if f["check_id"] == "HEALTHY"]
    assert len(healthy) == 2 and all(not f["suppressed"] for f in healthy)


@pytest.mark.parametrize(("package", "waives"), [
    ('namespace["exceptions"]', 'exception contains "user.test.HEALTHY" if input.metadata.name == "a"'),
    ('user.test["HEALTHY"]', 'exception contains [""] if input.metadata.name == "a"'),
])
def test_a_package_spelled_with_brackets_is_that_package(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        package: str, waives: str) -> None:
    """``namespace["exceptions"]`` is not a look-alike: rego-cpp reads it as
    ``namespace.exceptions`` and merges its rules there, so regoscan reads it so too (it
    took it for another package, while the engine put its rules into the real one)."""
    _configs(tmp_path)
    write(tmp_path, "policy/spelled.rego", f"package {package}\n\nimport rego.v1\n\n{waives}\n")
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 0, scan.json["notices"]
    healthy = {f["resource"]: f["suppressed"] for f in scan.json["findings"] if f["check_id"] == "HEALTHY"}
    assert len(healthy) == 2 and sorted(healthy.values()) == [False, True]


def test_bad_metadata_warns_with_its_line_and_the_check_still_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _configs(tmp_path)
    write(tmp_path, "policy/broken_yaml.rego", """\
        # METADATA
        # title: [never closed
        # custom:
        #   id: BROKENYAML
        package user.test.BROKENYAML

        import rego.v1

        deny contains "broken yaml check ran" if input.kind == "Pod"
        """)
    bomb = ["# METADATA", "# custom:", '#   a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    bomb += [f"#   a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    write(tmp_path, "policy/bomb.rego", "\n".join([
        *bomb, "package user.test.BOMB", "", "import rego.v1", "", 'deny contains "bomb check ran" if true', ""]))
    write(tmp_path, "policy/recursive.rego", """\
        # METADATA
        # title: loops
        # custom:
        #   loop: &loop [*loop]
        package user.test.RECURSIVE

        import rego.v1

        deny contains "recursive check ran" if true
        """)
    write(tmp_path, "policy/not_object.rego", """\
        package user.test.NOTOBJECT

        import rego.v1

        __rego_metadata__ := ["id", "NOTOBJECT"]

        deny contains "not-object check ran" if true
        """)
    write(tmp_path, "policy/odd_fields.rego", """\
        package user.test.ODD

        import rego.v1

        __rego_metadata__ := {
            "id": "ODD", "severity": "LOW", "aliases": 7, "related_resources": 3, "references": {"a": 1},
            "url": 5, "title": {"nested": true}, "__line": "not a number", "__path": "/etc/passwd",
            "input": "everything",
        }

        deny contains "odd check ran" if true
        """)
    write(tmp_path, "policy/severity.rego", """\
        # METADATA
        # title: Made-up severity
        # custom:
        #   id: SEV
        #   severity: APOCALYPTIC
        package user.test.SEV

        import rego.v1

        deny contains "severity check ran" if true
        """)
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.seconds < 60
    assert scan.code == 0, scan.json["notices"]  # metadata problems are warnings: the checks themselves work
    assert scan.messages("HEALTHY") == ["healthy check saw a", "healthy check saw b"]
    for package, message in (("user.test.BROKENYAML", "broken yaml check ran"), ("user.test.BOMB", "bomb check ran"),
                             ("user.test.RECURSIVE", "recursive check ran"),
                             ("user.test.NOTOBJECT", "not-object check ran")):
        assert scan.messages(package) == [message] * 2, package  # no id from the bad metadata: the package is the id
    broken = scan.notice("policy/broken_yaml.rego")
    assert broken["code"] == "policy-metadata-error" and broken["level"] == "warning" and broken["line"] == 1
    assert "not valid YAML (line 3)" in broken["message"]
    bomb_notice = scan.notice("policy/bomb.rego")
    assert "refused" in bomb_notice["message"] and "alias bomb" in bomb_notice["message"]
    assert "recursive alias" in scan.notice("policy/recursive.rego")["message"]
    not_object = scan.notice("policy/not_object.rego")
    assert not_object["line"] == 5 and "not an object" in not_object["message"]
    assert scan.messages("ODD") == ["odd check ran"] * 2  # odd field types are ignored, not fatal
    odd_check = next(c for c in scan.json["checks"] if c["id"] == "ODD")
    assert odd_check["source_path"] == "policy/odd_fields.rego" and odd_check["source_line"] == 1
    assert odd_check["aliases"] == [] and odd_check["references"] == []
    assert not any(n["path"] == "policy/odd_fields.rego" for n in scan.json["notices"])
    severity = scan.notice("policy/severity.rego")
    assert severity["level"] == "warning" and severity["line"] == 1 and "APOCALYPTIC" in severity["message"]
    assert {f["severity"] for f in scan.json["findings"] if f["check_id"] == "SEV"} == {"UNKNOWN"}


def test_an_unknown_severity_still_fails_the_gate_as_high(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "policy/severity.rego", """\
        package user.test.SEV

        import rego.v1

        __rego_metadata__ := {"id": "SEV", "severity": "nope"}

        deny contains "severity check ran" if true
        """)
    scan = Scan(tmp_path, capsys, monkeypatch, fail_on="high")
    assert scan.code == 1  # a made-up severity must not let a deny pass silently
    assert "nope" in scan.notice("policy/severity.rego")["message"]


def test_an_exception_file_in_the_package_cannot_rewrite_the_checks_metadata(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that only adds an ``exception`` (with METADATA saying why) sorted before the check's
    own file, and its METADATA became the check's: the id was lost, and a pull request could
    lower the severity below fail-on without waiving anything visibly."""
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "policy/org001.rego", """\
        # METADATA
        # title: Images must come from the internal registry
        # custom:
        #   id: ORG001
        #   severity: CRITICAL
        package user.org.ORG001

        import rego.v1

        deny contains "image from outside the internal registry" if input.kind == "Pod"
        """)
    write(tmp_path, "policy/000-downgrade.rego", """\
        # METADATA
        # title: harmless
        # custom:
        #   id: ORG001
        #   severity: LOW
        #   reason: only here to change the severity
        package user.org.ORG001

        import rego.v1

        exception contains rules if {
            input.kind == "NotAPod"
            rules := [""]
        }
        """)
    scan = Scan(tmp_path, capsys, monkeypatch, fail_on="high")
    assert scan.code == 1
    (finding,) = scan.json["findings"]
    assert finding["check_id"] == "ORG001" and finding["severity"] == "CRITICAL"
    assert finding["title"] == "Images must come from the internal registry"
    assert finding["suppressions"] == []


def test_a_number_beyond_a_double_never_makes_the_reports_invalid_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """rego-cpp prints the largest double rounded up; read back from that text it was
    infinity, and the exception's metadata wrote ``Infinity`` into the SARIF and the JSON
    output. Read from the node tree it is the double itself."""
    _configs(tmp_path)
    write(tmp_path, "policy/exceptions.rego", """\
        package namespace.exceptions

        import rego.v1

        __rego_metadata__ := {"reason": "big", "n": 1.7976931348623157e308, "m": -1.7976931348623157e308}

        exception contains "user.test.HEALTHY" if true
        """)
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 0
    assert all(f["suppressed"] for f in scan.json["findings"])

    def strict(text: str) -> Any:
        def refuse(constant: str) -> Any:
            raise ValueError(f"not JSON: {constant}")

        return json.loads(text, parse_constant=refuse)

    sarif = strict((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]
    main(["scan", "configs", "--policy", "policy", "--no-builtin", "--format", "json", "--fail-on", "never"])
    report = strict(capsys.readouterr().out)
    metadata = report["findings"][0]["suppressions"][0]["metadata"]
    assert (metadata["n"], metadata["m"]) == (1.7976931348623157e308, -1.7976931348623157e308)


def test_error_lines_on_stderr_cannot_forge_workflow_commands_or_restyle_the_log(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner reads workflow commands from stderr too; a policy's path comes from the PR."""
    _configs(tmp_path)
    write(tmp_path, "policy/bad\n::add-mask::forged\x1b[31m.rego", """\
        package user.test.BAD

        import rego.v1

        deny contains msg if {
            msg := [1, 2
        }
        """)
    scan = Scan(tmp_path, capsys, monkeypatch)
    assert scan.code == 2
    lines = [line for line in scan.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("regoscan:")]
    assert len(errors) == 1 and errors[0].startswith("regoscan: error: policy/bad ::add-mask::forged [31m.rego:6:12: ")
    # the source line and its caret follow, each behind a gutter: never a workflow command
    assert all(re.match(r"^ (\d+| +) \| ", line) for line in lines if line not in errors)
    assert not any(line.lstrip().startswith("::") for line in lines)
    assert "\x1b" not in scan.stderr
    assert scan.messages("HEALTHY") == ["healthy check saw a", "healthy check saw b"]
