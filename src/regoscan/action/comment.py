"""One sticky pull-request comment: created on the first run, edited in place after.

Readers want one comment that always shows the latest result, not a new one per push
(research notes §5.3). Our comment is recognised by the hidden marker that starts
every summary (:data:`regoscan.output.markdown.MARKER`) **and** by its author, so a
comment someone else wrote with the marker pasted in is never edited: the author is
the token's own login when ``GET /user`` says so (a personal token), otherwise any bot
(``GITHUB_TOKEN`` and app tokens cannot call ``/user``; they post as ``…[bot]``).

Failure modes that must not fail the step:

* 403/404 from a pull request opened from a fork (its ``GITHUB_TOKEN`` is read-only)
  or a workflow without ``pull-requests: write``: no comment, and the job summary
  says why (:attr:`CommentResult.explanation`).
* 422 because the body is too long (GitHub allows 65,536 characters): one retry with
  a much shorter body that points at the run's full summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from regoscan.action.github_api import ApiError, GitHubAPI
from regoscan.output.markdown import MARKER

COMMENT_LIMIT_CHARS = 65_536
COMMENT_MAX_BYTES = 60_000
"""Budget for the body in UTF-8 bytes. A UTF-8 byte count is never below the UTF-16
length GitHub counts, and the margin leaves room for the lines we add."""
SHORT_MAX_BYTES = 6_000
"""Budget for the one retry after a 422: small enough for any limit GitHub might apply."""

Outcome = Literal["created", "updated", "skipped", "forbidden", "failed"]


@dataclass(frozen=True)
class CommentResult:
    outcome: Outcome
    url: str | None = None
    comment_id: int | None = None
    explanation: str = ""
    """For the job summary: why there is no comment (empty when there is one)."""


def _viewer(api: GitHubAPI) -> str | None:
    """The token's login, or ``None`` for installation tokens (``/user`` is 403 there)."""
    try:
        data = api.request("GET", "/user").data
    except ApiError:
        return None
    login = data.get("login") if isinstance(data, Mapping) else None
    return login if isinstance(login, str) and login else None


def _is_ours(comment: Any, viewer: str | None) -> bool:
    if not isinstance(comment, Mapping):
        return False
    body = comment.get("body")
    if not isinstance(body, str) or not body.lstrip().startswith(MARKER):
        return False
    user = comment.get("user") if isinstance(comment.get("user"), Mapping) else {}
    if viewer is not None:
        return user.get("login") == viewer
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def find_comment(api: GitHubAPI, repo: str, number: int) -> Mapping[str, Any] | None:
    """The oldest of our comments on the pull request, across all pages."""
    viewer = _viewer(api)
    for comment in api.paginate(f"/repos/{repo}/issues/{number}/comments?per_page=100"):
        if _is_ours(comment, viewer):
            return comment
    return None


def _forbidden(exc: ApiError) -> CommentResult:
    return CommentResult(
        "forbidden",
        explanation=(
            f"No pull request comment was posted: GitHub answered {exc.status} ({exc.message}). "
            "Pull requests from forks get a read-only token, and the workflow needs "
            "`permissions: pull-requests: write` for regoscan to comment; this summary has the full result."
        ),
    )


def upsert_comment(api: GitHubAPI, repo: str, number: int, body: str,
                   shorter: Callable[[], str], log: Callable[[str], None] | None = None) -> CommentResult:
    """Create or update our comment; never raises for an API failure.

    ``shorter`` builds the retry body lazily: it is only rendered if a 422 asks for it.
    """
    say = log or (lambda _m: None)
    try:
        existing = find_comment(api, repo, number)
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            return _forbidden(exc)
        return CommentResult("failed", explanation=f"No pull request comment was posted: {exc.message}.")
    if existing is not None and isinstance(existing.get("id"), int):
        method, path, outcome = "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", "updated"
    else:
        method, path, outcome = "POST", f"/repos/{repo}/issues/{number}/comments", "created"
    for attempt in (1, 2):
        try:
            data = api.request(method, path, {"body": body}).data
        except ApiError as exc:
            if exc.status in (401, 403, 404):
                return _forbidden(exc)
            if exc.status == 422 and attempt == 1:
                say(f"GitHub rejected the comment ({exc.message}); retrying with a shorter one")
                body = shorter()
                continue
            return CommentResult("failed", explanation=f"No pull request comment was posted: {exc.message}.")
        data = data if isinstance(data, Mapping) else {}
        comment_id = data.get("id") if isinstance(data.get("id"), int) else None
        url = data.get("html_url") if isinstance(data.get("html_url"), str) else None
        return CommentResult(outcome, url, comment_id)  # type: ignore[arg-type]
    return CommentResult("failed", explanation="No pull request comment was posted.")
