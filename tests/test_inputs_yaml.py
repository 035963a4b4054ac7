"""YAML/JSON parsing: values, line maps and hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from regoscan.inputs.errors import LimitError, ParseError
from regoscan.inputs.yamlfile import METADATA_KEY, parse_json, parse_yaml
from regoscan.models import Region

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def meta(node: dict[str, Any]) -> tuple[int, int]:
    data = node[METADATA_KEY]
    return data["startline"], data["endline"]


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_libyaml_is_used_when_available() -> None:
    from regoscan.inputs import yamlfile

    assert yamlfile._USES_LIBYAML is hasattr(yaml, "CSafeLoader")


# --------------------------------------------------------------------------- line maps


def test_deployment_container_lines() -> None:
    (doc,) = parse_yaml(fixture_text("deployment.yaml"), "k8s/deployment.yaml")
    assert doc.region == Region(3, 33)
    content = doc.meta_value
    assert meta(content) == (3, 33)
    assert content[METADATA_KEY]["filepath"] == "k8s/deployment.yaml"
    assert meta(content["metadata"]) == (5, 9)  # starts at the key, ends at the last label
    assert meta(content["metadata"]["labels"]) == (8, 9)
    assert meta(content["spec"]) == (10, 33)
    app, sidecar = content["spec"]["template"]["spec"]["containers"]
    assert meta(app) == (15, 20)
    assert meta(app["securityContext"]) == (19, 20)
    # A bare "-" followed by a comment: the item starts at the dash.
    assert meta(sidecar) == (21, 31)  # the block scalar's last content line, not the blank after it


def test_plain_value_has_no_metadata() -> None:
    (doc,) = parse_yaml(fixture_text("deployment.yaml"), "d.yaml")
    assert doc.value == yaml.safe_load(fixture_text("deployment.yaml"))
    assert METADATA_KEY not in json.dumps(doc.value)


def test_multi_document_regions_are_absolute() -> None:
    docs = parse_yaml(fixture_text("multi.yaml"), "multi.yaml")
    assert [d.value.get("kind") for d in docs] == ["ConfigMap", "Service", None]
    config_map, service, plain = docs
    assert config_map.region == Region(3, 13)  # the block scalar ends at "echo three"
    assert config_map.value["data"]["run.sh"].endswith("echo three\n")
    assert service.region == Region(18, 24)  # after a long block scalar and a comment-only doc
    assert meta(service.meta_value["spec"]["ports"][0]) == (24, 24)
    assert plain.region == Region(27, 28)
    assert plain.value == {"plain": "yaml", "not": "kubernetes"}


def test_leading_separator_and_comments() -> None:
    text = "---\n# c\n---   # trailing comment\n\n# more\na: 1\nb:\n  c: 2\n"
    (doc,) = parse_yaml(text, "x")
    assert doc.region == Region(6, 8)
    assert meta(doc.meta_value["b"]) == (7, 8)


def test_empty_and_comment_only_files_have_no_documents() -> None:
    assert parse_yaml("", "x") == []
    assert parse_yaml("# only a comment\n\n# another\n", "x") == []
    assert parse_yaml("---\n---\n...\n", "x") == []
    assert parse_json("  \n", "x") == []


def test_flow_mapping_spanning_lines() -> None:
    (doc,) = parse_yaml("a: {x: 1,\n  y: 2\n  }\nb: 3\n", "x")
    assert meta(doc.meta_value["a"]) == (1, 3)


def test_nested_sequences_of_mappings() -> None:
    text = "items:\n- - a: 1\n    b: 2\n  - c: 3\n"
    (doc,) = parse_yaml(text, "x")
    inner = doc.meta_value["items"][0]
    assert meta(inner[0]) == (2, 3)
    assert meta(inner[1]) == (4, 4)


def test_aliases_get_the_line_where_they_are_used() -> None:
    text = "base: &b\n  cpu: 1\n  mem: 2\nother: 0\nuse: *b\n"
    (doc,) = parse_yaml(text, "x")
    assert doc.value["use"] == {"cpu": 1, "mem": 2}
    assert meta(doc.meta_value["base"]) == (1, 3)
    assert meta(doc.meta_value["use"]) == (5, 5)
    assert doc.meta_value["use"] is not doc.meta_value["base"]


def test_merge_keys() -> None:
    text = "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 9\n"
    (doc,) = parse_yaml(text, "x")
    assert doc.value["c"] == yaml.safe_load(text)["c"] == {"x": 9, "y": 2, "z": 4}
    assert meta(doc.meta_value["c"]) == (3, 5)
    assert list(doc.meta_value["c"]).count(METADATA_KEY) == 1


def test_bad_merge_is_an_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a:\n  <<: 3\n", "x")
    assert info.value.line == 2


# --------------------------------------------------------------------------- value conversions


def test_values_are_json_serialisable() -> None:
    text = (
        "date: 2001-12-14\n"
        "stamp: 2001-12-14t21:59:43.10-05:00\n"
        "bin: !!binary |\n  R0lG\n  ODlh\n"
        "nan: .nan\n"
        "inf: -.inf\n"
        "1: int key\n"
        "true: bool key\n"
        "~: null key\n"
        "? [a, b]\n: complex key\n"
        "ref: !Ref bucket\n"
        "obj: !!python/object:os.system {cmd: ls}\n"
        "set: !!set {a, b}\n"
        "octal: 0o17\n"
        "hex: 0x1F\n"
        "flag: yes\n"
    )
    (doc,) = parse_yaml(text, "x")
    value = doc.value
    json.dumps(value, allow_nan=False)
    assert value["date"] == "2001-12-14"
    assert value["stamp"] == "2001-12-14t21:59:43.10-05:00"
    assert value["bin"] == "R0lGODlh"
    assert value["nan"] == ".nan"
    assert value["inf"] == "-.inf"
    assert value["1"] == "int key"
    assert value["true"] == "bool key"
    assert value["null"] == "null key"
    assert value['["a","b"]'] == "complex key"
    assert value["ref"] == "bucket"
    assert value["obj"] == {"cmd": "ls"}
    assert value["set"] == {"a": None, "b": None}
    assert value["octal"] == "0o17"  # YAML 1.1 has no 0o prefix
    assert value["hex"] == 31
    assert value["flag"] is True  # YAML 1.1 booleans, as in Kubernetes' sigs.k8s.io/yaml


def test_duplicate_keys_last_wins() -> None:
    (doc,) = parse_yaml("a: 1\nb: 2\na: 3\n", "x")
    assert doc.value == {"a": 3, "b": 2}


def test_invalid_explicit_tag_value() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a: 1\nb: !!int nope\n", "x")
    assert info.value.line == 2


def test_bom_and_crlf() -> None:
    (doc,) = parse_yaml("\ufeffa: 1\r\nb:\r\n  c: |\r\n    x\r\n    y\r\n", "x")
    assert doc.value == {"a": 1, "b": {"c": "x\ny\n"}}
    assert meta(doc.meta_value["b"]) == (2, 5)
    (crlf,) = parse_yaml(fixture_text("crlf.yaml").replace("\n", "\r\n"), "x")
    assert crlf.region == Region(1, 4)


# --------------------------------------------------------------------------- errors and limits


def test_invalid_yaml_reports_its_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a: 1\nb: 2\nc: [1, 2\nd: 4\n", "x")
    assert info.value.line in (3, 4)
    assert "flow" in info.value.message


def test_tab_indentation_error_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a: 1\nb:\n\tc: 2\n", "x")
    assert info.value.line == 3


def test_undefined_alias() -> None:
    with pytest.raises(ParseError, match="undefined alias") as info:
        parse_yaml("a: 1\nb: *nope\n", "x")
    assert info.value.line == 2


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ParseError, match="recursive"):
        parse_yaml("a: &x\n  b: *x\n", "x")


def test_control_character_error_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a: é\nb: \x01\n", "x")
    assert info.value.line == 2


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused() -> None:
    with pytest.raises(LimitError, match="alias bomb"):
        parse_yaml(billion_laughs(), "x")


def test_small_alias_fanout_is_fine_under_a_custom_budget() -> None:
    text = billion_laughs(2)
    assert parse_yaml(text, "x")[0].value == yaml.safe_load(text)
    with pytest.raises(LimitError):
        parse_yaml(text, "x", max_nodes=50)


@pytest.mark.parametrize(
    "text",
    [
        "a:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(2000)),
        "[" * 2000 + "]" * 2000,
        "- " * 2000 + "x\n",
        "{" + '"a":{' * 2000 + "}" * 2001,
    ],
    ids=["block-map", "flow-seq", "block-seq", "json"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(LimitError, match="nesting") as info:
        parse_yaml(text, "x")
    assert info.value.line is not None


def test_very_deep_json_does_not_recurse() -> None:
    with pytest.raises(LimitError):
        parse_json("[" * 200_000 + "]" * 200_000, "x")


def test_nesting_within_the_limit_parses() -> None:
    text = "[" * 400 + "1" + "]" * 400
    (doc,) = parse_yaml(text, "x")
    value = doc.value
    for _ in range(400):
        value = value[0]
    assert value == 1


# --------------------------------------------------------------------------- JSON


def test_json_manifest_with_tabs_and_exponents() -> None:
    (doc,) = parse_json(fixture_text("manifest.json"), "pod.json")
    assert doc.value == json.loads(fixture_text("manifest.json"))
    assert doc.value["spec"]["containers"][0]["resources"]["limits"]["cpu"] == 1.0
    assert doc.region == Region(1, 17)
    assert meta(doc.meta_value["metadata"]) == (4, 7)
    assert meta(doc.meta_value["spec"]["containers"][0]) == (10, 14)


def test_json_that_yaml_reads_differently() -> None:
    (doc,) = parse_json('{"n": 1e3, "s": "\\ud83d\\ude00", "k": "' + "x" * 2000 + '"}', "x")
    assert doc.value["n"] == 1000.0
    assert doc.value["s"] == "\U0001f600"


def test_json_error_names_the_line() -> None:
    with pytest.raises(ParseError) as info:
        parse_json('{\n  "a": 1,\n  "b": [1, 2,\n  "c": }\n', "x")
    assert info.value.line == 4
    with pytest.raises(ParseError) as info:
        parse_json('{"a": 1}\n{"b": 2}\n', "x")
    assert info.value.line == 2


def test_json_file_with_yaml_content_falls_back() -> None:
    (doc,) = parse_json("# JSON with a comment\n{a: 1, 'b': [2]}\n", "x")
    assert doc.value == {"a": 1, "b": [2]}


def test_json_huge_number_stays_text() -> None:
    (doc,) = parse_json('{"big": 1e400, "int": 123456789012345678901234567890}', "x")
    assert doc.value == {"big": "1e400", "int": 123456789012345678901234567890}


def test_pure_python_loader_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the same events come from PyYAML's pure-Python parser."""
    from regoscan.inputs import yamlfile

    monkeypatch.setattr(yamlfile, "_LOADER", yaml.SafeLoader)
    monkeypatch.setattr(yamlfile, "_USES_LIBYAML", False)
    (doc,) = parse_yaml(fixture_text("deployment.yaml"), "d.yaml")
    assert doc.region == Region(3, 33)
    assert meta(doc.meta_value["spec"]["template"]["spec"]["containers"][1]) == (21, 31)
    assert [d.region for d in parse_yaml(fixture_text("multi.yaml"), "m")] == [
        Region(3, 13), Region(18, 24), Region(27, 28),
    ]  # fmt: skip
    with pytest.raises(ParseError) as info:
        parse_yaml("a: é\nb: \x01\n", "x")
    assert info.value.line == 2
    with pytest.raises(LimitError):
        parse_yaml("- " * 2000 + "x\n", "x")


@pytest.mark.parametrize("text", ["n: 0x1F\n", "n: 0b101\n", "n: 017\n", "n: 1_000\n", "n: 190:20:30\n", "n: -0\n"])
def test_yaml_1_1_integer_forms_match_safe_load(text: str) -> None:
    assert parse_yaml(text, "x")[0].value == yaml.safe_load(text)


def test_scalar_tags_depend_on_quoting_not_on_what_was_read_before() -> None:
    """Untagged scalars' tags are remembered by text and quoting (``yamlfile._RESOLVED``): a quoted
    ``'1'`` read after a plain ``1`` (and the other way round) keeps its own type, every time."""
    text = "a: 1\nb: '1'\nc: !!str 1\nd: 1\ne: yes\nf: 'yes'\ng: null\nh: 'null'\ni: \"1.5\"\nj: 1.5\n"
    expected = yaml.safe_load(text)
    assert expected["a"] == 1 and expected["b"] == "1" and expected["e"] is True and expected["f"] == "yes"
    for _ in range(2):
        assert parse_yaml(text, "x")[0].value == expected
        assert parse_yaml("b: '1'\na: 1\nf: 'yes'\ne: yes\n", "y")[0].value == {"b": "1", "a": 1, "f": "yes", "e": True}
