"""A small GitHub REST client on ``urllib``: the few calls the Action makes, in full view.

Why not a library: the image stays small and every call is easy to read. What a
library would have given us is spelled out here instead:

* **The token** travels only in the ``Authorization`` header, and only to the API's own
  origin (``$GITHUB_API_URL``, ``https://HOST/api/v3`` on GitHub Enterprise Server): a
  pagination ``Link`` or a redirect pointing anywhere else is refused or followed
  without it. It is never part of a URL, an error message or a ``repr``.
* **Errors are classified** (:attr:`ApiError.kind`) the way GitHub's rate-limit docs
  say to: a 429, or a 403 that carries ``retry-after``, ``x-ratelimit-remaining: 0`` or
  a "rate limit" message, is a rate limit, not a missing permission. Only a plain 403
  means "this token may not" (a fork's read-only token, a missing ``permissions:``).
* **One bounded retry.** A rate limit is retried once after the wait GitHub advises
  (``retry-after``, else ``x-ratelimit-reset``), when that wait is at most
  :data:`MAX_RETRY_WAIT` and fits the deadline; a 5xx or a dropped connection is
  retried once after :data:`SERVER_RETRY_WAIT` for requests that are safe to repeat
  (not ``POST``, whose first attempt may have been carried out: callers decide).
* **One deadline for all API work** (:class:`Deadline`). Each request runs in a helper
  thread that is abandoned when the deadline passes, so a server that never answers,
  or drip-feeds its answer a byte at a time (which resets every socket timeout), cannot
  hang the step; every later call fails at once with kind ``timeout``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal

from regoscan import __version__

DEFAULT_API_URL = "https://api.github.com"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_PAGES = 50
"""Hard stop for pagination (5,000 items at 100 a page): a loop must end."""
DEFAULT_DEADLINE = 120.0
"""Seconds for all API work of one step (input ``api-timeout``)."""
REQUEST_TIMEOUT = 30.0
"""Longest wait for one request, within the deadline."""
MAX_RETRY_WAIT = 30.0
"""Longest advised wait regoscan sleeps through before its one retry; longer: no retry."""
SERVER_RETRY_WAIT = 2.0
SECONDARY_DEFAULT_WAIT = 60.0
"""GitHub's advice for a secondary rate limit that names no ``retry-after``: wait a minute."""

Kind = Literal["rate-limit", "forbidden", "unauthorized", "not-found", "invalid", "server", "network", "timeout",
               "refused", "other"]


