"""File discovery: classification, walking, symlinks, globs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regoscan.errors import UsageError
from regoscan.inputs.discover import classify, discover, glob_match, matches_any
from regoscan.models import InputType, NoticeLevel


def touch(path: Path, text: str = "a: 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rel_paths(result: object) -> list[str]:
    return [c.rel_path for c in result.candidates]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", InputType.DOCKERFILE),
        ("dockerfile", InputType.DOCKERFILE),
        ("Containerfile", InputType.DOCKERFILE),
        ("Dockerfile.prod", InputType.DOCKERFILE),
        ("Dockerfile.template", InputType.DOCKERFILE),
        ("api.Dockerfile", InputType.DOCKERFILE),
        ("api.dockerfile", InputType.DOCKERFILE),
        ("Dockerfile.md", None),
        ("Dockerfile.txt", None),
        ("Dockerfile.rego", None),
        ("Dockerfile.dockerignore", None),
        ("Dockerfile.yaml", InputType.YAML),
        ("Dockerfile-dev", None),
        ("deploy.yaml", InputType.YAML),
        ("deploy.YML", InputType.YAML),
        ("pod.json", InputType.JSON),
        ("README.md", None),
        ("Makefile", None),
    ],
)
def test_classify(name: str, expected: InputType | None) -> None:
    assert classify(name) is expected


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "dir/a.yaml", False),
        ("**/*.yaml", "a.yaml", True),
        ("**/*.yaml", "x/y/a.yaml", True),
        ("k8s/**", "k8s/a/b.yaml", True),
        ("k8s/**/*.json", "k8s/pod.json", True),
        ("k8s/**/*.json", "k8s/a/b/pod.json", True),
        ("k8s/*/pod.json", "k8s/a/b/pod.json", False),
        ("**", "anything/at/all", True),
        ("**/test?/*", "a/test1/x", True),
        ("**/test?/*", "a/test12/x", False),
        ("[ab].yaml", "a.yaml", True),
        ("[!ab].yaml", "a.yaml", False),
        ("[!ab].yaml", "c.yaml", True),
        ("./charts/*", "charts/x", True),
        ("vendor", "vendor/a.yaml", False),
        ("a+b(c).yaml", "a+b(c).yaml", True),
        ("*.YAML", "a.yaml", False),
        ("[unclosed", "[unclosed", True),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_pattern_matching_a_folder_covers_its_content() -> None:
    assert matches_any(["vendor"], "vendor/a/b.yaml")
    assert matches_any(["**/testdata"], "pkg/testdata/x.yaml")
    assert not matches_any(["vendor"], "src/vendor.yaml")


def test_walk_is_sorted_classified_and_skips_tool_folders(tmp_path: Path) -> None:
    touch(tmp_path / "b.yaml")
    touch(tmp_path / "a" / "pod.json", "{}")
    touch(tmp_path / "a" / "Dockerfile", "FROM a\n")
    touch(tmp_path / "a" / "notes.md")
    touch(tmp_path / ".git" / "config.yaml")
    touch(tmp_path / "node_modules" / "x" / "y.yaml")
    touch(tmp_path / ".venv" / "z.yaml")
    touch(tmp_path / "src" / "__pycache__" / "c.yaml")
    touch(tmp_path / ".github" / "workflows" / "ci.yml")
    result = discover([tmp_path], tmp_path)
    assert rel_paths(result) == sorted(["a/Dockerfile", "a/pod.json", "b.yaml", ".github/workflows/ci.yml"])
    hints = {c.rel_path: c.input_type_hint for c in result.candidates}
    assert hints["a/Dockerfile"] is InputType.DOCKERFILE and hints["a/pod.json"] is InputType.JSON
    assert result.notices == []
    assert all(c.abs_path.is_absolute() for c in result.candidates)


def test_explicit_file_with_unknown_extension_is_kept_for_sniffing(tmp_path: Path) -> None:
    touch(tmp_path / "build" / "web.containerspec", "FROM a\n")
    result = discover([tmp_path / "build" / "web.containerspec"], tmp_path)
    (candidate,) = result.candidates
    assert candidate.rel_path == "build/web.containerspec"
    assert candidate.input_type_hint is None


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        discover([tmp_path / "nope.yaml"], tmp_path)


def test_relative_paths_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "k8s" / "a.yaml")
    monkeypatch.chdir(tmp_path / "k8s")
    result = discover(["a.yaml", "."], tmp_path)
    assert rel_paths(result) == ["k8s/a.yaml"]  # deduplicated


def test_paths_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    touch(tmp_path / "my apps" / "déploiement é.yaml")
    touch(tmp_path / "日本" / "Dockerfile", "FROM a\n")
    result = discover([tmp_path], tmp_path)
    assert rel_paths(result) == ["my apps/déploiement é.yaml", "日本/Dockerfile"]


def test_file_outside_root_gets_an_absolute_rel_path(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = touch(tmp_path / "elsewhere" / "x.yaml")
    result = discover([outside], root)
    assert rel_paths(result) == [outside.as_posix()]


def test_include_and_exclude(tmp_path: Path) -> None:
    for name in ("k8s/a.yaml", "k8s/test/b.yaml", "charts/c.yaml", "vendor/d.yaml", "Dockerfile"):
        touch(tmp_path / name)
    assert rel_paths(discover([tmp_path], tmp_path, include=["k8s/**"])) == ["k8s/a.yaml", "k8s/test/b.yaml"]
    assert rel_paths(discover([tmp_path], tmp_path, exclude=["vendor", "**/test/**"])) == [
        "Dockerfile", "charts/c.yaml", "k8s/a.yaml",
    ]  # fmt: skip
    assert rel_paths(discover([tmp_path], tmp_path, include=["**/*.yaml"], exclude=["charts"])) == [
        "k8s/a.yaml", "k8s/test/b.yaml", "vendor/d.yaml",
    ]  # fmt: skip


needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")


@needs_symlinks
def test_symlink_out_of_root_is_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    secret = touch(tmp_path / "secret" / "creds.yaml")
    touch(root / "ok.yaml")
    (root / "link.yaml").symlink_to(secret)
    (root / "linkdir").symlink_to(secret.parent, target_is_directory=True)
    result = discover([root], root)
    assert rel_paths(result) == ["ok.yaml"]
    codes = sorted(n.code for n in result.notices)
    assert codes == ["input-symlink-outside-root", "input-symlink-outside-root"]
    assert all(n.level is NoticeLevel.WARNING for n in result.notices)
    # Named explicitly, through a link, it is still refused (notice, not error).
    explicit = discover([root / "linkdir" / "creds.yaml"], root)
    assert explicit.candidates == [] and explicit.notices[0].code == "input-symlink-outside-root"


@needs_symlinks
def test_symlinks_inside_root_are_followed_once(tmp_path: Path) -> None:
    touch(tmp_path / "real" / "a.yaml")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "real" / "self").symlink_to(tmp_path / "real" / "self")
    (tmp_path / "real" / "b.yaml").symlink_to(tmp_path / "real" / "a.yaml")
    result = discover([tmp_path], tmp_path)
    assert rel_paths(result) == ["real/a.yaml"]  # the real path wins over "alias/a.yaml"
    assert [n.code for n in result.notices] == ["input-broken-symlink"]


@needs_symlinks
def test_broken_symlink_named_by_user(tmp_path: Path) -> None:
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    with pytest.raises(UsageError):
        discover([tmp_path / "dangling.yaml"], tmp_path)


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_folder_is_a_notice(tmp_path: Path) -> None:
    touch(tmp_path / "ok.yaml")
    locked = tmp_path / "locked"
    touch(locked / "x.yaml")
    locked.chmod(0)
    try:
        result = discover([tmp_path], tmp_path)
    finally:
        locked.chmod(0o755)
    assert rel_paths(result) == ["ok.yaml"]
    assert [n.code for n in result.notices] == ["input-unreadable-directory"]


def test_unreadable_folder_notice_via_scandir_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path / "ok.yaml")
    touch(tmp_path / "locked" / "x.yaml")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = discover([tmp_path], tmp_path)
    assert rel_paths(result) == ["ok.yaml"]
    (notice,) = result.notices
    assert (notice.code, notice.level, notice.path) == ("input-unreadable-directory", NoticeLevel.WARNING, "locked")


def test_changed_files_mode(tmp_path: Path) -> None:
    touch(tmp_path / "k8s" / "a.yaml")
    touch(tmp_path / "README.md", "# docs\n")
    touch(tmp_path / "Dockerfile", "FROM a\n")
    changed = ["k8s/a.yaml", "README.md", "Dockerfile", "deleted.yaml"]
    result = discover(
        [tmp_path / name for name in changed], tmp_path, exclude=["k8s"], sniff_unknown=False, missing_ok=True
    )
    assert rel_paths(result) == ["Dockerfile"]
    assert result.notices == []
