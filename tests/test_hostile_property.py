"""Property tests over generated hostile input, beyond tests/test_inputs_properties.py (parsers
against safe_load/json.loads) and tests/test_output_escape.py (md_escape on single strings):

* line mapping end to end: generated multi-document YAML, scanned by ``run_scan`` with a
  custom check that reports every item's own lines;
* the rendered summary table: random text in every field never breaks a row or opens a
  tag, and every cell reads back as the input;
* the Rego source upgrader never moves a line and never raises, whatever the text;
* the worker protocol: any JSON document goes to the engine and comes back intact, and
  the worker keeps answering.

Example counts are kept small: this file should run in well under 20 seconds.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regoscan.engine.scan import ScanOptions, run_scan
from regoscan.models import InputFile, InputType, Notice, NoticeLevel, Severity, SuppressionInfo
from regoscan.output.escape import ZWSP, plain_text, shorten
from regoscan.output.markdown import MARKER, render_summary
from regoscan.rego.prepare import EXCEPTION_PREFIX, prepare_module
from regoscan.rego.runtime import Job, PolicyRuntime, PolicyUnit
from tests.fixtures.output.reports import check, finding, report
from tests.test_output_escape import unescape
from tests.test_output_markdown import cells

# --- line mapping, end to end ----------------------------------------------------------------

LINES_CHECK = """\
package user.test.LINES

import rego.v1

__rego_metadata__ := {"id": "LINES", "severity": "LOW"}

