"""``custom.expires`` on exceptions (issue 14): past its date an exception waives nothing and
is reported; a date that cannot be read is an error; the summary lists those ending soon."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from regoscan.cli import main
from regoscan.engine.exceptions import ExpiryError, days_left, expiry_of
from regoscan.engine.scan import ScanOptions, run_scan
from tests.helpers import POD, write

CHECK = """\
package user.test.EXP

import rego.v1

__rego_metadata__ := {"id": "EXP", "title": "Expiring", "severity": "HIGH"}

deny contains "denied" if input.kind == "Pod"
"""


def _exception(expires: str) -> str:
    return f"""\
        # METADATA
        # custom:
        #   reason: waiting for the vendor fix
        #   expires: {expires}
        package user.test.EXP

        import rego.v1

        exception contains rules if {{
            rules := [""]
        }}
        """


def _project(tmp_path: Path, expires: str) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", CHECK)
    write(tmp_path, "policy/exception.rego", _exception(expires))


def _scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "configs", "--policy", "policy", "--no-builtin", "--format", "json",
                 "--summary", "summary.md", *args])
    return code, json.loads(capsys.readouterr().out)


def _today(days: int = 0) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def test_expired_exception_waives_nothing_and_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path, "2021-06-30")
    code, report = _scan(tmp_path, monkeypatch, capsys)
    assert code == 1  # the HIGH finding is active again; the notice itself is only a warning
    (finding,) = report["findings"]
    assert not finding["suppressed"]
    (notice,) = report["notices"]
    assert notice["level"] == "warning" and notice["code"] == "exception-expired"
    assert (notice["path"], notice["line"]) == ("policy/exception.rego", 9)
    assert "expired on 2021-06-30" in notice["message"]
    assert report["expiring_exceptions"] == []
    assert "expired on 2021" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_unreadable_date_is_an_exception_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path, "next spring")
    code, report = _scan(tmp_path, monkeypatch, capsys)
    assert code == 2
    assert not report["findings"][0]["suppressed"]
    (notice,) = report["notices"]
    assert notice["code"] == "exception-error" and notice["level"] == "error"
    assert (notice["path"], notice["line"]) == ("policy/exception.rego", 9)
    assert "'next spring' is not a date" in notice["message"]


def test_exception_expiring_soon_waives_and_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path, _today(5))
    code, report = _scan(tmp_path, monkeypatch, capsys)
    assert code == 0
    assert report["findings"][0]["suppressed"]
    assert report["notices"] == []
    assert report["expiring_exceptions"] == [{
        "kind": "rule", "exception_package": "user.test.EXP", "path": "policy/exception.rego", "line": 9,
        "expires": _today(5), "days_left": 5, "waived": 1}]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "### Exceptions expiring within 30 days (1)" in summary
    row = next(line for line in summary.splitlines() if line.startswith("| policy/exception.rego:9"))
    assert "| 5 | 1 finding |" in row


@pytest.mark.parametrize(("expires", "waives", "listed"), [
    (_today(0), True, True),       # the last day still waives
    (_today(-1), False, False),    # yesterday: expired
    (_today(30), True, True),
    (_today(31), True, False),
    ("2999-01-01", True, False),
])
def test_expiry_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                           expires: str, waives: bool, listed: bool) -> None:
    _project(tmp_path, expires)
    _, report = _scan(tmp_path, monkeypatch, capsys, "--fail-on", "never")
    assert report["findings"][0]["suppressed"] is waives
    assert bool(report["expiring_exceptions"]) is listed
    assert bool([n for n in report["notices"] if n["code"] == "exception-expired"]) is not waives


def test_a_cached_waiver_does_not_outlive_its_exception(tmp_path: Path) -> None:
    """The result cache keeps findings with their waivers; expiry is applied after it."""
    _project(tmp_path, "2030-03-31")
    opts = dict(paths=[str(tmp_path / "configs")], root=tmp_path, policies=[str(tmp_path / "policy")], builtin=False,
                cache_dir=tmp_path / ".cache")
    before = run_scan(ScanOptions(**opts, now=dt.datetime(2030, 3, 31, 23, 0, tzinfo=dt.UTC)))
    assert before.findings[0].suppressed
    assert [e.days_left for e in before.expiring] == [0]
    after = run_scan(ScanOptions(**opts, now=dt.datetime(2030, 4, 1, 0, 0, tzinfo=dt.UTC)))
    assert not after.findings[0].suppressed
    assert [n.code for n in after.notices] == ["exception-expired"]


def test_namespace_exception_with_legacy_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "configs/pod.yaml", POD.format(name="p"))
    write(tmp_path, "policy/check.rego", CHECK)
    write(tmp_path, "policy/ns.rego", """\
        package namespace.exceptions

        import rego.v1

        __rego_metadata__ := {"reason": "migration", "expires": "2022-02-02T10:00:00Z"}

        exception contains "user.test.EXP" if true
        """)
    _, report = _scan(tmp_path, monkeypatch, capsys, "--fail-on", "never")
    assert not report["findings"][0]["suppressed"]
    (notice,) = report["notices"]
    assert notice["code"] == "exception-expired" and notice["line"] == 7
    assert notice["message"].startswith("namespace exception in package namespace.exceptions expired on "
                                        "2022-02-02T10:00:00Z")


def test_expiry_of_reads_dates_and_times() -> None:
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    assert expiry_of({}) is None
    assert expiry_of({"reason": "x"}) is None
    day = expiry_of({"expires": "2026-03-10"})
    assert day == dt.datetime(2026, 3, 11, tzinfo=dt.UTC) and days_left(day, now) == 0
    assert expiry_of({"expires": "2026-03-10T13:00:00+02:00"}) == dt.datetime(2026, 3, 10, 11, tzinfo=dt.UTC)
    assert expiry_of({"expires": "2026-03-10T13:00:00"}) == dt.datetime(2026, 3, 10, 13, tzinfo=dt.UTC)
    assert expiry_of({"expires": "2026-03-10T13:00:00z"}) == dt.datetime(2026, 3, 10, 13, tzinfo=dt.UTC)
    for bad in ("2026-02-30", "31/12/2026", "", "soon", 20260310, None, ["2026-03-10"]):
        with pytest.raises(ExpiryError):
            expiry_of({"expires": bad})


def test_expiring_rows_are_escaped() -> None:
    from regoscan.models import ExpiringException, ScanReport
    from regoscan.output.markdown import render_summary

    hostile = ExpiringException("rule", "user.a|b @team #12", "policy/x|y.rego", 3, "2030-01-01 | <b>", 4, 2)
    text = render_summary(ScanReport([], [], [], [], "/r", expiring=[hostile]))
    (row,) = [line for line in text.splitlines() if line.startswith("| policy/")]
    assert row.count(" | ") == 4 and "<b>" not in row and "@team" not in row
    assert row.endswith("| 4 | 2 findings |")
