"""Per-check evaluation cost on regopy: where a scan's CPU time goes.

Loads the built-in library exactly as a scan does (prepared, linked), compiles it into
one bundle, and times every applicable check entrypoint on every document of a folder,
one evaluation at a time, in this process. The per-check table is the profile that
bench/RESULTS.md refers to; the total is the scan's evaluation CPU on one core.

Run: .venv/bin/python bench/profile_checks.py [FOLDER] [--top N]
(the project venv: it needs regopy, not Checkov).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from regoscan.engine.policyset import assemble, load_modules
from regoscan.engine.selectors import applies
from regoscan.inputs.discover import discover
from regoscan.inputs.load import load_file

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(DEFAULT))
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    from regopy import Interpreter, LogLevel  # only here: the engine runs in this process on purpose

    root = Path(args.folder)
    modules, _ = load_modules([], root, True)
    policy = assemble(modules, ["builtin"], {}, {}, [])
    interp = Interpreter()
    interp.log_level = LogLevel.NONE
    for mod in modules:
        interp.add_module(mod.name, mod.text)
    interp.add_data({"namespaces": sorted({m.package for m in modules if m.package})})
    bundle = interp.build(None, [ep for c in policy.checks for ep in c.entrypoints])
    docs = [d for c in discover([str(root)], root).candidates
            for d in load_file(c.abs_path, c.rel_path, c.input_type_hint).documents]
    cost: dict[str, list[float]] = defaultdict(list)
    set_input = 0.0
    for doc in docs:
        t0 = time.perf_counter()
        interp.set_input_term(json.dumps(doc.content))
        set_input += time.perf_counter() - t0
        for check in policy.checks:
            if not applies(check.metadata, doc):
                continue
            for ep in check.entrypoints:
                t0 = time.perf_counter()
                interp.query_bundle_entrypoint(bundle, ep)
                cost[check.metadata.id].append(time.perf_counter() - t0)
    total = sum(sum(v) for v in cost.values())
    by_family: dict[str, float] = defaultdict(float)
    for check_id, times in cost.items():
        by_family[check_id.rstrip("0123456789")] += sum(times)
    print(f"{len(docs)} documents, {len(policy.checks)} checks, {sum(len(v) for v in cost.values())} evaluations")
    print(f"evaluation {total:.2f} s, set_input {set_input:.2f} s (one core)")
    print("by family: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(by_family.items())))
    print()
    print("| check | total | evaluations | median per evaluation |")
    print("|---|---:|---:|---:|")
    for check_id, times in sorted(cost.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"| {check_id} | {sum(times):.3f} s | {len(times)} | {1000 * statistics.median(times):.3f} ms |")


if __name__ == "__main__":
    main()
