"""The data that flows between regoscan's stages.

Every stage (inputs -> engine -> writers) speaks only these types, so a writer never
needs to know how a finding was produced and the engine never needs to know how it
will be rendered. All types are plain dataclasses: cheap to build, easy to compare in
tests and trivially serialisable for the result cache and the worker protocol.
"""

from __future__ import annotations

import enum
import reprlib
from dataclasses import dataclass, field, fields
from typing import Any


class _Model:
    """The ``__repr__`` every model has, the one ``dataclass`` would write (the class's name, then
    each field as ``name=value!r``), written once: ``dataclass`` compiles a ``__repr__`` per class
    when this module is imported, a cost every run pays for a method only a debugger calls."""

    __slots__ = ()

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"


class _Mutable(_Model):
    """The ``__eq__`` of the models that are not frozen, the one ``dataclass`` would write (same
    class, then the fields compared as a tuple), written once for the same reason; like theirs,
    no ``__hash__``: defining ``__eq__`` here sets it to None, so these stay unhashable."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            names = [f.name for f in fields(self) if f.compare]  # type: ignore[arg-type]
            return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
        return NotImplemented


class Severity(enum.Enum):
    """Check severity, ordered so that ``CRITICAL > HIGH > ... > UNKNOWN``."""

    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: object, default: Severity | None = None) -> Severity:
        """Accept any spelling a policy author might write ("high", "High", "HIGH")."""
        if isinstance(value, Severity):
            return value
        if isinstance(value, str):
            try:
                return cls[value.strip().upper()]
            except KeyError:
                pass
        return default if default is not None else cls.UNKNOWN

    def __lt__(self, other: Severity) -> bool:
        return self.value < other.value

    def __le__(self, other: Severity) -> bool:
        return self.value <= other.value


class InputType(enum.StrEnum):
    """The input types a check can select (Trivy's selector ``type`` values)."""

    KUBERNETES = "kubernetes"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    JSON = "json"


@dataclass(frozen=True, repr=False)
class Region(_Model):
    """1-based inclusive line range inside a file."""

    start_line: int
    end_line: int

    def __post_init__(self) -> None:
        if self.start_line < 1 or self.end_line < self.start_line:
            raise ValueError(f"invalid region {self.start_line}-{self.end_line}")


@dataclass(repr=False, eq=False)
class Document(_Mutable):
    """One input document as a check sees it.

    ``content`` is exactly what Rego receives as ``input``. Kubernetes documents carry
    Trivy's ``__defsec_metadata`` ({startline, endline, filepath}) on every mapping so
    ``result.new(msg, node)`` can point at the node; Dockerfiles use Trivy's
    ``Stages[].Commands[]`` shape whose commands carry ``StartLine``/``EndLine``.
    """

    path: str
    """Path as shown to users and written to SARIF: relative to the scan root, POSIX separators."""
    input_type: InputType
    content: Any
    region: Region
    """Lines this document occupies in its file (a multi-document YAML holds several)."""
    index: int = 0
    """Position of the document inside its file (0 for single-document files)."""
    kind: str | None = None
    """Kubernetes ``kind`` (for selector subtypes and resource names)."""
    name: str | None = None
    """Kubernetes ``metadata.name``."""
    namespace: str | None = None

    @property
    def resource(self) -> str | None:
        """Human identity of the resource, e.g. ``Deployment 'web'``."""
        if self.kind and self.name:
            return f"{self.kind} '{self.name}'"
        return self.kind


@dataclass(repr=False, eq=False)
class InputFile(_Mutable):
    """A file that was considered for scanning and what became of it."""

    path: str
    input_type: InputType | None
    documents: list[Document] = field(default_factory=list)
    error: str | None = None
    """Why the file could not be scanned (parse error, too large, binary...)."""
    error_line: int | None = None
    sha256: str | None = None
    error_code: str | None = None
    """The notice code for ``error`` when it is not a parse error (``input-credential-file``)."""
    warning: str | None = None
    """Scanned, but read leniently: why (bytes that are not UTF-8 in a Dockerfile, say)."""
    warning_line: int | None = None


@dataclass(repr=False, eq=False)
class CheckMetadata(_Mutable):
    """What is known about a check, from ``# METADATA`` or ``__rego_metadata__``."""

    id: str
    package: str
    title: str = ""
    severity: Severity = Severity.UNKNOWN
    description: str = ""
    recommended_action: str = ""
    references: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    selectors: list[dict[str, Any]] = field(default_factory=list)
    """Trivy-style input selectors: ``[{"type": "kubernetes", "subtypes": [{"kind": "Pod"}]}]``."""
    source_path: str = ""
    source_line: int = 1
    builtin: bool = False
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, repr=False)
class SuppressionInfo(_Model):
    """Why a finding was waived: the exception rule that matched, cited by file and line."""

    kind: str
    """``namespace`` (package ``namespace.exceptions``) or ``rule`` (the check's own package)."""
    exception_package: str
    """Package holding the ``exception`` rule."""
    path: str
    line: int
    matched: str
    """What matched: the exempted package name (namespace) or the rule-name suffix (rule)."""
    metadata: tuple[tuple[str, Any], ...] = ()
    """Metadata of the exception's package (reason, ticket, expiry...), as sorted pairs."""

    @property
    def justification(self) -> str:
        kind = "namespace exception" if self.kind == "namespace" else "rule exception"
        base = f"Exempted by {kind} in {self.path}:{self.line} (package {self.exception_package})"
        meta = dict(self.metadata)
        reason = meta.get("reason") or meta.get("justification") or meta.get("description")
        if reason:
            base += f": {reason}"
        return base


