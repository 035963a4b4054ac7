"""A fake GitHub REST API on 127.0.0.1, just the endpoints the sticky comment uses.

It behaves like api.github.com where it matters to regoscan: ``Authorization:
Bearer`` checked, issue comments paginated with ``Link`` headers, ``GET /user``
refused for an installation token, 403 "Resource not accessible by integration" for a
fork's read-only token, and 422 "Validation Failed" for a body over the limit. Every
request is recorded (method, path, headers, body) so tests can assert on exactly what
was sent, including that the token went nowhere but the ``Authorization`` header.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