deny contains res if {
    some item in input.items
    meta := item.__defsec_metadata
    res := {"msg": item.name, "startline": meta.startline, "endline": meta.endline}
}
"""

_filler = st.sampled_from(["", "# a comment", "   ", "# - name: not-an-item", "#---"])
_scalar = st.sampled_from(["v", "'quoted: value'", '"x # not a comment"', "1", "true", "null", "|-"])


@st.composite
def yaml_stream(draw: st.DrawFn) -> tuple[str, dict[str, tuple[int, int, int]], list[tuple[int, int]]]:
    """Multi-document YAML and, per item name, (document index, first line, last line).

    Items come in the shapes people write: ``- name: x`` with more keys and nested
    mappings, a bare ``-`` with the mapping below it, and flow mappings; comments and blank
    lines sit between items and documents. Lines are counted while writing.
    """
    lines: list[str] = []
    expected: dict[str, tuple[int, int, int]] = {}
    regions: list[tuple[int, int]] = []
    for d in range(draw(st.integers(1, 3))):
        if d or draw(st.booleans()):
            lines.append("---")
        lines.extend(draw(st.lists(_filler, max_size=2)))
        first = len(lines) + 1
        lines += ["apiVersion: v1", "kind: Thing", "metadata:", f"  name: doc{d}", "items:"]
        for i in range(draw(st.integers(0, 4))):
            if i:
                lines.extend(draw(st.lists(_filler, max_size=2)))
            name = f"d{d}i{i}"
            shape = draw(st.sampled_from(["inline", "bare-dash", "flow", "flow-multiline"]))
            start = len(lines) + 1
            if shape == "flow":
                lines.append(f"  - {{name: {name}, k: v}}")
            elif shape == "flow-multiline":
                lines += [f"  - {{name: {name},", "     k: v}"]
            else:
                if shape == "inline":
                    lines.append(f"  - name: {name}")
                else:
                    lines += ["  -", f"    name: {name}"]
                for k in range(draw(st.integers(0, 2))):
                    value = draw(_scalar)
                    if value == "|-":
                        lines += [f"    k{k}: |-", "      block text", "      more"]
                    elif draw(st.booleans()):
                        lines += [f"    k{k}:", f"      nested: {value}"]
                    else:
                        lines.append(f"    k{k}: {value}")
            expected[name] = (d, start, len(lines))
        last = len(lines)
        regions.append((first, last))
        lines.extend(draw(st.lists(_filler, max_size=2)))
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")  # CRLF never shifts a line
    return text, expected, regions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_stream())
def test_finding_lines_point_at_their_own_mapping_in_every_document(
        case: tuple[str, dict[str, tuple[int, int, int]], list[tuple[int, int]]]) -> None:
    text, expected, regions = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "configs").mkdir()
        (root / "configs" / "stream.yaml").write_bytes(text.encode("utf-8"))
        (root / "lines.rego").write_text(LINES_CHECK, encoding="utf-8")
        rep = run_scan(ScanOptions(paths=[str(root / "configs")], root=root, policies=[str(root / "lines.rego")],
                                   builtin=False, workers=1))
    (file,) = rep.files
    assert file.error is None, file.error
    assert [(doc.region.start_line, doc.region.end_line) for doc in file.documents] == regions
    got = {f.message: (f.document_index, f.region.start_line, f.region.end_line) for f in rep.findings}
    assert got == expected
    for f in rep.findings:
        start, end = regions[f.document_index]
        assert start <= f.region.start_line <= f.region.end_line <= end


# --- the rendered summary table ----------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
_hostile_text = st.one_of(
    _text,
    st.lists(st.sampled_from(["|", "\\|", "<", ">", "</details>", "<!--", MARKER, "@", "#1", "[", "](", "http://",
                              "www.", "`", "\n", "\r", "\x1b[1m", "\u202e", "&", "&lt;", "\\", "*", "_", "a", " "]),
             max_size=25).map("".join),
)


def _strip_cell(cell: str) -> str:
    return unescape(cell).replace(ZWSP, "")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_hostile_text, _hostile_text, _hostile_text, _hostile_text, _hostile_text),
                min_size=1, max_size=4))
def test_rendered_table_rows_stay_intact_and_read_back_as_the_input(rows: list[tuple[str, ...]]) -> None:
    findings = []
    for message, path, resource, title, reason in rows:
        chk = check("C1", Severity.HIGH, title=title)
        sup = SuppressionInfo("rule", "user.x", path or "p", 1, "", (("reason", reason),))
        findings.append(finding(chk, message=message, path=path or "p", resource=resource or None))
        findings.append(finding(chk, message=message, path=path or "p", suppressions=[sup]))
    notices = [Notice(NoticeLevel.WARNING, "input-parse-error", m, path=p or None, line=1) for m, p, *_ in rows]
    files = [InputFile(path=p or "p", input_type=InputType.YAML, error=m or "x") for m, p, *_ in rows]
    text = render_summary(report(findings, notices=notices, files=files))
    assert text == render_summary(report(findings, notices=notices, files=files))  # deterministic
    assert text.startswith(MARKER + "\n") and text.count(MARKER) == 1
    assert not re.search(r"<(?!/?(details|summary)>)", text[len(MARKER):])  # no tag of anyone else's
    lines = text.splitlines()
    for header, width in (("| Check | Severity | Location | Message | Resource |", 5),
                          ("| Check | Severity | Location | Exception | Kind | Justification |", 6),
                          ("| Level | Code | Location | Message |", 4)):
        start = lines.index(header)
        body = []
        for line in lines[start + 2:]:
            if not line.startswith("|"):
                break
            body.append(cells(line))
        assert body and all(len(r) == width for r in body), header
        for row in body:
            for cell in row:
                # an unescaped "|" would have split the cell; nothing can open a tag
                assert "<" not in cell and ">" not in cell
                assert "|" not in cell.replace("\\|", "")
    # each message cell reads back as the message (whitespace collapsed, cut at 300)
    first = lines.index("| Check | Severity | Location | Message | Resource |") + 2
    finding_rows = [cells(line) for line in lines[first:first + len(rows)]]
    expected = sorted(shorten(plain_text(m), 300).replace(ZWSP, "") for m, *_ in rows)
    assert sorted(_strip_cell(r[3]) for r in finding_rows) == expected


@settings(max_examples=200, deadline=None)
@given(_hostile_text)
def test_plain_text_is_idempotent_and_single_line(raw: str) -> None:
    once = plain_text(raw)
    assert plain_text(once) == once
    assert "\n" not in once and "\x1b" not in once and once == once.strip()


# --- the Rego source upgrader ------------------------------------------------------------------

_REGO_TOKENS = [
    "package p", "package user.test.X", "import rego.v1", "import data.lib", "import future.keywords.in",
    "deny", "deny_x", "warn", "exception", "default", "p", "f(x)", "input.a[_]", "input.b[i].c", "data.x",
    "contains", "if", "else", "some", "in", "every", "not", "with", "as", "=", ":=", "==", "[", "]", "{", "}",
    "(", ")", ",", ";", "|", ".", '"s"', '"a#b"', "`raw\nstring`", "# METADATA", "# custom:", "#   id: X", "# c",
    "1", "1.5e3", "true", "null", "count(input.a[_])", "sprintf(\"%v\", [x])", "\n", "\n", "\n", " ", "\t",
]
_rego_like = st.one_of(
    st.lists(st.sampled_from(_REGO_TOKENS), max_size=60).map(" ".join),
    st.lists(st.sampled_from(_REGO_TOKENS), max_size=60).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
)


@settings(max_examples=400, deadline=None)
@given(_rego_like)
def test_prepare_module_never_raises_and_never_moves_a_line(text: str) -> None:
    mod = prepare_module(text, "fuzz.rego")
    original = text.lstrip("\ufeff").split("\n")
    prepared = mod.text.split("\n")
    assert len(prepared) >= len(original)
    # the only lines added are the exception aggregators, after the user's last line
    for extra in prepared[len(original):]:
        assert extra == "" or extra.startswith("exception contains __rs_x if"), extra
    for rule in mod.rules:
        assert 1 <= rule.line <= len(original)
    for definition in mod.exceptions:
        assert 1 <= definition.line <= len(original)
        if definition.rule.startswith(EXCEPTION_PREFIX):
            assert f"_l{definition.line}" in definition.rule
    for problem in mod.problems:
        assert problem.line is None or 1 <= problem.line <= len(original)


# --- the worker protocol -------------------------------------------------------------------

ECHO = "package user.test.ECHO\n\nimport rego.v1\n\necho := input\n\nkind := input.kind\n"
EP, KIND = "user/test/ECHO/echo", "user/test/ECHO/kind"

_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(st.characters(exclude_categories=("Cs",)), max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
                                               children, max_size=4)),
    max_leaves=25,
)


def _same(got: Any, want: Any) -> bool:
    """Equal, except that a float may come back with its 17th significant digit rounded
    (rego-cpp prints doubles with 16 digits: 1.3510798882109884e16 -> 1.351079888210988e16)."""
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return math.isclose(got, want, rel_tol=1e-15, abs_tol=1e-300)
    if isinstance(want, float) and isinstance(got, str):  # rounded past the largest double: kept as text
        return abs(want) > 1.7e308 and math.isinf(float(got))
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(_same(got[k], want[k]) for k in want)
    if isinstance(want, int) and not isinstance(want, bool):
        return isinstance(got, int | float) and not isinstance(got, bool) and got == want
    return type(got) is type(want) and got == want


@pytest.fixture(scope="module")
def echo_runtime() -> Iterator[PolicyRuntime]:
    mod = prepare_module(ECHO, "echo.rego")
    runtime = PolicyRuntime([PolicyUnit("echo.rego", mod.text, [EP, KIND], False, mod.rule_spans)], {},
                            workers=1, eval_timeout=20)
    assert runtime.prepare() == []
    yield runtime
    runtime.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_json, min_size=1, max_size=5))
def test_worker_round_trips_any_json_and_keeps_answering(echo_runtime: PolicyRuntime, values: list[Any]) -> None:
    jobs = [Job(i, v, [EP, KIND]) for i, v in enumerate(values)]
    jobs.append(Job(len(values), {"kind": "Canary"}, [EP, KIND]))
    results = echo_runtime.run(jobs)
    assert [r.id for r in results] == [j.id for j in jobs]
    for res, value in zip(results, values, strict=False):
        assert res.failures == {} and res.errors == {}, (res, value)
        assert _same(res.values[EP], value), (res.values[EP], value)
        if isinstance(value, dict) and "kind" in value:
            assert _same(res.values[KIND], value["kind"])
        else:
            assert KIND not in res.values
    assert results[-1].values == {EP: {"kind": "Canary"}, KIND: "Canary"}
    json.dumps([r.values for r in results], allow_nan=False)  # never Infinity or NaN


def test_the_largest_double_does_not_come_back_as_infinity(echo_runtime: PolicyRuntime) -> None:
    import sys

    (res,) = echo_runtime.run([Job(0, [sys.float_info.max, -sys.float_info.max, 1e308], [EP])])
    top, bottom, fine = res.values[EP]
    # read from the node tree, the double comes back exactly (the printed text rounded it up
    # to a number that read back as infinity)
    assert (fine, top, bottom) == (1e308, sys.float_info.max, -sys.float_info.max)
    json.dumps(res.values, allow_nan=False)
