"""tools/ci/e2e-base.sh: which base the container test builds on, or one clear skip line.

Every branch is run for real against a PATH made for the test: the real shell tools,
a fake ``id`` (root or not) and, where a case needs one, a fake ``docker`` whose daemon,
local images and pulls the case sets. No case can reach apt-get, dockerd or debootstrap,
so nothing is installed. The last test runs the script as ``make test`` does, on this
machine's real docker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import decided_base, read_record, recorded_skip

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "tools" / "ci" / "e2e-base.sh"
STAND_IN = "regoscan-base:bookworm"
HOW = "to run them: sudo sh tools/ci/setup-docker.sh, then make test"
# What the script and the fake docker call; nothing that installs or starts anything.
TOOLS = ("sh", "dirname", "mkdir", "mv", "sed", "head", "tail", "tr", "cut", "cat", "timeout")

FAKE_DOCKER = """#!/bin/sh
echo "$*" >>"$FAKE_LOG"
case "$1" in
  info) [ "$FAKE_INFO" = ok ] || { echo "Cannot connect to the Docker daemon" >&2; exit 1; } ;;
  image) for i in $FAKE_IMAGES; do [ "$i" = "$3" ] && exit 0; done; exit 1 ;;
  pull) if [ "$FAKE_PULL" = ok ]; then echo "$3"; else
          echo 'Error response from daemon: Get "https://registry-1.docker.io/v2/": no such host' >&2; exit 1; fi ;;
