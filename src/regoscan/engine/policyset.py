"""Load policy files and data documents into a described policy set.

Everything that can be learnt without running Rego is learnt here, in Python: which
packages are checks, which rules they define, which ``exception`` definitions exist
and where, and each check's ``# METADATA``. The worker only ever evaluates.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regoscan.engine.exceptions import ExpiryError, expiry_of
from regoscan.engine.policyfiles import Refusals, collect_policy_files, data_files_of, in_namespaces
from regoscan.errors import UsageError
from regoscan.inputs.errors import ParseError
from regoscan.inputs.forbidden import credential_shape
from regoscan.inputs.load import read_text
from regoscan.inputs.yamlfile import parse_json, parse_yaml
from regoscan.models import CheckMetadata, Notice, NoticeLevel, Severity
from regoscan.rego.linking import FunctionDef, link
from regoscan.rego.prebuilt import PreparedModules
from regoscan.rego.prepare import (
    CHECK_RULE,
    EXCEPTION_PREFIX,
    MAX_POLICY_BYTES,
    ExceptionDef,
    PreparedModule,
    read_module,
)

NAMESPACE_EXCEPTIONS = "namespace.exceptions"
# Package roots of the built-in library, loaded or not (``--no-builtin``): the scanned
# change may only add ``exception`` rules (and METADATA) under them.
CLOSED_ROOTS = ("builtin", "appshield", "defsec", "lib")
# `__rego_metadata` (no trailing underscores) is how Trivy's exceptions page spells it.
METADATA_RULES = ("__rego_metadata__", "__rego_input__", "__rego_metadata")


def entrypoint(package: str, rule: str) -> str:
    return package.replace(".", "/") + "/" + rule


@dataclass
class ExceptionSource:
    kind: str
    """``namespace`` or ``rule``."""
    package: str
    path: str
    definition: ExceptionDef
    metadata: dict[str, Any] = field(default_factory=dict)
    """Why the exception exists (reason, ticket, expiry...): from a METADATA block on the
    ``exception`` rule, else on the package in the same file, else ``__rego_metadata__``."""

    @property
    def entrypoint(self) -> str:
        return entrypoint(self.package, self.definition.rule)

    @property
    def label(self) -> str:
        return f"{self.kind} exception in package {self.package}"

    @property
    def line(self) -> int:
        return self.definition.line


@dataclass
class Check:
    package: str
    metadata: CheckMetadata
    rules: list[str]
    modules: list[PreparedModule]
    exceptions: list[ExceptionSource] = field(default_factory=list)

    @property
    def entrypoints(self) -> list[str]:
        return [entrypoint(self.package, r) for r in self.rules]


@dataclass
class PolicySet:
    modules: list[PreparedModule]
    checks: list[Check]
    namespace_exceptions: list[ExceptionSource]
    data: dict[str, Any]
    notices: list[Notice]
    packages: list[str]


def _lexical(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def _within(path: Path, bases: list[Path]) -> bool:
    return any(path == base or base in path.parents for base in bases)


class _Containment:
    """Policy and data files may not be symlinks that lead out of the repository.

    A pull request controls its symlinks: ``policy/x.rego`` or ``data/x.json`` pointing
    at ``~/.docker/config.json`` would otherwise load a file from the runner into
    ``data`` (where any policy can print it into a finding) or into the engine. The
    rule is the one ``inputs.discover`` applies to scanned files: whatever lies inside
    ``root`` must really be inside it; a folder the user named outside ``root`` is its
    own boundary.
    """

    def __init__(self, named: list[str], root: Path) -> None:
        self.root = [_lexical(root), root.resolve()]
        self.bases = [root.resolve()]
        for raw in named:
            path = Path(raw)
            if not _within(_lexical(path), self.root):
                self.bases.append(path.resolve())

    def escape(self, path: Path) -> Path | None:
        """The real file behind ``path`` when it lies outside the allowed folders, else ``None``."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None  # a broken or looping link is not a file: the walk never yields it
        return None if _within(real, self.bases) else real

    def display(self, path: Path) -> str:
        """The link's own path (never its target's) for the notice."""
        lexical = _lexical(path)
        for base in self.root:
            try:
                return lexical.relative_to(base).as_posix()
            except ValueError:
                continue
        return lexical.as_posix()


