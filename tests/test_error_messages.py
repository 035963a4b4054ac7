"""Error messages a newcomer can act on (issue 14): a syntax error with its line, column and
source line (a caret on stderr), once; an error in an exception named for what it is
(namespace or rule exception), coded ``exception-error``, at the call's line; and the
README's table of notice codes in step with the codes the code emits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.engine.findings import call_line
from tests.helpers import POD, write

ROOT = Path(__file__).resolve().parents[1]


def _scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, str, str, dict[str, Any]]:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--sarif", "out.sarif",
                 "--fail-on", "never", *args])
    out, err = capsys.readouterr()
    return code, out, err, json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))


def _notifications(sarif: dict[str, Any]) -> list[dict[str, Any]]:
    return sarif["runs"][0]["invocations"][0].get("toolExecutionNotifications", [])


def test_syntax_error_names_line_column_and_source_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/bad.rego", """\
        package user.bad

        import rego.v1

        deny contains msg if {
        \tmsg := concat("", ["a", "b"]
        }
        """)
    code, out, err, sarif = _scan(tmp_path, monkeypatch, capsys)
    assert code == 2
    (note,) = _notifications(sarif)
    text = note["message"]["text"]
    assert text == 'policy not loaded: syntax error at column 15: `(` is not closed in `msg := concat("", ["a", "b"]`'
    assert "more)" not in text  # rego-cpp's echoes for the enclosing body and file are dropped
    region = note["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (6, 15)
    # stderr: once, with a caret under the column (the tab before it kept, so it lines up)
    lines = err.splitlines()
    (first,) = [i for i, line in enumerate(lines) if "syntax error" in line]
    assert lines[first].startswith("regoscan: error: policy/bad.rego:6:15: policy not loaded: syntax error")
    assert lines[first + 1] == ' 6 | \tmsg := concat("", ["a", "b"]'
    assert lines[first + 2] == "   | \t" + " " * 13 + "^"
    assert "syntax error" not in out  # stdout does not repeat it


@pytest.mark.parametrize("v0", [False, True])
def test_syntax_error_cites_the_users_line_not_the_prepared_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str], v0: bool) -> None:
    """regoscan routes ``sprintf`` to a stand-in (and upgrades v0 heads) before rego-cpp
    parses the module: the column, the quoted line and the caret are the user's, not
    ``data.regoscan.compat.clean_sprintf(`` at column 46."""
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    head = "deny[msg] {" if v0 else "import rego.v1\n\ndeny contains msg if {"
    write(tmp_path, "policy/bad.rego", f"package user.bad\n\n{head}\n    msg := sprintf(\"x %v\", [input.kind]\n}}\n")
    code, _, err, sarif = _scan(tmp_path, monkeypatch, capsys)
    assert code == 2
    line = 4 if v0 else 6
    (note,) = _notifications(sarif)
    assert note["message"]["text"].startswith(
        'policy not loaded: syntax error at column 19: `(` is not closed in `msg := sprintf("x %v", [input.kind]`')
    region = note["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, 19)
    assert "compat" not in err
    lines = err.splitlines()
    (first,) = [i for i, text in enumerate(lines) if "syntax error" in text]
    assert lines[first].startswith(f"regoscan: error: policy/bad.rego:{line}:19: ")
    assert lines[first + 1] == f' {line} |     msg := sprintf("x %v", [input.kind]'
    assert lines[first + 2] == "   | " + " " * 18 + "^"


def test_other_syntax_errors_keep_the_engines_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/bad.rego", "package user.bad\n\nimport rego.v1\n\nr if {\n  x := 1 +\n}\n")
    _, _, err, sarif = _scan(tmp_path, monkeypatch, capsys)
    (note,) = _notifications(sarif)
    assert note["message"]["text"].startswith("policy not loaded: syntax error at column 10: Invalid arithmetic")
    assert "policy/bad.rego:6:10:" in err


def test_undefined_function_in_a_namespace_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.NS

        import rego.v1

        __rego_metadata__ := {"id": "NS", "severity": "HIGH"}

        deny contains "denied" if input.kind == "Pod"
        """)
    write(tmp_path, "policy/ns.rego", """\
        package namespace.exceptions

        import rego.v1

        # helper(ns) is not a call: a comment
        legacy(ns) if no_such_helper(ns)

        exception contains ns if {
            some ns in data.namespaces
            msg := "no_such_helper(ns) in a string is not a call either"
            legacy(ns)
        }
        """)
    code, _, err, sarif = _scan(tmp_path, monkeypatch, capsys)
    assert code == 2
    assert all(not r.get("suppressions") for r in sarif["runs"][0]["results"])
    (note,) = _notifications(sarif)
    assert note["descriptor"]["id"] == "exception-error"
    assert note["message"]["text"].startswith(
        "namespace exception in package namespace.exceptions waives nothing: Function not found: no_such_helper")
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 6  # the call, in the helper
    assert "policy/ns.rego:6: namespace exception" in err


def test_rule_exception_error_is_labelled_as_such(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", """\
        package user.test.RULE

        import rego.v1

        __rego_metadata__ := {"id": "RULE", "severity": "HIGH"}

        deny contains "denied" if input.kind == "Pod"

        exception contains rules if {
            input.kind == "Pod"
            undefined_fn(input)
            rules := [""]
        }
        """)
    _, _, _, sarif = _scan(tmp_path, monkeypatch, capsys)
    (note,) = _notifications(sarif)
    assert note["descriptor"]["id"] == "exception-error"
    assert note["message"]["text"].startswith("rule exception in package user.test.RULE waives nothing:")
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 11


def test_call_line_prefers_the_rule_then_the_module() -> None:
    src = ("package p\n\nhelper(x) if gone(x)\n\nr if {\n  s := \"gone(1)\"  # gone(2)\n  helper(1)\n}\n\n"
           "q if {\n  gone(3)\n  y.gone(4)\n}\n")
    assert call_line(src, "gone", 5) == 3
    assert call_line(src, "gone", 10) == 11
    assert call_line(src, "nothing", 5) is None


def _readme_codes() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"^\| (error|warning|note) \|", line)]
    assert len(rows) == 3
    return {code for row in rows for code in re.findall(r"`([a-z]+(?:-[a-z]+)+)`", row.split("|")[2])}


def _emitted_codes() -> set[str]:
    """Notice codes written in the scan's source: string literals shaped like one. The Action's
    input and output names (``sarif-file``...) share the shape, so src/regoscan/action is left
    out (it emits no notice of its own), and so are ``regoscan test``'s report (testing.py) and
    the configuration file's keys (config.py: ``cache-dir``)."""
    literal = re.compile(r"\"((?:input|policy|data|exception|evaluation|sarif|config|cache)-[a-z]+(?:-[a-z]+)*)\"")
    found: set[str] = set()
    for path in (ROOT / "src" / "regoscan").rglob("*.py"):
        rel = path.relative_to(ROOT / "src" / "regoscan").as_posix()
        if rel.startswith("action/") or rel in ("engine/testing.py", "config.py"):
            continue
        found.update(literal.findall(path.read_text(encoding="utf-8")))
    return found


def test_readme_lists_exactly_the_notice_codes_emitted() -> None:
    emitted, documented = _emitted_codes(), _readme_codes()
    assert emitted - documented == set(), "emitted but not in the README's table"
    assert documented - emitted == set(), "in the README's table but never emitted"


@pytest.mark.parametrize("comprehension", [
    "[k | some k, v in input.metadata; v != \"\"]",
    "{k |\n\t\tsome k, v in input.metadata\n\t\tv != \"\"\n\t}",
    # a bracket inside a string is not the comprehension's end
    "[k | x := \"]\"; some k, v in input.metadata; v != x]",
])
def test_key_value_some_in_a_comprehension_says_how_to_write_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], comprehension: str,
) -> None:
    """rego-cpp refuses `some k, v in xs` inside an array or set comprehension ("Invalid
    collection"; object comprehensions take it), valid Rego that OPA runs; the notice says what
    to write instead, and that form works."""
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/kv.rego", "package user.kv\n\nimport rego.v1\n\n"
          f"names := {comprehension}\n\ndeny contains \"named\" if count(names) > 0\n")
    _, _, _, sarif = _scan(tmp_path, monkeypatch, capsys)
    (note,) = [n for n in _notifications(sarif) if "Invalid collection" in n["message"]["text"]]
    assert "cannot parse `some k, v in xs` inside an array or set comprehension" in note["message"]["text"]
    assert "write `some k; v := xs[k]`" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    # the suggested form loads and finds what the comprehension finds
    fixed = comprehension.replace("some k, v in input.metadata", "some k; v := input.metadata[k]")
    write(tmp_path, "policy/kv.rego", "package user.kv\n\nimport rego.v1\n\n"
          f"names := {fixed}\n\ndeny contains \"named\" if count(names) > 0\n")
    _, _, _, sarif = _scan(tmp_path, monkeypatch, capsys, "--format", "json")
    assert not [n for n in _notifications(sarif) if n["level"] == "error"]
    assert [r["message"]["text"] for r in sarif["runs"][0]["results"]] == ["named"]
