"""SARIF 2.1.0 writer for GitHub code scanning and for a full, spec-faithful artifact.

Two products come out of the same builder (research notes, SARIF §7):

* ``suppressed="keep"`` (default): every finding is a result; a finding waived by an
  exception carries ``suppressions`` entries citing the exception rule (file, line,
  justification). Every other result carries ``suppressions: []``, because SARIF
  §3.27.23 requires ``suppressions`` to be all-null or all-non-null within a run and an
  empty array is how a producer says "evaluated, not suppressed".
* ``suppressed="omit"``: waived findings are left out. This is the file to upload to
  GitHub, which ignores ``suppressions`` and would otherwise open alerts for them.

The log is built with the ``sarif_om`` object model and serialised with
``jschema_to_python.to_json.to_json`` (project choice, so the shape follows the
generated classes). Two gaps in those libraries (a pre-2.1.0 property name, and
``to_json`` dropping values equal to attrs defaults) are bridged by subclassing the
generated classes rather than by editing the JSON afterwards: see "sarif_om adapters".
No post-processing of the serialised JSON is needed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

import attr
import sarif_om as om
from jschema_to_python.to_json import to_json

from regoscan.models import CheckMetadata, Finding, InputType, Notice, ScanReport, Severity, SuppressionInfo

from ._shared import FINGERPRINT_KEY, all_notices, by_location, finding_key, tool_version
from .escape import md_escape

__all__ = [
    "DEFAULT_CATEGORY",
    "FINGERPRINT_KEY",
    "INFORMATION_URI",
    "PARTIAL_CATEGORY",
    "SARIF_SCHEMA_URI",
    "SRCROOT",
    "build_sarif",
    "finding_key",
    "write_sarif",
]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/regoscan/regoscan"
SRCROOT = "%SRCROOT%"
DEFAULT_CATEGORY = "regoscan/"
PARTIAL_CATEGORY = "regoscan/changed/"
"""Default category of a changed-files-only scan: uploading it under the full-scan
category would make GitHub close every alert in the files that were not scanned."""

SuppressedMode = Literal["keep", "omit"]

_LEVEL_BY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "note",
}
# GitHub maps >9.0 to critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low; it must be a string.
_SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_LOWER_LEVEL = {"error": "warning", "warning": "note", "note": "note"}

_MAX_NAME = 255  # GitHub: rule name
_MAX_DESCRIPTION = 1024  # GitHub: shortDescription/fullDescription
_MAX_TAGS = 10  # GitHub keeps only the first 10 tags of a rule
# RFC 3986 sub-delims and "@" may stay literal in a path; ":" may not (a relative
# reference whose first segment has a colon would parse as a scheme), and "%" must be
# encoded so that a file literally named "a%20b" is not read back as "a b".
_URI_SAFE = "/!$&'()*+,;=@"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


# --- sarif_om adapters -------------------------------------------------------------------


@attr.s
class _Suppression(om.Suppression):
    """``suppression`` with the 2.1.0 ``status`` property.

    sarif-om 1.0.4 was generated from a pre-release schema that called it ``state``;
    the final 2.1.0 schema names it ``status`` and forbids additional properties, so
    ``state`` would make the log invalid. Adding the field keeps us inside the model.
    """

    status = attr.ib(default=None, metadata={"schema_property_name": "status"})


@attr.s
class _Result(om.Result):
    """``result`` whose ``level`` is always written.

    ``to_json`` drops every property equal to its attrs default, and sarif-om declares
    ``level="warning"``. But SARIF's effective default for an absent result level is the
    *rule's* ``defaultConfiguration.level`` (§3.27.10), so a ``warn_*`` finding lowered
    from ``error`` to ``warning`` would silently be read back as ``error``.
    """

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


@attr.s
class _ReportingConfiguration(om.ReportingConfiguration):
    """``reportingConfiguration`` whose ``level`` is written even when it is ``warning``.

    Not a correctness issue (``warning`` is the SARIF default) but GitHub's docs and the
    research notes ask for an explicit ``defaultConfiguration.level`` on every rule.
    """

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


@attr.s
class _Notification(om.Notification):
    """``notification`` whose ``level`` is written even when it is ``warning`` (explicitness)."""

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


# --- small value helpers -----------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """Cut to GitHub's length limits; an ellipsis shows that something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_safe(value: Any) -> Any:
    """Metadata comes from Rego and may hold anything; SARIF needs plain JSON."""
    return json.loads(json.dumps(value, default=str))


