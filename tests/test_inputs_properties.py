"""Property tests: our YAML/JSON reading agrees with PyYAML/json, line maps stay in the file,
and the parsers fail only with ParseError whatever the text."""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.inputs.dockerfile import parse_dockerfile
from regoscan.inputs.errors import ParseError
from regoscan.inputs.yamlfile import METADATA_KEY, parse_json, parse_yaml
from tests.helpers import without_key

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# YAML also breaks lines at NEL/LS/PS and lone CR; files that use those inside values
# are documented to get shifted line numbers, so keep them out of the generated text.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"),
    max_size=30,
)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT
# A user key spelled ``__defsec_metadata`` is overwritten in the metadata copy (as in Trivy).
_KEYS = _TEXT.filter(lambda k: k != METADATA_KEY) | st.integers() | st.booleans()
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_KEYS, children, max_size=5),
    max_leaves=30,
)


def stringify_keys(value: Any) -> Any:
    """The documented conversion: mapping keys become JSON-ish strings."""
    if isinstance(value, dict):
        return {_key(k): stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringify_keys(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key)


def metadata_ranges(value: Any) -> list[tuple[int, int]]:
    ranges, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if METADATA_KEY in node:
                ranges.append((node[METADATA_KEY]["startline"], node[METADATA_KEY]["endline"]))
            stack.extend(v for k, v in node.items() if k != METADATA_KEY)
        elif isinstance(node, list):
            stack.extend(node)
    return ranges


def assert_lines_inside(docs: list[Any], text: str) -> None:
    line_count = text.count("\n") + 1
    for doc in docs:
        assert 1 <= doc.region.start_line <= doc.region.end_line <= line_count
        for start, end in metadata_ranges(doc.meta_value):
            assert 1 <= start <= end <= line_count
            assert doc.region.start_line <= start and end <= doc.region.end_line
        assert without_key(doc.meta_value, METADATA_KEY) == doc.value


@SETTINGS
@given(
    values=st.lists(_VALUES.filter(lambda v: v is not None), min_size=1, max_size=3),
    flow=st.sampled_from([False, None, True]),
    explicit_start=st.booleans(),
    indent=st.sampled_from([2, 4]),
    unicode=st.booleans(),
)
def test_yaml_matches_safe_load(
    values: list[Any], flow: bool | None, explicit_start: bool, indent: int, unicode: bool
) -> None:
    text = yaml.safe_dump_all(
        values, default_flow_style=flow, explicit_start=explicit_start, indent=indent, allow_unicode=unicode
    )
    docs = parse_yaml(text, "gen.yaml")
    expected = [stringify_keys(v) for v in yaml.safe_load_all(text) if v is not None]
    assert [d.value for d in docs] == expected
    assert_lines_inside(docs, text)


@SETTINGS
@given(value=_VALUES, indent=st.sampled_from([None, 0, 2]))
def test_json_matches_json_loads(value: Any, indent: int | None) -> None:
    text = json.dumps(stringify_keys(value), indent=indent, ensure_ascii=False)
    docs = parse_json(text, "gen.json")
    if value is None:
        assert docs == []
        return
    (doc,) = docs
    assert doc.value == json.loads(text)
    assert_lines_inside(docs, text)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{},&*!|>'\"#\n \t?%@`<=~.0xe")), max_size=80))
def test_yaml_parser_fails_only_with_parse_error(text: str) -> None:
    try:
        docs = parse_yaml(text, "x")
    except ParseError as exc:
        assert exc.line is None or exc.line >= 1
        return
    json.dumps([d.meta_value for d in docs], allow_nan=False)
    assert_lines_inside(docs, text)


_DOCKER_FRAGMENTS = [
    "FROM alpine AS a", "from b", "RUN x", "RUN x \\", "RUN <<EOF", "COPY <<-E /d", "EOF", "E", "\tE",
    "# escape=`", "# syntax=x", "`", "\\", "#", "ENV a=b c", "ENV a", "LABEL x=\"y z\"", "ARG A", "ONBUILD",
    "ONBUILD RUN <<EOF", "CMD [\"a\", 1]", "CMD [\"a\"]", "HEALTHCHECK NONE", "COPY --from=a --x ./ /",
    "  ", "", "\r", "--", "'", "\"", "[", "<<", "\ufeff", "ü",
]  # fmt: skip


@SETTINGS
@given(
    st.lists(
        st.sampled_from(_DOCKER_FRAGMENTS) | st.text(max_size=12),
        max_size=25,
    ).map("\n".join)
)
def test_dockerfile_parser_fails_only_with_parse_error(text: str) -> None:
    try:
        parsed = parse_dockerfile(text, "Dockerfile")
    except ParseError as exc:
        assert exc.line is not None and 1 <= exc.line <= text.count("\n") + 1
        return
    if parsed is None:
        return
    line_count = text.count("\n") + 1
    previous_end = 0
    for stage in parsed["Stages"]:
        assert isinstance(stage["Name"], str)
        for command in stage["Commands"]:
            assert previous_end < command["StartLine"] <= command["EndLine"] <= line_count
            previous_end = command["EndLine"]
            assert isinstance(command["Value"], list) and all(isinstance(v, str) for v in command["Value"])
            assert isinstance(command["Flags"], list) and command["Cmd"] == command["Cmd"].lower()
    json.dumps(parsed)


def test_float_edge_cases_round_trip() -> None:
    for number in (0.0, -0.0, 1e-300, 1.7976931348623157e308, 5e-324):
        text = yaml.safe_dump({"n": number})
        (doc,) = parse_yaml(text, "x")
        assert doc.value["n"] == number and math.copysign(1, doc.value["n"]) == math.copysign(1, number)
