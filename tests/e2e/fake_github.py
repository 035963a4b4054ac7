"""A fake GitHub REST API on 127.0.0.1, held to GitHub's published description.

Every endpoint is a method of :class:`FakeGitHub` registered with :func:`endpoint`: the
OpenAPI path template exactly as GitHub's description spells it, the method, and every
status code the handler can answer. ``tests/test_fake_github_spec.py`` checks that table
against the description (``@octokit/openapi``, see ``tests/github_rest.py``) and checks
every exchange the tests record against the operation's schemas. To add an endpoint:
write a method, decorate it with ``@endpoint(METHOD, TEMPLATE, statuses={...})``, and the
conformance test covers it.

It behaves like api.github.com where it matters to regoscan:

* ``Authorization: Bearer`` checked (401 "Bad credentials");
* issue comments with ``Link`` pagination, ``GET /user`` refused for an installation
  token, 403 "Resource not accessible by integration" for a fork's read-only token,
  422 "Validation Failed" for a body over the limit, 404 for a deleted comment;
* code scanning (:class:`FakeCodeScanning`): SARIF upload (gzip + base64, 202 with an
  id), processing status (``pending`` first), alerts made from uploaded results and
  ignoring their SARIF ``suppressions`` as GitHub does, fixed when a later analysis of
  the default branch no longer reports them, listed with pagination and updated
  (dismissed with a reason and a comment of at most 280 characters, or reopened);
* faults a test injects (:class:`Fault`): primary rate limit (403 with
  ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset``), secondary rate limit (403 or
  429 with ``retry-after``), 5xx, a server that never answers and one that drip-feeds
  its answer a byte at a time.

Every request is recorded (method, path, headers, body) with its answer, so tests can
assert on exactly what was sent, including that the token went nowhere but the
``Authorization`` header. When the ``with`` block ends without an error, every answered
exchange is checked against GitHub's description (when it is installed): a test that
drives the fake into an answer GitHub would not give fails.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

WEB = "https://github.example"
"""``html_url`` host of everything the fake creates."""
DOCS = "https://docs.github.com/rest"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
PRIMARY_RATE_LIMIT = "API rate limit exceeded for installation ID 4242."
SECONDARY_RATE_LIMIT = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                        "again. If you reach out to GitHub Support for help, please include the request ID 1234.")
NOT_ACCESSIBLE = "Resource not accessible by integration"
MAX_DISMISSED_COMMENT = 280
_NOW = "2025-01-01T00:00:00Z"


def user(login: str, kind: str = "User", uid: int = 1) -> dict[str, Any]:
    """A ``simple-user`` as GitHub returns it (every required field present)."""
    api = f"https://api.github.example/users/{login}"
    return {
        "login": login, "id": uid, "node_id": f"U_{uid}", "type": kind, "site_admin": False,
        "avatar_url": f"https://avatars.github.example/u/{uid}", "gravatar_id": "", "url": api,
        "html_url": f"{WEB}/{login}", "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}", "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs", "repos_url": f"{api}/repos", "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
    }


BOT = user("github-actions[bot]", "Bot", 41898282)


# --- the route table -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    """OpenAPI path template, exactly as in GitHub's description."""
    statuses: frozenset[int]
    """Every status this handler answers (faults and 401 come on top, see :data:`COMMON_STATUSES`)."""
    handler: str
    pattern: re.Pattern[str]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        m = self.pattern.match(path)
        return m.groupdict() if m else None


ROUTES: list[Route] = []
COMMON_STATUSES = frozenset({401})
"""Answered on any route before the handler runs: a wrong token."""


