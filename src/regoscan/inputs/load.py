"""From a file on disk to the ``Document``s checks run on.

``load_file`` never raises for what is in a file: a scan over a whole repository must
report the one broken manifest and go on with the others. Bad content (too large,
binary, not UTF-8, a parse error) and even a bug in a parser end up in
``InputFile.error`` (+ ``error_line``) for the engine to turn into a notice.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path
from typing import Any

from regoscan.inputs import kubernetes as k8s
from regoscan.inputs.derived import add_dockerfile_views, add_kubernetes_views
from regoscan.inputs.dockerfile import parse_dockerfile
from regoscan.inputs.errors import ParseError
from regoscan.inputs.forbidden import credential_shape
from regoscan.inputs.limits import MAX_BYTES
from regoscan.inputs.yamlfile import ParsedDocument, parse_json, parse_yaml
from regoscan.models import Document, InputFile, InputType, Region

CREDENTIAL_CODE = "input-credential-file"
_DOCKERFILE_START = re.compile(r"(?:FROM|ARG)\s", re.IGNORECASE)
_DOCKERFILE_DIRECTIVE = re.compile(r"#\s*(?:syntax|escape)\s*=", re.IGNORECASE)


def sniff(text: str) -> InputType:
    """Guess the type of a file whose name says nothing (named explicitly by the user).

    A Dockerfile starts, after comments and blank lines, with a parser directive or
    a FROM/ARG instruction; text starting with ``{``/``[`` is JSON; the rest is tried
    as YAML (which accepts almost anything, so prose becomes a harmless string).
    """
    for line in text.split("\n", 200)[:200]:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if _DOCKERFILE_DIRECTIVE.match(stripped):
                return InputType.DOCKERFILE
            continue
        if _DOCKERFILE_START.match(stripped):
            return InputType.DOCKERFILE
        break
    if text.lstrip()[:1] in ("{", "["):
        return InputType.JSON
    return InputType.YAML


def _decode(data: bytes) -> str:
    """UTF-8 (BOM optional), or UTF-16 when a UTF-16 BOM says so; raises ``ParseError``."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"invalid UTF-16: {exc.reason}") from None
    if b"\x00" in data:
        raise ParseError("binary file (contains NUL bytes)", data.count(b"\n", 0, data.index(b"\x00")) + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(f"not valid UTF-8 (byte offset {exc.start})", line) from None
    return text.removeprefix("\ufeff")


def _tolerated(data: bytes, hint: InputType | None, strict: ParseError) -> tuple[str, InputType, str, int]:
    """Text, type, why and line of a file that is not strict UTF-8 but is read like its consumer
    reads it; raises ``strict`` otherwise.

    Docker builds a Dockerfile whatever its bytes (a Latin-1 comment, a NUL), and Go's JSON
    decoder (kubectl, for a ``.json`` manifest) reads bytes that are not UTF-8 inside
    strings as U+FFFD. Refusing such a file left it unscanned with a warning and exit code
    0: one byte in a comment hid ``USER root``. YAML stays strict: go-yaml (kubectl, Helm)
    refuses bytes that are not UTF-8 and control characters, so such a manifest cannot be
    applied.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise strict
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    file_type = _file_type(hint, text)
    has_nul = b"\x00" in data
    if file_type is not InputType.DOCKERFILE and (file_type is not InputType.JSON or has_nul):
        raise strict
    bad = [] if not has_nul else [data.index(b"\x00")]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad.append(exc.start)
    first = min(bad)
    what = "NUL bytes and bytes that are not UTF-8" if has_nul and len(bad) > 1 else \
        "NUL bytes" if has_nul else "bytes that are not UTF-8"
    reader = "Docker" if file_type is InputType.DOCKERFILE else "kubectl's JSON decoder"
    why = (f"it holds {what} (the first at byte offset {first}), read as {reader} reads them"
           + (" (U+FFFD for each byte that is not UTF-8)" if what != "NUL bytes" else ""))
    return text, file_type, why, data.count(b"\n", 0, first) + 1


def _read(abs_path: Path, max_bytes: int) -> bytes:
    try:
        size = abs_path.stat().st_size
        if size > max_bytes:
            raise ParseError(f"file is {size} bytes, over the {max_bytes}-byte limit")
        with abs_path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat
        raise ParseError(f"file is over the {max_bytes}-byte limit")
    return data


def read_text(abs_path: Path, max_bytes: int = MAX_BYTES) -> str:
    """A file's text under the same rules as a scanned file (size checked before reading,
    UTF-8 or a UTF-16 BOM, no NUL bytes); raises ``ParseError``. Data files use it too."""
    return _decode(_read(abs_path, max_bytes))


def _structured_documents(docs: list[ParsedDocument], path: str, file_type: InputType) -> list[Document]:
    documents: list[Document] = []
    for parsed in docs:
        for item in k8s.expand_list(parsed):
            documents.append(_structured_document(item, path, file_type, len(documents)))
    return documents


def _structured_document(item: ParsedDocument, path: str, file_type: InputType, index: int) -> Document:
    if not k8s.is_kubernetes(item.value):
        return Document(path=path, input_type=file_type, content=item.value, region=item.region, index=index)
    add_kubernetes_views(item.meta_value)
    return Document(
        path=path,
        input_type=InputType.KUBERNETES,
        content=item.meta_value,
        region=item.region,
        index=index,
        kind=k8s.resource_kind(item.value),
        name=k8s.resource_name(item.value),
        namespace=k8s.resource_namespace(item.value),
    )


def _dockerfile_documents(text: str, path: str) -> list[Document]:
    content: dict[str, Any] | None = parse_dockerfile(text, path)
    if content is None:
        return []
    commands = [command for stage in content["Stages"] for command in stage["Commands"]]
    region = Region(commands[0]["StartLine"], max(c["EndLine"] for c in commands))
    add_dockerfile_views(content)
    return [Document(path=path, input_type=InputType.DOCKERFILE, content=content, region=region)]


def parse_text(text: str, rel_path: str, input_type: InputType) -> list[Document]:
    """Documents of already-decoded text; raises ``ParseError`` for bad content."""
    if input_type is InputType.DOCKERFILE:
        return _dockerfile_documents(text, rel_path)
    if input_type is InputType.JSON:
        return _structured_documents(parse_json(text, rel_path), rel_path, InputType.JSON)
    return _structured_documents(parse_yaml(text, rel_path), rel_path, InputType.YAML)


def _file_type(hint: InputType | None, text: str) -> InputType:
    if hint is None:
        return sniff(text)
    return InputType.YAML if hint is InputType.KUBERNETES else hint


def _clamp_line(line: int | None, text: str) -> int | None:
    """Parsers may blame the end-of-file position, one line past the last; point at the last."""
    if line is None or not text:
        return line
    last = text.count("\n") + (0 if text.endswith("\n") else 1)
    return max(1, min(line, last))


def load_file(
    abs_path: Path,
    rel_path: str,
    input_type_hint: InputType | None = None,
    max_bytes: int = MAX_BYTES,
) -> InputFile:
    """Read, check and parse one file; problems go to ``InputFile.error``, never raised.

    ``InputFile.input_type`` is ``KUBERNETES`` when at least one document is a
    Kubernetes object, else the file's own type (sniffed when there is no hint).
    """
    result = InputFile(path=rel_path, input_type=input_type_hint)
    text = ""
    try:
        data = _read(Path(abs_path), max_bytes)
        result.sha256 = hashlib.sha256(data).hexdigest()
        try:
            text = _decode(data)
            file_type: InputType | None = None
        except ParseError as strict:
            text, file_type, result.warning, result.warning_line = _tolerated(data, input_type_hint, strict)
        refused = credential_shape(text)
        if refused is not None:  # a path rule missed it (a copy, say): no parser or policy sees it
            result.error, result.error_code = f"not read: {refused}", CREDENTIAL_CODE
            result.warning = result.warning_line = None
            return result
        result.input_type = file_type or _file_type(input_type_hint, text)
        result.documents = parse_text(text, rel_path, result.input_type)
    except ParseError as exc:
        result.error, result.error_line = exc.message, _clamp_line(exc.line, text)
        result.warning = result.warning_line = None
        return result
    except Exception as exc:  # a parser bug must not end the scan
        result.error = f"internal error while parsing: {type(exc).__name__}: {exc}"
        return result
    if any(doc.input_type is InputType.KUBERNETES for doc in result.documents):
        result.input_type = InputType.KUBERNETES
    return result
