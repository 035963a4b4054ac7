"""From prepared modules to the runtime's units, and back from the runtime to notices.

The runtime knows modules and entrypoints only; this stage remembers where each
entrypoint came from (file, line, package, rule), so every engine message can cite the
user's own source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regoscan.engine.notices import NoticeSink
from regoscan.engine.policyset import METADATA_RULES, NAMESPACE_EXCEPTIONS, entrypoint
from regoscan.models import Notice, NoticeLevel
from regoscan.rego.prepare import PreparedModule
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit


@dataclass
class Origin:
    path: str
    line: int
    package: str
    rule: str
    source: str = ""
    """The module's own text, to find the line of a call the engine names without one."""


def policy_units(modules: list[PreparedModule], check_pkgs: set[str], meta_eps: set[str]) -> tuple[
        list[PolicyUnit], dict[str, Origin]]:
    """One unit per module with the entrypoints a scan queries, and each entrypoint's origin."""
    units: list[PolicyUnit] = []
    origins: dict[str, Origin] = {}
    for mod in modules:
        eps: list[str] = []
        pkg = mod.package or ""
        if pkg in check_pkgs:
            for rule in mod.check_rules:
                ep = entrypoint(pkg, rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        if pkg in check_pkgs or pkg == NAMESPACE_EXCEPTIONS or mod.exceptions:
            for d in mod.exceptions:
                ep = entrypoint(pkg, d.rule)
                if ep not in origins:
                    eps.append(ep)
                    origins[ep] = Origin(mod.path, d.line, pkg, "exception", mod.original)
        for rule in METADATA_RULES:
            ep = entrypoint(pkg, rule)
            if ep in meta_eps and ep not in origins and mod.rule_line(rule) is not None:
                eps.append(ep)
                origins[ep] = Origin(mod.path, mod.rule_line(rule) or 1, pkg, rule, mod.original)
        units.append(PolicyUnit(mod.name, mod.text, eps, library=not eps, rule_spans=mod.rule_spans))
    return units, origins


def quarantine_notices(runtime: PolicyRuntime, modules: list[PreparedModule], notices: NoticeSink) -> None:
    by_name = {m.name: m for m in modules}
    for q in runtime.quarantined:
        mod = by_name.get(q.unit)
        code = "policy-crash" if q.crashed else "policy-compile-error"
        message = f"policy not loaded: {q.message}"
        if mod is not None and mod.log.upgraded_v0:
            message += " (module was upgraded from Rego v0 syntax)"
        notices.add(Notice(NoticeLevel.ERROR, code, message, q.unit, q.line))


def legacy_metadata(runtime: PolicyRuntime, meta_eps: set[str]) -> dict[str, Any]:
    """Evaluate ``__rego_metadata__``/``__rego_input__`` once with an empty input."""
    compiled = set(runtime.entrypoints)
    eps = [ep for ep in sorted(meta_eps) if ep in compiled]
    if not eps:
        return {}
    res = runtime.run([Job(-1, "{}", eps)])[0]
    return dict(res.values)
