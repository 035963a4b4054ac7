"""Read OPA ``# METADATA`` annotation blocks from Rego source.

Neither regopy nor rego-cpp exposes annotations (``rego.metadata.*`` is not
implemented), yet modern Trivy checks keep their id, severity and input selectors
there. So they are read here, in Python, following OPA's rules: a block starts with
a ``# METADATA`` comment line, runs over the following comment lines, is YAML, and
belongs to the statement right after it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from regoscan.inputs.errors import LimitError, ParseError
from regoscan.inputs.yamlfile import parse_yaml

METADATA_MAX_NODES = 10_000
"""Nodes a METADATA block may expand to (aliases counted at every use)."""
METADATA_MAX_DEPTH = 64

# libyaml's safe loader when present: METADATA of ~100 built-in checks is read at every
# start, and the pure-Python loader made that a third of a one-file scan's time.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_RULE_NAME = re.compile(r"^\s*(?:default\s+)?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)")


@dataclass
class Annotation:
    line: int
    """Line of the ``# METADATA`` marker."""
    scope: str
    """``package``, ``subpackages``, ``rule`` or ``document``."""
    target: str
    """Package path or rule name the block is attached to."""
    target_line: int
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def parse_annotations(src: str) -> list[Annotation]:
    """Every METADATA block in ``src``; YAML errors are kept on the block, not raised."""
    lines = src.splitlines()
    out: list[Annotation] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "# METADATA":
            i += 1
            continue
        marker = i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            text = lines[i].lstrip()[1:]
            body.append(text[1:] if text.startswith(" ") else text)
            i += 1
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        target = lines[j].strip() if j < len(lines) else ""
        data: dict[str, Any] = {}
        error: str | None = None
        try:
            text = "\n".join(body)
            _check_limits(text)
            loaded = yaml.load(text, Loader=_LOADER)
            if loaded is None:
                loaded = {}
            if isinstance(loaded, dict):
                data = _plain(loaded)
            else:
                error = "METADATA block is not a YAML mapping"
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {marker + 2 + mark.line})" if mark is not None else ""
            error = f"METADATA block is not valid YAML{where}: {str(exc).splitlines()[0]}"
        except ParseError as exc:  # caught before construction: a bomb, a recursive alias, bad syntax
            where = f" (line {marker + 1 + exc.line})" if exc.line is not None else ""
            what = "refused" if isinstance(exc, LimitError) else "is not valid YAML"
            error = f"METADATA block {what}{where}: {exc.message}"
        if target.startswith("package ") or target.startswith("package\t"):
            scope = str(data.get("scope", "package"))
            name = target.split(None, 1)[1].split("#", 1)[0].strip()
        else:
            scope = str(data.get("scope", "rule"))
            m = _RULE_NAME.match(target)
            name = m.group(1) if m else target
        out.append(Annotation(marker + 1, scope, name, j + 1, data, error))
    return out


def _check_limits(text: str) -> None:
    """Refuse an alias bomb, a recursive alias or absurd nesting before PyYAML builds it.

    A METADATA block is policy source, so in a pull request it is untrusted; PyYAML
    would happily build a billion-laughs value or recurse until ``RecursionError``.
    The YAML reader of ``inputs`` counts nodes as aliases expand them, iteratively.
    """
    parse_yaml(text, "METADATA", max_nodes=METADATA_MAX_NODES, max_depth=METADATA_MAX_DEPTH)


def package_annotation(annotations: list[Annotation]) -> Annotation | None:
    """The package-scoped block (Trivy reads check metadata only from this one)."""
    for ann in annotations:
        if ann.scope in ("package", "subpackages") and ann.error is None:
            return ann
    return None


def _plain(value: Any) -> Any:
    """YAML dates and times become ISO strings: metadata travels as JSON (expiry dates)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value