def _overlaps(package: str, other: str) -> bool:
    return package == other or package.startswith(other + ".") or other.startswith(package + ".")


def closed_package(package: str, builtin_packages: Collection[str]) -> str | None:
    """The built-in package (or library root) that ``package`` joins, or None.

    Rego merges every module of a package, so a module of the pull request in
    ``builtin.kubernetes.KSV012`` that adds a clause to a helper function, or one in
    ``lib`` that defines ``kubernetes``, changes what a built-in check reports, with no
    suppression and no notice. An ancestor counts too: ``package regoscan`` can define
    ``compat``.
    """
    joined = next((b for b in sorted(builtin_packages) if _overlaps(package, b)), None)
    if joined is not None:
        return joined
    return next((root for root in CLOSED_ROOTS if package == root or package.startswith(root + ".")), None)


def _builtin_override(mod: PreparedModule, builtin_packages: Collection[str]) -> Notice | None:
    """An error when a non-built-in module defines more than exceptions in a built-in package."""
    joined = closed_package(mod.package or "", builtin_packages) if mod.package else None
    if joined is None:
        return None
    bad = next((r for r in mod.rules if r.name != "exception" or r.is_function), None)
    if bad is None:
        return None
    what = f"function {bad.name}" if bad.is_function else f"rule {bad.name}"
    overlap = ""
    if joined != mod.package:
        overlap = f" (the {joined}.* packages)" if joined in CLOSED_ROOTS else f" (it contains package {joined})"
    return Notice(NoticeLevel.ERROR, "policy-builtin-override",
                  f"policy not loaded: package {mod.package} belongs to the built-in library{overlap}, where a "
                  f"policy may only add `exception` rules and METADATA; it defines {what}", mod.path, bad.line)


def confirm_closed(modules: list[PreparedModule],
                   ask: Callable[[PreparedModule], dict[str, Any]]) -> tuple[list[PreparedModule], list[Notice]]:
    """The modules, less those in a built-in package that rego-cpp sees defining more than exceptions.

    ``_builtin_override`` reads rules with regoscan's tokenizer; where it and rego-cpp
    disagree on where a rule ends, a rule hides (``exception contains "x" if {`` / ``}
    _pod_requires_non_root(pod) if { true }`` was one rule to regoscan, two to rego-cpp).
    So every module of the scanned change that joins a built-in package is also compiled
    alone and the rules rego-cpp found are checked (``ask``: ``worker.rule_paths``). A
    module it cannot compile alone is refused: what it defines cannot be confirmed.
    """
    builtin_packages = {m.package for m in modules if m.builtin and m.package}
    kept: list[PreparedModule] = []
    notices: list[Notice] = []
    for mod in modules:
        joined = None if mod.builtin or not mod.package else closed_package(mod.package, builtin_packages)
        if joined is None:
            kept.append(mod)
            continue
        reply = ask(mod)
        prefix = f"policy not loaded: package {mod.package} belongs to the built-in library, where a policy may " \
                 "only add `exception` rules and METADATA; "
        if not reply.get("ok"):
            notices.append(Notice(NoticeLevel.ERROR, "policy-builtin-override",
                                  prefix + "rego-cpp cannot compile the file on its own, so what it defines cannot "
                                  f"be confirmed ({str(reply.get('error') or 'no answer')[:200]})",
                                  mod.path, mod.package_line))
            continue
        allowed = (f"{mod.package}.exception", f"{mod.package}.{EXCEPTION_PREFIX}")
        other = [p for p in reply.get("paths") or [] if p != allowed[0] and not p.startswith(allowed[1])]
        if other:
            name = other[0][len(mod.package) + 1:] if other[0].startswith(mod.package + ".") else other[0]
            notices.append(Notice(NoticeLevel.ERROR, "policy-builtin-override",
                                  prefix + f"rego-cpp reads a rule {name} in it", mod.path,
                                  _name_line(mod.original, name.rsplit(".", 1)[-1]) or mod.package_line))
            continue
        kept.append(mod)
    return kept, notices


def _name_line(text: str, name: str) -> int | None:
    """The first line after the package line where ``name`` starts a word (where a hidden rule is)."""
    lines = text.splitlines()
    word = re.compile(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])")
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("package")), 0)
    return next((i + 1 for i in range(start + 1, len(lines)) if word.search(lines[i])), None)