@dataclass(repr=False, eq=False)
class Finding(_Mutable):
    """One result of one check rule on one document."""

    check: CheckMetadata
    rule: str
    """The Rego rule that produced it: ``deny``, ``deny_foo``, ``warn_bar``..."""
    message: str
    path: str
    region: Region
    document_index: int = 0
    resource: str | None = None
    suppressions: list[SuppressionInfo] = field(default_factory=list)
    identity: str = ""
    """Stable identity of the offending node (kind/name/container or instruction) for fingerprints."""

    @property
    def is_warning(self) -> bool:
        return self.rule == "warn" or self.rule.startswith("warn_")

    @property
    def suppressed(self) -> bool:
        return bool(self.suppressions)

    @property
    def severity(self) -> Severity:
        return self.check.severity


def printable(text: str) -> str:
    """``text`` as every report can hold it: bytes of a file name that are not UTF-8 (kept
    by Python as lone surrogates) written as ``\\xff`` escapes.

    Such a name reached the engine's input, the SARIF, JSON and the summary, where a lone
    surrogate made the engine's results unreadable and the writers fail. Paths shown to
    users go through here; files are still opened by their real paths.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class NoticeLevel(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(repr=False, eq=False)
class Notice(_Mutable):
    """Something the user must know that is not a finding: a broken policy, an unreadable file."""

    level: NoticeLevel
    code: str
    """Stable machine-readable code, e.g. ``policy-compile-error``, ``input-parse-error``."""
    message: str
    path: str | None = None
    line: int | None = None
    check_id: str | None = None
    column: int | None = None
    """1-based column on ``line`` (syntax errors), in characters."""
    source: str | None = None
    """The text of ``line`` as the engine read it, for a caret under ``column`` on a terminal."""

    def __post_init__(self) -> None:
        # messages quote paths (a policy, a data file): a name that is not UTF-8 must not
        # break the writers
        self.message = printable(self.message)
        if self.path is not None:
            self.path = printable(self.path)

    @property
    def location(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return self.path or ""


@dataclass(frozen=True, repr=False)
class ExpiringException(_Model):
    """An exception that waives findings in this scan and ends soon (``custom.expires``)."""

    kind: str
    """``namespace`` or ``rule``, as in ``SuppressionInfo``."""
    exception_package: str
    path: str
    line: int
    expires: str
    """The date as written in the exception's metadata."""
    days_left: int
    """0 on the last day it waives."""
    waived: int
    """Findings of this scan it waives."""


