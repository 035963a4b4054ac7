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
import json
import math
import os
import re
import sys
from typing import Any

_UNDEFINED = {"__regoscan_undefined__": True}


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
        self.interp: Any = None
        self.bundle: Any = None
        self.strict = False

    def load(self, modules: list[list[str]], data: dict[str, Any], entrypoints: list[str],
             path: str | None = None) -> dict[str, Any]:
        """Compile the modules into a bundle; with ``path``, reuse the bundle saved there, or save it there.

        A saved bundle loads in about a millisecond instead of being compiled again: the
        runtime has one worker compile a bundle and the others load it (see
        ``PolicyRuntime.run``). The file is written under a temporary name and renamed,
        so a reader never sees half of it.
        """
        regopy = self._regopy
        interp = regopy.Interpreter()
        interp.log_level = regopy.LogLevel.NONE
        if path is not None and entrypoints and os.path.isfile(path):
            try:
                self.interp, self.bundle, self.strict = interp, interp.load_bundle(path, self._binary), False
                return {"ok": True, "loaded": True}
            except regopy.RegoError:
                pass  # compiled again below
        module_errors: list[dict[str, Any]] = []
        for name, text in modules:
            try:
                interp.add_module(name, text)
            except regopy.RegoError as exc:
                module_errors.append({"module": name, "errors": _parse_sexpr_errors(str(exc), text)})
        if data:
            try:
                interp.add_data_json(json.dumps(data))
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
            internal = self._rs.rego_get_error(interp._impl)
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

    def set_input(self, input_json: str) -> None:
        self.interp.set_input_term(input_json)

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
                internal = rs.rego_get_error(runner.interp._impl)
                if internal and not internal.startswith("(rego-errorseq"):
                    # touching `out` after an internal error segfaults: leak it on purpose
                    out = None
                    return _UNDEFINED, f"internal engine error: {internal}"
                msgs = _walk_error_messages(rs.rego_output_node(out), rs)
                return _UNDEFINED, "; ".join(dict.fromkeys(msgs)) or "evaluation failed"
            text = rs.rego_output_string(out)
            if text == "undefined":
                return _UNDEFINED, None
            try:
                parsed = json.loads(text, parse_float=_finite_float)
            except ValueError:
                msgs = re.findall(r"\(errormsg \d+:([^)]*)\)", text)
                return _UNDEFINED, "; ".join(dict.fromkeys(msgs)) or "engine returned unreadable output"
            if isinstance(parsed, list):
                parsed = parsed[0] if parsed else {}
            exprs = parsed.get("expressions", []) if isinstance(parsed, dict) else []
            if not exprs:
                return _UNDEFINED, None
            return exprs[0], None
        finally:
            if out is not None:
                rs.rego_free_output(out)


def _finite_float(text: str) -> float | str:
    """A number the engine printed, or its text when it does not fit a double.

    rego-cpp prints doubles with 16 significant digits, so the largest double comes out as
    ``1.797693134862316e+308``, which reads back as infinity; a policy returning it (in
    metadata, say) then put ``Infinity`` into the SARIF and the JSON output, which is not
    JSON. Overflowing numbers stay text, as in the input parsers.
    """
    value = float(text)
    return value if math.isfinite(value) else text


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
            send(engine.load(req["modules"], req.get("data") or {}, req.get("entrypoints") or [], req.get("path")))
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
                    runner = Engine()
                    runner.interp = runner._regopy.Interpreter()
                    runner.interp.log_level = runner._regopy.LogLevel.NONE
                runner.set_input(job["input"])
                values: dict[str, Any] = {}
                errors: dict[str, str] = {}
                for part in parts:
                    engine = engines[part.get("group") or "main"]
                    strict = set(part.get("strict") or ())
                    todo = list(part["entrypoints"])
                    plan = None if trace else part.get("plan")
                    if plan:
                        # one query for every entrypoint of the part (see runtime.plan_module);
                        # any error in it sends the part through the per-entrypoint path below
                        value, err = engine.evaluate(plan, via=runner)
                        if err is None and isinstance(value, dict):
                            wanted = set(todo) - strict  # a plan evaluates without strict errors
                            values.update({ep: v for ep, v in value.items() if ep in wanted and v is not None})
                            todo = [ep for ep in todo if ep in strict]
                    for ep in todo:
                        if trace:
                            send({"progress": job["id"], "entrypoint": ep})
                        value, err = engine.evaluate(ep, strict=ep in strict, via=runner)
                        if err is not None:
                            errors[ep] = err
                        elif value is not _UNDEFINED:
                            values[ep] = value
                send({"result": {"id": job["id"], "values": values, "errors": errors}})
            send({"done": True})
        elif op == "ping":
            send({"pong": True})
        elif op == "exit":
            return
        else:
            send({"error": f"unknown op {op!r}"})


def main() -> None:
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # anything regopy or a policy's print() writes lands on stderr
    proto = os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1)
    _serve(proto)


if __name__ == "__main__":
    main()
