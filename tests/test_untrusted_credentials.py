"""A pull request cannot make a policy read the job's token (issue 10, part 1).

``actions/checkout`` persists the token in ``.git/config`` as an http ``extraheader``.
Each test plants one route to that file (or another credential file) in a workspace, adds
a custom check that would decode the token and print it spaced out, runs ``regoscan scan``
through the CLI, and asserts that the route is refused with a notice naming the path, that
every other file is still scanned, and that no form of the token reaches any output.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.inputs.forbidden import ForbiddenPaths, credential_shape
from tests.helpers import POD, write

TOKEN = "ghs_Zq8XcV2bN4mK6pL1tR3yW5uE7iO9aS0dF"
CONTROL = "ghs_ControlValueNotASecret4242"
HEADER = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()

# What a hostile check does with whatever it is given: find the extraheader, decode the
# basic-auth value and print the token with a space between characters (so that neither
# exact-match redaction nor the runner's masking would catch it).
LEAK_CHECK = """\
package user.leak

import rego.v1

__rego_metadata__ := {"id": "LEAK", "title": "leak", "severity": "LOW"}

deny contains msg if {
    some stage in input.Stages
    some cmd in stage.Commands
    lower(cmd.Cmd) == "extraheader"
    msg := spaced(cmd.Original)
}

deny contains msg if {
    walk(input, [_, value])
    is_string(value)
    contains(value, "basic ")
    msg := spaced(value)
}

spaced(text) := out if {
    parts := split(text, "basic ")
    decoded := base64.decode(trim_space(parts[count(parts) - 1]))
    out := concat(" ", split(decoded, ""))
}
"""

SEEN_CHECK = """\
package user.seen

import rego.v1

__rego_metadata__ := {"id": "SEEN", "title": "seen", "severity": "LOW"}

deny contains msg if {
    input.kind == "Pod"
    msg := sprintf("pod %s", [input.metadata.name])
}
"""


def forms(secret: str) -> list[str]:
    """The spellings of ``secret`` that must appear nowhere."""
    return [secret, " ".join(secret), base64.b64encode(secret.encode()).decode(), secret[::-1],
            HEADER if secret == TOKEN else base64.b64encode(f"x-access-token:{secret}".encode()).decode()]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    json: dict[str, Any]
    sarif: str
    summary: str

    def everything(self) -> str:
        return "\n".join((self.stdout, self.stderr, self.sarif, self.summary))

    def notices(self, code: str) -> list[dict[str, Any]]:
        return [n for n in self.json["notices"] if n["code"] == code]

    def messages(self, check: str) -> list[str]:
        return sorted(f["message"] for f in self.json["findings"] if f["check_id"] == check)


def scan(cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(cwd)
    code = main(["scan", *args, "--no-builtin", "--sarif", "out/r.sarif", "--summary", "out/s.md",
                 "--format", "json", "--fail-on", "never", "--workers", "1"])
    captured = capsys.readouterr()
    # the text format goes to the log: render it too, so it is checked for leaks as well
    main(["scan", *args, "--no-builtin", "--format", "text", "--fail-on", "never", "--workers", "1"])
    text = capsys.readouterr()
    return Result(code, captured.out + text.out, captured.err + text.err, json.loads(captured.out),
                  (cwd / "out/r.sarif").read_text(encoding="utf-8"), (cwd / "out/s.md").read_text(encoding="utf-8"))


def assert_no_leak(result: Result, secret: str = TOKEN) -> None:
    text = result.everything()
    for form in forms(secret):
        assert form not in text, form


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout as actions/checkout leaves it: the token persisted in .git/config."""
    ws = tmp_path / "ws"
    ws.mkdir()
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    subprocess.run(["git", "init", "-q", str(ws)], check=True, env=env)
    subprocess.run(["git", "-C", str(ws), "config", "http.https://github.com/.extraheader",
                    f"AUTHORIZATION: basic {HEADER}"], check=True, env=env)
    assert HEADER in (ws / ".git" / "config").read_text(encoding="utf-8")
    write(ws, "k8s/pod.yaml", POD.format(name="web"))
    write(ws, "policy/leak.rego", LEAK_CHECK)
    write(ws, "policy/seen.rego", SEEN_CHECK)
    return ws