def _property_bag(values: Mapping[str, Any]) -> dict[str, Any]:
    """A schema-valid property bag: JSON values only, and ``tags`` a unique string list.

    The SARIF schema gives ``properties.tags`` a fixed type (array of unique strings),
    so an exception whose metadata has ``tags: "x"`` must not be copied through as is.
    """
    bag = {str(k): _json_safe(v) for k, v in values.items() if v is not None}
    if "tags" in bag:
        raw = bag["tags"] if isinstance(bag["tags"], list) else [bag["tags"]]
        bag["tags"] = list(dict.fromkeys(str(t) for t in raw))
    return bag


def _pascal_case(title: str) -> str:
    """``"Runs as root user"`` -> ``"RunsAsRootUser"``: a rule name GitHub can filter on."""
    words = re.findall(r"[^\W_]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words)


def path_uri(path: str) -> str:
    """Percent-encode a POSIX relative path as an RFC 3986 relative reference."""
    return quote(path.replace(os.sep, "/"), safe=_URI_SAFE)


def root_uri(root: str) -> str:
    """``file:`` URI of the scan root, ending in ``/`` as §3.14.14 requires."""
    uri = Path(os.path.normpath(os.path.abspath(root))).as_uri()
    return uri if uri.endswith("/") else uri + "/"


# --- locations ---------------------------------------------------------------------------


def _artifact_location(path: str, root: str) -> om.ArtifactLocation:
    """Repo-relative URI under ``%SRCROOT%``; an absolute path outside the root keeps its
    ``file:`` URI (with no ``uriBaseId``, as §3.4.4 requires for absolute URIs)."""
    if PurePosixPath(path).is_absolute() or os.path.isabs(path):
        absolute = os.path.normpath(path)
        base = os.path.normpath(os.path.abspath(root))
        if os.path.commonpath([absolute, base]) != base:
            return om.ArtifactLocation(uri=Path(absolute).as_uri())
        path = Path(os.path.relpath(absolute, base)).as_posix()
    return om.ArtifactLocation(uri=path_uri(path), uri_base_id=SRCROOT)


def _location(path: str, root: str, line: int | None) -> om.Location:
    """A location; the region is left out when the line is unknown (startLine must be >= 1)."""
    region = om.Region(start_line=line) if line is not None and line >= 1 else None
    return om.Location(
        physical_location=om.PhysicalLocation(artifact_location=_artifact_location(path, root), region=region)
    )


def _finding_location(finding: Finding, root: str) -> om.Location:
    """Whole-line region: start/end line and startColumn 1.

    ``endColumn`` is omitted on purpose: it needs the text of the end line, which the
    report does not carry, and a wrong value would misplace GitHub's highlight.
    """
    region = om.Region(start_line=finding.region.start_line, end_line=finding.region.end_line, start_column=1)
    return om.Location(
        physical_location=om.PhysicalLocation(artifact_location=_artifact_location(finding.path, root), region=region)
    )


# --- rules -------------------------------------------------------------------------------


def _rule_checks(report: ScanReport) -> list[CheckMetadata]:
    """``report.checks`` in order, first occurrence of each id, plus any check that only
    appears on a finding, so every result can point at a rule."""
    seen: dict[str, CheckMetadata] = {}
    for check in [*report.checks, *(f.check for f in report.findings)]:
        seen.setdefault(check.id, check)
    return list(seen.values())


def _input_types(check: CheckMetadata) -> list[str]:
    """Input types a check targets, from its selectors or else from its package path."""
    known = {t.value for t in InputType}
    types = [str(s.get("type")) for s in check.selectors if str(s.get("type")) in known]
    if not types:
        types = [part for part in check.package.split(".") if part in known]
    return list(dict.fromkeys(types))


def _help(check: CheckMetadata, description: str) -> om.MultiformatMessageString:
    """Rule help: description, recommended action and references, as text and Markdown.

    The Markdown form is rendered by GitHub, and policy text is input like any other,
    so it goes through :func:`md_escape`; only references that are plain http(s) URLs
    become (angle-bracket) links, since that is what a reference is for.
    """
    text = [description]
    markdown = [md_escape(description)]
    if check.recommended_action:
        text.append(f"Recommended action: {check.recommended_action}")
        markdown.append(f"**Recommended action:** {md_escape(check.recommended_action)}")
    if check.references:
        text.append("References:\n" + "\n".join(f"- {r}" for r in check.references))
        markdown.append("**References:**\n" + "\n".join(f"- {_md_link(r)}" for r in check.references))
    return om.MultiformatMessageString(text="\n\n".join(text), markdown="\n\n".join(markdown))


def _md_link(reference: str) -> str:
    """``<https://…>`` for a well-formed http(s) URL, escaped text otherwise."""
    if re.fullmatch(r"https?://[^\s<>`\\]+", reference):
        return f"<{reference}>"
    return md_escape(reference)


def _rule_properties(check: CheckMetadata, level: str) -> dict[str, Any]:
    tags = ["security", *_input_types(check), *check.aliases]
    props: dict[str, Any] = {
        "tags": list(dict.fromkeys(tags))[:_MAX_TAGS],
        "precision": "high",
        "problem.severity": _PROBLEM_SEVERITY[level],
        "package": check.package,
        "aliases": list(check.aliases),
    }
    if check.severity in _SECURITY_SEVERITY:
        props["security-severity"] = _SECURITY_SEVERITY[check.severity]
    return _property_bag(props)


def _rule(check: CheckMetadata) -> om.ReportingDescriptor:
    """One reportingDescriptor; GitHub rejects empty required strings, so fall back to the id."""
    title = check.title.strip() or check.id
    description = check.description.strip() or title
    level = _LEVEL_BY_SEVERITY[check.severity]
    return om.ReportingDescriptor(
        id=check.id,
        name=_clip(_pascal_case(title) or check.id, _MAX_NAME),
        short_description=om.MultiformatMessageString(text=_clip(title, _MAX_DESCRIPTION)),
        full_description=om.MultiformatMessageString(text=_clip(description, _MAX_DESCRIPTION)),
        help=_help(check, description),
        help_uri=check.references[0] if check.references else None,
        default_configuration=_ReportingConfiguration(level=level),
        properties=_rule_properties(check, level),
    )


# --- results -----------------------------------------------------------------------------


def _level(finding: Finding) -> str:
    """The rule's level, one step lower for ``warn``/``warn_*`` rules."""
    level = _LEVEL_BY_SEVERITY[finding.severity]
    return _LOWER_LEVEL[level] if finding.is_warning else level


def _suppression(info: SuppressionInfo, root: str) -> _Suppression:
    """An accepted external suppression located at the exception rule that matched."""
    props = {
        **dict(info.metadata),
        "exceptionKind": info.kind,
        "exceptionPackage": info.exception_package,
        "matched": info.matched,
    }
    return _Suppression(
        kind="external",
        status="accepted",
        justification=info.justification,
        location=_location(info.path, root, info.line),
        properties=_property_bag(props),
    )


def _suppressions(finding: Finding, root: str) -> list[_Suppression]:
    """Unique suppression objects (the schema says ``uniqueItems``) in the engine's order.

    The key covers every field the SARIF object is built from, so equal keys mean equal
    objects; it is much cheaper than serialising each candidate to compare.
    """
    unique: dict[str, SuppressionInfo] = {}
    for info in finding.suppressions:
        fields = [info.kind, info.exception_package, info.path, info.line, info.matched, dict(info.metadata)]
        unique.setdefault(json.dumps(fields, sort_keys=True, default=str), info)
    return [_suppression(info, root) for info in unique.values()]


def _result(
    finding: Finding,
    rule_index: int,
    root: str,
    fingerprints: Mapping[str, Mapping[str, str]] | None,
) -> _Result:
    key = finding_key(finding)
    partial = {FINGERPRINT_KEY: key, **(fingerprints or {}).get(key, {})}
    props = {"regoRule": finding.rule, "resource": finding.resource, "documentIndex": finding.document_index}
    return _Result(
        rule_id=finding.check.id,
        rule_index=rule_index,
        level=_level(finding),
        message=om.Message(text=finding.message or finding.check.title or finding.check.id),
        locations=[_finding_location(finding, root)],
        partial_fingerprints=partial,
        suppressions=_suppressions(finding, root),
        properties=_property_bag(props),
    )


# --- invocation --------------------------------------------------------------------------


def _notification(notice: Notice, root: str, rule_index: Mapping[str, int]) -> _Notification:
    associated = None
    if notice.check_id:
        associated = om.ReportingDescriptorReference(id=notice.check_id, index=rule_index.get(notice.check_id, -1))
    return _Notification(
        level=notice.level.value,
        message=om.Message(text=notice.message or notice.code),
        descriptor=om.ReportingDescriptorReference(id=notice.code),
        locations=[_location(notice.path, root, notice.line)] if notice.path else None,
        associated_rule=associated,
    )


def _invocation(report: ScanReport, rule_index: Mapping[str, int]) -> om.Invocation:
    """``executionSuccessful`` is false when any error notice exists (§3.20.21: an
    error-level notification means the run failed, so the two must agree)."""
    notifications = [_notification(n, report.root, rule_index) for n in all_notices(report)]
    return om.Invocation(
        execution_successful=not report.has_errors,
        tool_execution_notifications=notifications,
    )


# --- assembly ----------------------------------------------------------------------------


def _category(report: ScanReport, category: str | None) -> str:
    """``automationDetails.id``; a trailing ``/`` makes the whole id the category
    (without it GitHub would read the last segment as a run id)."""
    value = category or (PARTIAL_CATEGORY if report.partial else DEFAULT_CATEGORY)
    return value if value.endswith("/") else value + "/"


def _driver(report: ScanReport, checks: list[CheckMetadata]) -> om.ToolComponent:
    version = tool_version(report)
    return om.ToolComponent(
        name="regoscan",
        version=version,
        semantic_version=version if _SEMVER.match(version) else None,
        information_uri=INFORMATION_URI,
        rules=[_rule(c) for c in checks],
    )


def _run_properties(report: ScanReport, mode: SuppressedMode, omitted: int) -> dict[str, Any]:
    props: dict[str, Any] = {"suppressedMode": mode, "partialScan": report.partial}
    if mode == "omit":
        props["omittedSuppressedResults"] = omitted
    return props


def _build_log(
    report: ScanReport,
    mode: SuppressedMode,
    category: str | None,
    fingerprints: Mapping[str, Mapping[str, str]] | None,
) -> om.SarifLog:
    checks = _rule_checks(report)
    rule_index = {c.id: i for i, c in enumerate(checks)}
    findings = by_location(report.findings)
    kept = [f for f in findings if mode == "keep" or not f.suppressed]
    run = om.Run(
        tool=om.Tool(driver=_driver(report, checks)),
        automation_details=om.RunAutomationDetails(id=_category(report, category)),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri(report.root))},
        column_kind="unicodeCodePoints",
        invocations=[_invocation(report, rule_index)],
        results=[_result(f, rule_index[f.check.id], report.root, fingerprints) for f in kept],
        properties=_run_properties(report, mode, len(findings) - len(kept)),
    )
    return om.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA_URI, runs=[run])


def build_sarif(
    report: ScanReport,
    *,
    suppressed: SuppressedMode = "keep",
    category: str | None = None,
    fingerprints: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Build the SARIF log of ``report`` as a JSON-ready dict.

    ``suppressed``: ``"keep"`` (full artifact, waived findings carry ``suppressions``) or
    ``"omit"`` (GitHub upload; the number left out goes to
    ``run.properties.omittedSuppressedResults``).
    ``category``: ``automationDetails.id``; defaults to ``regoscan/`` (or
    ``regoscan/changed/`` for a partial scan).
    ``fingerprints``: extra ``partialFingerprints`` per finding, keyed by
    :func:`finding_key` (e.g. a ported ``primaryLocationLineHash``); they are merged
    over regoscan's own ``regoscanFinding/v1``.
    """
    if suppressed not in ("keep", "omit"):
        raise ValueError(f"suppressed must be 'keep' or 'omit', not {suppressed!r}")
    log = _build_log(report, suppressed, category, fingerprints)
    return json.loads(to_json(log))


def write_sarif(report: ScanReport, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write :func:`build_sarif` output as UTF-8 JSON (keyword arguments are passed on)."""
    data = build_sarif(report, **kwargs)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
