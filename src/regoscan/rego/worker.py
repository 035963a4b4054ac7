"""The worker process: the only place regoscan touches regopy.

rego-cpp can segfault, poison an interpreter for good, print to fd 1, and expose the
process environment to policies through ``opa.runtime().env``. Running it in a child
process started with a scrubbed environment contains all of that: the parent sees a
dead pipe instead of dying, and policies see no tokens.

Protocol: one JSON object per line. Requests arrive on stdin; replies (and progress
markers, which let the parent tell which evaluation crashed) go to a private copy of
fd 1, because regopy and Rego ``print`` write to the real fd 1, redirected to stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import sys
from typing import Any

from regoscan.rego.input_nodes import NodeInput
from regoscan.rego.values import (
    UnreadableValue,
    decode_number,
    decode_string,
    engine_json,
    object_key,
    read_wire_value,
)

_UNDEFINED = {"__regoscan_undefined__": True}

# rego-cpp node kinds (regopy.rego_shared.NodeKind)
_ARRAY, _SET, _OBJECT, _OBJECT_ITEM = 1004, 1005, 1006, 1007
_INT, _FLOAT, _STRING, _TRUE, _FALSE, _NULL, _UNDEFINED_NODE = 1008, 1009, 1010, 1011, 1012, 1013, 1014
_TERM, _SCALAR, _TERMS, _RESULTS, _RESULT = 1002, 1003, 1015, 1017, 1018
_ERROR, _ERROR_SEQ = 1800, 1804


class _NodeReader:
    """Python values built from an output's node tree; no JSON text is parsed.

    rego-cpp's printed output is not JSON when a string came from ``trim`` and kin (see
    ``regoscan.rego.values``): a manifest value could inject keys and close arrays. The
    tree's structure is the engine's own, so only a string's text is interpreted, one
    string at a time. Duplicate object keys (two spellings of one string) and nodes that
    have no place in a value are errors of this evaluation, never guessed at.
    """

    def __init__(self, lib: Any) -> None:
        self._type = lib.regoNodeType
        self._size = lib.regoNodeSize
        self._get = lib.regoNodeGet
        self._value_size = lib.regoNodeValueSize
        self._value = lib.regoNodeValue
        self._cap = 4096
        self._buf = ctypes.create_string_buffer(self._cap)

    def _text(self, node: Any) -> bytes:
        size = self._value_size(node)  # counts the terminating NUL; the text may hold NULs
        if size > self._cap:
            self._cap = size
            self._buf = ctypes.create_string_buffer(size)
        if self._value(node, self._buf, size) != 0:
            raise UnreadableValue("the engine could not give a value's text")
        return ctypes.string_at(self._buf, size - 1) if size > 1 else b""

    def result(self, root: Any) -> tuple[Any, str | None]:
        """(value, error) of an entrypoint query's output node."""
        kind = self._type(root)
        if kind == _UNDEFINED_NODE:
            return _UNDEFINED, None
        if kind in (_ERROR, _ERROR_SEQ):
            return _UNDEFINED, self._errors(root)
        if kind != _RESULTS:
            return _UNDEFINED, f"engine returned an unexpected output (node kind {kind})"
        count = self._size(root)
        if count == 0:
            return _UNDEFINED, None
        if count != 1:
            return _UNDEFINED, f"engine returned {count} results for one entrypoint"
        result = self._get(root, 0)
        terms = self._get(result, 0) if self._type(result) == _RESULT and self._size(result) else None
        if terms is None or self._type(terms) != _TERMS:
            return _UNDEFINED, "engine returned an unexpected output (no expressions)"
        if self._size(terms) == 0:
            return _UNDEFINED, None
        try:
            return self.value(self._get(terms, 0)), None
        except _EngineError as exc:
            return _UNDEFINED, str(exc)
        except UnreadableValue as exc:
            return _UNDEFINED, f"engine returned an unreadable value: {exc}"
        except RecursionError:
            return _UNDEFINED, "engine returned a value nested too deeply to read"

    def _errors(self, node: Any) -> str:
        msgs = _walk_error_messages(node, _Shim(self))
        return "; ".join(dict.fromkeys(msgs)) or "evaluation failed"

    def value(self, node: Any) -> Any:
        kind = self._type(node)
        if kind == _STRING:
            return decode_string(self._text(node))
        if kind == _OBJECT:
            get, value = self._get, self.value
            out: dict[str, Any] = {}
            for i in range(self._size(node)):
                item = get(node, i)
                if self._type(item) != _OBJECT_ITEM:
                    raise UnreadableValue("an object member is not a key and a value")
                key = get(item, 0)
                name = decode_string(self._text(key)) if self._type(key) == _STRING else object_key(value(key))
                if name in out:
                    raise UnreadableValue(f"duplicate object key {name[:60]!r}")
                out[name] = value(get(item, 1))
            return out
        if kind in (_SET, _ARRAY):
            size = self._size(node)
            if size == 0:
                return []
            get, value = self._get, self.value
            items = [value(get(node, i)) for i in range(size)]
            # the tree keeps a set's insertion order; it reads back sorted, as rego-cpp prints it
            return sorted(items, key=_canonical) if kind == _SET and size > 1 else items
        if kind in (_INT, _FLOAT):
            return decode_number(self._text(node).decode("ascii", "replace"), kind == _FLOAT)
        if kind == _TRUE:
            return True
        if kind == _FALSE:
            return False
        if kind == _NULL:
            return None
        if kind in (_TERM, _SCALAR) and self._size(node) == 1:
            return self.value(self._get(node, 0))
        if kind in (_ERROR, _ERROR_SEQ):
            raise _EngineError(self._errors(node))
        raise UnreadableValue(f"unexpected node kind {kind} in a value")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class _EngineError(Exception):
    """An error node inside a value (a built-in failed while the value was built)."""


