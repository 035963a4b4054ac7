"""Marked Rego fallbacks are cut out of the built-in checks' bundles, and only they.

``rego.fallbacks.without_fallbacks`` blanks the lines between ``# regoscan: fallback
begin`` and ``end``; a scan's documents always carry the views those fallbacks stand in
for, so the findings stay the same (tests/test_corpus_golden.py over the corpus,
tests/test_derived_views.py for the views' values).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regoscan.inputs.derived import KEY
from regoscan.inputs.load import parse_text
from regoscan.models import InputType
from regoscan.rego.fallbacks import BEGIN, END, without_fallbacks
from regoscan.rego.shake import reachable
from regoscan.resources import policies_dir


def test_marked_lines_are_blanked_and_the_rest_stays_in_place() -> None:
    text = f"package p\n\nf(x) := 1 if {{\n\tx.v\n}}\n{BEGIN}\nelse := g(x)\n{END}\n\ng(x) := 2\n"
    out = without_fallbacks(text)
    assert out.count("\n") == text.count("\n") and len(out) == len(text)
    assert "else" not in out and "regoscan" not in out
    assert out.splitlines()[2:5] == text.splitlines()[2:5]
    assert out.splitlines()[-1] == "g(x) := 2"
    assert without_fallbacks("package p\nx := 1\n") == "package p\nx := 1\n"


@pytest.mark.parametrize("text", [f"{BEGIN}\nx\n", f"{END}\n", f"{BEGIN}\n{BEGIN}\n{END}\n"])
def test_unpaired_markers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        without_fallbacks(text)


def _libraries() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in sorted((policies_dir() / "lib").glob("*.rego"))
            if not p.name.endswith("_test.rego")]


def test_a_run_check_is_cut_without_the_shell_tokenizer() -> None:
    """The reason for the markers: DS021's bundle keeps run_commands (reading the view) but
    none of the tokenizer, which only the fallback reaches."""
    libs = [(name, without_fallbacks(text)) for name, text in _libraries()]
    check = (policies_dir() / "dockerfile" / "DS021.rego").read_text()
    sh = dict(reachable(libs, [check]))["sh.rego"]
    assert "run_commands(instr) := cmds if" in sh
    assert "_token_pattern :=" not in sh and "tokens(script) :=" not in sh
    assert "file_calls := calls if" in sh and "some c in run_calls(instr, _precomputed_tools)" not in sh
    whole = dict(reachable(_libraries(), [check]))["sh.rego"]
    assert "_token_pattern :=" in whole


def test_a_workload_check_is_cut_without_the_kubernetes_views_package() -> None:
    """lib.kubernetes reads the loader's view and marks the branches that fall back on
    lib.kubernetes_views: KSV011's bundle then holds none of that package."""
    libs = [(name, without_fallbacks(text)) for name, text in _libraries()]
    check = (policies_dir() / "kubernetes" / "KSV011.rego").read_text()
    cut = dict(reachable(libs, [check]))
    assert "kubernetes_views.rego" not in cut
    assert "cs := input.__rs.containers" in cut["kubernetes.rego"]
    assert "data.lib.kubernetes_views" not in cut["kubernetes.rego"]
    assert "kubernetes_views.rego" in dict(reachable(_libraries(), [check]))

def test_every_run_a_scan_parses_carries_the_commands_view() -> None:
    """The condition for cutting the fallback: shell form, exec form, heredocs, several stages."""
    text = ("ARG V=1\nFROM alpine AS a\nRUN apk add git\nRUN [\"sh\", \"-c\", \"ls\"]\n"
            "FROM a\nRUN <<EOF\napk add curl\nEOF\nRUN [\"make\"]\nONBUILD RUN ls\nRUN\n")
    docs = parse_text(text, "Dockerfile", InputType.DOCKERFILE)
    runs = [c for d in docs for st in d.content["Stages"] for c in st["Commands"] if c["Cmd"] == "run"]
    assert len(runs) >= 4
    assert all(isinstance(c[KEY]["commands"], list) for c in runs)
    assert all(isinstance(d.content[KEY]["calls"], list) for d in docs)


def test_the_built_in_libraries_markers_pair_up() -> None:
    marked = [name for name, text in _libraries() if BEGIN in text]
    assert "sh.rego" in marked and "kubernetes.rego" in marked
    for name, text in _libraries():
        assert without_fallbacks(text).count("\n") == text.count("\n"), name
    assert Path(policies_dir() / "lib" / "sh.rego").read_text().count(END) >= 1
