"""The shared git-object reader (regoscan.gitobjects): what its three callers' tests do not reach.

The callers (headtree, base_revision, trusted) test what they write and report; these pin the
guarantees they rely on: the error type each caller chose, the blob reader's answers for
missing and non-blob objects and its deadline, the path and folder rules.
"""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from regoscan.action.changes import Git as ActionGit
from regoscan.action.headtree import materialise
from regoscan.errors import UsageError
from regoscan.gitobjects import (
    BlobReader,
    Git,
    GitError,
    git_env,
    is_plain_path,
    ls_tree,
    private_folder,
    read_blobs,
    write_new,
)
from regoscan.trusted import RefError
from tests.e2e.scenario import commit, init_repo, write


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, str]:
    path = init_repo(tmp_path / "repo")
    write(path, {"a.yaml": "a: 1\n", "dir/b.json": "{}\n"})
    return path, commit(path, "one")


class _UsageGit(Git):
    error = RefError


def test_ls_tree_lists_entries_with_sizes_recursively_or_not(repo: tuple[Path, str]) -> None:
    path, sha = repo
    entries = ls_tree(Git(path), sha)
    assert set(entries) == {"a.yaml", "dir/b.json"}
    assert entries["a.yaml"].regular and entries["a.yaml"].size == 5 and not entries["a.yaml"].symlink
    flat = ls_tree(Git(path), sha, ["dir", "a.yaml"], recursive=False)
    assert flat["dir"].kind == "tree" and flat["dir"].size is None and not flat["dir"].regular
    assert ls_tree(Git(path), sha, []) == {}


def test_each_caller_gets_its_own_error_type(repo: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = repo
    with pytest.raises(GitError, match="ls-tree"):
        ls_tree(ActionGit(path), "f" * 40)
    with pytest.raises(RefError, match="ls-tree") as caught:
        ls_tree(_UsageGit(path), "f" * 40)
    assert isinstance(caught.value, UsageError)  # the CLI's exit code for a usage error
    no_git = {"PATH": str(tmp_path / "empty")}
    with pytest.raises(RefError, match="not installed"):
        _UsageGit(path, no_git).run("status")
    with pytest.raises(GitError, match="not installed"):
        BlobReader(Git(path, no_git))


def test_blob_reader_answers_none_for_missing_objects_and_trees(repo: tuple[Path, str]) -> None:
    path, sha = repo
    entries = ls_tree(Git(path), sha, ["dir"], recursive=False)
    blob = ls_tree(Git(path), sha)["a.yaml"].oid
    with BlobReader(Git(path)) as reader:
        assert reader.read("0" * 40) is None
        assert reader.read(entries["dir"].oid) is None  # a tree is read past, not returned
        assert reader.read(blob) == b"a: 1\n"  # the stream is still in step
    assert read_blobs(Git(path), [blob, "0" * 40, blob]) == {blob: b"a: 1\n"}
    assert read_blobs(Git(path), []) == {}


def test_blob_reader_deadline_is_an_error_not_a_hang(repo: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = repo
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 30\n")  # a cat-file that never answers
    fake.chmod(0o755)
    with BlobReader(Git(path, {"PATH": str(bin_dir)}), timeout=0.5) as reader, \
            pytest.raises(GitError, match="timed out after"):
        reader.read("0" * 40)


def test_environment_is_scrubbed() -> None:
    env = git_env({"GITHUB_TOKEN": "t", "GH_TOKEN": "t", "INPUT_GITHUB-TOKEN": "t", "ACTIONS_RUNTIME_TOKEN": "t",
                   "ACTIONS_ID_TOKEN_REQUEST_URL": "u", "PATH": "/bin", "LC_ALL": "de_DE"})
    assert env == {"PATH": "/bin", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


@pytest.mark.parametrize(("path", "plain"), [
    ("a/b.yaml", True), (".github/x.yaml", True), ("a..b", True),
    ("", False), ("/etc/passwd", False), ("../x", False), ("a/../../x", False), ("a/./b", False),
    ("a//b", False), (".git/config", False), ("sub/.git/hooks/x", False), ("a\0b", False), (".", False),
])
def test_plain_paths(path: str, plain: bool) -> None:
    assert is_plain_path(path) is plain


def test_private_folder_is_0700_and_never_inside_the_workspace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = private_folder("regoscan-test-", outside=[tmp_path / "ws"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.rmdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(workspace))
    with pytest.raises(RefError, match="inside the repository"):
        private_folder("regoscan-test-", outside=[workspace], where="the repository", error=RefError)
    assert list(workspace.iterdir()) == []  # nothing left behind


def test_head_tree_refuses_a_temporary_folder_inside_the_workspace(
        repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, sha = repo
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    with pytest.raises(GitError, match="inside the workspace"):
        materialise(ActionGit(path), sha)
    assert not [p for p in path.iterdir() if p.name.startswith("regoscan-head-")]


def test_write_new_never_writes_over_or_through_what_is_there(tmp_path: Path) -> None:
    assert write_new(tmp_path, "a/b.yaml", b"x").read_bytes() == b"x"
    with pytest.raises(FileExistsError):
        write_new(tmp_path, "a/b.yaml", b"y")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "target.yaml")
    with pytest.raises(FileExistsError):
        write_new(tmp_path, "link.yaml", b"y")
    assert not (tmp_path / "target.yaml").exists()