def endpoint(method: str, template: str, *, statuses: set[int]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a :class:`FakeGitHub` method as the handler of ``METHOD template``."""
    regex = "^" + re.sub(r"\\\{([a-z_]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        ROUTES.append(Route(method, template, frozenset(statuses), fn.__name__, re.compile(regex)))
        return fn

    return register


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


Reply = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    status: int = 0
    response: Any = None
    response_headers: dict[str, str] = field(default_factory=dict)
    template: str | None = None
    """The route that answered (``None``: no route, or a fault answered first)."""


@dataclass
class Fault:
    """An answer injected in place of the handler's, for matching requests.

    ``kind``: ``"status"`` answers ``status`` with ``body`` and ``headers``; ``"hang"``
    answers nothing until the fake stops (at most ``seconds``); ``"drip"`` sends the
    status line and headers, then the body one byte every ``interval`` seconds.
    """

    kind: str = "status"
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path: str | None = None
    """Regular expression searched in the request path (``None``: any)."""
    times: int | None = 1
    """How many requests it answers (``None``: all)."""
    seconds: float = 60.0
    interval: float = 0.5
    carried_out: bool = False
    """For ``"status"``: run the handler first (its effects stay), then answer ``status``,
    as GitHub sometimes does when it times out after doing the work."""

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method and self.method != method:
            return False
        return not (self.path and not re.search(self.path, path))


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
    code_scanning: FakeCodeScanning = field(default_factory=lambda: FakeCodeScanning())
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    hooks: list[Callable[[Recorded], None]] = field(default_factory=list)
    """Called (under the fake's lock) before each request is routed: a test's way to change
    the state between two calls, e.g. delete a comment after it was listed."""
    undeclared: list[str] = field(default_factory=list)
    """Answers whose status the route did not declare (the conformance test wants none)."""
    host: str = "127.0.0.1"
    repo: str = "octo/demo"
    _next_id: int = 1000
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

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
                    fault = fake._fault(rec)
                    if isinstance(fault, _Hang):
                        reply: Reply = (0, None, {})
                    elif isinstance(fault, _Drip):
                        reply = fault.reply
                    else:
                        reply = fault or fake.route(rec)
                    status, payload, headers = reply
                    rec.status, rec.response, rec.response_headers = status, payload, headers
                if isinstance(fault, _Hang):
                    fake._stopping.wait(fault.seconds)
                    self.close_connection = True
                    return
                data = json.dumps(payload).encode("utf-8") if payload is not None else b""
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if isinstance(fault, _Drip):
                    for i in range(len(data)):
                        if fake._stopping.wait(fault.interval):
                            break
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging and drip-feeding handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.stop()
        if exc_type is None:
            self.assert_conforms(strict=False)

    def assert_conforms(self, *, strict: bool = True) -> None:
        """Every answered exchange against GitHub's description (no-op when it is not installed).

        ``strict=False`` lets a request the description rules out pass when the fake refused
        it with a 4xx (the fake behaving as GitHub would); ``strict`` also holds the requests
        themselves to the description.
        """
        from tests.github_rest import exchange_problems

        problems = [*self.undeclared, *exchange_problems(self.requests, strict=strict)]
        assert not problems, "the fake GitHub API departed from GitHub's description:\n" + "\n".join(problems)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}"

    # --- faults ---------------------------------------------------------------------

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def primary_rate_limit(self, *, reset_in: float = 1.0, method: str | None = None, path: str | None = None,
                           times: int | None = 1) -> Fault:
        """403 with ``x-ratelimit-remaining: 0``: the hourly quota is spent until ``x-ratelimit-reset``."""
        return self.inject(Fault(status=403, body={"message": PRIMARY_RATE_LIMIT, "documentation_url": RATE_LIMIT_DOCS},
                                 headers={"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                                          "x-ratelimit-used": "5000", "x-ratelimit-resource": "core",
                                          "x-ratelimit-reset": str(int(time.time() + reset_in))},
                                 method=method, path=path, times=times))

    def secondary_rate_limit(self, *, status: int = 403, retry_after: int | None = 1, method: str | None = None,
                             path: str | None = None, times: int | None = 1) -> Fault:
        """403 or 429 for too many requests at once, usually with ``retry-after`` (seconds)."""
        headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4990", "x-ratelimit-resource": "core"}
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        return self.inject(Fault(status=status, body={"message": SECONDARY_RATE_LIMIT,
                                                      "documentation_url": RATE_LIMIT_DOCS},
                                 headers=headers, method=method, path=path, times=times))

    def server_error(self, status: int = 502, *, method: str | None = None, path: str | None = None,
                     times: int | None = 1, carried_out: bool = False) -> Fault:
        body = {"message": "Server Error"} if status != 502 else None  # GitHub's 502 is an HTML page
        return self.inject(Fault(status=status, body=body, method=method, path=path, times=times,
                                 carried_out=carried_out))

    def hang(self, *, seconds: float = 60.0, method: str | None = None, path: str | None = None,
             times: int | None = None) -> Fault:
        return self.inject(Fault(kind="hang", seconds=seconds, method=method, path=path, times=times))

    def drip(self, *, interval: float = 0.5, method: str | None = None, path: str | None = None,
             times: int | None = None) -> Fault:
        return self.inject(Fault(kind="drip", interval=interval, method=method, path=path, times=times))

    def _fault(self, rec: Recorded) -> Reply | _Hang | _Drip | None:
        path = urlsplit(rec.path).path
        for fault in self.faults:
            if fault.matches(rec.method, path):
                if fault.times is not None:
                    fault.times -= 1
                if fault.kind == "hang":
                    return _Hang(fault.seconds)
                if fault.kind == "drip":
                    return _Drip(self.route(rec), fault.interval)
                if fault.carried_out:
                    self.route(rec)
                return fault.status, fault.body, dict(fault.headers)
        return None

    # --- helpers for tests ------------------------------------------------------------

    def add_comment(self, issue: int, body: str, user: dict[str, Any] | None = None) -> int:
        with self._lock:
            return self._create_comment(issue, body, user or BOT)

    def issue_comments(self, issue: int) -> list[dict[str, Any]]:
        """The issue's comments as the API shows them, oldest first."""
        return [self._comment_json(c) for c in sorted(self._of_issue(issue), key=lambda c: c["id"])]

    def _of_issue(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == issue]

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH", "PUT", "DELETE")]

    def delete_comment(self, comment_id: int) -> None:
        """As if someone deleted the comment in the web interface (call from a hook, or unlocked)."""
        self.comments.pop(comment_id, None)

    # --- dispatch -----------------------------------------------------------------------

    def route(self, rec: Recorded) -> Reply:
        for hook in self.hooks:
            hook(rec)
        if rec.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials", "documentation_url": DOCS}, {}
        url = urlsplit(rec.path)
        for r in ROUTES:
            params = r.match(rec.method, url.path)
            if params is not None:
                rec.template = r.template
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                reply: Reply = getattr(self, r.handler)(Request(rec.method, url.path, params, query, rec.body,
                                                                rec.headers))
                if reply[0] not in r.statuses:
                    self.undeclared.append(f"{r.method} {r.template} answered {reply[0]}, not in its statuses")
                return reply
        return _not_found()

    def _next(self) -> int:
        self._next_id += 1
        return self._next_id

    def _page(self, items: list[dict[str, Any]], req: Request) -> Reply:
        # GitHub ignores a per_page or page it cannot read, and so does the fake
        per_page = max(1, min(_int(req.query.get("per_page"), 30), self.page_size_cap))
        page = max(1, _int(req.query.get("page"), 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = {k: v for k, v in req.query.items() if k not in ("page", "per_page")}
            last = (len(items) + per_page - 1) // per_page
            link = [f'<{self.url}{req.path}?{urlencode({**rest, "per_page": per_page, "page": n})}>; rel="{rel}"'
                    for n, rel in ((page + 1, "next"), (last, "last"))]
            headers["Link"] = ", ".join(link)
        return 200, chunk, headers

    # --- users --------------------------------------------------------------------------

    @endpoint("GET", "/user", statuses={200, 403})
    def get_user(self, req: Request) -> Reply:
        if self.user_login is None:
            return 403, {"message": NOT_ACCESSIBLE, "documentation_url": DOCS}, {}
        return 200, {**user(self.user_login, "User", 7), "public_repos": 1, "public_gists": 0, "followers": 0,
                     "following": 0, "created_at": _NOW, "updated_at": _NOW, "bio": None, "blog": None,
                     "company": None, "email": None, "hireable": None, "location": None, "name": None}, {}

    # --- issue comments -------------------------------------------------------------------

    def _comment_json(self, c: dict[str, Any]) -> dict[str, Any]:
        api = f"https://api.github.example/repos/{self.repo}/issues"
        return {"id": c["id"], "node_id": f"IC_{c['id']}", "url": f"{api}/comments/{c['id']}", "body": c["body"],
                "html_url": f"{WEB}/{self.repo}/pull/{c['issue']}#issuecomment-{c['id']}",
                "issue_url": f"{api}/{c['issue']}", "user": c["user"], "created_at": c["created_at"],
                "updated_at": c["updated_at"], "author_association": "NONE"}

    def _create_comment(self, issue: int, body: str, author: dict[str, Any]) -> int:
        cid = self._next()
        self.comments[cid] = {"id": cid, "issue": issue, "body": body, "user": dict(author),
                              "created_at": _NOW, "updated_at": _NOW}
        return cid

    def _comment_body(self, req: Request) -> str | Reply:
        if self.read_only:
            return 403, {"message": NOT_ACCESSIBLE, "documentation_url": DOCS}, {}
        body = (req.body or {}).get("body") if isinstance(req.body, dict) else None
        if not isinstance(body, str):
            return 422, {"message": "Invalid request.\n\n\"body\" wasn't supplied.", "documentation_url": DOCS}, {}
        if len(body) > self.max_body:
            return 422, {"message": "Validation Failed", "documentation_url": DOCS, "errors": [{
                "resource": "IssueComment", "code": "custom", "field": "body",
                "message": f"body is too long (maximum is {self.max_body} characters)"}]}, {}
        return body

    @endpoint("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", statuses={200})
    def list_comments(self, req: Request) -> Reply:
        items = sorted(self._of_issue(int(req.params["issue_number"])), key=lambda c: c["id"])
        status, chunk, headers = self._page(items, req)
        return status, [self._comment_json(c) for c in chunk], headers

    @endpoint("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", statuses={201, 403, 422})
    def create_comment(self, req: Request) -> Reply:
        body = self._comment_body(req)
        if not isinstance(body, str):
            return body
        cid = self._create_comment(int(req.params["issue_number"]), body, BOT)
        return 201, self._comment_json(self.comments[cid]), {}

    @endpoint("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", statuses={200, 403, 404, 422})
    def update_comment(self, req: Request) -> Reply:
        cid = int(req.params["comment_id"])
        if cid not in self.comments:
            return _not_found()
        body = self._comment_body(req)
        if not isinstance(body, str):
            return body
        self.comments[cid].update(body=body, updated_at=_NOW)
        return 200, self._comment_json(self.comments[cid]), {}

    # --- code scanning (state and rules in FakeCodeScanning) ----------------------------------

    def _base(self, req: Request) -> str:
        return f"/repos/{req.params['owner']}/{req.params['repo']}/code-scanning"

    def _forbidden_write(self) -> Reply | None:
        return (403, {"message": NOT_ACCESSIBLE, "documentation_url": DOCS}, {}) if self.read_only else None

    @endpoint("POST", "/repos/{owner}/{repo}/code-scanning/sarifs", statuses={202, 400, 403, 413, 422})
    def upload_sarif(self, req: Request) -> Reply:
        return self._forbidden_write() or self.code_scanning.upload(req.body, self._base(req), self.url)

    @endpoint("GET", "/repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}", statuses={200, 404})
    def get_sarif(self, req: Request) -> Reply:
        return self.code_scanning.status(req.params["sarif_id"], self._base(req), self.url)

    @endpoint("GET", "/repos/{owner}/{repo}/code-scanning/alerts", statuses={200, 422})
    def list_alerts(self, req: Request) -> Reply:
        status, items, _ = self.code_scanning.select(req.query)
        if status != 200:
            return status, items, {}
        ref = self.code_scanning.ref_of(req.query)
        status, chunk, headers = self._page(items, req)
        return status, [self.code_scanning.view(a, ref, self._base(req), self.url) for a in chunk], headers

    @endpoint("GET", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}", statuses={200, 404})
    def get_alert(self, req: Request) -> Reply:
        alert = self.code_scanning.alerts.get(_int(req.params["alert_number"], 0))
        if alert is None:
            return _not_found()
        return 200, self.code_scanning.view(alert, self.code_scanning.main_ref(alert), self._base(req), self.url), {}

    @endpoint("PATCH", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}",
              statuses={200, 400, 403, 404, 422})
    def update_alert(self, req: Request) -> Reply:
        return self._forbidden_write() or self.code_scanning.patch(_int(req.params["alert_number"], 0), req.body,
                                                                   self._base(req), self.url)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _not_found() -> Reply:
    return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, {}


@dataclass(frozen=True)
class _Hang:
    """Answer nothing for ``seconds`` (or until the fake stops)."""

    seconds: float


@dataclass(frozen=True)
class _Drip:
    """A normal answer, sent one byte every ``interval`` seconds."""

    reply: Reply
    interval: float


# --- code scanning ------------------------------------------------------------------------------

_SHA = re.compile(r"^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$")
_REF = re.compile(r"^refs/(heads|tags|pull)/.+$")
DISMISSED_REASONS = ("false positive", "won't fix", "used in tests", "mitigated")
PERSON = user("octocat", "User", 583231)


def _category(run: dict[str, Any]) -> str:
    """GitHub's category: ``automationDetails.id`` up to its last ``/``."""
    ident = ((run.get("automationDetails") or {}).get("id")) or ""
    return ident.rsplit("/", 1)[0] if "/" in ident else ""


@dataclass
class FakeCodeScanning:
    """Code scanning as far as regoscan can observe it.

    A SARIF upload (gzip + base64) is checked and processed into alerts, which ignore
    SARIF ``suppressions`` exactly as GitHub does; an alert is identified by tool,
    category, rule, file and ``primaryLocationLineHash``; an analysis on the default
    branch that no longer reports an open alert fixes it, one that reports a fixed alert
    again reopens it, and dismissed alerts stay dismissed; the upload's status answers
    ``pending`` for a configurable number of polls first; alert lists are filtered by
    ``tool_name``, ``ref`` and ``state``; ``PATCH`` validates ``state``,
    ``dismissed_reason`` and the 280-character comment limit.
    """

    default_ref: str = "refs/heads/main"
    pending_polls: int = 1
    """Status checks that answer ``pending`` before an upload is ``complete``."""
    fail_processing: list[str] | None = None
    """When set, uploads end ``failed`` with these errors (and create no alerts)."""
    max_sarif_bytes: int = 10 * 1024 * 1024
    """GitHub's limit for the gzip-compressed SARIF (413 above)."""
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[int, dict[str, Any]] = field(default_factory=dict)
    _next_number: int = 0
    _clock: int = 0

    # --- helpers for tests ----------------------------------------------------------------

    def find(self, rule_id: str, path: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        return [a for a in self.alerts.values() if a["rule"]["id"] == rule_id
                and (path is None or a["instances"][self.main_ref(a)]["location"]["path"] == path)
                and (state is None or a["state"] == state)]

    def dismiss_by_person(self, number: int, reason: str = "false positive", comment: str = "checked by hand") -> None:
        alert = self.alerts[number]
        alert.update(state="dismissed", dismissed_reason=reason, dismissed_comment=comment,
                     dismissed_by=dict(PERSON), dismissed_at=self._now())

    def sarif_of(self, sarif_id: str) -> dict[str, Any]:
        return self.uploads[sarif_id]["log"]

    # --- the operations (called by FakeGitHub's routes) ---------------------------------------

    def _now(self) -> str:
        self._clock += 1
        return f"2026-01-01T00:{self._clock // 60:02d}:{self._clock % 60:02d}Z"

    def main_ref(self, alert: dict[str, Any]) -> str:
        return self.default_ref if self.default_ref in alert["instances"] else next(iter(alert["instances"]))

    def ref_of(self, query: dict[str, str]) -> str:
        ref = query.get("ref") or self.default_ref
        return ref if ref.startswith("refs/") else f"refs/heads/{ref}"

    def upload(self, body: Any, base: str, url: str) -> Reply:
        body = body if isinstance(body, dict) else {}
        allowed = {"commit_sha", "ref", "sarif", "checkout_uri", "started_at", "tool_name", "validate"}
        if set(body) - allowed or not {"commit_sha", "ref", "sarif"} <= set(body):
            return 422, {"message": "Invalid request", "errors": [f"fields: {sorted(body)}"]}, {}
        if not _SHA.match(str(body["commit_sha"])) or not _REF.match(str(body["ref"])):
            return 422, {"message": "Invalid request", "errors": ["commit_sha or ref does not match its pattern"]}, {}
        try:
            compressed = base64.b64decode(str(body["sarif"]), validate=True)
            if len(compressed) > self.max_sarif_bytes:
                return 413, {"message": "Payload Too Large", "documentation_url": DOCS}, {}
            log = json.loads(gzip.decompress(compressed))
        except (ValueError, OSError, TypeError):
            return 400, {"message": "Invalid SARIF: not gzipped and base64-encoded JSON"}, {}
        if not isinstance(log, dict) or log.get("version") != "2.1.0" or not isinstance(log.get("runs"), list):
            return 400, {"message": "Invalid SARIF: not a SARIF 2.1.0 log"}, {}
        if any(not isinstance(r, dict) or not isinstance(r.get("results"), list) for r in log["runs"]):
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
        rules = {r.get("id"): r for r in run["tool"]["driver"].get("rules", []) if isinstance(r, dict)}
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
                rule = rules.get(result["ruleId"], {})
                level = result.get("level") or (rule.get("defaultConfiguration") or {}).get("level") or "warning"
                alert = {"_identity": identity, "number": self._next_number, "created_at": self._now(),
                         "state": "open", "fixed_at": None, "dismissed_by": None, "dismissed_at": None,
                         "dismissed_reason": None, "dismissed_comment": None,
                         "rule": {"id": result["ruleId"], "severity": level, "description": result["ruleId"],
                                  "name": result["ruleId"], "tags": []},
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

    def status(self, sarif_id: str, base: str, url: str) -> Reply:
        upload = self.uploads.get(sarif_id)
        if upload is None:
            return _not_found()
        if upload["polls"] > 0:
            upload["polls"] -= 1
            return 200, {"processing_status": "pending", "analyses_url": None, "errors": None}, {}
        if upload["errors"]:
            return 200, {"processing_status": "failed", "analyses_url": None, "errors": list(upload["errors"])}, {}
        return 200, {"processing_status": "complete", "errors": None,
                     "analyses_url": f"{url}{base}/analyses?sarif_id={sarif_id}"}, {}

    def view(self, alert: dict[str, Any], ref: str, base: str, url: str) -> dict[str, Any]:
        number = alert["number"]
        view = {k: v for k, v in alert.items() if not k.startswith("_") and k != "instances"}
        view.update(url=f"{url}{base}/alerts/{number}", html_url=f"{WEB}/octo/demo/security/code-scanning/{number}",
                    instances_url=f"{url}{base}/alerts/{number}/instances",
                    most_recent_instance=alert["instances"][ref])
        return view

    def select(self, query: dict[str, str]) -> Reply:
        """The alerts a list request asks for, newest first (paginated by the caller)."""
        ref = self.ref_of(query)
        tool = query.get("tool_name")
        state = query.get("state")
        if state not in (None, "open", "closed", "dismissed", "fixed"):
            return 422, {"message": "Invalid state", "documentation_url": DOCS}, {}
        items = [a for a in self.alerts.values() if ref in a["instances"]
                 and (tool is None or a["tool"]["name"] == tool)
                 and (state is None or a["state"] == state or (state == "closed" and a["state"] != "open"))]
        items.sort(key=lambda a: a["created_at"], reverse=query.get("direction", "desc") != "asc")
        return 200, items, {}

    def patch(self, number: int, body: Any, base: str, url: str) -> Reply:
        alert = self.alerts.get(number)
        if alert is None:
            return _not_found()
        body = body if isinstance(body, dict) else {}
        if set(body) - {"state", "dismissed_reason", "dismissed_comment", "create_request", "assignees"}:
            return 422, {"message": "Invalid request", "errors": [f"fields: {sorted(body)}"]}, {}
        state = body.get("state")
        if state == "dismissed":
            if body.get("dismissed_reason") not in DISMISSED_REASONS:
                return 400, {"message": "dismissed_reason is required when the state is dismissed"}, {}
            comment = body.get("dismissed_comment")
            if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_DISMISSED_COMMENT):
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
        return 200, self.view(alert, self.main_ref(alert), base, url), {}
