"""Hostile and broken input files, end to end through ``regoscan scan``.

Every byte of a pull request is untrusted. Whatever a file holds (bad syntax, an alias
bomb, 10,000 levels of nesting, megabytes, binary, a symlink out of the checkout, a name
with a newline in it), the scan must: name the file (and the line where there is one)
in a notice, go on with every other file, list the file as not scanned in the summary,
and never turn an input problem into exit code 2, which means "configuration error".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.inputs.load import MAX_BYTES
from tests.helpers import POD, write
from tests.shared import CORPUS, CORPUS_MISSING
from tests.test_output_markdown import cells

# A custom check that fires once per Pod with the Pod's name, so "still scanned" is exact.
SEEN_CHECK = """\
package user.test.SEEN

import rego.v1

__rego_metadata__ := {"id": "SEEN", "title": "Pod seen", "severity": "LOW"}

deny contains res if {
    input.kind == "Pod"
    res := {"msg": sprintf("pod %s", [input.metadata.name]), "startline": input.__defsec_metadata.startline}
}
"""




class Scan:
    """One in-process ``regoscan scan`` with every report written."""

    def __init__(self, cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 *args: str) -> None:
        monkeypatch.chdir(cwd)
        self.code = main(["scan", *args, "--sarif", "out.sarif", "--summary", "summary.md",
                          "--format", "json", "--fail-on", "never"])
        captured = capsys.readouterr()
        self.stdout, self.stderr = captured.out, captured.err
        self.json: dict[str, Any] = json.loads(self.stdout)
        self.summary = (cwd / "summary.md").read_text(encoding="utf-8")
        self.sarif = json.loads((cwd / "out.sarif").read_text(encoding="utf-8"))

    def notices(self, code: str | None = None) -> list[dict[str, Any]]:
        return [n for n in self.json["notices"] if code is None or n["code"] == code]

    def notice_for(self, path: str) -> dict[str, Any]:
        found = [n for n in self.json["notices"] if n["path"] == path]
        assert len(found) == 1, (path, self.json["notices"])
        return found[0]

    def seen(self) -> list[str]:
        return sorted(f["message"] for f in self.json["findings"] if f["check_id"] == "SEEN")

    def summary_rows(self, header: str) -> list[list[str]]:
        lines = self.summary.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(header))
        width = len(cells(lines[start]))
        rows = []
        for line in lines[start + 2:]:
            if not line.startswith("|"):
                break
            rows.append(cells(line))
        assert all(len(r) == width for r in rows), rows  # no hostile text broke a row
        return rows


def _alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_bad_files_are_named_with_their_line_and_the_scan_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    bad: dict[str, tuple[str | bytes, int | None, str]] = {
        # name: (content, expected line, words the message must contain)
        "malformed.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n  x: 1\n", 5, "flow sequence"),
        # JSON that the YAML fallback rejects too: the JSON error (and line) is the one reported
        "malformed.json": ('{\n  "kind": "Pod",\n  "spec": {"a": [1, 2,,]}\n}\n', 3, "expected a JSON value"),
        "bomb.yaml": (_alias_bomb(), None, "alias bomb"),
        "deep.yaml": ("k:\n" + "[" * 10_000 + "]" * 10_000 + "\n", 2, "nesting"),
        "deep.json": ('{"a":' * 10_000 + "1" + "}" * 10_000, 1, "nesting deeper"),
        "binary.yaml": (b"apiVersion: v1\nkind: Pod\n\x00\x01\x02\xff", 3, "binary"),
        "latin1.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: café\n".encode("latin-1"), 4, "UTF-8"),
        "recursive.yaml": ("a: &x\n  b: *x\n", 2, "recursive alias"),
        "tabs.yaml": ("a:\n\tb: 1\n", 2, "cannot start any token"),
    }
    for name, (content, _line, _words) in bad.items():
        write(tmp_path, f"configs/{name}", content)
    write(tmp_path, "configs/good-a.yaml", POD.format(name="a"))
    write(tmp_path, "configs/zz/good-z.yaml", POD.format(name="z"))
    write(tmp_path, "policy/seen.rego", SEEN_CHECK)

    started = time.monotonic()
    scan = Scan(tmp_path, capsys, monkeypatch, "configs", "--policy", "policy")
    assert time.monotonic() - started < 60  # the bomb and the nesting are refused, not built

    assert scan.code == 0, scan.stderr  # input problems are never "configuration error" (2)
    assert scan.seen() == ["pod a", "pod z"]  # files before and after the bad ones are complete
    for name, (_content, line, words) in bad.items():
        path = f"configs/{name}"
        notice = scan.notice_for(path)
        assert notice["level"] == "warning" and notice["code"] == "input-parse-error"
        assert words.lower() in notice["message"].lower(), notice
        if line is not None:
            assert notice["line"] == line, notice
        else:
            assert notice["line"] is None or notice["line"] >= 1
    # the JSON summary, the SARIF and the Markdown summary all list every file not scanned
    assert sorted(f["path"] for f in scan.json["files_not_scanned"]) == sorted(f"configs/{n}" for n in bad)
    assert scan.json["summary"]["files_not_scanned"] == len(bad)
    notified = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for n in scan.sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]}
    assert {f"configs/{n}" for n in bad} <= notified
    rows = scan.summary_rows("| Level | Code | Location | Message |")
    locations = {r[2] for r in rows}
    for name, (_content, line, _words) in bad.items():
        shown = f"configs/{name}"
        assert any(loc == f"{shown}:{line}" if line else loc.startswith(shown) for loc in locations), name
    assert f"{len(bad)} not scanned" in scan.summary
    assert scan.sarif["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_empty_and_comment_only_files_get_a_note_not_silence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/empty.yaml", "")
    write(tmp_path, "configs/empty.json", "")
    write(tmp_path, "configs/comments.yaml", "# all of it\n# commented out\n---\n# apiVersion: v1\n")
    write(tmp_path, "configs/Dockerfile", "# syntax=docker/dockerfile:1\n\n# nothing else\n")
    write(tmp_path, "configs/good.yaml", POD.format(name="good"))
    write(tmp_path, "policy/seen.rego", SEEN_CHECK)
    scan = Scan(tmp_path, capsys, monkeypatch, "configs", "--policy", "policy")
    assert scan.code == 0
    assert scan.seen() == ["pod good"]
    for name in ("empty.yaml", "empty.json", "comments.yaml", "Dockerfile"):
        notice = scan.notice_for(f"configs/{name}")
        assert notice["level"] == "note" and notice["code"] == "input-empty", notice
        assert "nothing to check" in notice["message"]
    assert "no instructions" in scan.notice_for("configs/Dockerfile")["message"]
    # nothing is an error: they were read, they just hold nothing
    assert scan.json["files_not_scanned"] == []
    assert len(scan.summary_rows("| Level | Code | Location | Message |")) == 4


def test_a_dockerfile_or_json_manifest_with_bytes_docker_or_kubectl_accept_is_scanned(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Docker builds a Dockerfile whatever its bytes and kubectl's JSON decoder reads bytes
    that are not UTF-8 in strings as U+FFFD: one such byte must not leave the file unscanned
    (it hid ``USER root`` and a privileged Deployment behind a warning, exit code 0). A
    YAML manifest stays refused: go-yaml refuses it too, so it cannot be applied."""
    write(tmp_path, "configs/Dockerfile", b"FROM alpine:3.19\n# caf\xe9 \xff\nLABEL a=b\x00c\nUSER root\n")
    write(tmp_path, "configs/Dockerfile.honest", "FROM alpine:3.19\n# cafe\nLABEL a=bc\nUSER root\n")
    manifest = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "caf\udcff", "labels": {
        "a": "b"}}, "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "securityContext": {
            "privileged": True}}]}}, indent=2, ensure_ascii=False).encode("utf-8", "surrogateescape")
    write(tmp_path, "configs/pod.json", manifest)
    write(tmp_path, "configs/latin1.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: café\n".encode("latin-1"))
    scan = Scan(tmp_path, capsys, monkeypatch, "configs")
    ids = {path: sorted({f["check_id"] for f in scan.json["findings"] if f["path"] == path})
           for path in ("configs/Dockerfile", "configs/Dockerfile.honest", "configs/pod.json")}
    assert "DS002" in ids["configs/Dockerfile"] and ids["configs/Dockerfile"] == ids["configs/Dockerfile.honest"]
    assert "KSV017" in ids["configs/pod.json"]
    docker = scan.notice_for("configs/Dockerfile")
    assert (docker["level"], docker["code"], docker["line"]) == ("warning", "input-encoding", 2)
    assert "NUL bytes and bytes that are not UTF-8" in docker["message"] and "Docker" in docker["message"]
    pod = scan.notice_for("configs/pod.json")
    assert pod["code"] == "input-encoding" and "kubectl" in pod["message"] and pod["line"] == 5
    assert scan.notice_for("configs/latin1.yaml")["code"] == "input-parse-error"
    assert [f["path"] for f in scan.json["files_not_scanned"]] == ["configs/latin1.yaml"]


