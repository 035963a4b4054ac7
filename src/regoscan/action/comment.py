"""One sticky pull-request comment per configuration: created once, edited in place after.

Readers want one comment that always shows the latest result, not a new one per push.
Our comment is recognised by three things together:

* the hidden marker that starts every summary (:data:`regoscan.output.markdown.MARKER`);
* a **tag** on the line after it (``<!-- regoscan-comment-tag: TAG -->``): the
  ``comment-tag`` input, by default the workflow, job and SARIF category, so several
  workflows, steps or matrix jobs each keep their own comment instead of overwriting
  one another's;
* its **author**: the token's own login when ``GET /user`` says so (a personal token),
  otherwise any bot (``GITHUB_TOKEN`` and app tokens cannot call ``/user``; they post
  as ``…[bot]``). A comment someone else wrote with the marker pasted in is never
  edited.

Failure modes that must not fail the step (the caller writes the job summary first,
so a failure here, or a cancelled job, loses nothing but the comment):

* a plain 403/404 from a pull request opened from a fork (its ``GITHUB_TOKEN`` is
  read-only) or a workflow without ``pull-requests: write``;
* a rate limit (403/429 that says so), retried once by the client, then reported as
  such, not as a permission problem;
* 422 because the body is too long (GitHub allows 65,536 characters): one retry with
  a much shorter body that points at the run's full summary;
* our comment deleted between listing and editing it (PATCH answers 404): created anew;
* a 5xx on the POST, which GitHub may have carried out anyway: the comments are listed
  again before a second POST, so a retry never leaves two comments.
"""

from __future__ import annotations

import re
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
TAG_MAX_CHARS = 200

Outcome = Literal["created", "updated", "skipped", "forbidden", "rate-limited", "failed"]


@dataclass(frozen=True)
class CommentResult:
    outcome: Outcome
    url: str | None = None
    comment_id: int | None = None
    explanation: str = ""
    """For the job summary: why there is no comment (empty when there is one)."""


def clean_tag(tag: str) -> str:
    """A tag safe inside an HTML comment: no ``--``, no ``>``, one line, bounded."""
    cleaned = re.sub(r"[^A-Za-z0-9._/@+:=]+", "-", tag).strip("-")
    return cleaned[:TAG_MAX_CHARS] or "regoscan"


def default_tag(env: Mapping[str, str], category: str) -> str:
    """Workflow name, job id and SARIF category: one comment per configuration."""
    parts = [env.get("GITHUB_WORKFLOW", "").strip(), env.get("GITHUB_JOB", "").strip(), category.strip()]
    return clean_tag("/".join(p for p in parts if p) or "regoscan")


def tag_line(tag: str) -> str:
    return f"<!-- regoscan-comment-tag: {clean_tag(tag)} -->"


def tagged(body: str, tag: str) -> str:
    """``body`` (which starts with the marker line) with the tag line right after the marker."""
    first, sep, rest = body.partition("\n")
    return f"{first}\n{tag_line(tag)}\n{rest}" if sep else f"{first}\n{tag_line(tag)}\n"


def _viewer(api: GitHubAPI) -> str | None:
    """The token's login, or ``None`` for installation tokens (``/user`` is 403 there)."""
    try:
        data = api.request("GET", "/user").data
    except ApiError as exc:
        if exc.kind in ("rate-limit", "timeout", "server", "network"):
            raise  # not an answer about who we are: stop, rather than guess
        return None
    login = data.get("login") if isinstance(data, Mapping) else None
    return login if isinstance(login, str) and login else None


