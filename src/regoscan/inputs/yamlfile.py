"""YAML and JSON documents with the line numbers of every node.

Why not ``yaml.safe_load``: checks report findings on the exact lines of the node
that failed (Trivy's ``__defsec_metadata``), so we need the start and end line of
every mapping, absolute in the file, which ``safe_load`` throws away. Why not
``yaml.compose``: its composer recurses once per nesting level (a C-stack overflow
risk with libyaml, ``RecursionError`` without) and expands nothing, so an alias bomb
only explodes later, in whoever serialises the value. So we read the *event* stream
(fast with libyaml, and iterative), build a small node tree with an explicit stack,
count nodes *as aliases would expand them* before constructing anything, and
construct plain Python values (SafeLoader semantics, never arbitrary objects) with
another explicit stack.

Values always end up JSON-serialisable because they are handed to Rego:

* timestamps stay the string written in the file (``2024-01-02``);
* ``!!binary`` stays its base64 text (whitespace removed);
* ``.inf``/``.nan`` (and JSON numbers that overflow a double) stay their text;
* mapping keys are strings: ``true``/``false``/``null`` for booleans and null, ``str()``
  for numbers, compact sorted JSON for complex keys;
* unknown tags (``!Ref``, ``!!python/object``...) are ignored: the node is read as the
  plain scalar, list or mapping it is written as;
* duplicate keys: the last one wins (as in Kubernetes); merge keys (``<<``) work as in
  PyYAML; ``!!set`` is a mapping of nulls; recursive aliases are refused;
* a key the user spelled ``__defsec_metadata`` is overwritten in the metadata copy (as
  in Trivy); the plain value keeps it.

Line numbers count ``\n`` only (CRLF is folded first). YAML also breaks lines at a lone
CR, NEL, LS and PS; a file using those inside values gets shifted line numbers, which
are clamped to the file's last line.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor

from regoscan.inputs.errors import LimitError, ParseError
from regoscan.models import Region

MAX_NODES = 1_000_000
"""Nodes a file may expand to (counting every alias expansion): stops alias bombs."""
MAX_DEPTH = 500
"""Nesting levels a document may have: deeper is hostile, not configuration."""
METADATA_KEY = "__defsec_metadata"

_LOADER: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_USES_LIBYAML = _LOADER is not yaml.SafeLoader

_T = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _STR = _T + "null", _T + "bool", _T + "int", _T + "float", _T + "str"
_BINARY, _MERGE = _T + "binary", _T + "merge"

_SCALAR, _SEQ, _MAP = 0, 1, 2


@dataclass
class ParsedDocument:
    """One YAML/JSON document: the value twice, and where it sits in its file."""

    value: Any
    """The plain value (what ``yaml.safe_load`` would give, modulo the conversions above)."""
    meta_value: Any
    """The same value where every mapping carries ``__defsec_metadata``."""
    region: Region
    """First and last content lines of the document, absolute in the file."""


class _Node:
    """A composed node; lines are 1-based and absolute in the file.

    ``value`` is the text of a scalar, the items of a sequence, or ``[k0, v0, k1, v1...]``
    for a mapping. ``lines`` holds, per item or pair, the line the child "starts" on for
    metadata purposes: the ``- `` line of a block sequence item, the key line of a pair.
    ``end`` is the last line holding content of the node.
    """

    __slots__ = ("done", "end", "flow", "kind", "lines", "size", "start", "tag", "value")

    def __init__(self, kind: int, tag: str, value: Any, start: int, end: int, flow: bool) -> None:
        self.kind = kind
        self.tag = tag
        self.value = value
        self.start = start
        self.end = end
        self.flow = flow
        self.lines: list[int] = []
        self.size = 1
        self.done = kind == _SCALAR


# --------------------------------------------------------------------------- tree building


class _TreeBuilder:
    """Assembles nodes from either composer, enforcing the depth and expansion limits."""

    def __init__(self, lines: list[str], max_nodes: int, max_depth: int, budget: list[int]) -> None:
        self.lines = lines
        self.last_line = max(1, len(lines))  # libyaml may put empty nodes past the end
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.budget = budget  # shared by every document of a file: [nodes expanded so far]
        self.stack: list[_Node] = []
        self.cols: list[int] = []
        self.pending: list[tuple[_Node, int] | None] = []
        self.root: _Node | None = None
        self.root_start = 0

    def _count(self, n: int, line: int) -> None:
        self.budget[0] += n
        if self.budget[0] > self.max_nodes:
            raise LimitError(
                f"document expands to more than {self.max_nodes} nodes (alias bomb?); refusing to load it",
                line,
            )

    def open(self, kind: int, tag: str, line: int, col: int, flow: bool) -> _Node:
        if len(self.stack) >= self.max_depth:
            raise LimitError(f"nesting deeper than {self.max_depth} levels; refusing to load it", line)
        self._count(1, line)
        line = min(line, self.last_line)
        node = _Node(kind, tag, [], line, line, flow)
        self.stack.append(node)
        self.cols.append(col)
        self.pending.append(None)
        return node

    def close(self, end_line: int) -> None:
        node = self.stack.pop()
        col = self.cols.pop()
        if self.pending.pop() is not None:
            raise ParseError("mapping key without a value", node.end)
        if node.flow:
            node.end = max(node.end, min(end_line, self.last_line))
        node.done = True
        self.attach(node, node.start, node.end, col)

    def scalar(self, tag: str, text: str, line: int, end: int, col: int) -> _Node:
        self._count(1, line)
        line = min(line, self.last_line)
        node = _Node(_SCALAR, tag, text, line, max(line, min(end, self.last_line)), False)
        self.attach(node, line, node.end, col)
        return node

    def alias(self, node: _Node, line: int, col: int) -> None:
        if not node.done:
            raise ParseError("recursive alias: a node cannot contain itself", line)
        self._count(node.size, line)
        line = min(line, self.last_line)
        self.attach(node, line, line, col)

    def attach(self, child: _Node, start: int, end: int, col: int) -> None:
        """Add a finished child (or an alias to one) to the open collection, or make it the root.

        ``start``/``end`` are the lines of this *occurrence*: for an alias, where the
        ``*name`` is written, not where the anchored node is.
        """
        if not self.stack:
            self.root, self.root_start = child, start
            return
        parent = self.stack[-1]
        parent.size += child.size
        parent.end = max(parent.end, end)
        if parent.kind == _SEQ:
            parent.value.append(child)
            parent.lines.append(start if parent.flow else self._dash_line(start, col, parent.start))
            return
        pending = self.pending[-1]
        if pending is None:
            self.pending[-1] = (child, start)
            return
        parent.value.append(pending[0])
        parent.value.append(child)
        parent.lines.append(pending[1])
        self.pending[-1] = None

    def _dash_line(self, line: int, col: int, floor: int) -> int:
        """The line of the ``-`` introducing a block sequence item.

        Usually the item starts on the dash's line; after a bare ``-`` (or ``- # note``)
        it starts below, and Trivy's convention points at the dash.
        """
        lines = self.lines
        index = line - 1
        if index >= len(lines) or lines[index][:col].strip():
            return line
        for prev in range(index - 1, floor - 2, -1):
            text = lines[prev].strip()
            if not text or text.startswith("#"):
                continue
            text = re.split(r"\s#", text, maxsplit=1)[0].rstrip()
            return prev + 1 if text.endswith("-") else line
        return line


# --------------------------------------------------------------------------- YAML composer


def _yaml_error(exc: yaml.YAMLError, text: str) -> ParseError:
    """Turn PyYAML's multi-line error text into one message and a line."""
    if isinstance(exc, yaml.reader.ReaderError):
        position = exc.position
        if _USES_LIBYAML:  # libyaml reports a byte offset into the UTF-8 encoding
            line = text.encode("utf-8", "surrogatepass")[:position].count(b"\n") + 1
        else:
            line = text.count("\n", 0, position) + 1
        return ParseError(str(exc).split("\n", 1)[0], line)
    if isinstance(exc, yaml.MarkedYAMLError):
        message = ": ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        mark = exc.problem_mark or exc.context_mark
        return ParseError(message, mark.line + 1 if mark is not None else None)
    return ParseError(str(exc))


