"""The action's image, built and run exactly as GitHub's runner runs a container action.

What the runner does (actions/runner ``ContainerActionHandler``, research notes §6.3):
build the action's ``Dockerfile``; run it as root with the workspace mounted at
``/github/workspace`` and set as the working directory; mount ``/github/home``,
``/github/workflow`` (``event.json``) and ``/github/file_commands`` (``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY``); pass every input as ``-e INPUT_<NAME>`` with the hyphens kept
(``INPUT_FAIL-ON``), the value coming from the docker client's environment. The
checkout belongs to the runner's user (uid 1001), not to root, which is what makes
git's ``safe.directory`` matter inside the container.

The repository is a real pull request (base and head commits, GitHub's merge commit
checked out with ``fetch-depth: 1``); its origin is mounted read-only at the same path
so the container can deepen the shallow clone. The fake GitHub API listens on
127.0.0.1 and the container shares the host's network to reach it.

The base image is the one ``make test`` chose and recorded (``tools/ci/e2e-base.sh``,
fixture ``e2e_base`` in ``conftest.py``): the Dockerfile's default when it can be pulled,
else the stand-in ``regoscan-base:bookworm``; skipped with the script's reason when this
machine has no docker or cannot build the stand-in. ``REGOSCAN_E2E_BASE`` overrides it;
a bare ``pytest`` run uses the stand-in when it exists, else the Dockerfile's default.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from regoscan.output.markdown import MARKER
from tests.action_step import parse_outputs
from tests.e2e.conftest import RECORD, recorded_skip
from tests.e2e.fake_github import FakeGitHub
from tests.e2e.scenario import PullRequest, pull_request, pull_request_target

pytestmark = pytest.mark.slow
if reason := recorded_skip(RECORD, os.environ):
    pytest.skip(reason, allow_module_level=True)  # one summary line for every test here

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGE = "regoscan-action:e2e"
STAND_IN_BASE = "regoscan-base:bookworm"
RUNNER_UID = 1001
TOKEN = "ghs_3Zq8Lr5Xw2Nt7Vb4Mk9Pd6Hs1Jf0Gc8Ya5Eu"  # random-looking, as real tokens are: a token made of words
# ("E2eContainerToken") matches ordinary policy text, and regoscan rightly withholds that text
BUILD_TIMEOUT = 900


def _docker_problem() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed (`make test` sets it up where it can: tools/ci/e2e-base.sh)"
    try:
        proc = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return "the docker daemon does not answer (`docker info` timed out)"
    if proc.returncode != 0:
        return f"the docker daemon is not reachable: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}"
    return None


def _image_exists(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="module")
def image(e2e_base: str | None) -> Iterator[str]:
    problem = _docker_problem()
    if problem:
        pytest.skip(problem)
    base = e2e_base or (STAND_IN_BASE if _image_exists(STAND_IN_BASE) else None)
    # the image id, not the tag: another checkout on this machine may build the same tag meanwhile
    iidfile = Path(tempfile.mkdtemp(prefix="regoscan-e2e-")) / "iid"
    cmd = ["docker", "build", "--network", "host", "-t", IMAGE, "--iidfile", str(iidfile)]
    if base:
        cmd += ["--build-arg", f"BASE={base}"]
    started = time.monotonic()
    proc = subprocess.run([*cmd, str(REPO_ROOT)], capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    assert proc.returncode == 0, f"docker build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    print(f"\nregoscan e2e: built {IMAGE} on {base or 'the default base'} in {time.monotonic() - started:.1f}s")
    image_id = iidfile.read_text(encoding="utf-8").strip()
    shutil.rmtree(iidfile.parent, ignore_errors=True)
    yield image_id


@dataclass
class Runner:
    """One job's runner folders on the host, as ``_work``/``_temp`` would hold them."""

    root: Path
    workspace: Path
    origin: Path
    event: dict[str, Any]

    @property
    def workflow(self) -> Path:
        return self.root / "_temp" / "_github_workflow"

    @property
    def file_commands(self) -> Path:
        return self.root / "_temp" / "_runner_file_commands"

    @property
    def home(self) -> Path:
        return self.root / "_temp" / "_github_home"


