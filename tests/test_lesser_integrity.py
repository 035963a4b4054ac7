"""The lesser integrity points of issue 15, each through the CLI or the Action.

* A timeout is reported as ``evaluation-timeout`` on every document it costs, never as
  "crashed the engine".
* A built-in check that times out or crashes on one huge input (a 9 MB ConfigMap) is that
  input's problem: a warning naming it, not exit code 2, and the check still runs on the
  other documents.
* The comment URL the API returns is logged as one line.
* A custom check's ``related_resources`` never becomes a link in code scanning's rule help
  (tests/test_output_sarif.py::test_a_custom_checks_references_are_text_not_links).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import PullRequest
from tests.helpers import POD, write
from tests.test_action_run import TOKEN, action, pr  # noqa: F401 - the fixture is used by name

SLOW = """\
package user.test.SLOW

import rego.v1

__rego_metadata__ := {"id": "SLOW", "severity": "HIGH"}

deny contains "slow" if {
    count([x | some x in numbers.range(1, 400000000)]) > 0
}
"""


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_timeout_is_a_timeout_on_every_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path, f"configs/{name}.yaml", POD.format(name=name))
    write(tmp_path, "policy/slow.rego", SLOW)
    code, report = _scan(capsys, str(tmp_path / "configs"), "--policy", str(tmp_path / "policy"),
                         "--no-builtin", "--timeout", "2")
    assert code == 2
    codes = {n["code"] for n in report["notices"]}
    assert codes == {"evaluation-timeout"}, report["notices"]
    assert not any("crashed" in n["message"] for n in report["notices"])
    assert any("on an earlier document" in n["message"] for n in report["notices"])  # the skipped ones


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  {key}: {value}
"""


def test_a_huge_input_that_stops_a_builtin_check_is_a_warning_about_that_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """9 MB in one ConfigMap value made KSV01010 crash rego-cpp, and the scan exit 2."""
    write(tmp_path, "configs/huge.yaml", CONFIGMAP.format(name="huge", key="blob",
                                                          value=json.dumps("x" * (9 * 1024 * 1024))))
    write(tmp_path, "configs/small.yaml", CONFIGMAP.format(name="small", key="admin_email", value="a@b.example"))
    write(tmp_path, "configs/pod.yaml", POD.format(name="web"))
    code, report = _scan(capsys, str(tmp_path / "configs"), "--timeout", "5", "--fail-on", "never")
    assert code == 0, report["notices"]
    problems = [n for n in report["notices"] if n["level"] != "note"]
    assert problems and all(n["level"] == "warning" and n["code"].startswith("input-evaluation-")
                            and n["path"].endswith("huge.yaml") for n in problems), problems
    assert any("built-in check KSV01010" in n["message"] for n in problems)
    found = {(f["check_id"], Path(f["path"]).name) for f in report["findings"]}
    assert ("KSV01010", "small.yaml") in found  # the check still ran on the other ConfigMap
    assert any(name == "pod.yaml" for _, name in found)


def test_a_comment_url_with_a_newline_is_not_logged_raw(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = FakeGitHub._comment_json

    def forged(self: FakeGitHub, c: dict[str, Any]) -> dict[str, Any]:
        return {**real(self, c), "html_url": "https://github.example/x\n::error::forged by the API answer"}

    monkeypatch.setattr(FakeGitHub, "_comment_json", forged)
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"fail-on": "never"})
    assert run.code == 0
    assert not any(line.startswith("::error::forged") for line in run.stdout.splitlines())
    assert "created the pull request comment" in run.stdout
    assert run.outputs["comment-url"] == ""
