"""load_file: from bytes on disk to Documents, never raising for bad content."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from regoscan.inputs import load as load_module
from regoscan.inputs.kubernetes import expand_list, is_kubernetes, is_list
from regoscan.inputs.load import load_file, sniff
from regoscan.inputs.yamlfile import METADATA_KEY, parse_yaml
from regoscan.models import InputType, Region

FIXTURES = Path(__file__).parent / "fixtures" / "inputs"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- kubernetes helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"apiVersion": "v1", "kind": "Pod"}, True),
        ({"apiVersion": "v1"}, False),
        ({"apiVersion": 1, "kind": "Pod"}, False),
        ([{"apiVersion": "v1", "kind": "Pod"}], False),
        ("apiVersion: v1", False),
    ],
)
def test_is_kubernetes(value: object, expected: bool) -> None:
    assert is_kubernetes(value) is expected


def test_list_items_become_documents_with_their_own_regions() -> None:
    (doc,) = parse_yaml((FIXTURES / "list.yaml").read_text(), "list.yaml")
    assert is_list(doc.value)
    one, two = expand_list(doc)
    assert (one.region, two.region) == (Region(4, 11), Region(12, 19))
    assert one.value["metadata"]["name"] == "one"
    assert one.meta_value[METADATA_KEY] == {"startline": 4, "endline": 11, "filepath": "list.yaml"}
    assert two.meta_value["spec"]["containers"][0][METADATA_KEY]["startline"] == 18


def test_typed_list_items_get_kind_and_api_version() -> None:
    text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata:\n    name: p\n- 3\n"
    (doc,) = parse_yaml(text, "x")
    (item,) = expand_list(doc)  # the non-mapping item is dropped
    assert item.value == {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    assert item.meta_value["kind"] == "Pod" and item.region == Region(4, 5)


def test_non_list_is_returned_as_is() -> None:
    (doc,) = parse_yaml("apiVersion: v1\nkind: Pod\n", "x")
    assert expand_list(doc) == [doc]


# --------------------------------------------------------------------------- load_file


def test_load_deployment(tmp_path: Path) -> None:
    data = (FIXTURES / "deployment.yaml").read_bytes()
    result = load_file(FIXTURES / "deployment.yaml", "k8s/deployment.yaml", InputType.YAML)
    assert result.error is None
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.input_type is InputType.KUBERNETES
    (doc,) = result.documents
    assert (doc.input_type, doc.kind, doc.name, doc.namespace) == (InputType.KUBERNETES, "Deployment", "web", "shop")
    assert doc.resource == "Deployment 'web'"
    assert doc.region == Region(3, 33)
    assert doc.path == "k8s/deployment.yaml"
    assert doc.content["metadata"][METADATA_KEY]["filepath"] == "k8s/deployment.yaml"
    json.dumps(doc.content, allow_nan=False)


def test_load_multi_document_mixes_kubernetes_and_plain_yaml() -> None:
    result = load_file(FIXTURES / "multi.yaml", "multi.yaml", InputType.YAML)
    kinds = [(d.index, d.input_type, d.kind) for d in result.documents]
    assert kinds == [
        (0, InputType.KUBERNETES, "ConfigMap"),
        (1, InputType.KUBERNETES, "Service"),
        (2, InputType.YAML, None),
    ]
    assert result.documents[2].content == {"plain": "yaml", "not": "kubernetes"}  # no metadata keys


def test_load_list_indexes_items() -> None:
    result = load_file(FIXTURES / "list.yaml", "list.yaml", InputType.YAML)
    assert [(d.index, d.name, d.region.start_line) for d in result.documents] == [(0, "one", 4), (1, "two", 12)]


def test_load_json_manifest_and_generic_json(tmp_path: Path) -> None:
    result = load_file(FIXTURES / "manifest.json", "pod.json", InputType.JSON)
    (doc,) = result.documents
    assert (doc.input_type, doc.kind, doc.name) == (InputType.KUBERNETES, "Pod", "tabbed")
    generic = load_file(write(tmp_path, "x.json", '{"a": [1, 2]}'), "x.json", InputType.JSON)
    assert result.input_type is InputType.KUBERNETES and generic.input_type is InputType.JSON
    assert generic.documents[0].input_type is InputType.JSON
    assert generic.documents[0].content == {"a": [1, 2]}


def test_load_dockerfile() -> None:
    result = load_file(FIXTURES / "Dockerfile.multistage", "Dockerfile", InputType.DOCKERFILE)
    (doc,) = result.documents
    assert doc.input_type is InputType.DOCKERFILE and doc.kind is None
    assert doc.region == Region(2, 21)
    assert len(doc.content["Stages"]) == 3


def test_crlf_files() -> None:
    yaml_file = load_file(FIXTURES / "crlf.yaml", "crlf.yaml", InputType.YAML)
    assert yaml_file.documents[0].name == "crlf" and yaml_file.documents[0].region == Region(1, 4)
    docker = load_file(FIXTURES / "Dockerfile.crlf", "Dockerfile", InputType.DOCKERFILE)
    assert docker.documents[0].region == Region(1, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM alpine\n", InputType.DOCKERFILE),
        ("# build it\n\narg X=1\nFROM a\n", InputType.DOCKERFILE),
        ("# syntax=docker/dockerfile:1\nRUN x\n", InputType.DOCKERFILE),
        ("from: here\n", InputType.YAML),
        ('  {"a": 1}', InputType.JSON),
        ("just some prose\n", InputType.YAML),
    ],
)
def test_sniff(text: str, expected: InputType) -> None:
    assert sniff(text) is expected


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    result = load_file(write(tmp_path, "web.build", "# syntax=docker/dockerfile:1\nFROM a\n"), "web.build", None)
    assert result.input_type is InputType.DOCKERFILE and result.error is None
    assert result.documents[0].content["Stages"][0]["Name"] == "a"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"a: 1\nb: [1,\nc: 2\n", "flow", 3),
        (b"kind: Pod\n\x00\x01binary", "binary", 2),
        (b"a: 1\nb: caf\xe9\n", "UTF-8", 2),
        (b"FROM a\nRUN <<EOF\nnever ends\n", "unterminated heredoc", 2),
    ],
    ids=["invalid-yaml", "binary", "invalid-utf8", "bad-dockerfile"],
)
def test_bad_content_becomes_an_error(tmp_path: Path, data: bytes, message: str, line: int) -> None:
    hint = InputType.DOCKERFILE if data.startswith(b"FROM") else InputType.YAML
    result = load_file(write(tmp_path, "bad", data), "bad", hint)
    assert result.documents == []
    assert result.error is not None and message in result.error
    assert result.error_line == line


def test_alias_bomb_and_deep_nesting_are_errors(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    result = load_file(write(tmp_path, "bomb.yaml", bomb), "bomb.yaml", InputType.YAML)
    assert result.error is not None and "alias bomb" in result.error
    deep = load_file(write(tmp_path, "deep.json", "[" * 2000 + "]" * 2000), "deep.json", InputType.JSON)
    assert deep.error is not None and "nesting" in deep.error and deep.error_line == 1


def test_empty_and_comment_only_files(tmp_path: Path) -> None:
    for name, text, hint in [
        ("empty.yaml", "", InputType.YAML),
        ("comments.yaml", "# nothing\n---\n# still nothing\n", InputType.YAML),
        ("Dockerfile", "# only a comment\n", InputType.DOCKERFILE),
    ]:
        result = load_file(write(tmp_path, name, text), name, hint)
        assert (result.error, result.documents) == (None, [])
        assert result.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_file_over_the_limit(tmp_path: Path) -> None:
    result = load_file(write(tmp_path, "big.yaml", "a: " + "x" * 100 + "\n"), "big.yaml", InputType.YAML, max_bytes=64)
    assert result.error is not None and "limit" in result.error
    assert result.documents == [] and result.sha256 is None


def test_bom_and_utf16(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ünï\n"
    for name, data in [("bom.yaml", b"\xef\xbb\xbf" + text.encode()), ("u16.yaml", text.encode("utf-16"))]:
        result = load_file(write(tmp_path, name, data), name, InputType.YAML)
        assert result.error is None, name
        assert result.documents[0].name == "ünï"
        assert result.documents[0].region == Region(1, 4)


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = load_file(tmp_path / "gone.yaml", "gone.yaml", InputType.YAML)
    assert result.error is not None and "cannot read" in result.error


def test_unexpected_parser_failure_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(load_module, "parse_dockerfile", explode)
    result = load_file(write(tmp_path, "Dockerfile", "FROM a\n"), "Dockerfile", InputType.DOCKERFILE)
    assert result.error == "internal error while parsing: RuntimeError: boom"
    assert result.sha256 is not None


def test_paths_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    path = write(tmp_path, "mon déploiement.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    result = load_file(path, "apps/mon déploiement.yaml", InputType.YAML)
    assert result.documents[0].path == "apps/mon déploiement.yaml"
    assert result.documents[0].content[METADATA_KEY]["filepath"] == "apps/mon déploiement.yaml"
