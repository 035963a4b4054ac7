"""The REST client and the sticky comment, against the fake API on 127.0.0.1.

Every exchange with the fake is checked against GitHub's REST description at the end
of each test (``tests/github_rest.checked_fake``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from regoscan.action.comment import default_tag, find_comment, tag_line, tagged, upsert_comment
from regoscan.action.github_api import ApiError, Deadline, GitHubAPI, classify
from regoscan.output.markdown import MARKER
from tests.e2e.fake_github import BOT, FakeGitHub, Recorded, user
from tests.github_rest import checked_fake

TOKEN = "ghs_unitTestToken0123456789"
REPO = "octo/demo"
TAG = "regoscan"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with checked_fake(TOKEN) as server:
        yield server


def _body(text: str = "result") -> str:
    return f"{MARKER}\n{text}\n"


def _ours(text: str = "result", tag: str = TAG) -> str:
    """A comment body as regoscan leaves it: marker, tag line, summary."""
    return tagged(_body(text), tag)


def test_token_only_in_the_authorization_header(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    api.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": _body()})
    (rec,) = fake.requests
    assert rec.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in rec.path and TOKEN not in rec.raw.decode()
    assert all(TOKEN not in v for k, v in rec.headers.items() if k != "authorization")
    assert TOKEN not in repr(api)


def test_errors_carry_status_and_githubs_message(fake: FakeGitHub) -> None:
    with pytest.raises(ApiError) as info:
        GitHubAPI("wrong", fake.url).request("GET", f"/repos/{REPO}/issues/1/comments")
    assert info.value.status == 401 and "Bad credentials" in str(info.value)
    assert "wrong" not in str(info.value)


def test_unreachable_api_is_status_zero() -> None:
    with pytest.raises(ApiError) as info:
        GitHubAPI(TOKEN, "http://127.0.0.1:9", timeout=2).request("GET", "/user")
    assert info.value.status == 0 and "cannot reach" in info.value.message


def test_pagination_follows_link_headers(fake: FakeGitHub) -> None:
    for i in range(7):
        fake.add_comment(3, f"comment {i}")
    fake.page_size_cap = 3
    items = list(GitHubAPI(TOKEN, fake.url).paginate(f"/repos/{REPO}/issues/3/comments?per_page=100"))
    assert [c["body"] for c in items] == [f"comment {i}" for i in range(7)]
    assert sum(r.method == "GET" for r in fake.requests) == 3


def test_token_is_never_sent_to_another_origin(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    with pytest.raises(ApiError) as info:
        api.request("GET", "http://127.0.0.2:1/elsewhere")
    assert "refusing to send the token" in str(info.value)
    assert fake.requests == []


class _Redirector(BaseHTTPRequestHandler):
    target = ""
    seen: list[dict[str, str]] = []  # noqa: RUF012 - shared by the handler class on purpose

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.path.startswith("/moved"):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")
            return
        self.send_response(301)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_redirects_keep_the_token_only_on_the_same_origin(fake: FakeGitHub) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        own = f"http://127.0.0.1:{server.server_address[1]}"
        _Redirector.seen = []
        _Redirector.target = f"{own}/moved"
        GitHubAPI(TOKEN, own).request("GET", "/start")
        assert [h.get("authorization") for h in _Redirector.seen] == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]

        _Redirector.seen = []
        _Redirector.target = f"{fake.url}/user"  # another origin (other port)
        fake.user_login = "someone"
        with pytest.raises(ApiError) as info:
            GitHubAPI(TOKEN, own).request("GET", "/start")
        assert info.value.status == 401  # arrived without the token
        assert "authorization" not in fake.requests[-1].headers
    finally:
        server.shutdown()
        server.server_close()


# --- sticky comment -------------------------------------------------------------------


def _never() -> str:
    raise AssertionError("the shorter body must only be built after a 422")


def test_created_then_updated_in_place(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    first = upsert_comment(api, REPO, 5, _body("first"), _never)
    assert first.outcome == "created" and first.comment_id is not None
    second = upsert_comment(api, REPO, 5, _body("second"), _never)
    assert second.outcome == "updated" and second.comment_id == first.comment_id
    (only,) = fake.issue_comments(5)
    assert only["body"] == _ours("second")


def test_finds_its_comment_beyond_the_first_page(fake: FakeGitHub) -> None:
    for i in range(250):
        fake.add_comment(5, f"chatter {i}", user(f"user{i}", uid=100 + i))
    ours = fake.add_comment(5, _ours("old"))
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("new"), _never)
    assert result.outcome == "updated" and result.comment_id == ours
    assert len(fake.issue_comments(5)) == 251


def test_a_users_comment_with_the_marker_is_never_edited(fake: FakeGitHub) -> None:
    hijack = fake.add_comment(5, _ours("I pasted your marker"), user("mallory"))
    quoted = fake.add_comment(5, f"> {MARKER} quoted by a bot", BOT)
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("scan"), _never)
    assert result.outcome == "created"
    assert fake.comments[hijack]["body"] == _ours("I pasted your marker")
    assert fake.comments[quoted]["body"].startswith("> ")


def test_personal_token_matches_its_own_login(fake: FakeGitHub) -> None:
    fake.user_login = "release-bot"
    fake.add_comment(5, _ours("by the github-actions bot"))  # not this token's comment
    mine = fake.add_comment(5, _ours("mine"), user("release-bot"))
    api = GitHubAPI(TOKEN, fake.url)
    assert (find_comment(api, REPO, 5) or {}).get("id") == mine


def test_fork_token_gets_403_and_an_explanation(fake: FakeGitHub) -> None:
    fake.read_only = True
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body(), _never)
    assert result.outcome == "forbidden"
    assert "403" in result.explanation and "forks" in result.explanation
    assert "pull-requests: write" in result.explanation
    assert fake.issue_comments(5) == []


def test_oversize_body_is_retried_once_shorter(fake: FakeGitHub) -> None:
    fake.max_body = 100
    calls: list[int] = []

    def shorter() -> str:
        calls.append(1)
        return _body("short")

    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("x" * 500), shorter)
    assert result.outcome == "created" and calls == [1]
    assert [len(r.body["body"]) for r in fake.writes()] == [len(_ours("x" * 500)), len(_ours("short"))]


def test_oversize_twice_gives_up_without_raising(fake: FakeGitHub) -> None:
    fake.max_body = 10
    logs: list[str] = []
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("x" * 500), lambda: _body("y" * 50),
                            log=logs.append)
    assert result.outcome == "failed" and "too long" in result.explanation
    assert len(fake.writes()) == 2 and logs


# --- classification and retries ---------------------------------------------------------


@pytest.mark.parametrize(("status", "headers", "message", "kind", "wait"), [
    (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010"}, "API rate limit exceeded", "rate-limit", 11.0),
    (403, {"retry-after": "7", "x-ratelimit-remaining": "4000"}, "secondary", "rate-limit", 7.0),
    (429, {"retry-after": "3"}, "", "rate-limit", 3.0),
    (429, {}, "", "rate-limit", 60.0),
    (403, {}, "You have exceeded a secondary rate limit.", "rate-limit", 60.0),
    (403, {"x-ratelimit-remaining": "4999"}, "Resource not accessible by integration", "forbidden", None),
    (401, {}, "Bad credentials", "unauthorized", None),
    (404, {}, "Not Found", "not-found", None),
    (502, {}, "", "server", None),
])
def test_classify_follows_githubs_rate_limit_rules(status: int, headers: dict[str, str], message: str,
                                                  kind: str, wait: float | None) -> None:
    assert classify(status, headers, message, now=lambda: 1000.0) == (kind, wait)


def test_429_with_retry_after_is_retried_once(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit(status=429, retry_after=1, method="POST")
    slept: list[float] = []
    api = GitHubAPI(TOKEN, fake.url, sleep=slept.append)
    api.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": _body()})
    assert slept == [1.0]
    assert [r.status for r in fake.requests] == [429, 201]


def test_primary_rate_limit_waits_until_the_reset(fake: FakeGitHub) -> None:
    fake.primary_rate_limit(reset_in=2)
    slept: list[float] = []
    GitHubAPI(TOKEN, fake.url, sleep=slept.append).request("GET", f"/repos/{REPO}/issues/1/comments")
    assert len(slept) == 1 and 1.0 <= slept[0] <= 4.0
    assert [r.status for r in fake.requests] == [403, 200]


def test_a_long_advised_wait_is_not_slept_through(fake: FakeGitHub) -> None:
    fake.primary_rate_limit(reset_in=3600)
    api = GitHubAPI(TOKEN, fake.url, sleep=lambda s: pytest.fail(f"slept {s}s"))
    with pytest.raises(ApiError) as info:
        api.request("GET", f"/repos/{REPO}/issues/1/comments")
    assert info.value.kind == "rate-limit" and info.value.wait is not None and info.value.wait > 3000
    assert "not retried" in str(info.value)
    assert len(fake.requests) == 1


def test_only_one_retry(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit(retry_after=0, times=None)
    with pytest.raises(ApiError) as info:
        GitHubAPI(TOKEN, fake.url, sleep=lambda _s: None).request("GET", "/user")
    assert info.value.kind == "rate-limit"
    assert len(fake.requests) == 2


def test_no_retry_that_the_deadline_cannot_afford(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit(retry_after=5)
    api = GitHubAPI(TOKEN, fake.url, deadline=Deadline(3.0), sleep=lambda s: pytest.fail(f"slept {s}s"))
    with pytest.raises(ApiError) as info:
        api.request("GET", "/user")
    assert "no time left to retry" in str(info.value)


def test_5xx_is_retried_for_reads_not_for_posts(fake: FakeGitHub) -> None:
    fake.server_error(502, method="GET")
    api = GitHubAPI(TOKEN, fake.url, sleep=lambda _s: None)
    assert api.request("GET", f"/repos/{REPO}/issues/1/comments").status == 200
    fake.server_error(502, method="POST")
    with pytest.raises(ApiError) as info:
        api.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": _body()})
    assert info.value.kind == "server" and info.value.status == 502
    assert [r.status for r in fake.requests] == [502, 200, 502]


# --- the deadline ---------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["hang", "drip"])
def test_a_server_that_never_finishes_cannot_outlast_the_deadline(fake: FakeGitHub, fault: str) -> None:
    for i in range(50):
        fake.add_comment(5, f"padding {i} " + "x" * 200, user(f"u{i}", uid=10 + i))
    getattr(fake, fault)()
    api = GitHubAPI(TOKEN, fake.url, deadline=Deadline(2.0))
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        api.request("GET", f"/repos/{REPO}/issues/5/comments")
    assert info.value.kind == "timeout" and "within 2s" in str(info.value)
    assert time.monotonic() - started < 4.0
    with pytest.raises(ApiError) as later:  # the deadline is shared: every later call fails at once
        api.request("GET", "/user")
    assert "deadline for GitHub API calls has passed" in str(later.value)


def test_the_comment_step_says_the_api_timed_out(fake: FakeGitHub) -> None:
    fake.hang()
    result = upsert_comment(GitHubAPI(TOKEN, fake.url, deadline=Deadline(1.5)), REPO, 5, _body(), _never)
    assert result.outcome == "failed"
    assert "did not answer in time" in result.explanation


# --- the comment under API errors ---------------------------------------------------------


def test_a_rate_limit_is_not_called_a_read_only_token(fake: FakeGitHub) -> None:
    fake.primary_rate_limit(reset_in=3600, method="POST", times=None)
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body(), _never)
    assert result.outcome == "rate-limited"
    assert "rate limit" in result.explanation and "forks" not in result.explanation
    assert fake.issue_comments(5) == []


def test_a_rate_limited_comment_is_posted_after_the_advised_wait(fake: FakeGitHub) -> None:
    fake.secondary_rate_limit(status=429, retry_after=1, method="POST")
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body(), _never)
    assert result.outcome == "created"
    assert len(fake.issue_comments(5)) == 1


def test_a_deleted_comment_is_created_again(fake: FakeGitHub) -> None:
    old = fake.add_comment(5, _ours("old"))

    def delete_before_patch(rec: Recorded) -> None:
        if rec.method == "PATCH":
            fake.delete_comment(old)

    fake.hooks.append(delete_before_patch)
    logs: list[str] = []
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("new"), _never, log=logs.append)
    assert result.outcome == "created"
    assert [(r.method, r.status) for r in fake.writes()] == [("PATCH", 404), ("POST", 201)]
    (only,) = fake.issue_comments(5)
    assert only["body"] == _ours("new") and only["id"] != old
    assert any("deleted" in line for line in logs)


@pytest.mark.parametrize("carried_out", [False, True])
def test_a_502_on_create_never_leaves_two_comments(fake: FakeGitHub, carried_out: bool) -> None:
    fake.server_error(502, method="POST", carried_out=carried_out)
    result = upsert_comment(GitHubAPI(TOKEN, fake.url, sleep=lambda _s: None), REPO, 5, _body("x"), _never)
    assert result.outcome in ("created", "updated")
    (only,) = fake.issue_comments(5)
    assert only["body"] == _ours("x")
    assert [r.method for r in fake.writes()] == (["POST", "PATCH"] if carried_out else ["POST", "POST"])


# --- one comment per tag ----------------------------------------------------------------


def test_each_tag_keeps_its_own_comment(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    a1 = upsert_comment(api, REPO, 5, _body("job a"), _never, tag="ci/scan-a/regoscan/")
    b1 = upsert_comment(api, REPO, 5, _body("job b"), _never, tag="ci/scan-b/regoscan/")
    a2 = upsert_comment(api, REPO, 5, _body("job a again"), _never, tag="ci/scan-a/regoscan/")
    assert (a1.outcome, b1.outcome, a2.outcome) == ("created", "created", "updated")
    assert a2.comment_id == a1.comment_id != b1.comment_id
    bodies = sorted(c["body"] for c in fake.issue_comments(5))
    assert bodies == sorted([_ours("job a again", "ci/scan-a/regoscan/"), _ours("job b", "ci/scan-b/regoscan/")])


def test_tags_are_safe_inside_an_html_comment() -> None:
    line = tag_line("evil --> <img src=x> \n next")
    assert line.count("-->") == 1 and line.endswith("-->") and "<img" not in line and "\n" not in line
    assert default_tag({"GITHUB_WORKFLOW": "CI / scan", "GITHUB_JOB": "regoscan"}, "regoscan/") == \
        "CI-/-scan/regoscan/regoscan/"
    assert default_tag({}, "") == "regoscan"