class _Shim:
    """The subset of ``rego_shared`` that ``_walk_error_messages`` uses, on raw bytes."""

    def __init__(self, reader: _NodeReader) -> None:
        self._r = reader

    def rego_node_type(self, node: Any) -> int:
        return int(self._r._type(node))

    def rego_node_value(self, node: Any) -> str:
        return self._r._text(node).decode("utf-8", "replace")

    def rego_node_size(self, node: Any) -> int:
        return int(self._r._size(node))

    def rego_node_get(self, node: Any, i: int) -> Any:
        return self._r._get(node, i)


def _walk_error_messages(node_impl: Any, rs: Any) -> list[str]:
    out: list[str] = []
    stack = [node_impl]
    while stack:
        impl = stack.pop()
        try:
            kind = rs.rego_node_type(impl)
            if kind in (1801,):  # ErrorMessage
                out.append(rs.rego_node_value(impl))
        except Exception:
            pass
        try:
            size = rs.rego_node_size(impl)
        except Exception:
            size = 0
        stack.extend(rs.rego_node_get(impl, i) for i in range(size - 1, -1, -1))
    return out


class Engine:
    """One interpreter and one compiled bundle, built once and queried many times."""

    def __init__(self) -> None:
        import regopy
        from regopy import rego_shared

        self._regopy = regopy
        self._rs = rego_shared
        self._binary = regopy.BundleFormat.Binary
        self._reader = _NodeReader(rego_shared.rego)
        self.interp: Any = None
        self.bundle: Any = None
        self.strict = False
        self._nodes: NodeInput | None = None

    def load(self, modules: list[list[str]], data: dict[str, Any], entrypoints: list[str],
             path: str | None = None, prebuilt: dict[str, str] | None = None) -> dict[str, Any]:
        """Compile the modules into a bundle; with ``path``, reuse the bundle saved there, or save it there.

        A saved bundle loads in about a millisecond instead of being compiled again: the
        runtime has one worker compile a bundle and the others load it (see
        ``PolicyRuntime._load_group``). The file is written under a temporary name and
        renamed, so a reader never sees half of it. ``prebuilt`` names a compiled copy
        shipped with regoscan (``rego.prebuilt``), loaded only when this engine built it and
        its bytes have the recorded hash; otherwise (``rejected`` says why) it is compiled.
        The reply's ``source`` says which: prebuilt, shared or compiled. A request for a
        shipped copy may leave the modules out (no need to send and parse them when the copy
        loads): if it is refused, the reply asks for them (``need_modules``).
        """
        regopy = self._regopy
        rejected: str | None = None
        if prebuilt is not None and entrypoints:
            rejected = self._prebuilt_problem(prebuilt)
            if rejected is None:
                interp = self._interpreter()
                try:
                    bundle = interp.load_bundle(prebuilt["path"], self._binary)
                    if bundle.ok():
                        self.interp, self.bundle, self.strict = interp, bundle, False
                        return {"ok": True, "source": "prebuilt"}
                    rejected = "the engine refused it"
                except regopy.RegoError as exc:
                    rejected = f"the engine could not load it: {exc}"
        if path is not None and entrypoints and os.path.isfile(path):
            interp = self._interpreter()
            try:
                self.interp, self.bundle, self.strict = interp, interp.load_bundle(path, self._binary), False
                return {"ok": True, "source": "shared", "rejected": rejected}
            except regopy.RegoError:
                pass  # compiled again below
        if prebuilt is not None and not modules:
            return {"ok": False, "need_modules": True, "rejected": rejected}
        reply = self._compile(modules, data, entrypoints, path)
        if reply.get("ok"):
            reply.update(source="compiled", rejected=rejected)
        return reply

    @classmethod
    def input_runner(cls) -> Engine:
        """An engine holding only an interpreter: each document's input is set on it once and
        every bundle is queried through it (``evaluate(..., via=runner)``)."""
        runner = cls()
        runner.interp = runner._interpreter()
        return runner

    def _interpreter(self) -> Any:
        interp = self._regopy.Interpreter()
        interp.log_level = self._regopy.LogLevel.NONE
        return interp

    def _prebuilt_problem(self, prebuilt: dict[str, str]) -> str | None:
        """Why a shipped bundle must not be used (None: it may): another engine build, other bytes."""
        if prebuilt.get("engine") != self._regopy.build_info():
            return f"built by another engine ({prebuilt.get('engine')!r})"
        try:
            with open(prebuilt["path"], "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except (OSError, KeyError) as exc:
            return f"unreadable ({exc})"
        if digest != prebuilt.get("sha256"):
            return "its bytes do not have the recorded hash"
        return None

    def _compile(self, modules: list[list[str]], data: dict[str, Any], entrypoints: list[str],
                 path: str | None) -> dict[str, Any]:
        regopy = self._regopy
        interp = self._interpreter()
        module_errors: list[dict[str, Any]] = []
        for name, text in modules:
            try:
                interp.add_module(name, text)
            except regopy.RegoError as exc:
                module_errors.append({"module": name, "errors": _parse_sexpr_errors(str(exc), text)})
        if data:
            try:
                interp.add_data_json(engine_json(data))
            except regopy.RegoError as exc:
                return {"ok": False, "module_errors": module_errors, "build_error": f"data: {exc}"}
        if module_errors:
            return {"ok": False, "module_errors": module_errors}
        if not entrypoints:
            self.interp, self.bundle = interp, None
            return {"ok": True}
        bundle = interp.build(None, entrypoints)
        if not bundle.ok():
            messages = _walk_error_messages(self._rs.rego_bundle_node(bundle._impl), self._rs)
            internal = self._error_text(interp)
            if internal and not internal.startswith("(rego-errorseq"):
                messages.append(internal)
            return {"ok": False, "build_error": "; ".join(dict.fromkeys(messages)) or "compilation failed"}
        self.interp, self.bundle, self.strict = interp, bundle, False
        if path is not None:
            tmp = f"{path}.{os.getpid()}.tmp"
            try:
                interp.save_bundle(tmp, bundle, self._binary)
                os.replace(tmp, path)
            except (regopy.RegoError, OSError):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        return {"ok": True}

    def _error_text(self, interp: Any) -> str:
        """The interpreter's last error; bytes that are not UTF-8 must not kill the worker."""
        lib = self._rs.rego
        size = lib.regoErrorSize(interp._impl)
        buf = ctypes.create_string_buffer(size)
        if lib.regoError(interp._impl, buf, size) != 0:
            return "unknown internal error"
        return buf.value.decode("utf-8", "replace")

    def set_input(self, document: Any, tree: bool = False) -> None:
        """The document as JSON text through the term parser, or with ``tree`` (the policy set
        allows it: ``input_nodes.tree_safe``) as a built tree where ``input_nodes`` can give
        it exactly: no parsing passes, half the cost."""
        if tree:
            if self._nodes is None:
                self._nodes = NodeInput(self._rs.rego)
            if self._nodes.set(self.interp._impl, document):
                return
        self.interp.set_input_term(engine_json(document))

    def evaluate(self, entrypoint: str, strict: bool = False, via: Engine | None = None) -> tuple[Any, str | None]:
        """(value, error) for one entrypoint; value is _UNDEFINED when the rule is undefined.

        ``strict``: a failing built-in call is an error instead of undefined. Without it,
        regopy drops an unused assignment whose call fails (``x := to_number("a")``) and
        the body succeeds; with it, used or unused, the call's error comes back.
        ``via``: the engine whose interpreter holds the input (a bundle can be queried
        through any interpreter; the input is then parsed once for every bundle).
        """
        rs = self._rs
        runner = via if via is not None else self
        if strict != runner.strict:
            runner.interp.strict_built_in_errors = strict
            runner.strict = strict
        try:
            out = rs.rego_bundle_query_entrypoint(runner.interp._impl, self.bundle._impl, entrypoint)
        except self._regopy.RegoError as exc:
            return _UNDEFINED, f"engine error: {exc}"
        try:
            if not rs.rego_output_ok(out):
                internal = self._error_text(runner.interp)
                if internal and not internal.startswith("(rego-errorseq"):
                    # touching `out` after an internal error segfaults: leak it on purpose
                    out = None
                    return _UNDEFINED, f"internal engine error: {internal}"
                msgs = _walk_error_messages(rs.rego_output_node(out), rs)
                return _UNDEFINED, "; ".join(dict.fromkeys(msgs)) or "evaluation failed"
            try:
                return self._reader.result(rs.rego_output_node(out))
            except Exception as exc:  # a value this reader does not know: this evaluation fails, not the worker
                return _UNDEFINED, f"engine returned an unreadable value ({type(exc).__name__})"
        finally:
            if out is not None:
                rs.rego_free_output(out)


_RULE_PATH = re.compile(rb"g[0-9]+\.data\.([^\s()]+)")


def rule_paths(name: str, text: str) -> dict[str, Any]:
    """The data paths of the rules one module defines, as rego-cpp itself parsed them.

    regoscan reads module structure with its own tokenizer (``rego.syntax``), and every
    rule it misses is a rule no check of its sees: a module of the scanned change that
    may only add ``exception`` rules to a built-in package hid a helper clause after a
    closing brace. This is the engine's own answer: the module is compiled alone (calls
    to functions it lacks are not errors in rego-cpp) and the function names of its
    compiled rules (``g0.data.<package>.<rule>``) are read from the bundle's node tree.
    """
    import regopy
    from regopy import rego_shared

    interp = regopy.Interpreter()
    interp.log_level = regopy.LogLevel.NONE
    try:
        interp.add_module(name, text)
        bundle = interp.build("true", [])
    except regopy.RegoError as exc:
        return {"ok": False, "error": " ".join(str(exc).split())[:300]}
    if not bundle.ok():
        return {"ok": False, "error": "the module does not compile alone"}
    lib = rego_shared.rego
    reader = _NodeReader(lib)
    found: set[str] = set()
    stack = [rego_shared.rego_bundle_node(bundle._impl)]
    while stack:
        node = stack.pop()
        match = _RULE_PATH.fullmatch(reader._text(node))
        if match:
            found.add(match.group(1).decode("utf-8", "replace"))
        stack.extend(lib.regoNodeGet(node, i) for i in range(lib.regoNodeSize(node)))
    return {"ok": True, "paths": sorted(found)}


_SEXPR_ERROR = re.compile(r"\(error \d+:([^|]*)\|(\d+)\|(\d+)\s*\(errormsg \d+:(.*?)\)\s*\(errorast", re.S)


def _parse_sexpr_errors(raw: str, text: str) -> list[dict[str, Any]]:
    """rego-cpp reports syntax errors as ``file|byte-offset|length``: turn them into lines."""
    data = text.encode("utf-8")
    found: list[dict[str, Any]] = []
    for _fname, off, _length, msg in _SEXPR_ERROR.findall(raw):
        offset = int(off)
        prefix = data[:offset].decode("utf-8", "replace")
        line = prefix.count("\n") + 1
        col = len(prefix) - (prefix.rfind("\n") + 1) + 1
        found.append({"line": line, "column": col, "message": " ".join(msg.split())})
    if not found:
        found.append({"line": None, "column": None, "message": " ".join(raw.split())[:500]})
    # rego-cpp lists the innermost error first and repeats enclosing constructs; keep order, drop dups
    unique: list[dict[str, Any]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _serve(proto: Any) -> None:
    # one compiled bundle per group of modules (see PolicyRuntime.define_group): a query
    # costs more the more modules its bundle holds
    engines: dict[str, Engine] = {}
    runner: Engine | None = None

    def send(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj, separators=(",", ":")) + "\n")
        proto.flush()

    send({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req.get("op")
        if op == "load":
            engine = engines.setdefault(req.get("group") or "main", Engine())
            send(engine.load(req["modules"], req.get("data") or {}, req.get("entrypoints") or [], req.get("path"),
                             req.get("prebuilt")))
        elif op == "eval":
            trace = bool(req.get("trace"))
            for job in req["jobs"]:
                # a job's entrypoints may live in several bundles (``parts``); the input is
                # set once, on an interpreter of its own, and every bundle is queried through it
                parts = job.get("parts") or [job]
                if any(engines.get(p.get("group") or "main") is None or engines[p.get("group") or "main"].bundle
                       is None for p in parts):
                    msg = "internal: the engine group of this job was not loaded"
                    eps = [ep for p in parts for ep in p["entrypoints"]]
                    send({"result": {"id": job["id"], "values": {}, "errors": dict.fromkeys(eps, msg)}})
                    continue
                if runner is None:
                    runner = Engine.input_runner()
                runner.set_input(read_wire_value(job["input"]), tree=bool(job.get("tree")))
                values: dict[str, Any] = {}
                errors: dict[str, str] = {}
                for part in parts:
                    engine = engines[part.get("group") or "main"]
                    strict = set(part.get("strict") or ())
                    for ep in part["entrypoints"]:
                        if trace:
                            send({"progress": job["id"], "entrypoint": ep})
                        value, err = engine.evaluate(ep, strict=ep in strict, via=runner)
                        if err is not None:
                            errors[ep] = err
                        elif value is not _UNDEFINED:
                            values[ep] = value
                send({"result": {"id": job["id"], "values": values, "errors": errors}})
            send({"done": True})
        elif op == "rules":
            send(rule_paths(req["name"], req["text"]))
        elif op == "ping":
            send({"pong": True})
        elif op == "info":
            import regopy

            send({"engine": regopy.build_info()})
        elif op == "exit":
            # at once: tearing down the interpreters and bundles costs time and helps no one
            proto.flush()
            os._exit(0)
        else:
            send({"error": f"unknown op {op!r}"})


def main() -> None:
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # anything regopy or a policy's print() writes lands on stderr
    proto = os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1)
    _serve(proto)


if __name__ == "__main__":
    main()
