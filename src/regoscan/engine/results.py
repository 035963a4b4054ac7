"""Turn what a check rule returned into messages and line ranges.

A rule may return a string, an object ``{msg, startline, endline, filepath}`` (also what
``result.new`` builds), an array mixing both (Trivy's ``[msg, cause]``), or plain
``true`` for a boolean ``deny``. Line numbers may arrive as numbers or numeric strings.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regoscan.models import Region


class RawResult(NamedTuple):
    """A tuple, not a frozen dataclass: one is made and hashed per finding (3,400 in a corpus scan)."""

    message: str
    start_line: int | None
    end_line: int | None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        n = int(value.strip())
        return n if n > 0 else None
    return None


def _from_object(obj: dict[str, Any]) -> tuple[str | None, int | None, int | None]:
    msg = obj.get("msg")
    if msg is None:
        msg = obj.get("message")
    start = _as_int(obj.get("startline", obj.get("StartLine")))
    end = _as_int(obj.get("endline", obj.get("EndLine")))
    meta = obj.get("__defsec_metadata")
    if start is None and isinstance(meta, dict):
        start, end = _as_int(meta.get("startline")), _as_int(meta.get("endline"))
    return (msg if isinstance(msg, str) else None if msg is None else str(msg)), start, end


def _one(item: Any, default_msg: str) -> RawResult | None:
    if isinstance(item, str):
        return RawResult(item or default_msg, None, None)
    if isinstance(item, dict):
        msg, start, end = _from_object(item)
        return RawResult(msg or default_msg, start, end)
    if isinstance(item, list):
        msgs = [x for x in item if isinstance(x, str)]
        start = end = None
        for x in item:
            if isinstance(x, dict):
                _, start, end = _from_object(x)
                if start is not None:
                    break
        return RawResult(" ".join(msgs) or default_msg, start, end)
    if item is True:
        return RawResult(default_msg, None, None)
    if item is False or item is None:
        return None
    return RawResult(str(item), None, None)


def rule_results(value: Any, default_msg: str) -> list[RawResult]:
    """All results of one rule, de-duplicated, in a stable order."""
    if isinstance(value, list):
        items = value
    elif value is True or isinstance(value, dict | str):
        items = [value]
    else:
        items = []
    # a dict keeps the first of equal results in order; a list's ``in`` made a rule with
    # 3,000 results cost 4.5 million comparisons
    out: dict[RawResult, None] = {}
    for item in items:
        res = _one(item, default_msg)
        if res is not None:
            out.setdefault(res, None)
    return list(out)


def region_for(result: RawResult, doc_region: Region) -> Region:
    """The result's own lines when it has them, else the whole document (never line 1 by default)."""
    start = result.start_line
    if start is None:
        return doc_region
    end = result.end_line if result.end_line is not None and result.end_line >= start else start
    return Region(start, end)
