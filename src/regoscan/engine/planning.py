"""How documents are queried: one small bundle per built-in check, per-type bundles for the rest.

All are pure speed measures: a scan without them returns the same findings.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from regoscan.models import InputType
from regoscan.rego.fallbacks import without_fallbacks
from regoscan.rego.lexer import lean_source
from regoscan.rego.prebuilt import Cuts, cut_key, libraries_digest
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from regoscan.rego.shake import data_paths, matches_not_after, reachable

# Below this many documents (without shipped bundles) a bundle per check costs more to compile than it saves.
PLAN_MIN_JOBS = 8


# Built-in check modules by the input type they are written for.
_BUILTIN_FAMILIES = {"(builtin)/kubernetes/": InputType.KUBERNETES, "(builtin)/dockerfile/": InputType.DOCKERFILE}


def type_group(runtime: PolicyRuntime, input_type: InputType, leave_out: set[str] | frozenset[str] = frozenset()
               ) -> str | None:
    """A bundle for documents of one input type, without the other types' built-in checks.

    Only the built-in checks are left out (they are independent of each other), and the
    units in ``leave_out`` (checks evaluated in bundles of their own); every user module
    stays in every group, whatever it selects or imports. None when nothing would be left
    out (the whole set then serves).
    """
    everything = {u.name for u in runtime.units}
    keep = {name for name in everything
            if name not in leave_out and not any(name.startswith(prefix) and family is not input_type
                                                 for prefix, family in _BUILTIN_FAMILIES.items())}
    if keep == everything:
        return None
    runtime.define_group(input_type.value, keep)
    return input_type.value


_BUILTIN = "(builtin)/"
_BUILTIN_LIB = "(builtin)/lib/"
_DATA_REF = re.compile(r"data((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_WORD_CHAR = re.compile(r"\w")  # before ``data``: not a word boundary, so not a reference to data


def _overlaps(a: str, b: str) -> bool:
    """One dotted path equals the other or lies under it."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def split_builtin_checks(runtime: PolicyRuntime, jobs: list[Job], packages: dict[str, str | None],
                         routed: set[str]) -> bool:
    """Evaluate each built-in check in a bundle of its own (see ``check_groups``), for these jobs."""
    if len(jobs) < PLAN_MIN_JOBS:
        return False
    routes = check_groups(runtime, packages, routed)
    if routes is None:
        return False
    for job in jobs:
        route(job, routes)
    return True


def route(job: Job, routes: dict[str, str]) -> None:
    """Send the job's built-in check entrypoints to their checks' own bundles."""
    job.routes = {ep: routes[ep] for ep in job.entrypoints if ep in routes}


def check_groups(runtime: PolicyRuntime, packages: dict[str, str | None], routed: set[str],
                 cuts: Cuts | None = None) -> dict[str, str] | None:
    """Define a bundle per built-in check, beside only the library rules it reaches.

    regopy copies a frame holding every local variable of the bundle on each built-in
    call, so a check costs several times more beside the whole library than alone (see
    ``rego.shake``). The libraries are ours and reached by name only, so cutting them is
    safe. Each bundle gets the part of the data its modules read (``data_slice``): the
    same values, and a bundle that does not depend on the run's clock or on the user's
    packages, so the one shipped with regoscan can be used (``rego.prebuilt``). User
    modules stay in the jobs' own group; ``routed`` receives the names of the units split
    off. Returns the group of each check entrypoint, or None, defining nothing, when a
    user module could take part in a built-in check's evaluation: its package overlaps a
    built-in package or a ``data`` path that built-in code reads (``data.k8s.version``...).
    ``cuts``: each check's bundle modules (``bundle_modules``) by key (``rego.prebuilt.cut_key``),
    shipped ones first; each cut made here is added to it.
    """
    compiled = {g.name for g in runtime.compiled_units}
    good = [u for u in runtime.units if u.name in compiled]
    checks = [u for u in good if u.name.startswith(_BUILTIN) and not u.name.startswith(_BUILTIN_LIB) and u.entrypoints]
    libs = [u for u in good if u.name.startswith(_BUILTIN_LIB)]
    if not checks:
        return None
    territory = {pkg for name, pkg in packages.items() if name.startswith(_BUILTIN) and pkg}
    for u in [*checks, *libs]:
        territory.update(m.group(1)[1:] for m in matches_not_after(_DATA_REF, u.text, _WORD_CHAR))
    for name, pkg in packages.items():
        if not name.startswith(_BUILTIN) and pkg and any(_overlaps(pkg, t) for t in territory):
            return None
    # (the Rego paths for inputs without regoscan's views: a scan's documents carry them)
    lib_texts = [(u.name, without_fallbacks(u.text)) for u in libs]
    libs_digest = libraries_digest(lib_texts) if cuts is not None else ""
    routes: dict[str, str] = {}
    routed.clear()
    for check in checks:
        routed.add(check.name)
        group = f"check:{check.name}"
        key = cut_key(libs_digest, check.name, check.text) if cuts is not None else ""
        cut = cuts.get(key) if cuts is not None else None
        if not cut or cut[-1][0] != check.name:
            cut = bundle_modules(lib_texts, check)
            if cuts is not None:
                cuts[key] = cut
        units = [PolicyUnit(name, text, [], library=True) for name, text in cut[:-1]]
        units.append(dataclasses.replace(check, text=cut[-1][1]))
        runtime.define_units(group, units, data_slice([u.text for u in units], runtime.data))
        routes.update(dict.fromkeys(check.entrypoints, group))
    return routes


def bundle_modules(lib_texts: list[tuple[str, str]], check: PolicyUnit) -> list[tuple[str, str]]:
    """The modules of a check's own bundle, as the engine gets them: the library modules it
    reaches (``rego.shake``), then the check module, all without comments (``lexer.lean_source``:
    a bundle holds its modules' text, and a check's METADATA and the library's blanked rules
    made up two thirds of it)."""
    return [*((name, lean_source(text)) for name, text in reachable(lib_texts, [check.text])),
            (check.name, lean_source(check.text))]


def data_slice(texts: list[str], data: dict[str, Any]) -> dict[str, Any] | None:
    """The part of ``data`` these modules can read, or None when it cannot be bounded.

    Each ``data.a.b`` reference (imports included) keeps ``data.a.b`` whole, if present;
    ``data`` alone or indexed (``data[x]``, ``walk(data, ...)``) needs everything. Rule
    references (``data.lib.x``) find no base data there: data may not overlap packages.
    """
    paths: set[tuple[str, ...]] = set()
    for text in texts:
        read = data_paths(text)
        if read is None:
            return None
        paths |= read
    out: dict[str, Any] = {}
    for path in sorted(paths, key=len):
        if any(path[:k] in paths for k in range(1, len(path))):
            continue  # a shorter reference keeps it whole
        node: Any = data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                break  # undefined with the whole data too
            node = node[key]
        else:
            target = out
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = node
    return out