def _chown_tree(path: Path, uid: int) -> None:
    for p in [path, *path.rglob("*")]:
        os.lchown(p, uid, uid)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    if os.geteuid() != 0:
        pytest.skip("the runner-ownership setup needs root (chown to another user)")
    return _runner(tmp_path, pull_request(tmp_path / "repo", depth=1))


def _runner(tmp_path: Path, pr: PullRequest) -> Runner:
    root = tmp_path / "runner"
    r = Runner(root, pr.workspace, pr.origin, pr.event())
    for folder in (r.workflow, r.file_commands, r.home):
        folder.mkdir(parents=True)
    (r.workflow / "event.json").write_text(json.dumps(r.event), encoding="utf-8")
    # the runner's user owns the checkout and its temp folders; the container runs as root
    for folder in (pr.workspace, pr.origin, root):
        _chown_tree(folder, RUNNER_UID)
    return r


@dataclass
class StepResult:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def _action_defaults() -> dict[str, str]:
    spec = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    return {name: str(v.get("default", "")) for name, v in spec["inputs"].items()}


def run_step(image: str, r: Runner, api_url: str, inputs: dict[str, str],
             extra_env: dict[str, str] | None = None) -> StepResult:
    """``docker run`` with the runner's mounts, working directory and ``-e NAME`` variables."""
    step = uuid.uuid4()
    output = r.file_commands / f"set_output_{step}"
    summary = r.file_commands / f"step_summary_{step}"
    for f in (output, summary):
        f.write_text("", encoding="utf-8")
        os.chown(f, RUNNER_UID, RUNNER_UID)
    values = {**_action_defaults(), "github-token": TOKEN, **inputs}  # the runner sets every input
    env = {
        "HOME": "/github/home",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_OUTPUT": f"/github/file_commands/{output.name}",
        "GITHUB_STEP_SUMMARY": f"/github/file_commands/{summary.name}",
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_REF": "refs/pull/7/merge",
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_API_URL": api_url,
        "GITHUB_RUN_ID": "777",
        **{"INPUT_" + name.replace(" ", "_").upper(): value for name, value in values.items()},
        **(extra_env or {}),
    }
    assert "INPUT_FAIL-ON" in env and "INPUT_GITHUB-TOKEN" in env  # hyphens kept, as the runner does
    cmd = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace",
           "-v", f"{r.workspace}:/github/workspace",
           "-v", f"{r.home}:/github/home",
           "-v", f"{r.workflow}:/github/workflow",
           "-v", f"{r.file_commands}:/github/file_commands",
           "-v", f"{r.origin}:{r.origin}:ro"]  # the checkout's "origin" remote, for deepening
    for name in env:
        cmd += ["-e", name]  # name only: the value comes from the docker client's environment
    cmd.append(image)
    assert TOKEN not in " ".join(cmd)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env})
    return StepResult(proc.returncode, proc.stdout, proc.stderr,
                      parse_outputs(output.read_text(encoding="utf-8")), summary.read_text(encoding="utf-8"))


def _results(sarif: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in sarif["runs"][0]["results"]}


def test_image_sets_safe_directory_and_has_no_user_or_workdir(image: str) -> None:
    proc = subprocess.run(["docker", "run", "--rm", "--network", "host", "--entrypoint", "git", image,
                           "config", "--system", "--get-all", "safe.directory"],
                          capture_output=True, text=True, check=False)
    assert proc.stdout.split() == ["*"], proc.stderr
    config = json.loads(subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True,
                                       check=True).stdout)[0]["Config"]
    assert config["User"] in ("", "root")
    assert config["WorkingDir"] in ("", "/")
    assert config["Entrypoint"] == ["/opt/regoscan/bin/regoscan", "action"]


