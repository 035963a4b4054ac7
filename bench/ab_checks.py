"""A/B per built-in check: the policies of a git revision against the working tree's.

Why: a Rego rewrite is measured per check, and the machine is shared, so both sides run
in turns, document by document, in one process (CPU, one core). Each side is built as
``profile_checks.py`` builds a scan's layout: every built-in check in a bundle of its own
beside the library rules it reaches, the input set once per document. The documents are
parsed once by this checkout's loader (its ``__rs`` views serve both sides; a side that
does not read a view ignores it). What a scan reads of each check's value on every
document (``results.rule_results``: messages and lines) is compared between the sides:
any difference is printed, and the exit status is 1.

    .venv/bin/python bench/ab_checks.py main                        # Dockerfile checks, 3 passes
    .venv/bin/python bench/ab_checks.py HEAD~1 --type kubernetes --repeat 5 KSV104 KSV030

Printed: per check, the fastest pass of each side (ms per document) and the change.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import profile_checks as pc

import regoscan.engine.policyfiles as policyfiles
from regoscan.engine.results import rule_results
from regoscan.rego.runtime import Job
from regoscan.rego.worker import Engine

REPO = Path(__file__).resolve().parents[1]
_CHECK_ID = re.compile(r"/([A-Z]+[0-9]+)/")


def side(policies: Path | None, root: Path, docs: list[Any], only: set[str]
         ) -> tuple[list[Job | None], dict[str, tuple[Engine, list[str]]]]:
    """Each document's job (None: no check of this side applies) and one compiled bundle per
    built-in check, with these built-in policies."""
    original = policyfiles.policies_dir
    if policies is not None:
        policyfiles.policies_dir = lambda: policies  # type: ignore[assignment]
    try:
        modules, _ = pc.load_modules([], root, True)
    finally:
        policyfiles.policies_dir = original  # type: ignore[assignment]
    by_pkg, check_pkgs = pc.describe(modules, ["builtin", "user"])
    units, _ = pc.policy_units(modules, set(check_pkgs), set(pc.metadata_entrypoints(by_pkg, check_pkgs)))
    policy = pc.assemble(modules, ["builtin", "user"], {}, {}, [])
    runtime = pc.PolicyRuntime(units, {}, workers=1)
    runtime._good = units  # a profile, not a scan: no worker, no quarantine
    builder = pc.FindingBuilder(policy, runtime, {}, pc.NoticeSink())
    jobs = [builder.job_for(i, doc) for i, doc in enumerate(docs)]
    assert pc.split_builtin_checks(runtime, [j for j in jobs if j is not None], {m.name: m.package for m in modules},
                                   set())
    data = {"namespaces": sorted({m.package for m in modules if m.package})}
    engines: dict[str, tuple[Engine, list[str]]] = {}
    for name in runtime.group_names:
        group = runtime.group_units(name)
        eps = [ep for u in group for ep in u.entrypoints]
        found = _CHECK_ID.search(" ".join(eps))
        if found is None or (only and found.group(1) not in only):
            continue
        engine = Engine()
        reply = engine.load([[u.name, u.text] for u in group], data, eps)
        assert reply.get("ok"), (name, reply)
        engines[found.group(1)] = (engine, eps)
    return jobs, engines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="git revision whose policies/ is side A (side B: the working tree)")
    parser.add_argument("checks", nargs="*", help="check IDs to compare (default: all of the type)")
    parser.add_argument("--type", choices=["dockerfile", "kubernetes"], default="dockerfile")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--folder", default=str(pc.SHARED / "corpus"))
    args = parser.parse_args()

    root = Path(args.folder).resolve()
    docs = [d for d in pc.documents(root) if d.input_type.value == args.type]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.rev, "policies"], check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        jobs_a, side_a = side(Path(tmp) / "policies", root, docs, set(args.checks))
        jobs_b, side_b = side(None, root, docs, set(args.checks))
    common = [c for c in side_a if c in side_b]
    runner = Engine.input_runner()
    spent = {(s, c): [0.0] * args.repeat for s in "AB" for c in common}
    differ: list[tuple[str, str]] = []
    for rep in range(args.repeat):
        for job_a, job_b, doc in zip(jobs_a, jobs_b, docs, strict=True):
            values: dict[tuple[str, str], str] = {}
            order = [("A", job_a, side_a), ("B", job_b, side_b)]
            for s, job, engines in order if rep % 2 == 0 else order[::-1]:
                if job is None:
                    continue
                runner.set_input(job.input, tree=True)  # as a scan of the built-in checks
                for check in common:
                    engine, eps = engines[check]
                    for ep in eps:
                        if ep in job.entrypoints:
                            t0 = time.process_time()
                            value = engine.evaluate(ep, via=runner)
                            spent[(s, check)][rep] += time.process_time() - t0
                            read = sorted(map(repr, rule_results(value[0], ""))) if value[1] is None else value[1]
                            values[(s, check)] = json.dumps(read)
            if rep == 0:
                differ.extend((c, doc.path) for c in common if values.get(("A", c)) != values.get(("B", c)))
    rows = []
    for check in common:
        a, b = min(spent[("A", check)]), min(spent[("B", check)])
        rows.append((a, b, check))
    print(f"{len(docs)} {args.type} documents, {len(common)} checks, "
          f"fastest of {args.repeat} passes (CPU, ms per document)")
    for a, b, check in sorted(rows, reverse=True):
        change = 100 * (b - a) / a if a else 0.0  # a check that ran on none of these documents
        print(f"{check:8s} A {1000 * a / len(docs):7.3f}  B {1000 * b / len(docs):7.3f}  {change:+4.0f}%")
    ta, tb = sum(r[0] for r in rows), sum(r[1] for r in rows)
    print(f"all      A {ta:.3f} s  B {tb:.3f} s  {100 * (tb - ta) / ta:+.1f}%; "
          f"documents whose values differ: {len(differ)}")
    for check, path in differ[:10]:
        print(f"  differs: {check} {path}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
