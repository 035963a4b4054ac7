"""The REST client and the sticky comment, against the fake API on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from regoscan.action.comment import find_comment, upsert_comment
from regoscan.action.github_api import ApiError, GitHubAPI
from regoscan.output.markdown import MARKER
from tests.e2e.fake_github import BOT, FakeGitHub

TOKEN = "ghs_unitTestToken0123456789"
REPO = "octo/demo"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(TOKEN) as server:
        yield server


def _body(text: str = "result") -> str:
    return f"{MARKER}\n{text}\n"


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
    assert only["body"] == _body("second")


def test_finds_its_comment_beyond_the_first_page(fake: FakeGitHub) -> None:
    for i in range(250):
        fake.add_comment(5, f"chatter {i}", {"login": f"user{i}", "type": "User"})
    ours = fake.add_comment(5, _body("old"))
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("new"), _never)
    assert result.outcome == "updated" and result.comment_id == ours
    assert len(fake.issue_comments(5)) == 251


def test_a_users_comment_with_the_marker_is_never_edited(fake: FakeGitHub) -> None:
    hijack = fake.add_comment(5, _body("I pasted your marker"), {"login": "mallory", "type": "User"})
    quoted = fake.add_comment(5, f"> {MARKER} quoted by a bot", BOT)
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("scan"), _never)
    assert result.outcome == "created"
    assert fake.comments[hijack]["body"] == _body("I pasted your marker")
    assert fake.comments[quoted]["body"].startswith("> ")


def test_personal_token_matches_its_own_login(fake: FakeGitHub) -> None:
    fake.user_login = "release-bot"
    fake.add_comment(5, _body("by the github-actions bot"))  # not this token's comment
    mine = fake.add_comment(5, _body("mine"), {"login": "release-bot", "type": "User"})
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
    assert [len(r.body["body"]) for r in fake.writes()] == [len(_body("x" * 500)), len(_body("short"))]


def test_oversize_twice_gives_up_without_raising(fake: FakeGitHub) -> None:
    fake.max_body = 10
    logs: list[str] = []
    result = upsert_comment(GitHubAPI(TOKEN, fake.url), REPO, 5, _body("x" * 500), lambda: _body("y" * 50),
                            log=logs.append)
    assert result.outcome == "failed" and "too long" in result.explanation
    assert len(fake.writes()) == 2 and logs
