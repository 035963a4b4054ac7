"""``python -m regoscan`` and the ``regoscan`` console script (``cli.run``).

``run`` leaves the interpreter with ``os._exit`` instead of tearing it down (a speed measure),
so these run it as a user does, in a process of its own: the exit codes, every byte of the
output, the files written and the ``atexit`` handlers must be what a normal exit gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo"


def _regoscan(*args: str, cwd: Path, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "regoscan", *args]
    env = {**os.environ, "HOME": str(cwd)}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_a_scan_writes_all_its_output_and_exits_with_the_decision(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    failing = _regoscan("scan", str(DEMO), "--format", "json", "--fail-on", "low", "--sarif", str(sarif), cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    report = json.loads(failing.stdout)  # the whole document, to its last byte
    assert report["summary"]["active"] > 0 and failing.stdout.endswith("}\n")
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    passing = _regoscan("scan", str(DEMO), "--format", "json", "--fail-on", "never", cwd=tmp_path)
    assert passing.returncode == 0, passing.stderr
    assert json.loads(passing.stdout)["findings"] == report["findings"]


def test_help_and_usage_errors_exit_as_argparse_means(tmp_path: Path) -> None:
    shown = _regoscan("scan", "--help", cwd=tmp_path)
    assert shown.returncode == 0 and "usage: regoscan scan" in shown.stdout
    wrong = _regoscan("scan", "--no-such-option", cwd=tmp_path)
    assert wrong.returncode == 2 and "unrecognized arguments: --no-such-option" in wrong.stderr


def test_atexit_handlers_still_run(tmp_path: Path) -> None:
    code = ("import atexit, sys\n"
            "import gc\n"
            "atexit.register(lambda: print('handler ran', gc.get_threshold()[0], file=sys.stderr))\n"
            "sys.argv = ['regoscan', 'checks', '--format', 'json']\n"
            "from regoscan.cli import run\n"
            "run()\n")
    done = _regoscan(cwd=tmp_path, code=code)
    assert done.returncode == 0, done.stderr
    assert "handler ran" in done.stderr and len(json.loads(done.stdout)["checks"]) > 100
    assert int(done.stderr.split("handler ran")[1].split()[0]) >= 10_000  # the collector runs seldom
