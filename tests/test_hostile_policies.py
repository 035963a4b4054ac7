"""Untrusted policies: no secrets visible, crashes and hangs contained, nothing else lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import POD, write

SECRET = "ghp_regoscanTestSecret0123456789abcdef"


HEALTHY = """\
package user.test.HEALTHY

import rego.v1

__rego_metadata__ := {"id": "HEALTHY", "severity": "LOW"}

deny contains msg if msg := sprintf("healthy check saw %s", [input.metadata.name])
"""




def _scan(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "regoscan", "scan", "configs", "--policy", "policy", "--no-builtin",
         "--sarif", "out.sarif", "--summary", "summary.md", "--format", "json", "--fail-on", "never", *extra],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=full_env,
    )


def test_policies_cannot_read_secrets_from_the_environment(tmp_path: Path) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/steal.rego", """\
        package user.test.STEAL

        import rego.v1

        deny contains msg if {
            env := opa.runtime().env
            msg := sprintf("env: %v", [env])
        }

        deny contains msg if {
            some name, value in opa.runtime().env
            contains(name, "TOKEN")
            msg := sprintf("token %s=%s", [name, value])
        }
        """)
    env = {"GITHUB_TOKEN": SECRET, "INPUT_GITHUB-TOKEN": SECRET, "ACTIONS_RUNTIME_TOKEN": SECRET,
           "MY_API_KEY": SECRET}
    proc = _scan(tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    messages = [f["message"] for f in report["findings"]]
    assert any(m.startswith("env: ") for m in messages), messages
    assert not any(m.startswith("token ") for m in messages)
    for output in (proc.stdout, proc.stderr, (tmp_path / "out.sarif").read_text(encoding="utf-8"),
                   (tmp_path / "summary.md").read_text(encoding="utf-8")):
        assert SECRET not in output


def test_a_policy_that_crashes_the_engine_loses_nothing_else(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path, f"configs/{name}.yaml", POD.format(name=name))
    write(tmp_path, "policy/healthy.rego", HEALTHY)
    # object.subset with an empty array segfaults rego-cpp 1.5.2
    write(tmp_path, "policy/crash.rego", """\
        package user.test.CRASH

        import rego.v1

        deny contains "never" if {
            input.metadata.name == "b"
            object.subset(["x"], [])
        }
        """)
    proc = _scan(tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    healthy = sorted(f["message"] for f in report["findings"] if f["check_id"] == "HEALTHY")
    assert healthy == ["healthy check saw a", "healthy check saw b", "healthy check saw c"]
    crash = [n for n in report["notices"] if n["code"] == "evaluation-crash"]
    assert len(crash) == 1
    assert crash[0]["path"] == "policy/crash.rego" and crash[0]["line"] == 5
    assert "configs/b.yaml" in crash[0]["message"]
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "crash.rego" in summary


def test_a_policy_that_hangs_is_stopped_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "policy/healthy.rego", HEALTHY)
    write(tmp_path, "policy/slow.rego", """\
        package user.test.SLOW

        import rego.v1

        deny contains "slow" if {
            count([x | some x in numbers.range(1, 400000000)]) > 0
        }
        """)
    proc = _scan(tmp_path, "--timeout", "2")
    assert proc.returncode == 2, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["message"] for f in report["findings"] if f["check_id"] == "HEALTHY"] == ["healthy check saw a"]
    timeouts = [n for n in report["notices"] if n["code"] == "evaluation-timeout"]
    assert timeouts and timeouts[0]["path"] == "policy/slow.rego"
    assert "2 s" in timeouts[0]["message"]


def test_exception_that_crashes_never_suppresses(tmp_path: Path) -> None:
    write(tmp_path, "configs/a.yaml", POD.format(name="a"))
    write(tmp_path, "policy/healthy.rego", HEALTHY)
    write(tmp_path, "policy/exc.rego", """\
        package user.test.HEALTHY

        import rego.v1

        exception contains rules if {
            object.subset(["x"], [])
            rules := [""]
        }
        """)
    proc = _scan(tmp_path)
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    finding = next(f for f in report["findings"] if f["check_id"] == "HEALTHY")
    assert finding["suppressions"] == []
    assert any(n["path"] == "policy/exc.rego" for n in report["notices"])
