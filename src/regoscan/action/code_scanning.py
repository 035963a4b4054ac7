"""GitHub code scanning over REST: upload SARIF, wait for processing, dismiss and reopen alerts.

Calls (GitHub REST API 2022-11-28, as described in ``@octokit/openapi``):

* ``POST /repos/{owner}/{repo}/code-scanning/sarifs`` with ``commit_sha``, ``ref``,
  ``tool_name`` and ``sarif`` (the log gzipped, then base64): 202 with the upload's ``id``;
* ``GET /repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}``: ``processing_status``
  ``pending``, ``complete`` or ``failed`` (with ``errors``);
* ``GET /repos/{owner}/{repo}/code-scanning/alerts?tool_name=&ref=&state=`` (pages of 100,
  ``Link: rel="next"``);
* ``PATCH /repos/{owner}/{repo}/code-scanning/alerts/{alert_number}`` with ``state``
  ``dismissed`` (``dismissed_reason``, ``dismissed_comment``) or ``open``.

All of it needs ``security-events: write``. :func:`publish` strings the calls together
for one run: upload, wait (bounded), then, only when the caller allows it (the default
branch), reconcile alerts with the decisions of :mod:`regoscan.action.reconcile`. It
never raises for an API failure: the outcome says what happened so the caller can
report it and choose the step's result.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from regoscan.action.event import PULL_REQUEST_EVENTS, Event
from regoscan.action.github_api import ApiError, GitHubAPI
from regoscan.action.reconcile import DISMISSED_REASON, Alert, Plan, UploadedRun, plan, runs_from_sarif

PROCESSING_TIMEOUT = 300.0
"""Longest wait for GitHub to process an upload before giving up on reconciling (the
API deadline shared by all of the step's calls may cut it shorter)."""
RECONCILE_RESERVE = 20.0
"""Seconds of the API deadline kept for listing and updating alerts after the wait."""
POLL_INTERVALS = (1.0, 2.0, 3.0, 5.0)
"""Waits between status checks; the last one repeats (GitHub usually needs seconds)."""

Log = Callable[[str], None]


def _nolog(_message: str) -> None:
    pass


@dataclass(frozen=True)
class UploadStatus:
    processing_status: str
    """``pending``, ``complete``, ``failed``, or ``timeout`` when we stopped waiting."""
    errors: tuple[str, ...] = ()
    analyses_url: str = ""


def encode_sarif(sarif: bytes) -> str:
    """The ``sarif`` field: the log gzipped, then base64 (what ``gzip -c | base64 -w0`` gives)."""
    return base64.b64encode(gzip.compress(sarif, mtime=0)).decode("ascii")


class CodeScanning:
    """The code scanning endpoints of one repository (``owner/name``)."""

    def __init__(self, api: GitHubAPI, repository: str) -> None:
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be 'owner/name', got {repository!r}")
        self.api = api
        self._base = f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}/code-scanning"

    def upload(self, sarif: bytes, *, commit_sha: str, ref: str, tool_name: str) -> str:
        """Send the log; the upload's id (raises :class:`ApiError`)."""
        body = {"commit_sha": commit_sha, "ref": ref, "sarif": encode_sarif(sarif), "tool_name": tool_name}
        # repeatable: a second upload of the same analysis replaces the first, it adds nothing
        resp = self.api.request("POST", f"{self._base}/sarifs", body, repeatable=True)
        sarif_id = resp.data.get("id") if isinstance(resp.data, Mapping) else None
        if not isinstance(sarif_id, str) or not sarif_id:
            raise ApiError(resp.status, "the upload was accepted but no SARIF id came back", "POST",
                           f"{self._base}/sarifs")
        return sarif_id

    def status(self, sarif_id: str) -> UploadStatus:
        resp = self.api.request("GET", f"{self._base}/sarifs/{urllib.parse.quote(sarif_id, safe='')}")
        data = resp.data if isinstance(resp.data, Mapping) else {}
        errors = data.get("errors") if isinstance(data.get("errors"), list) else []
        return UploadStatus(str(data.get("processing_status") or "pending"),
                            tuple(str(e) for e in errors), str(data.get("analyses_url") or ""))

    def wait(self, sarif_id: str, *, timeout: float = PROCESSING_TIMEOUT,
             sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
             log: Log = _nolog) -> UploadStatus:
        """Poll until processing is ``complete`` or ``failed``, or ``timeout`` seconds pass.

        A 404 right after the upload means GitHub has not registered it yet: keep waiting.
        """
        deadline = clock() + timeout
        for attempt in range(10_000):
            try:
                status = self.status(sarif_id)
            except ApiError as exc:
                if exc.status != 404:
                    raise
                status = UploadStatus("pending")
            if status.processing_status in ("complete", "failed"):
                return status
            pause = POLL_INTERVALS[min(attempt, len(POLL_INTERVALS) - 1)]
            if clock() + pause > deadline:
                break
            if attempt == 2:
                log(f"waiting for GitHub to process SARIF upload {sarif_id} (up to {timeout:.0f}s)")
            sleep(pause)
        return UploadStatus("timeout")

    def alerts(self, *, ref: str, tool_name: str, state: str) -> list[Alert]:
        """Alerts of ``tool_name`` on ``ref`` in ``state`` (malformed items are skipped)."""
        query = urllib.parse.urlencode({"tool_name": tool_name, "ref": ref, "state": state, "per_page": 100})
        found = (Alert.from_api(item) for item in self.api.paginate(f"{self._base}/alerts?{query}"))
        return [a for a in found if a is not None]

    def dismiss(self, number: int, comment: str) -> None:
        self.api.request("PATCH", f"{self._base}/alerts/{number}", {
            "state": "dismissed", "dismissed_reason": DISMISSED_REASON, "dismissed_comment": comment})

    def reopen(self, number: int) -> None:
        self.api.request("PATCH", f"{self._base}/alerts/{number}", {"state": "open"})


