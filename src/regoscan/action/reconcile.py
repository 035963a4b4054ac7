"""Which code scanning alerts to dismiss or reopen after an upload: pure decisions, no HTTP.

GitHub code scanning ignores SARIF ``suppressions``: a waived finding uploaded as a
suppressed result becomes an *open* alert. On the default branch regoscan therefore
uploads waived findings as suppressed results and then sets their alerts to
``dismissed`` (reason ``won't fix``) with a comment that cites the exception. This
module decides, from the uploaded SARIF and the alert list, what to change:

* an **open** alert whose result was uploaded as suppressed is dismissed, the comment
  naming the exception's kind, package, file:line and justification;
* an alert **regoscan dismissed earlier** (its comment carries :data:`MARKER`) whose
  result is now active (the exception was deleted or no longer matches) is reopened;
  one whose exception still applies but is cited differently (moved, reworded) gets
  its comment refreshed;
* an alert **dismissed by a person** (no marker) is never touched.

An alert belongs to this upload when it has the same tool, the same category and, as
its most recent instance on the ref, this commit; it matches a result when rule id,
file and start line agree (what GitHub itself shows as the alert's location). When
one location holds both an active and a waived result, the active one wins: an alert
is never dismissed while an unwaived finding sits at its location.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

MARKER = "[regoscan:waived]"
"""Starts every dismissal comment regoscan writes; how it recognises its own dismissals."""
COMMENT_LIMIT = 280
"""GitHub's maximum length of ``dismissed_comment`` (REST description: ``maxLength: 280``)."""
DISMISSED_REASON = "won't fix"
_REASON_KEYS = ("reason", "justification", "description")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")

Key = tuple[str, str, int]
"""(rule id, repository-relative path, start line): an alert's location as GitHub shows it."""


# --- what was uploaded ---------------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    """The exception that waived a result, as the SARIF suppression describes it."""

    kind: str
    """``rule`` or ``namespace`` (regoscan's ``exceptionKind``), or ``external`` when unknown."""
    package: str
    path: str
    line: int | None
    justification: str
    """The exception's own reason (METADATA ``reason``...), else the suppression's text."""


@dataclass(frozen=True)
class UploadedResult:
    rule_id: str
    path: str
    start_line: int
    waivers: tuple[Waiver, ...] = ()

    @property
    def key(self) -> Key:
        return (self.rule_id, self.path, self.start_line)

    @property
    def waived(self) -> bool:
        return bool(self.waivers)


@dataclass(frozen=True)
class UploadedRun:
    tool: str
    category: str
    results: tuple[UploadedResult, ...]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _uri_path(location: Any) -> tuple[str, int | None] | None:
    """``(path, startLine)`` of a SARIF location with a relative URI; ``None`` otherwise."""
    physical = location.get("physicalLocation") if isinstance(location, Mapping) else None
    if not isinstance(physical, Mapping):
        return None
    artifact = physical.get("artifactLocation")
    uri = _text(artifact.get("uri")) if isinstance(artifact, Mapping) else ""
    if not uri or "://" in uri or uri.startswith("file:"):
        return None  # GitHub would relativise an absolute URI against a checkout we do not know
    region = physical.get("region")
    line = _int(region.get("startLine")) if isinstance(region, Mapping) else None
    return unquote(uri), line


def _waiver(suppression: Mapping[str, Any]) -> Waiver:
    props = suppression.get("properties")
    props = props if isinstance(props, Mapping) else {}
    where = _uri_path(suppression.get("location")) or ("", None)
    reason = next((str(props[k]) for k in _REASON_KEYS if props.get(k) not in (None, "")), "")
    return Waiver(
        kind=_text(props.get("exceptionKind")) or _text(suppression.get("kind")) or "external",
        package=_text(props.get("exceptionPackage")),
        path=where[0],
        line=where[1],
        justification=reason or _text(suppression.get("justification")),
    )


def _is_suppressed(suppression: Any) -> bool:
    """SARIF §3.35.3: a suppression without ``status`` or with ``accepted`` suppresses."""
    return isinstance(suppression, Mapping) and suppression.get("status", "accepted") == "accepted"


def runs_from_sarif(log: Mapping[str, Any]) -> list[UploadedRun]:
    """The runs of an uploaded SARIF log, reduced to what alert matching needs.

    Results without a relative file location or a start line cannot be matched to an
    alert's location and are left out (they are never dismissed).
    """
    runs: list[UploadedRun] = []
    for run in log.get("runs") or []:
        if not isinstance(run, Mapping):
            continue
        tool = run.get("tool")
        driver = tool.get("driver") if isinstance(tool, Mapping) else None
        name = _text(driver.get("name")) if isinstance(driver, Mapping) else ""
        details = run.get("automationDetails")
        category = _text(details.get("id")) if isinstance(details, Mapping) else ""
        results: list[UploadedResult] = []
        for result in run.get("results") or []:
            if not isinstance(result, Mapping) or not _text(result.get("ruleId")):
                continue
            locations = result.get("locations")
            where = _uri_path(locations[0]) if isinstance(locations, list) and locations else None
            if where is None or where[1] is None:
                continue
            suppressions = result.get("suppressions")
            waivers = tuple(_waiver(s) for s in suppressions or [] if _is_suppressed(s))
            results.append(UploadedResult(result["ruleId"], where[0], where[1], waivers))
        runs.append(UploadedRun(name, category, tuple(results)))
    return runs