def test_the_leak_check_works_on_a_file_it_may_read(workspace: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: on an ordinary file holding a header, the check prints the value spaced out.
    So in the tests below it is the refusal, nothing else, that keeps the token out."""
    control = base64.b64encode(f"x-access-token:{CONTROL}".encode()).decode()
    write(workspace, "Dockerfile.probe", f"FROM alpine\nextraheader = AUTHORIZATION: basic {control}\n")
    result = scan(workspace, capsys, monkeypatch, ".", "--policy", "policy")
    assert " ".join(f"x-access-token:{CONTROL}") in result.messages("LEAK")
    assert result.messages("SEEN") == ["pod web"]


@pytest.mark.parametrize("attack", ["file-symlink", "chained-symlink", "hard-link", "folder-symlink-file"])
def test_links_to_git_config_are_refused(attack: str, workspace: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    git_config = workspace / ".git" / "config"
    if attack == "file-symlink":
        (workspace / "Dockerfile.ci").symlink_to(".git/config")
    elif attack == "chained-symlink":
        (workspace / "step2").symlink_to(".git/config")
        (workspace / "deploy").mkdir()
        (workspace / "deploy" / "step1").symlink_to("../step2")
        (workspace / "Dockerfile.ci").symlink_to("deploy/step1")
    elif attack == "hard-link":
        os.link(git_config, workspace / "Dockerfile.ci")
    else:  # a folder link to .git, and a file link through it
        (workspace / "meta").symlink_to(".git")
        (workspace / "Dockerfile.ci").symlink_to("meta/config")
    result = scan(workspace, capsys, monkeypatch, ".", "--policy", "policy")
    assert result.code == 0, result.stderr
    refused = result.notices("input-credential-file")
    assert [n["path"] for n in refused if n["path"] == "Dockerfile.ci"] == ["Dockerfile.ci"], refused
    why = next(n["message"] for n in refused if n["path"] == "Dockerfile.ci")
    assert ("hard link" if attack == "hard-link" else "git metadata") in why
    assert result.messages("LEAK") == []
    assert result.messages("SEEN") == ["pod web"]  # everything else is still scanned
    assert "Dockerfile.ci" not in [f["path"] for f in result.json["findings"]]
    shown = result.summary.replace("\\", "")  # Markdown escapes
    assert "input-credential-file" in shown and "Dockerfile.ci" in shown
    assert_no_leak(result)


def test_named_paths_into_git_are_refused(workspace: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Naming the file, or a folder link to .git, does not help either."""
    (workspace / "meta").symlink_to(".git")
    write(workspace, ".git/planted.yaml", f"auth: 'AUTHORIZATION: basic {HEADER}'\n")
    result = scan(workspace, capsys, monkeypatch, ".git/config", "meta/config", "meta", "k8s",
                  "--policy", "policy")
    paths = sorted(n["path"] for n in result.notices("input-credential-file"))
    assert paths == [".git/config", "meta", "meta/config"], result.json["notices"]
    assert result.messages("LEAK") == [] and result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


def test_a_walk_never_enters_a_folder_link_to_git(workspace: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "meta").symlink_to(".git")
    write(workspace, ".git/planted.yaml", f"auth: 'AUTHORIZATION: basic {HEADER}'\n")
    result = scan(workspace, capsys, monkeypatch, ".", "--policy", "policy")
    assert [n["path"] for n in result.notices("input-credential-file")] == ["meta"]
    assert not any(f["path"].startswith(("meta", ".git")) for f in result.json["findings"])
    assert result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


@pytest.mark.parametrize("name", [".npmrc", ".docker/config.json", ".git-credentials", ".netrc", ".pypirc"])
def test_credential_files_are_refused_wherever_they_are(name: str, workspace: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    content = {
        ".npmrc": f"//registry.npmjs.org/:_authToken={TOKEN}\n",
        ".docker/config.json": json.dumps({"auths": {"ghcr.io": {"auth": HEADER}}}),
        ".git-credentials": f"https://x-access-token:{TOKEN}@github.com\n",
        ".netrc": f"machine github.com login x password {TOKEN}\n",
        ".pypirc": f"[pypi]\nusername = __token__\npassword = {TOKEN}\n",
    }[name]
    write(workspace, f"home/{name}", content)
    (workspace / "config.yaml").symlink_to(f"home/{name}")
    result = scan(workspace, capsys, monkeypatch, ".", f"home/{name}", "--policy", "policy")
    refused = {n["path"] for n in result.notices("input-credential-file")}
    assert "config.yaml" in refused and f"home/{name}" in refused, result.json["notices"]
    assert all("credential file" in n["message"] for n in result.notices("input-credential-file"))
    assert result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


def test_a_copy_of_git_config_is_refused_by_its_content(workspace: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """No link at all: a file holding git configuration with an extraheader (a copy made by
    an earlier step, say) is refused once read, before any parser or policy sees it."""
    write(workspace, "Dockerfile.copy", (workspace / ".git" / "config").read_text(encoding="utf-8"))
    result = scan(workspace, capsys, monkeypatch, ".", "--policy", "policy")
    (notice,) = result.notices("input-credential-file")
    assert notice["path"] == "Dockerfile.copy" and "extraheader" in notice["message"]
    assert result.messages("LEAK") == [] and result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


@pytest.mark.parametrize("data", [".git/config", "meta/config", "data"])
def test_data_from_git_metadata_is_refused(data: str, workspace: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "meta").symlink_to(".git")
    (workspace / "data").mkdir()
    (workspace / "data" / "settings.yaml").symlink_to("../.git/config")
    result = scan(workspace, capsys, monkeypatch, "k8s", "--policy", "policy", "--data", data)
    assert result.code == 2  # a data file not loaded makes the result incomplete: an error
    (notice,) = result.notices("data-credential-file")
    assert notice["level"] == "error"
    assert notice["path"] == (data if data != "data" else "data/settings.yaml")
    assert "git metadata" in notice["message"]
    assert "data file not read" in result.stderr  # errors are printed on stderr too
    assert not result.notices("data-error")  # refused before any parser could quote it
    assert result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


@pytest.mark.parametrize("how", ["file-link", "folder-link", "hard-link"])
def test_a_policy_folder_linking_into_git_is_refused(how: str, workspace: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "file-link":
        (workspace / "policy" / "evil.rego").symlink_to("../.git/config")
        expected = "policy/evil.rego"
    elif how == "folder-link":
        write(workspace, ".git/hooks/evil.rego", "package user.evil\n")
        (workspace / "policy" / "hooks").symlink_to("../.git/hooks")
        expected = "policy/hooks/evil.rego"
    else:
        os.link(workspace / ".git" / "config", workspace / "policy" / "evil.rego")
        expected = "policy/evil.rego"
    result = scan(workspace, capsys, monkeypatch, "k8s", "--policy", "policy")
    refused = result.notices("policy-credential-file")
    if how == "folder-link" and not refused:
        # pathlib's rglob does not follow folder links on this Python: never read either way
        assert not result.notices("policy-compile-error")
    else:
        assert [(n["path"], n["level"]) for n in refused] == [(expected, "error")], result.json["notices"]
        assert result.code == 2
    assert not any(n["code"] == "policy-compile-error" for n in result.json["notices"])
    assert result.messages("SEEN") == ["pod web"]
    assert_no_leak(result)


# Reads every JSON and YAML document it is given (custom checks see generic YAML/JSON only
# when they ask for it) and prints it whole, spaced out: what a pull request's check would do
# with a credentials file another step of the job left in the workspace.
DUMP_CHECK = """\
# METADATA
# title: dump
# custom:
#   id: DUMP
#   severity: LOW
#   input:
#     selector:
#     - type: json
#     - type: yaml
#     - type: kubernetes
package user.dump

import rego.v1

deny contains concat(" ", split(json.marshal(input), ""))
"""

KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PRIVATEKEY4242"
LEFT_BEHIND = {
    # google-github-actions/auth writes gha-creds-<random>.json into the workspace by default
    "gha-creds-3f2a9c81d0e4.json": json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "k1", "client_email": "x@p.iam.example",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{KEY}\n-----END PRIVATE KEY-----\n"}),
    # the same content under a name nobody listed: refused by its content
    "deploy/sa.json": json.dumps({"type": "service_account", "private_key": f"-----BEGIN PRIVATE KEY-----{KEY}"}),
    "deploy/wif.json": json.dumps({"type": "external_account", "audience": "//iam.example/x",
                                   "credential_source": {"url": "https://token.example/",
                                                         "headers": {"Authorization": f"Bearer {KEY}"}}}),
    # google-github-actions/get-gke-credentials: gha-kubeconfig-<random> in the workspace
    "gha-kubeconfig-a1b2c3": f"apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: {KEY}\n",
    "deploy/kubeconfig.yaml": f"apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: u\n  user:\n"
                              f"    token: {KEY}\n",
    "deploy/npm.yaml": f"//registry.npmjs.org/:_authToken={KEY}\n",
    "deploy/registry.json": json.dumps({"auths": {"ghcr.io": {"auth": KEY}}}),
    # a bare mirror cloned with the token in its URL: its config is not under a .git folder
    "mirror.git/config": f'[core]\n\tbare = true\n[remote "origin"]\n\turl = https://x-access-token:{KEY}@github.com/o/r\n',
}


def test_credential_files_other_steps_leave_in_the_workspace_are_refused(
        workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """regoscan scans the files on disk, untracked ones included, so credentials an earlier step
    of the job wrote into the workspace are input too. Before: a pull request's check printed the
    service account key of ``gha-creds-*.json`` (google-github-actions/auth's default) into its
    finding. Each is refused by its name or its content; the secrets are in no environment
    variable, so redaction could not have caught them."""
    for name, content in LEFT_BEHIND.items():
        write(workspace, name, content)
    (workspace / "mirror.yaml").symlink_to("mirror.git/config")
    write(workspace, "policy/dump.rego", DUMP_CHECK)
    result = scan(workspace, capsys, monkeypatch, ".", "gha-kubeconfig-a1b2c3", "--policy", "policy")
    refused = {n["path"] for n in result.notices("input-credential-file")}
    expected = {name for name in LEFT_BEHIND if name != "mirror.git/config"} | {"mirror.yaml"}
    assert expected <= refused, result.json["notices"]
    dumped = {f["path"] for f in result.json["findings"] if f["check_id"] == "DUMP"}
    assert dumped == {"k8s/pod.yaml"}  # every other file is still read, and only those
    assert result.messages("SEEN") == ["pod web"]
    text = result.everything()
    for form in (KEY, " ".join(KEY), KEY[:24], " ".join(KEY[:24])):
        assert form not in text


def test_a_scan_rooted_at_the_file_system_root_still_refuses_home_and_proc(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``--root /`` (or a scan started in ``/``, the working folder of a container without a
    WORKDIR) put every link target "inside the root": links to a file under ``$HOME`` and to
    ``/proc/self/status`` were followed and printed. A private folder is now readable only
    through a root or named folder inside it; ``/proc``, ``/sys``, ``/dev`` and the secret
    mounts of container platforms never."""
    home = tmp_path / "home"
    write(home, ".config/tool/settings.yaml", f"token: {TOKEN}\n")
    monkeypatch.setenv("HOME", str(home))
    (workspace / "settings.yaml").symlink_to(home / ".config/tool/settings.yaml")
    (workspace / "status.yaml").symlink_to("/proc/self/status")
    write(workspace, "policy/dump.rego", DUMP_CHECK)
    result = scan(workspace, capsys, monkeypatch, ".", "--root", "/", "--policy", "policy")
    refused = {n["path"].rpartition("/")[2]: n["message"] for n in result.notices("input-credential-file")}
    assert "runner's own" in refused["settings.yaml"] and "/proc" in refused["status.yaml"], refused
    assert {f["path"].rpartition("/")[2] for f in result.json["findings"] if f["check_id"] == "DUMP"} == {"pod.yaml"}
    assert_no_leak(result)
    # a checkout under $HOME (a developer's machine) is still scanned
    inside = ForbiddenPaths(home / "project", env={"HOME": str(home)})
    assert inside.reason(home / "project" / "pod.yaml") is None
    assert inside.reason(home / ".config/tool/settings.yaml") is not None
    assert ForbiddenPaths(Path("/"), env={"HOME": str(home)}).reason(home / ".config/tool/settings.yaml")


# --- the rules themselves ---------------------------------------------------------------


def test_runner_folders_are_refused_unless_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    temp = tmp_path / "runner-temp"
    root = tmp_path / "ws"
    for folder in (home, temp, root):
        folder.mkdir()
    guard = ForbiddenPaths(root, env={"HOME": str(home), "RUNNER_TEMP": str(temp)})
    assert "runner" in (guard.reason(temp / "git-credentials-1234.config") or "")
    assert "runner" in (guard.reason(home / "settings.yaml") or "")
    assert guard.reason(root / "k8s" / "pod.yaml") is None
    assert "runner" in (guard.reason(Path("/github/home/x.yaml")) or "")
    # a folder the user named is theirs to read, even under $HOME (a local run)
    named = ForbiddenPaths(root, bases=[home / "project"], env={"HOME": str(home)})
    assert named.reason(home / "project" / "pod.yaml") is None
    # a checkout inside $HOME (a developer's machine) is scanned as usual
    inside = ForbiddenPaths(home / "project", env={"HOME": str(home)})
    assert inside.reason(home / "project" / "pod.yaml") is None
    assert inside.reason(home / "project" / ".npmrc") is not None


def test_credential_shape() -> None:
    assert credential_shape('[core]\n\tbare = false\n[http "https://github.com/"]\n\textraheader = X\n')
    assert credential_shape("[credential]\n\thelper = store\n")
    assert credential_shape(f"https://x-access-token:{TOKEN}@github.com\n")
    # lines as str.splitlines cuts them (CR, CRLF, NEL...), blank lines before, around and after
    assert credential_shape(f"\n \n\t\nhttps://a:{TOKEN}@h\r\n\rhttp://b:c@h/x\x85https://d:e@h\u2028\n")
    assert credential_shape(f"https://a:{TOKEN}@h\nkind: Pod\n") is None  # not only URLs
    assert credential_shape("\n" * 3000 + f"https://a:{TOKEN}@h\n")
    assert credential_shape("apiVersion: v1\nkind: Pod\n") is None
    # a manifest that mentions the words is not a git configuration
    assert credential_shape("data:\n  note: set extraheader = x in [credential] docs\n") is None
    assert credential_shape("FROM alpine\nRUN git config http.extraheader x\n") is None
    for content in LEFT_BEHIND.values():
        assert credential_shape(content), content
    # a manifest that embeds such text in a value is still a manifest, and is scanned
    secret = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\nstringData:\n  .dockerconfigjson: "
              "'{\"auths\": {\"ghcr.io\": {\"auth\": \"eA==\"}}}'\n  sa.json: '{\"type\": \"service_account\", "
              "\"private_key\": \"k\"}'\n  .npmrc: |\n    //registry.npmjs.org/:_authToken=x\n")
    assert credential_shape(secret) is None
    assert credential_shape("apiVersion: skaffold/v4beta6\nkind: Config\nmetadata:\n  name: app\n") is None
    assert credential_shape('[remote "origin"]\n\turl = https://github.com/o/r\n') is None  # no password
    assert credential_shape('package p\n\ndeny contains "key" if input.type == "service_account"\n') is None


# --- through the GitHub Action ------------------------------------------------------------


@pytest.mark.parametrize("widened", [False, True], ids=["changed-files", "policy-changed-full-scan"])
def test_the_action_refuses_a_pull_request_link_to_git_config(
        widened: bool, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The pull request adds ``Dockerfile.ci -> .git/config``. The changed-files list (through
    ``select_files``) and a full scan (a policy changed) both refuse it."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.e2e.scenario import git, pull_request
    from tests.test_action_run import TOKEN as ACTION_TOKEN
    from tests.test_action_run import action, assert_token_nowhere

    policy = {"policy/leak.rego": LEAK_CHECK} if widened else {}
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_links={"Dockerfile.ci": ".git/config"},
                      extra_pr_files=policy)
    header = base64.b64encode(f"x-access-token:{ACTION_TOKEN}".encode()).decode()
    git(pr.workspace, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {header}")
    if not widened:  # not part of the change: the scan stays on changed files
        write(pr.workspace, "policy/leak.rego", LEAK_CHECK)
    with FakeGitHub(ACTION_TOKEN) as fake:
        event = pr.event()
        run = action(tmp_path, pr.workspace, fake, capfd, event=event, **{"fail-on": "never"})
        assert run.code == 0, run.stdout + run.stderr
        assert run.outputs["scan"] == ("all" if widened else "changed")
        sarif = json.dumps(run.sarif())
        assert "input-credential-file" in sarif and "Dockerfile.ci" in sarif
        assert "LEAK" not in {r["ruleId"] for r in run.sarif()["runs"][0]["results"]}
        assert_token_nowhere(run, fake)
        comments = json.dumps(fake.issue_comments(pr.number))
        for text in (run.stdout, run.stderr, run.summary, sarif, comments, json.dumps(run.outputs)):
            for form in (header, " ".join(ACTION_TOKEN), ACTION_TOKEN[::-1]):
                assert form not in text


def test_under_is_the_lexical_parents_test() -> None:
    # forbidden._under compares parts (walking Path.parents was slow); it must answer as
    # ``path == base or base in path.parents`` did, relative, absolute, '.', '..' and '//' alike
    from regoscan.inputs.forbidden import _under

    spellings = ["/", "//", "/a", "/a/b", "/a/bc", "/ab", "/A", "/a/./b", "/a/../b", "//a", "/a//b/",
                 ".", "", "a", "a/b", "a/..", "..", "../a"]
    for p in spellings:
        for b in spellings:
            path, base = Path(p), Path(b)
            assert _under(path, base) == (path == base or base in path.parents), (p, b)
