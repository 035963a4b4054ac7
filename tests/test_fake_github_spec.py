"""The fake GitHub API against GitHub's own REST description (``@octokit/openapi``).

Three layers: the route table (every route is a documented operation, every status a
route can answer is documented for it), every exchange of the scenarios below (request
and answer validate against the operation's schemas; ``checked_fake`` does it at the
end of each test), and the checker itself (it does reject what GitHub would not send).
Skipped, with the reason, only when node/npm is missing.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest

from regoscan.action.github_api import ApiError, GitHubAPI
from tests.e2e.fake_github import ROUTES, FakeGitHub
from tests.github_rest import GENERAL_STATUSES, Exchange, checked_fake, description, require_rest_data

TOKEN = "ghs_specTestToken_0123456789"
REPO = "octo/demo"
HEAD = "4b6472266afd7b471e86085a6659e8c7f2b119da"


@pytest.fixture(scope="module", autouse=True)
def _rest_data() -> None:
    require_rest_data()


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with checked_fake(TOKEN) as server:
        yield server


def _sarif(results: list[tuple[str, str, int]], category: str = "regoscan/") -> dict[str, Any]:
    return {"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "regoscan", "version": "0.1.0", "rules": [
            {"id": rule, "name": rule, "shortDescription": {"text": rule},
             "defaultConfiguration": {"level": "error"}} for rule in sorted({r for r, _, _ in results})]}},
        "automationDetails": {"id": category},
        "results": [{"ruleId": rule, "message": {"text": f"{rule} in {path}"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": path}, "region": {"startLine": line}}}]} for rule, path, line in results],
    }]}


def _upload(api: GitHubAPI, sarif: dict[str, Any], ref: str = "refs/heads/main") -> str:
    encoded = base64.b64encode(gzip.compress(json.dumps(sarif).encode())).decode()
    resp = api.request("POST", f"/repos/{REPO}/code-scanning/sarifs",
                       {"commit_sha": HEAD, "ref": ref, "sarif": encoded, "tool_name": "regoscan"})
    assert resp.status == 202
    return str(resp.data["id"])


# --- the route table ---------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.template}")
def test_every_route_and_status_is_documented(route: Any) -> None:
    desc = description()
    op = desc.operation(route.method, route.template)
    assert op is not None and op.template == route.template, \
        f"{route.method} {route.template} is not an operation in GitHub's REST description {desc.version}"
    documented = op.documented_statuses()
    for status in route.statuses:
        general = status in GENERAL_STATUSES or (status == 404 and "{" in route.template.removeprefix(
            "/repos/{owner}/{repo}"))
        assert status in documented or general, \
            f"{route.method} {route.template} answers {status}; {op.operation_id} documents {sorted(documented)}"


def test_the_table_covers_what_the_action_calls() -> None:
    routes = {(r.method, r.template) for r in ROUTES}
    assert {
        ("GET", "/user"),
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
        ("POST", "/repos/{owner}/{repo}/code-scanning/sarifs"),
        ("GET", "/repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}"),
        ("GET", "/repos/{owner}/{repo}/code-scanning/alerts"),
        ("GET", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}"),
        ("PATCH", "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}"),
    } <= routes


# --- the checker rejects what GitHub would not send -----------------------------------------


@pytest.mark.parametrize(("exchange", "complaint"), [
    (Exchange("GET", "/repos/o/r/issues/1/comments", 200, None, [{"id": "seven", "body": 1}]), "response"),
    (Exchange("GET", "/repos/o/r/issues/1/comments?per_page=100&fancy=1", 200, None, []), "'fancy' is not declared"),
    (Exchange("POST", "/repos/o/r/issues/1/comments", 418, {"body": "x"}, None), "not documented"),
    (Exchange("POST", "/repos/o/r/issues/1/comments", 201, {"text": "x"}, None), "request body"),
    (Exchange("PUT", "/repos/o/r/issues/1/comments", 200, None, None), "no such operation"),
    (Exchange("GET", "/repos/o/r/issues/comments/1", 200, None, {"id": 1}, {"Link": "<x>; rel=\"next\""}),
     "not paginated"),
    (Exchange("PATCH", "/repos/o/r/code-scanning/alerts/1", 200, {"state": "closed"}, None), "request body"),
    (Exchange("GET", "/user", 404, None, {"message": "Not Found"}), "not documented"),
    (Exchange("GET", "/repos/o/r/issues/1/comments", 403, None, {"message": 5}), "error body"),
])
def test_the_checker_is_not_vacuous(exchange: Exchange, complaint: str) -> None:
    problems = description().check(exchange)
    assert any(complaint in p for p in problems), problems


# --- scenarios: every exchange is checked when each test ends ------------------------------------


def test_comments_list_create_update(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    for i in range(5):
        fake.add_comment(3, f"comment {i}")
    fake.page_size_cap = 2
    assert len(list(api.paginate(f"/repos/{REPO}/issues/3/comments?per_page=100"))) == 5
    assert any("link" in {k.lower() for k in r.response_headers} for r in fake.requests)
    created = api.request("POST", f"/repos/{REPO}/issues/3/comments", {"body": "hello"}).data
    api.request("PATCH", f"/repos/{REPO}/issues/comments/{created['id']}", {"body": "edited"})
    fake.delete_comment(created["id"])
    with pytest.raises(ApiError) as gone:
        api.request("PATCH", f"/repos/{REPO}/issues/comments/{created['id']}", {"body": "again"})
    assert gone.value.status == 404
    fake.max_body = 3
    with pytest.raises(ApiError) as long:
        api.request("POST", f"/repos/{REPO}/issues/3/comments", {"body": "too long"})
    assert long.value.status == 422 and "too long" in long.value.message
    with pytest.raises(ApiError):
        api.request("GET", "/user")  # an installation token: 403
    fake.user_login = "octocat"
    assert api.request("GET", "/user").data["login"] == "octocat"


def test_sarif_upload_status_and_alerts(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    fake.code_scanning.pending_polls = 1
    sid = _upload(api, _sarif([("KSV001", "k8s/a.yaml", 3), ("KSV012", "k8s/b.yaml", 9)]))
    status = api.request("GET", f"/repos/{REPO}/code-scanning/sarifs/{sid}").data
    assert status["processing_status"] == "pending"
    status = api.request("GET", f"/repos/{REPO}/code-scanning/sarifs/{sid}").data
    assert status["processing_status"] == "complete"
    alerts = list(api.paginate(f"/repos/{REPO}/code-scanning/alerts?tool_name=regoscan&ref=refs/heads/main"
                               "&state=open&per_page=1"))
    assert sorted(a["rule"]["id"] for a in alerts) == ["KSV001", "KSV012"]
    ksv012 = next(a for a in alerts if a["rule"]["id"] == "KSV012")
    dismissed = api.request("PATCH", f"/repos/{REPO}/code-scanning/alerts/{ksv012['number']}", {
        "state": "dismissed", "dismissed_reason": "won't fix",
        "dismissed_comment": "regoscan: waived by policy/exceptions.rego:4"}).data
    assert dismissed["state"] == "dismissed" and dismissed["dismissed_reason"] == "won't fix"
    reopened = api.request("PATCH", f"/repos/{REPO}/code-scanning/alerts/{ksv012['number']}", {"state": "open"})
    assert reopened.data["state"] == "open" and reopened.data["dismissed_by"] is None
    # a later analysis without KSV001 fixes its alert
    _upload(api, _sarif([("KSV012", "k8s/b.yaml", 9)]))
    states = {a["rule"]["id"]: a["state"] for a in api.paginate(f"/repos/{REPO}/code-scanning/alerts")}
    assert states == {"KSV001": "fixed", "KSV012": "open"}
    assert api.request("GET", f"/repos/{REPO}/code-scanning/alerts/1").data["number"] == 1
    with pytest.raises(ApiError) as missing:
        api.request("GET", f"/repos/{REPO}/code-scanning/alerts/99")
    assert missing.value.status == 404


def test_sarif_upload_errors(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    with pytest.raises(ApiError) as bad:
        api.request("POST", f"/repos/{REPO}/code-scanning/sarifs",
                    {"commit_sha": HEAD, "ref": "refs/heads/main", "sarif": "not base64!"})
    assert bad.value.status == 400
    fake.code_scanning.max_sarif_bytes = 10
    with pytest.raises(ApiError) as big:
        _upload(api, _sarif([("KSV001", "k8s/a.yaml", 3)]))
    assert big.value.status == 413
    fake.read_only = True
    with pytest.raises(ApiError) as ro:
        _upload(api, _sarif([]))
    assert ro.value.kind == "forbidden"


def test_the_fake_refuses_what_github_refuses() -> None:
    """Requests the description itself rules out (so only the answers are checked)."""
    with FakeGitHub(TOKEN) as fake:
        api = GitHubAPI(TOKEN, fake.url)
        _upload(api, _sarif([("KSV001", "k8s/a.yaml", 3)]))
        (alert,) = fake.code_scanning.find("KSV001")
        for body in ({"state": "dismissed", "dismissed_reason": "won't fix", "dismissed_comment": "x" * 281},
                     {"state": "dismissed"}, {"state": "closed"}, {"state": "open", "colour": "red"}):
            with pytest.raises(ApiError) as bad:
                api.request("PATCH", f"/repos/{REPO}/code-scanning/alerts/{alert['number']}", body)
            assert bad.value.status in (400, 422), body
        with pytest.raises(ApiError) as bad_sha:
            api.request("POST", f"/repos/{REPO}/code-scanning/sarifs", {"commit_sha": "nope", "ref": "main",
                                                                         "sarif": "x"})
        assert bad_sha.value.status == 422
        assert alert["state"] == "open"


def test_human_dismissals_come_back_as_github_shows_them(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url)
    _upload(api, _sarif([("KSV001", "k8s/a.yaml", 3)]))
    (alert,) = fake.code_scanning.find("KSV001")
    fake.code_scanning.dismiss_by_person(alert["number"], comment="not reachable")
    seen = api.request("GET", f"/repos/{REPO}/code-scanning/alerts/{alert['number']}").data
    assert seen["dismissed_by"]["login"] == "octocat" and seen["dismissed_reason"] == "false positive"


def test_faults_are_documented_answers(fake: FakeGitHub) -> None:
    api = GitHubAPI(TOKEN, fake.url, sleep=lambda _s: None)
    fake.primary_rate_limit(reset_in=3600)
    fake.secondary_rate_limit(status=429, retry_after=1)
    fake.server_error(503)
    with pytest.raises(ApiError) as primary:
        api.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"})
    with pytest.raises(ApiError) as server:  # the 429 is retried; the retry meets the 503
        api.request("POST", f"/repos/{REPO}/issues/1/comments", {"body": "x"})
    assert (primary.value.kind, server.value.kind) == ("rate-limit", "server")
    assert [r.status for r in fake.requests] == [403, 429, 503]
