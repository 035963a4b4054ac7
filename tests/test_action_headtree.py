"""Reading a commit's scan inputs from git objects (pull_request_target) and the gate's view."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from regoscan.action.changes import Git
from regoscan.action.gate import restrict
from regoscan.action.headtree import materialise
from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.inputs.load import MAX_BYTES
from tests.e2e.scenario import commit, git, init_repo, write

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
       "    - name: c\n      image: nginx:latest\n")


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = init_repo(tmp_path / "repo")
    write(repo, {"k8s/pod.yaml": POD, "app/Dockerfile": "FROM alpine:3\nUSER root\n", "README.md": "docs\n",
                 "policy/x.rego": "package user.x\n", "policy/data.yaml": "a: 1\n",
                 "node_modules/dep/pod.yaml": POD})
    (repo / "k8s" / "big.yaml").write_bytes(b"a: " + b"x" * (MAX_BYTES + 10) + b"\n")
    os.symlink("../../../../etc/passwd", repo / "k8s" / "escape.yaml")
    os.symlink("pod.yaml", repo / "k8s" / "alias.yaml")
    sha = commit(repo, "tree")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/sub")
    git(repo, "commit", "-q", "-m", "with a submodule")  # not commit(): `add -A` would drop the gitlink
    return repo, git(repo, "rev-parse", "HEAD")


def test_inputs_are_read_from_objects_never_checked_out(tmp_path: Path) -> None:
    repo, head = _repo(tmp_path)
    # the working tree no longer matters: only objects are read
    for name in ("k8s/pod.yaml", "app/Dockerfile"):
        (repo / name).unlink()
    tree = materialise(Git(repo), head, exclude=["policy"])
    try:
        root = tree.root
        assert not root.is_relative_to(repo) and stat.S_IMODE(root.stat().st_mode) == 0o700
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir())
        assert files == ["app/Dockerfile", "k8s/alias.yaml", "k8s/big.yaml", "k8s/escape.yaml", "k8s/pod.yaml"]
        assert (root / "k8s" / "pod.yaml").read_text() == POD
        assert os.readlink(root / "k8s" / "escape.yaml") == "../../../../etc/passwd"
        big = root / "k8s" / "big.yaml"
        assert big.stat().st_size > MAX_BYTES and big.stat().st_blocks * 512 < 1024 * 1024  # sparse, not copied
        assert tree.skipped == ["vendor/sub: a submodule"]
        assert (tree.files, tree.links) == (3, 2)

        report = run_scan(ScanOptions(paths=[str(root)], root=root))
        notices = {(n.code, n.path) for n in report.notices}
        assert ("input-symlink-outside-root", "k8s/escape.yaml") in notices  # the scan's own rule applies
        assert any(n.path == "k8s/big.yaml" and "limit" in n.message for n in report.notices)
        assert {f.path for f in report.findings} >= {"k8s/pod.yaml", "app/Dockerfile"}
        assert not [n for n in report.notices if n.path == "k8s/alias.yaml"]  # a link inside the tree is fine
    finally:
        tree.cleanup()
    assert not tree.root.exists()


def test_the_gate_keeps_changed_files_and_general_notices(tmp_path: Path) -> None:
    repo, head = _repo(tmp_path)
    tree = materialise(Git(repo), head, exclude=["policy"])
    try:
        full = run_scan(ScanOptions(paths=[str(tree.root)], root=tree.root))
        gate = restrict(full, ["k8s/pod.yaml"])
    finally:
        tree.cleanup()
    assert {f.path for f in gate.findings} == {"k8s/pod.yaml"} and gate.partial and not full.partial
    assert [f.path for f in gate.files] == ["k8s/pod.yaml"]
    assert all(n.path in (None, "k8s/pod.yaml") for n in gate.notices)
    assert len(gate.findings) == len([f for f in full.findings if f.path == "k8s/pod.yaml"])