def test_file_over_the_size_limit_and_one_just_under_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # over the limit: a sparse file, refused by its size without being read
    with (tmp_path / "huge.yaml").open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    # just under: hundreds of documents, each with a long value (cheap to parse, many documents)
    doc = "---\nkind: Blob\nname: d{i}\npayload: " + "x" * 20_000 + "\n"
    parts: list[str] = []
    size = 0
    while size + len(doc) + 10 < MAX_BYTES:
        parts.append(doc.format(i=len(parts)))
        size += len(parts[-1])
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "big.yaml").write_text("".join(parts), encoding="utf-8")
    assert MAX_BYTES - 30_000 < (tmp_path / "configs" / "big.yaml").stat().st_size <= MAX_BYTES
    (tmp_path / "configs" / "huge.yaml").symlink_to(tmp_path / "huge.yaml")
    write(tmp_path, "policy/blob.rego", """\
        # METADATA
        # title: Blob seen
        # custom:
        #   id: BLOB
        #   severity: LOW
        #   input:
        #     selector:
        #       - type: yaml
        package user.test.BLOB

        import rego.v1

        deny contains input.name if input.kind == "Blob"
        """)
    scan = Scan(tmp_path, capsys, monkeypatch, "configs", "--policy", "policy", "--no-builtin")
    assert scan.code == 0
    notice = scan.notice_for("configs/huge.yaml")
    assert f"over the {MAX_BYTES}-byte limit" in notice["message"]
    findings = [f for f in scan.json["findings"] if f["check_id"] == "BLOB"]
    assert len(findings) == len(parts) > 400  # every document of the big file, none lost
    last = max(findings, key=lambda f: f["start_line"])
    assert last["message"] == f"d{len(parts) - 1}"
    assert last["start_line"] == 4 * (len(parts) - 1) + 2  # the last document starts at its "kind:"
    assert last["end_line"] == last["start_line"] + 2
    assert [f["path"] for f in scan.json["files_not_scanned"]] == ["configs/huge.yaml"]


