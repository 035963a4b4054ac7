"""Compiled bundles shipped with regoscan (rego/prebuilt.py, engine/prebuild.py, hatch_build.py).

A shipped bundle is used only when it was compiled from exactly what the scan would
compile, by the same engine build, and its bytes are intact; otherwise the check is
compiled. Either way the findings are the same: these tests compare each case with a
scan that compiles everything, and look at how the bundles came to the workers.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

import regoscan.engine.planning as planning
from regoscan.engine.evaluate import Evaluation, PolicyInputs
from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyset import load_modules
from regoscan.engine.prebuild import build_bundles
from regoscan.inputs.discover import discover
from regoscan.inputs.load import load_file
from regoscan.models import Document
from regoscan.rego.prebuilt import CUTS, MANIFEST, PREPARED, PreparedModules, read_cuts, read_prepared, read_shipped
from regoscan.rego.runtime import PolicyRuntime

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "checks"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles")
    assert build_bundles(out) >= 100
    return out


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    # one passing and one failing manifest or Dockerfile of a dozen checks, both input types
    chosen = [FIXTURES / c for c in ("KSV001", "KSV0125", "KSV118", "KSV104", "KSV030", "DS001", "DS002",
                                     "DS017", "DS031", "DS029", "KSV01010", "KSV107")]
    docs: list[Document] = []
    for folder in chosen:
        for cand in discover([str(folder)], folder).candidates:
            docs.extend(load_file(cand.abs_path, cand.rel_path, cand.input_type_hint).documents)
    assert len(docs) > 20
    return docs


def _scan(documents: list[Document], bundles: Path | None, data: list[str] | None = None, workers: int = 2,
          ) -> tuple[list[tuple[str, str, int, str]], dict[str, int]]:
    cfg = PolicyInputs([], data or [], REPO, ["builtin", "user"], True, workers, 60.0, now_ns=0,
                       shipped_bundles=bundles if bundles is not None else REPO / "no-such-folder")
    evaluation = Evaluation(cfg, NoticeSink(), None, expected=len(documents))
    try:
        evaluation.add(documents)
        done = evaluation.finish()
        stats = dict(evaluation.runtime.bundle_stats)
    finally:
        evaluation.close()
    found = sorted((f.path, f.check.id, f.region.start_line, f.message) for fs in done.findings.values() for f in fs)
    assert found, "the fixtures have failing cases: a scan without findings proves nothing"
    return found, stats


@pytest.fixture(scope="module")
def compiled(documents: list[Document]) -> list[tuple[str, str, int, str]]:
    found, stats = _scan(documents, None)
    assert stats["prebuilt"] == 0 and stats["compiled"] > 0
    return found


def test_a_scan_loads_the_shipped_bundles_and_finds_the_same(shipped: Path, documents: list[Document],
                                                             compiled: list[tuple[str, str, int, str]]) -> None:
    found, stats = _scan(documents, shipped)
    assert found == compiled
    assert stats["prebuilt"] > 0 and stats["compiled"] == 0 and stats["rejected"] == 0, stats


def test_a_corrupt_bundle_is_compiled_instead(tmp_path: Path, shipped: Path, documents: list[Document],
                                              compiled: list[tuple[str, str, int, str]]) -> None:
    bad = tmp_path / "bundles"
    shutil.copytree(shipped, bad)
    for path in bad.glob("*.rbb"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one bit pattern changed: the CRC may not even notice, the hash does
        path.write_bytes(bytes(data))
    found, stats = _scan(documents, bad)
    assert found == compiled
    assert stats["prebuilt"] == 0 and stats["rejected"] > 0 and stats["compiled"] > 0, stats


def test_a_bundle_of_another_engine_build_is_compiled_instead(tmp_path: Path, shipped: Path,
                                                              documents: list[Document],
                                                              compiled: list[tuple[str, str, int, str]]) -> None:
    other = tmp_path / "bundles"
    shutil.copytree(shipped, other)
    manifest = json.loads((other / MANIFEST).read_text())
    manifest["engine"] = "1.4.0 (HEAD:0000000) GNU 12 on linux"
    (other / MANIFEST).write_text(json.dumps(manifest))
    found, stats = _scan(documents, other)
    assert found == compiled
    assert stats["prebuilt"] == 0 and stats["rejected"] > 0, stats


def test_a_bundle_swapped_under_another_key_is_refused(tmp_path: Path, shipped: Path, documents: list[Document],
                                                       compiled: list[tuple[str, str, int, str]]) -> None:
    # a bundle file replaced by another check's (a stale or tampered copy): its hash is not the recorded one
    swapped = tmp_path / "bundles"
    shutil.copytree(shipped, swapped)
    files = sorted(swapped.glob("*.rbb"))
    first = files[0].read_bytes()
    for a, b in zip(files, [*files[1:], files[0]], strict=True):
        a.write_bytes(b.read_bytes() if b != files[0] else first)
    found, stats = _scan(documents, swapped)
    assert found == compiled
    assert stats["prebuilt"] == 0 and stats["rejected"] > 0, stats


def test_user_data_read_by_a_check_is_never_served_from_a_bundle_built_without_it(
        tmp_path: Path, shipped: Path, documents: list[Document]) -> None:
    # KSV0125 reads data.ksv0125.trusted_registries: with it given, its shipped bundle (built
    # without data) no longer matches and the check compiles with the user's list
    data = tmp_path / "data.yaml"
    data.write_text("ksv0125:\n  trusted_registries:\n  - registry.example.com\n")
    with_shipped, stats = _scan(documents, shipped, [str(data)])
    without, _ = _scan(documents, None, [str(data)])
    assert with_shipped == without
    assert stats["prebuilt"] > 0 and stats["compiled"] > 0, stats
    default, _ = _scan(documents, shipped)
    assert with_shipped != default  # the data changed KSV0125's findings: the test measures something


def test_no_shipped_bundles_when_the_manifest_is_missing_or_not_one(tmp_path: Path) -> None:
    assert read_shipped(tmp_path) is None
    (tmp_path / MANIFEST).write_text("[1, 2]")
    assert read_shipped(tmp_path) is None
    (tmp_path / MANIFEST).write_text(json.dumps({"format": 1, "engine": "x", "bundles": {"../etc": "0" * 64}}))
    shipped = read_shipped(tmp_path)
    assert shipped is not None and shipped.files == {}  # a key that is not a hash never becomes a path


def test_builtin_modules_come_prepared_and_equal(shipped: Path) -> None:
    prepared = read_prepared(read_shipped(shipped))
    assert prepared is not None
    fast, _ = load_modules([], REPO, True, prepared)
    slow, _ = load_modules([], REPO, True)
    assert fast == slow and len(fast) > 100


def test_a_changed_builtin_source_is_prepared_again(shipped: Path) -> None:
    entries = pickle.loads((shipped / PREPARED).read_bytes())
    display, index, _, module = entries[0]
    # as if the file had changed since the build: its recorded digest is another file's
    stale = PreparedModules([(display, index, "0" * 64, "not a module"), *entries[1:]])
    fresh, _ = load_modules([], REPO, True, stale)
    slow, _ = load_modules([], REPO, True)
    assert fresh == slow and module.name == display


def test_a_prepared_file_without_the_recorded_hash_is_not_read(tmp_path: Path, shipped: Path) -> None:
    copy = tmp_path / "bundles"
    shutil.copytree(shipped, copy)
    raw = bytearray((copy / PREPARED).read_bytes())
    raw[-10] ^= 0x01
    (copy / PREPARED).write_bytes(bytes(raw))
    assert read_prepared(read_shipped(copy)) is None


def _cutting_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = planning.reachable

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(planning, "reachable", counted)
    return calls


def test_library_cuts_come_shipped_and_equal(shipped: Path, documents: list[Document],
                                             compiled: list[tuple[str, str, int, str]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The cuts a scan would make (rego.shake, ~0.1 s of every start) are shipped, equal to those it
    makes, and a scan with them cuts nothing and finds the same."""
    table = read_cuts(read_shipped(shipped))
    assert table is not None and len(table) >= 100
    cfg = PolicyInputs([], [], REPO, ["builtin", "user"], True, 1, 60.0, now_ns=0,
                       shipped_bundles=REPO / "no-such-folder")
    evaluation = Evaluation(cfg, NoticeSink(), None, expected=len(documents))
    try:
        assert evaluation.cuts == table  # computed here, from the same library and checks
    finally:
        evaluation.close()
    calls = _cutting_counted(monkeypatch)
    found, stats = _scan(documents, shipped)
    assert found == compiled and calls == [] and stats["prebuilt"] > 0, stats