def _scalar_end(event: ev.ScalarEvent, lines: list[str]) -> int:
    """Last line (0-based) holding the scalar's content.

    A block scalar's end mark sits after its trailing line breaks (the start of the next
    line, or further with ``|+``); metadata must stop at the last line with content.
    """
    start = event.start_mark.line
    end = event.end_mark.line
    if end == start:  # most scalars: one line
        return start
    if event.end_mark.column == 0:
        end -= 1
    if event.style in ("|", ">"):
        end = min(end, len(lines) - 1)
        while end > start and not lines[end].strip():
            end -= 1
    return max(start, end)


def _compose_yaml(text: str, lines: list[str], max_nodes: int, max_depth: int) -> Iterator[tuple[_Node, int] | None]:
    """Yield ``(root, root_line)`` per document (``None`` for an empty one)."""
    budget = [0]
    loader = None
    try:
        loader = _LOADER(text)
        builder: _TreeBuilder | None = None
        anchors: dict[str, _Node] = {}
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, ev.ScalarEvent):  # most events: straight to the builder
                if builder is not None:
                    _compose_scalar(event, builder, anchors, loader, lines)
            elif isinstance(event, ev.DocumentStartEvent):
                builder = _TreeBuilder(lines, max_nodes, max_depth, budget)
                anchors = {}
            elif isinstance(event, ev.DocumentEndEvent):
                if builder is not None and builder.root is not None:
                    yield builder.root, builder.root_start
                builder = None
            elif builder is not None:
                _compose_event(event, builder, anchors, loader, lines)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text) from None
    finally:
        if loader is not None:
            loader.dispose()


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
"""Tags of untagged scalars by text and implicitness: manifests repeat their keys and values,
and the resolver's regular expressions were a tenth of parsing. Only short texts are kept."""
_RESOLVED_LIMIT, _RESOLVED_LONGEST = 20_000, 64


