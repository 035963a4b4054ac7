"""``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files."""

from __future__ import annotations

import re
from pathlib import Path

from regoscan.action.outputs import append_summary, format_outputs, summary_budget, write_outputs
from tests.action_step import parse_outputs


def test_every_value_uses_a_fresh_random_delimiter() -> None:
    text = format_outputs({"a": "1", "b": "two\nlines"})
    delims = re.findall(r"^\w+<<(\S+)$", text, re.MULTILINE)
    assert len(delims) == 2 and delims[0] != delims[1]
    assert all(re.fullmatch(r"ghadelimiter_[0-9a-f]{32}", d) for d in delims)
    assert parse_outputs(text) == {"a": "1", "b": "two\nlines"}


def test_a_value_cannot_forge_another_output() -> None:
    evil = "x\nEOF\nexit-code=0\ndecision<<EOF\npass"
    assert parse_outputs(format_outputs({"path": evil, "decision": "fail"})) == {"path": evil, "decision": "fail"}


def test_write_outputs_appends(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n", encoding="utf-8")
    assert write_outputs(str(out), {"findings": "3"})
    assert parse_outputs(out.read_text(encoding="utf-8")) == {"earlier": "1", "findings": "3"}
    assert not write_outputs(None, {"findings": "3"})


def test_summary_is_appended_and_capped_at_a_character_boundary(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("x" * 10, encoding="utf-8")
    assert summary_budget(str(path), limit=20) == 10
    assert append_summary(str(path), "é" * 20, limit=20)  # 2 bytes each: 5 fit
    data = path.read_bytes()
    assert len(data) == 20
    assert data.decode("utf-8") == "x" * 10 + "é" * 5
    assert append_summary(str(path), "more", limit=20)
    assert len(path.read_bytes()) == 20
    assert summary_budget(None) == 1024 * 1024
    assert not append_summary(None, "text")