def _is_ours(comment: Any, viewer: str | None, tag: str) -> bool:
    if not isinstance(comment, Mapping):
        return False
    body = comment.get("body")
    if not isinstance(body, str):
        return False
    lines = body.lstrip().split("\n", 2)
    if len(lines) < 2 or lines[0].rstrip() != MARKER or lines[1].rstrip() != tag_line(tag):
        return False
    user = comment.get("user") if isinstance(comment.get("user"), Mapping) else {}
    if viewer is not None:
        return user.get("login") == viewer
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def find_comment(api: GitHubAPI, repo: str, number: int, tag: str = "regoscan",
                 viewer: str | Literal[False] | None = False) -> Mapping[str, Any] | None:
    """The oldest of our comments with this tag on the pull request, across all pages."""
    who = _viewer(api) if viewer is False else viewer
    for comment in api.paginate(f"/repos/{repo}/issues/{number}/comments?per_page=100"):
        if _is_ours(comment, who, tag):
            return comment
    return None


def explain(exc: ApiError) -> CommentResult:
    """Why there is no comment, in words that match what actually happened."""
    if exc.kind == "rate-limit":
        wait = f" GitHub asked to wait {exc.wait:.0f}s." if exc.wait is not None else ""
        return CommentResult("rate-limited", explanation=(
            f"No pull request comment was posted: GitHub's API rate limit was reached ({exc.status}: "
            f"{exc.message}).{wait} The next run updates the comment; this summary has the full result."))
    if exc.kind in ("forbidden", "unauthorized") or (exc.kind == "not-found" and exc.method == "GET"):
        return CommentResult("forbidden", explanation=(
            f"No pull request comment was posted: GitHub answered {exc.status} ({exc.message}). "
            "Pull requests from forks get a read-only token, and the workflow needs "
            "`permissions: pull-requests: write` for regoscan to comment; this summary has the full result."))
    if exc.kind == "timeout":
        return CommentResult("failed", explanation=f"No pull request comment was posted: the GitHub API did not "
                                                   f"answer in time ({exc.message}).")
    return CommentResult("failed", explanation=f"No pull request comment was posted: {exc}.")


_URL = re.compile(r"https?://[!-~]+")


def _result(data: Any, outcome: Outcome) -> CommentResult:
    data = data if isinstance(data, Mapping) else {}
    comment_id = data.get("id") if isinstance(data.get("id"), int) else None
    url = data.get("html_url")
    # the API's answer is data, not trusted text: a URL is one line of http(s), or nothing
    url = url if isinstance(url, str) and _URL.fullmatch(url) else None
    return CommentResult(outcome, url, comment_id)


def upsert_comment(api: GitHubAPI, repo: str, number: int, body: str, shorter: Callable[[], str],
                   log: Callable[[str], None] | None = None, tag: str = "regoscan") -> CommentResult:
    """Create or update our comment for ``tag``; never raises for an API failure.

    ``body`` and ``shorter()`` start with the marker line; the tag line is added here.
    ``shorter`` builds the retry body lazily: it is only rendered if a 422 asks for it.
    """
    say = log or (lambda _m: None)
    body = tagged(body, tag)
    try:
        viewer = _viewer(api)
        existing = find_comment(api, repo, number, tag, viewer)
    except ApiError as exc:
        return explain(exc)
    shortened = False
    posted_once = False
    while True:
        if existing is not None and isinstance(existing.get("id"), int):
            method, path, outcome = "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", "updated"
        else:
            method, path, outcome = "POST", f"/repos/{repo}/issues/{number}/comments", "created"
        try:
            data = api.request(method, path, {"body": body}).data
            return _result(data, outcome)  # type: ignore[arg-type]
        except ApiError as exc:
            if method == "PATCH" and exc.kind == "not-found":
                say("the regoscan comment was deleted meanwhile; creating a new one")
                existing = None
                continue
            if exc.status == 422 and not shortened:
                say(f"GitHub rejected the comment ({exc.message}); retrying with a shorter one")
                body = tagged(shorter(), tag)
                shortened = True
                continue
            if method == "POST" and exc.kind in ("server", "network", "timeout") and not posted_once:
                # GitHub may have created it before failing: look before posting again
                posted_once = True
                try:
                    existing = find_comment(api, repo, number, tag, viewer)
                except ApiError:
                    return explain(exc)
                say(f"creating the comment failed ({exc}); "
                    + ("it was created after all, editing it" if existing else "trying once more"))
                continue
            return explain(exc)
