"""Rego built-ins that would reach outside the policy (issue 10, part 4), through the CLI.

Each built-in regopy offers that touches the network, the environment, the clock, a
random source or an output channel is either refused when the policy is loaded (with
the file and line) or replaced by a deterministic stand-in (``policies/lib/compat.rego``).
SECURITY.md lists which is which; this file proves each one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.engine.scan import ScanOptions, run_scan
from tests.helpers import POD, write

HEADER = """\
package user.outside

import rego.v1

__rego_metadata__ := {"id": "OUT", "title": "outside", "severity": "LOW"}

"""


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, body: str,
          *extra: str, pods: int = 1) -> tuple[int, dict[str, Any], str]:
    for i in range(pods):
        write(tmp_path, f"k8s/pod{i}.yaml", POD.format(name=f"web{i}"))
    write(tmp_path, "policy/outside.rego", HEADER + body)
    write(tmp_path, "policy/seen.rego", """\
        package user.seen

        import rego.v1

        __rego_metadata__ := {"id": "SEEN", "severity": "LOW"}

        deny contains "seen" if input.kind == "Pod"
        """)
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--format", "json", "--fail-on", "never",
                 *extra])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.out + out.err


def _messages(doc: dict[str, Any], check: str = "OUT") -> list[str]:
    return [f["message"] for f in doc["findings"] if f["check_id"] == check]


REFUSED = {
    "http.send": ('r := http.send({"method": "GET", "url": "https://example.com"})', "network access"),
    "net.lookup_ip_addr": ('r := net.lookup_ip_addr("example.com")', "net.*"),
    "net.cidr_contains": ('r := net.cidr_contains("10.0.0.0/8", "10.1.2.3")', "net.*"),
    "rand.intn": ('r := rand.intn("seed", 100)', "random numbers"),
    "crypto.x509.parse_and_verify_certificates": ('r := crypto.x509.parse_and_verify_certificates("x")',
                                                  "current time"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_when_loaded_with_file_and_line(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    call, why = REFUSED[name]
    code, doc, output = _scan(tmp_path, capsys, monkeypatch, f"deny contains msg if {{\n    {call}\n"
                                                             "    msg := json.marshal(r)\n}\n")
    assert code == 2  # a policy not loaded makes the result incomplete
    (notice,) = [n for n in doc["notices"] if n["code"] == "policy-unsupported"]
    assert notice["path"] == "policy/outside.rego" and notice["line"] == 8
    assert name in notice["message"] and why in notice["message"]
    assert _messages(doc) == [] and _messages(doc, "SEEN") == ["seen"]  # the other checks still run
    assert "policy/outside.rego:8" in output  # on stderr too


def test_opa_runtime_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOY_SECRET", "s3cr3t-value-0123456789")
    code, doc, output = _scan(tmp_path, capsys, monkeypatch,
                              'deny contains json.marshal(opa.runtime()) if input.kind == "Pod"\n\n'
                              'deny contains "env seen" if count(opa.runtime().env) > 0\n')
    assert code == 0
    assert [json.loads(m) for m in _messages(doc)] == [{"commit": "", "config": {}, "env": {}, "version": ""}]
    assert "s3cr3t" not in output and "PATH" not in output


# rego-cpp reads each of these as the plain call (checked with regopy directly): before,
# only ``opa.runtime()`` written without a space was replaced, and ``opa.runtime ()`` gave
# the policy the worker's real environment, version and commit.
SPACED_CALLS = {
    "space": "opa.runtime ()",
    "tab": "opa.runtime\t()",
    "new line": "opa.runtime\n()",
    "spaced dots and a comment": "opa . runtime # note\n( )",
}


@pytest.mark.parametrize("spelling", SPACED_CALLS)
def test_opa_runtime_is_empty_however_the_call_is_spaced(spelling: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc, output = _scan(tmp_path, capsys, monkeypatch,
                              f'deny contains json.marshal({SPACED_CALLS[spelling]}) if input.kind == "Pod"\n\n'
                              'deny contains msg if {\n    input.kind == "Pod"\n'
                              '    msg := json.marshal(time.now_ns\n())\n}\n')
    assert code == 0, output
    runtime = [json.loads(m) for m in _messages(doc) if m.startswith("{")]
    assert runtime == [{"commit": "", "config": {}, "env": {}, "version": ""}]
    (now,) = [int(m) for m in _messages(doc) if not m.startswith("{")]
    assert now % 1000 == 0  # the scan's reading (microseconds), not the engine's clock
    assert "PATH" not in output and "LANG" not in output


@pytest.mark.parametrize("call", ['opa["runtime"]()', "time[`now_ns`]()", 'time["now\\u005fns"]()',
                                  'rand["intn"]("x", 10)', 'rand.intn ("x", 10)'])
def test_a_special_built_in_spelt_another_way_is_refused(call: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with a part in brackets is the same call to rego-cpp; rather than follow every
    spelling through the stand-ins (and the result cache's test for clock readers), such a
    call of a refused or replaced built-in is refused with its line."""
    code, doc, output = _scan(tmp_path, capsys, monkeypatch,
                              f"deny contains msg if {{\n    r := {call}\n    msg := json.marshal(r)\n}}\n")
    assert code == 2, output
    (notice,) = [n for n in doc["notices"] if n["code"] == "policy-unsupported"]
    assert notice["path"] == "policy/outside.rego" and notice["line"] == 8
    assert _messages(doc) == [] and _messages(doc, "SEEN") == ["seen"]


