"""A fake GitHub REST API on 127.0.0.1: the endpoints of the sticky comment and of code scanning.

It behaves like api.github.com where it matters to regoscan: ``Authorization:
Bearer`` checked, issue comments paginated with ``Link`` headers, ``GET /user``
refused for an installation token, 403 "Resource not accessible by integration" for a
fork's read-only token, and 422 "Validation Failed" for a body over the limit. Every
request is recorded (method, path, headers, body) so tests can assert on exactly what
was sent, including that the token went nowhere but the ``Authorization`` header.

Code scanning (:class:`FakeCodeScanning`) behaves like GitHub's as far as regoscan can
observe it: a SARIF upload (gzip + base64) is checked and processed into alerts, which
ignore SARIF ``suppressions`` exactly as GitHub does; an alert is identified by tool,
category, rule, file and ``primaryLocationLineHash``; an analysis on the default branch
that no longer reports an open alert fixes it, one that reports a fixed alert again
reopens it, and dismissed alerts stay dismissed; the upload's status answers
``pending`` for a configurable number of polls first; alert lists are filtered by
``tool_name``, ``ref`` and ``state`` and paginated with ``Link`` headers; ``PATCH``
validates ``state``, ``dismissed_reason`` and the 280-character comment limit.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

BOT = {"login": "github-actions[bot]", "type": "Bot", "id": 41898282}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes


@dataclass
class FakeGitHub:
    token: str
    read_only: bool = False
    """A fork's token: reads work, every write answers 403."""
    max_body: int = 65_536
    user_login: str | None = None
    """``GET /user`` answer; ``None`` answers 403 as for GITHUB_TOKEN."""
    page_size_cap: int = 100
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    host: str = "127.0.0.1"
    code_scanning: FakeCodeScanning = field(default_factory=lambda: FakeCodeScanning())
    _next_id: int = 1000
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                rec = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw)
                with fake._lock:
                    fake.requests.append(rec)
                    status, payload, headers = fake.route(rec)
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    # --- helpers for tests ------------------------------------------------------------

    def add_comment(self, issue: int, body: str, user: dict[str, Any] | None = None) -> int:
        with self._lock:
            return self._create(issue, body, user or BOT)

    def issue_comments(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == issue]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]

    # --- the API --------------------------------------------------------------------

    def _create(self, issue: int, body: str, user: dict[str, Any]) -> int:
        self._next_id += 1
        cid = self._next_id
        self.comments[cid] = {
            "id": cid, "issue": issue, "body": body, "user": dict(user),
            "html_url": f"https://github.example/octo/demo/pull/{issue}#issuecomment-{cid}",
        }
        return cid

    def route(self, rec: Recorded) -> tuple[int, Any, dict[str, str]]:
        if rec.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        url = urlsplit(rec.path)
        path = url.path
        if "/code-scanning/" in path:
            return self.code_scanning.route(rec, path, parse_qs(url.query), self)
        if rec.method == "GET" and path == "/user":
            if self.user_login is None:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return 200, {"login": self.user_login, "type": "User"}, {}
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        if m and rec.method == "GET":
            return self._list(int(m.group(2)), parse_qs(url.query), path)
        if m and rec.method == "POST":
            return self._write(rec, lambda body: self._create(int(m.group(2)), body, BOT), 201)
        m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        if m and rec.method == "PATCH":
            cid = int(m.group(2))
            if cid not in self.comments:
                return 404, {"message": "Not Found"}, {}

            def update(body: str) -> int:
                self.comments[cid]["body"] = body
                return cid

            return self._write(rec, update, 200)
        return 404, {"message": "Not Found"}, {}

    def _list(self, issue: int, query: dict[str, list[str]], path: str) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", ["30"])[0]), self.page_size_cap)
        page = int(query.get("page", ["1"])[0])
        items = sorted(self.issue_comments(issue), key=lambda c: c["id"])
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return 200, [{k: v for k, v in c.items() if k != "issue"} for c in chunk], headers

    def _write(self, rec: Recorded, apply: Any, ok: int) -> tuple[int, Any, dict[str, str]]:
        if self.read_only:
            return 403, {"message": "Resource not accessible by integration",
                         "documentation_url": "https://docs.github.com/rest"}, {}
        body = (rec.body or {}).get("body")
        if not isinstance(body, str):
            return 422, {"message": "Invalid request"}, {}
        if len(body) > self.max_body:
            return 422, {"message": "Validation Failed", "errors": [{
                "resource": "IssueComment", "code": "custom", "field": "body",
                "message": f"body is too long (maximum is {self.max_body} characters)"}]}, {}
        cid = apply(body)
        comment = self.comments[cid]
        return ok, {k: v for k, v in comment.items() if k != "issue"}, {}


