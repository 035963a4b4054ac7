"""The result cache cannot be planted, redirected or turned against the files around it.

Its keys can be computed by anyone who has the files, so an entry placed by a pull
request could replace a file's findings with none; a committed ``.regoscan-cache/v1``
symlink made pruning delete folders outside the workspace. Entries now carry an HMAC
made with a key created in the folder; a folder holding links, special files or files
tracked by git is refused with a warning (the scan runs without it); pruning never
follows a link. Entries live in one pack per policy set, each record checked on its own:
a record that is tampered with, planted or cut short is a miss for its file alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.engine.cache import (
    FORMAT,
    KEY_FILE,
    PACK_MAGIC,
    POLICY_NAME,
    CacheRefused,
    ResultCache,
    parse_pack,
    record_name,
)
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


def _pack(cache: Path) -> Path:
    (pack,) = cache.glob(f"{FORMAT}/*.pack")
    return pack


Record = tuple[bytes, str, bytes]
"""A pack record as on disk: its MAC (hex), its name, its body."""


def _records(cache: Path) -> list[Record]:
    raw = _pack(cache).read_bytes()
    return [(mac, name, raw[start:end]) for name, (mac, start, end) in parse_pack(raw).items()]


def _file_records(cache: Path) -> list[Record]:
    return [r for r in _records(cache) if r[1] != POLICY_NAME]


def _framed(mac: bytes, name: str, body: bytes) -> bytes:
    return mac + b" " + name.encode() + b" %d\n" % len(body) + body + b"\n"


def _write_records(cache: Path, records: list[Record]) -> None:
    _pack(cache).write_bytes(PACK_MAGIC + b"".join(_framed(*r) for r in records))


def _replace_file_records(cache: Path, change: Callable[[Record], bytes]) -> None:
    """Each file record replaced by the bytes ``change`` makes of it (framing included); the policy record kept."""
    raw = PACK_MAGIC
    for record in _records(cache):
        raw += _framed(*record) if record[1] == POLICY_NAME else change(record)
    _pack(cache).write_bytes(raw)


def _forge_empty(cache: Path, name: str) -> Iterator[None]:
    """What an attacker can write without the key: the right place, no findings, a made-up MAC."""
    records = _records(cache)
    (real_mac, _, real_body), = [r for r in records if r[1] == name]
    body = json.loads(real_body)
    body["findings"] = []
    text = json.dumps(body, separators=(",", ":")).encode()
    for mac in (b"0" * 64, hashlib.sha256(text).hexdigest().encode(), real_mac):
        _write_records(cache, [(mac, name, text) if r[1] == name else r for r in records])
        yield


def test_a_planted_entry_without_the_key_is_ignored(project: Path) -> None:
    first = _scan(project)
    assert _messages(first) == ["pod a", "pod b"]
    cache = project / ".regoscan-cache"
    key = cache / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    name_a, name_b = record_name("configs/a.yaml"), record_name("configs/b.yaml")
    assert sorted(r[1] for r in _file_records(cache)) == sorted([name_a, name_b])
    for _ in _forge_empty(cache, name_a):
        report = _scan(project)
        assert _messages(report) == ["pod a", "pod b"]
    # the slot is bound too: a genuine record under another file's name is a miss
    records = _records(cache)
    (mac_a, _, body_a), = [r for r in records if r[1] == name_a]
    _write_records(cache, [(mac_a, name_b, body_a) if r[1] == name_b else r for r in records])
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
    for _ in _forge_empty(project / ".regoscan-cache", record_name("configs/a.yaml")):
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
        (root / f"{i + 10:064x}.pack").symlink_to(outside / f"d{i}" / "precious.txt")
        (root / f"link{i}").symlink_to(outside / f"d{i}", target_is_directory=True)
    for i in range(6):
        cache.store_policy(f"{i:064x}", [], [])
        cache.save(f"{i:064x}")
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]
    assert all((outside / f"d{i}/precious.txt").read_text() == "keep me\n" for i in range(6))
    real = sorted(p.name for p in root.iterdir() if not p.is_symlink())
    assert len(real) == 4 and all(name.endswith(".pack") for name in real)  # the newest policy sets kept
    root.rename(project / "moved")
    root.symlink_to(outside, target_is_directory=True)  # the format folder itself swapped for a link
    cache.store_policy("f" * 64, [], [])
    cache.save("f" * 64)
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]


@pytest.mark.parametrize("plant", ["symlink", "fifo"])
def test_links_and_special_files_inside_the_folder_are_refused(tmp_path: Path, project: Path, plant: str) -> None:
    _scan(project)
    pack = _pack(project / ".regoscan-cache")
    (tmp_path / "elsewhere.pack").write_bytes(pack.read_bytes())
    pack.unlink()
    if plant == "symlink":
        pack.symlink_to(tmp_path / "elsewhere.pack")  # a genuine pack, reached through a link
    else:
        os.mkfifo(pack)  # a read would block forever
    with pytest.raises(CacheRefused):
        ResultCache(project / ".regoscan-cache", project)
    report = _scan(project)
    assert "cache-refused" in _codes(report) and _messages(report) == ["pod a", "pod b"]


def test_a_pack_swapped_for_a_link_after_the_check_is_not_read(tmp_path: Path, project: Path) -> None:
    """The folder is checked when the cache opens; the pack is read later, never through a link."""
    _scan(project)
    cache_dir = project / ".regoscan-cache"
    pack = _pack(cache_dir)
    elsewhere = tmp_path / "elsewhere.pack"
    pack.rename(elsewhere)
    cache = ResultCache(cache_dir, project)
    key = pack.name.removesuffix(".pack")
    pack.symlink_to(elsewhere)
    assert cache.load_policy(key) is None
    assert cache.load_file(key, "configs/a.yaml", "0" * 64, {}) is None and cache.hits == 0


def _signed(cache: Path, name: str, body: bytes) -> bytes:
    """A record holding ``body`` with a genuine MAC, made with the folder's own key (as only regoscan can)."""
    store = ResultCache(cache)
    return _framed(store._mac("file", _pack(cache).name.removesuffix(".pack"), name, body), name, body)


