"""Values into and out of the engine, without trusting rego-cpp's JSON text.

rego-cpp 1.5.2 keeps each string as the text it came from, in one of three forms:
JSON-escaped without quotes (input, data, literals, ``split``, ``substring``, ``sprintf``),
JSON-escaped with its quotes (``upper``, ``lower``, ``replace``, ``concat``), or raw, with
nothing escaped (``trim``, ``trim_space``, ``trim_prefix``... unescape their argument).
Its printer writes a string's text between quotes as it is, so a raw string holding a
quote ends the JSON string early: a manifest value echoed through ``trim`` rewrote the
structure of a scan's results (findings erased, keys replaced). ``json.marshal`` makes
the same mistake inside its own text. So the worker walks the result's node tree
(structure cannot be forged there) and reads each string with ``decode_string``, which
takes the three forms apart as well as they can be: a raw string that happens to be
valid escaped text is read as escaped text, so the worst a hostile value can do is garble
its own string, never add, drop or rename anything around it.

``engine_json`` is the other direction: data, and the inputs the worker's tree builder
declines (``input_nodes``), as JSON text with non-ASCII kept as UTF-8, because rego-cpp's
string built-ins work on the escaped text (``count("é")`` was 6 with ``\\u00e9``,
``startswith`` and ``substring`` were wrong, ``upper`` turned ``\\u00e9`` into ``\\U00E9``).
"""

from __future__ import annotations

import base64
import json
import marshal
import math
import re
from typing import Any


class UnreadableValue(ValueError):
    """A value the engine returned that cannot be read faithfully (the evaluation fails)."""


_SPECIAL = re.compile(rb'["\\\x00-\x1f]')
# ``upper`` upper-cases the escape letters of the escaped text it works on: ``\t`` -> ``\T``
_UPPER_ESCAPE = re.compile(rb"\\(.)", re.S)
_ESCAPE_LETTERS = frozenset(b"BFNRTU")


def _lower_escape(match: re.Match[bytes]) -> bytes:
    letter = match.group(1)
    return b"\\" + (letter.lower() if letter[0] in _ESCAPE_LETTERS else letter)


def _escaped(body: bytes) -> str | None:
    """``body`` read as the inside of a JSON string, or None when it is not one."""
    if not _SPECIAL.search(body):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    for candidate in (body, _UPPER_ESCAPE.sub(_lower_escape, body)):
        try:
            value = json.loads(b'"' + candidate + b'"')
        except ValueError:
            continue
        if isinstance(value, str):
            return value
    return None


def _raw(text: bytes) -> str:
    """Unescaped bytes. Surrogate pairs written as separate 3-byte sequences (CESU-8,
    which rego-cpp produces when it unescapes ``\\ud83d\\ude00``) are joined again."""
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        halves = text.decode("utf-8", "surrogatepass")
        return halves.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeError:
        raise UnreadableValue("the engine returned a string that is not valid UTF-8") from None


def decode_string(text: bytes) -> str:
    """The value of one string node, whatever form rego-cpp keeps it in."""
    value: str | None = None
    if len(text) >= 2 and text[:1] == b'"' and text[-1:] == b'"':
        value = _escaped(text[1:-1])
    if value is None:
        value = _escaped(text)
    if value is None:
        value = _raw(text)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnreadableValue("the engine returned a string with an unpaired surrogate") from None
    return value


def decode_number(text: str, is_float: bool) -> int | float | str:
    """A number the engine holds, or its text when it does not fit.

    rego-cpp prints doubles with 16 significant digits, so the largest double comes out as
    ``1.797693134862316e+308``, which reads back as infinity; a policy returning it (in
    metadata, say) then put ``Infinity`` into the SARIF and the JSON output, which is not
    JSON. Overflowing numbers stay text, as in the input parsers; so do integers too long
    for Python to convert.
    """
    try:
        if not is_float:
            return int(text)
        value = float(text)
    except ValueError:
        if text and all(c in "0123456789+-.eE" for c in text):
            return text
        raise UnreadableValue(f"the engine returned a malformed number {text[:40]!r}") from None
    return value if math.isfinite(value) else text


def object_key(key: Any) -> str:
    """An object key as JSON names it: strings as they are, anything else as compact JSON
    (what rego-cpp's printer wrote: ``{1: x}`` came out as ``{"1": x}``)."""
    if isinstance(key, str):
        return key
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


def wire_value(value: Any) -> str:
    """A document as a worker request carries it: its values marshalled, in base64.

    Why not its JSON text: the parent wrote each document as JSON (17 ms for the corpus),
    escaped that text again inside the request line (7 ms), and the worker read the line,
    then the text (20 ms); marshal writes and reads the values several times faster, and
    keeps them exact (floats, big integers, lone surrogates). The worker builds the
    engine's input from the values (``input_nodes``) and writes ``engine_json`` text only
    for what the builder declines. Parent and worker run the same interpreter (the
    format's version matches), and the parent is the only writer of a worker's requests.
    """
    return base64.b64encode(marshal.dumps(value)).decode("ascii")


def read_wire_value(text: str) -> Any:
    """The document ``wire_value`` wrote."""
    return marshal.loads(base64.b64decode(text))


def engine_json(value: Any) -> str:
    """``value`` as JSON text for the engine: UTF-8 kept, only what JSON requires escaped.

    Text with an unpaired surrogate (a JSON input may hold ``"\\ud800"``) cannot be UTF-8:
    such a value is sent escaped, as before.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text
