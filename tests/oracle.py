"""Evaluate Rego with regopy and with regorus (a second, independent engine) for tests.

regopy's known bugs are silent (wrong answers, no error), so correctness is checked
against regorus, used only here, never at run time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_REGOPY = r"""
import json, sys
from regopy import Interpreter, LogLevel
req = json.loads(sys.stdin.read())
r = Interpreter()
r.log_level = LogLevel.NONE
for i, text in enumerate(req["modules"]):
    r.add_module(f"m{i}.rego", text)
r.set_input_term(json.dumps(req["input"]))
out = r.query("__x := " + req["query"])
res = out.results
print(json.dumps(res[0].bindings.get("__x", "undefined") if res else "undefined"))
"""


def eval_regopy(src: str, query: str, input_doc: Any, extra: list[str] | None = None) -> Any:
    """Evaluate in a subprocess: a crash or poisoned interpreter must not take the test run down."""
    req = json.dumps({"modules": [src, *(extra or [])], "input": input_doc, "query": query})
    proc = subprocess.run([sys.executable, "-c", _REGOPY], input=req, capture_output=True, text=True,
                          timeout=60)
    if proc.returncode != 0:
        return f"error(rc={proc.returncode}): {proc.stderr.strip()[-300:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def eval_regorus(src: str, query: str, input_doc: Any, *, v0: bool, extra: list[str] | None = None) -> Any:
    import regorus

    engine = regorus.Engine()
    engine.set_rego_v0(v0)
    engine.add_policy("m0.rego", src)
    for i, text in enumerate(extra or []):
        engine.set_rego_v0(False)
        engine.add_policy(f"x{i}.rego", text)
    engine.set_input_json(json.dumps(input_doc))
    out = json.loads(engine.eval_query_as_json(f"__x := {query}"))
    results = out.get("result") or []
    if not results:
        return "undefined"
    return _normalise(results[0]["bindings"]["__x"])


def _normalise(value: Any) -> Any:
    """regorus renders sets as {"set!": [...]}; regopy renders them as arrays."""
    if isinstance(value, dict):
        if set(value) == {"set!"}:
            return [_normalise(v) for v in value["set!"]]
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def eval_v1(engine: str, src: str, query: str, input_doc: Any, extra: list[str] | None = None) -> Any:
    """A v1 module's query on ``engine`` ("regopy" or "regorus"), for tests run on both."""
    if engine == "regopy":
        return eval_regopy(src, query, input_doc, extra)
    return eval_regorus(src, query, input_doc, v0=False, extra=extra)


def docker_libs() -> list[str]:
    """The library modules a Dockerfile helper needs (lib.docker and what it imports)."""
    from regoscan.resources import policies_dir

    return [(policies_dir() / "lib" / name).read_text(encoding="utf-8") for name in ("docker.rego", "result.rego",
                                                                                    "sh.rego")]