def data_collision(value: dict[str, Any], packages: Collection[str], prefix: str = "") -> str | None:
    """Why ``value`` (one data document) would overwrite rules, or None.

    rego-cpp lets ``data`` win over a rule silently: ``{"lib": {"kubernetes":
    {"is_workload": false}}}`` dropped every built-in finding. A key at a package's path
    (or below it), or a non-object on the way to one, is refused; sibling keys are fine.
    """
    for raw_key, item in value.items():
        path = f"{prefix}{raw_key}"
        if path in packages:
            return f"data key {path!r} is the path of package {path}; data cannot define rules"
        below = [p for p in packages if p.startswith(path + ".")]
        if below and not isinstance(item, dict):
            return f"data key {path!r} would replace package {sorted(below)[0]}"
        if below:
            found = data_collision(item, below, path + ".")
            if found:
                return found
    return None


def load_data(data_paths: list[str], root: Path | None = None,
              packages: Collection[str] = ()) -> tuple[dict[str, Any], list[Notice]]:
    """Merge ``--data`` documents (JSON/YAML files or folders of them) into one tree.

    A document with a key at the path of a loaded package (``packages``) is refused.
    """
    merged: dict[str, Any] = {}
    notices: list[Notice] = []
    if data_paths:
        fence = _Containment(data_paths, root or Path.cwd())
        refused: Refusals = []
        files = data_files_of(data_paths, root, refused)
        for f, why in refused:
            notices.append(Notice(NoticeLevel.ERROR, "data-credential-file", f"data file not read: {why}",
                                  fence.display(f), None))
        for f in files:
            outside = fence.escape(f)
            if outside is not None:
                notices.append(Notice(NoticeLevel.ERROR, "data-symlink-outside-root",
                                      "data file not loaded: it is a symlink that resolves outside the "
                                      "repository", fence.display(f), None))
                continue
            try:
                value = _read_data_document(f)
            except _Refused as exc:
                notices.append(Notice(NoticeLevel.ERROR, exc.code, exc.message,
                                      fence.display(f) if exc.code == "data-credential-file" else f.as_posix(),
                                      exc.line))
                continue
            if value is None:
                continue
            if not isinstance(value, dict):
                notices.append(Notice(NoticeLevel.ERROR, "data-error",
                                      "a data document must be a mapping at the top level", f.as_posix(), 1))
                continue
            try:
                json.dumps(value)
            except (TypeError, ValueError) as exc:
                notices.append(Notice(NoticeLevel.ERROR, "data-error", f"data is not JSON-compatible: {exc}",
                                      f.as_posix(), None))
                continue
            collision = data_collision(value, set(packages))
            if collision:
                notices.append(Notice(NoticeLevel.ERROR, "data-error", f"data file not loaded: {collision}",
                                      f.as_posix(), None))
                continue
            conflict = _deep_merge(merged, value)
            if conflict:
                notices.append(Notice(NoticeLevel.ERROR, "data-error",
                                      f"data key {conflict!r} is defined twice with different values",
                                      f.as_posix(), None))
    return merged, notices


class _Refused(Exception):
    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


def _read_data_document(path: Path) -> Any:
    """One data file's value, read like a scanned file: the same size limit (checked before
    reading), the same guarded parser (alias bombs, nesting depth, no recursion). A
    billion-laughs YAML ran for minutes at gigabytes; 100,000 nested brackets ended the
    scan with RecursionError, before any report was written."""
    try:
        text = read_text(path)
        shape = credential_shape(text)
        if shape is not None:
            raise _Refused("data-credential-file", f"data file not loaded: {shape}")
        docs = parse_json(text, path.as_posix()) if path.suffix == ".json" else parse_yaml(text, path.as_posix())
    except ParseError as exc:
        raise _Refused("data-error", f"cannot read data file: {exc.message}", exc.line) from None
    except _Refused:
        raise
    except Exception as exc:  # a parser bug (or an exhausted resource) is this file's error, not a crash
        raise _Refused("data-error", f"cannot read data file: {type(exc).__name__}: {exc}") from None
    if len(docs) > 1:
        raise _Refused("data-error", f"a data file holds one document; this one holds {len(docs)}",
                       docs[1].region.start_line)
    return docs[0].value if docs else None


