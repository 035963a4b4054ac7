"""Exception semantics, error handling and input selection, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from tests.helpers import POD, write

# One custom check with several rules, so suffix matching can be observed rule by rule.
MULTI_RULE_CHECK = """\
package user.test.MULTI

import rego.v1

__rego_metadata__ := {"id": "MULTI", "title": "Multi-rule check", "severity": "HIGH"}

deny contains "bare deny" if input.kind == "Pod"

deny_foo contains "deny_foo fired" if input.kind == "Pod"

deny_barfoo contains "deny_barfoo fired" if input.kind == "Pod"

warn_foo contains "warn_foo fired" if input.kind == "Pod"

violation_foo contains "violation_foo fired" if input.kind == "Pod"

warn contains "bare warn" if input.kind == "Pod"
"""




def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str,
         capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--sarif", "out.sarif",
                 "--summary", "summary.md", "--fail-on", "never", "-q", *args])
    return code, json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))


def _by_message(sarif: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["message"]["text"]: r for r in sarif["runs"][0]["results"]}


def _notices(sarif: dict[str, Any]) -> list[dict[str, Any]]:
    return sarif["runs"][0]["invocations"][0].get("toolExecutionNotifications", [])


def test_suffix_matches_exactly_across_deny_warn_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", MULTI_RULE_CHECK)
    write(tmp_path, "policy/exc.rego", """\
        package user.test.MULTI

        import rego.v1

        exception contains rules if {
            rules := ["foo"]
        }
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 0
    results = _by_message(sarif)
    for waived in ("deny_foo fired", "warn_foo fired", "violation_foo fired"):
        assert results[waived]["suppressions"][0]["properties"]["matched"] == "foo"
    for kept in ("deny_barfoo fired", "bare deny", "bare warn"):
        assert results[kept]["suppressions"] == [], kept


def test_empty_suffix_exempts_only_the_bare_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", MULTI_RULE_CHECK)
    write(tmp_path, "policy/exc.rego", """\
        package user.test.MULTI

        exception[rules] {
            rules := [""]
        }
        """)
    _, sarif = _run(tmp_path, monkeypatch)
    results = _by_message(sarif)
    assert results["bare deny"]["suppressions"] and results["bare warn"]["suppressions"]
    for kept in ("deny_foo fired", "deny_barfoo fired", "warn_foo fired", "violation_foo fired"):
        assert results[kept]["suppressions"] == [], kept


