"""Functions with one name and several arities across packages break regopy's build."""

from __future__ import annotations

from pathlib import Path

from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.rego.linking import link
from tests.oracle import eval_regopy

A = "package a\n\nimport rego.v1\n\nformat(x) := sprintf(\"<%v>\", [x])\n\np := format(1)\n"
B = ("package b\n\nimport rego.v1\n\nimport data.a\nimport data.a as other\n\n"
     "format(f, xs) := sprintf(f, xs)\n\nq := format(\"%d\", [2])\n\nr := a.format(3)\n\n"
     "s := data.a.format(4)\n\nt := other.format(5)\n")


def test_clashing_functions_are_renamed_everywhere_and_lines_stay() -> None:
    out, notes = link({"a.rego": A, "b.rego": B})
    assert notes
    assert "format__rs1(x)" in out["a.rego"] and "p := format__rs1(1)" in out["a.rego"]
    assert "format__rs2(f, xs)" in out["b.rego"]
    assert "a.format__rs1(3)" in out["b.rego"] and "data.a.format__rs1(4)" in out["b.rego"]
    assert "other.format__rs1(5)" in out["b.rego"]
    for name, src in (("a.rego", A), ("b.rego", B)):
        assert out[name].count("\n") == src.count("\n")


def test_renamed_set_builds_in_both_load_orders() -> None:
    out, _ = link({"a.rego": A, "b.rego": B})
    # unrenamed, loading a before b fails to build in regopy 1.5.2
    assert str(eval_regopy(A, "data.a.p", {}, extra=[B])).startswith("error")
    for first, second in (("a.rego", "b.rego"), ("b.rego", "a.rego")):
        assert eval_regopy(out[first], "data.b.q", {}, extra=[out[second]]) == "2"
        assert eval_regopy(out[first], "data.b.t", {}, extra=[out[second]]) == "<5>"


def test_no_clash_no_change() -> None:
    texts = {"a.rego": A}
    assert link(texts) == (texts, [])


def test_scan_with_clashing_user_functions(tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "configs").mkdir()
    (tmp_path / "policy" / "a.rego").write_text(A.replace("package a", "package user.a")
                                                + 'deny contains format("x") if input.kind == "Pod"\n')
    (tmp_path / "policy" / "b.rego").write_text(
        'package user.b\n\nimport rego.v1\n\nformat(f, xs) := sprintf(f, xs)\n\n'
        'deny contains format("pod %s", [input.metadata.name]) if input.kind == "Pod"\n')
    (tmp_path / "configs" / "p.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n")
    report = run_scan(ScanOptions(paths=[str(tmp_path / "configs")], root=tmp_path,
                                  policies=[str(tmp_path / "policy")], builtin=False, workers=1))
    assert not [n for n in report.notices if n.level.value == "error"], report.notices
    assert sorted(f.message for f in report.findings) == ["<x>", "pod p"]