def test_pull_request_in_the_container(image: str, runner: Runner) -> None:
    with FakeGitHub(TOKEN) as fake:
        # `${{ github.workspace }}/policy` reaches a container action as /github/workspace/policy
        first = run_step(image, runner, fake.url, {
            "policy": "/github/workspace/policy", "fail-on": "high", "sarif-full-file": "reports/full.sarif"})
        assert first.code == 1, f"{first.stdout}\n{first.stderr}"

        # outputs
        assert first.outputs["decision"] == "fail" and first.outputs["exit-code"] == "1"
        assert first.outputs["scan"] == "changed", first.stdout  # git worked on a checkout owned by uid 1001
        assert first.outputs["scanned-files"] == "4"
        assert first.outputs["suppressed"] == "1"
        assert first.outputs["sarif-file"] == "regoscan.sarif"
        assert int(first.outputs["findings"]) > 0

        # SARIF, written into the workspace for the upload step, owned by the runner's user
        sarif_path = runner.workspace / "regoscan.sarif"
        assert sarif_path.stat().st_uid == RUNNER_UID
        sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
        assert sarif["version"] == "2.1.0"
        # one category for pushes and pull requests: a full analysis of the checkout
        assert sarif["runs"][0]["automationDetails"]["id"] == "regoscan/"
        results = _results(sarif)
        assert {("ORG001", "k8s/web.yaml"), ("DS002", "app/Dockerfile")} <= results
        assert ("KSV012", "k8s/legacy.yaml") not in results
        assert {uri for _, uri in results} >= {"k8s/main-only.yaml"}
        assert "main\\-only" not in first.summary  # the gate: changed files only
        full = json.loads((runner.workspace / "reports" / "full.sarif").read_text(encoding="utf-8"))
        assert full["runs"][0]["automationDetails"]["id"] == "regoscan/full/"
        # everything the step created belongs to the runner's user
        made = runner.workspace / "reports"
        assert {p.lstat().st_uid for p in [made, *made.rglob("*")]} == {RUNNER_UID}
        waived = [r for r in full["runs"][0]["results"] if r.get("suppressions")]
        assert [r["ruleId"] for r in waived] == ["KSV012"]

        # job summary
        assert first.summary.startswith(MARKER)
        assert "Changed files only" in first.summary and "ORG001" in first.summary
        assert "4 of 5 changed files scanned; 1 deleted file not scanned" in first.summary

        # the comment the API received
        (post,) = [r for r in fake.requests if r.method == "POST"]
        assert post.path == "/repos/octo/demo/issues/7/comments"
        assert post.headers["authorization"] == f"Bearer {TOKEN}"
        (comment,) = fake.issue_comments(7)
        assert comment["body"].startswith(MARKER) and "ORG001" in comment["body"]
        assert first.outputs["comment-url"] == comment["html_url"]

        # annotations and the log
        assert "::error file=k8s/web.yaml,line=" in first.stdout
        assert [line for line in first.stdout.splitlines() if TOKEN in line] == [f"::add-mask::{TOKEN}"]
        for text in (first.stderr, first.summary, json.dumps(first.outputs), sarif_path.read_text(encoding="utf-8"),
                     comment["body"]):
            assert TOKEN not in text

        # the next push to the pull request: the same comment, edited
        second = run_step(image, runner, fake.url, {"policy": "policy", "fail-on": "high"})
        assert second.code == 1
        assert [r.method for r in fake.writes()] == ["POST", "PATCH"]
        assert len(fake.issue_comments(7)) == 1


def test_fork_pull_request_in_the_container(image: str, runner: Runner) -> None:
    with FakeGitHub(TOKEN, read_only=True) as fake:
        step = run_step(image, runner, fake.url, {"policy": "policy", "fail-on": "never"})
    assert step.code == 0, f"{step.stdout}\n{step.stderr}"
    assert step.outputs["decision"] == "pass"
    assert fake.issue_comments(7) == []
    assert "No PR comment" in step.summary and "403" in step.summary