def test_time_now_ns_is_one_reading_for_the_whole_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    before = time.time_ns()
    code, doc, _ = _scan(tmp_path, capsys, monkeypatch,
                         'deny contains json.marshal(time.now_ns()) if input.kind == "Pod"\n',
                         "--workers", "2", pods=6)
    after = time.time_ns()
    values = {int(m) for m in _messages(doc)}
    assert code == 0 and len(_messages(doc)) == 6
    (value,) = values  # six documents, two workers: one value
    assert before - 10**9 <= value <= after


def test_time_now_ns_is_the_instant_expiry_is_judged_by(tmp_path: Path) -> None:
    """The scan's instant (``ScanOptions.now``) is what policies get: a fixed instant gives a
    fixed value, and ``io.jwt.decode_verify`` checks ``exp`` against it too."""
    write(tmp_path, "k8s/pod.yaml", POD.format(name="web"))
    token = _jwt({"exp": 946_771_200}, b"k")  # 2000-01-02T00:00:00Z
    write(tmp_path, "policy/clock.rego", HEADER + f"""\
deny contains concat(" ", ["now", json.marshal(time.now_ns())]) if input.kind == "Pod"

deny contains sprintf("jwt %v", [valid]) if {{
    input.kind == "Pod"
    [valid, _, _] := io.jwt.decode_verify("{token}", {{"secret": "k"}})
}}

deny contains sprintf("jwt at a given time %v", [valid]) if {{
    input.kind == "Pod"
    [valid, _, _] := io.jwt.decode_verify("{token}", {{"secret": "k", "time": 946857600000000000}})
}}
""")
    instant = dt.datetime(2000, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
    report = run_scan(ScanOptions(paths=[str(tmp_path / "k8s")], root=tmp_path, policies=[str(tmp_path / "policy")],
                                  builtin=False,
                                  now=instant, workers=1))
    messages = sorted(f.message for f in report.findings)
    assert messages == ["jwt at a given time false", "jwt true", f"now {int(instant.timestamp()) * 10**9}"]


def test_uuid_rfc4122_is_the_same_in_every_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    body = 'deny contains concat(" ", [uuid.rfc4122("a"), uuid.rfc4122("a"), uuid.rfc4122("b")]) ' \
           'if input.kind == "Pod"\n'
    _, first, _ = _scan(tmp_path, capsys, monkeypatch, body)
    _, second, _ = _scan(tmp_path, capsys, monkeypatch, body)
    (message,) = _messages(first)
    assert _messages(second) == [message]
    a1, a2, b = message.split()
    assert a1 == a2 != b
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}", a1)
    assert a1.replace("-", "")[:8] == hashlib.sha256(b"a").hexdigest()[:8]


def test_trace_and_print_print_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc, output = _scan(tmp_path, capsys, monkeypatch, """\
deny contains "traced" if {
    input.kind == "Pod"
    trace("trace-note-123")
}

deny contains "printed" if {
    input.kind == "Pod"
    print("print-note-456", input.metadata.name)
}
""")
    assert code == 0 and sorted(_messages(doc)) == ["printed", "traced"]  # both succeed, as in OPA
    assert "trace-note-123" not in output and "print-note-456" not in output
    sarif = (tmp_path / "out.sarif")
    main(["scan", "k8s", "--policy", "policy", "--no-builtin", "--sarif", str(sarif), "--summary",
          str(tmp_path / "s.md"), "--fail-on", "never"])
    everything = capsys.readouterr()
    for text in (everything.out, everything.err, sarif.read_text(encoding="utf-8"),
                 (tmp_path / "s.md").read_text(encoding="utf-8")):
        assert "trace-note-123" not in text and "print-note-456" not in text


def test_a_clock_reading_policy_is_not_cached(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    body = 'deny contains json.marshal(time.now_ns()) if input.kind == "Pod"\n'
    _, first, _ = _scan(tmp_path, capsys, monkeypatch, body, "--cache-dir", "cache")
    _, second, _ = _scan(tmp_path, capsys, monkeypatch, body, "--cache-dir", "cache")
    assert _messages(first) != _messages(second)  # evaluated again, with the new reading
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.name != "key"]  # no entry stored


def _jwt(claims: dict[str, Any], key: bytes) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(hmac.new(key, head.encode(), hashlib.sha256).digest())
