"""SARIF 2.1.0 writer for GitHub code scanning and for a full, spec-faithful artifact.

Two products come out of the same builder (research notes, SARIF §7):

* ``suppressed="keep"`` (default): every finding is a result; a finding waived by an
  exception carries ``suppressions`` entries citing the exception rule (file, line,
  justification). Every other result carries ``suppressions: []``, because SARIF
  §3.27.23 requires ``suppressions`` to be all-null or all-non-null within a run and an
  empty array is how a producer says "evaluated, not suppressed".
* ``suppressed="omit"``: waived findings are left out. This is the file to upload to
  GitHub, which ignores ``suppressions`` and would otherwise open alerts for them.

Every result carries two partial fingerprints (see :mod:`regoscan.output.fingerprints`):
``primaryLocationLineHash`` exactly as codeql-action's ``upload-sarif`` computes it (when
the file can be read under the report root) and regoscan's own ``regoscanFinding/v1``.

The log stays within GitHub's ingestion limits (:class:`SarifLimits`: 25,000 results and
rules per run, 1,000 locations per result, 10 MB gzipped). Beyond them ``deny`` results are kept
before ``warn`` ones, the most severe first (then reading order); a result's message is cut
at 8,000 characters and its resource at 1,024. A ``sarif-truncated`` warning notification and
``run.properties.truncation`` say what was left out, and :func:`write_sarif` returns a
:class:`SarifTruncation` so the Markdown summary can say so too.

The log is built with the ``sarif_om`` object model and serialised with
``jschema_to_python.to_json.to_json`` (project choice, so the shape follows the
generated classes). Two gaps in those libraries (a pre-2.1.0 property name, and
``to_json`` dropping values equal to attrs defaults) are bridged by subclassing the
generated classes rather than by editing the JSON afterwards: see "sarif_om adapters".
``to_json`` deep-copies every object's subtree at every level, which made 25,000 results
take about 14 s; results are therefore serialised as one list next to the run skeleton
(not inside it), and the value objects declare themselves immutable to ``deepcopy``.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

import attr
import sarif_om as om
from jschema_to_python.to_json import to_json

try:
    from jschema_to_python.to_json import _generated_class_serializer as _SERIALISER
except ImportError:  # pragma: no cover
    _SERIALISER = None

from regoscan.models import (
    CheckMetadata,
    Finding,
    InputType,
    Notice,
    NoticeLevel,
    ScanReport,
    Severity,
    SuppressionInfo,
)

from . import jsontext
from ._shared import FINGERPRINT_KEY, all_notices, finding_key, location_sort_key, tool_version
from .escape import md_escape
from .fingerprints import LINE_HASH_KEY, FingerprintHook, SourceLineHashes, regoscan_fingerprint

__all__ = [
    "DEFAULT_CATEGORY",
    "FINGERPRINT_KEY",
    "GITHUB_LIMITS",
    "INFORMATION_URI",
    "LINE_HASH_KEY",
    "PARTIAL_CATEGORY",
    "SARIF_SCHEMA_URI",
    "SRCROOT",
    "TRUNCATED_CODE",
    "SarifLimits",
    "SarifTruncation",
    "build_sarif",
    "finding_key",
    "path_uri",
    "render_sarif",
    "root_uri",
    "write_sarif",
]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/regoscan/regoscan"
SRCROOT = "%SRCROOT%"
DEFAULT_CATEGORY = "regoscan/"
PARTIAL_CATEGORY = "regoscan/changed/"
"""Default category of a changed-files-only scan: uploading it under the full-scan
category would make GitHub close every alert in the files that were not scanned."""
TRUNCATED_CODE = "sarif-truncated"
"""Descriptor id of the notification that says results or rules were left out."""

SuppressedMode = Literal["keep", "omit"]
Fingerprints = FingerprintHook | Mapping[str, Mapping[str, str]]

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
_MAX_JUSTIFICATION = 2000
# A result's message and resource come from the scanned files and the change's policies:
# one 2.4 MB value echoed by a check made each result megabytes, and the 10 MB gzip limit
# then left out every other result. Trivy's messages are a line; kept generous.
_MAX_MESSAGE = 8_000
_MAX_RESOURCE = 1024
_REASON_KEYS = frozenset({"reason", "justification", "description"})  # as in the Markdown summary
# RFC 3986 sub-delims and "@" may stay literal in a path; ":" may not (a relative
# reference whose first segment has a colon would parse as a scheme), and "%" must be
# encoded so that a file literally named "a%20b" is not read back as "a b".
_URI_SAFE = "/!$&'()*+,;=@"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


# --- limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SarifLimits:
    """Upper bounds for one run (GitHub: docs "SARIF support for code scanning", limits).

    GitHub rejects a file above any of these, so the writer truncates instead.
    """

    max_results: int = 25_000
    max_rules: int = 25_000
    max_locations: int = 1_000
    max_gzip_bytes: int | None = 10_000_000
    """Of the compact JSON upload-sarif gzips and sends (GitHub: "10 MB"; decimal megabytes,
    so about 5% below 10 MiB); ``None``: no check."""


GITHUB_LIMITS = SarifLimits()


@dataclass(frozen=True)
class SarifTruncation:
    """What a run left out to stay within :class:`SarifLimits`.

    ``results_total`` counts the results the run would have had (after ``omit`` mode
    dropped waived findings: those are not truncation); the kept ones are the most
    severe, then reading order. Stored as ``run.properties.truncation`` and returned by
    :func:`write_sarif` / :func:`render_sarif` for the Markdown summary.
    """

    results_total: int
    results_written: int
    rules_total: int
    rules_written: int
    reasons: tuple[str, ...]
    """``results-per-run``, ``rules-per-run`` and/or ``gzip-size``."""

    @property
    def results_omitted(self) -> int:
        return self.results_total - self.results_written

    @property
    def rules_omitted(self) -> int:
        return self.rules_total - self.rules_written

    @property
    def message(self) -> str:
        parts = []
        if self.results_omitted:
            parts.append(
                f"{self.results_omitted} of {self.results_total} results were left out "
                f"(the {self.results_written} most severe were kept, warn results last)"
            )
        if self.rules_omitted:
            parts.append(f"{self.rules_omitted} of {self.rules_total} rules were left out")
        why = {
            "results-per-run": "25,000 results per run",
            "rules-per-run": "25,000 rules per run",
            "gzip-size": "10 MB gzipped per file",
        }
        limits = ", ".join(why.get(r, r) for r in self.reasons)
        return f"SARIF output truncated to stay within GitHub code scanning limits ({limits}): {'; '.join(parts)}."

    def to_properties(self) -> dict[str, Any]:
        return {
            "resultsTotal": self.results_total,
            "resultsWritten": self.results_written,
            "resultsOmitted": self.results_omitted,
            "rulesTotal": self.rules_total,
            "rulesWritten": self.rules_written,
            "rulesOmitted": self.rules_omitted,
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_log(cls, log: Mapping[str, Any]) -> SarifTruncation | None:
        """Read it back from a log built by :func:`build_sarif` (``None``: nothing cut)."""
        for run in log.get("runs", []):
            data = (run.get("properties") or {}).get("truncation")
            if data:
                return cls(
                    results_total=data["resultsTotal"],
                    results_written=data["resultsWritten"],
                    rules_total=data["rulesTotal"],
                    rules_written=data["rulesWritten"],
                    reasons=tuple(data["reasons"]),
                )
        return None


# --- sarif_om adapters -------------------------------------------------------------------


class _Immutable:
    """Mixin: these objects are never changed after construction, so ``deepcopy`` may share them.

    ``to_json`` deep-copies an object's ``__dict__`` before renaming its keys, and then does
    the same again for every nested object it meets, so without this each leaf was
    copied once per level above it. The copy of the object's own dict still happens; only
    the nested value objects (which ``to_json`` never mutates) are shared.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> _Immutable:
        return self