def test_ownership_is_what_safe_directory_fixes(image: str, runner: Runner) -> None:
    """Control experiment: ignore the image's system gitconfig and git refuses the
    checkout owned by uid 1001; the step still scans (everything) and says why."""
    with FakeGitHub(TOKEN) as fake:
        step = run_step(image, runner, fake.url, {"policy": "policy", "fail-on": "never", "comment": "false"},
                        extra_env={"GIT_CONFIG_NOSYSTEM": "1"})
    assert step.code == 0, f"{step.stdout}\n{step.stderr}"
    assert step.outputs["scan"] == "all"
    assert "dubious ownership" in step.stdout and "dubious ownership" in step.summary


# --- issue 10: an untrusted pull request in the container ---------------------------------

LEAK_CHECK = """package user.leak

import rego.v1

__rego_metadata__ := {"id": "LEAK", "title": "leak", "severity": "LOW"}

# Whatever it is given: an extraheader (basic auth) or an npm token, spaced out.
deny contains msg if {
\twalk(input, [_, value])
\tis_string(value)
\tcontains(value, "basic ")
\tparts := split(value, "basic ")
\tmsg := concat(" ", split(base64.decode(trim_space(parts[count(parts) - 1])), ""))
}

deny contains msg if {
\twalk(input, [_, value])
\tis_string(value)
\tcontains(value, "_authToken=")
\tmsg := base64.encode(upper(split(value, "_authToken=")[1]))
}
"""

WAIVE_ORG = """package namespace.exceptions

import rego.v1

exception contains "user.kubernetes.ORG001" if input.metadata.name == "web"
"""


def _spellings(secret: str) -> list[str]:
    import base64

    b64 = base64.b64encode(secret.encode()).decode()
    return [secret, " ".join(secret), b64, secret[::-1], base64.b64encode(secret.upper().encode()).decode(),
            base64.b64encode(f"x-access-token:{secret}".encode()).decode(), secret.encode().hex()]


@pytest.fixture
def hostile_runner(tmp_path: Path) -> Runner:
    """A pull request that adds ``Dockerfile.ci -> .git/config``, ``npm.yaml -> /github/home/.npmrc``,
    a check that decodes and spaces out what it finds, and an exception waiving ORG001 on its
    own Deployment; the checkout persisted the job's token as actions/checkout does, and
    setup-node left an ``.npmrc`` with it in the runner's home."""
    import base64

    if os.geteuid() != 0:
        pytest.skip("the runner-ownership setup needs root (chown to another user)")
    pr = pull_request(tmp_path / "repo", depth=1,
                      extra_pr_files={"policy/leak.rego": LEAK_CHECK, "policy/waive-org.rego": WAIVE_ORG},
                      extra_pr_links={"Dockerfile.ci": ".git/config", "npm.yaml": "/github/home/.npmrc"})
    header = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    subprocess.run(["git", "-C", str(pr.workspace), "config", "http.https://github.com/.extraheader",
                    f"AUTHORIZATION: basic {header}"], check=True, capture_output=True)
    root = tmp_path / "runner"
    r = Runner(root, pr.workspace, pr.origin, pr.event())
    for folder in (r.workflow, r.file_commands, r.home):
        folder.mkdir(parents=True)
    (r.home / ".npmrc").write_text(f"//npm.pkg.github.com/:_authToken={TOKEN}\n", encoding="utf-8")
    (r.workflow / "event.json").write_text(json.dumps(r.event), encoding="utf-8")
    for folder in (pr.workspace, pr.origin, root):
        _chown_tree(folder, RUNNER_UID)
    return r


