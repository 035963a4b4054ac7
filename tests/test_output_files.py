"""Report files are written by rename: never through a planted link, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from regoscan.output.files import ReportWriteError, write_report


def test_writes_and_creates_folders(tmp_path: Path) -> None:
    created = write_report(tmp_path / "a" / "b" / "r.txt", "x\n")
    assert (tmp_path / "a" / "b" / "r.txt").read_text() == "x\n"
    assert created == [tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "r.txt"]


def test_a_symlinked_target_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "report.txt").symlink_to(outside)
    write_report(ws / "report.txt", "report\n", confine_to=ws)
    assert outside.read_text() == "precious\n"
    assert not (ws / "report.txt").is_symlink()
    assert (ws / "report.txt").read_text() == "report\n"


def test_a_symlinked_folder_is_refused_when_confined(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "out").symlink_to(outside)
    with pytest.raises(ReportWriteError, match="out is a symbolic link"):
        write_report(ws / "out" / "r.txt", "x", confine_to=ws)
    assert list(outside.iterdir()) == []


def test_outside_the_root_is_refused_when_confined(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with pytest.raises(ReportWriteError, match="outside"):
        write_report(ws / ".." / "escape.txt", "x", confine_to=ws)
    assert not (tmp_path / "escape.txt").exists()


def test_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError, match="is a folder"):
        write_report(tmp_path, "x")


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError, match=r"/proc/regoscan-test\.sarif"):
        write_report("/proc/regoscan-test.sarif", "x")


def test_no_temporary_file_is_left_behind_on_failure(tmp_path: Path) -> None:
    with pytest.raises(ReportWriteError, match="cannot write"):
        write_report(tmp_path / "r.md", "a lone surrogate \ud800 cannot be UTF-8")
    assert list(tmp_path.iterdir()) == []