@attr.s
class _Suppression(_Immutable, om.Suppression):
    """``suppression`` with the 2.1.0 ``status`` property.

    sarif-om 1.0.4 was generated from a pre-release schema that called it ``state``;
    the final 2.1.0 schema names it ``status`` and forbids additional properties, so
    ``state`` would make the log invalid. Adding the field keeps us inside the model.
    """

    status = attr.ib(default=None, metadata={"schema_property_name": "status"})


@attr.s
class _Result(_Immutable, om.Result):
    """``result`` whose ``level`` is always written.

    ``to_json`` drops every property equal to its attrs default, and sarif-om declares
    ``level="warning"``. But SARIF's effective default for an absent result level is the
    *rule's* ``defaultConfiguration.level`` (§3.27.10), so a ``warn_*`` finding lowered
    from ``error`` to ``warning`` would silently be read back as ``error``.
    """

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


@attr.s
class _ReportingConfiguration(_Immutable, om.ReportingConfiguration):
    """``reportingConfiguration`` whose ``level`` is written even when it is ``warning``.

    Not a correctness issue (``warning`` is the SARIF default) but GitHub's docs and the
    research notes ask for an explicit ``defaultConfiguration.level`` on every rule.
    """

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


@attr.s
class _Notification(_Immutable, om.Notification):
    """``notification`` whose ``level`` is written even when it is ``warning`` (explicitness)."""

    level = attr.ib(default=None, metadata={"schema_property_name": "level"})


