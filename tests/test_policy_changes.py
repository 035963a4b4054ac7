"""A change cannot waive its own findings quietly (issue 10, part 3).

Exceptions and policies that the scanned change adds or edits are listed first in the
summary, the PR comment and the console output, with file:line and what each waives;
with a trusted policy revision, the change's own exceptions do not apply at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.errors import UsageError
from regoscan.output.changed import ANCHOR, HEADING
from regoscan.trusted import blob_id, changes_since, trusted_policies
from tests.helpers import POD, write

ORG_CHECK = """\
package user.org

import rego.v1

__rego_metadata__ := {"id": "ORG001", "title": "no latest tag", "severity": "HIGH"}

deny contains msg if {
    some c in input.spec.containers
    endswith(c.image, ":latest")
    msg := sprintf("container %s uses latest", [c.name])
}
"""

WAIVER = """\
package namespace.exceptions

import rego.v1

# the pull request's own waiver
exception contains ns if {
    some ns in data.namespaces
    ns == "user.org"
}
"""

LATEST_POD = POD.replace("nginx:1.27", "nginx:latest")


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b", "HOME": str(repo.parent)}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main has the check; the working tree adds a waiver (what a pull request would do)."""
    ws = tmp_path / "repo"
    ws.mkdir()
    _git(ws, "init", "-q", "-b", "main")
    write(ws, "k8s/pod.yaml", LATEST_POD.format(name="web"))
    write(ws, "policy/org.rego", ORG_CHECK)
    write(ws, "policy/lib/helpers.rego", "package user.lib\n\nimport rego.v1\n\nok := true\n")
    write(ws, "data/settings.yaml", "settings:\n  registry: ghcr.io\n")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-qm", "base")
    write(ws, "policy/waive.rego", WAIVER)
    return ws


def _scan(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
          *extra: str) -> tuple[int, dict[str, Any], str, str, str]:
    monkeypatch.chdir(repo)
    args = ["scan", "k8s", "--policy", "policy", "--data", "data", "--no-builtin", "--workers", "1", *extra]
    code = main([*args, "--format", "json", "--summary", "out/summary.md", "--sarif", "out/r.sarif"])
    doc = json.loads(capsys.readouterr().out)
    main([*args, "--format", "text"])
    text = capsys.readouterr().out
    return code, doc, text, (repo / "out/summary.md").read_text(encoding="utf-8"), \
        (repo / "out/r.sarif").read_text(encoding="utf-8")


def _section(summary: str) -> str:
    start = summary.index(f"### {HEADING}")
    end = summary.index("\n\n| Severity |", start)
    return summary[start:end]