# --- where an upload goes, and when dismissing is safe ---------------------------------------


def upload_target(event: Event, env: Mapping[str, str]) -> tuple[str, str] | None:
    """``(ref, commit_sha)`` for the upload, or ``None`` when they cannot be told.

    Like codeql-action: ``GITHUB_REF``/``GITHUB_SHA``, except for ``pull_request_target``,
    which runs on the base branch: its results belong to the pull request
    (``refs/pull/N/head`` at the head commit), never to the base branch.
    """
    if event.name == "pull_request_target":
        number, head = event.pr_number, event.pr_head_sha
        return (f"refs/pull/{number}/head", head) if number and head else None
    ref = env.get("GITHUB_REF", "").strip()
    sha = env.get("GITHUB_SHA", "").strip().lower()
    if not ref.startswith(("refs/heads/", "refs/tags/", "refs/pull/")) or len(sha) not in (40, 64):
        return None
    try:
        int(sha, 16)
    except ValueError:
        return None
    return ref, sha


DISMISSING_EVENTS = frozenset({"push", "schedule", "workflow_dispatch"})
"""The events whose run on the default branch scans the default branch itself."""


def dismissal_refusal(event: Event, env: Mapping[str, str]) -> str | None:
    """Why dismissing alerts would be unsafe for this run, or ``None`` when it is safe.

    An alert's state is shared by every branch: a dismissal made while scanning a pull
    request or a feature branch would waive the finding on the default branch before
    anyone reviewed the exception. So only runs on the default branch itself dismiss.
    """
    if event.name in PULL_REQUEST_EVENTS or event.name == "merge_group":
        return f"{event.name} runs never dismiss alerts (alert states are shared with the default branch)"
    if event.name not in DISMISSING_EVENTS:
        # issue_comment, workflow_run, pull_request_review...: GITHUB_REF names the default
        # branch, but such workflows commonly check out a pull request's head
        return (f"{event.name or 'this'} events never dismiss alerts (only push, schedule and "
                "workflow_dispatch on the default branch do)")
    ref = env.get("GITHUB_REF", "").strip()
    default = event.default_branch
    if default is None:
        if event.name == "schedule" and ref.startswith("refs/heads/"):
            return None  # scheduled runs always run on the default branch
        return "the default branch is unknown (no repository.default_branch in the event payload)"
    if ref != f"refs/heads/{default}":
        return f"{ref or 'this ref'} is not the default branch ({default})"
    return None


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    sarif_id: str = ""
    status: str = ""
    """``complete``, ``failed``, ``timeout``, or empty when nothing was uploaded."""
    dismissed: list[Alert] = field(default_factory=list)
    reopened: list[Alert] = field(default_factory=list)
    refreshed: list[Alert] = field(default_factory=list)
    human: list[Alert] = field(default_factory=list)
    waived_without_alert: int = 0
    reconciled: bool = False
    """True when alerts were listed and the plan applied (even if it changed nothing)."""
    skipped: str = ""
    """Why alerts were not reconciled (dismissal not allowed, processing not done)."""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _reconcile(client: CodeScanning, runs: list[UploadedRun], ref: str, sha: str, out: Outcome, log: Log) -> None:
    for run in runs:
        alerts = [*client.alerts(ref=ref, tool_name=run.tool, state="open"),
                  *client.alerts(ref=ref, tool_name=run.tool, state="dismissed")]
        decided: Plan = plan(run.results, alerts, tool=run.tool, category=run.category, commit_sha=sha)
        out.human.extend(decided.human)
        out.waived_without_alert += len(decided.waived_without_alert)
        for change in decided.changes:
            number = change.alert.number
            try:
                if change.kind == "reopen":
                    client.reopen(number)
                    out.reopened.append(change.alert)
                else:
                    client.dismiss(number, change.comment)
                    (out.dismissed if change.kind == "dismiss" else out.refreshed).append(change.alert)
            except ApiError as exc:
                out.errors.append(f"could not {change.kind} alert #{number}: {exc}")
                continue
            log(f"{change.kind} alert #{number} ({change.alert.rule_id} {change.alert.path}:"
                f"{change.alert.start_line})" + (f": {change.comment}" if change.comment else ""))
    out.reconciled = True


