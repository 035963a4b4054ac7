"""The result cache cannot be planted, redirected or turned against the files around it.

Its keys can be computed by anyone who has the files, so an entry placed by a pull
request could replace a file's findings with none; a committed ``.regoscan-cache/v1``
symlink made pruning delete folders outside the workspace. Entries now carry an HMAC
made with a key created in the folder; a folder holding links, special files or files
tracked by git is refused with a warning (the scan runs without it); pruning never
follows a link.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from regoscan.cli import main
from regoscan.engine.cache import FORMAT, KEY_FILE, CacheRefused, ResultCache
from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.models import ScanReport
from tests.helpers import POD, write

CHECK = """\
package user.test.NAME

import rego.v1

__rego_metadata__ := {"id": "NAME", "severity": "HIGH"}

deny contains msg if {
    input.kind == "Pod"
    msg := sprintf("pod %s", [input.metadata.name])
}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("a", "b"):
        write(root, f"configs/{name}.yaml", POD.format(name=name))
    write(root, "policy/check.rego", CHECK)
    return root


def _scan(root: Path, cache: Path | None = None) -> ScanReport:
    return run_scan(ScanOptions(paths=[str(root / "configs")], root=root, policies=[str(root / "policy")],
                                builtin=False, cache_dir=cache or root / ".regoscan-cache", workers=1))


def _messages(report: ScanReport) -> list[str]:
    return sorted(f.message for f in report.findings)