def test_several_exception_definitions_cite_the_one_that_matched(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "configs/b.yaml", POD.format(name="b"))
    write(tmp_path, "configs/c.yaml", POD.format(name="c"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.ONE

        import rego.v1

        __rego_metadata__ := {"id": "ONE", "severity": "HIGH"}

        deny contains msg if {
            msg := sprintf("pod %s", [input.metadata.name])
        }
        """)
    write(tmp_path, "policy/exc.rego", """\
        package user.test.ONE

        import rego.v1

        exception contains rules if {
            input.metadata.name == "a"
            rules := [""]
        }

        exception contains rules if {
            input.metadata.name == "b"
            rules := [""]
        }
        """)
    _, sarif = _run(tmp_path, monkeypatch)
    results = _by_message(sarif)

    def cited_line(msg: str) -> int:
        return results[msg]["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"]

    assert cited_line("pod a") == 5
    assert cited_line("pod b") == 10
    assert results["pod c"]["suppressions"] == []


def test_exception_that_errors_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.ERR

        import rego.v1

        __rego_metadata__ := {"id": "ERR", "severity": "HIGH"}

        deny contains "still reported" if input.kind == "Pod"
        """)
    # a complete rule with two different values: a conflict error at evaluation time
    write(tmp_path, "policy/exc.rego", """\
        package user.test.ERR

        import rego.v1

        name := "x" if input.kind == "Pod"
        name := "y" if input.metadata.name == "p"

        exception contains rules if {
            name == "x"
            rules := [""]
        }
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    assert _by_message(sarif)["still reported"]["suppressions"] == []
    errors = [n for n in _notices(sarif) if n["level"] == "error"]
    assert errors, "the exception's error must be reported"
    loc = errors[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "policy/exc.rego"
    assert loc["region"]["startLine"] == 9  # the statement that errors, not the head
    assert errors[0]["descriptor"]["id"] == "exception-error"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "exc.rego" in summary


def test_exception_returning_wrong_type_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", MULTI_RULE_CHECK)
    write(tmp_path, "policy/exc.rego", """\
        package user.test.MULTI

        import rego.v1

        exception contains "foo" if true
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    assert all(r["suppressions"] == [] for r in sarif["runs"][0]["results"])
    messages = " ".join(n["message"]["text"] for n in _notices(sarif))
    assert "arrays of rule-name suffixes" in messages


def test_policy_with_syntax_error_exits_2_naming_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/good.rego", """\
        package user.test.GOOD

        import rego.v1

        __rego_metadata__ := {"id": "GOOD", "severity": "LOW"}

        deny contains "good check ran" if input.kind == "Pod"
        """)
    write(tmp_path, "policy/broken.rego", """\
        package user.test.BROKEN

        import rego.v1

        deny contains msg if {
            msg := [1, 2
        }
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    err = capsys.readouterr().err
    assert "policy/broken.rego:6" in err
    # the healthy policy still produced its finding
    assert "good check ran" in _by_message(sarif)
    notice = next(n for n in _notices(sarif) if n["descriptor"]["id"] == "policy-compile-error")
    assert notice["locations"][0]["physicalLocation"]["region"]["startLine"] == 6


def test_policy_that_fails_to_compile_is_quarantined_with_its_line(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid Rego that regopy cannot compile: the module and rule are named, the others still run."""
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/good.rego", """\
        package user.test.GOOD

        import rego.v1

        deny contains "good check ran" if input.kind == "Pod"
        """)
    # iteration inside a call argument under `with` is left alone by the rewriter, and
    # regopy rejects it ("Invalid bracket argument") for the whole program
    write(tmp_path, "policy/bracket.rego", """\
        package user.test.BRACKET

        import rego.v1

        ok := true

        deny contains "never" if {
            startswith(input.items[_], "b") with input as {"items": ["b"]}
        }
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    assert "good check ran" in _by_message(sarif)
    notice = next(n for n in _notices(sarif) if n["level"] == "error")
    assert notice["descriptor"]["id"] == "policy-compile-error"
    loc = notice["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "policy/bracket.rego"
    assert loc["region"]["startLine"] == 7
    assert "Invalid bracket argument" in notice["message"]["text"]


def test_runtime_policy_error_names_rule_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/good.rego", """\
        package user.test.GOOD

        import rego.v1

        deny contains "good check ran" if input.kind == "Pod"
        """)
    write(tmp_path, "policy/cycle.rego", """\
        package user.test.CYCLE

        import rego.v1

        a if b

        b if a

        deny contains "never" if a
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    assert "good check ran" in _by_message(sarif)
    notice = next(n for n in _notices(sarif) if n["level"] == "error")
    assert notice["descriptor"]["id"] == "policy-runtime-error"
    loc = notice["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "policy/cycle.rego"
    assert loc["region"]["startLine"] == 9
    assert "configs/pod.yaml" in notice["message"]["text"]


def test_custom_check_selecting_generic_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/app-config.yaml", """\
        # not a Kubernetes object: a plain application config file
        server:
          port: 8080
          debug: true
        """)
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/debug.rego", """\
        # METADATA
        # title: Debug mode enabled
        # custom:
        #   id: CFG001
        #   severity: MEDIUM
        #   input:
        #     selector:
        #       - type: yaml
        package user.config.CFG001

        import rego.v1

        deny contains {"msg": "debug is enabled", "startline": 4, "endline": 4} if {
            input.server.debug == true
        }

        deny contains "saw a pod" if input.kind == "Pod"
        """)
    code, sarif = _run(tmp_path, monkeypatch, "--fail-on", "medium")
    assert code == 1
    results = sarif["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == ["debug is enabled"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "configs/app-config.yaml"
    assert loc["region"]["startLine"] == 4


def test_line_numbers_in_multi_document_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    multi = "---\n" + POD.format(name="first") + "---\n# comment\n\n" + POD.format(name="second")
    write(tmp_path, "configs/multi.yaml", multi)
    write(tmp_path, "policy/check.rego", """\
        package user.test.LINES

        import rego.v1

        deny contains res if {
            some c in input.spec.containers
            res := result.new(sprintf("container of %s", [input.metadata.name]), c)
        }
        """)
    _, sarif = _run(tmp_path, monkeypatch)
    results = _by_message(sarif)
    lines = multi.splitlines()
    first = [i for i, line in enumerate(lines, 1) if line.strip() == "- name: app"]
    assert results["container of first"]["locations"][0]["physicalLocation"]["region"]["startLine"] == first[0]
    assert results["container of second"]["locations"][0]["physicalLocation"]["region"]["startLine"] == first[1]
    assert results["container of second"]["locations"][0]["physicalLocation"]["region"]["endLine"] == first[1] + 1


def test_fail_on_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.MED

        import rego.v1

        __rego_metadata__ := {"id": "MED", "severity": "MEDIUM"}

        deny contains "medium finding" if input.kind == "Pod"
        """)
    assert _run(tmp_path, monkeypatch, "--fail-on", "high")[0] == 0
    assert _run(tmp_path, monkeypatch, "--fail-on", "medium")[0] == 1
    assert _run(tmp_path, monkeypatch, "--fail-on", "low")[0] == 1


def test_missing_scan_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "does-not-exist", "-q"]) == 2
    assert "does-not-exist" in capsys.readouterr().err


def test_unparseable_input_is_a_notice_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n")
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.OK

        import rego.v1

        deny contains "pod seen" if input.kind == "Pod"
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 0
    notes = [n for n in _notices(sarif) if "bad.yaml" in json.dumps(n)]
    assert notes and notes[0]["level"] == "warning"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "bad.yaml" in summary


def test_exception_metadata_goes_into_justification_and_properties(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "configs/b.yaml", POD.format(name="b"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.META

        import rego.v1

        deny contains msg if msg := sprintf("pod %s", [input.metadata.name])
        """)
    write(tmp_path, "policy/exc.rego", """\
        # METADATA
        # title: Waivers for META
        # custom:
        #   reason: package-wide reason
        #   ticket: OPS-1
        package user.test.META

        import rego.v1

        # METADATA
        # custom:
        #   reason: pod b is a load-test fixture
        #   expires: "2027-01-31"
        exception contains rules if {
            input.metadata.name == "b"
            rules := [""]
        }

        exception contains rules if {
            input.metadata.name == "a"
            rules := [""]
        }
        """)
    _, sarif = _run(tmp_path, monkeypatch)
    results = _by_message(sarif)
    sup_b = results["pod b"]["suppressions"][0]
    assert ": pod b is a load-test fixture" in sup_b["justification"]
    assert "2027-01-31" in sup_b["justification"]
    assert sup_b["properties"]["expires"] == "2027-01-31"
    assert sup_b["location"]["physicalLocation"]["region"]["startLine"] == 14
    sup_a = results["pod a"]["suppressions"][0]
    assert ": package-wide reason" in sup_a["justification"]
    assert sup_a["properties"]["ticket"] == "OPS-1"


def test_identical_findings_get_distinct_identities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/Dockerfile", "FROM alpine:3.20\nRUN cd /tmp\nRUN echo hi\nRUN cd /tmp\n")
    write(tmp_path, "policy/check.rego", """\
        package user.docker.CD

        import rego.v1

        deny contains res if {
            some stage in input.Stages
            some cmd in stage.Commands
            cmd.Cmd == "run"
            startswith(cmd.Value[0], "cd ")
            res := result.new("do not cd in RUN", cmd)
        }
        """)
    _, sarif = _run(tmp_path, monkeypatch)
    results = sarif["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == [2, 4]
    keys = {r["partialFingerprints"]["regoscanFinding/v1"] for r in results}
    assert len(keys) == 2


def test_many_documents_share_one_query_and_errors_still_isolate(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With enough documents the engine evaluates each document's checks in one query (a
    plan); a rule that errors on some documents must still cost only its own results."""
    for i in range(12):
        write(tmp_path, f"configs/p{i}.yaml", POD.format(name=f"p{i}"))
    write(tmp_path, "policy/good.rego", """\
        package user.test.GOOD

        import rego.v1

        deny contains msg if msg := sprintf("good %s", [input.metadata.name])
        """)
    write(tmp_path, "policy/flaky.rego", """\
        package user.test.FLAKY

        import rego.v1

        name := "a" if input.kind == "Pod"
        name := "b" if input.metadata.name == "p3"

        deny contains msg if msg := sprintf("flaky %s %s", [name, input.metadata.name])
        """)
    code, sarif = _run(tmp_path, monkeypatch)
    assert code == 2
    messages = set(_by_message(sarif))
    assert {f"good p{i}" for i in range(12)} <= messages
    assert {f"flaky a p{i}" for i in range(12) if i != 3} <= messages
    assert not any(m.endswith(" p3") and m.startswith("flaky") for m in messages)
    errors = [n for n in _notices(sarif) if n["level"] == "error"]
    assert len(errors) == 1 and "p3.yaml" in errors[0]["message"]["text"]


def test_mixed_input_types_in_their_own_bundles_lose_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough documents of two types make the engine compile a bundle per type (without the
    other type's built-in checks); every user module must still be there in each."""
    for i in range(6):
        write(tmp_path, f"configs/p{i}.yaml", POD.format(name=f"p{i}"))
        write(tmp_path, f"configs/d{i}/Dockerfile", "FROM alpine:3.20\nUSER root\n")
    write(tmp_path, "policy/lib.rego", """\
        package user.lib

        import rego.v1

        label(x) := concat(":", ["seen", x])
        """)
    write(tmp_path, "policy/any.rego", """\
        package user.test.ANY

        import rego.v1

        import data.user.lib

        deny contains lib.label(input.metadata.name) if input.kind == "Pod"

        deny contains lib.label("dockerfile") if count(input.Stages) > 0
        """)
    monkeypatch.chdir(tmp_path)
    main(["scan", "configs", "--policy", "policy", "--sarif", "out.sarif", "--fail-on", "never", "-q"])
    results = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    custom = sorted(r["message"]["text"] for r in results if r["ruleId"] == "user.test.ANY")
    assert custom == sorted([f"seen:p{i}" for i in range(6)] + ["seen:dockerfile"] * 6)
    builtin = {r["ruleId"] for r in results}
    assert {"DS002", "KSV012"} <= builtin