@attr.s
class _Message(_Immutable, om.Message):
    pass


@attr.s
class _MultiformatMessageString(_Immutable, om.MultiformatMessageString):
    pass


@attr.s
class _Location(_Immutable, om.Location):
    pass


@attr.s
class _PhysicalLocation(_Immutable, om.PhysicalLocation):
    pass


@attr.s
class _ArtifactLocation(_Immutable, om.ArtifactLocation):
    pass


@attr.s
class _Region(_Immutable, om.Region):
    pass


@attr.s
class _ReportingDescriptorReference(_Immutable, om.ReportingDescriptorReference):
    pass


# --- small value helpers -----------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """Cut to GitHub's length limits; an ellipsis shows that something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_text(*candidates: str) -> str:
    """The first candidate with visible text (GitHub rejects blank required strings)."""
    return next((c for c in candidates if c and c.strip()), candidates[-1])


def _json_safe(value: Any) -> Any:
    """Metadata comes from Rego and may hold anything; SARIF needs plain JSON."""
    if value is None or isinstance(value, str | bool | int):
        return value
    return json.loads(json.dumps(value, default=str))


def _serialise(obj: Any) -> Any:
    """sarif_om objects (or lists of them) to plain JSON values, by jschema-to-python.

    ``to_json`` is ``json.dumps(obj, indent=2, default=<its serialiser>)``; the indent
    forces Python's slow pure-Python encoder, which was half the time of a 25,000-result
    log. The same serialiser with the C encoder gives the same values (a test checks this
    against ``to_json``), so it is used when the installed version still has it.
    """
    if _SERIALISER is None:  # pragma: no cover - only with a jschema-to-python that renamed it
        return json.loads(to_json(obj))
    return json.loads(json.dumps(obj, default=_SERIALISER))


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
            return _ArtifactLocation(uri=Path(absolute).as_uri())
        path = Path(os.path.relpath(absolute, base)).as_posix()
    return _ArtifactLocation(uri=path_uri(path), uri_base_id=SRCROOT)


def _location(path: str, root: str, line: int | None, column: int | None = None) -> om.Location:
    """A location; the region is left out when the line is unknown (startLine must be >= 1)."""
    region = None
    if line is not None and line >= 1:
        region = _Region(start_line=line, start_column=column) if column and column >= 1 else _Region(start_line=line)
    return _Location(
        physical_location=_PhysicalLocation(artifact_location=_artifact_location(path, root), region=region)
    )