def test_an_untrusted_pull_request_leaks_nothing_and_waives_nothing_quietly(image: str,
                                                                            hostile_runner: Runner) -> None:
    r = hostile_runner
    with FakeGitHub(TOKEN) as fake:
        step = run_step(image, r, fake.url, {"policy": "policy", "fail-on": "high",
                                             "sarif-full-file": "reports/full.sarif"})
        (comment,) = fake.issue_comments(7)
        trusted = run_step(image, r, fake.url, {"policy": "policy", "fail-on": "high",
                                                "sarif-full-file": "reports/full.sarif", "trusted-policy-ref": "base"})
        (comment_after,) = fake.issue_comments(7)
    full = (r.workspace / "reports" / "full.sarif").read_text(encoding="utf-8")

    # refused, named, and everything else scanned
    assert step.code in (0, 1), f"{step.stdout}\n{step.stderr}"
    notes = {(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
             for n in json.loads(full)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
             if n.get("locations")}
    assert {("input-credential-file", "Dockerfile.ci"), ("input-credential-file", "npm.yaml")} <= notes
    assert "LEAK" not in {res["ruleId"] for res in json.loads(full)["runs"][0]["results"]}
    assert int(step.outputs["scanned-files"]) >= 4

    # nothing leaks, in any spelling, anywhere
    log = "\n".join(line for line in step.stdout.splitlines() if line != f"::add-mask::{TOKEN}")
    log_trusted = "\n".join(line for line in trusted.stdout.splitlines() if line != f"::add-mask::{TOKEN}")
    for text in (log, step.stderr, step.summary, json.dumps(step.outputs), full, comment["body"],
                 log_trusted, trusted.stderr, trusted.summary, comment_after["body"]):
        for form in _spellings(TOKEN):
            assert form not in text, form

    # the pull request's own exception: first in the summary and the comment, waiving ORG001 on web
    for text in (step.summary, comment["body"]):
        top = text.index("### Exceptions and policies changed by this change")
        assert top < text.index("| Severity |")
        assert "policy/waive\\-org.rego:5" in text[top:text.index("| Severity |")]
        assert "ORG001 k8s/web.yaml" in text[top:text.index("| Severity |")]
    # with trusted-policy-ref: base the exception (and the leak check) are not loaded
    assert trusted.code == 1 and trusted.outputs["decision"] == "fail"
    assert "Policies from" in trusted.summary and "not applied" in trusted.summary
    assert "Policies from" in comment_after["body"]
    org = [res for res in json.loads((r.workspace / "reports" / "full.sarif").read_text(encoding="utf-8"))
           ["runs"][0]["results"] if res["ruleId"] == "ORG001"
           and res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/web.yaml"]
    assert org and not any(res.get("suppressions") for res in org)


PRIVILEGED = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-pod\nspec:\n  containers:\n"
              "    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n")


def test_pull_request_target_in_the_container(image: str, tmp_path: Path) -> None:
    """The base branch checked out (owned by the runner's user, depth 1); the head commit is
    fetched and read from git objects inside the image, never written into the workspace."""
    if os.geteuid() != 0:
        pytest.skip("the runner-ownership setup needs root (chown to another user)")
    pr = pull_request_target(tmp_path / "repo", extra_pr_files={"k8s/root-pod.yaml": PRIVILEGED})
    r = _runner(tmp_path, pr)
    with FakeGitHub(TOKEN) as fake:
        step = run_step(image, r, fake.url, {"policy": "policy", "fail-on": "high"},
                        extra_env={"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REF": "refs/heads/main",
                                   "GITHUB_SHA": pr.base_sha})
    assert step.code == 1, f"{step.stdout}\n{step.stderr}"
    assert step.outputs["scan"] == "changed" and step.outputs["scanned-files"] == "5"
    assert "::error file=k8s/root-pod.yaml" in step.stdout
    assert (step.outputs["sarif-ref"], step.outputs["sarif-sha"]) == ("refs/pull/7/head", pr.head_sha)
    sarif = json.loads((r.workspace / "regoscan.sarif").read_text(encoding="utf-8"))
    assert ("KSV017", "k8s/root-pod.yaml") in _results(sarif)
    assert not (r.workspace / "k8s" / "root-pod.yaml").exists()
    assert (r.workspace / "regoscan.sarif").stat().st_uid == RUNNER_UID