class ApiError(Exception):
    """A failed API call: ``status`` is the HTTP status, or 0 when no answer came."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "", *,
                 kind: Kind | None = None, wait: float | None = None) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.kind: Kind = kind or _kind_of_status(status)
        self.wait = wait
        """Seconds GitHub asked to wait before trying again (rate limits), when known."""
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        return f"{where}HTTP {self.status}: {self.message}" if self.status else f"{where}{self.message}"


def _kind_of_status(status: int) -> Kind:
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not-found"
    if status in (400, 413, 422):
        return "invalid"
    if status == 429:
        return "rate-limit"
    if status >= 500:
        return "server"
    return "other"


def classify(status: int, headers: Mapping[str, str], message: str,
             now: Callable[[], float] = time.time) -> tuple[Kind, float | None]:
    """The kind of a failed answer and the wait GitHub advises, per its rate-limit docs.

    ``headers`` must have lower-case names. Order matters: ``retry-after`` (secondary
    limits, 403 or 429) wins, then an exhausted primary quota (``x-ratelimit-remaining:
    0``, wait until ``x-ratelimit-reset``), then the message, for proxies and GHES
    versions that drop the headers.
    """
    if status not in (403, 429):
        return _kind_of_status(status), None
    retry_after = _number(headers.get("retry-after"))
    if retry_after is not None:
        return "rate-limit", max(0.0, retry_after)
    if headers.get("x-ratelimit-remaining", "").strip() == "0":
        reset = _number(headers.get("x-ratelimit-reset"))
        return "rate-limit", max(0.0, reset - now()) + 1.0 if reset is not None else None
    if status == 429 or re.search(r"rate limit", message, re.IGNORECASE):
        return "rate-limit", SECONDARY_DEFAULT_WAIT
    return "forbidden", None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None and value.strip() else None
    except ValueError:
        return None


@dataclass
class Deadline:
    """Wall-clock budget shared by every call of one step."""

    seconds: float = DEFAULT_DEADLINE
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def remaining(self) -> float:
        return self.seconds - (self.clock() - self.started)

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


@dataclass(frozen=True)
class Response:
    status: int
    data: Any
    headers: Mapping[str, str]
    """Lower-case header names."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but re-attach the token only when the target is the API's origin.

    urllib copies ordinary headers to the redirected request; the token is therefore
    added as an *unredirected* header and restored here only for a same-origin hop.
    """

    def __init__(self, origin: tuple[str, str, int | None], auth: str) -> None:
        self._api_origin = origin
        self._auth = auth

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) == self._api_origin:
            new.add_unredirected_header("Authorization", self._auth)
        return new


def _lower(headers: Message | Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers.items() if headers is not None else [])}


class GitHubAPI:
    def __init__(self, token: str, base_url: str | None = None, *, timeout: float = REQUEST_TIMEOUT,
                 deadline: Deadline | None = None, log: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        if not re.match(r"^https?://", self.base_url):
            raise ValueError(f"GITHUB_API_URL must be an http(s) URL, got {self.base_url!r}")
        self.timeout = timeout
        self.deadline = deadline or Deadline()
        self.log = log or (lambda _m: None)
        self.sleep = sleep
        self._origin = _origin(self.base_url)
        self._auth = f"Bearer {token}" if token else ""
        handlers: list[urllib.request.BaseHandler] = []
        if self._auth:
            handlers.append(_SameOriginRedirects(self._origin, self._auth))
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback
        return f"GitHubAPI(base_url={self.base_url!r}, token={'***' if self._auth else 'none'})"

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, body: Any = None, *, repeatable: bool | None = None) -> Response:
        """One call, retried once when GitHub says to wait (see the module docstring).

        ``repeatable``: whether a 5xx or a dropped connection may be retried (default:
        every method but ``POST``). A rate-limited request was not carried out, so it is
        retried whatever the method.
        """
        url = self.url(path)
        if _origin(url) != self._origin:
            raise ApiError(0, "refusing to send the token to another host", method, _display(url), kind="refused")
        if repeatable is None:
            repeatable = method.upper() != "POST"
        try:
            return self._once(method, url, body)
        except ApiError as exc:
            wait = self._retry_wait(exc, repeatable)
            if wait is None:
                raise
            self.log(f"GitHub API: {exc}; retrying once in {wait:.0f}s")
            self.sleep(wait)
            return self._once(method, url, body)

    def _retry_wait(self, exc: ApiError, repeatable: bool) -> float | None:
        if exc.kind == "rate-limit":
            wait = exc.wait if exc.wait is not None else SECONDARY_DEFAULT_WAIT
            if wait > MAX_RETRY_WAIT:
                exc.message += f" (GitHub asks to wait {wait:.0f}s; not retried)"
                return None
        elif exc.kind in ("server", "network") and repeatable:
            wait = SERVER_RETRY_WAIT
        else:
            return None
        # the retry itself needs time too: keep at least one second for it
        if wait + 1.0 > self.deadline.remaining():
            exc.message += f" (no time left to retry within the {self.deadline.seconds:.0f}s API deadline)"
            return None
        return wait

    def _once(self, method: str, url: str, body: Any) -> Response:
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise ApiError(0, f"the {self.deadline.seconds:.0f}s deadline for GitHub API calls has passed",
                           method, _display(url), kind="timeout")
        budget = min(self.timeout, remaining)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"regoscan/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        if self._auth:
            req.add_unredirected_header("Authorization", self._auth)
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                with self._opener.open(req, timeout=budget) as resp:
                    outcome["response"] = (resp.status, resp.read(), _lower(resp.headers))
            except urllib.error.HTTPError as exc:
                try:
                    raw = exc.read() if exc.fp is not None else b""
                except OSError:
                    raw = b""
                outcome["http_error"] = (exc.code, exc.reason, raw, _lower(exc.headers))
            except BaseException as exc:  # reported to the caller's thread below
                outcome["error"] = exc

        worker = threading.Thread(target=call, name="regoscan-github-api", daemon=True)
        worker.start()
        worker.join(budget)
        if worker.is_alive():  # abandoned: a daemon thread never keeps the process alive
            raise ApiError(0, f"no complete answer within {budget:.0f}s", method, _display(url), kind="timeout")
        if "response" in outcome:
            status, raw, headers = outcome["response"]
            return Response(status, _json(raw), headers)
        if "http_error" in outcome:
            status, reason, raw, headers = outcome["http_error"]
            payload = _json(raw)
            message = payload.get("message") if isinstance(payload, Mapping) else None
            details = _error_details(payload)
            text = str(message or reason or "error") + (f" ({details})" if details else "")
            kind, wait = classify(status, headers, text)
            raise ApiError(status, text, method, _display(url), kind=kind, wait=wait)
        exc = outcome.get("error")
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ApiError(0, f"no answer within {budget:.0f}s", method, _display(url), kind="timeout")
        raise ApiError(0, f"cannot reach the GitHub API: {reason}", method, _display(url), kind="network")

    def paginate(self, path: str) -> Iterator[Any]:
        """Items of a list endpoint, following ``Link: rel="next"`` (same origin only)."""
        url: str | None = self.url(path)
        for _ in range(MAX_PAGES):
            if url is None:
                return
            resp = self.request("GET", url)
            if not isinstance(resp.data, list):
                raise ApiError(resp.status, "expected a JSON list", "GET", _display(url), kind="other")
            yield from resp.data
            url = _next_link(resp.headers)
        # more pages than MAX_PAGES: stop rather than loop forever


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _error_details(payload: Any) -> str:
    """GitHub's validation errors (422) say what was wrong in ``errors[]``."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("errors"), list):
        return ""
    out = []
    for err in payload["errors"][:3]:
        if isinstance(err, Mapping):
            out.append(str(err.get("message") or err.get("code") or ""))
        elif isinstance(err, str):
            out.append(err)
    return "; ".join(x for x in out if x)


def _next_link(headers: Mapping[str, str]) -> str | None:
    value = headers.get("link")
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == "link"), None)
    match = _LINK_NEXT.search(value) if value else None
    return match.group(1) if match else None


def _display(url: str) -> str:
    """The URL without query string, for messages (queries are ours, but keep it short)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
