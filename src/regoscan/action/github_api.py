"""A tiny GitHub REST client on ``urllib``: just enough for one sticky comment.

Why not a library: the image stays small and the few calls we make are easy to read
in full. What a library would have given us for free is spelled out here instead:

* The token travels **only** in the ``Authorization`` header, and only to the API's
  own origin (``$GITHUB_API_URL``, which is ``https://HOST/api/v3`` on GitHub
  Enterprise Server): a pagination ``Link`` or a redirect pointing anywhere else is
  refused or followed without it. It is never part of a URL, an error message or a
  ``repr``.
* Errors carry the HTTP status and GitHub's ``message`` so callers can tell a
  read-only fork token (403) from an oversized body (422).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from regoscan import __version__

DEFAULT_API_URL = "https://api.github.com"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_PAGES = 50
"""Hard stop for pagination (5,000 comments at 100 a page): a loop must end."""


class ApiError(Exception):
    """A failed API call: ``status`` is the HTTP status, or 0 when no answer came."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        where = f"{method} {path}: " if method else ""
        super().__init__(f"{where}HTTP {status}: {message}" if status else f"{where}{message}")


@dataclass(frozen=True)
class Response:
    status: int
    data: Any
    headers: Mapping[str, str]


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


class GitHubAPI:
    def __init__(self, token: str, base_url: str | None = None, *, timeout: float = 20.0) -> None:
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        if not re.match(r"^https?://", self.base_url):
            raise ValueError(f"GITHUB_API_URL must be an http(s) URL, got {self.base_url!r}")
        self.timeout = timeout
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

    def request(self, method: str, path: str, body: Any = None) -> Response:
        url = self.url(path)
        if _origin(url) != self._origin:
            raise ApiError(0, "refusing to send the token to another host", method, _display(url))
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"regoscan/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        if self._auth:
            req.add_unredirected_header("Authorization", self._auth)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                raw = resp.read()
                return Response(resp.status, _json(raw), dict(resp.headers.items()))
        except urllib.error.HTTPError as exc:
            raw = exc.read() if exc.fp is not None else b""
            payload = _json(raw)
            message = payload.get("message") if isinstance(payload, Mapping) else None
            details = _error_details(payload)
            text = str(message or exc.reason or "error") + (f" ({details})" if details else "")
            raise ApiError(exc.code, text, method, _display(url)) from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ApiError(0, f"cannot reach the GitHub API: {reason}", method, _display(url)) from None

    def paginate(self, path: str) -> Iterator[Any]:
        """Items of a list endpoint, following ``Link: rel="next"`` (same origin only)."""
        url: str | None = self.url(path)
        for _ in range(MAX_PAGES):
            if url is None:
                return
            resp = self.request("GET", url)
            if not isinstance(resp.data, list):
                raise ApiError(resp.status, "expected a JSON list", "GET", _display(url))
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
    for key, value in headers.items():
        if key.lower() == "link":
            match = _LINK_NEXT.search(value)
            return match.group(1) if match else None
    return None


def _display(url: str) -> str:
    """The URL without query string, for messages (queries are ours, but keep it short)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
