"""The models' ``__repr__`` (and the mutable ones' ``__eq__``) are written once (``models._Model``,
``models._Mutable``), not compiled per class by ``dataclass`` at import; they must behave exactly
as the ones ``dataclass`` writes."""

from __future__ import annotations

import dataclasses

import pytest

from regoscan import models
from regoscan.models import CheckMetadata, Finding, Notice, NoticeLevel, Region, ScanReport, SuppressionInfo


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


def _finding(**change: object) -> Finding:
    values: dict[str, object] = dict(check=CheckMetadata("ID", "pkg"), rule="deny", message="m", path="a.yaml",
                                     region=Region(1, 2))
    values.update(change)
    return Finding(**values)  # type: ignore[arg-type]


def test_equality_is_dataclass_equality() -> None:
    """Same class and equal fields, compared as a tuple; unhashable when mutable, hashable when frozen."""
    assert _finding() == _finding()
    for change in (dict(message="other"), dict(region=Region(1, 3)), dict(check=CheckMetadata("ID2", "pkg")),
                   dict(suppressions=[SuppressionInfo("rule", "p", "x.rego", 1, "deny")])):
        assert _finding() != _finding(**change), change
    nan = float("nan")
    same = CheckMetadata("ID", "pkg", custom={"x": nan})
    assert same == same  # the tuple comparison's identity shortcut, as dataclass's
    assert _finding() != ("deny",) and _finding().__eq__(object()) is NotImplemented
    class Sub(Finding):
        pass
    assert _finding() != Sub(**vars(_finding()))  # another class never compares equal
    for mutable in (_finding(), Notice(NoticeLevel.NOTE, "c", "m"), ScanReport([], [], [], [], "/")):
        with pytest.raises(TypeError):
            hash(mutable)
    assert hash(Region(1, 2)) == hash(Region(1, 2)) and {Region(1, 2), Region(1, 2)} == {Region(1, 2)}
    for cls in (c for c in vars(models).values() if isinstance(c, type) and dataclasses.is_dataclass(c)):
        frozen = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert (cls.__hash__ is None) is not frozen, cls.__name__
        if not frozen:
            assert cls.__eq__ is models._Mutable.__eq__, cls.__name__