@dataclass(repr=False, eq=False)
class ReportFilters(_Mutable):
    """What the user configured out of the report (``--severity``, ``--skip-check``).

    Carried by the report so every writer says so: a check switched off by a config file
    must never look like a check that found nothing.
    """

    severities: tuple[Severity, ...] = ()
    """Only findings of these severities are reported; empty: every severity."""
    skipped_checks: tuple[str, ...] = ()
    """Check IDs (as the user wrote them) whose findings are not reported."""
    removed: int = 0
    """How many findings the filters removed."""

    @property
    def active(self) -> bool:
        return bool(self.severities or self.skipped_checks)

    def skips(self, check: CheckMetadata) -> bool:
        """Whether ``--skip-check`` names ``check`` (by ID, Trivy alias or package, any case)."""
        wanted = {s.lower() for s in self.skipped_checks}
        return bool(wanted) and any(n.lower() in wanted for n in (check.id, *check.aliases, check.package) if n)


@dataclass(repr=False, eq=False)
class Baseline(_Mutable):
    """How a change's active findings compare with its base revision (pull requests).

    ``new`` findings are absent at the base; ``preexisting`` ones are there too (in a
    changed file, matched by the stable fingerprint, or in a file the change did not
    touch). Both hold the report's own :class:`Finding` objects, most severe first.
    """

    base: str
    """The revision compared with, as shown to people (e.g. ``base 1a2b3c4d5e6f``)."""
    new: list[Finding] = field(default_factory=list)
    preexisting: list[Finding] = field(default_factory=list)
    compared_files: int = 0
    """Changed files whose base version was scanned (added files have none)."""
    new_only: bool = False
    """Only ``new`` findings may fail the run (the Action's ``fail-on-new-only``)."""


@dataclass(frozen=True, repr=False)
class PolicyChange(_Model):
    """A policy or data file the change being scanned added, modified, renamed or deleted."""

    path: str
    """Relative to the scan root (POSIX), as policy paths are shown everywhere else."""
    status: str
    """``added``, ``modified``, ``renamed``, ``copied`` or ``deleted``."""
    old_path: str | None = None


@dataclass(frozen=True, repr=False)
class WaivedFinding(_Model):
    check_id: str
    path: str
    line: int


@dataclass(frozen=True, repr=False)
class ChangedException(_Model):
    """One ``exception`` definition in a changed file, and what it waives in this scan."""

    line: int
    kind: str
    """``namespace`` or ``rule``, as in ``SuppressionInfo``."""
    package: str
    waives: tuple[WaivedFinding, ...] = ()


@dataclass(frozen=True, repr=False)
class ChangedPolicy(_Model):
    """A changed policy or data file as the summary lists it (see ``engine/policy_changes.py``)."""

    change: PolicyChange
    kind: str
    """``exceptions`` (the file defines exceptions), ``checks``, ``library``, ``data`` or ``other``."""
    in_effect: bool
    """False when policies were loaded from a trusted revision: the change does not apply yet."""
    package: str = ""
    exceptions: tuple[ChangedException, ...] = ()
    checks: tuple[str, ...] = ()
    """IDs of the checks the file defines (or adds rules to)."""


@dataclass(repr=False, eq=False)
class ScanReport(_Mutable):
    """Everything a writer needs."""

    findings: list[Finding]
    checks: list[CheckMetadata]
    """Every check that was loaded, in a stable order (SARIF rules)."""
    files: list[InputFile]
    notices: list[Notice]
    root: str
    """Absolute path of the scan root; finding paths are relative to it."""
    tool_version: str = ""
    partial: bool = False
    """True when only changed files were scanned (affects the SARIF category)."""
    fail_on: str = "high"
    """The ``--fail-on`` bar the run is judged by; the front end sets it so the headline of
    every writer agrees with the exit code (see :mod:`regoscan.decision`)."""
    filters: ReportFilters = field(default_factory=ReportFilters)
    baseline: Baseline | None = None
    """Set by the Action on pull requests: which active findings the change introduced."""
    expiring: list[ExpiringException] = field(default_factory=list)
    """Exceptions that waive findings here and expire within 30 days, soonest first."""
    changed_policies: list[ChangedPolicy] = field(default_factory=list)
    """Exceptions, checks and data the scanned change added or edited: listed first by every writer."""
    policy_source: str = ""
    """Where custom policies, exceptions and data were loaded from when not the working tree
    (``--trusted-policy-ref``), e.g. ``origin/main (1a2b3c4d5e6f)``; empty: the working tree."""

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]

    @property
    def has_errors(self) -> bool:
        return any(n.level is NoticeLevel.ERROR for n in self.notices)

    @property
    def unscanned(self) -> list[InputFile]:
        return [f for f in self.files if f.error]