def test_dockerfiles_with_odd_continuations_heredocs_and_directives(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "configs/escape.Dockerfile", """\
        # syntax=docker/dockerfile:1
        # escape=`
        FROM alpine:3.19 AS base
        RUN apk add `
            curl `
        # a comment inside a continuation
            && echo "C:\\path\\not\\a\\continuation\\"
        USER root
        """)
    write(tmp_path, "configs/heredoc.Dockerfile", """\
        FROM alpine:3.19
        RUN <<EOT bash
          set -ex
          apk add curl
        EOT
        COPY <<-"EOF" /etc/motd
        \thello \\
        EOF
        RUN echo a \\

            b \\
        # comment
            c
        USER root
        HEALTHCHECK NONE
        """)
    write(tmp_path, "configs/trailing.Dockerfile", "FROM alpine:3.19\nUSER root\nRUN echo hi \\")
    write(tmp_path, "configs/unterminated.Dockerfile", "FROM alpine:3.19\nRUN <<EOT bash\n  echo never closed\n")
    write(tmp_path, "configs/badescape.Dockerfile", "# escape=x\nFROM alpine:3.19\nUSER root\n")
    scan = Scan(tmp_path, capsys, monkeypatch, "configs")
    assert scan.code == 0

    def lines(path: str, check_id: str) -> list[int]:
        return [f["start_line"] for f in scan.json["findings"] if f["path"] == path and f["check_id"] == check_id]

    # the last USER root is found on its own line in every file that parses
    assert lines("configs/escape.Dockerfile", "DS002") == [8]
    assert lines("configs/escape.Dockerfile", "DS025") == [4]  # apk add without --no-cache, continued with `
    assert lines("configs/heredoc.Dockerfile", "DS002") == [14]
    assert lines("configs/trailing.Dockerfile", "DS002") == [2]
    assert scan.notice_for("configs/unterminated.Dockerfile")["line"] == 2
    assert "heredoc" in scan.notice_for("configs/unterminated.Dockerfile")["message"]
    bad_escape = scan.notice_for("configs/badescape.Dockerfile")
    assert bad_escape["line"] == 1 and "escape" in bad_escape["message"]
    assert sorted(f["path"] for f in scan.json["files_not_scanned"]) == [
        "configs/badescape.Dockerfile", "configs/unterminated.Dockerfile"]