def _deep_merge(into: dict[str, Any], new: dict[str, Any], prefix: str = "") -> str | None:
    for key, value in new.items():
        key = str(key)
        if key in into and isinstance(into[key], dict) and isinstance(value, dict):
            conflict = _deep_merge(into[key], value, f"{prefix}{key}.")
            if conflict:
                return conflict
        elif key in into and into[key] != value:
            return prefix + key
        else:
            into[key] = value
    return None


# Trivy's built-in library also lives under these legacy roots (appshield.kubernetes.KSV122,
# defsec.kubernetes.KSV107); asking for "builtin" means all of it.
def _metadata_from_annotations(pkg: str, mods: list[PreparedModule]) -> dict[str, Any] | None:
    # The check's own files first. A file that only adds an ``exception`` to the package
    # describes the waiver (reason, ticket): read first (file names sort it first), it
    # took the check's id and severity away, or let a pull request lower the severity.
    ranked = [m for m in mods if m.check_rules] + [m for m in mods if not m.check_rules and not m.exceptions]
    for mod in ranked:
        ann = mod.package_meta
        if ann is not None and ann.target == pkg:
            data = dict(ann.data)
            custom = data.get("custom") if isinstance(data.get("custom"), dict) else {}
            return {"title": data.get("title"), "description": data.get("description"),
                    "related_resources": data.get("related_resources"), **custom, "__line": ann.line,
                    "__path": mod.path}
    return None


def build_check_metadata(pkg: str, mods: list[PreparedModule], legacy: dict[str, Any] | None,
                         legacy_input: dict[str, Any] | None) -> CheckMetadata:
    """Trivy's order: package METADATA first, then ``__rego_metadata__``, then defaults."""
    meta = _metadata_from_annotations(pkg, mods) or {}
    if not meta.get("id") and isinstance(legacy, dict):
        # ``__line``/``__path`` are ours: a policy's own keys must not pick its source location
        own = {str(k): v for k, v in legacy.items() if not str(k).startswith("__")}
        meta = {**own, **{k: v for k, v in meta.items() if v}}
    owner = next((m for m in mods if any(CHECK_RULE.match(r.name) for r in m.rules)), mods[0])
    refs: list[str] = []
    for key in ("related_resources", "references"):
        for item in _as_list(meta.get(key)):
            if isinstance(item, str):
                refs.append(item)
            elif isinstance(item, dict) and isinstance(item.get("ref"), str):
                refs.append(item["ref"])
    if isinstance(meta.get("url"), str):
        refs.append(meta["url"])
    selectors: list[dict[str, Any]] = []
    input_meta = meta.get("input") if isinstance(meta.get("input"), dict) else legacy_input
    if isinstance(input_meta, dict) and isinstance(input_meta.get("selector"), list):
        selectors = [s for s in input_meta["selector"] if isinstance(s, dict)]
    aliases = [str(a) for a in _as_list(meta.get("aliases")) if isinstance(a, str | int)]
    for key in ("avd_id", "long_id", "short_code"):
        if isinstance(meta.get(key), str) and meta[key] not in aliases:
            aliases.append(meta[key])
    action = meta.get("recommended_action") or meta.get("recommended_actions") or ""
    return CheckMetadata(
        id=str(meta.get("id") or pkg),
        package=pkg,
        title=str(meta.get("title") or ""),
        severity=Severity.parse(meta.get("severity")),
        description=str(meta.get("description") or f"Rego check {pkg}"),
        recommended_action=str(action),
        references=list(dict.fromkeys(refs)),
        aliases=aliases,
        selectors=selectors,
        source_path=str(meta.get("__path") or owner.path),
        source_line=int(meta.get("__line") or owner.package_line or 1),
        builtin=owner.builtin,
        custom={k: v for k, v in meta.items() if not k.startswith("__") and _jsonable(v)},
    )


