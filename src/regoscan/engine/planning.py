"""How documents are queried: aggregating plans and per-type bundles.

Both are pure speed measures: a scan without them returns the same findings.
"""

from __future__ import annotations

from regoscan.models import Document, InputType
from regoscan.rego.runtime import Job, PolicyRuntime, plan_module

# Below this many documents a plan module costs more to compile than it saves.
PLAN_MIN_JOBS = 8


def plan_queries(runtime: PolicyRuntime, jobs: list[Job]) -> None:
    """Give jobs with the same entrypoints one aggregating entrypoint (one query per document).

    Used for Kubernetes documents only: measured on the corpus, it cuts their evaluation by
    about a third, while the Dockerfile checks run slower inside one query than one by one.
    """
    if len(jobs) < PLAN_MIN_JOBS:
        return
    def planned(job: Job) -> tuple[str, ...]:
        # strict entrypoints (exceptions) are queried on their own: a plan is not strict
        return tuple(ep for ep in job.entrypoints if ep not in job.strict)

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


def group_by_type(runtime: PolicyRuntime, jobs: list[Job], docs: dict[int, Document]) -> None:
    """Evaluate each input type in a bundle without the other types' built-in checks.

    Only the built-in checks are left out (they are independent of each other); every
    user module stays in every group, whatever it selects or imports.
    """
    if len(jobs) < PLAN_MIN_JOBS:
        return
    types = {docs[j.id].input_type for j in jobs}
    everything = {u.name for u in runtime.units}
    for input_type in types:
        keep = {name for name in everything
                if not any(name.startswith(prefix) and family is not input_type
                           for prefix, family in _BUILTIN_FAMILIES.items())}
        if keep == everything:
            continue
        runtime.define_group(input_type.value, keep | {u.name for u in runtime.extra_units})
        for job in jobs:
            if docs[job.id].input_type is input_type:
                job.group = input_type.value