def test_symlinks_never_lead_out_of_the_checkout_and_loops_end(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.yaml", POD.format(name="outside-secret"))
    write(outside, "dir/inner.yaml", POD.format(name="outside-dir"))
    repo = tmp_path / "repo"
    write(repo, "configs/good.yaml", POD.format(name="good"))
    write(repo, "policy/seen.rego", SEEN_CHECK)
    (repo / "configs" / "escape.yaml").symlink_to(outside / "secret.yaml")
    (repo / "configs" / "relative-escape.yaml").symlink_to(Path("../../outside/secret.yaml"))
    (repo / "configs" / "dir-escape").symlink_to(outside / "dir")
    (repo / "configs" / "loop1.yaml").symlink_to("loop2.yaml")
    (repo / "configs" / "loop2.yaml").symlink_to("loop1.yaml")
    (repo / "configs" / "self").symlink_to(".")  # a folder loop
    (repo / "configs" / "up").symlink_to("..")  # back to the root: files reached twice count once
    (repo / "configs" / "inside.yaml").symlink_to("good.yaml")  # inside the root: the same file once

    scan = Scan(repo, capsys, monkeypatch, "configs", "--policy", "policy")
    assert scan.code == 0
    assert scan.seen() == ["pod good"]  # nothing from outside, the good file exactly once
    assert "outside" not in json.dumps(scan.json["findings"])
    for name in ("escape.yaml", "relative-escape.yaml", "dir-escape"):
        notice = scan.notice_for(f"configs/{name}")
        assert notice["code"] == "input-symlink-outside-root" and notice["level"] == "warning"
    for name in ("loop1.yaml", "loop2.yaml"):
        assert scan.notice_for(f"configs/{name}")["code"] == "input-broken-symlink"
    rows = scan.summary_rows("| Level | Code | Location | Message |")
    assert {r[2] for r in rows} >= {"configs/escape.yaml", "configs/loop1.yaml", "configs/dir\\-escape"}


def test_policy_and_data_symlinks_out_of_the_checkout_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A PR's ``data/x.json -> ~/.docker/config.json`` must not put a runner file into ``data``,
    where any policy can print it into a finding (and so into the PR comment)."""
    outside = tmp_path / "outside"
    write(outside, "docker-config.json", '{"auths": {"registry.example": {"auth": "c2VjcmV0OnBhc3N3b3Jk"}}}\n')
    write(outside, "other.rego", "package user.test.OUTSIDE\n\nimport rego.v1\n\ndeny contains \"outside\" if true\n")
    repo = tmp_path / "repo"
    write(repo, "configs/pod.yaml", POD.format(name="p"))
    write(repo, "policy/seen.rego", SEEN_CHECK)
    write(repo, "policy/leak.rego", """\
        package user.test.LEAK

        import rego.v1

        deny contains msg if msg := sprintf("leaked %v", [data.auths])
        """)
    write(repo, "data/ok.json", '{"allowed": ["x"]}\n')
    (repo / "data" / "stolen.json").symlink_to(outside / "docker-config.json")
    (repo / "data" / "inside.json").symlink_to("ok.json")  # a link inside the repository is fine
    (repo / "policy" / "outside.rego").symlink_to(outside / "other.rego")

    scan = Scan(repo, capsys, monkeypatch, "configs", "--policy", "policy", "--data", "data", "--no-builtin")
    assert scan.code == 2  # a policy or data file not loaded makes the run untrustworthy
    everything = scan.stdout + scan.stderr + scan.summary + json.dumps(scan.sarif)
    assert "c2VjcmV0" not in everything and "leaked" not in everything
    assert scan.seen() == ["pod p"]  # the healthy policy still ran
    data_notice = scan.notice_for("data/stolen.json")
    assert data_notice["code"] == "data-symlink-outside-root" and data_notice["level"] == "error"
    policy_notice = scan.notice_for("policy/outside.rego")
    assert policy_notice["code"] == "policy-symlink-outside-root"
    assert "outside" not in {f["check_id"] for f in scan.json["findings"]}
    # a path the user names outside the root is the user's choice, not a PR's symlink
    named = Scan(repo, capsys, monkeypatch, "configs", "--policy", str(outside / "other.rego"), "--no-builtin")
    assert named.code == 0
    assert [f["message"] for f in named.json["findings"]] == ["outside"]


NAMES = [
    "with space.yaml",
    "quote'\".yaml",
    "pi|pe.yaml",
    "st*ar.yaml",
    "new\nline.yaml",
    "tab\tand\rcr.yaml",
    "ünïcødé 名前.yaml",
    "-starts-with-dash.yaml",
    "#hash [brackets] (parens).yaml",
    "back\\slash.yaml",
    "::set-output name=x::y.yaml",
    "\x1b[31mred.yaml",
    "<img src=x onerror=alert(1)>.yaml",
    "@org team.yaml",
    "%0A%25.yaml",
]


def test_paths_with_spaces_quotes_pipes_stars_newlines_and_non_ascii(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "policy/seen.rego", SEEN_CHECK)
    for i, name in enumerate(NAMES):
        try:
            write(tmp_path, f"configs/{name}", POD.format(name=f"p{i}"))
        except OSError as exc:  # pragma: no cover - a file system that refuses the name
            pytest.skip(f"file system refuses {name!r}: {exc}")
    write(tmp_path, "configs/bad name |\n.yaml", "a: [1,\nb: 2\n")
    scan = Scan(tmp_path, capsys, monkeypatch, "configs", "--policy", "policy", "--no-builtin")
    assert scan.code == 0
    by_path = {f["path"]: f["message"] for f in scan.json["findings"]}
    assert by_path == {f"configs/{name}": f"pod p{i}" for i, name in enumerate(NAMES)}
    assert scan.notice_for("configs/bad name |\n.yaml")["line"] == 2
    # SARIF keeps each path as one artifact URI
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in scan.sarif["runs"][0]["results"]}
    assert len(uris) == len(NAMES)
    # the Markdown table has one intact row per finding and the bad file in the notices
    rows = scan.summary_rows("| Check | Severity | Location | Message | Resource |")
    assert len(rows) == len(NAMES)
    assert len(scan.summary_rows("| Level | Code | Location | Message |")) == 1
    assert "<img" not in scan.summary and "\x1b" not in scan.summary
    assert not re.search(r"@[^\u200b]", scan.summary)


def test_weird_names_in_text_output_cannot_forge_lines_or_commands(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "policy/seen.rego", SEEN_CHECK)
    for i, name in enumerate(NAMES):
        write(tmp_path, f"configs/{name}", POD.format(name=f"p{i}"))
    write(tmp_path, "configs/::error::forged\n::add-mask::x.yaml", "a: [1,\nb: 2\n")
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 0
    finding_lines = [line for line in out.splitlines() if "[LOW] SEEN" in line]
    assert len(finding_lines) == len(NAMES)  # one line per finding: no name split a line
    for line in (out + err).splitlines():
        assert not line.lstrip().startswith("::"), line  # the runner reads commands after leading blanks
        assert "\x1b" not in line and "\r" not in line


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=CORPUS_MISSING)
def test_hostile_folder_beside_the_real_corpus_leaves_every_good_finding_intact(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile"
    write(hostile, "malformed.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    write(hostile, "bomb.yaml", _alias_bomb())
    write(hostile, "deep.json", '{"a":' * 10_000 + "1" + "}" * 10_000)
    write(hostile, "binary.yaml", b"\x7fELF\x00\x00binary")
    write(hostile, "latin1.yaml", "name: café\n".encode("latin-1"))
    write(hostile, "empty.yaml", "")
    write(hostile, "Dockerfile", "FROM alpine:3.19\nRUN <<EOT\nnever closed\n")
    write(hostile, "pod with spaces |.yaml", POD.format(name="hostile-pod"))
    with (hostile / "huge.json").open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    (hostile / "loop.yaml").symlink_to("loop.yaml")
    (hostile / "escape.yaml").symlink_to("/etc/passwd")

    def run(*paths: Path, name: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "regoscan", "scan", *map(str, paths), "--format", "json", "--fail-on", "never",
             "--summary", str(tmp_path / f"{name}.md")],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
        )

    # both scans at once: the suite waits for the slower one only
    procs = {"alone": run(CORPUS, name="alone"), "mixed": run(CORPUS, hostile, name="mixed")}
    results: dict[str, dict[str, Any]] = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        results[name] = json.loads(out)

    def by_file(report: dict[str, Any], prefix: str) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for f in report["findings"]:
            if f["path"].startswith(prefix):
                out.setdefault(f["path"], []).append((f["check_id"], f["rule"], f["message"], f["start_line"],
                                                      f["end_line"], f["fingerprint"], f["suppressed"]))
        return {path: sorted(items) for path, items in out.items()}

    corpus_prefix = CORPUS.resolve().as_posix()
    alone, mixed = by_file(results["alone"], corpus_prefix), by_file(results["mixed"], corpus_prefix)
    assert alone, "the corpus produced no findings"
    assert mixed == alone
    alone_notices = [n for n in results["alone"]["notices"] if (n["path"] or "").startswith(corpus_prefix)]
    mixed_notices = [n for n in results["mixed"]["notices"] if (n["path"] or "").startswith(corpus_prefix)]
    assert mixed_notices == alone_notices
    # and every hostile file is accounted for: scanned, or named in a notice
    hostile_prefix = "hostile/"
    noticed = {n["path"] for n in results["mixed"]["notices"] if (n["path"] or "").startswith(hostile_prefix)}
    assert noticed == {f"hostile/{n}" for n in ("malformed.yaml", "bomb.yaml", "deep.json", "binary.yaml",
                                                "latin1.yaml", "empty.yaml", "Dockerfile", "huge.json",
                                                "loop.yaml", "escape.yaml")}
    assert any(f["path"] == "hostile/pod with spaces |.yaml" for f in results["mixed"]["findings"])
    assert not any(n["level"] == "error" for n in results["mixed"]["notices"])
    summary = (tmp_path / "mixed.md").read_text(encoding="utf-8")
    assert "hostile/bomb.yaml" in summary and "hostile/deep.json:1" in summary