def _compose_scalar(
    event: ev.ScalarEvent, builder: _TreeBuilder, anchors: dict[str, _Node], resolver: Any, lines: list[str]
) -> None:
    tag, value = event.tag, event.value
    if tag is None or tag == "!":
        key = (value, event.implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = resolver.resolve(yaml.ScalarNode, value, event.implicit)
            if len(value) <= _RESOLVED_LONGEST and len(_RESOLVED) < _RESOLVED_LIMIT:
                _RESOLVED[key] = tag
    node = builder.scalar(tag, value, event.start_mark.line + 1, _scalar_end(event, lines) + 1,
                          event.start_mark.column)
    if event.anchor is not None:
        anchors[event.anchor] = node


def _compose_event(
    event: ev.Event, builder: _TreeBuilder, anchors: dict[str, _Node], resolver: Any, lines: list[str]
) -> None:
    """Any event but a scalar (``_compose_scalar``) and a document's start or end."""
    line, col = event.start_mark.line + 1, event.start_mark.column
    if isinstance(event, ev.AliasEvent):
        target = anchors.get(event.anchor)
        if target is None:
            raise ParseError(f"found undefined alias {event.anchor!r}", line)
        builder.alias(target, line, col)
    elif isinstance(event, ev.SequenceStartEvent | ev.MappingStartEvent):
        kind = _SEQ if isinstance(event, ev.SequenceStartEvent) else _MAP
        node = builder.open(kind, event.tag or "", line, col, event.flow_style is True)
        if event.anchor is not None:
            anchors[event.anchor] = node
    elif isinstance(event, ev.SequenceEndEvent | ev.MappingEndEvent):
        builder.close(event.end_mark.line + 1)


# --------------------------------------------------------------------------- JSON composer

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_JSON_WS = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": _BOOL, "false": _BOOL, "null": _NULL}


class _JsonComposer:
    """A strict, iterative JSON reader that records the line of every token.

    Needed because PyYAML rejects some valid JSON (tabs, keys over 1024 characters,
    surrogate-pair escapes with libyaml) and, being YAML 1.1, reads ``1e3`` as a string.
    """

    def __init__(self, text: str, builder: _TreeBuilder) -> None:
        self.text = text
        self.builder = builder
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.pos = 0
        self.first: list[bool] = []  # per open container: nothing read inside it yet

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos)

    def fail(self, message: str, pos: int | None = None) -> ParseError:
        return ParseError(message, self.line(self.pos if pos is None else pos))

    def skip(self) -> str:
        match = _JSON_WS.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()
        return self.text[self.pos : self.pos + 1]

    def compose(self) -> _Node | None:
        if not self.skip():
            return None
        self.value()
        while self.builder.stack:
            self.step()
        if self.skip():
            raise self.fail("extra data after the JSON value")
        return self.builder.root

    def value(self) -> None:
        """Read a scalar, or open a container for ``step`` to fill (no recursion)."""
        char, pos = self.skip(), self.pos
        line = self.line(pos)
        col = pos - self.line_starts[line - 1]
        if char in ("{", "["):
            kind = _MAP if char == "{" else _SEQ
            self.builder.open(kind, _T + ("map" if kind == _MAP else "seq"), line, col, True)
            self.first.append(True)
            self.pos += 1
            return
        tag, text, end = self.scalar(char, pos)
        self.pos = end
        self.builder.scalar(tag, text, line, line, col)

    def step(self) -> None:
        """Inside the innermost open container: the next element, or its closer."""
        node = self.builder.stack[-1]
        closer = "}" if node.kind == _MAP else "]"
        char = self.skip()
        if char == closer:
            self.pos += 1
            self.first.pop()
            self.builder.close(self.line(self.pos - 1))
            return
        if self.first[-1]:
            self.first[-1] = False
        elif char == ",":
            self.pos += 1
        else:
            raise self.fail(f"expected ',' or '{closer}'" if char else "unexpected end of JSON input")
        if node.kind == _MAP:
            self.key()
        self.value()

    def key(self) -> None:
        char = self.skip()
        if char != '"':
            raise self.fail("expected a string key" if char else "unexpected end of JSON input")
        line = self.line(self.pos)
        tag, text, end = self.scalar(char, self.pos)
        self.builder.scalar(tag, text, line, line, self.pos - self.line_starts[line - 1])
        self.pos = end
        if self.skip() != ":":
            raise self.fail("expected ':' after an object key")
        self.pos += 1

    def scalar(self, char: str, pos: int) -> tuple[str, str, int]:
        text = self.text
        if char == '"':
            try:
                value, end = scanstring(text, pos + 1, True)
            except json.JSONDecodeError as exc:
                raise self.fail(exc.msg, exc.pos) from None
            return _STR, value, end
        match = _NUMBER.match(text, pos)
        if match:
            tag = _FLOAT if match.group(1) or match.group(2) else _INT
            return tag, match.group(0), match.end()
        for word, tag in _LITERALS.items():
            if text.startswith(word, pos):
                return tag, word, pos + len(word)
        raise self.fail("expected a JSON value" if char else "unexpected end of JSON input")


