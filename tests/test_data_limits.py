"""Data files are read like scanned files: size limit, guarded parser, one clear error each.

``--data`` went through ``yaml.safe_load`` and ``json.loads`` unbounded: a billion-laughs
YAML ran past 300 s at 6 GB, 100,000 nested brackets ended in an uncaught RecursionError
(no SARIF, no summary), a 200 MB file ran past 300 s. Each is now a ``data-error`` naming
the file, and the reports are written as in every other run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.engine.policyset import load_data
from regoscan.inputs.load import MAX_BYTES
from tests.e2e.scenario import PullRequest
from tests.helpers import POD, write
from tests.test_action_run import action, pr  # noqa: F401 - the fixture is used by name


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _plant(folder: Path, kind: str) -> tuple[Path, str]:
    """A hostile data file and the words its error must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "billion-laughs":
        path = folder / "laughs.yaml"
        path.write_text(_laughs(), encoding="utf-8")
        return path, "alias bomb"
    if kind == "deep-json":
        path = folder / "deep.json"
        path.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
        return path, "nesting deeper than 500 levels"
    if kind == "deep-yaml":
        path = folder / "deep.yaml"
        path.write_text("x: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
        return path, "nesting"  # libyaml's own limit (exceeded maximum nesting depth) or ours
    if kind == "huge":
        path = folder / "huge.json"
        with path.open("wb") as handle:  # sparse: 200 MB on paper, nothing written
            handle.truncate(200 * 1024 * 1024)
        return path, f"over the {MAX_BYTES}-byte limit"
    if kind == "two-documents":
        path = folder / "two.yaml"
        path.write_text("a: 1\n---\nb: 2\n", encoding="utf-8")
        return path, "holds one document"
    if kind == "binary":
        path = folder / "bin.json"
        path.write_bytes(b'{"a": "\x00"}')
        return path, "binary file"
    raise AssertionError(kind)


KINDS = ["billion-laughs", "deep-json", "deep-yaml", "huge", "two-documents", "binary"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_data_file_is_one_data_error(tmp_path: Path, kind: str) -> None:
    path, words = _plant(tmp_path / "data", kind)
    write(tmp_path, "data/fine.yaml", "registries: [a]\n")
    data, notices = load_data([str(tmp_path / "data")], tmp_path)
    (notice,) = notices
    assert notice.code == "data-error" and notice.path == path.as_posix() and words in notice.message
    assert data == {"registries": ["a"]}  # the other data file still loads


@pytest.mark.parametrize("kind", ["billion-laughs", "deep-json", "huge"])
def test_the_cli_still_writes_sarif_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                kind: str) -> None:
    _plant(tmp_path / "data", kind)
    write(tmp_path, "configs/pod.yaml", POD.format(name="web"))
    code = main(["scan", str(tmp_path / "configs"), "--data", str(tmp_path / "data"), "--format", "json",
                 "--sarif", str(tmp_path / "out.sarif"), "--summary", str(tmp_path / "summary.md"),
                 "--cache-dir", str(tmp_path / "cache")])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == 2 and [n["code"] for n in report["notices"] if n["level"] == "error"] == ["data-error"]
    assert report["findings"]  # the built-in checks still ran
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]
    assert "configuration error" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_the_action_still_writes_sarif_and_summary(
        tmp_path: Path, pr: PullRequest, capfd: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _plant(pr.workspace / "data", "deep-json")
    run = action(tmp_path, pr.workspace, None, capfd, event=pr.event(), comment="false", data="data")
    assert run.code == 2 and run.outputs["decision"] == "error"
    assert run.sarif()["runs"][0]["tool"]["driver"]["name"] == "regoscan"
    assert "configuration error" in run.summary and "RecursionError" not in run.stdout + run.stderr


def test_the_data_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over the limit is refused by its size: its bytes are never read."""
    path, _ = _plant(tmp_path / "data", "huge")

    def no_reading(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    data, (notice,) = load_data([str(path)], tmp_path)
    assert data == {} and "byte limit" in notice.message
