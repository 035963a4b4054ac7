"""Secrets are withheld from every report whatever their spelling (issue 10, part 2).

The route to the secret here is deliberately one that part 1 does not close (a data file
or a scanned file that happens to hold it): what is tested is the second wall, the
check of every string a policy can emit against the secrets the process can see.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.models import CheckMetadata, Finding, InputFile, Notice, NoticeLevel, Region, ScanReport, SuppressionInfo
from regoscan.redact import (
    CODE,
    WITHHELD,
    Matcher,
    config_secrets,
    environment_secrets,
    git_secrets,
    withhold_secrets,
)
from tests.helpers import POD, write

TOKEN = "ghs_Zq8XcV2bN4mK6pL1tR3yW5uE7iO9aS0dF"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SPELLINGS = {
    "raw": f"token {TOKEN}",
    "spaced": " ".join(TOKEN),
    "separator-interleaved": "-".join(TOKEN),
    "junk-interleaved": "x".join(TOKEN),
    "upper-case": TOKEN.upper(),
    "reversed": TOKEN[::-1],
    "base64": b64(TOKEN),
    "base64 with a prefix": "value: " + b64("x-access-token:" + TOKEN),
    "base64 upper-cased": b64(TOKEN).upper(),
    "base64 of upper-case": b64(TOKEN.upper()),
    "base64 reversed": b64(TOKEN)[::-1],
    "base64 of base64": b64(b64(TOKEN)),
    "base64 of hex": b64(TOKEN.encode().hex()),
    "hex": TOKEN.encode().hex(),
    "hex spaced": " ".join(TOKEN.encode().hex()),
    "hex upper": TOKEN.encode().hex().upper(),
    "hex of reversed": TOKEN[::-1].encode().hex(),
    "url-encoded": urllib.parse.quote(TOKEN, safe=""),
    "url-encoded every byte": "".join(f"%{c:02X}" for c in TOKEN.encode()),
    "fullwidth letters": "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in TOKEN),
    "first 20 characters": TOKEN[:20],
    "last 20 characters": TOKEN[-20:],
    # concat("xy", split(token, "")): junk of two or three letters or digits between characters
    "two junk letters interleaved": "xy".join(TOKEN),
    "three junk characters interleaved": "x9y".join(TOKEN),
    "hex of junk-interleaved": "xy".join(TOKEN).encode().hex(),
    # Cyrillic and Greek letters drawn like Latin ones, and accents
    "homoglyphs": TOKEN.translate(str.maketrans("sXcKpyEiOaTB", "ѕХсКруЕіОаТΒ")),
    "homoglyphs spaced": " ".join(TOKEN.translate(str.maketrans("aceopxy", "асеорху"))),
    "accents": "".join(c + "\u0301" for c in TOKEN),
    "zero-width spaces": "\u200b".join(TOKEN),
    "JSON \\u escapes written as text": "".join(f"\\u{ord(c):04x}" for c in TOKEN),
}


@pytest.mark.parametrize("text", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_is_caught(text: str) -> None:
    assert Matcher([TOKEN]).leaks(text)


@pytest.mark.parametrize("text", [
    "Container 'app' of Pod 'web' should set securityContext.runAsNonRoot to true",
    "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1c8cc7ed2d2c2f6a3a3f5e8b9",
    "ghs_" + "A" * 36,
    "the access token x-access-token is used by checkout",
    b64("an ordinary sentence, encoded"),
    "deadbeefcafebabe0123456789abcdef",
    "Контейнер app: задайте runAsNonRoot (Cyrillic text around Latin words)",
    "Ελληνικά: το container app χρειάζεται securityContext",
    "",
])
def test_ordinary_text_is_kept(text: str) -> None:
    assert not Matcher([TOKEN]).leaks(text)


def test_another_jwt_is_not_the_runners_token() -> None:
    """The runner's ``ACTIONS_RUNTIME_TOKEN`` is a JWT whose header is the same in every RS256
    token: before, a message quoting any JWT of a manifest was withheld, an error (exit 2)."""
    def jwt(claims: dict[str, Any], signature: bytes) -> str:
        def part(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        return ".".join((part(b'{"typ":"JWT","alg":"RS256"}'), part(json.dumps(claims).encode()), part(signature)))

    runner = jwt({"nameid": "dddddddd-dddd", "scp": "Actions.GenericRead:00000000"}, b"runner-signature-8a7f6e5d")
    other = jwt({"sub": "system:serviceaccount:default:default"}, b"some-other-signature-1234")
    matcher = Matcher([runner])
    assert not matcher.leaks(f"env TOKEN of container app holds a JWT: {other}")
    assert not matcher.leaks(b64(other))
    for text in (runner, " ".join(runner), runner[::-1], b64(runner), runner.split(".", 1)[1]):
        assert matcher.leaks(text)


def test_short_values_are_not_secrets() -> None:
    assert not Matcher(["abc1234"])  # under 8 letters or digits: would withhold too much
    assert Matcher(["abcd1234"]).leaks("a-b-c-d-1-2-3-4")


def test_environment_secrets() -> None:
    env = {
        "GITHUB_TOKEN": TOKEN, "INPUT_GITHUB-TOKEN": "ghp_inputtoken0123456789",
        "ACTIONS_RUNTIME_TOKEN": "rt.abc.def12345",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "idtok-0987654321", "NPM_TOKEN": "npm_abcdefghij0123456789",
        "MY_API_KEY": "k3y-v4lue-s3cr3t", "DB_PASSWORD": "hunter2hunter2x9",
        "SECRET_MODE": "production",  # a word, not a token
        "GOOGLE_APPLICATION_CREDENTIALS": "/home/runner/key-1234.json",  # a path
        "PATH": "/usr/bin:/bin", "KEYBOARD_LAYOUT": "us-intl-2024",
    }
    found = environment_secrets(env)
    assert set(found) == {TOKEN, "ghp_inputtoken0123456789", "rt.abc.def12345", "idtok-0987654321",
                          "npm_abcdefghij0123456789", "k3y-v4lue-s3cr3t", "hunter2hunter2x9"}


def test_git_configuration_secrets(tmp_path: Path) -> None:
    """The extraheader (basic auth decoded, as actions/checkout writes it), a password in a
    remote URL, and a credentials file included from the runner's temp folder (checkout v6)."""
    runner_temp = tmp_path / "runner_temp"
    header = b64("x-access-token:ghs_fromInclude42")
    write(runner_temp, "git-credentials-1.config",
          f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {header}\n')
    repo = tmp_path / "repo"
    write(repo, ".git/config", f"""\
        [core]
        \tbare = false
        [remote "origin"]
        \turl = https://user:p4ssw0rd-in-url@github.com/octo/demo
        [http "https://github.com/"]
        \textraheader = AUTHORIZATION: basic {b64("x-access-token:" + TOKEN)}
        [includeIf "gitdir:{repo}/.git"]
        \tpath = {runner_temp}/git-credentials-1.config
        """)
    found = git_secrets(repo / "sub" / "..", {})
    assert {TOKEN, b64("x-access-token:" + TOKEN), "p4ssw0rd-in-url", "ghs_fromInclude42"} <= set(found)
    assert config_secrets(tmp_path / "missing") == []


# --- the report: everything a policy can write ---------------------------------------------


def _report() -> ScanReport:
    check = CheckMetadata(id="LEAK", package="user.leak", title=" ".join(TOKEN), description="fine",
                          custom={"nested": {"k": [b64(TOKEN)]}}, source_path="policy/leak.rego", source_line=3)
    other = CheckMetadata(id="OK", package="user.ok", title="fine", source_path="policy/ok.rego")
    sup = SuppressionInfo("rule", "user.leak", "policy/exc.rego", 7, "", (("reason", TOKEN[::-1]),))
    findings = [
        Finding(check, "deny", TOKEN.encode().hex(), "k8s/a.yaml", Region(4, 6)),
        Finding(other, "deny", "ordinary", "k8s/a.yaml", Region(9, 9), suppressions=[sup]),
    ]
    notices = [Notice(NoticeLevel.ERROR, "policy-runtime-error", f"value was {TOKEN.upper()}", "policy/x.rego", 2),
               Notice(NoticeLevel.ERROR, "policy-compile-error", "unexpected token", "policy/y.rego", 4, column=9,
                      source=f"x := {TOKEN} !")]
    files = [InputFile("bad.yaml", None, error=f"line 3: {urllib.parse.quote(TOKEN)}")]
    return ScanReport(findings, [check, other], files, notices, "/ws")


def test_the_report_keeps_its_findings_and_withholds_their_text() -> None:
    report = _report()
    notices = withhold_secrets(report, Matcher([TOKEN]))
    leak, ok = report.findings
    assert (leak.check.id, leak.path, leak.region) == ("LEAK", "k8s/a.yaml", Region(4, 6))
    assert leak.message == WITHHELD
    assert leak.check.title == "(withheld)" and leak.check.custom == {"nested": {"k": ["(withheld)"]}}
    assert ok.message == "ordinary" and ok.suppressed
    assert dict(ok.suppressions[0].metadata)["reason"] == "(withheld)"
    assert report.notices[0].message == WITHHELD
    assert report.notices[1].source == "(withheld)"  # the quoted line of a syntax error
    assert report.files[0].error == WITHHELD
    assert {n.code for n in notices} == {CODE} and all(n.level is NoticeLevel.ERROR for n in notices)
    assert all(n in report.notices for n in notices)
    assert len(notices) == 6  # check metadata, message, justification, two notices, file error
    assert TOKEN not in json.dumps([n.message for n in notices])
    assert not Matcher([TOKEN]).leaks(repr(report))


def test_no_secret_no_change() -> None:
    report = _report()
    before = repr(report)
    assert withhold_secrets(report, Matcher([])) == []
    assert repr(report) == before


# --- through the CLI --------------------------------------------------------------------------

LEAK_POLICY = """\
package user.leak

import rego.v1

__rego_metadata__ := {"id": "LEAK", "title": concat(" ", split(data.found.value, "")), "severity": "LOW"}

spellings := {
    "raw": data.found.value,
    "spaced": concat(" ", split(data.found.value, "")),
    "base64": base64.encode(data.found.value),
    "hex": hex.encode(data.found.value),
    "url": urlquery.encode(data.found.value),
    "upper": upper(data.found.value),
    "reversed": concat("", [c |
        some i in numbers.range(count(data.found.value) - 1, 0)
        c := substring(data.found.value, i, 1)
    ]),
    "interleaved": concat("xy", split(data.found.value, "")),
    "homoglyphs": strings.replace_n({"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
                                     "s": "ѕ", "i": "і", "K": "К", "X": "Х"}, data.found.value),
}

deny contains res if {
    input.kind == "Pod"
    some name, text in spellings
    res := {"msg": sprintf("%s: %s", [name, text]), "startline": 1}
}

deny contains "ordinary finding" if input.kind == "Pod"
"""

WAIVER = """\
package namespace.exceptions

import rego.v1

__rego_metadata__ := {"reason": base64.encode(data.found.value)}

exception contains "user.waived" if input.kind == "Pod"
"""

WAIVED_CHECK = """\
package user.waived

import rego.v1

__rego_metadata__ := {"id": "WAIVED", "title": "waived", "severity": "LOW"}

deny contains "waived finding" if input.kind == "Pod"
"""


def _workspace(tmp_path: Path, token_in_git: bool) -> Path:
    ws = tmp_path / "ws"
    write(ws, "k8s/pod.yaml", POD.format(name="web"))
    write(ws, "policy/leak.rego", LEAK_POLICY)
    write(ws, "policy/waiver.rego", WAIVER)
    write(ws, "policy/waived.rego", WAIVED_CHECK)
    # a route part 1 does not close: the user's own data file happens to hold the value
    write(ws, "data/found.yaml", f"found:\n  value: {TOKEN}\n")
    if token_in_git:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
        subprocess.run(["git", "init", "-q", str(ws)], check=True, env=env)
        subprocess.run(["git", "-C", str(ws), "config", "http.https://github.com/.extraheader",
                        f"AUTHORIZATION: basic {b64('x-access-token:' + TOKEN)}"], check=True, env=env)
    return ws


def _forms() -> list[str]:
    return [TOKEN, " ".join(TOKEN), b64(TOKEN), TOKEN.encode().hex(), urllib.parse.quote(TOKEN, safe=""),
            TOKEN.upper(), TOKEN[::-1]]


@pytest.mark.parametrize("source", ["environment", "git-extraheader"])
def test_the_cli_withholds_every_spelling(source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, token_in_git=source == "git-extraheader")
    for name in list(os.environ):
        if "TOKEN" in name.upper():
            monkeypatch.delenv(name)
    if source == "environment":
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.chdir(ws)
    args = ["scan", "k8s", "--policy", "policy", "--data", "data", "--no-builtin", "--workers", "1",
            "--fail-on", "never"]
    code = main([*args, "--sarif", "out/r.sarif", "--summary", "out/s.md", "--format", "json"])
    first = capsys.readouterr()
    main([*args, "--format", "text"])
    second = capsys.readouterr()
    report: dict[str, Any] = json.loads(first.out)

    assert code == 2  # a policy that spells a secret is an error, never a clean pass
    leak = [f for f in report["findings"] if f["check_id"] == "LEAK"]
    assert len(leak) == 10  # nine spellings and the ordinary finding: every finding stays
    assert sorted(f["message"] for f in leak) == sorted(["ordinary finding"] + [WITHHELD] * 9)
    assert {(f["path"], f["start_line"]) for f in leak if f["message"] == WITHHELD} == {("k8s/pod.yaml", 1)}
    (waived,) = [f for f in report["findings"] if f["check_id"] == "WAIVED"]
    assert waived["suppressed"] and "(withheld)" in json.dumps(waived["suppressions"])
    withheld = [n for n in report["notices"] if n["code"] == CODE]
    assert withheld and all(n["level"] == "error" for n in withheld)
    assert any(n["path"] == "policy/leak.rego" for n in withheld)

    sarif = (ws / "out/r.sarif").read_text(encoding="utf-8")
    summary = (ws / "out/s.md").read_text(encoding="utf-8")
    assert CODE in sarif and "policy\\-secret\\-withheld" in summary
    for text in (first.out, first.err, second.out, second.err, sarif, summary):
        for form in _forms():
            assert form not in text, form
        assert not Matcher([TOKEN]).leaks(text)


def test_a_withholding_run_is_not_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, token_in_git=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.chdir(ws)
    args = ["scan", "k8s", "--policy", "policy", "--data", "data", "--no-builtin", "--workers", "1",
            "--fail-on", "never", "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    assert main(args) == 2
    capsys.readouterr()
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.name != "key"]  # no entry stored


def test_regoscan_test_withholds_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "p/leak_test.rego", """\
        package user.leak_test

        import rego.v1

        test_prints := base64.encode(data.found.value)

        test_spaced := concat(" ", split(data.found.value, ""))
        """)
    write(tmp_path, "found.json", json.dumps({"found": {"value": TOKEN}}))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    assert main(["test", "p", "--data", "found.json", "--format", "json"]) == 1
    out = capsys.readouterr()
    results = json.loads(out.out)["results"]
    assert [r["message"] for r in results] == [WITHHELD, WITHHELD]  # "got '<value>'" otherwise
    for form in _forms():
        assert form not in out.out + out.err