def publish(client: CodeScanning, sarif: bytes, *, ref: str, commit_sha: str, tool_name: str,
            dismiss: bool, timeout: float = PROCESSING_TIMEOUT, log: Log = _nolog,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> Outcome:
    """Upload ``sarif`` and, when ``dismiss`` is true, reconcile its alerts once processed."""
    out = Outcome()
    try:
        out.sarif_id = client.upload(sarif, commit_sha=commit_sha, ref=ref, tool_name=tool_name)
    except ApiError as exc:
        out.errors.append(f"SARIF upload failed: {exc}{_permission_hint(exc)}")
        return out
    log(f"uploaded SARIF to code scanning for {ref} at {commit_sha[:12]} (id {out.sarif_id})")
    if not dismiss:
        return out  # nothing depends on processing: do not keep the job waiting
    timeout = min(timeout, max(client.api.deadline.remaining() - RECONCILE_RESERVE, 0.0))
    try:
        status = client.wait(out.sarif_id, timeout=timeout, sleep=sleep, clock=clock, log=log)
    except ApiError as exc:
        out.errors.append(f"cannot read the processing status of SARIF upload {out.sarif_id}: {exc}")
        return out
    out.status = status.processing_status
    if status.processing_status == "failed":
        why = "; ".join(status.errors) or "no reason given"
        out.errors.append(f"GitHub could not process SARIF upload {out.sarif_id}: {why}")
        return out
    if status.processing_status != "complete":
        out.skipped = (f"GitHub had not finished processing SARIF upload {out.sarif_id} after {timeout:.0f}s; "
                       "alerts of waived findings were not dismissed (the next run will)")
        out.warnings.append(out.skipped)
        return out
    try:
        runs = runs_from_sarif(json.loads(sarif.decode("utf-8")))
        _reconcile(client, runs, ref, commit_sha, out, log)
    except ApiError as exc:
        out.errors.append(f"cannot list code scanning alerts: {exc}{_permission_hint(exc)}")
    return out


def _permission_hint(exc: ApiError) -> str:
    if exc.status in (401, 403):
        return (" (the workflow needs `permissions: security-events: write`; a pull request from a fork "
                "gets a read-only token)")
    if exc.status == 404:
        return " (is code scanning enabled for this repository?)"
    return ""


def summary_lines(outcome: Outcome, *, ref: str, refusal: str | None, waived: int) -> list[str]:
    """The "Code scanning" part of the job summary and comment (Markdown, escaped)."""
    from regoscan.output.escape import md_escape

    lines = ["", "#### Code scanning", ""]
    if outcome.sarif_id:
        lines.append(f"SARIF uploaded for {md_escape(ref)} (id {md_escape(outcome.sarif_id)}).")
    if outcome.reconciled:
        parts = [f"{len(outcome.dismissed)} alert{'s' if len(outcome.dismissed) != 1 else ''} of waived findings "
                 "dismissed (won't fix, citing the exception)",
                 f"{len(outcome.reopened)} reopened (their exception no longer applies)"]
        if outcome.refreshed:
            parts.append(f"{len(outcome.refreshed)} dismissal comments updated")
        if outcome.human:
            parts.append(f"{len(outcome.human)} dismissed by people, left as they are")
        lines.append("Alerts: " + "; ".join(parts) + ".")
    elif waived and refusal:
        lines.append(f"{waived} waived finding{'s were' if waived != 1 else ' was'} left out of the upload: "
                     f"{md_escape(refusal)}.")
    for message in [*outcome.errors, *outcome.warnings]:
        lines += ["", f"> **Note:** {md_escape(message)}"]
    return lines