# --- what GitHub has -----------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    """The fields of a code scanning alert (``code-scanning-alert-items``) that matter here."""

    number: int
    state: str
    rule_id: str
    tool: str
    category: str
    path: str
    start_line: int | None
    commit_sha: str
    dismissed_reason: str
    dismissed_comment: str
    html_url: str = ""

    @property
    def key(self) -> Key | None:
        return (self.rule_id, self.path, self.start_line) if self.start_line is not None else None

    @property
    def ours(self) -> bool:
        """Dismissed by regoscan (the marker starts our comments; people rarely type it)."""
        return self.state == "dismissed" and MARKER in self.dismissed_comment

    @classmethod
    def from_api(cls, item: Any) -> Alert | None:
        """Parse one list item; ``None`` when a required field is missing or mistyped."""
        if not isinstance(item, Mapping):
            return None
        number = _int(item.get("number"))
        rule = item.get("rule") if isinstance(item.get("rule"), Mapping) else {}
        tool = item.get("tool") if isinstance(item.get("tool"), Mapping) else {}
        instance = item.get("most_recent_instance")
        instance = instance if isinstance(instance, Mapping) else {}
        location = instance.get("location") if isinstance(instance.get("location"), Mapping) else {}
        if number is None or not _text(rule.get("id")):
            return None
        return cls(
            number=number,
            state=_text(item.get("state")),
            rule_id=_text(rule.get("id")),
            tool=_text(tool.get("name")),
            category=_text(instance.get("category")),
            path=_text(location.get("path")),
            start_line=_int(location.get("start_line")),
            commit_sha=_text(instance.get("commit_sha")).lower(),
            dismissed_reason=_text(item.get("dismissed_reason")),
            dismissed_comment=_text(item.get("dismissed_comment")),
            html_url=_text(item.get("html_url")),
        )


def same_category(a: str, b: str) -> bool:
    """``regoscan/`` in ``automationDetails.id`` is category ``regoscan`` in the API."""
    return a.rstrip("/") == b.rstrip("/")


# --- the comment ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    """One line of plain text: control characters and line breaks become spaces."""
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def _clip(text: str, limit: int) -> str:
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def _kind_words(kind: str) -> str:
    return {"rule": "rule exception", "namespace": "namespace exception"}.get(kind, f"{kind} exception")


def dismissal_comment(waivers: Sequence[Waiver], limit: int = COMMENT_LIMIT) -> str:
    """``[regoscan:waived] rule exception builtin.kubernetes.KSV012 at policy/x.rego:4: reason``.

    Fits ``limit`` characters: the justification is shortened first, then the package;
    the marker and the exception's file:line are always kept (the path is shortened
    from the left only if it alone would not fit).
    """
    first = waivers[0]
    where = first.path + (f":{first.line}" if first.line is not None else "")
    more = f" (+{len(waivers) - 1} more)" if len(waivers) > 1 else ""
    head = f"{MARKER} {_kind_words(_clean(first.kind))}"
    package = _clean(first.package)
    reason = _clean(first.justification)

    def build(pkg: str, loc: str, why: str) -> str:
        text = head + (f" {pkg}" if pkg else "") + f" at {loc}{more}"
        return text + (f": {why}" if why else "")

    text = build(package, where, reason)
    if len(text) <= limit:
        return text
    room = limit - len(build(package, where, ""))
    if room >= 12:  # ": " plus enough words to be worth keeping
        return build(package, where, _clip(reason, room - 2))
    room = limit - len(build("", where, ""))
    if room >= 8:
        return build(_clip(package, room - 1), where, "")
    room = limit - len(build("", "", ""))
    return build("", where if len(where) <= room else "…" + where[-(room - 1):], "")


# --- the decision --------------------------------------------------------------------------


Kind = Literal["dismiss", "reopen", "refresh"]


@dataclass(frozen=True)
class Change:
    kind: Kind
    alert: Alert
    comment: str = ""
    """The dismissal comment for ``dismiss`` and ``refresh``; empty for ``reopen``."""


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    human: list[Alert] = field(default_factory=list)
    """Alerts at our results' locations that people dismissed: left exactly as they are."""
    waived_without_alert: list[UploadedResult] = field(default_factory=list)
    """Waived results no open or dismissed alert matched (GitHub may not have made one yet)."""

    def of(self, kind: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]


def plan(results: Iterable[UploadedResult], alerts: Iterable[Alert], *, tool: str, category: str,
         commit_sha: str) -> Plan:
    """Decide what to change; see the module docstring for the rules.

    ``alerts`` may include any alerts of the repository: those of another tool or
    category, or whose most recent instance on the ref is another commit (so not a
    result of this upload), are ignored.
    """
    active: set[Key] = set()
    waived: dict[Key, UploadedResult] = {}
    for result in results:
        if result.waived:
            waived.setdefault(result.key, result)
        else:
            active.add(result.key)
    out = Plan()
    matched: set[Key] = set()
    commit = commit_sha.lower()
    for alert in sorted(alerts, key=lambda a: a.number):
        key = alert.key
        if (alert.tool != tool or not same_category(alert.category, category) or key is None
                or (alert.commit_sha and commit and alert.commit_sha != commit)):
            continue
        is_waived = key in waived and key not in active
        if key in waived or key in active:
            matched.add(key)
        if alert.state == "open":
            if is_waived:
                out.changes.append(Change("dismiss", alert, dismissal_comment(waived[key].waivers)))
        elif alert.state == "dismissed":
            if not alert.ours:
                if key in waived or key in active:
                    out.human.append(alert)
            elif key in active:
                out.changes.append(Change("reopen", alert))
            elif is_waived:
                comment = dismissal_comment(waived[key].waivers)
                if comment != alert.dismissed_comment:
                    out.changes.append(Change("refresh", alert, comment))
    out.waived_without_alert = [r for k, r in waived.items() if k not in matched and k not in active]
    return out
