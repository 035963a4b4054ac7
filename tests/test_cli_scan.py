"""``regoscan scan`` through the CLI: verdict and exit code agree, report writing, streams, usage errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from regoscan import cli
from regoscan.cli import main
from tests.helpers import POD, write

LOW_CHECK = """\
package user.test.LOW1

import rego.v1

__rego_metadata__ := {"id": "LOW1", "title": "A low-severity check", "severity": "LOW"}

deny contains "low finding" if input.kind == "Pod"
"""

HIGH_CHECK = """\
package user.test.HIGH1

import rego.v1

__rego_metadata__ := {"id": "HIGH1", "title": "A high-severity check", "severity": "HIGH"}

deny contains "high finding" if input.kind == "Pod"

warn_advice contains "advice" if input.kind == "Pod"
"""


class TTY(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def project(tmp_path: Path, *checks: str, pods: int = 1) -> Path:
    for i in range(pods):
        write(tmp_path, f"k8s/pod{i}.yaml", POD.format(name=f"p{i}"))
    for i, check in enumerate(checks or (LOW_CHECK,)):
        write(tmp_path, f"policy/c{i}.rego", check)
    return tmp_path


def scan(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path,
         *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(["scan", "--no-builtin", "--policy", "policy", "--workers", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


# --- verdict, exit code and headline agree ---------------------------------------------


def test_headline_and_exit_code_follow_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, pods=2)
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--summary", "s.md", "--format", "json")
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert code == 0
    assert "✅ **Passed: 2 findings below high**" in summary
    doc = json.loads(out)
    assert doc["summary"]["decision"] == "pass" and doc["summary"]["fail_on"] == "high"

    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--summary", "s.md", "--fail-on", "low")
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert code == 1
    assert "❌ **Failed: 2 findings at or above low**" in summary
    assert out.splitlines()[-1] == "FAILED: 2 findings at or above low"


def test_warn_results_never_fail_and_are_called_advisory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, HIGH_CHECK)
    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--fail-on", "high")
    assert code == 1
    assert out.splitlines()[-1] == "FAILED: 1 finding at or above high · 1 warning (advisory)"


def test_nothing_scanned_is_a_warning_not_a_clean_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, pods=0)
    write(tmp_path, "k8s/broken.yaml", "a: [\n")
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--summary", "s.md")
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert code == 0
    assert "No active findings" not in summary and "Passed" not in summary
    assert "⚠️ **Nothing was scanned: 1 file could not be scanned**" in summary
    assert "regoscan: warning: the only input file could not be scanned (input-nothing-scanned)" in err
    assert out.splitlines()[-1] == "NOTHING WAS SCANNED: 1 file could not be scanned"


def test_empty_input_set_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, pods=0)
    (tmp_path / "empty").mkdir()
    code, out, err = scan(monkeypatch, capsys, tmp_path, "empty", "--sarif", "out.sarif", "--summary", "s.md")
    assert code == 0 and out.splitlines()[-1] == "NOTHING TO SCAN: no input files found"
    assert "regoscan: note: no input files found under empty (input-none)" in err
    assert "ℹ️ **Nothing to scan: no input files found**" in (tmp_path / "s.md").read_text(encoding="utf-8")
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [("input-none", "note")]
    # a glob that matches nothing is the same
    code, _, err = scan(monkeypatch, capsys, tmp_path, ".", "--include", "nothing/**")
    assert code == 0 and "(input-none)" in err


# --- streams --------------------------------------------------------------------------


def test_parse_errors_go_to_stderr_and_survive_quiet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path)
    write(tmp_path, "k8s/broken.yaml", "a: [\n")
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s")
    assert "broken.yaml" not in out
    assert "regoscan: warning: k8s/broken.yaml:1: not scanned:" in err and "(input-parse-error)" in err
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "-q")
    assert code == 0 and out == ""
    assert "k8s/broken.yaml:1: not scanned:" in err


def test_sarif_and_summary_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path)
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--sarif", "-", "--fail-on", "low")
    assert code == 1
    log = json.loads(out)  # stdout is the SARIF and nothing else
    assert log["version"] == "2.1.0" and [r["ruleId"] for r in log["runs"][0]["results"]] == ["LOW1"]
    assert not (tmp_path / "-").exists()
    assert err == ""  # not a terminal: no verdict line on stderr

    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--format", "sarif")
    assert json.loads(out)["runs"][0]["results"][0]["ruleId"] == "LOW1"

    code, out, _ = scan(monkeypatch, capsys, tmp_path, "k8s", "--summary", "-", "--sarif", "x.sarif")
    assert out.startswith("<!-- regoscan-summary -->\n") and "✅ **Passed: 1 finding below high**" in out
    assert json.loads((tmp_path / "x.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize("args", [
    ["--sarif", "-", "--summary", "-"],
    ["--format", "json", "--sarif", "-"],
    ["--format", "sarif", "--summary", "-"],
])
def test_only_one_report_may_claim_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    project(tmp_path)
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", *args)
    assert code == 2 and out == ""
    assert "regoscan: error: stdout can carry one report" in err


def test_unwritable_report_paths_exit_2_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path)
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--summary", "adir",
                          "--sarif", "afile/out.sarif")
    assert code == 2
    assert "regoscan: error: cannot write the Markdown summary: adir: is a folder" in err
    assert "regoscan: error: cannot write the SARIF: afile/out.sarif:" in err
    assert "Traceback" not in err
    assert "1 active" in out  # the scan's own report is still printed
    if Path("/proc/self").is_dir():
        code, _, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--sarif", "/proc/x.sarif")
        assert code == 2 and "cannot write the SARIF: /proc/x.sarif:" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_a_report_to_a_pipe_is_written_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """``--sarif /dev/stdout`` or ``--summary >(cat)`` name a pipe or a device: the report is
    written into it, never renamed over it (as root that replaced /dev/stdout or /dev/full
    with a regular file)."""
    import os
    import stat
    import threading

    project(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--sarif", "pipe")
    reader.join(timeout=30)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe
    assert json.loads(received[0])["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k8s", "pipe", "policy"]  # no temporary file left
    assert "1 active" in out


def test_paths_under_dev_are_written_in_place() -> None:
    from regoscan.output.files import _write_in_place

    assert _write_in_place(Path("/dev/stdout")) and _write_in_place(Path("/dev/fd/63"))
    assert _write_in_place(Path("/dev/null"))
    assert not _write_in_place(Path("/tmp/regoscan-report.sarif"))


def _non_utf8(tmp_path: Path, name: bytes) -> str:
    """A file name that is not UTF-8, or a skip where the file system refuses one."""
    import os

    try:
        probe = tmp_path / os.fsdecode(b"probe-" + name)
        probe.write_text("")
        probe.unlink()
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    return os.fsdecode(name)


def test_file_names_that_are_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A manifest, a policy, a data file and a test named in Latin-1: scanned, cited with
    escapes (caf\\xe9.yaml), and every report written (the SARIF raised UnicodeEncodeError,
    each check's results came back unreadable, the summary could not be written)."""
    project(tmp_path, HIGH_CHECK)
    pod = _non_utf8(tmp_path, b"caf\xe9.yaml")
    write(tmp_path, f"k8s/{pod}", POD.format(name="latin"))
    bad, exc, exc_test, data = (_non_utf8(tmp_path, n) for n in (b"b\xffad.yaml", b"exc\xe9.rego",
                                                                  b"exc\xe9_test.rego", b"d\xe9.json"))
    write(tmp_path, f"k8s/{bad}", "a: [\n")
    write(tmp_path, f"policy/{exc}", """\
        package user.test.HIGH1

        import rego.v1

        exception contains rules if {
            input.metadata.name == data.waive
            rules := [""]
        }
        """)
    write(tmp_path, f"policy/{exc_test}",
          "package user.t_test\n\nimport rego.v1\n\ntest_one if { 1 == 1 }\n")
    write(tmp_path, f"data/{data}", '{"waive": "latin"}')
    code, out, err = scan(monkeypatch, capsys, tmp_path, "k8s", "--data", "data", "--format", "json",
                          "--sarif", "out.sarif", "--summary", "out.md")
    assert code == 1, err  # pod0's HIGH finding; no configuration error
    assert "Traceback" not in err and "regoscan: error" not in err
    report = json.loads(out)
    by_path = {(f["path"], f["suppressed"]) for f in report["findings"]}
    assert ("k8s/caf\\xe9.yaml", True) in by_path and ("k8s/pod0.yaml", False) in by_path
    (waived,) = [f for f in report["findings"] if f["suppressed"]]
    assert waived["suppressions"][0]["path"] == "policy/exc\\xe9.rego"
    assert [(n["code"], n["path"]) for n in report["notices"]] == [("input-parse-error", "k8s/b\\xffad.yaml")]
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"k8s/caf%5Cxe9.yaml", "k8s/pod0.yaml"}
    assert "k8s/b\\\\xffad.yaml" in (tmp_path / "out.md").read_text(encoding="utf-8")  # Markdown-escaped
    assert main(["test", "policy"]) == 0
    assert "PASS: 1/1" in capsys.readouterr().out


