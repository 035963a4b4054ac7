"""``policyfiles._rego_files`` lists what ``sorted(path.rglob("*.rego"))``, filtered, listed before it.

It is rewritten on ``os.scandir`` for speed (a warm scan lists the built-in policies for the cache
key); the files a scan loads, and their order, must not change. The reference below is the
former implementation.
"""

from __future__ import annotations

import os
from pathlib import Path

from regoscan.engine.policyfiles import _rego_files
from regoscan.resources import policies_dir


def _reference(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    out = []
    for p in sorted(path.rglob("*.rego")):
        if any(part.startswith(".") for part in p.relative_to(path).parts):
            continue
        if p.name.endswith("_test.rego") or not p.is_file():
            continue
        out.append(p)
    return out


def test_the_listing_is_the_rglob_one(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    for rel in ("a.rego", "a_test.rego", "b.REGO", "notes.md", "a-b/x.rego", "a/b/y.rego", "a/z.rego",
                ".hidden/h.rego", "sub/.h.rego", "sub/deep/er/k.rego", "dir.rego/inside.rego", "Z.rego"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("package p\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.rego").write_text("package o\n")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)  # not entered
    (root / "linked.rego").symlink_to(outside / "o.rego")  # a link to a file counts
    (root / "broken.rego").symlink_to(tmp_path / "missing.rego")
    listed = _rego_files(root)
    assert listed == _reference(root)
    assert [p.relative_to(root).as_posix() for p in listed] == [
        "Z.rego", "a/b/y.rego", "a/z.rego", "a-b/x.rego", "a.rego", "dir.rego/inside.rego", "linked.rego",
        "sub/deep/er/k.rego"]  # by parts: "a" < "a-b" < "a.rego"
    assert _rego_files(root / "a.rego") == [root / "a.rego"]


def test_the_built_in_policies_are_listed_as_before() -> None:
    bundled = policies_dir()
    for sub in ("lib", "kubernetes", "dockerfile"):
        folder = bundled / sub
        if folder.is_dir():
            assert _rego_files(folder) == _reference(folder)
            assert _rego_files(folder), sub
    assert os.path.isdir(bundled)