# --- code scanning ------------------------------------------------------------------------------

_SHA = re.compile(r"^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$")
_REF = re.compile(r"^refs/(heads|tags|pull)/.+$")
DISMISSED_REASONS = ("false positive", "won't fix", "used in tests", "mitigated")
PERSON = {"login": "octocat", "type": "User", "id": 583231}


def _category(run: dict[str, Any]) -> str:
    """GitHub's category: ``automationDetails.id`` up to its last ``/``."""
    ident = ((run.get("automationDetails") or {}).get("id")) or ""
    return ident.rsplit("/", 1)[0] if "/" in ident else ""


@dataclass
class FakeCodeScanning:
    default_ref: str = "refs/heads/main"
    pending_polls: int = 1
    """Status checks that answer ``pending`` before an upload is ``complete``."""
    fail_processing: list[str] | None = None
    """When set, uploads end ``failed`` with these errors (and create no alerts)."""
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[int, dict[str, Any]] = field(default_factory=dict)
    _next_number: int = 0
    _clock: int = 0

    # --- helpers for tests ----------------------------------------------------------------

    def find(self, rule_id: str, path: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.alerts.values() if a["rule"]["id"] == rule_id
                and (path is None or a["instances"][self.default_ref]["location"]["path"] == path)
                and (state is None or a["state"] == state)]

    def dismiss_by_person(self, number: int, reason: str = "false positive", comment: str = "checked by hand") -> None:
        alert = self.alerts[number]
        alert.update(state="dismissed", dismissed_reason=reason, dismissed_comment=comment,
                     dismissed_by=dict(PERSON), dismissed_at=self._now())

    def sarif_of(self, sarif_id: str) -> dict[str, Any]:
        return self.uploads[sarif_id]["log"]

    # --- routes -------------------------------------------------------------------------------

    def route(self, rec: Recorded, path: str, query: dict[str, list[str]],
              server: FakeGitHub) -> tuple[int, Any, dict[str, str]]:
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/code-scanning/(.+)", path)
        if not m:
            return 404, {"message": "Not Found"}, {}
        base = f"/repos/{m.group(1)}/{m.group(2)}/code-scanning"
        rest = m.group(3)
        if rest == "sarifs" and rec.method == "POST":
            if server.read_only:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return self._upload(rec, base, server.url)
        sm = re.fullmatch(r"sarifs/([^/]+)", rest)
        if sm and rec.method == "GET":
            return self._status(sm.group(1), base, server.url)
        if rest == "alerts" and rec.method == "GET":
            return self._list(query, base, server.url)
        am = re.fullmatch(r"alerts/(\d+)", rest)
        if am and rec.method == "PATCH":
            if server.read_only:
                return 403, {"message": "Resource not accessible by integration"}, {}
            return self._patch(int(am.group(1)), rec.body, base, server.url)
        return 404, {"message": "Not Found"}, {}

    def _now(self) -> str:
        self._clock += 1
        return f"2026-01-01T00:{self._clock // 60:02d}:{self._clock % 60:02d}Z"

    def _upload(self, rec: Recorded, base: str, url: str) -> tuple[int, Any, dict[str, str]]:
        body = rec.body if isinstance(rec.body, dict) else {}
        allowed = {"commit_sha", "ref", "sarif", "checkout_uri", "started_at", "tool_name", "validate"}
        if set(body) - allowed or not {"commit_sha", "ref", "sarif"} <= set(body):
            return 422, {"message": "Invalid request", "errors": [f"fields: {sorted(body)}"]}, {}
        if not _SHA.match(str(body["commit_sha"])) or not _REF.match(str(body["ref"])):
            return 422, {"message": "Invalid request", "errors": ["commit_sha or ref does not match its pattern"]}, {}
        try:
            log = json.loads(gzip.decompress(base64.b64decode(body["sarif"], validate=True)))
        except (binascii.Error, OSError, ValueError, TypeError):
            return 400, {"message": "Invalid SARIF: not gzipped and base64-encoded JSON"}, {}
        if not isinstance(log, dict) or log.get("version") != "2.1.0" or not isinstance(log.get("runs"), list):
            return 400, {"message": "Invalid SARIF: not a SARIF 2.1.0 log"}, {}
        if any(not isinstance(r.get("results"), list) for r in log["runs"]):
            return 400, {"message": "Invalid SARIF: a run has no results array"}, {}
        sarif_id = str(uuid.uuid4())
        self.uploads[sarif_id] = {"ref": body["ref"], "commit_sha": body["commit_sha"].lower(),
                                  "tool_name": body.get("tool_name"), "log": log,
                                  "polls": self.pending_polls, "errors": self.fail_processing}
        if not self.fail_processing:
            for run in log["runs"]:
                self._process(run, body["ref"], body["commit_sha"].lower())
        return 202, {"id": sarif_id, "url": f"{url}{base}/sarifs/{sarif_id}"}, {}

    def _process(self, run: dict[str, Any], ref: str, sha: str) -> None:
        """One run of an analysis: suppressions ignored, as GitHub does."""
        tool = run["tool"]["driver"]["name"]
        category = _category(run)
        seen: set[int] = set()
        for result in run["results"]:
            physical = result["locations"][0]["physicalLocation"]
            region = physical.get("region") or {}
            path = physical["artifactLocation"]["uri"]
            line = region.get("startLine", 1)
            fingerprint = (result.get("partialFingerprints") or {}).get("primaryLocationLineHash") or f"{line}"
            identity = (tool, category, result["ruleId"], path, fingerprint)
            alert = next((a for a in self.alerts.values() if a["_identity"] == identity), None)
            if alert is None:
                self._next_number += 1
                alert = {"_identity": identity, "number": self._next_number, "created_at": self._now(),
                         "state": "open", "fixed_at": None, "dismissed_by": None, "dismissed_at": None,
                         "dismissed_reason": None, "dismissed_comment": None,
                         "rule": {"id": result["ruleId"], "severity": result.get("level", "warning"),
                                  "description": result["ruleId"], "name": result["ruleId"], "tags": []},
                         "tool": {"name": tool, "version": run["tool"]["driver"].get("version"), "guid": None},
                         "instances": {}}
                self.alerts[alert["number"]] = alert
            elif alert["state"] == "fixed" and ref == self.default_ref:
                alert.update(state="open", fixed_at=None)
            seen.add(alert["number"])
            alert["updated_at"] = self._now()
            alert["instances"][ref] = {
                "ref": ref, "analysis_key": ".github/workflows/regoscan.yml:regoscan", "environment": "{}",
                "category": category, "state": "open", "commit_sha": sha,
                "message": {"text": result["message"]["text"]},
                "location": {"path": path, "start_line": line, "end_line": region.get("endLine", line),
                             "start_column": region.get("startColumn", 1), "end_column": region.get("endColumn", 1)},
                "classifications": [],
            }
        for alert in self.alerts.values():
            instance = alert["instances"].get(ref)
            if alert["number"] in seen or instance is None or alert["_identity"][:2] != (tool, category):
                continue
            instance.update(state="fixed", commit_sha=sha)
            if ref == self.default_ref and alert["state"] == "open":
                alert.update(state="fixed", fixed_at=self._now())

    def _status(self, sarif_id: str, base: str, url: str) -> tuple[int, Any, dict[str, str]]:
        upload = self.uploads.get(sarif_id)
        if upload is None:
            return 404, {"message": "Not Found"}, {}
        if upload["polls"] > 0:
            upload["polls"] -= 1
            return 200, {"processing_status": "pending", "analyses_url": None, "errors": None}, {}
        if upload["errors"]:
            return 200, {"processing_status": "failed", "analyses_url": None, "errors": list(upload["errors"])}, {}
        return 200, {"processing_status": "complete", "errors": None,
                     "analyses_url": f"{url}{base}/analyses?sarif_id={sarif_id}"}, {}

    def _view(self, alert: dict[str, Any], ref: str, base: str, url: str) -> dict[str, Any]:
        number = alert["number"]
        view = {k: v for k, v in alert.items() if not k.startswith("_") and k != "instances"}
        view.update(url=f"{url}{base}/alerts/{number}", html_url=f"https://github.example/octo/demo/security/"
                    f"code-scanning/{number}", instances_url=f"{url}{base}/alerts/{number}/instances",
                    most_recent_instance=alert["instances"][ref])
        return view

    def _list(self, query: dict[str, list[str]], base: str, url: str) -> tuple[int, Any, dict[str, str]]:
        ref = query.get("ref", [self.default_ref])[0]
        ref = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
        tool = query.get("tool_name", [None])[0]
        state = query.get("state", [None])[0]
        if state not in (None, "open", "closed", "dismissed", "fixed"):
            return 422, {"message": "Invalid state"}, {}
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        items = [a for a in self.alerts.values() if ref in a["instances"]
                 and (tool is None or a["tool"]["name"] == tool)
                 and (state is None or a["state"] == state or (state == "closed" and a["state"] != "open"))]
        items.sort(key=lambda a: a["created_at"], reverse=True)
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            params = {k: v[0] for k, v in sorted(query.items()) if k not in ("page", "per_page")}
            params.update(per_page=str(per_page), page=str(page + 1))
            headers["Link"] = f'<{url}{base}/alerts?{urlencode(params)}>; rel="next"'
        return 200, [self._view(a, ref, base, url) for a in chunk], headers

    def _patch(self, number: int, body: Any, base: str, url: str) -> tuple[int, Any, dict[str, str]]:
        alert = self.alerts.get(number)
        if alert is None:
            return 404, {"message": "Not Found"}, {}
        body = body if isinstance(body, dict) else {}
        if set(body) - {"state", "dismissed_reason", "dismissed_comment", "create_request", "assignees"}:
            return 422, {"message": "Invalid request", "errors": [f"fields: {sorted(body)}"]}, {}
        state = body.get("state")
        if state == "dismissed":
            if body.get("dismissed_reason") not in DISMISSED_REASONS:
                return 400, {"message": "dismissed_reason is required when the state is dismissed"}, {}
            comment = body.get("dismissed_comment")
            if comment is not None and (not isinstance(comment, str) or len(comment) > 280):
                return 422, {"message": "Invalid request", "errors": ["dismissed_comment is too long"]}, {}
            alert.update(state="dismissed", dismissed_reason=body["dismissed_reason"], dismissed_comment=comment,
                         dismissed_by=dict(BOT), dismissed_at=self._now())
        elif state == "open":
            if alert["state"] == "fixed":
                return 400, {"message": "Alert is already fixed"}, {}
            alert.update(state="open", dismissed_reason=None, dismissed_comment=None, dismissed_by=None,
                         dismissed_at=None)
        else:
            return 422, {"message": "Invalid request", "errors": ["state must be open or dismissed"]}, {}
        ref = self.default_ref if self.default_ref in alert["instances"] else next(iter(alert["instances"]))
        return 200, self._view(alert, ref, base, url), {}
