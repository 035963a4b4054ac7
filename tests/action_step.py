"""One workflow step of the Action, in process, and what a runner would read after it.

Several test files run ``regoscan.action.run.main`` exactly as the container's entrypoint
does (an environment of ``INPUT_*``/``GITHUB_*`` variables, fresh ``$GITHUB_OUTPUT`` and
``$GITHUB_STEP_SUMMARY`` files, an event payload file) against the fake GitHub API; the
runner's side is here once so each file states only what its scenario changes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from regoscan.action.run import main
from tests.e2e.scenario import git_env

NO_API = "http://127.0.0.1:9"
"""An API URL nothing listens on, for runs that must not reach GitHub."""


def parse_outputs(text: str) -> dict[str, str]:
    """Parse ``$GITHUB_OUTPUT`` the way the runner does (``name<<DELIM`` blocks, or ``name=value``)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            values[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
            i += 1
        else:
            i += 1
    return values


@dataclass
class Run:
    code: int
    stdout: str
    """The log: what the step printed (workflow commands included)."""
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path

    @property
    def log(self) -> str:
        return self.stdout + self.stderr

    def sarif(self, name: str = "regoscan.sarif") -> dict[str, Any]:
        return json.loads((self.workspace / name).read_text(encoding="utf-8"))

    def files_written(self) -> list[Path]:
        return list(self.workspace.rglob("*.sarif"))


def run_action(tmp_path: Path, workspace: Path, capfd: pytest.CaptureFixture[str], *, token: str,
               api_url: str = NO_API, event_name: str = "pull_request", event: dict[str, Any] | None = None,
               run_id: str = "4242", env: dict[str, str] | None = None, **inputs: str) -> Run:
    """Run the action mode once with fresh file-command files, as one workflow step.

    ``inputs`` are Action inputs by name (``fail_on`` or ``fail-on``); ``policy: policy``
    and ``fail-on: high`` unless given. ``env`` adds or overrides runner variables
    (``GITHUB_REF``, ``GITHUB_SHA``...)."""
    files = tmp_path / "file_commands"
    files.mkdir(exist_ok=True)
    output, summary = files / "output", files / "summary"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    event_path = tmp_path / "workflow" / "event.json"
    event_path.parent.mkdir(exist_ok=True)
    event_path.write_text(json.dumps(event or {}), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    step_env = {
        **git_env(home),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": run_id,
        "GITHUB_API_URL": api_url,
        "INPUT_GITHUB-TOKEN": token,
        "INPUT_POLICY": "policy",
        "INPUT_FAIL-ON": "high",
        **(env or {}),
    }
    step_env.update({f"INPUT_{k.replace('_', '-').upper()}": v for k, v in inputs.items()})
    out = io.StringIO()
    code = main(step_env, out)
    captured = capfd.readouterr()
    return Run(code, out.getvalue() + captured.out, captured.err,
               parse_outputs(output.read_text(encoding="utf-8")), summary.read_text(encoding="utf-8"), workspace)