# --------------------------------------------------------------------------- construction

_CONSTRUCTOR = SafeConstructor()
_MERGE_KEY = object()
_PLAIN_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _scalar_value(node: _Node) -> Any:
    tag, text = node.tag, node.value
    try:
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(yaml.ScalarNode(tag, text))
        if tag == _INT:
            if _PLAIN_DECIMAL.fullmatch(text):  # the common case, without YAML 1.1's forms
                return int(text)
            return _CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode(tag, text))
        if tag == _FLOAT:
            number = _CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(tag, text))
            return number if math.isfinite(number) else text
    except (ValueError, KeyError, TypeError, IndexError):
        raise ParseError(f"{text!r} is not a valid {tag.rsplit(':', 1)[-1]}", node.start) from None
    if tag == _BINARY:
        return "".join(text.split())
    return text  # timestamps, unknown tags: the text as written


def _key_string(value: Any) -> str:
    """Mapping keys become strings, spelled the way Kubernetes' YAML-to-JSON does it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class _Frame:
    """A collection being constructed: both copies, and where we are in its children."""

    __slots__ = ("index", "key", "merges", "meta", "node", "plain", "start")

    def __init__(self, node: _Node, start: int) -> None:
        self.node = node
        self.start = start
        self.index = 0
        self.key: Any = None
        self.merges: list[tuple[Any, Any, int]] = []
        is_map = node.kind == _MAP
        self.plain: Any = {} if is_map else []
        self.meta: Any = {} if is_map else []


class _Constructor:
    """Builds the plain value and the metadata copy in one pass, without recursion.

    Aliases are constructed afresh at every use (the budget already counted them), so
    each occurrence gets its own metadata: a mapping starts at the line of its key, or
    of its ``- `` in a block sequence, wherever its content was written.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def build(self, root: _Node, root_line: int) -> tuple[Any, Any]:
        if root.kind == _SCALAR:
            value = _scalar_value(root)
            return value, value
        stack = [_Frame(root, root_line)]
        while True:
            frame = stack[-1]
            child = self._next_child(frame)
            if child is None:
                stack.pop()
                result = self._finish(frame)
                if not stack:
                    return result
                self._deliver(stack[-1], result)
            elif child[0].kind == _SCALAR:
                value = _scalar_value(child[0])
                self._deliver(frame, (value, value))
            else:
                stack.append(_Frame(*child))

    def _next_child(self, frame: _Frame) -> tuple[_Node, int] | None:
        node, index = frame.node, frame.index
        if index >= len(node.lines):
            return None
        frame.index += 1
        if node.kind == _SEQ:
            return node.value[index], node.lines[index]
        frame.key = self._key(node.value[2 * index])
        return node.value[2 * index + 1], node.lines[index]

    def _key(self, node: _Node) -> Any:
        if node.kind == _SCALAR:
            if node.tag == _MERGE:
                return _MERGE_KEY
            return _key_string(_scalar_value(node))
        # Complex keys are rare; their nesting is bounded by MAX_DEPTH.
        return _key_string(self.build(node, node.start)[0])

    def _deliver(self, frame: _Frame, result: tuple[Any, Any]) -> None:
        if frame.node.kind == _SEQ:
            frame.plain.append(result[0])
            frame.meta.append(result[1])
        elif frame.key is _MERGE_KEY:
            frame.merges.append((result[0], result[1], frame.node.lines[frame.index - 1]))
        else:
            frame.plain[frame.key] = result[0]
            frame.meta[frame.key] = result[1]

    def _finish(self, frame: _Frame) -> tuple[Any, Any]:
        if frame.node.kind == _SEQ:
            return frame.plain, frame.meta
        plain, meta = frame.plain, frame.meta
        if frame.merges:
            plain, meta = _apply_merges(frame.merges, plain, meta)
        meta[METADATA_KEY] = {
            "startline": frame.start,
            "endline": max(frame.node.end, frame.start),
            "filepath": self.path,
        }
        return plain, meta