def test_the_action_withholds_every_spelling(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The job's own token (``INPUT_GITHUB-TOKEN``), spelled seven ways by a policy: nothing
    reaches the log, the SARIF, the job summary, the outputs or the pull request comment."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.e2e.scenario import pull_request
    from tests.test_action_run import TOKEN as ACTION_TOKEN
    from tests.test_action_run import action

    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"k8s/pod.yaml": POD.format(name="web")})
    write(pr.workspace, "policy/leak.rego", LEAK_POLICY)
    write(pr.workspace, "data/found.yaml", f"found:\n  value: {ACTION_TOKEN}\n")
    with FakeGitHub(ACTION_TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), data="data", **{"fail-on": "never"})
        comments = json.dumps(fake.issue_comments(pr.number))
    assert run.code == 2 and run.outputs["decision"] == "error"
    sarif = run.sarif()
    leak = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "LEAK"]
    assert leak and any(WITHHELD in r["message"]["text"] for r in leak)
    assert CODE in json.dumps(sarif) and "policy\\-secret\\-withheld" in run.summary
    assert "withheld" in comments
    forms = [ACTION_TOKEN, " ".join(ACTION_TOKEN), b64(ACTION_TOKEN), ACTION_TOKEN.encode().hex(),
             urllib.parse.quote(ACTION_TOKEN, safe=""), ACTION_TOKEN.upper(), ACTION_TOKEN[::-1]]
    log = "\n".join(line for line in run.stdout.splitlines() if line != f"::add-mask::{ACTION_TOKEN}")
    for text in (log, run.stderr, run.summary, json.dumps(sarif), comments, json.dumps(run.outputs)):
        for form in forms:
            assert form not in text, form