esac
"""


def default_base() -> str:
    for line in (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("ARG BASE="):
            return line.removeprefix("ARG BASE=").strip().strip("\"'")
    raise AssertionError("the Dockerfile has no ARG BASE=")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    record: tuple[str, str] | None
    docker_calls: list[str]


def run_script(tmp_path: Path, *, root: bool, docker: bool = True, info: str = "ok", images: str = "",
               pull: str = "fail", record: str | None = None, env: dict[str, str] | None = None) -> Run:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run {SCRIPT.name}"
        (bin_dir / tool).symlink_to(found)
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {0 if root else 1000}\n", encoding="utf-8")
    (bin_dir / "id").chmod(0o755)
    if docker:
        (bin_dir / "docker").write_text(FAKE_DOCKER, encoding="utf-8")
        (bin_dir / "docker").chmod(0o755)
    record_path = tmp_path / "record" / "e2e-base"
    if record is not None:
        record_path.parent.mkdir()
        record_path.write_text(record + "\n", encoding="utf-8")
    log = tmp_path / "docker.log"
    log.write_text("", encoding="utf-8")
    proc = subprocess.run(
        [str(bin_dir / "sh"), str(SCRIPT)],
        env={"PATH": str(bin_dir), "REGOSCAN_E2E_RECORD": str(record_path), "FAKE_LOG": str(log),
             "FAKE_INFO": info, "FAKE_IMAGES": images, "FAKE_PULL": pull, **(env or {})},
        capture_output=True, text=True, timeout=60, check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, read_record(record_path),
               log.read_text(encoding="utf-8").splitlines())


def assert_one_skip_line(run: Run, why: str) -> None:
    assert run.code == 0, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("e2e: container tests SKIPPED: "), lines[0]
    assert why in lines[0] and lines[0].endswith(HOW), lines[0]
    assert run.record is not None and run.record[0] == "skip"
    assert why in run.record[1] and HOW in run.record[1]


@pytest.mark.parametrize(("root", "why"), [
    (False, "docker is not installed and setting it up needs root"),
    (True, "docker is not installed and this machine has no apt-get to install it"),
])
def test_no_docker_skips_with_one_line(tmp_path: Path, root: bool, why: str) -> None:
    assert_one_skip_line(run_script(tmp_path, root=root, docker=False), why)


def test_unreachable_daemon_without_root_skips(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, info="fail")
    assert_one_skip_line(run, "the docker daemon is not reachable and setting it up needs root")
    assert run.docker_calls == ["info"]


def test_default_base_present_is_used(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, images=f"{default_base()} {STAND_IN}")
    assert run.code == 0, run.stderr
    assert run.record == ("base", default_base())
    assert not any(c.startswith("pull") for c in run.docker_calls)


def test_default_base_pulled_when_reachable(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, pull="ok")
    assert run.code == 0, run.stderr
    assert run.record == ("base", default_base())
    assert f"pull -q {default_base()}" in run.docker_calls


def test_stand_in_when_registry_unreachable(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, images=STAND_IN)
    assert run.code == 0, run.stderr
    assert run.record == ("base", STAND_IN)
    assert f"container tests build on {STAND_IN}" in run.stderr
    assert "cannot be pulled" in run.stderr and "no such host" in run.stderr


def test_no_registry_no_stand_in_no_root_skips(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False)
    assert_one_skip_line(run, f"building the stand-in {STAND_IN} needs root")
    assert "cannot be pulled" in run.stderr


def test_no_registry_no_stand_in_no_debootstrap_skips(tmp_path: Path) -> None:
    assert_one_skip_line(run_script(tmp_path, root=True), "needs debootstrap (no apt-get to install it)")


def test_recorded_stand_in_reused_without_asking_a_registry(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, images=STAND_IN, record=f"base={STAND_IN}")
    assert run.code == 0, run.stderr
    assert run.record == ("base", STAND_IN)
    assert not any(c.startswith("pull") for c in run.docker_calls)


def test_recorded_base_gone_is_decided_again(tmp_path: Path) -> None:
    run = run_script(tmp_path, root=False, record=f"base={STAND_IN}")
    assert_one_skip_line(run, "needs root")


def test_caller_decides(tmp_path: Path) -> None:
    run = run_script(tmp_path / "a", root=False, docker=False, env={"REGOSCAN_E2E_BASE": "my/base:1"})
    assert (run.code, run.record) == (0, ("base", "my/base:1"))
    run = run_script(tmp_path / "b", root=False, images=STAND_IN, env={"REGOSCAN_E2E": "skip"})
    assert run.code == 0 and run.record is not None and run.record[0] == "skip"
    assert run.stderr.splitlines() == [
        "e2e: container tests SKIPPED: REGOSCAN_E2E=skip; unset REGOSCAN_E2E to run them"]
    assert run.docker_calls == []


def test_record_parsing(tmp_path: Path) -> None:
    f = tmp_path / "r"
    assert read_record(f) is None
    for text, expected in [("base=a:b\n", ("base", "a:b")), ("skip=why; how\n", ("skip", "why; how")),
                           ("garbage\n", None), ("base=\n", None), ("other=x\n", None)]:
        f.write_text(text, encoding="utf-8")
        assert read_record(f) == expected, text


def test_container_test_follows_the_record(tmp_path: Path) -> None:
    record = tmp_path / "e2e-base"
    assert decided_base(record, {}) is None  # a bare pytest run: test_container.py decides
    record.write_text(f"base={STAND_IN}\n", encoding="utf-8")
    assert decided_base(record, {}) == STAND_IN
    assert decided_base(record, {"REGOSCAN_E2E_BASE": "my/base:1"}) == "my/base:1"
    record.write_text("skip=docker is not installed; how\n", encoding="utf-8")
    with pytest.raises(pytest.skip.Exception, match="docker is not installed; how"):
        decided_base(record, {})
    assert recorded_skip(record, {}) == "container tests skipped by tools/ci/e2e-base.sh: docker is not installed; how"
    assert recorded_skip(record, {"REGOSCAN_E2E_BASE": "my/base:1"}) is None


@pytest.mark.slow
def test_this_machine(tmp_path: Path) -> None:
    """The script as ``make test`` runs it: a base that exists here, or one skip line saying why."""
    record = tmp_path / "e2e-base"
    env = {k: v for k, v in os.environ.items() if k not in ("REGOSCAN_E2E", "REGOSCAN_E2E_BASE")}
    proc = subprocess.run(["sh", str(SCRIPT)], env={**env, "REGOSCAN_E2E_RECORD": str(record)},
                          capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stderr
    decided = read_record(record)
    assert decided is not None, proc.stderr
    key, value = decided
    if key == "skip":
        assert_one_skip_line(Run(proc.returncode, proc.stdout, proc.stderr, decided, []), "")
        assert not (os.geteuid() == 0 and shutil.which("apt-get")), "root with apt-get provisions, never skips"
        return
    assert value in (default_base(), STAND_IN)
    assert subprocess.run(["docker", "image", "inspect", value], capture_output=True, check=False).returncode == 0
    assert proc.stderr.splitlines()[-1].startswith(f"e2e: container tests build on {value} ")
