"""GitHub's published REST description and webhook payloads, for the tests.

GitHub publishes an OpenAPI description of its REST API; the npm package
``@octokit/openapi`` ships it, and ``@octokit/webhooks-examples`` ships real webhook
payloads. ``tools/github-rest/install.sh`` installs both, pinned (see its README).
This module gives the tests two things on top of them:

* :class:`Description`: finds the operation for a method and a concrete path, and
  checks one HTTP exchange against it: the path and method exist, the query
  parameters are declared, the status code is documented (or is one of the
  :data:`GENERAL_STATUSES` GitHub answers on every endpoint), the request body and the
  JSON answer validate against the operation's schemas, and every ``Link`` header is
  documented. The fake API (``tests/e2e/fake_github.py``) is held to it route by route
  and exchange by exchange, so what the Action is tested against is what GitHub says
  it serves.
* :func:`webhook_examples`: the real payloads, by event name.

The description is OpenAPI 3.0, whose ``nullable: true`` JSON Schema does not know;
:func:`_to_json_schema` rewrites it to ``type: [..., "null"]`` once per session.
Skips: only when node/npm is missing (``install.sh`` exits 3), with that reason.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[1]
INSTALL_SCRIPT = REPO / "tools" / "github-rest" / "install.sh"
DESCRIPTION = Path("@octokit/openapi/generated/api.github.com.json")
WEBHOOK_EXAMPLES = Path("@octokit/webhooks-examples/api.github.com/index.json")

GENERAL_STATUSES: dict[int, str] = {
    401: "'Bad credentials' on every endpoint when the token is wrong (docs: REST authentication)",
    403: "primary and secondary rate limits, and a token without the permission "
         "(docs: 'Rate limits for the REST API', 'Troubleshooting the REST API')",
    422: "a request body that fails validation ('Sending invalid fields will result in a 422', docs: "
         "'Getting started with the REST API', client errors)",
    429: "secondary rate limits (docs: 'Rate limits for the REST API')",
    500: "server errors, which the troubleshooting docs tell clients to retry",
    502: "server errors, which the troubleshooting docs tell clients to retry",
    503: "server errors, which the troubleshooting docs tell clients to retry",
    504: "server errors, which the troubleshooting docs tell clients to retry",
}
"""Status codes GitHub documents for *every* endpoint (in its prose docs, not per operation
in the description). Their body, when JSON, must still be a ``basic-error``."""

NOT_FOUND_FOR_PATH_PARAMETERS = (
    "a resource named by a path parameter can be missing (a deleted comment): GitHub answers 404 "
    "on every such endpoint, though the description lists it only on some"
)


class RestDataUnavailable(RuntimeError):
    """node/npm are missing, so the description cannot be installed (a reason to skip)."""


@functools.cache
def node_modules() -> Path:
    """Where the pinned packages are, installing them on first use."""
    proc = subprocess.run(["sh", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode == 3:
        raise RestDataUnavailable(proc.stderr.strip() or "node/npm not found")
    if proc.returncode != 0:
        raise RuntimeError(f"tools/github-rest/install.sh failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return Path(proc.stdout.strip().splitlines()[-1])


def require_rest_data() -> Path:
    """The ``node_modules`` path, or a skip that says why the data is missing."""
    try:
        return node_modules()
    except RestDataUnavailable as exc:
        pytest.skip(f"GitHub's REST description is not installed: {exc}")


# --- OpenAPI 3.0 -> JSON Schema ------------------------------------------------------------


def _to_json_schema(node: Any) -> Any:
    """Rewrite OpenAPI 3.0 schema keywords JSON Schema lacks (``nullable``)."""
    if isinstance(node, list):
        return [_to_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("nullable", "discriminator", "example")}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if isinstance(out.get("enum"), list) and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            inner = {k: v for k, v in out.items() if k not in ("description", "title")}
            out = {"anyOf": [inner, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: Mapping[str, Any]
    path_item: Mapping[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))

    def parameters(self, description: Description) -> list[Mapping[str, Any]]:
        params = [*self.path_item.get("parameters", []), *self.spec.get("parameters", [])]
        return [description.deref(p) for p in params]

    def documented_statuses(self) -> set[int]:
        return {int(code) for code in self.spec.get("responses", {}) if code.isdigit()}


@dataclass
class Exchange:
    """One request and its answer, as seen on the wire."""

    method: str
    path: str
    """Path and query string, as in the request line."""
    status: int
    request_body: Any = None
    response_body: Any = None
    response_headers: Mapping[str, str] | None = None


class Description:
    """GitHub's REST description for api.github.com."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.components = _to_json_schema(doc["components"])
        self._templates: list[tuple[re.Pattern[str], str]] = []
        for template in doc["paths"]:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self._templates.append((re.compile(f"^{pattern}$"), template))

    @property
    def version(self) -> str:
        return str(self.doc.get("info", {}).get("version", "?"))

    def deref(self, node: Any) -> Any:
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), ref
            target: Any = self.doc
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation for a concrete path (``/repos/o/r/issues/7/comments``) or a template."""
        path = urlsplit(path).path
        if path in self.doc["paths"]:
            candidates = [path]
        else:
            candidates = [t for rx, t in self._templates if rx.match(path)]
            # prefer the template with the fewest parameters (a literal segment beats {param})
            candidates.sort(key=lambda t: t.count("{"))
        for template in candidates:
            item = self.doc["paths"][template]
            spec = item.get(method.lower())
            if spec is not None:
                return Operation(method.upper(), template, spec, item)
        return None

    def validator(self, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        root = {**_to_json_schema(dict(schema)), "components": self.components}
        return jsonschema.Draft4Validator(root)

    def _errors(self, schema: Mapping[str, Any] | None, value: Any, what: str) -> list[str]:
        if schema is None:
            return []
        errors = sorted(self.validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
        return [f"{what}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors[:5]]

    def response_schema(self, op: Operation, status: int) -> Mapping[str, Any] | None:
        response = self.deref(op.spec.get("responses", {}).get(str(status)))
        if not isinstance(response, Mapping):
            return None
        return response.get("content", {}).get("application/json", {}).get("schema")

    def check(self, ex: Exchange) -> list[str]:
        """Every way ``ex`` departs from the description (empty: it conforms)."""
        where = f"{ex.method} {urlsplit(ex.path).path} -> {ex.status}"
        op = self.operation(ex.method, ex.path)
        if op is None:
            return [f"{where}: no such operation in GitHub's REST description"]
        problems: list[str] = []
        declared = {p.get("name") for p in op.parameters(self) if p.get("in") == "query"}
        for name, _ in parse_qsl(urlsplit(ex.path).query, keep_blank_values=True):
            if name not in declared:
                problems.append(f"{where}: query parameter {name!r} is not declared by {op.operation_id}")
        if ex.request_body is not None:
            body = self.deref(op.spec.get("requestBody"))
            schema = body.get("content", {}).get("application/json", {}).get("schema") if body else None
            if schema is None:
                problems.append(f"{where}: {op.operation_id} takes no JSON body")
            else:
                problems += self._errors(schema, ex.request_body, f"{where}: request body")
        documented = op.documented_statuses()
        if ex.status in documented:
            schema = self.response_schema(op, ex.status)
            if schema is not None:
                problems += self._errors(schema, ex.response_body, f"{where}: response")
            elif ex.response_body not in (None, b"", "") and ex.status < 400:
                problems.append(f"{where}: {op.operation_id} documents no JSON body for {ex.status}")
            problems += self._check_headers(op, ex, where)
        elif ex.status in GENERAL_STATUSES or (ex.status == 404 and _names_a_resource(op.template)):
            if ex.response_body is not None:
                problems += self._errors({"$ref": "#/components/schemas/basic-error"}, ex.response_body,
                                         f"{where}: error body")
        else:
            problems.append(f"{where}: status {ex.status} is not documented for {op.operation_id} "
                            f"(documented: {sorted(documented)})")
        return problems

    def _check_headers(self, op: Operation, ex: Exchange, where: str) -> list[str]:
        """A ``Link`` header only where pagination is documented: as a response header, or
        (list-alerts-for-repo documents no header) by the ``page``/``per_page`` parameters."""
        response = self.deref(op.spec.get("responses", {}).get(str(ex.status))) or {}
        documented = {name.lower() for name in response.get("headers", {})}
        paged = {p.get("name") for p in op.parameters(self) if p.get("in") == "query"} >= {"page", "per_page"}
        sent = {k.lower() for k in (ex.response_headers or {})}
        if "link" in sent and "link" not in documented and not paged:
            return [f"{where}: a Link header, but {op.operation_id} is not paginated"]
        return []


def _names_a_resource(template: str) -> bool:
    """A path parameter beyond owner and repo: see :data:`NOT_FOUND_FOR_PATH_PARAMETERS`."""
    return "{" in template.removeprefix("/repos/{owner}/{repo}")


@functools.cache
def description() -> Description:
    root = require_rest_data()
    return Description(json.loads((root / DESCRIPTION).read_text(encoding="utf-8")))


@functools.cache
def _webhooks() -> dict[str, list[dict[str, Any]]]:
    root = require_rest_data()
    data = json.loads((root / WEBHOOK_EXAMPLES).read_text(encoding="utf-8"))
    return {entry["name"]: entry["examples"] for entry in data}


def webhook_examples(event: str) -> list[dict[str, Any]]:
    """Real payloads of ``event`` (deep copies: a test may rewrite them)."""
    return json.loads(json.dumps(_webhooks().get(event, [])))


def webhook_example(event: str, **match: Any) -> dict[str, Any]:
    """The first real payload of ``event`` whose top-level fields equal ``match``."""
    for payload in webhook_examples(event):
        if all(payload.get(k) == v for k, v in match.items()):
            return payload
    raise AssertionError(f"@octokit/webhooks-examples has no {event} payload with {match}")


def exchange_problems(requests: list[Any], *, strict: bool = True) -> list[str]:
    """Departures from the description of every answered exchange a fake recorded.

    ``requests`` are :class:`tests.e2e.fake_github.Recorded`. Empty when the description is
    not installed: the dedicated conformance tests skip and say so; other tests just run.
    Not ``strict``: request problems are ignored where the answer was a 4xx (the fake
    refused what GitHub refuses).
    """
    try:
        desc = description()
    except pytest.skip.Exception:
        return []
    problems: list[str] = []
    for rec in requests:
        if rec.status == 0:  # a hang injected by the test: nothing was answered
            continue
        found = desc.check(Exchange(rec.method, rec.path, rec.status, rec.body, rec.response, rec.response_headers))
        if not strict and 400 <= rec.status < 500:
            found = [p for p in found if ": request body: " not in p and "query parameter" not in p]
        problems += found
    return problems


@contextlib.contextmanager
def checked_fake(token: str, **options: Any) -> Iterator[Any]:
    """A running :class:`tests.e2e.fake_github.FakeGitHub` whose exchanges, requests
    included, are checked against the description when the test ends."""
    from tests.e2e.fake_github import FakeGitHub

    fake = FakeGitHub(token, **options).start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_conforms(strict=True)