def _apply_merges(
    merges: list[tuple[Any, Any, int]], plain: dict[str, Any], meta: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """YAML merge keys with PyYAML's precedence: explicit keys, then earlier sources."""
    merged_plain: dict[str, Any] = {}
    merged_meta: dict[str, Any] = {}
    for source_plain, source_meta, line in merges:
        if isinstance(source_plain, dict):
            sources = [(source_plain, source_meta)]
        elif isinstance(source_plain, list) and all(isinstance(item, dict) for item in source_plain):
            sources = list(zip(source_plain, source_meta, strict=True))[::-1]
        else:
            raise ParseError("expected a mapping or list of mappings for merging", line)
        for sub_plain, sub_meta in sources:
            merged_plain.update(sub_plain)
            merged_meta.update((k, v) for k, v in sub_meta.items() if k != METADATA_KEY)
    merged_plain.update(plain)
    merged_meta.update(meta)
    return merged_plain, merged_meta


# --------------------------------------------------------------------------- public API


def normalise_text(text: str) -> str:
    """Drop a BOM and CRLF line ends (line numbers are unchanged; YAML folds CRLF anyway)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def _documents(roots: Iterable[tuple[_Node, int]], path: str) -> list[ParsedDocument]:
    constructor = _Constructor(path)
    documents = []
    for root, root_line in roots:
        value, meta_value = constructor.build(root, root_line)
        if value is None:
            continue  # an empty or comment-only document
        documents.append(ParsedDocument(value, meta_value, Region(root_line, max(root.end, root_line))))
    return documents


def _parse_yaml_text(text: str, path: str, max_nodes: int, max_depth: int) -> list[ParsedDocument]:
    roots = list(_compose_yaml(text, text.split("\n"), max_nodes, max_depth))
    return _documents(roots, path)


def _parse_json_text(text: str, path: str, max_nodes: int, max_depth: int) -> list[ParsedDocument]:
    builder = _TreeBuilder(text.split("\n"), max_nodes, max_depth, [0])
    root = _JsonComposer(text, builder).compose()
    return _documents([(root, builder.root_start)] if root is not None else [], path)


def parse_yaml(text: str, path: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> list[ParsedDocument]:
    """Parse a (multi-document) YAML text; ``path`` goes into ``__defsec_metadata``.

    Text that starts with ``{`` or ``[`` is read as strict JSON first (as Trivy does), so
    ``1e3`` is a number rather than YAML 1.1's string; YAML is the fallback.
    """
    text = normalise_text(text)
    if text.lstrip()[:1] in ("{", "["):
        try:
            return _parse_json_text(text, path, max_nodes, max_depth)
        except LimitError:
            raise
        except ParseError:
            pass
    return _parse_yaml_text(text, path, max_nodes, max_depth)


def parse_json(text: str, path: str, *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> list[ParsedDocument]:
    """Parse a JSON text: strict JSON with line numbers, else YAML (which takes most JSON).

    If both fail the JSON error is reported, since the file claims to be JSON.
    """
    text = normalise_text(text)
    try:
        return _parse_json_text(text, path, max_nodes, max_depth)
    except LimitError:
        raise
    except ParseError as json_error:
        try:
            return _parse_yaml_text(text, path, max_nodes, max_depth)
        except ParseError:
            raise json_error from None