# --- usage errors ---------------------------------------------------------------------


def test_bad_flag_shows_scan_usage_and_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--sarf", "x.sarif", "."])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: regoscan scan ")
    assert "regoscan scan: error: unrecognized arguments: --sarf (did you mean --sarif?)" in err


def test_bad_choice_and_bad_command_suggest(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--fail-on", "hgh"])
    assert "(did you mean high?)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["scna"])
    err = capsys.readouterr().err
    assert err.startswith("usage: regoscan ") and "(did you mean scan?)" in err


# --- progress and colour --------------------------------------------------------------


def test_progress_on_a_terminal_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, pods=3)
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)
    monkeypatch.chdir(tmp_path)
    fake = TTY()
    monkeypatch.setattr(sys, "stderr", fake)
    main(["scan", "k8s", "--no-builtin", "--policy", "policy", "--workers", "1"])
    shown = fake.getvalue()
    assert "\r\x1b[Kregoscan: 3/3 files parsed" in shown
    assert "\r\x1b[Kregoscan: 3/3 documents evaluated" in shown
    assert shown.endswith("\r\x1b[K")  # erased before the report
    assert "\r" not in capsys.readouterr().out
    # not a terminal: nothing
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    main(["scan", "k8s", "--no-builtin", "--policy", "policy", "--workers", "1"])
    assert "files parsed" not in sys.stderr.getvalue()


def test_colours_on_a_terminal_unless_no_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for no_color, expect in ((None, True), ("1", False)):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        out = TTY()
        monkeypatch.setattr(sys, "stdout", out)
        main(["scan", "k8s", "--no-builtin", "--policy", "policy", "--workers", "1"])
        assert ("\x1b[36m[LOW]\x1b[0m LOW1" in out.getvalue()) is expect
        assert ("\x1b[" in out.getvalue()) is expect
