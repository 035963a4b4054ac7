"""Exceptions fail closed when a built-in call fails, on regopy as on regorus (issue 14).

regopy (without strict built-in errors) drops an unused assignment whose call fails
(``ttl := to_number("frontend")``, ``x := 1/0``) and lets the body succeed, so such an
exception waived findings; regorus and OPA do not. regoscan evaluates every exception with
built-in errors as errors: the exception waives nothing, the error is an ``exception-error``
at the line of the failing statement. Checks keep OPA's default (a failing call is
undefined); what that means for ``deny`` rules is pinned down at the end.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.rego.probe import body_statements, prefix_probes
from regoscan.rego.runtime import PolicyRuntime, PolicyUnit
from tests.helpers import scan_json, write
from tests.oracle import eval_regorus

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    tier: frontend
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
"""


def _scan(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    return scan_json(root, "--policy", "policy", *args)


def _findings(report: dict[str, Any], check_id: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["check_id"] == check_id]


def test_issue_example_leaves_ksv017_active_with_an_exception_error(tmp_path: Path) -> None:
    write(tmp_path, "configs/deploy.yaml", DEPLOYMENT)
    write(tmp_path, "policy/ksv017_exception.rego", """\
        package builtin.kubernetes.KSV017

        import rego.v1

        exception contains rules if {
            ttl := to_number(input.metadata.labels.tier)
            rules := [""]
        }
        """)
    code, report = _scan(tmp_path)
    assert code == 2  # an exception that errors is a configuration error
    (ksv017,) = _findings(report, "KSV017")
    assert not ksv017["suppressed"]
    errors = [n for n in report["notices"] if n["code"] == "exception-error"]
    assert len(errors) == 1
    assert (errors[0]["path"], errors[0]["line"]) == ("policy/ksv017_exception.rego", 6)
    assert errors[0]["message"].startswith("rule exception in package builtin.kubernetes.KSV017 waives nothing")
    assert "to_number(input.metadata.labels.tier)" in errors[0]["message"]


def test_division_by_zero_in_a_namespace_exception(tmp_path: Path) -> None:
    write(tmp_path, "configs/deploy.yaml", DEPLOYMENT)
    write(tmp_path, "policy/ns.rego", """\
        package namespace.exceptions

        import rego.v1

        exception contains ns if {
            some ns in data.namespaces
            startswith(ns, "builtin.kubernetes.KSV017")
            x := 1 / 0
        }
        """)
    code, report = _scan(tmp_path)
    assert code == 2
    assert not _findings(report, "KSV017")[0]["suppressed"]
    (err,) = [n for n in report["notices"] if n["code"] == "exception-error"]
    assert (err["path"], err["line"]) == ("policy/ns.rego", 8)
    assert err["message"].startswith("namespace exception in package namespace.exceptions waives nothing:")
    assert "divide by zero" in err["message"]


def test_a_working_exception_still_waives(tmp_path: Path) -> None:
    write(tmp_path, "configs/deploy.yaml", DEPLOYMENT)
    write(tmp_path, "policy/ksv017_exception.rego", """\
        package builtin.kubernetes.KSV017

        import rego.v1

        exception contains rules if {
            ttl := to_number("30")
            ttl > 0
            input.metadata.labels.tier == "frontend"
            rules := [""]
        }
        """)
    code, report = _scan(tmp_path)
    assert code == 0
    assert _findings(report, "KSV017")[0]["suppressed"]
    assert not [n for n in report["notices"] if n["level"] == "error"]


def test_single_statement_body_cites_the_statement(tmp_path: Path) -> None:
    write(tmp_path, "configs/deploy.yaml", DEPLOYMENT)
    write(tmp_path, "policy/ksv017_exception.rego", """\
        package builtin.kubernetes.KSV017

        import rego.v1

        exception contains rules if {
            rules := [json.unmarshal(input.metadata.labels.tier)]
        }
        """)
    code, report = _scan(tmp_path)
    assert code == 2
    assert not _findings(report, "KSV017")[0]["suppressed"]
    (err,) = [n for n in report["notices"] if n["code"] == "exception-error"]
    assert err["line"] == 6 and "failed to parse JSON" in err["message"]


def test_body_statements_and_prefix_probes() -> None:
    src = ("package p\n\nimport rego.v1\nimport data.lib.k as k\n\n"
           "exception contains rules if {\n"
           "\tsome c in input.items; n := to_number(c)\n"
           "\txs := [y |\n\t\tsome y in input.list\n\t]\n"
           "\trules := [\"\"]\n}\n")
    statements = body_statements(src, "exception", 6)
    assert statements is not None
    assert [(st.line, st.text) for st in statements] == [
        (7, "some c in input.items"), (7, "n := to_number(c)"), (8, "xs := [y |\n\t\tsome y in input.list\n\t]"),
        (11, 'rules := [""]')]
    probe = prefix_probes(src, statements, "t")
    assert probe is not None and probe.package == "p" and len(probe.rules) == 4
    assert "import data.lib.k as k" in probe.text
    assert body_statements(src, "exception", 99) is None  # no definition at that line
    assert body_statements("package p\nexception contains 1 if true\n", "exception", 2) is None


def test_a_probe_that_does_not_compile_is_no_answer() -> None:
    """When a body cannot be cut (a prefix that regopy refuses to compile), the engine
    gives no line and the error keeps the exception head's line."""
    good = PolicyUnit("p.rego", "package p\n\nimport rego.v1\n\nr := 1\n", ["p/r"])
    runtime = PolicyRuntime([good], {}, workers=1)
    try:
        runtime.prepare()
        broken = PolicyUnit("probe.rego", "package p\n\nimport rego.v1\n\nq contains 1 if {\n  x = y\n}\n", ["p/q"])
        assert runtime.probe(broken, {}) is None
        fine = PolicyUnit("probe2.rego", "package p\n\nimport rego.v1\n\nq2 contains 1 if {\n  x := 1 / input.z\n}\n",
                          ["p/q2"])
        res = runtime.probe(fine, {"z": 0})
        assert res is not None and "divide by zero" in res.errors["p/q2"]
    finally:
        runtime.close()


# --- property: generated exception bodies, regopy through the CLI against regorus -----------------

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: pod
  labels:
    tier: frontend
    count: "3"
spec:
  zero: 0
  two: 2
  bad64: "!!!"
  pattern: "["
  when: frontend
  containers:
    - name: app
      image: nginx
"""

# (expression, fails?) over the Pod above: the failing built-ins of the issue, and
# succeeding calls of the same built-ins so that the kind of call says nothing
CALLS = [
    ("to_number(input.metadata.labels.tier)", True),
    ('to_number("frontend")', True),
    ("1 / input.spec.zero", True),
    ("1 / 0", True),
    ("json.unmarshal(input.metadata.labels.tier)", True),
    ("base64.decode(input.spec.bad64)", True),
    ("regex.match(input.spec.pattern, input.metadata.name)", True),
    ("time.parse_rfc3339_ns(input.spec.when)", True),
    ("to_number(input.metadata.labels.count)", False),
    ("6 / input.spec.two", False),
    ('json.unmarshal("{}")', False),
    ('base64.decode("YQ==")', False),
    ('regex.match("^p", input.metadata.name)', False),
    ('time.parse_rfc3339_ns("2024-01-01T00:00:00Z")', False),
]
# how the call is written: its value unused, used, unified, inside `not`, in a comprehension
FORMS = [
    "{v} := {e}",
    "{v} := {e}\n    {v} != \"-\"",
    "{v} = {e}",
    "{e} != \"-\"",
    "not {e} == \"-\"",
    "{v} := [y | y := {e}]",
]


@st.composite
def bodies(draw: st.DrawFn) -> list[tuple[str, bool]]:
    """Statements of one exception body as (text, fails?)."""
    out: list[tuple[str, bool]] = []
    for k in range(draw(st.integers(1, 4))):
        expr, fails = draw(st.sampled_from(CALLS))
        out.append((draw(st.sampled_from(FORMS)).format(v=f"n{k}", e=expr), fails))
    return out


def _module(index: int, body: list[tuple[str, bool]]) -> tuple[str, int | None]:
    """The check package with its exception, and the line of the first failing statement."""
    lines = [f"package user.prop.C{index}", "", "import rego.v1", "",
             f'__rego_metadata__ := {{"id": "C{index}", "severity": "HIGH"}}', "",
             'deny contains "denied" if input.kind == "Pod"', "", "exception contains rules if {"]
    first_failing = None
    for text, fails in body:
        if fails and first_failing is None:
            first_failing = len(lines) + 1
        lines.extend("    " + part.strip() for part in text.split("\n"))
    lines += ['    rules := [""]', "}"]
    return "\n".join(lines) + "\n", first_failing


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bodies(), min_size=1, max_size=4))
def test_failing_builtins_never_waive_and_agree_with_regorus(examples: list[list[tuple[str, bool]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, "configs/pod.yaml", POD)
        expected: dict[str, tuple[str, int | None]] = {}
        for i, body in enumerate(examples):
            text, failing = _module(i, body)
            write(root, f"policy/c{i}.rego", text)
            expected[f"C{i}"] = (text, failing)
        _, report = _scan(root, "--no-builtin")
        doc = yaml.safe_load(POD)
    errors = {n["path"]: n for n in report["notices"] if n["code"] == "exception-error"}
    for check_id, (text, failing) in expected.items():
        (finding,) = _findings(report, check_id)
        path = f"policy/c{check_id[1:]}.rego"
        try:
            regorus: Any = eval_regorus(text, f"data.user.prop.{check_id}.exception", doc, v0=False)
        except RuntimeError as exc:
            regorus = exc
        if failing is not None:
            assert not finding["suppressed"], text
            assert path in errors and errors[path]["line"] == failing, (text, errors.get(path))
            assert isinstance(regorus, RuntimeError), (text, regorus)  # regorus fails too
        else:
            assert finding["suppressed"], (text, errors.get(path))
            assert path not in errors
            assert regorus == [[""]], text


# --- check rules: what regopy does with a failing call in a deny ----------------------------------

def test_failing_call_in_a_deny_follows_opa_defaults_except_unused_assignments(tmp_path: Path) -> None:
    """Checks are evaluated as OPA evaluates them by default: a built-in call that fails is
    undefined, so a deny that depends on it does not fire, and no notice says so (regorus
    raises instead). regopy differs on one point: an *unused* failing assignment is dropped,
    so that deny fires where OPA's would not: a finding too many, never one too few."""
    write(tmp_path, "configs/pod.yaml", POD)
    write(tmp_path, "policy/checks.rego", """\
        package user.test.BUILTINS

        import rego.v1

        __rego_metadata__ := {"id": "BUILTINS", "severity": "HIGH"}

        deny_used contains "used" if {
            n := to_number(input.metadata.labels.tier)
            n > 0
        }

        deny_unused contains "unused" if {
            n := to_number(input.metadata.labels.tier)
        }
        """)
    code, report = _scan(tmp_path, "--no-builtin")
    assert code == 0
    assert [f["message"] for f in _findings(report, "BUILTINS")] == ["unused"]
    assert report["notices"] == []

