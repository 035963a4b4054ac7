"""``output.jsontext.dumps`` writes exactly the text ``json.dumps(..., indent=2, ensure_ascii=False)`` writes.

The reports' JSON (the ``regoscan/v1`` document, the SARIF) is read by people and by
tools that diff it, so the faster writer must not change one byte of it.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regoscan.output.jsontext import dumps


def stdlib(value: Any, default: Any = None) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=default)


class Level(enum.IntEnum):
    LOW = 1


class Name(enum.StrEnum):
    A = "a\"b"


SHAPES: list[Any] = [
    None, True, False, 0, -1, 10**30, -(10**30), 1.5, -0.0, 1e-7, 1.5e300, math.inf, -math.inf,
    "", "plain", "quote \" backslash \\ slash / tab \t nl \n cr \r", "\x00\x01\x1f\x7f", "ünïcødé ✅ 𝄞 \u2028\u2029",
    "\ud800 lone surrogate", [], {}, [[]], [{}], {"a": []}, {"a": {}}, (1, "two", None),
    {"nested": {"deeper": [1, [2, [3, {"x": None}]]], "empty": [], "e2": {}}, "after": "z"},
    {7: "int key", 2.5: "float key", True: "bool key", False: "false key", None: "none key", "s": 1},
    {Level.LOW: Level.LOW, "name": Name.A, "list": [Level.LOW, Name.A]},
    [{"check_id": "DS001", "region": [1, 2], "suppressions": [{"metadata": [["k", "v"]], "line": 3}]}] * 3,
    # lists of flat dicts (the findings; each written by the C encoder): strings, empty containers
    # and keys that look like the separators around them
    [{"a": 1}], [{"a": 1}, {"b": "x"}],
    [{"m": "},\n    {", "n": "}, {"}, {"e": {}, "f": []}, {"k": "{", "l": "}"}, {1: "int key", None: "none"}],
    {"findings": [{"id": "KSV001", "line": 3, "suppressions": []}, {"id": "KSV002", "line": None, "x": 1.5}],
     "deeper": {"list": [{"a": {}}, {"b": []}]}},
    [{"a": 1}, {"nested": {"x": 1}}, {"b": 2}], [{"a": 1}, {}, {"b": 2}], [{"a": 1}, [1], {"b": 2}],
    [{"level": Level.LOW}, {"a": 1}],
]


@pytest.mark.parametrize("value", SHAPES, ids=range(len(SHAPES)))
def test_the_same_text_as_the_standard_library(value: Any) -> None:
    assert dumps(value) == stdlib(value)


def test_not_a_number_is_written_as_the_standard_library_writes_it() -> None:
    assert dumps([math.nan, {"x": math.nan}]) == stdlib([math.nan, {"x": math.nan}])


def test_other_objects_go_through_default_or_are_refused() -> None:
    value = {"when": datetime.date(2026, 12, 5), "items": [datetime.date(2027, 1, 1)], "obj": object}
    assert dumps(value, default=str) == stdlib(value, default=str)
    with pytest.raises(TypeError):
        dumps({"when": datetime.date(2026, 12, 5)})
    with pytest.raises(TypeError):
        stdlib({"when": datetime.date(2026, 12, 5)})


def test_a_key_json_cannot_write_is_refused() -> None:
    with pytest.raises(TypeError):
        dumps({(1, 2): "tuple key"})


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text() | st.integers(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_any_json_value_is_written_byte_for_byte_alike(value: Any) -> None:
    assert dumps(value) == stdlib(value)


_flat_dicts = st.lists(st.dictionaries(st.text() | st.integers(), _scalars | st.just([]) | st.just({}), min_size=1,
                                       max_size=4), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_flat_dicts, st.integers(min_value=0, max_value=3))
def test_lists_of_flat_dicts_at_any_depth_are_written_byte_for_byte_alike(items: list[Any], depth: int) -> None:
    value: Any = items
    for _ in range(depth):
        value = {"k": value}
    assert dumps(value) == stdlib(value)