def _uppercase(record: Record) -> bytes:
    return _framed(record[0].upper(), record[1], record[2])


_SPOILERS: dict[str, Callable[[Path, Record], bytes]] = {
    "left out": lambda cache, r: b"",
    "made-up MAC": lambda cache, r: _framed(b"0" * 64, r[1], r[2]),
    "MAC of the body alone": lambda cache, r: _framed(hashlib.sha256(r[2]).hexdigest().encode(), r[1], r[2]),
    "MAC in upper case": lambda cache, r: _uppercase(r),
    "MAC not ASCII": lambda cache, r: "é".encode() * 32 + _framed(*r)[64:],
    "no header": lambda cache, r: r[2] + b"\n",
    "length too short": lambda cache, r: _framed(*r).replace(b" %d\n" % len(r[2]), b" %d\n" % (len(r[2]) - 9), 1),
    "length too long": lambda cache, r: _framed(*r).replace(b" %d\n" % len(r[2]), b" %d\n" % (len(r[2]) + 9), 1),
    "body edited": lambda cache, r: _framed(r[0], r[1], r[2].replace(b',"findings":[[', b',"findings":[],"x":[[', 1)),
    "v2 entry": lambda cache, r: r[0] + b"\n" + r[2],
    "signed, not JSON": lambda cache, r: _signed(cache, r[1], b"{not json"),
    "signed, not an object": lambda cache, r: _signed(cache, r[1], b"[]"),
    "signed, a finding not an array": lambda cache, r: _signed(cache, r[1], r[2].replace(b'"findings":[[',
                                                                                        b'"findings":[7,[', 1)),
    "signed, wrong file": lambda cache, r: _signed(cache, r[1], r[2].replace(b'"path":"', b'"path":"x', 1)),
    "signed, other bytes": lambda cache, r: _signed(cache, r[1], r[2].replace(b'"sha256":"', b'"sha256":"0', 1)),
}


@pytest.mark.parametrize("spoil", list(_SPOILERS), ids=list(_SPOILERS))
def test_a_malformed_or_altered_record_is_a_miss(project: Path, spoil: str) -> None:
    """Each way a file's record can be broken (on disk, or signed but not a record for this file)
    makes that file a miss: it is parsed and evaluated again, with the same findings, and the pack
    written again holds good records for both files."""
    first = _scan(project)
    cache = project / ".regoscan-cache"
    _replace_file_records(cache, lambda r: _SPOILERS[spoil](cache, r))
    report = _scan(project)
    assert _messages(report) == _messages(first) == ["pod a", "pod b"]
    assert report.notices == []
    assert sorted(r[1] for r in _file_records(cache)) == sorted(record_name(f"configs/{n}.yaml") for n in "ab")
    store = ResultCache(cache, project)
    key = _pack(cache).name.removesuffix(".pack")
    checks = {(c.id, c.package): c for c in store.load_policy(key)[0]}  # type: ignore[index]
    for f in report.files:
        assert store.load_file(key, f.path, f.sha256 or "", checks) is not None, f.path