def _as_list(value: Any) -> list[Any]:
    """A metadata list as written, one value as a list of it, anything else as nothing.

    Metadata comes from the policy author (a PR, possibly): ``aliases: 5`` or
    ``related_resources: {}`` must not stop the scan.
    """
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, str | dict) else []


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    custom = data.get("custom") if isinstance(data.get("custom"), dict) else {}
    out = {k: v for k, v in data.items() if k not in ("custom", "scope", "schemas") and v is not None}
    out.update({k: v for k, v in custom.items() if v is not None})
    return {k: v for k, v in out.items() if _jsonable(v)}


def _exception_metadata(src: ExceptionSource, by_pkg: dict[str, list[PreparedModule]], legacy: dict[str, Any],
                        *, is_check: bool) -> dict[str, Any]:
    mod = next((m for m in by_pkg.get(src.package, []) if m.path == src.path), None)
    if mod is not None:
        for ann in mod.annotations:
            if ann.error is None and ann.scope in ("rule", "document") and ann.target == "exception" \
                    and ann.target_line == src.line:
                return _flatten(ann.data)
        ann = mod.package_meta
        if ann is not None and ann.target == src.package:
            return _flatten(ann.data)
    # a check package's __rego_metadata__ describes the check, not why it was waived
    value = None if is_check else legacy.get(entrypoint(src.package, "__rego_metadata__"))
    return dict(value) if isinstance(value, dict) else {}


def load_modules(policy_paths: list[str], root: Path, include_builtin: bool,
                 prepared: PreparedModules | None = None) -> tuple[list[PreparedModule], list[Notice]]:
    """``prepared``: the built-in modules as the wheel's build prepared them (``rego.prebuilt``),
    used for each built-in file whose bytes are unchanged."""
    notices: list[Notice] = []
    modules: list[PreparedModule] = []
    fence = _Containment(policy_paths, root)
    refused: Refusals = []
    files = collect_policy_files(policy_paths, root, include_builtin, refused)

    def prepared_builtin(path: Path, display: str, index: int) -> PreparedModule | None:
        """The module as the wheel's build prepared it (``rego.prebuilt``), if its source is unchanged."""
        if prepared is None or path.stat().st_size > MAX_POLICY_BYTES:
            return None
        mod = prepared.module(display, index, path.read_bytes())
        return mod if isinstance(mod, PreparedModule) else None

    builtin_packages: set[str] = set()
    for path, why in refused:
        notices.append(Notice(NoticeLevel.ERROR, "policy-credential-file", f"policy not read: {why}",
                              fence.display(path), None))
    for index, (path, display, builtin) in enumerate(files):
        if not builtin and fence.escape(path) is not None:
            notices.append(Notice(NoticeLevel.ERROR, "policy-symlink-outside-root",
                                  "policy not loaded: it is a symlink that resolves outside the repository",
                                  fence.display(path), None))
            continue
        try:
            mod = prepared_builtin(path, display, index) if builtin else None
            if mod is None:
                mod = read_module(path, display, module_index=index, builtin=builtin)
        except OSError as exc:
            raise UsageError(f"cannot read policy {display}: {exc.strerror or exc}") from None
        shape = None if builtin else credential_shape(mod.original)
        if shape is not None:
            notices.append(Notice(NoticeLevel.ERROR, "policy-credential-file", f"policy not loaded: {shape}",
                                  display, None))
            continue
        for ann in mod.annotations:
            if ann.error:
                notices.append(Notice(NoticeLevel.WARNING, "policy-metadata-error", ann.error, display, ann.line))
        for prob in mod.problems:  # every load problem refuses the module
            notices.append(Notice(NoticeLevel.ERROR, "policy-unsupported", prob.message, display, prob.line))
        if mod.fatal:
            continue
        if builtin:
            if mod.package:
                builtin_packages.add(mod.package)
        else:
            override = _builtin_override(mod, builtin_packages)
            if override is not None:
                notices.append(override)
                continue
        modules.append(mod)
    defs = [FunctionDef(m.package or "", r.name, r.arity) for m in modules for r in m.rules
            if r.is_function and "." not in r.name]
    linked, _notes = link({m.name: m.text for m in modules}, defs)
    for mod in modules:
        mod.text = linked[mod.name]
    return modules, notices


