"""The models' ``__repr__`` is written once (``models._Model``), not compiled per class by
``dataclass`` at import; it must read exactly as the one ``dataclass`` writes."""

from __future__ import annotations

import dataclasses

from regoscan import models
from regoscan.models import Notice, NoticeLevel, Region, ScanReport, SuppressionInfo


def _dataclass_repr(obj: object) -> str:
    """What ``dataclass(repr=True)`` writes for ``obj``: the class name, then each field shown by repr."""
    shown = ", ".join(f"{f.name}={getattr(obj, f.name)!r}" for f in dataclasses.fields(obj) if f.repr)  # type: ignore[arg-type]
    return f"{type(obj).__qualname__}({shown})"


def test_every_model_is_a_dataclass_with_the_shared_repr() -> None:
    classes = [c for c in vars(models).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]
    assert len(classes) >= 15
    for cls in classes:
        assert cls.__repr__ is models._Model.__repr__, cls.__name__


def test_the_repr_reads_as_dataclass_writes_it() -> None:
    samples: list[object] = [
        Region(3, 4),
        Notice(NoticeLevel.WARNING, "code", "it's \"quoted\"", "a/b.yaml", 7),
        SuppressionInfo("rule", "user.x", "policy/x.rego", 9, "deny", (("reason", "ok"),)),
        ScanReport(findings=[], checks=[], files=[], notices=[], root="/repo"),
    ]
    for obj in samples:
        assert repr(obj) == _dataclass_repr(obj)
    assert repr(Region(1, 2)) == "Region(start_line=1, end_line=2)"


def test_a_report_that_holds_itself_is_shown_without_recursing() -> None:
    report = ScanReport(findings=[], checks=[], files=[], notices=[], root="/repo")
    report.files = [report]  # type: ignore[list-item]
    assert "files=[...]" in repr(report)
