"""docs/ACTION.md's Inputs and Outputs tables against action.yml, name for name.

The runner only knows what action.yml declares, and the tables are what users read: an
input missing from the table is undiscoverable, one the table names but action.yml lacks
is a warning ("Unexpected input") and no effect, and a default the table misstates
changes what a pasted workflow does.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
DOC = (REPO / "docs" / "ACTION.md").read_text(encoding="utf-8")
_CODE = re.compile(r"`([^`]+)`")


def _table(heading: str) -> list[list[str]]:
    """The rows (cells, stripped) of the first table under ``## heading``."""
    section = DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) > 2, f"no table under '## {heading}'"
    body = rows[2:]  # header and delimiter row
    # a cell may hold an escaped pipe (\\|); none of ours do, but split safely
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in body]


def _names(cell: str) -> list[str]:
    names = _CODE.findall(cell)
    assert names, f"no `name` in the first cell: {cell!r}"
    return names


def test_every_input_is_in_the_table_and_only_those() -> None:
    documented = [name for row in _table("Inputs") for name in _names(row[0])]
    assert len(documented) == len(set(documented)), "an input is listed twice"
    assert set(documented) == set(ACTION["inputs"]), (
        f"missing from docs/ACTION.md: {sorted(set(ACTION['inputs']) - set(documented))}; "
        f"not in action.yml: {sorted(set(documented) - set(ACTION['inputs']))}")


def test_every_output_is_in_the_table_and_only_those() -> None:
    documented = [name for row in _table("Outputs") for name in _names(row[0])]
    assert len(documented) == len(set(documented)), "an output is listed twice"
    assert set(documented) == set(ACTION["outputs"]), (
        f"missing from docs/ACTION.md: {sorted(set(ACTION['outputs']) - set(documented))}; "
        f"not in action.yml: {sorted(set(documented) - set(ACTION['outputs']))}")


def test_the_defaults_column_matches_action_yml() -> None:
    """A default is shown as one code span equal to action.yml's; an empty default as an empty
    cell, a note in parentheses, or the values an empty input stands for (several code spans)."""
    for row in _table("Inputs"):
        (name,) = _names(row[0])
        default = str(ACTION["inputs"][name].get("default", ""))
        cell = row[1]
        spans = _CODE.findall(cell)
        if default:
            assert cell == f"`{default}`", f"{name}: action.yml's default is {default!r}, the table says {cell!r}"
        else:
            assert cell == "" or re.fullmatch(r"\(.*\)", cell) or len(spans) > 1, \
                f"{name}: action.yml has no default, the table says {cell!r}"


def test_the_check_is_not_vacuous() -> None:
    assert len(_table("Inputs")) >= 20 and len(_table("Outputs")) >= 10
    assert _names("| `a`, `b` |") == ["a", "b"]