def describe(modules: list[PreparedModule], namespaces: list[str]) -> tuple[dict[str, list[PreparedModule]],
                                                                             list[str]]:
    """Group modules by package; return the packages that hold checks in the evaluated namespaces."""
    by_pkg: dict[str, list[PreparedModule]] = {}
    for mod in modules:
        if mod.package:
            by_pkg.setdefault(mod.package, []).append(mod)
    check_pkgs = [pkg for pkg, mods in by_pkg.items()
                  if in_namespaces(pkg, namespaces) and any(m.check_rules for m in mods)]
    return by_pkg, sorted(check_pkgs)


def metadata_entrypoints(by_pkg: dict[str, list[PreparedModule]], check_pkgs: list[str]) -> list[str]:
    eps: list[str] = []
    for pkg in check_pkgs:
        for mod in by_pkg[pkg]:
            for rule in METADATA_RULES:
                if mod.rule_line(rule) is not None:
                    eps.append(entrypoint(pkg, rule))
    return sorted(set(eps))


def assemble(modules: list[PreparedModule], namespaces: list[str], data: dict[str, Any],
             legacy: dict[str, Any], notices: list[Notice]) -> PolicySet:
    """Build the PolicySet once ``__rego_metadata__`` values (``legacy``) are known."""
    by_pkg, check_pkgs = describe(modules, namespaces)
    checks: list[Check] = []
    for pkg in check_pkgs:
        mods = by_pkg[pkg]
        rules: list[str] = []
        for mod in mods:
            for r in mod.check_rules:
                if r not in rules:
                    rules.append(r)
        legacy_meta = legacy.get(entrypoint(pkg, "__rego_metadata__"), legacy.get(entrypoint(pkg, "__rego_metadata")))
        if legacy_meta is not None and not isinstance(legacy_meta, dict):
            where = next(((m.path, m.rule_line(r)) for m in mods for r in ("__rego_metadata__", "__rego_metadata")
                          if m.rule_line(r)),
                         (mods[0].path, mods[0].package_line))
            notices.append(Notice(NoticeLevel.WARNING, "policy-metadata-error",
                                  f"__rego_metadata__ of package {pkg} is not an object; it is ignored", *where))
        meta = build_check_metadata(pkg, mods, legacy_meta, legacy.get(entrypoint(pkg, "__rego_input__")))
        check = Check(pkg, meta, sorted(rules), mods)
        for mod in mods:
            check.exceptions.extend(ExceptionSource("rule", pkg, mod.path, d) for d in mod.exceptions)
        checks.append(check)
    ns_exceptions = [ExceptionSource("namespace", NAMESPACE_EXCEPTIONS, mod.path, d)
                     for mod in by_pkg.get(NAMESPACE_EXCEPTIONS, []) for d in mod.exceptions]
    for check in checks:
        for src in check.exceptions:
            src.metadata = _exception_metadata(src, by_pkg, legacy, is_check=True)
    for src in ns_exceptions:
        src.metadata = _exception_metadata(src, by_pkg, legacy, is_check=False)
    for src in [*ns_exceptions, *(s for c in checks for s in c.exceptions)]:
        try:
            expiry_of(src.metadata)
        except ExpiryError as exc:  # findings.apply_expiry drops its waivers
            notices.append(Notice(NoticeLevel.ERROR, "exception-error", f"{src.label} waives nothing: {exc}",
                                  src.path, src.line))
    ids: dict[str, str] = {}
    for check in checks:
        severity = check.metadata.custom.get("severity")
        if severity not in (None, "") and check.metadata.severity is Severity.UNKNOWN \
                and str(severity).strip().upper() != Severity.UNKNOWN.name:
            notices.append(Notice(NoticeLevel.WARNING, "policy-metadata-error",
                                  f"check {check.metadata.id}: severity {str(severity)[:80]!r} is not one of "
                                  "CRITICAL, HIGH, MEDIUM, LOW; its findings are shown as UNKNOWN and count "
                                  "as HIGH for fail-on", check.metadata.source_path, check.metadata.source_line))
        other = ids.get(check.metadata.id)
        if other:
            notices.append(Notice(NoticeLevel.WARNING, "policy-duplicate-id",
                                  f"check id {check.metadata.id} is used by packages {other} and {check.package}",
                                  check.metadata.source_path, check.metadata.source_line))
        ids[check.metadata.id] = check.package
    packages = sorted(by_pkg)
    return PolicySet(modules, checks, ns_exceptions, data, notices, packages)
