"""``FolderRules`` (discovery's per-folder shortcut) answers exactly what ``ForbiddenPaths.reason`` does.

Discovery asks, for each plain file of a folder, whether it may be read; the shortcut works out
the folder's part once. Any difference would be a credential file read, or a file lost, so every
combination of folder and name below is asked both ways.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from regoscan.inputs.discover import discover
from regoscan.inputs.forbidden import ForbiddenPaths

FOLDERS = [
    "", "app", ".docker", "x/.docker", ".DOCKER", ".aws", ".kube", ".config/gh", "a/.config/GH", ".config",
    "gh", ".gem", ".cargo", ".ssh", "deep/.ssh/keys", ".Ssh", ".git", ".git/modules/sub", "sub/.GIT/x",
    "home/.aws", "runner/.config/gh",
]
NAMES = [
    "a.yaml", "Dockerfile", "config.json", "credentials", "CREDENTIALS", "config", "hosts.yml", "credentials.toml",
    "id_rsa", ".npmrc", ".NETRC", "gha-creds-123.json", "GHA-CREDS-x.JSON", "gha-kubeconfig-abc", ".git",
    ".Git", "kubeconfig.yaml", "x.json",
]


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path, Path]:
    root, home, runner = tmp_path / "repo", tmp_path / "home", tmp_path / "runner"
    for base in (root, home, runner):
        base.mkdir()
    (root / "inner-home").mkdir()
    return root, home, runner


def _pairs(tree: tuple[Path, Path, Path]) -> list[tuple[Path, Path]]:
    root, home, runner = tree
    folders = [root / f for f in FOLDERS] + [home / f for f in FOLDERS[:6]] + [runner / f for f in FOLDERS[:4]]
    folders += [Path("/proc/self"), Path("/dev"), Path("/run/secrets/kubernetes.io"), root / "inner-home",
                root.parent, Path("/")]
    return [(f, f) for f in folders] + [(root / "link-to-home", home), (root / "app", home / ".ssh"),
                                        (home / "x", root / "app"), (root / "a", root / ".git/objects")]


@pytest.mark.parametrize("home_is", ["beside the root", "above the root", "inside the root", "named", "a file's path"])
def test_folder_rules_agree_with_reason(tree: tuple[Path, Path, Path], home_is: str) -> None:
    root, home, runner = tree
    home_dir = {"above the root": root.parent, "inside the root": root / "inner-home",
                "a file's path": root / "app" / "a.yaml"}.get(home_is, home)
    env = {"HOME": str(home_dir), "RUNNER_TEMP": str(runner / "temp")}
    bases = [home / ".aws"] if home_is == "named" else []
    paths = ForbiddenPaths(root, bases=bases, env=env)
    asked = 0
    for (folder, real), name in itertools.product(_pairs(tree), NAMES):
        rules = paths.in_folder(folder, real)
        assert rules.reason(name) == paths.reason(folder / name, real / name), (folder, real, name)
        asked += 1
    assert asked > 500


def test_folder_rules_see_hard_links_into_git(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / "app").mkdir()
    os.link(root / ".git" / "config", root / "app" / "config.yaml")
    (root / "app" / "fine.yaml").write_text("a: 1\n")
    paths = ForbiddenPaths(root, env={})
    rules = paths.in_folder(root / "app", root / "app")
    for name in ("config.yaml", "fine.yaml", "missing.yaml"):
        assert rules.reason(name) == paths.reason(root / "app" / name, root / "app" / name)
    assert rules.reason("config.yaml") is not None and rules.reason("fine.yaml") is None


def test_discovery_refuses_credential_files_by_their_folder(tmp_path: Path) -> None:
    """Through the walk itself: each plain file's verdict, with the notice naming it."""
    root = tmp_path / "repo"
    for rel in ("k8s/app.yaml", ".docker/config.json", ".config/gh/hosts.yml", "ops/.kube/config.yaml",
                "gha-creds-1.json", "keys/.ssh/known.yaml", "Dockerfile"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("a: 1\n")
    found = discover([root], root)
    assert [c.rel_path for c in found.candidates] == ["Dockerfile", "k8s/app.yaml", "ops/.kube/config.yaml"]
    refused = sorted(n.path for n in found.notices if n.code == "input-credential-file")
    assert refused == [".config/gh/hosts.yml", ".docker/config.json", "gha-creds-1.json", "keys/.ssh/known.yaml"]


@pytest.mark.parametrize("root_is", ["the folder", "a link to it", "/"])
def test_walker_rel_by_text_is_relative_to(tmp_path: Path, root_is: str) -> None:
    from regoscan.inputs.discover import _Walker

    real = tmp_path / "repo"
    (real / "a").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    root = {"the folder": real, "a link to it": tmp_path / "link", "/": Path("/")}[root_is]
    walker = _Walker(root, None, None, True, ForbiddenPaths(root, env={}))
    for path in (root, root / "a", root / "a/b.yaml", real / "a/c.yaml", real, tmp_path / "repo-other/x.yaml",
                 tmp_path, Path("/"), Path("/etc/x.yaml"), real / "caf\udce9.yaml", Path("//double/x.yaml"),
                 root / "a/../b.yaml"):
        assert walker.rel(path) == walker.rel_by_paths(path), path


def _matches_any_by_globs(patterns: list[str], rel_path: str) -> bool:
    """The former ``matches_any``: every pattern as a glob against every prefix of the path."""
    from regoscan.inputs.discover import glob_match

    parts = rel_path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
    return any(glob_match(pattern, prefix) for pattern in patterns for prefix in prefixes if prefix)


def test_patterns_without_wildcards_match_as_globs_do() -> None:
    from regoscan.inputs.discover import matches_any

    patterns = ["vendor", "./vendor", " vendor ", "vendor/", "a/b", "a//b", "", "./", ".", "bench/work/cache",
                "/abs/path", "x.yaml", "a\\\\b", "c]", "*.yaml", "a/*/c", "**/x", "[ab]/y", "?"]
    paths = ["vendor", "vendor/x.yaml", "vendorx/y", "a/b", "a/b/c", "a/bc", "a//b/c", "a/", "x.yaml", "d/x.yaml",
             "/abs/path/f.yaml", "/abs/pathx", "/work/shared/corpus/a.yaml", "bench/work/cache/v3/k.pack",
             "a\\\\b/z", "c]/d", "a/q/c", "b/y", "z", ".", "./vendor"]
    for pattern in patterns:
        for path in paths:
            assert matches_any([pattern], path) == _matches_any_by_globs([pattern], path), (pattern, path)
    assert matches_any(["nothing", "vendor"], "vendor/x") and not matches_any(["nothing", "*.json"], "a.yaml")