def test_an_added_exception_is_listed_first_with_what_it_waives(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc, text, summary, _sarif = _scan(repo, capsys, monkeypatch, "--policy-changes-since", "HEAD")
    assert code == 0  # the waiver works (it is in effect): which is why it must be seen first
    (changed,) = doc["changed_policies"]
    assert changed["change"] == {"path": "policy/waive.rego", "status": "added", "old_path": None}
    assert changed["in_effect"] and changed["kind"] == "exceptions"
    (exc,) = changed["exceptions"]
    assert exc["line"] == 6 and exc["kind"] == "namespace"
    assert exc["waives"] == [{"check_id": "ORG001", "path": "k8s/pod.yaml", "line": 1}]
    # the summary: right after the headline, before the counts and every finding
    assert summary.index(f"### {HEADING}") < summary.index("| Severity |") < summary.index("Suppressed findings")
    section = _section(summary)
    assert "policy/waive.rego:6" in section and "1 finding: ORG001 k8s/pod.yaml:1" in section
    assert "adds or edits 1 exception" in section
    # the console: the first lines of the report
    first = text.splitlines()[:2]
    assert first[0] == f"{HEADING} (1):"
    assert first[1].startswith("  policy/waive.rego:6 (added): namespace exception") and "ORG001" in first[1]


def test_the_anchor_is_stable() -> None:
    assert HEADING == "Exceptions and policies changed by this change"
    assert HEADING.lower().replace(" ", "-") == ANCHOR  # GitHub's anchor for the heading


def test_a_trusted_ref_keeps_the_change_s_exception_out(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    sha = _git(repo, "rev-parse", "HEAD")
    code, doc, text, summary, sarif = _scan(repo, capsys, monkeypatch, "--trusted-policy-ref", "main")
    assert code == 1  # the pull request's exception waives nothing: the finding fails the run
    (finding,) = [f for f in doc["findings"] if f["check_id"] == "ORG001"]
    assert not finding["suppressed"]
    assert doc["policy_source"] == f"main ({sha[:12]})"
    (changed,) = doc["changed_policies"]
    assert changed["change"]["path"] == "policy/waive.rego" and not changed["in_effect"]
    assert changed["exceptions"][0]["waives"] == []
    assert f"**Policies from main \\({sha[:12]}\\):**" in summary
    assert "not applied" in _section(summary)
    assert text.splitlines()[0] == f"Policies, exceptions and data loaded from main ({sha[:12]}) (not from the " \
                                   "files being scanned)."
    # paths of the trusted policies are shown as in the repository, never as the temporary folder
    check = next(c for c in doc["checks"] if c["id"] == "ORG001")
    assert check["source_path"] == "policy/org.rego"
    assert "regoscan-trusted-" not in sarif + summary + json.dumps(doc)


def test_a_trusted_ref_also_ignores_a_weakened_check_and_changed_data(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "policy/waive.rego").unlink()
    write(repo, "policy/org.rego", ORG_CHECK.replace('"HIGH"', '"LOW"'))
    write(repo, "data/settings.yaml", "settings:\n  registry: evil.example\n")
    (repo / "policy/lib/helpers.rego").unlink()
    code, doc, _text, _summary, _sarif = _scan(repo, capsys, monkeypatch, "--trusted-policy-ref", "HEAD",
                                                "--fail-on", "high")
    assert code == 1  # still HIGH: the severity the pull request lowered is not the one applied
    changes = {c["change"]["path"]: (c["change"]["status"], c["kind"]) for c in doc["changed_policies"]}
    assert changes == {"policy/org.rego": ("modified", "checks"), "data/settings.yaml": ("modified", "data"),
                       "policy/lib/helpers.rego": ("deleted", "other")}
    assert next(c["change"]["path"] for c in doc["changed_policies"]) == "policy/org.rego"  # checks before data


def test_an_unknown_trusted_ref_is_an_error_never_a_fall_back(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code = main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--trusted-policy-ref", "no-such-branch",
                 "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "cannot be resolved" in captured.err and "not loaded from the working tree" in captured.err


def test_a_config_file_cannot_choose_the_trusted_ref(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "regoscan.yaml", "trusted-policy-ref: main\n")
    monkeypatch.chdir(repo)
    assert main(["scan", "k8s", "--no-builtin"]) == 2
    assert "trusted-policy-ref" in capsys.readouterr().err


@pytest.mark.parametrize("change", ["added", "edited", "deleted", "pyproject-added"])
def test_a_trusted_ref_reads_the_config_file_at_that_revision(
        change: str, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The config file is in the checkout too. Before: a pull request that added a regoscan.yaml
    with ``skip-check`` (or ``fail-on: never``, or ``exclude``) passed with --trusted-policy-ref,
    and one that deleted the repository's file dropped its settings."""
    waive = "skip-check: [ORG001]\nfail-on: never\nexclude: ['k8s/**']\n"
    if change in ("edited", "deleted"):
        write(repo, "regoscan.yaml", "fail-on: medium\n")
        _git(repo, "add", "regoscan.yaml")
        _git(repo, "commit", "-qm", "the repository's settings")
    if change == "deleted":
        (repo / "regoscan.yaml").unlink()
    elif change == "pyproject-added":
        write(repo, "pyproject.toml", "[tool.regoscan]\nskip-check = ['ORG001']\nfail-on = 'never'\n")
    else:
        write(repo, "regoscan.yaml", waive)
    (repo / "policy/waive.rego").unlink()
    code, doc, _text, _summary, _sarif = _scan(repo, capsys, monkeypatch, "--trusted-policy-ref", "main")
    assert code == 1, doc["notices"]  # ORG001 is HIGH: it fails at the trusted fail-on (high, or medium)
    assert [f["check_id"] for f in doc["findings"]] == ["ORG001"]
    (note,) = [n["message"] for n in doc["notices"] if n["code"] == "policy-trusted-ref"]
    assert note.startswith({"added": "regoscan.yaml is not at main", "pyproject-added": "pyproject.toml is not at main",
                            "edited": "regoscan.yaml differs from its version at main",
                            "deleted": "regoscan.yaml is deleted in the working tree"}[change]), note
    # without a trusted ref, the working tree's file is the one read (and waives, as documented)
    if change != "deleted":
        monkeypatch.chdir(repo)
        assert main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--workers", "1", "--format", "json"]) == 0
        capsys.readouterr()


@pytest.mark.parametrize("ref", ["main", "origin/main"])
def test_a_tag_named_like_the_trusted_branch_is_refused(
        ref: str, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """git prefers a tag to a branch of the same name. A contributor who can push tags pushed
    ``main`` (or ``origin/main``) at a commit holding their exception, and
    ``--trusted-policy-ref main`` loaded it: the run passed. Now a name that fits two refs is
    an error; the full name still works."""
    _git(repo, "update-ref", "refs/remotes/origin/main", "main")
    _git(repo, "checkout", "-qb", "pr")
    _git(repo, "add", "policy/waive.rego")
    _git(repo, "commit", "-qm", "the pull request's exception")
    _git(repo, "tag", ref, "pr")
    code, doc, _text, _summary, _sarif = _scan(repo, capsys, monkeypatch, "--trusted-policy-ref", "refs/heads/main")
    assert code == 1 and not doc["findings"][0]["suppressed"]  # the full name: main's policies
    monkeypatch.chdir(repo)
    code = main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--trusted-policy-ref", ref, "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "", captured.out
    assert "ambiguous" in captured.err


def test_a_short_name_fetched_from_origin_is_a_branch_or_a_tag_never_a_guess(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A depth-1 checkout has no ``main``: it is fetched from origin, where ``git fetch origin
    main`` took the tag ``main`` the contributor pushed over the branch."""
    _git(repo, "checkout", "-qb", "pr")
    _git(repo, "add", "policy/waive.rego")
    _git(repo, "commit", "-qm", "the pull request's exception")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "pr", f"file://{repo}", str(clone)], check=True)
    monkeypatch.chdir(clone)
    args = ["scan", "k8s", "--policy", "policy", "--no-builtin", "--workers", "1", "--format", "json"]
    assert main([*args, "--trusted-policy-ref", "main"]) == 1  # fetched: main's policies, the finding stands
    capsys.readouterr()
    _git(repo, "tag", "main", "pr")
    clone2 = tmp_path / "clone2"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", "--branch", "pr", f"file://{repo}",
                    str(clone2)], check=True)
    monkeypatch.chdir(clone2)
    assert main([*args, "--trusted-policy-ref", "main"]) == 2
    assert "ambiguous on origin" in capsys.readouterr().err


def test_a_policy_file_whose_link_target_changed_is_listed(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``policy/w.rego`` is a link to ``shared/w.rego``; the change edits only the target.
    Before, the link compared equal to the revision (the link itself did not change) and the
    exception it now holds was not listed."""
    (repo / "policy/waive.rego").unlink()
    write(repo, "shared/w.rego", WAIVER.replace('ns == "user.org"', 'ns == "user.nothing"'))
    (repo / "policy/w.rego").symlink_to("../shared/w.rego")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a linked policy file")
    write(repo, "shared/w.rego", WAIVER)
    code, doc, _text, summary, _sarif = _scan(repo, capsys, monkeypatch, "--policy-changes-since", "HEAD")
    assert code == 0  # the waiver applies (no trusted ref): which is why it must be listed
    (changed,) = doc["changed_policies"]
    assert changed["change"] == {"path": "policy/w.rego", "status": "modified", "old_path": None}
    assert changed["exceptions"][0]["waives"] == [{"check_id": "ORG001", "path": "k8s/pod.yaml", "line": 1}]
    assert "policy/w.rego:6" in _section(summary)


# --- the export and the comparison --------------------------------------------------------


def test_the_export_reads_git_objects_and_skips_links(repo: Path) -> None:
    (repo / "policy" / "link.rego").symlink_to("../k8s/pod.yaml")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a link and the waiver")
    write(repo, "policy/org.rego", "package user.changed\n")  # the working tree differs: not exported
    with trusted_policies("HEAD", [str(repo / "policy"), str(repo / "missing")], [str(repo / "data")],
                          repo) as export:
        folder = export.folder
        assert not folder.is_relative_to(repo)
        assert (export.root / "policy/org.rego").read_text(encoding="utf-8") == ORG_CHECK
        assert (export.root / "policy/waive.rego").is_file()
        assert not (export.root / "policy/link.rego").exists()
        assert export.policies == [str(export.root / "policy")] and export.data == [str(export.root / "data")]
        assert any("policy/link.rego is a symlink" in n for n in export.notes)
        assert any("missing does not exist" in n for n in export.notes)
    assert not folder.exists()


def test_the_export_refuses_paths_outside_the_repository(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(UsageError, match="outside the git repository"), \
            trusted_policies("HEAD", [str(outside)], [], repo):
        pass


def test_changes_since_counts_untracked_edited_and_deleted_files(repo: Path) -> None:
    write(repo, "policy/org.rego", ORG_CHECK + "\n# edited\n")
    write(repo, "policy/org_test.rego", "package user.org_test\n")  # tests are not policies
    write(repo, "policy/.hidden/x.rego", "package x\n")  # dot folders are not loaded either
    (repo / "data/settings.yaml").unlink()
    label, changes = changes_since("HEAD", [str(repo / "policy")], [str(repo / "data")], repo)
    assert label.startswith("HEAD (")
    assert sorted((c.path, c.status) for c in changes) == [
        ("data/settings.yaml", "deleted"), ("policy/org.rego", "modified"), ("policy/waive.rego", "added")]


def test_blob_id_is_git_s() -> None:
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # `git hash-object`


# --- the Action ----------------------------------------------------------------------------


@pytest.mark.parametrize("trusted", ["", "base"], ids=["checkout-policies", "trusted-base"])
def test_the_action_lists_a_pull_request_s_exception_first(
        trusted: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The pull request adds ``policy/waive-legacy.rego``, waiving the legacy check on its own
    Deployment. Listed at the top of the summary, the comment and the log; with
    ``trusted-policy-ref: base`` it waives nothing and the step fails."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.e2e.scenario import pull_request
    from tests.test_action_run import TOKEN, action

    waiver = WAIVER.replace('ns == "user.org"', 'ns == "user.kubernetes.ORG001"')
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"policy/waive-org.rego": waiver})
    inputs = {"fail-on": "high"}
    if trusted:
        inputs["trusted-policy-ref"] = trusted
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **inputs)
        (comment,) = fake.issue_comments(pr.number)
    body = comment["body"]
    for text in (run.summary, body):
        assert text.index(f"### {HEADING}") < text.index("| Severity |"), text[:2000]
        section = _section(text)
        assert "policy/waive\\-org.rego:6" in section
    org = [r for r in run.sarif()["runs"][0]["results"] if r["ruleId"] == "ORG001"]
    log_start = run.stdout.index("::group::regoscan report")
    log = run.stdout[log_start:].splitlines()[1:3]
    if trusted:
        assert "not applied" in _section(run.summary) and "not applied" in _section(body)
        assert "Policies from" in run.summary and "Policies from" in body
        assert org and run.code == 1  # the waiver did not apply: the finding fails the step
        assert log[0].startswith("Policies, exceptions and data loaded from ")
        assert log[1] == f"{HEADING} (1):"
        assert run.outputs["decision"] == "fail"
    else:
        assert "ORG001 k8s/web.yaml" in _section(run.summary)
        assert not org  # waived, so left out of the upload file (sarif-suppressed: omit)
        assert log[0] == f"{HEADING} (1):" and "ORG001 k8s/web.yaml:9" in log[1]


@pytest.mark.parametrize("ref", ["HEAD", "feature"], ids=["merge-commit", "head-branch"])
def test_the_action_refuses_a_trusted_ref_that_is_the_pull_request_itself(
        ref: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """``trusted-policy-ref: HEAD`` (GitHub's merge commit) or the pull request's own branch
    (``${{ github.head_ref }}``) loaded the pull request's exception while the summary said
    "Policies from HEAD": ORG001 was waived. Now the step fails and says why."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.e2e.scenario import git, pull_request
    from tests.test_action_run import TOKEN, action

    waiver = WAIVER.replace('ns == "user.org"', 'ns == "user.kubernetes.ORG001"')
    pr = pull_request(tmp_path / "repo", depth=1, extra_pr_files={"policy/waive-org.rego": waiver})
    git(pr.workspace, "fetch", "-q", "origin", "+refs/heads/feature:refs/remotes/origin/feature")
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(),
                     **{"fail-on": "high", "trusted-policy-ref": ref if ref == "HEAD" else "origin/feature"})
    assert run.code == 2, run.stdout[-3000:]
    assert "a commit of the pull request being scanned" in run.stdout
    assert run.outputs.get("decision") != "pass"


def _pull_request_with(tmp: Path, base_files: dict[str, str], base_links: dict[str, str],
                       pr_files: dict[str, str], *, target: bool = False,
                       pr_links: dict[str, str] | None = None) -> Any:
    """The ``pull_request`` scenario with extra files and links on main, and files the pull
    request changes; ``target``: the workspace is main, as ``pull_request_target`` checks out."""
    from tests.e2e.scenario import (
        FIXTURES,
        PR_NUMBER,
        PullRequest,
        checkout,
        commit,
        copy_tree,
        git,
        init_repo,
        publish_pull_refs,
    )
    from tests.e2e.scenario import write as write_files

    origin = init_repo(tmp / "origin")
    copy_tree(FIXTURES / "base", origin)
    write_files(origin, base_files)
    for rel, link in base_links.items():
        (origin / rel).parent.mkdir(parents=True, exist_ok=True)
        (origin / rel).symlink_to(link)
    base = commit(origin, "base, with linked policy or data files")
    git(origin, "checkout", "-q", "-b", "feature")
    copy_tree(FIXTURES / "pr", origin)
    write_files(origin, pr_files)
    for rel, link in (pr_links or {}).items():  # a folder replaced by a link
        shutil.rmtree(origin / rel, ignore_errors=True)
        (origin / rel).symlink_to(link)
    head = commit(origin, "feature work, and a link's target edited")
    merge = publish_pull_refs(origin, base, head)
    ref = "refs/heads/main" if target else f"refs/pull/{PR_NUMBER}/merge"
    workspace = checkout(origin, tmp / "workspace", ref)
    return PullRequest(origin, workspace, base, head, merge)


def _pull_request_through_a_link(tmp: Path) -> Any:
    """main links ``policy/waivers.rego`` to ``shared/waivers.rego`` (which waives nothing); the
    pull request edits only the link's target, so that it waives ORG001."""
    return _pull_request_with(
        tmp, {"shared/waivers.rego": WAIVER.replace('ns == "user.org"', 'ns == "user.nothing"')},
        {"policy/waivers.rego": "../shared/waivers.rego"},
        {"shared/waivers.rego": WAIVER.replace('ns == "user.org"', 'ns == "user.kubernetes.ORG001"')})


def test_the_action_lists_a_policy_file_whose_link_target_the_change_edits(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """A policy file may be a link inside the repository. A change that edits only the link's
    target (``shared/waivers.rego``, outside the policy folder) changed what the policy folder
    loads, yet nothing was listed and the scan was not widened: ORG001 was waived quietly."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.test_action_run import TOKEN, action

    pr = _pull_request_through_a_link(tmp_path / "repo")
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), **{"fail-on": "high"})
    section = _section(run.summary)
    assert "policy/waivers.rego" in section and "ORG001" in section, section
    assert run.outputs["scan"] == "all"  # a policy changed: every file is scanned


def test_pull_request_target_keeps_the_base_meaning_of_a_linked_data_file(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """On ``pull_request_target`` the policy and data folders come from the workspace (the
    base) into the head tree. A data file there that links to ``config/waived.yaml`` was
    copied as a link, which then led to the head's ``config/waived.yaml``: the pull request
    chose the data the base's exception reads, and waived ORG001. Links are now resolved in
    the workspace: the base's file is what is loaded."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.test_action_run import TOKEN, action

    reads_data = WAIVER.replace("some ns in data.namespaces\n    ns == \"user.org\"",
                                "some ns in data.namespaces\n    ns in data.waived")
    assert reads_data != WAIVER
    pr = _pull_request_with(
        tmp_path / "repo",
        {"policy/waivers.rego": reads_data, "config/waived.yaml": "waived: []\n"},
        {"data/waived.yaml": "../config/waived.yaml"},
        {"config/waived.yaml": "waived: [user.kubernetes.ORG001]\n"}, target=True)
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), event_name="pull_request_target",
                     data="data", **{"fail-on": "high"})
    org = [r for r in run.sarif()["runs"][0]["results"] if r["ruleId"] == "ORG001"]
    assert org, run.stdout[-3000:]  # the base's data: nothing waived
    assert not any(r.get("suppressions") for r in org)


def test_pull_request_target_writes_nothing_through_a_link_the_pull_request_made(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The policy folder is ``config/policy``; the pull request replaces ``config`` with a link
    to a folder outside. Copying the base's policy folder into the head tree wrote through that
    link (as root, in the container). Now nothing is written there and the step says why."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.test_action_run import TOKEN, action

    victim = tmp_path / "victim"
    victim.mkdir()
    pr = _pull_request_with(tmp_path / "repo", {"config/policy/waivers.rego": WAIVER}, {}, {},
                            target=True, pr_links={"config": str(victim)})
    with FakeGitHub(TOKEN) as fake:
        run = action(tmp_path, pr.workspace, fake, capfd, event=pr.event(), event_name="pull_request_target",
                     policy="config/policy", **{"fail-on": "never"})
    assert list(victim.iterdir()) == []
    assert "the head commit made config a link" in run.stdout