def _finding_location(finding: Finding, root: str) -> om.Location:
    """Whole-line region: start/end line and startColumn 1.

    ``endColumn`` is omitted on purpose: it defaults to the end of ``endLine`` (§3.30.8),
    which is what is meant, and computing it would need the text of the end line in the
    unit ``columnKind`` names (a wrong value would misplace GitHub's highlight).
    """
    region = _Region(start_line=finding.region.start_line, end_line=finding.region.end_line, start_column=1)
    return _Location(
        physical_location=_PhysicalLocation(artifact_location=_artifact_location(finding.path, root), region=region)
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
    so it goes through :func:`md_escape`. Only a built-in check's references that are
    plain http(s) URLs become (angle-bracket) links: a custom check's ``related_resources``
    come from the policy folder, which the pull request controls, so they stay text.
    """
    text = [description]
    markdown = [md_escape(description)]
    if check.recommended_action:
        text.append(f"Recommended action: {check.recommended_action}")
        markdown.append(f"**Recommended action:** {md_escape(check.recommended_action)}")
    if check.references:
        text.append("References:\n" + "\n".join(f"- {r}" for r in check.references))
        markdown.append("**References:**\n" + "\n".join(
            f"- {_md_link(r) if check.builtin else md_escape(r)}" for r in check.references))
    return _MultiformatMessageString(text="\n\n".join(text), markdown="\n\n".join(markdown))


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


def _rule_name(check: CheckMetadata, title: str) -> str | None:
    """A Pascal-case friendly name, or none at all.

    SARIF §3.49.7 forbids ``name`` equal to ``id`` (the Multitool's SARIF1001 also
    compares case-insensitively), so a check without a usable title has no ``name``.
    """
    name = _clip(_pascal_case(title), _MAX_NAME)
    if not name or name.casefold() == check.id.casefold():
        return None
    return name


def _help_uri(check: CheckMetadata) -> str | None:
    """The first reference that is an absolute http(s) URL (``helpUri`` is a URI); built-in
    checks only, since GitHub shows it as a link (see :func:`_help`)."""
    if not check.builtin:
        return None
    for ref in check.references:
        if re.fullmatch(r"https?://[^\s<>\"`\\{}|^]+", ref):
            return ref
    return None


def _rule(check: CheckMetadata) -> om.ReportingDescriptor:
    """One reportingDescriptor; GitHub rejects empty required strings, so fall back to the id."""
    title = check.title.strip() or check.id
    description = check.description.strip() or title
    level = _LEVEL_BY_SEVERITY[check.severity]
    return om.ReportingDescriptor(
        id=check.id,
        name=_rule_name(check, title),
        short_description=_MultiformatMessageString(text=_clip(title, _MAX_DESCRIPTION)),
        full_description=_MultiformatMessageString(text=_clip(description, _MAX_DESCRIPTION)),
        help=_help(check, description),
        help_uri=_help_uri(check),
        default_configuration=_ReportingConfiguration(level=level),
        properties=_rule_properties(check, level),
    )


# --- results -----------------------------------------------------------------------------


def _level(finding: Finding) -> str:
    """The rule's level, one step lower for ``warn``/``warn_*`` rules."""
    level = _LEVEL_BY_SEVERITY[finding.severity]
    return _LOWER_LEVEL[level] if finding.is_warning else level


def _metadata_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(_json_safe(value), ensure_ascii=False, separators=(", ", ": "))


def _justification(info: SuppressionInfo) -> str:
    """Which exception waived it, its reason, then the rest of its metadata (ticket, expiry...).

    ``Exempted by rule exception in policy/x.rego:3 (package p): legacy image (ticket:
    OPS-1234, expires: 2027-03-31)``. Same pieces as the Markdown summary's column.
    """
    extras = [
        f"{k}: {_metadata_text(v)}" for k, v in info.metadata if k not in _REASON_KEYS and v not in (None, "", [], {})
    ]
    text = info.justification
    if extras:
        text += f" ({', '.join(extras)})"
    return _clip(text, _MAX_JUSTIFICATION)


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
        justification=_justification(info),
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
        fields = [info.kind, info.exception_package, info.path, info.line, info.matched, list(info.metadata)]
        unique.setdefault(json.dumps(fields, sort_keys=True, default=str), info)
    return [_suppression(info, root) for info in unique.values()]


def _fingerprint_hook(report: ScanReport, fingerprints: Fingerprints | None) -> FingerprintHook:
    """Normalise the ``fingerprints`` argument into one callable.

    ``None``: line hashes of the files under ``report.root``. A mapping: extra values keyed
    by :func:`finding_key` (the original hook; note that two findings with the same key on
    different lines would share them). A callable: called per finding.
    """
    if fingerprints is None:
        return SourceLineHashes(report.root, report.findings)
    if callable(fingerprints):
        return fingerprints
    table = fingerprints
    return lambda finding: table.get(finding_key(finding), {})


def _result(finding: Finding, rule_index: int, root: str, extra: Mapping[str, str], max_locations: int) -> _Result:
    partial = {FINGERPRINT_KEY: regoscan_fingerprint(finding), **extra}
    resource = _clip(finding.resource, _MAX_RESOURCE) if isinstance(finding.resource, str) else finding.resource
    props = {"regoRule": finding.rule, "resource": resource, "documentIndex": finding.document_index}
    return _Result(
        rule_id=finding.check.id,
        rule_index=rule_index,
        level=_level(finding),
        message=_Message(text=_clip(_first_text(finding.message, finding.check.title, finding.check.id),
                                    _MAX_MESSAGE)),
        locations=[_finding_location(finding, root)][:max_locations],
        partial_fingerprints=partial,
        suppressions=_suppressions(finding, root),
        properties=_property_bag(props),
    )


# --- invocation --------------------------------------------------------------------------


def _notification(notice: Notice, root: str, rule_index: Mapping[str, int]) -> _Notification:
    associated = None
    if notice.check_id:
        associated = _ReportingDescriptorReference(id=notice.check_id, index=rule_index.get(notice.check_id, -1))
    return _Notification(
        level=notice.level.value,
        message=_Message(text=_first_text(notice.message, notice.code)),
        descriptor=_ReportingDescriptorReference(id=notice.code),
        locations=[_location(notice.path, root, notice.line, notice.column)] if notice.path else None,
        associated_rule=associated,
    )


def _invocation(report: ScanReport, rule_index: Mapping[str, int], extra: Sequence[Notice]) -> om.Invocation:
    """``executionSuccessful`` is false when any error notice exists (§3.20.21: an
    error-level notification means the run failed, so the two must agree)."""
    notices = [*all_notices(report), *extra]
    overrides, props = _exclusions(report, rule_index)
    return om.Invocation(
        execution_successful=not report.has_errors,
        tool_execution_notifications=[_notification(n, report.root, rule_index) for n in notices],
        rule_configuration_overrides=overrides or None,
        properties=props or None,
    )


def _exclusions(report: ScanReport, rule_index: Mapping[str, int]) -> tuple[list[Any], dict[str, Any]]:
    """``--skip-check``/``--severity`` as the invocation recorded them (never silent).

    A skipped check keeps its rule and gets a ``ruleConfigurationOverrides`` entry with
    ``enabled: false`` (§3.20.5: the configuration actually used in this run); the
    values as given and the number of findings removed go to ``invocation.properties``.
    """
    f = report.filters
    if not f.active:
        return [], {}
    overrides = [
        om.ConfigurationOverride(
            configuration=om.ReportingConfiguration(enabled=False),
            descriptor=_ReportingDescriptorReference(id=c.id, index=rule_index[c.id]),
        )
        for c in _rule_checks(report)
        if c.id in rule_index and f.skips(c)
    ]
    props = {
        "skippedChecks": list(f.skipped_checks),
        "severityFilter": [s.name for s in f.severities],
        "filteredOutResults": f.removed,
    }
    return overrides, props


# --- assembly ----------------------------------------------------------------------------


def _category(report: ScanReport, category: str | None) -> str:
    """``automationDetails.id``; a trailing ``/`` makes the whole id the category
    (without it GitHub would read the last segment as a run id)."""
    value = category or (PARTIAL_CATEGORY if report.partial else DEFAULT_CATEGORY)
    return value if value.endswith("/") else value + "/"


def _driver(report: ScanReport, rules: list[om.ReportingDescriptor]) -> om.ToolComponent:
    version = tool_version(report)
    return om.ToolComponent(
        name="regoscan",
        version=version,
        semantic_version=version if _SEMVER.match(version) else None,
        information_uri=INFORMATION_URI,
        rules=rules,
    )


def _run_properties(
    report: ScanReport, mode: SuppressedMode, omitted: int, truncation: SarifTruncation | None
) -> dict[str, Any]:
    props: dict[str, Any] = {"suppressedMode": mode, "partialScan": report.partial}
    if mode == "omit":
        props["omittedSuppressedResults"] = omitted
    if truncation is not None:
        props["truncation"] = truncation.to_properties()
    return props


def _priority(finding: Finding) -> tuple[Any, ...]:
    """Truncation order: deny before warn, most severe first, then reading order.

    ``warn`` results never fail the gate; ranked by severity alone, a CRITICAL ``warn``
    check of the change with large messages filled the 10 MB and left every built-in
    ``deny`` finding out of the uploaded file.
    """
    return (finding.is_warning, -finding.severity.value, *location_sort_key(finding))


def _select_rules(
    checks: list[CheckMetadata], ranked: list[Finding], notices: Sequence[Notice], max_rules: int
) -> list[CheckMetadata]:
    """All rules when they fit; else those the most important results use, then those
    notices name, then the rest, in ``checks`` order within each group."""
    if len(checks) <= max_rules:
        return checks
    by_id = {c.id: c for c in checks}
    wanted: dict[str, None] = {}
    for check_id in [*(f.check.id for f in ranked), *(n.check_id for n in notices if n.check_id), *by_id]:
        if len(wanted) >= max_rules:
            break
        if check_id in by_id:
            wanted.setdefault(check_id, None)
    keep = set(wanted)
    return [c for c in checks if c.id in keep]


@dataclass
class _Rendered:
    log: dict[str, Any]
    truncation: SarifTruncation | None


def _upload_size(log: Mapping[str, Any], limit: int) -> int:
    """Gzipped size of the log as upload-sarif sends it (``JSON.stringify``, then gzip).

    Cheap when the uncompressed JSON already fits: gzip cannot make it larger than that
    by more than a few header bytes, so it is not compressed at all then.
    """
    raw = json.dumps(log, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(raw) + 1024 <= limit:
        return len(raw)
    return len(gzip.compress(raw, compresslevel=6, mtime=0))


def _render(
    report: ScanReport,
    mode: SuppressedMode,
    category: str | None,
    fingerprints: Fingerprints | None,
    limits: SarifLimits,
) -> _Rendered:
    checks = _rule_checks(report)
    findings = [f for f in report.findings if mode == "keep" or not f.suppressed]
    omitted_suppressed = len(report.findings) - len(findings)
    ranked = sorted(findings, key=_priority)

    rule_checks = _select_rules(checks, ranked, report.notices, limits.max_rules)
    rule_index = {c.id: i for i, c in enumerate(rule_checks)}
    reasons: list[str] = []
    if len(rule_checks) < len(checks):
        reasons.append("rules-per-run")
    with_rule = [f for f in ranked if f.check.id in rule_index]
    candidates = with_rule[: limits.max_results]
    if len(candidates) < len(with_rule):
        reasons.append("results-per-run")

    # Results are serialised once, as one list, in priority order: cutting for size later
    # is a slice, and the run skeleton (rules, notifications) is serialised separately.
    hook = _fingerprint_hook(report, fingerprints)
    serialised = _serialise(
        [_result(f, rule_index[f.check.id], report.root, hook(f), limits.max_locations) for f in candidates]
    )
    order = sorted(range(len(candidates)), key=lambda i: location_sort_key(candidates[i]))
    rules_json = _serialise([_rule(c) for c in rule_checks])

    keep = len(candidates)
    while True:
        truncation = None
        if reasons:
            truncation = SarifTruncation(
                results_total=len(findings),
                results_written=keep,
                rules_total=len(checks),
                rules_written=len(rule_checks),
                reasons=tuple(reasons),
            )
        extra = [Notice(NoticeLevel.WARNING, TRUNCATED_CODE, truncation.message)] if truncation else []
        run = om.Run(
            tool=om.Tool(driver=_driver(report, [])),
            automation_details=om.RunAutomationDetails(id=_category(report, category)),
            original_uri_base_ids={SRCROOT: _ArtifactLocation(uri=root_uri(report.root))},
            column_kind="unicodeCodePoints",
            invocations=[_invocation(report, rule_index, extra)],
            results=[],
            properties=_run_properties(report, mode, omitted_suppressed, truncation),
        )
        log = _serialise(om.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA_URI, runs=[run]))
        log["runs"][0]["tool"]["driver"]["rules"] = rules_json
        log["runs"][0]["results"] = [serialised[i] for i in order if i < keep]

        if limits.max_gzip_bytes is not None and keep > 0:
            size = _upload_size(log, limits.max_gzip_bytes)
            if size > limits.max_gzip_bytes:
                keep = max(0, min(keep - 1, int(keep * limits.max_gzip_bytes / size * 0.95)))
                if "gzip-size" not in reasons:
                    reasons.append("gzip-size")
                continue
        return _Rendered(log=log, truncation=truncation)


def render_sarif(
    report: ScanReport,
    *,
    suppressed: SuppressedMode = "keep",
    category: str | None = None,
    fingerprints: Fingerprints | None = None,
    limits: SarifLimits = GITHUB_LIMITS,
) -> tuple[dict[str, Any], SarifTruncation | None]:
    """:func:`build_sarif` plus what was truncated (``None`` when nothing was)."""
    if suppressed not in ("keep", "omit"):
        raise ValueError(f"suppressed must be 'keep' or 'omit', not {suppressed!r}")
    rendered = _render(report, suppressed, category, fingerprints, limits)
    return rendered.log, rendered.truncation


def build_sarif(
    report: ScanReport,
    *,
    suppressed: SuppressedMode = "keep",
    category: str | None = None,
    fingerprints: Fingerprints | None = None,
    limits: SarifLimits = GITHUB_LIMITS,
) -> dict[str, Any]:
    """Build the SARIF log of ``report`` as a JSON-ready dict.

    ``suppressed``: ``"keep"`` (full artifact, waived findings carry ``suppressions``) or
    ``"omit"`` (GitHub upload; the number left out goes to
    ``run.properties.omittedSuppressedResults``).
    ``category``: ``automationDetails.id``; defaults to ``regoscan/`` (or
    ``regoscan/changed/`` for a partial scan).
    ``fingerprints``: extra ``partialFingerprints`` per finding, merged over regoscan's own
    ``regoscanFinding/v1``. Default (``None``): ``primaryLocationLineHash`` computed from
    each finding's file under ``report.root``, as upload-sarif would (files that cannot be
    read get none). Otherwise a callable ``Finding -> {name: value}`` (``lambda f: {}``
    turns line hashes off) or a mapping keyed by :func:`finding_key`.
    ``limits``: see :class:`SarifLimits`; :class:`SarifTruncation` says what was cut.
    """
    return render_sarif(report, suppressed=suppressed, category=category, fingerprints=fingerprints, limits=limits)[0]


def write_sarif(
    report: ScanReport,
    path: str | os.PathLike[str],
    *,
    suppressed: SuppressedMode = "keep",
    category: str | None = None,
    fingerprints: Fingerprints | None = None,
    limits: SarifLimits = GITHUB_LIMITS,
) -> SarifTruncation | None:
    """Write :func:`build_sarif` output as UTF-8 JSON; return what was truncated, if anything.

    Creates the parent folder if needed.
    """
    if suppressed not in ("keep", "omit"):
        raise ValueError(f"suppressed must be 'keep' or 'omit', not {suppressed!r}")
    rendered = _render(report, suppressed, category, fingerprints, limits)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(jsontext.dumps(rendered.log) + "\n", encoding="utf-8")
    return rendered.truncation


def note_truncation(report: ScanReport, truncation: SarifTruncation | None) -> None:
    """Record a truncated SARIF in the report's notices, so the summary says so too.

    Called after the SARIF is written and before the Markdown is rendered.
    """
    if truncation is None:
        return
    if any(n.code == "sarif-truncated" for n in report.notices):
        return
    report.notices.append(Notice(NoticeLevel.WARNING, "sarif-truncated", truncation.message))
