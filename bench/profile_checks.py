"""Where a scan's evaluation time goes on regopy, per input type, per check and per step.

Builds the policy set exactly as a scan does (prepared, linked modules; the same
entrypoints per document) and runs the worker's own Engine in this process, one
document at a time, timing CPU (one core):

* default: as a scan evaluates, each built-in check in a bundle of its own beside the
  library rules it reaches (engine/planning.py ``split_builtin_checks``), the input set
  once per document: bundle compilation, set_input, each check;
* ``--types``: the former layout, one bundle per input type: each entrypoint alone,
  then the document's aggregating plan query.

Run: .venv/bin/python bench/profile_checks.py [FOLDER] [--top N] [--type dockerfile|kubernetes] [--types]
(the project venv: it needs regopy, not Checkov).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path

from regoscan.engine.findings import FindingBuilder
from regoscan.engine.notices import NoticeSink
from regoscan.engine.planning import split_builtin_checks
from regoscan.engine.policyset import assemble, describe, load_modules, metadata_entrypoints
from regoscan.engine.units import policy_units
from regoscan.inputs.discover import discover
from regoscan.inputs.load import load_file
from regoscan.models import Document, InputType
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.rego.values import engine_json
from regoscan.rego.worker import Engine

SHARED = Path(os.environ.get("REGOSCAN_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
FAMILIES = {"(builtin)/kubernetes/": InputType.KUBERNETES, "(builtin)/dockerfile/": InputType.DOCKERFILE}


PLAN_PACKAGE = "__regoscan_plan"


def plan_module(plans: list[list[str]]) -> tuple[PolicyUnit, list[str]]:
    """A module evaluating each plan's entrypoints in one query: ``{entrypoint: value}``.

    The former layout's aggregating query (an undefined rule gives ``null``), kept here
    only to measure it: scans no longer use it (regopy copies a frame of the whole
    bundle's variables on every built-in call, so one bundle per check is cheaper).
    Returns the unit and each plan's entrypoint, in order.
    """
    index: dict[str, int] = {}
    lines = [f"package {PLAN_PACKAGE}", "", "import rego.v1", ""]
    for eps in plans:
        for ep in eps:
            if ep not in index:
                index[ep] = len(index)
                ref = "data." + ep.replace("/", ".")
                lines.append(f"_v{index[ep]} := x if {{ x := {ref} }} else := null")
    names: list[str] = []
    for n, eps in enumerate(plans):
        body = ", ".join(f'"{ep}": _v{index[ep]}' for ep in eps)
        lines.append(f"plan{n} := {{{body}}}")
        names.append(f"{PLAN_PACKAGE}/plan{n}")
    return PolicyUnit(f"{PLAN_PACKAGE}.rego", "\n".join(lines) + "\n", names), names


def documents(root: Path) -> list[Document]:
    return [d for c in discover([str(root)], root).candidates
            for d in load_file(c.abs_path, c.rel_path, c.input_type_hint).documents]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(SHARED / "corpus"))
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--type", choices=[t.value for t in FAMILIES.values()], default=None)
    parser.add_argument("--no-single", action="store_true", help="skip the per-entrypoint queries (plans only)")
    parser.add_argument("--types", action="store_true", help="profile one bundle per input type (the former layout)")
    args = parser.parse_args()

    root = Path(args.folder).resolve()
    t0 = time.process_time()
    modules, _ = load_modules([], root, True)
    by_pkg, check_pkgs = describe(modules, ["builtin", "user"])
    units, _ = policy_units(modules, set(check_pkgs), set(metadata_entrypoints(by_pkg, check_pkgs)))
    policy = assemble(modules, ["builtin", "user"], {}, {}, [])
    runtime = PolicyRuntime(units, {}, workers=1)
    runtime._good = units  # a profile, not a scan: no worker, no quarantine
    builder = FindingBuilder(policy, runtime, {}, NoticeSink())
    print(f"policies prepared in {time.process_time() - t0:.2f} s")
    t0 = time.process_time()
    docs = documents(root)
    print(f"{len(docs)} documents parsed in {time.process_time() - t0:.2f} s")
    data = {"namespaces": sorted({m.package for m in modules if m.package})}
    if not args.types:
        split(runtime, builder, docs, data, {m.name: m.package for m in modules}, args)
        return

    for input_type in FAMILIES.values():
        if args.type and input_type.value != args.type:
            continue
        jobs: list[tuple[Job, Document]] = []
        for i, doc in enumerate(docs):
            job = builder.job_for(i, doc) if doc.input_type is input_type else None
            if job is not None:
                jobs.append((job, doc))
        if not jobs:
            continue
        keep = [u for u in units if not any(u.name.startswith(p) and t is not input_type for p, t in FAMILIES.items())]
        distinct = list(dict.fromkeys(tuple(j.entrypoints) for j, _ in jobs))
        plan_unit, plan_names = plan_module([list(d) for d in distinct])
        engine = Engine()
        t0 = time.process_time()
        mods = [[u.name, u.text] for u in [*keep, plan_unit]]
        reply = engine.load(mods, data, [ep for u in [*keep, plan_unit] for ep in u.entrypoints])
        assert reply.get("ok"), reply
        build = time.process_time() - t0
        cost: dict[str, list[float]] = defaultdict(list)
        set_input = plans = 0.0
        nbytes = 0
        for job, _doc in jobs:
            nbytes += len(engine_json(job.input))
            t0 = time.process_time()
            engine.set_input(job.input)
            set_input += time.process_time() - t0
            if not args.no_single:
                for ep in job.entrypoints:
                    t0 = time.process_time()
                    engine.evaluate(ep)
                    cost[ep.rsplit("/", 2)[-2]].append(time.process_time() - t0)
            t0 = time.process_time()
            engine.evaluate(plan_names[distinct.index(tuple(job.entrypoints))])
            plans += time.process_time() - t0
        single = sum(sum(v) for v in cost.values())
        print(f"\n## {input_type.value}: {len(jobs)} documents, {nbytes / 1024:.0f} KB of input, {len(keep)} modules")
        print(f"bundle build {build:.2f} s; set_input {set_input:.2f} s ({1000 * set_input / len(jobs):.2f} ms/doc); "
              f"entrypoints one by one {single:.2f} s; one plan query per document {plans:.2f} s "
              f"({1000 * plans / len(jobs):.1f} ms/doc)")
        if cost:
            print("\n| check | total | evaluations | median | max |")
            print("|---|---:|---:|---:|---:|")
            for name, times in sorted(cost.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
                print(f"| {name} | {sum(times):.3f} s | {len(times)} | {1000 * statistics.median(times):.3f} ms "
                      f"| {1000 * max(times):.1f} ms |")


def split(runtime: PolicyRuntime, builder: FindingBuilder, docs: list[Document], data: dict[str, object],
          packages: dict[str, str | None], args: argparse.Namespace) -> None:
    """The scan's layout: a bundle per built-in check, one input interpreter per document."""
    jobs = [(job, doc) for i, doc in enumerate(docs) if (job := builder.job_for(i, doc)) is not None
            and (args.type is None or doc.input_type.value == args.type)]
    assert split_builtin_checks(runtime, [j for j, _ in jobs], packages, set())
    engines: dict[str, Engine] = {}
    build = 0.0
    for name in runtime.group_names:
        units = runtime.group_units(name)
        engine = Engine()
        t0 = time.process_time()
        reply = engine.load([[u.name, u.text] for u in units], data, [ep for u in units for ep in u.entrypoints])
        build += time.process_time() - t0
        assert reply.get("ok"), (name, reply)
        engines[name] = engine
    runner = Engine.input_runner()
    cost: dict[str, list[float]] = defaultdict(list)
    by_type: dict[str, float] = defaultdict(float)
    set_input = 0.0
    for job, doc in jobs:
        t0 = time.process_time()
        runner.set_input(job.input)
        set_input += time.process_time() - t0
        for group, eps in job.parts().items():
            for ep in eps:
                t0 = time.process_time()
                engines[group].evaluate(ep, via=runner)
                dt = time.process_time() - t0
                cost[ep.rsplit("/", 2)[-2]].append(dt)
                by_type[doc.input_type.value] += dt
    print(f"{len(engines)} bundles compiled in {build:.2f} s; set_input {set_input:.2f} s; evaluation "
          + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(by_type.items())))
    print("\n| check | total | evaluations | median | max |")
    print("|---|---:|---:|---:|---:|")
    for name, times in sorted(cost.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"| {name} | {sum(times):.3f} s | {len(times)} | {1000 * statistics.median(times):.3f} ms "
              f"| {1000 * max(times):.1f} ms |")


if __name__ == "__main__":
    main()
