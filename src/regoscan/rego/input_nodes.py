"""A document handed to rego-cpp as a tree it need not parse.

Why: ``set_input_term`` runs the document's text through rego-cpp's reader and its
rewriting passes, about a third of a millisecond per KB: a quarter of a cold scan's
engine time. rego-cpp's C API also takes a value built on a stack, one call per scalar
and container (``regoNewInput``, ``regoInputString``, ``regoInputObject``...), which
``regoSetInput`` clones and turns into terms without any pass: the corpus's 446
documents took 0.46 s as text and 0.21 s built here (``bench/RESULTS.md``).

regopy's own builder (``regopy.Input``) is not usable: it hands strings over raw while
rego-cpp stores the text of an input string JSON-escaped (a quote or newline in a value
became an "Invalid escape sequence", and a NUL ended the string), prints floats with
``%f`` (1.5e-07 became 0.000000) and wraps integers beyond 64 bits. This builder gives
each string the escaped text the term parser keeps (``json.dumps`` without the quotes,
UTF-8 kept, as ``values.engine_json`` writes it), so every string, number and key is
stored as the text would have stored it. Whatever it cannot give exactly it declines, and
the caller sends the text instead: a float, an integer beyond 64 bits, a string that is
not valid UTF-8 (a lone surrogate, which ``engine_json`` escapes), a value nested past
Python's recursion limit, or anything rego-cpp refused while the tree was built.

The tree is not quite the parsed one: ``regoInputArray`` leaves its elements bare where
the parser wraps each in a term (``regoInputObjectItem`` does wrap keys and values).
Evaluation reads both alike (every built-in check's value on the corpus, and the
built-ins of ``tests/test_input_nodes.py``), but the built-ins that serialise a value
through a well-formedness-checked rewrite refuse it: ``json.marshal`` of anything holding
an input array fails, and the rule is silently undefined. So a policy set that names one
of them anywhere (``tree_safe``) gets its documents as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ctypes

_SPECIAL = re.compile(r'["\\\x00-\x1f]')
_INT64 = (-(1 << 63), (1 << 63) - 1)
# escaped keys and short values, kept across documents: manifests repeat their keys, and
# every node's metadata names its file; a long value is rarely repeated and not kept
_CACHE_LIMIT = 50_000
_CACHE_LONGEST = 256

# rego-cpp 1.5.2 runs a well-formedness-checked rewrite over the value in json.marshal,
# json.marshal_with_options, yaml.marshal and io.jwt.encode_sign(_raw): matched as text, so
# a comment or string that mentions one also counts (only ever sending text, never wrong)
_SERIALISING = ("marshal", "encode_sign")


def tree_safe(module_texts: Iterable[str]) -> bool:
    """Whether documents may be built as trees for a policy set of these modules' source.

    False when any module mentions a built-in that refuses a built tree's arrays (module
    docstring): every document then goes as text, for every check of the set.
    """
    return not any(name in text for text in module_texts for name in _SERIALISING)


class Declined(Exception):
    """A value this builder cannot give rego-cpp exactly; the text must go instead."""


class NodeInput:
    """Builds and sets inputs through rego-cpp's stack API (one instance per worker)."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        import ctypes  # here: the parent process imports this module only for tree_safe
        # function objects of our own (``lib[name]`` is not cached): regopy's copies keep
        # their return types, and here a failed push needs no check, since rego-cpp keeps
        # the input's first error and ``regoSetInput`` refuses an input in error
        def fn(name: str, *args: Any, restype: Any = None) -> Any:
            f = lib[name]
            f.argtypes = list(args)
            f.restype = restype
            return f

        vp = ctypes.c_void_p
        self._new = fn("regoNewInput", restype=vp)
        self._free = fn("regoFreeInput", vp)
        self._set = fn("regoSetInput", vp, vp, restype=ctypes.c_uint32)
        self._string = fn("regoInputString", vp, ctypes.c_char_p)
        self._int = fn("regoInputInt", vp, ctypes.c_int64)
        self._bool = fn("regoInputBoolean", vp, ctypes.c_bool)
        self._null = fn("regoInputNull", vp)
        self._item = fn("regoInputObjectItem", vp)
        self._object = fn("regoInputObject", vp, ctypes.c_uint32)
        self._array = fn("regoInputArray", vp, ctypes.c_uint32)
        self._escaped: dict[str, bytes] = {}

    def escaped(self, text: str) -> bytes:
        """The string's text as the term parser keeps it: JSON-escaped, without quotes, UTF-8.

        Raises UnicodeEncodeError for a lone surrogate (not UTF-8: the caller sends text), and
        Declined for a key that is not a string (JSON text turns it into one).
        """
        out = self._escaped.get(text)
        if out is None:
            if type(text) is not str:  # a key JSON would turn into a string: the text says how
                raise Declined(f"a {type(text).__name__} key")
            body = json.dumps(text, ensure_ascii=False)[1:-1] if _SPECIAL.search(text) else text
            out = body.encode("utf-8")
            if len(text) <= _CACHE_LONGEST and len(self._escaped) < _CACHE_LIMIT:
                self._escaped[text] = out
        return out

    def set(self, interp: Any, value: Any) -> bool:
        """Set ``value`` as the input of the interpreter handle ``interp``; False: declined, nothing set."""
        handle = self._new()
        try:
            try:
                self._push(handle, value)
            except (Declined, UnicodeEncodeError, RecursionError):
                return False
            return self._set(interp, handle) == 0
        finally:
            self._free(handle)

    def _push(self, handle: int, value: Any) -> None:
        string, integer, boolean, null = self._string, self._int, self._bool, self._null
        item, obj, array, escaped, cache = self._item, self._object, self._array, self.escaped, self._escaped
        low, high = _INT64

        def push(v: Any) -> None:
            kind = type(v)
            if kind is str:
                string(handle, cache.get(v) or escaped(v))
            elif kind is dict:
                for key, member in v.items():
                    string(handle, cache.get(key) or escaped(key))
                    push(member)
                    item(handle)
                obj(handle, len(v))
            elif kind is list:
                for member in v:
                    push(member)
                array(handle, len(v))
            elif kind is int:
                if not low <= v <= high:
                    raise Declined("an integer beyond 64 bits")
                integer(handle, v)
            elif kind is bool:
                boolean(handle, v)
            elif v is None:
                null(handle)
            else:  # float (printed with %f by rego-cpp), or anything JSON does not give
                raise Declined(f"a {kind.__name__}")

        push(value)
