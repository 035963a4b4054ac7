"""The action's image: everything pinned, and the release that points action.yml at a digest.

The image itself is built and run in tests/e2e/test_container.py (on the stand-in base
here; on the real base in the release workflow). These tests check what a build cannot
show: that the pins are pins, that the hash lock matches pyproject.toml, and that the
release rewrite of action.yml does what docs/ACTION.md says.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "tools" / "image" / "requirements.txt"
LOCK_IN = REPO / "tools" / "image" / "requirements.in"
PIN = REPO / "tools" / "release" / "pin_action_image.py"
DIGEST = "sha256:" + "ab" * 32

sys.path.insert(0, str(PIN.parent))
from pin_action_image import PinError, pin  # noqa: E402


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the pip-compile output."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9._-]+)==(\S+)\s*(.*)$", line)
        assert m, f"not a pinned requirement: {line!r}"
        entries[m.group(1).lower().replace("_", "-")] = (m.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})",
                                                                                m.group(3)))
    return entries


def test_the_lock_pins_every_package_with_hashes() -> None:
    locked = _locked()
    assert len(locked) >= 10
    for name, (_version, hashes) in locked.items():
        assert hashes, f"{name} has no --hash"


def test_the_lock_satisfies_pyproject_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(d) for d in project["dependencies"]]
    locked = _locked()
    for req in wanted:
        name = req.name.lower().replace("_", "-")
        assert name in locked, f"{req.name} is a dependency but not in {LOCK.relative_to(REPO)}"
        assert req.specifier.contains(locked[name][0], prereleases=True), \
            f"{name}=={locked[name][0]} in the lock does not satisfy pyproject.toml's {req}"
    # the lock's input names the same runtime specifiers as pyproject.toml
    lines = [line.split("#")[0].strip() for line in LOCK_IN.read_text(encoding="utf-8").splitlines()]
    declared = {Requirement(line).name.lower(): str(Requirement(line).specifier) for line in lines if line}
    for req in wanted:
        assert declared.get(req.name.lower()) == str(req.specifier), f"{LOCK_IN.name}: {req} differs"
    assert "hatchling" in declared and "hatchling" in locked  # the build backend, installed offline


def test_the_dockerfile_pins_base_packages_and_hashes() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG BASE=(\S+)$", dockerfile, re.MULTILINE)
    assert base and re.fullmatch(r"python:3\.12-slim-bookworm@sha256:[0-9a-f]{64}", base.group(1))
    args = dict(re.findall(r"^ARG (\w+_VERSION)=(\S+)$", dockerfile, re.MULTILINE))
    assert set(args) == {"GIT_VERSION", "LIBATOMIC_VERSION"} and all(re.search(r"\d", v) for v in args.values())
    install = re.search(r"apt-get install ([^\n&]+)", dockerfile)
    assert install is not None
    packages = [p.strip('"') for p in install.group(1).split() if not p.startswith("-") and p != "\\"]
    assert packages == ["libatomic1=${LIBATOMIC_VERSION}", "git=${GIT_VERSION}"]
    assert "pip install --require-hashes --only-binary=:all: --no-deps -r /tmp/regoscan-src/requirements.txt" \
        in dockerfile
    assert "--no-build-isolation --no-deps --no-index" in dockerfile
    assert "!tools/image/requirements.txt" in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()


def test_main_builds_the_dockerfile() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_a_release_points_action_yml_at_the_digest() -> None:
    original = (REPO / "action.yml").read_text(encoding="utf-8")
    pinned = pin(original, f"ghcr.io/octo/regoscan@{DIGEST}")
    assert yaml.safe_load(pinned)["runs"]["image"] == f"docker://ghcr.io/octo/regoscan@{DIGEST}"
    assert yaml.safe_load(pinned)["inputs"] == yaml.safe_load(original)["inputs"]
    changed = [(a, b) for a, b in zip(original.splitlines(), pinned.splitlines(), strict=True) if a != b]
    assert changed == [("  image: Dockerfile", f"  image: docker://ghcr.io/octo/regoscan@{DIGEST}")]
    assert pin(original, f"docker://ghcr.io/octo/regoscan@{DIGEST}") == pinned


@pytest.mark.parametrize("reference", [
    "ghcr.io/octo/regoscan:1.0.0",             # a tag can move
    "ghcr.io/octo/regoscan@sha256:abc",        # not a digest
    "ghcr.io/Octo/regoscan@" + DIGEST,         # ghcr.io wants lower case
    "regoscan@" + DIGEST,                      # no registry/owner
])
def test_only_digest_references_are_accepted(reference: str) -> None:
    with pytest.raises(PinError, match="digest-pinned"):
        pin((REPO / "action.yml").read_text(encoding="utf-8"), reference)


def test_pinning_twice_is_refused(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_text((REPO / "action.yml").read_text(encoding="utf-8"), encoding="utf-8")
    ok = subprocess.run([sys.executable, str(PIN), str(action), f"ghcr.io/octo/regoscan@{DIGEST}"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "pinned" in ok.stdout
    again = subprocess.run([sys.executable, str(PIN), str(action), f"ghcr.io/octo/regoscan@{DIGEST}"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 2 and "exactly one 'image: Dockerfile' line" in again.stderr


def test_the_release_workflow_gates_on_the_real_base() -> None:
    text = (REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    steps = workflow["jobs"]["release"]["steps"]
    runs = [s.get("run", "") for s in steps]
    order = [next(i for i, r in enumerate(runs) if needle in r)
             for needle in ("make test", "build/e2e-base", "docker push", "pin_action_image.py", "gh release")]
    assert order == sorted(order), "test, check the base, publish, pin, release: in that order"
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["release"]["permissions"] == {"contents": "write", "packages": "write"}
