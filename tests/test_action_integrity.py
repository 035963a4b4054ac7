"""The Action never writes outside the workspace, whatever the pull request commits.

A pull request can commit ``regoscan.sarif`` (or the ``sarif-full-file``, or a folder on
the way to them) as a symbolic link to a file outside the workspace. Running as root,
the Action truncated that file, wrote SARIF into it and chowned it. Reports now go by
temporary file and rename (the link itself is replaced), folders on the way must be real
folders, and ownership is handed over with ``lchown``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from regoscan.action.inputs import InputError, read_inputs
from regoscan.cli import main
from regoscan.engine.cache import FORMAT
from tests.e2e.scenario import PullRequest, commit, init_repo, write
from tests.test_action_run import _results, action, pr  # noqa: F401 - the fixture is used by name

SECRET = "outside the workspace: must stay as it is\n"
# (victims are .txt files: the test session validates every .sarif file it finds)


def _outside(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "elsewhere" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(SECRET, encoding="utf-8")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(target, 4242, 4242)
    return target


def _untouched(target: Path) -> None:
    assert target.read_text(encoding="utf-8") == SECRET
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        st = target.stat()
        assert (st.st_uid, st.st_gid) == (4242, 4242)


def test_a_committed_sarif_symlink_is_replaced_not_written_through(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    sarif_target = _outside(tmp_path, "victim.txt")
    full_target = _outside(tmp_path, "victim-full.txt")
    (pr.workspace / "regoscan.sarif").symlink_to(sarif_target)
    (pr.workspace / "full.sarif").symlink_to(full_target)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(pr.workspace, 1001, 1002)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 **{"sarif-full-file": "full.sarif", "fail-on": "never"})
    assert run.code == 0, run.stdout
    _untouched(sarif_target)
    _untouched(full_target)
    for name in ("regoscan.sarif", "full.sarif"):
        path = pr.workspace / name
        assert not path.is_symlink() and run.sarif(name)["runs"][0]["tool"]["driver"]["name"] == "regoscan"
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            assert (path.lstat().st_uid, path.lstat().st_gid) == (1001, 1002)


def test_a_symlinked_folder_on_the_way_to_the_sarif_is_refused(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """``reports -> /elsewhere``: a rename inside it would still land outside; nothing is written,
    the step fails (the file a later step uploads is missing), and the summary is still there."""
    victim = _outside(tmp_path, "victim.txt")
    (pr.workspace / "reports").symlink_to(victim.parent, target_is_directory=True)
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 **{"sarif-file": "reports/regoscan.sarif", "fail-on": "never"})
    assert run.code == 2 and run.outputs["decision"] == "error"
    # an annotation counted in the 10-per-level budget with the findings' (see run._Context.errors)
    assert "::error title=regoscan::regoscan: cannot write the report" in run.stdout and "symbolic link" in run.stdout
    _untouched(victim)
    assert sorted(p.name for p in victim.parent.iterdir()) == ["victim.txt"]
    assert "regoscan" in run.summary


def test_a_sarif_that_could_not_be_written_is_not_uploaded(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """With ``upload: true``, what lies at ``sarif-file`` after a refused write is not this scan's
    (here: a SARIF the pull request placed behind a symlinked folder): it is never sent."""
    from tests.e2e.fake_github import FakeGitHub
    from tests.test_action_alerts import TOKEN, step

    planted = tmp_path / "elsewhere" / "results.json"  # not .sarif: the session validates every .sarif file
    planted.parent.mkdir()
    planted.write_text(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "regoscan"}},
                                                                 "results": []}]}), encoding="utf-8")
    (pr.workspace / "reports").symlink_to(planted.parent, target_is_directory=True)
    with FakeGitHub(TOKEN) as fake:
        run = step(tmp_path, pr.workspace, fake, capfd, event_name="pull_request", event=pr.event(),
                   ref="refs/pull/7/merge", sha=pr.merge_sha, comment="false", upload="true",
                   **{"sarif-file": "reports/results.json", "fail-on": "never"})
    assert run.code == 2 and run.outputs["sarif-id"] == "" and run.outputs["sarif-complete"] == "false"
    assert fake.code_scanning.uploads == {} and fake.requests == []
    assert "SARIF not uploaded: reports/results.json could not be written" in run.stdout


def test_a_sarif_path_leaving_the_workspace_is_refused_by_the_inputs(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 **{"sarif-file": "../escape.sarif"})
    assert run.code == 2 and not (pr.workspace.parent / "escape.sarif").exists()


# --- the result cache ------------------------------------------------------------------------

POD_LATEST = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
              "    - name: c\n      image: nginx:latest\n")


def test_the_cache_lives_outside_the_workspace_and_serves_the_next_push(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "ws")
    write(repo, {"k8s/app.yaml": POD_LATEST})
    before = commit(repo, "one")
    write(repo, {"README.md": "hello\n"})
    after = commit(repo, "two")
    push = {"ref": "refs/heads/main", "before": before, "after": after}
    first = action(tmp_path, repo, None, capfd, event_name="push", event=push, policy="",
                   **{"cache-dir": "regoscan-cache", "fail-on": "never"})
    cache = tmp_path / "home" / "regoscan-cache"  # the runner's temporary folder ($HOME in the container)
    assert first.code == 0 and f"result cache in {cache}" in first.stdout
    assert (cache / "key").is_file() and list(cache.glob(f"{FORMAT}/*.pack"))
    assert not (repo / "regoscan-cache").exists()
    second = action(tmp_path, repo, None, capfd, event_name="push", event=push, policy="",
                    **{"cache-dir": "regoscan-cache", "fail-on": "never"})
    assert _results(second.sarif()) == _results(first.sarif()) and _results(first.sarif())


def test_the_cache_is_not_used_on_pull_requests(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """An earlier run of the same pull request could have filled it: not read, not written."""
    folder = tmp_path / "cache"
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false",
                 **{"cache-dir": str(folder), "fail-on": "never"})
    assert run.code == 0 and "result cache not used on pull_request events" in run.stdout
    assert not folder.exists()
    assert _results(run.sarif())


@pytest.mark.parametrize(("value", "expected"), [("regoscan-cache", "regoscan-cache"), ("./a/b/", "a/b"),
                                                 ("/github/home/c/", "/github/home/c"), ("", "")])
def test_cache_dir_input(value: str, expected: str) -> None:
    assert read_inputs({"INPUT_CACHE-DIR": value}).cache_dir == expected


def test_cache_dir_input_cannot_climb() -> None:
    with pytest.raises(InputError):
        read_inputs({"INPUT_CACHE-DIR": "../elsewhere"})


def test_the_cli_replaces_a_committed_report_link_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    write(repo, {"k8s/app.yaml": POD_LATEST})
    sarif_target = _outside(tmp_path, "victim.txt")
    summary_target = _outside(tmp_path, "victim-summary.txt")
    (repo / "regoscan.sarif").symlink_to(sarif_target)
    (repo / "summary.md").symlink_to(summary_target)
    monkeypatch.chdir(repo)
    code = main(["scan", ".", "--sarif", "regoscan.sarif", "--summary", "summary.md", "--fail-on", "never"])
    capsys.readouterr()
    assert code == 0
    _untouched(sarif_target)
    _untouched(summary_target)
    assert not (repo / "regoscan.sarif").is_symlink() and not (repo / "summary.md").is_symlink()
    assert json.loads((repo / "regoscan.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