def test_one_tampered_record_costs_only_its_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack is not trusted or refused as a whole: the other file is still served."""
    _scan(project)
    cache = project / ".regoscan-cache"
    name_b = record_name("configs/b.yaml")
    records = _records(cache)
    _write_records(cache, [(m, n, b.replace(b'"pod b"', b'"pod z"')) if n == name_b else (m, n, b)
                           for m, n, b in records])
    parsed = _count_parses(monkeypatch)
    assert _messages(_scan(project)) == ["pod a", "pod b"]
    assert parsed == ["configs/b.yaml"]


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import regoscan.engine.collect as collect_module

    parsed: list[str] = []
    real = collect_module.load_file

    def load_file(abs_path: Path, rel_path: str, *args: Any) -> Any:
        parsed.append(rel_path)
        return real(abs_path, rel_path, *args)

    monkeypatch.setattr(collect_module, "load_file", load_file)
    return parsed


@pytest.mark.parametrize("cut", ["in the last body", "in the last header", "after the first record"])
def test_a_pack_cut_short_keeps_the_records_before_the_cut(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                           cut: str) -> None:
    _scan(project)
    cache = project / ".regoscan-cache"
    records = _records(cache)
    whole = PACK_MAGIC + b"".join(_framed(*r) for r in records)
    last = _framed(*records[-1])
    size = {"in the last body": len(whole) - 20, "in the last header": len(whole) - len(last) + 30,
            "after the first record": len(PACK_MAGIC) + len(_framed(*records[0]))}[cut]
    _pack(cache).write_bytes(whole[:size])
    served_before_cut = [r for r in records[:-1] if r[1] != POLICY_NAME] if cut != "after the first record" else []
    parsed = _count_parses(monkeypatch)
    assert _messages(_scan(project)) == ["pod a", "pod b"]
    assert len(parsed) == 2 - len(served_before_cut)
    assert _pack(cache).read_bytes().count(b"\n") == 1 + 2 * len(records)  # written whole again


@pytest.mark.parametrize("plant", ["pack without the key", "not a pack", "empty", "v2 entry"])
def test_a_planted_pack_is_all_misses_and_replaced(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                   plant: str) -> None:
    """A whole pack written without the key: nothing in it is served, and the next pack holds only
    records made with the key."""
    _scan(project)
    cache = project / ".regoscan-cache"
    records = _records(cache)
    forged = [(hashlib.sha256(b).hexdigest().encode(), n, b.replace(b'"pod ', b'"fine ')) for _, n, b in records]
    raw = {"pack without the key": PACK_MAGIC + b"".join(_framed(*r) for r in forged),
           "not a pack": b"".join(_framed(*r) for r in records),
           "empty": b"",
           "v2 entry": records[1][0] + b"\n" + records[1][2]}[plant]
    _pack(cache).write_bytes(raw)
    parsed = _count_parses(monkeypatch)
    assert _messages(_scan(project)) == ["pod a", "pod b"]
    assert sorted(parsed) == ["configs/a.yaml", "configs/b.yaml"]
    assert sorted(_records(cache)) == sorted(records)  # the same genuine records again (same key, same bodies)


def test_a_signed_record_is_what_a_hit_serves(project: Path) -> None:
    """The converse of the above: the cache serves what a genuinely signed record says (so the
    misses above are the checks' doing, not a cache that never hits)."""
    _scan(project)
    cache = project / ".regoscan-cache"
    _replace_file_records(cache, lambda r: _signed(cache, r[1], r[2].replace(b'"pod ', b'"cached pod ')))
    assert _messages(_scan(project)) == ["cached pod a", "cached pod b"]


def test_a_changed_file_replaces_its_record_and_a_removed_file_loses_its_own(project: Path) -> None:
    _scan(project)
    cache = project / ".regoscan-cache"
    before = {n: b for _, n, b in _records(cache)}
    write(project, "configs/c.yaml", POD.format(name="c"))
    _scan(project)
    write(project, "configs/a.yaml", POD.format(name="a2"))
    (project / "configs/b.yaml").unlink()
    write(project, "configs/d.yaml", POD.format(name="d"))  # something to evaluate: the pack is written
    report = _scan(project)
    assert _messages(report) == ["pod a2", "pod c", "pod d"]
    after = {n: json.loads(b) for _, n, b in _records(cache) if n != POLICY_NAME}
    assert sorted(after) == sorted(record_name(f"configs/{n}.yaml") for n in "acd")
    record_a = after[record_name("configs/a.yaml")]
    assert record_a["sha256"] == hashlib.sha256((project / "configs/a.yaml").read_bytes()).hexdigest()
    assert json.loads(before[record_name("configs/a.yaml")])["sha256"] != record_a["sha256"]
    assert [f[3] for f in record_a["findings"]] == ["pod a2"]


def test_records_of_files_outside_a_narrower_scan_are_kept(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan of one file (changed-files mode, say) keeps the other files' records: they still exist."""
    _scan(project)
    cache = project / ".regoscan-cache"
    write(project, "configs/a.yaml", POD.format(name="a2"))
    run_scan(ScanOptions(paths=[str(project / "configs/a.yaml")], root=project, policies=[str(project / "policy")],
                         builtin=False, cache_dir=cache, workers=1))
    assert sorted(r[1] for r in _file_records(cache)) == sorted(record_name(f"configs/{n}.yaml") for n in "ab")
    parsed = _count_parses(monkeypatch)
    assert _messages(_scan(project)) == ["pod a2", "pod b"] and parsed == []


def test_a_scan_served_wholly_from_the_pack_writes_nothing(project: Path) -> None:
    _scan(project)
    cache = project / ".regoscan-cache"
    st = _pack(cache).stat()
    listing = sorted(p.name for p in (cache / FORMAT).iterdir())
    _scan(project)
    after = _pack(cache).stat()
    assert (after.st_ino, after.st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert sorted(p.name for p in (cache / FORMAT).iterdir()) == listing


def test_a_pack_is_bounded_fresh_records_first(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import regoscan.engine.cache as cache_module

    _scan(project)
    cache = project / ".regoscan-cache"
    whole = _pack(cache).stat().st_size
    monkeypatch.setattr(cache_module, "MAX_PACK_BYTES", whole + 20)  # the pack is read, a larger one not written
    longer = "b" * 40
    write(project, "configs/b.yaml", POD.format(name=longer))
    assert _messages(_scan(project)) == ["pod a", f"pod {longer}"]
    assert _pack(cache).stat().st_size <= whole + 20
    assert [r[1] for r in _file_records(cache)] == [record_name("configs/b.yaml")]  # the fresh one kept
    parsed = _count_parses(monkeypatch)
    assert _messages(_scan(project)) == ["pod a", f"pod {longer}"]
    assert parsed == ["configs/a.yaml"]  # the record left out is evaluated again


def test_stale_temporary_packs_are_removed(project: Path) -> None:
    """A scan killed while writing leaves a ``.tmp-`` file: removed once it is old, never while it may
    be another scan's pack in the making."""
    import regoscan.engine.cache as cache_module

    _scan(project)
    root = project / ".regoscan-cache" / FORMAT
    old, recent = root / ".tmp-old", root / ".tmp-recent"
    old.write_bytes(b"half a pack")
    recent.write_bytes(b"half a pack")
    stale = old.stat().st_mtime - cache_module.STALE_TEMP_SECONDS - 60
    os.utime(old, (stale, stale))
    write(project, "configs/b.yaml", POD.format(name="b2"))
    _scan(project)
    assert not old.exists() and recent.exists()


def _store_and_read(cache_dir: str, worker: int, rounds: int) -> list[str]:
    """One of several processes sharing a cache folder: each stores its own records and saves, and
    reads the pack between saves. Returns what went wrong (nothing, if no read saw a torn pack)."""
    from regoscan.models import InputFile, InputType

    problems = []
    key = "c" * 64
    for i in range(rounds):
        cache = ResultCache(Path(cache_dir))
        cache.load_policy(key)
        cache.store_policy(key, [], [])
        for j in range(20):
            f = InputFile(f"w{worker}/f{j}.yaml", InputType.YAML, [], sha256=f"{i:064x}")
            cache.store_file(key, f, [], [])
        cache.save(key)
        raw = (Path(cache_dir) / FORMAT / f"{key}.pack").read_bytes()
        index = parse_pack(raw)
        end = max((e for _, _, e in index.values()), default=len(PACK_MAGIC) - 1)
        if end + 1 != len(raw):
            problems.append(f"worker {worker} round {i}: pack not framed to its end ({end + 1} of {len(raw)})")
        reader = ResultCache(Path(cache_dir))
        if reader.load_policy(key) is None:
            problems.append(f"worker {worker} round {i}: the policy record did not verify")
        for name, (mac, start, stop) in index.items():
            kind = "policy" if name == POLICY_NAME else "file"
            if reader._mac(kind, key, name, raw[start:stop]) != mac:
                problems.append(f"worker {worker} round {i}: record {name} did not verify")
    return problems


def test_concurrent_writers_never_leave_a_torn_pack(tmp_path: Path) -> None:
    """Scans sharing a folder each write a temporary file and rename it: the last one wins, and every
    pack any of them reads is whole, each record made with the one key (created once, race or not)."""
    import concurrent.futures
    import multiprocessing

    cache_dir = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=4, mp_context=context) as pool:
        results = list(pool.map(_store_and_read, [str(cache_dir)] * 4, range(4), [15] * 4))
    assert [p for problems in results for p in problems] == []
    assert [p.name for p in (cache_dir / FORMAT).iterdir()] == ["c" * 64 + ".pack"]  # no temporary file left
    names = {r[1] for r in _records(cache_dir)}
    assert POLICY_NAME in names and len(names) >= 21  # the last writer's records, at least


def _key_at_once(base: str, worker: int, rounds: int, barrier: Any) -> None:
    """One of several processes that each open the same fresh cache folders at the same moment;
    writes the keys it got to ``out-<worker>``."""
    from regoscan.engine.cache import _load_key

    keys = []
    for i in range(rounds):
        barrier.wait(30)  # (a worker that failed breaks the barrier for the others: no hang)
        keys.append(_load_key(Path(base) / f"c{i}").hex())
    (Path(base) / f"out-{worker}").write_text("\n".join(keys), encoding="ascii")


def test_scans_creating_the_key_at_once_all_use_the_one_on_disk(tmp_path: Path) -> None:
    """The key is written to a temporary file and linked into place: a scan that loses the race reads
    the winner's key, never a half-written one (which it would refuse, or replace)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    rounds = 25
    procs = [context.Process(target=_key_at_once, args=(str(tmp_path), n, rounds, barrier)) for n in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    results = [(tmp_path / f"out-{n}").read_text(encoding="ascii").split("\n") for n in range(4)]
    for i in range(rounds):
        folder = tmp_path / f"c{i}"
        on_disk = (folder / KEY_FILE).read_text(encoding="ascii").strip()
        assert {keys[i] for keys in results} == {on_disk}, i
        assert stat.S_IMODE((folder / KEY_FILE).stat().st_mode) == 0o600
        assert [p.name for p in folder.iterdir()] == [KEY_FILE]  # no temporary file left


def test_concurrent_scans_share_a_cache_folder(project: Path) -> None:
    """Two scans at once on the same folder, then a third: served wholly from the cache, same report."""
    args = ["scan", str(project / "configs"), "--policy", str(project / "policy"), "--no-builtin",
            "--cache-dir", str(project / ".regoscan-cache"), "--format", "json", "--fail-on", "never"]
    command = [sys.executable, "-m", "regoscan", *args]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=project) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outputs]
    assert outputs[0][0] == outputs[1][0]
    third = subprocess.run(command, capture_output=True, cwd=project, timeout=120, check=True)
    assert third.stdout == outputs[0][0]
    assert {r[1] for r in _file_records(project / ".regoscan-cache")} == {record_name(f"configs/{n}.yaml")
                                                                          for n in "ab"}


def test_folders_of_older_formats_are_removed(project: Path, tmp_path: Path) -> None:
    """A cache restored from an older regoscan keeps its ``v1``/``v2`` folders until the next store; nothing
    else in the cache folder is touched, and a link named like a format is refused, not followed."""
    cache = project / ".regoscan-cache"
    write(cache, "v1/0123/files/old.json", "{}")
    write(cache, "v2/0123/files/old.entry", "0" * 64 + "\n{}")
    write(cache, "notes/keep.txt", "mine")
    (cache / "v9.txt").write_text("a file, not a format folder")
    _scan(project)
    assert not (cache / "v1").exists() and not (cache / "v2").exists()
    assert (cache / "notes/keep.txt").read_text() == "mine" and (cache / "v9.txt").is_file()
    assert _pack(cache).parent.name == FORMAT and len(_file_records(cache)) == 2
    outside = _victims(tmp_path)
    (cache / "v0").symlink_to(outside, target_is_directory=True)
    assert "cache-refused" in _codes(_scan(project))
    assert sorted(p.name for p in outside.iterdir()) == [f"d{i}" for i in range(6)]
