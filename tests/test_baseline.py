"""New versus pre-existing findings: the comparison (regoscan.baseline), the base files read
from git objects (regoscan.action.base_revision) and how the summary shows them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regoscan.action.base_revision import base_revision, materialize, old_paths
from regoscan.action.changes import Change, ChangeSet, Git, GitError
from regoscan.action.event import Event
from regoscan.baseline import compare
from regoscan.inputs.load import MAX_BYTES
from regoscan.models import (
    Baseline,
    CheckMetadata,
    Finding,
    InputFile,
    InputType,
    Region,
    ScanReport,
    Severity,
    SuppressionInfo,
)
from regoscan.output.markdown import render_summary
from tests.e2e.scenario import commit, git, init_repo, write

CHECK = CheckMetadata(id="ORG001", package="user.ORG001", title="No latest", severity=Severity.HIGH)
LOW = CheckMetadata(id="ORG002", package="user.ORG002", title="Labels", severity=Severity.LOW)


def finding(path: str, line: int, message: str = "latest", check: CheckMetadata = CHECK,
            waived: bool = False) -> Finding:
    sup = [SuppressionInfo("rule", "user.ORG001", "policy/x.rego", 3, "")] if waived else []
    return Finding(check=check, rule="deny", message=message, path=path, region=Region(line, line + 1),
                   identity=f"Deployment/{path}", suppressions=sup)


def report(*findings: Finding) -> ScanReport:
    files = [InputFile(p, InputType.KUBERNETES) for p in sorted({f.path for f in findings})]
    return ScanReport(findings=list(findings), checks=[CHECK, LOW], files=files, notices=[], root="/ws")


# --- compare -------------------------------------------------------------------------------------


def test_moved_findings_are_preexisting_and_added_ones_new() -> None:
    head = report(finding("a.yaml", 20), finding("a.yaml", 30, "other"), finding("b.yaml", 1))
    base = [finding("a.yaml", 5)]  # same finding, other line
    out = compare(head, base, {"a.yaml", "b.yaml"}, base="base abc")
    assert [(f.path, f.region.start_line) for f in out.new] == [("a.yaml", 30), ("b.yaml", 1)]
    assert [(f.path, f.region.start_line) for f in out.preexisting] == [("a.yaml", 20)]
    assert out.base == "base abc"


def test_a_second_copy_of_an_old_finding_is_new() -> None:
    head = report(finding("a.yaml", 4), finding("a.yaml", 9))  # same fingerprint twice
    out = compare(head, [finding("a.yaml", 4)], {"a.yaml"}, base="b")
    assert [f.region.start_line for f in out.preexisting] == [4]
    assert [f.region.start_line for f in out.new] == [9]


def test_unchanged_files_are_preexisting_and_waived_findings_never_count() -> None:
    head = report(finding("untouched.yaml", 1), finding("a.yaml", 2, waived=True), finding("a.yaml", 3, "x"))
    out = compare(head, [finding("a.yaml", 3, "x", waived=True)], {"a.yaml"}, base="b")
    assert [f.path for f in out.preexisting] == ["untouched.yaml"]
    # waived at the base but active at the head (the exception no longer matches): new
    assert [(f.path, f.region.start_line) for f in out.new] == [("a.yaml", 3)]
    assert len(out.new) + len(out.preexisting) == len(head.active)


def test_new_findings_are_most_severe_first() -> None:
    head = report(finding("a.yaml", 1, "low", LOW), finding("a.yaml", 2))
    out = compare(head, [], {"a.yaml"}, base="b")
    assert [f.check.id for f in out.new] == ["ORG001", "ORG002"]


# --- the summary -----------------------------------------------------------------------------------


def test_summary_shows_new_findings_before_preexisting_ones() -> None:
    head = report(finding("a.yaml", 20), finding("b.yaml", 1, "fresh"))
    head.baseline = compare(head, [finding("a.yaml", 5)], {"a.yaml", "b.yaml"}, base="base 0123456789ab")
    text = render_summary(head)
    assert "1 new in this change" in text
    assert text.index("### New findings (1)") < text.index("### Pre-existing findings (1)")
    new_part = text[text.index("### New findings"):text.index("### Pre-existing")]
    assert "b.yaml:1" in new_part and "a.yaml" not in new_part
    assert "### Findings (" not in text  # replaced by the two sections


def test_summary_without_new_findings_says_so() -> None:
    head = report(finding("a.yaml", 20))
    head.baseline = compare(head, [finding("a.yaml", 20)], {"a.yaml"}, base="base x")
    text = render_summary(head)
    assert "### New findings (0)" in text and "None: every active finding is also at the base x" in text


def test_summary_under_a_size_limit_drops_preexisting_rows_first() -> None:
    old = [finding(f"old{i:02d}.yaml", 1, "o" * 200) for i in range(30)]
    new = [finding(f"new{i}.yaml", 1, "n" * 200) for i in range(3)]
    head = report(*old, *new)
    head.baseline = compare(head, [], {f.path for f in new}, base="b")
    full = render_summary(head)
    text = render_summary(head, max_bytes=len(full.encode()) // 2)
    assert len(text.encode()) <= len(full.encode()) // 2
    assert all(f"new{i}.yaml:1" in text for i in range(3))
    assert "more pre-existing finding" in text


def test_summary_escapes_the_new_rows() -> None:
    head = report(finding("a.yaml", 1, "<img src=x> | [x](javascript:1)"))
    head.baseline = compare(head, [], {"a.yaml"}, base="b")
    text = render_summary(head)
    assert "<img" not in text and "](javascript" not in text


def test_baseline_model_defaults() -> None:
    assert Baseline("b").new == [] and report().baseline is None


# --- base files from git objects -----------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Git, str, Path]:
    repo = init_repo(tmp_path / "repo")
    write(repo, {"k8s/a.yaml": "kind: A\n", "k8s/old.yaml": "kind: Old\n", "k8s/target.yaml": "kind: T\n",
                 "big.json": "{}"})
    os.symlink("target.yaml", repo / "k8s" / "link.yaml")
    (repo / "k8s" / "exec.yaml").write_text("kind: X\n", encoding="utf-8")
    (repo / "k8s" / "exec.yaml").chmod(0o755)
    base = commit(repo, "base")
    write(repo, {"k8s/a.yaml": "kind: A2\n"})
    commit(repo, "head")
    return Git(repo, os.environ), base, repo


def test_materialize_writes_base_versions_under_the_new_names(repo: tuple[Git, str, Path], tmp_path: Path) -> None:
    g, base, workspace = repo
    files = materialize(g, base, {"k8s/a.yaml": "k8s/a.yaml", "k8s/renamed.yaml": "k8s/old.yaml",
                                  "k8s/link.yaml": "k8s/link.yaml", "k8s/exec.yaml": "k8s/exec.yaml",
                                  "k8s/new.yaml": "k8s/new.yaml", "../evil.yaml": "../evil.yaml"}, workspace)
    try:
        assert not files.folder.is_relative_to(workspace.resolve())
        assert (files.folder / "k8s/a.yaml").read_text(encoding="utf-8") == "kind: A\n"  # the base, not the head
        assert (files.folder / "k8s/renamed.yaml").read_text(encoding="utf-8") == "kind: Old\n"
        assert (files.folder / "k8s/exec.yaml").read_text(encoding="utf-8") == "kind: X\n"
        assert set(files.written) == {"k8s/a.yaml", "k8s/renamed.yaml", "k8s/exec.yaml"}
        assert "mode 120000" in files.skipped["k8s/link.yaml"]  # a symlink is never recreated
        assert files.skipped["k8s/new.yaml"] == "added by the change"
        assert files.skipped["../evil.yaml"] == "not a plain relative path"
        assert not list(files.folder.rglob("evil.yaml"))
    finally:
        import shutil

        shutil.rmtree(files.folder)


def test_materialize_skips_blobs_over_the_size_limit(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "huge.json").write_bytes(b" " * (MAX_BYTES + 1))
    base = commit(repo, "big")
    files = materialize(Git(repo, os.environ), base, {"huge.json": "huge.json"}, repo)
    assert files.written == {} and "larger than" in files.skipped["huge.json"]
    files.folder.rmdir()


def test_materialize_refuses_a_temporary_folder_inside_the_workspace(
        repo: tuple[Git, str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    g, base, workspace = repo
    monkeypatch.setenv("TMPDIR", str(workspace))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(GitError, match="inside the workspace"):
        materialize(g, base, {"k8s/a.yaml": "k8s/a.yaml"}, workspace)
    assert [p.name for p in workspace.iterdir() if p.name.startswith("regoscan-base-")] == []


def test_materialize_reports_an_unknown_revision(repo: tuple[Git, str, Path]) -> None:
    g, _, workspace = repo
    with pytest.raises(GitError, match="ls-tree"):
        materialize(g, "f" * 40, {"k8s/a.yaml": "k8s/a.yaml"}, workspace)


def test_old_paths_follow_renames_and_drop_deletions() -> None:
    changes = ChangeSet("changed", changes=[Change("M", "a"), Change("R", "new", "old"), Change("D", "gone"),
                                            Change("C", "copy", "src")])
    assert old_paths(changes) == {"a": "a", "new": "old", "copy": "src"}


def test_base_revision_is_the_base_tip_for_a_merge_commit_and_the_merge_base_for_a_head_checkout(
        tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    write(repo, {"a": "1"})
    first = commit(repo, "1")
    write(repo, {"a": "2"})
    second = commit(repo, "2")
    g = Git(repo, os.environ)
    changes = ChangeSet("changed", base=first, head=second)
    event = Event("pull_request", {"pull_request": {"base": {"sha": first}, "head": {"sha": "e" * 40}}})
    assert base_revision(event, changes, g) == first  # HEAD is not the PR head: a merge commit
    git(repo, "checkout", "-q", first)
    tip_event = Event("pull_request", {"pull_request": {"base": {"sha": second}, "head": {"sha": first}}})
    assert base_revision(tip_event, ChangeSet("changed", base="m" * 40), g) == "m" * 40  # HEAD is the PR head
    assert base_revision(Event("pull_request_target", event.payload), changes, g) == first
    assert base_revision(event, ChangeSet("changed"), g) is None


# --- the decision with fail-on-new-only --------------------------------------------------------------


def test_only_new_findings_fail_when_the_baseline_says_so() -> None:
    from regoscan.decision import exit_code, verdict

    head = report(finding("a.yaml", 20), finding("b.yaml", 1, "low", LOW))
    head.baseline = compare(head, [finding("a.yaml", 20)], {"a.yaml", "b.yaml"}, base="base x")
    assert exit_code(head) == 1  # without new_only every active finding counts
    head.baseline.new_only = True
    v = verdict(head)
    assert (v.code, v.failing, v.preexisting, v.below) == (0, 0, 1, 1)
    text = render_summary(head)
    assert "Passed: no new findings at or above high" in text
    assert "1 pre\\-existing at or above high" in text and "1 new in this change" in text
    head.baseline = compare(head, [], {"a.yaml"}, base="base x")
    head.baseline.new_only = True
    assert exit_code(head) == 1 and "Failed: 1 finding at or above high" in render_summary(head)
