"""How documents are queried: one small bundle per built-in check, aggregating plans, per-type bundles.

All are pure speed measures: a scan without them returns the same findings.
"""

from __future__ import annotations

import re

from regoscan.models import Document, InputType
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit, plan_module
from regoscan.rego.shake import reachable

# Below this many documents a plan module costs more to compile than it saves.
PLAN_MIN_JOBS = 8


def plan_queries(runtime: PolicyRuntime, jobs: list[Job]) -> None:
    """Give jobs with the same entrypoints one aggregating entrypoint (one query per document).

    Used for Kubernetes documents only: measured on the corpus, it cuts their evaluation by
    about a third, while the Dockerfile checks run slower inside one query than one by one.
    """
    def planned(job: Job) -> tuple[str, ...]:
        # strict entrypoints (exceptions) are queried on their own: a plan is not strict;
        # routed ones are evaluated in bundles of their own (see split_builtin_checks)
        return tuple(ep for ep in job.entrypoints if ep not in job.strict and ep not in job.routes)

    jobs = [j for j in jobs if planned(j)]
    if len(jobs) < PLAN_MIN_JOBS:
        return

    distinct: dict[tuple[str, ...], int] = {}
    for job in jobs:
        distinct.setdefault(planned(job), len(distinct))
    unit, names = plan_module([list(eps) for eps in distinct])
    if not runtime.extend(unit):
        return  # evaluate entrypoint by entrypoint, as without plans
    for job in jobs:
        job.plan = names[distinct[planned(job)]]


# Built-in check modules by the input type they are written for.
_BUILTIN_FAMILIES = {"(builtin)/kubernetes/": InputType.KUBERNETES, "(builtin)/dockerfile/": InputType.DOCKERFILE}


def group_by_type(runtime: PolicyRuntime, jobs: list[Job], docs: dict[int, Document],
                  leave_out: set[str] | frozenset[str] = frozenset()) -> None:
    """Evaluate each input type in a bundle without the other types' built-in checks.

    Only the built-in checks are left out (they are independent of each other), and the
    units in ``leave_out`` (checks evaluated in bundles of their own); every user module
    stays in every group, whatever it selects or imports.
    """
    if len(jobs) < PLAN_MIN_JOBS and runtime.whole_set_compiled:
        return  # a few documents: the whole set, compiled already, is cheaper than a second build
    types = {docs[j.id].input_type for j in jobs}
    everything = {u.name for u in runtime.units}
    for input_type in types:
        keep = {name for name in everything
                if name not in leave_out and not any(name.startswith(prefix) and family is not input_type
                                                     for prefix, family in _BUILTIN_FAMILIES.items())}
        if keep == everything:
            continue
        runtime.define_group(input_type.value, keep | {u.name for u in runtime.extra_units})
        for job in jobs:
            if docs[job.id].input_type is input_type:
                job.group = input_type.value


_BUILTIN = "(builtin)/"
_BUILTIN_LIB = "(builtin)/lib/"
_DATA_REF = re.compile(r"\bdata((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def _overlaps(a: str, b: str) -> bool:
    """One dotted path equals the other or lies under it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def split_builtin_checks(runtime: PolicyRuntime, jobs: list[Job], packages: dict[str, str | None],
                         routed: set[str]) -> bool:
    """Evaluate each built-in check in a bundle of its own, beside only the library rules it reaches.

    regopy copies a frame holding every local variable of the bundle on each built-in
    call, so a check costs several times more beside the whole library than alone (see
    ``rego.shake``). The libraries are ours and reached by name only, so cutting them is
    safe; the check's bundle gets the same data. User modules stay in the jobs' own
    group; ``routed`` receives the names of the units split off. Returns False, changing
    nothing, when a user module could take part in a
    built-in check's evaluation: its package overlaps a built-in package or a ``data``
    path that built-in code reads (``data.k8s.version``...).
    """
    good = [u for u in runtime.units if u.name in {g.name for g in runtime.compiled_units}]
    checks = [u for u in good if u.name.startswith(_BUILTIN) and not u.name.startswith(_BUILTIN_LIB) and u.entrypoints]
    libs = [u for u in good if u.name.startswith(_BUILTIN_LIB)]
    if not checks or len(jobs) < PLAN_MIN_JOBS:
        return False
    territory = {pkg for name, pkg in packages.items() if name.startswith(_BUILTIN) and pkg}
    for u in [*checks, *libs]:
        territory.update(m.group(1)[1:] for m in _DATA_REF.finditer(u.text))
    for name, pkg in packages.items():
        if not name.startswith(_BUILTIN) and pkg and any(_overlaps(pkg, t) for t in territory):
            return False
    lib_texts = [(u.name, u.text) for u in libs]
    routes: dict[str, str] = {}
    routed.clear()
    for check in checks:
        routed.add(check.name)
        group = f"check:{check.name}"
        units = [PolicyUnit(name, text, [], library=True) for name, text in reachable(lib_texts, [check.text])]
        runtime.define_units(group, [*units, check])
        routes.update(dict.fromkeys(check.entrypoints, group))
    for job in jobs:
        job.routes = {ep: routes[ep] for ep in job.entrypoints if ep in routes}
    return True
