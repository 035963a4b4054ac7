"""Hostile text from a pull request, end to end into the summary, the PR comment and the log.

File names, finding messages (a policy that returns crafted strings, and manifests that
carry them), resource names, exception justifications and metadata, and check titles all
come from the pull request. tests/test_output_markdown.py feeds hand-built reports to
the renderer; here the strings travel the real path (files -> parser -> Rego -> report ->
writers, and the action's comment step), and every output is checked as a whole:

* no raw HTML except our own ``<details>``/``<summary>`` and the marker comment;
* every table row has exactly its header's number of cells;
* no ``@mention``, ``#123`` reference, link or autolink to another host;
* the sticky-comment marker only once, first, so the comment finder cannot be fooled;
* no workflow command (``::set-output``, ``::add-mask::``...) starting a log line, and
  no ANSI escape in the console.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regoscan.action.comment import _is_ours, tag_line, tagged
from regoscan.cli import main
from regoscan.output.escape import ZWSP
from regoscan.output.markdown import MARKER
from tests.action_step import run_action
from tests.e2e.fake_github import BOT, FakeGitHub, user
from tests.e2e.scenario import pull_request
from tests.test_output_markdown import cells

TOKEN = "ghs_HostileMarkdownToken_0123456789abcdef"
RUN_URL = "https://github.example/octo/demo/actions/runs/4242"

HOSTILE = [
    "</details><img src=x onerror=alert(1)>",
    MARKER,
    "<!-- regoscan-summary --> second marker",
    "| cell | break |",
    "[phish](https://evil.example/login)",
    "<https://evil.example/auto>",
    "plain https://evil.example/bare and HTTP://EVIL.EXAMPLE",
    "www.evil.example",
    "mail me: someone@evil.example",
    "@octocat and @octo-org/security-team",
    "see #1, GH-2 and octo/demo#3",
    "::set-output name=decision::pass",
    "::add-mask::secret-looking",
    "first\n::error file=x::forged\nthird",
    "\r::warning::carriage return",
    "\x1b[2J\x1b[31mred\x1b[0m",
    "<script>alert(1)</script><style>*{}</style>",
    "<summary>fake summary</summary><details open>",
    "![tracker](http://evil.example/pixel.png)",
    "`code` ```fence``` ~~strike~~ *b* _i_ $x^2$",
    "\u202eevil\u2066isolate\u2069",
    "&lt;already&gt; &amp; <b>bold</b>",
    "line1\n\n# heading\n- item\n> quote\n---",
    "[ref]: https://evil.example/ref",
    "%0A%3A%3Aerror%3A%3Apercent",
]

HOSTILE_NAMES = [
    "[x](https://evil.example) @admin |.yaml",
    "<img src=x onerror=alert(1)>.yaml",
    "::set-output name=x::y.yaml",
    "line\n::add-mask::name.yaml",
    "\x1b[31mred #12.yaml",
    "www.evil.example.yaml",
]

ALLOWED_TAGS = {"details", "/details", "summary", "/summary"}


def _yaml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def _configmap(name: str) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {_yaml_str(name)}", "hostile:"]
    lines += [f"  - {_yaml_str(h)}" for h in HOSTILE]
    return "\n".join(lines) + "\n"


def _check_policy() -> str:
    """A check whose title and description are hostile and whose messages come from the input."""
    meta = "\n".join([
        "# METADATA",
        f"# title: {_yaml_str('Hostile ' + HOSTILE[0] + ' ' + HOSTILE[4] + ' @octocat')}",
        f"# description: {_yaml_str(' '.join(HOSTILE))}",
        "# custom:",
        "#   id: HOSTILE",
        "#   severity: HIGH",
    ])
    return meta + textwrap.dedent("""
        package user.test.HOSTILE

        import rego.v1

        deny contains msg if {
            input.kind == "ConfigMap"
            some m in input.hostile
            msg := m
        }

        deny_waived contains msg if {
            input.kind == "ConfigMap"
            msg := concat(" ", ["waived:", input.metadata.name])
        }
        """)


def _exception_policy() -> str:
    meta = "\n".join([
        "# METADATA",
        "# custom:",
        f"#   reason: {_yaml_str(' '.join(HOSTILE[:12]))}",
        f"#   ticket: {_yaml_str(HOSTILE[4] + ' ' + HOSTILE[9])}",
        f"#   owner: {_yaml_str(HOSTILE[0])}",
    ])
    return meta + textwrap.dedent("""
        package user.test.HOSTILE

        import rego.v1

        exception contains rules if {
            input.kind == "ConfigMap"
            rules := ["waived"]
        }
        """)


def _files() -> dict[str, str]:
    files = {f"configs/{name}": _configmap(f"cm-{i}-" + HOSTILE[i % len(HOSTILE)])
             for i, name in enumerate(HOSTILE_NAMES)}
    files["configs/broken \n| <b>x</b> @admin.yaml"] = "a: [1,\nb: 2\n"
    files["policy/hostile.rego"] = _check_policy()
    files["policy/hostile-exception.rego"] = _exception_policy()
    return files


def _write_all(base: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# --- the checks every rendered Markdown must pass ------------------------------------------


def assert_safe_markdown(text: str, *, url: str | None = None) -> None:
    assert text.startswith(MARKER + "\n")
    # the finder's marker: ours, once, first; a PR comment carries its tag line right after it
    head, _, rest = text[len(MARKER) + 1:].partition("\n")
    if head.startswith("<!-- regoscan-comment-tag: "):
        assert head == tag_line(head[len("<!-- regoscan-comment-tag: "):-len(" -->")])
        text = MARKER + "\n" + rest
    assert text.count("<!--") == 1 and text.count(MARKER) == 1
    tags = {m.lower() for m in re.findall(r"<(/?[A-Za-z][A-Za-z0-9]*)", text)}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert not re.search(r"<[!?]", text[len(MARKER):])
    assert text.count("<details>") == text.count("</details>") and text.count("<summary>") == text.count("</summary>")
    stripped = text.replace(f"]({url})", "") if url else text
    # no link, image or reference definition: every "]" that could close one is escaped
    assert not re.search(r"(?<!\\)\]\s*[(:\[]", stripped), re.search(r".{40}(?<!\\)\]\s*[(:\[].{40}", stripped)
    assert "://" not in (stripped.replace(url, "") if url else stripped)
    assert not re.search(r"(?i)www\.", text)
    assert "<http" not in text.lower()
    assert not re.search(r"@[^\u200b]", text)  # every @ is broken up: no mention, no e-mail autolink
    assert not re.search(r"#\d|(?i:gh-)\d", text)
    assert not any(c in text for c in "\x1b\r\u202e\u2066\u2069")
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
    _assert_tables_intact(text)


def _assert_tables_intact(text: str) -> None:
    lines = text.splitlines()
    tables = 0
    for i, line in enumerate(lines):
        if not (line.startswith("|") and i + 1 < len(lines) and re.fullmatch(r"\|( ?-+:? \|)+", lines[i + 1])):
            continue
        tables += 1
        width = len(cells(line))
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            assert len(cells(row)) == width, row
    assert tables >= 3  # counts, findings, suppressed findings (and notices)


def assert_no_forged_commands(log: str, token: str | None = None) -> None:
    """Every line the runner would read as a workflow command is one we meant to write."""
    ours = re.compile(r"::(group::regoscan report|endgroup::|(error|warning|notice)( [^:]*)?::.*)")
    for line in log.splitlines():
        stripped = line.lstrip()
        assert "\x1b" not in line and "\r" not in line, line
        if not stripped.startswith("::"):
            continue
        if token and stripped == f"::add-mask::{token}":
            continue
        assert ours.fullmatch(stripped), stripped
        assert not stripped.startswith(("::set-output", "::add-mask", "::stop-commands", "::save-state")), stripped


# --- the command line -----------------------------------------------------------------------


def test_summary_and_console_of_a_hostile_scan(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write_all(tmp_path, _files())
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--summary", "summary.md",
                 "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 0, err
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert_safe_markdown(summary)
    # everything arrived: one row per message and file, the waived rule under "Suppressed"
    assert f"### Findings ({len(HOSTILE) * len(HOSTILE_NAMES)})" in summary
    assert f"### Suppressed findings ({len(HOSTILE_NAMES)})" in summary
    assert "not scanned" in summary  # the broken file with the hostile name
    assert f"@{ZWSP}octocat" in summary and "&lt;img src\\=x" in summary
    assert_no_forged_commands(out + err)
    active = [line for line in out.splitlines() if "[HIGH] HOSTILE" in line and "(suppressed)" not in line]
    assert len(active) == len(HOSTILE) * len(HOSTILE_NAMES)  # one line each: no message split a line


def test_a_message_with_the_marker_cannot_hijack_the_sticky_comment(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _write_all(tmp_path, _files())
    monkeypatch.chdir(tmp_path)
    main(["scan", "configs", "--policy", "policy", "--no-builtin", "--summary", "summary.md", "-q"])
    capsys.readouterr()
    body = tagged((tmp_path / "summary.md").read_text(encoding="utf-8"), "regoscan")
    assert body.count(MARKER) == 1
    bot = dict(BOT)
    # our own comment is recognised...
    assert _is_ours({"body": body, "user": bot}, None, "regoscan")
    # ...but not a bot's comment that quotes ours (the marker is not first), nor a person's
    # comment pasting it, nor a finding message's text, which never carries a raw marker
    assert not _is_ours({"body": "> quoting regoscan:\n" + body, "user": bot}, None, "regoscan")
    assert not _is_ours({"body": body, "user": {"login": "mallory", "type": "User"}}, None, "regoscan")
    assert not _is_ours({"body": body, "user": {"login": "mallory", "type": "User"}}, "github-actions[bot]", "regoscan")
    for line in body.splitlines()[1:]:
        assert not _is_ours({"body": line, "user": bot}, None, "regoscan"), line


# --- the action: comment body, job summary, log, outputs ------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        yield server


def _action(tmp_path: Path, workspace: Path, fake: FakeGitHub, event: dict[str, Any],
            capfd: pytest.CaptureFixture[str]) -> tuple[int, str, str, dict[str, str]]:
    run = run_action(tmp_path, workspace, capfd, token=TOKEN, api_url=fake.url, event=event,
                     fail_on="never", builtin_checks="false")
    return run.code, run.log, run.summary, run.outputs


def test_pull_request_comment_summary_and_log_of_a_hostile_pull_request(
        tmp_path: Path, fake: FakeGitHub, capfd: pytest.CaptureFixture[str]) -> None:
    # a change in the policy folder widens the scan, and the log names the changed path:
    # this one sorts first, so its name is the one printed
    notes = "policy/\n::set-output name=decision::pass\n::add-mask::forged.md"
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={**_files(), notes: "notes\n"})
    # comments that look like ours but are not: a person pasting the marker, a bot quoting it
    pasted = fake.add_comment(pr.number, MARKER + "\nI pasted this", user("mallory"))
    quoted = fake.add_comment(pr.number, "> " + MARKER + "\n> quoted by another bot", BOT)

    code, log, job_summary, outputs = _action(tmp_path, pr.workspace, fake, pr.event(), capfd)
    assert code == 0, log
    assert outputs["decision"] == "pass"
    ours = [c for c in fake.issue_comments(pr.number) if c["id"] not in (pasted, quoted)]
    assert len(ours) == 1
    body = ours[0]["body"]
    assert_safe_markdown(body, url=RUN_URL)
    assert "HOSTILE" in body and "Suppressed findings" in body
    assert fake.comments[pasted]["body"] == MARKER + "\nI pasted this"  # never edited
    assert_safe_markdown(job_summary)
    assert_no_forged_commands(log, TOKEN)
    assert "the change touches policy/ ::set-output name=decision::pass ::add-mask::forged.md" in log
    # annotations carry hostile file names only as escaped properties
    annotations = [line for line in log.splitlines() if line.startswith("::error file=")]
    assert len(annotations) == 10  # GitHub's per-level limit; the rest are counted in one line
    for line in annotations:
        props = re.match(r"::error ([^:]*)::", line)
        assert props is not None, line  # every ":" inside the properties is escaped (%3A)
        assert "\ufffd" in props.group(1) or "\x1b" not in line
    assert any("file=configs/\ufffd[31mred #12.yaml," in line for line in annotations)
    for value in outputs.values():
        assert TOKEN not in value
    assert set(outputs) >= {"decision", "findings", "suppressed", "errors", "comment-url"}

    # a second run finds the same comment (not the pasted or quoted ones) and edits it
    code, log, _, _ = _action(tmp_path, pr.workspace, fake, pr.event(), capfd)
    assert code == 0
    assert [r.method for r in fake.writes()] == ["POST", "PATCH"]
    assert fake.writes()[-1].path.endswith(f"/issues/comments/{ours[0]['id']}")
    assert fake.comments[quoted]["body"].startswith("> " + MARKER)