def _codes(report: ScanReport) -> list[str]:
    return [n.code for n in report.notices]


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{FORMAT}/*/files/*.entry"))


def _forge_empty(entry: Path) -> Iterator[None]:
    """What an attacker can write without the key: the right place, no findings, a made-up MAC."""
    real_mac, _, real_body = entry.read_bytes().partition(b"\n")
    body = json.loads(real_body)
    body["findings"] = []
    text = json.dumps(body, separators=(",", ":")).encode()
    for mac in (b"0" * 64, hashlib.sha256(text).hexdigest().encode(), real_mac):
        entry.write_bytes(mac + b"\n" + text)
        yield


def test_a_planted_entry_without_the_key_is_ignored(project: Path) -> None:
    first = _scan(project)
    assert _messages(first) == ["pod a", "pod b"]
    cache = project / ".regoscan-cache"
    key = cache / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    (entry_a, entry_b) = _entries(cache)
    for _ in _forge_empty(entry_a):
        report = _scan(project)
        assert _messages(report) == ["pod a", "pod b"]
    # the slot is bound too: a genuine entry moved to another file's place is a miss
    entry_b.write_bytes(entry_a.read_bytes())
    assert _messages(_scan(project)) == ["pod a", "pod b"]


@pytest.mark.parametrize("key", ["00" * 32 + "\n", "not a key", ""])
def test_entries_made_with_another_key_are_misses(project: Path, key: str) -> None:
    """Replacing the key (or spoiling it) never lends trust to what was signed before."""
    _scan(project)
    cache = project / ".regoscan-cache"
    (cache / KEY_FILE).write_text(key, encoding="utf-8")
    report = _scan(project)
    assert _messages(report) == ["pod a", "pod b"] and report.notices == []
    assert len(bytes.fromhex((cache / KEY_FILE).read_text(encoding="utf-8").strip())) == 32


def _git(root: Path, *args: str) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(root.parent), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def test_a_cache_folder_committed_to_the_repository_is_refused(project: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    """The attack from the issue: entries with no findings, committed with their key."""
    _scan(project)
    for entry in _entries(project / ".regoscan-cache"):
        for _ in _forge_empty(entry):
            break
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "planted cache")
    report = _scan(project)
    assert _messages(report) == ["pod a", "pod b"]
    (refused,) = [n for n in report.notices if n.code == "cache-refused"]
    assert "tracked by git" in refused.message and refused.level.value == "warning"
    code = main(["scan", str(project / "configs"), "--policy", str(project / "policy"), "--no-builtin",
                 "--cache-dir", str(project / ".regoscan-cache"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and [f["message"] for f in out["findings"]] == ["pod a", "pod b"]
    assert "cache-refused" in [n["code"] for n in out["notices"]]


def _victims(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    for i in range(6):
        write(outside, f"d{i}/precious.txt", "keep me\n")
    return outside


def test_a_symlinked_format_folder_is_refused_and_nothing_outside_is_pruned(tmp_path: Path, project: Path) -> None:
    outside = _victims(tmp_path)
    cache = project / ".regoscan-cache"
    cache.mkdir()
    (cache / FORMAT).symlink_to(outside, target_is_directory=True)
    report = _scan(project)
    assert _messages(report) == ["pod a", "pod b"]
    assert "cache-refused" in _codes(report)
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]
    assert all((outside / f"d{i}/precious.txt").is_file() for i in range(6))


@pytest.mark.parametrize("where", ["cache", "parent"])
def test_a_symlinked_cache_folder_is_refused(tmp_path: Path, project: Path, where: str) -> None:
    outside = _victims(tmp_path)
    if where == "cache":
        (project / ".regoscan-cache").symlink_to(outside, target_is_directory=True)
        cache = project / ".regoscan-cache"
    else:
        (project / "build").symlink_to(outside, target_is_directory=True)
        cache = project / "build" / "cache"
    report = _scan(project, cache)
    assert "cache-refused" in _codes(report) and _messages(report) == ["pod a", "pod b"]
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]


def test_pruning_never_follows_a_link(tmp_path: Path, project: Path) -> None:
    """Even if a link appears after the folder was checked, pruning leaves its target alone."""
    outside = _victims(tmp_path)
    cache = ResultCache(project / ".regoscan-cache", project)
    root = project / ".regoscan-cache" / FORMAT
    root.mkdir(parents=True)
    for i in range(6):
        (root / f"link{i}").symlink_to(outside / f"d{i}", target_is_directory=True)
    for i in range(6):
        cache.store_policy(f"{i:064x}", [], [])
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]
    assert all((outside / f"d{i}/precious.txt").is_file() for i in range(6))
    real = sorted(p.name for p in root.iterdir() if not p.is_symlink())
    assert len(real) == 4  # the newest policy sets kept, the others pruned
    root.rename(project / "moved")
    root.symlink_to(outside, target_is_directory=True)  # the format folder itself swapped for a link
    cache.store_policy("f" * 64, [], [])
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]


@pytest.mark.parametrize("plant", ["symlink", "fifo"])
def test_links_and_special_files_inside_the_folder_are_refused(tmp_path: Path, project: Path, plant: str) -> None:
    _scan(project)
    (entry,) = _entries(project / ".regoscan-cache")[:1]
    entry.unlink()
    if plant == "symlink":
        entry.symlink_to(tmp_path / "elsewhere.json")
    else:
        os.mkfifo(entry)  # a read would block forever
    with pytest.raises(CacheRefused):
        ResultCache(project / ".regoscan-cache", project)
    report = _scan(project)
    assert "cache-refused" in _codes(report) and _messages(report) == ["pod a", "pod b"]


def _signed(cache: Path, entry: Path, body: bytes) -> bytes:
    """An entry holding ``body`` with a genuine MAC, made with the folder's own key (as only regoscan can)."""
    store = ResultCache(cache)
    return store._mac("file", entry.parent.parent.name, entry.name, body).encode() + b"\n" + body


_SPOILERS = {
    "empty": lambda cache, entry, raw: b"",
    "no separator": lambda cache, entry, raw: raw.replace(b"\n", b" ", 1),
    "MAC not ASCII": lambda cache, entry, raw: "é".encode() * 32 + raw[64:],
    "MAC in upper case": lambda cache, entry, raw: raw[:64].upper() + raw[64:],
    "body cut short": lambda cache, entry, raw: raw[:-10],
    "body edited": lambda cache, entry, raw: raw.replace(b'"findings":[{', b'"findings":[], "x":[{', 1),
    "v1 envelope": lambda cache, entry, raw: json.dumps({"mac": raw[:64].decode(), "body": raw[65:].decode()}
                                                        ).encode(),
    "signed, not JSON": lambda cache, entry, raw: _signed(cache, entry, b"{not json"),
    "signed, not an object": lambda cache, entry, raw: _signed(cache, entry, b"[]"),
    "signed, wrong file": lambda cache, entry, raw: _signed(cache, entry, raw[65:].replace(b'"path":"',
                                                                                            b'"path":"x', 1)),
}


@pytest.mark.parametrize("spoil", list(_SPOILERS), ids=list(_SPOILERS))
def test_a_malformed_or_altered_entry_is_a_miss(project: Path, spoil: str) -> None:
    """Each way an entry can be broken (on disk, or signed but not an entry for this file) makes that
    file a miss: it is parsed and evaluated again, with the same findings."""
    first = _scan(project)
    cache = project / ".regoscan-cache"
    for entry in _entries(cache):
        entry.write_bytes(_SPOILERS[spoil](cache, entry, entry.read_bytes()))
    report = _scan(project)
    assert _messages(report) == _messages(first) == ["pod a", "pod b"]
    assert report.notices == []


def test_a_signed_entry_is_what_a_hit_serves(project: Path) -> None:
    """The converse of the above: the cache serves what a genuinely signed entry says (so the
    misses above are the checks' doing, not a cache that never hits)."""
    _scan(project)
    cache = project / ".regoscan-cache"
    for entry in _entries(cache):
        body = entry.read_bytes()[65:].replace(b'"message":"pod ', b'"message":"cached pod ')
        entry.write_bytes(_signed(cache, entry, body))
    assert _messages(_scan(project)) == ["cached pod a", "cached pod b"]


def test_folders_of_older_formats_are_removed(project: Path, tmp_path: Path) -> None:
    """A cache restored from an older regoscan keeps its ``v1`` folder until the next store; nothing
    else in the cache folder is touched, and a link named like a format is refused, not followed."""
    cache = project / ".regoscan-cache"
    write(cache, "v1/0123/files/old.json", "{}")
    write(cache, "notes/keep.txt", "mine")
    (cache / "v3.txt").write_text("a file, not a format folder")
    _scan(project)
    assert not (cache / "v1").exists()
    assert (cache / "notes/keep.txt").read_text() == "mine" and (cache / "v3.txt").is_file()
    assert [p.parent.parent.parent.name for p in _entries(cache)] == [FORMAT, FORMAT]
    outside = _victims(tmp_path)
    (cache / "v0").symlink_to(outside, target_is_directory=True)
    assert "cache-refused" in _codes(_scan(project))
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]