def test_cuts_without_the_recorded_hash_are_made_again(tmp_path: Path, shipped: Path, documents: list[Document],
                                                       compiled: list[tuple[str, str, int, str]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "bundles"
    shutil.copytree(shipped, copy)
    table = json.loads((copy / CUTS).read_text(encoding="utf-8"))
    key = sorted(table)[0]
    table[key] = []  # a check cut away from every library rule it needs
    (copy / CUTS).write_text(json.dumps(table), encoding="utf-8")
    assert read_cuts(read_shipped(copy)) is None
    calls = _cutting_counted(monkeypatch)
    found, _ = _scan(documents, copy)
    assert found == compiled and len(calls) >= 100


@pytest.mark.slow
def test_the_wheel_carries_the_bundles_a_scan_looks_up(tmp_path: Path, shipped: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0 and "No matching distribution" in proc.stderr:
        pytest.skip(f"the build requirements cannot be installed here: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("regoscan-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read(f"regoscan/_bundled/bundles/{MANIFEST}"))
        assert f"regoscan/_bundled/bundles/{PREPARED}" in names and manifest["prepared"]
        assert f"regoscan/_bundled/bundles/{CUTS}" in names and manifest["cuts"]
    expected = read_shipped(shipped)
    assert expected is not None
    assert set(manifest["bundles"]) == set(expected.files)  # the keys a scan of this tree computes
    assert all(f"regoscan/_bundled/bundles/{key}.rbb" in names for key in manifest["bundles"])


def test_shipped_bundles_reach_the_workers_in_bursts(shipped: Path, documents: list[Document],
                                                     compiled: list[tuple[str, str, int, str]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's shipped bundles go to a worker in one exchange (``PolicyRuntime._preload``), not
    one request and reply per bundle while the worker waits: no bundle is left to load one by one."""
    one_by_one: list[str] = []
    original = PolicyRuntime._load_group

    def counted(self: PolicyRuntime, worker: Any, group: str, *, wait: bool) -> bool | None:
        one_by_one.append(group)
        return original(self, worker, group, wait=wait)

    monkeypatch.setattr(PolicyRuntime, "_load_group", counted)
    found, stats = _scan(documents, shipped)
    assert found == compiled
    assert stats["prebuilt"] > 0 and stats["compiled"] == 0, stats
    assert one_by_one == []


def test_refused_copies_in_a_burst_are_compiled_and_the_others_load(
        tmp_path: Path, shipped: Path, documents: list[Document], compiled: list[tuple[str, str, int, str]]) -> None:
    """Every other shipped bundle corrupted: within one burst some load and some are refused,
    and each refused one is then sent its modules and compiled (``need_modules``)."""
    bad = tmp_path / "bundles"
    shutil.copytree(shipped, bad)
    for victim in sorted(bad.glob("*.rbb"))[::2]:
        victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 0xFF]))
    # one worker: every refused copy is compiled by the worker that refused it (with two, the
    # second may load the first one's build instead); each refusal is still counted
    for workers in (1, 2):
        found, stats = _scan(documents, bad, workers=workers)
        assert found == compiled
        assert stats["prebuilt"] > 0 and stats["rejected"] > 0 and stats["compiled"] > 0, (workers, stats)
