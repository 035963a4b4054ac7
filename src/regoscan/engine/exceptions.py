"""Exception semantics, as Trivy documented them (and Conftest implements them).

* Namespace exceptions: rule ``exception`` in package ``namespace.exceptions`` returns
  package names; a check package named there is exempt for that input.
* Rule exceptions: rule ``exception`` in the check's own package returns arrays of rule
  name suffixes. The check rule's prefix (``deny_``, ``warn_``, ``violation_``) is
  removed and the rest must equal a returned suffix exactly: ``"foo"`` exempts
  ``deny_foo``, ``warn_foo`` and ``violation_foo`` but not ``deny_barfoo``; ``""``
  exempts the bare ``deny``, ``warn`` and ``violation``.

An exception that errors, or returns the wrong type, never exempts anything (fail
closed): the caller reports the error and keeps the finding.
"""

from __future__ import annotations

from typing import Any

_PREFIXES = ("deny", "warn", "violation")


def rule_suffix(rule: str) -> str:
    """``deny`` -> ``""``, ``deny_foo`` -> ``"foo"``, ``warn_a_b`` -> ``"a_b"``."""
    for prefix in _PREFIXES:
        if rule == prefix:
            return ""
        if rule.startswith(prefix + "_"):
            return rule[len(prefix) + 1 :]
    return rule


class ExceptionTypeError(ValueError):
    """The exception rule returned something other than what the semantics define."""


def namespace_names(value: Any) -> set[str]:
    """Package names returned by a namespace exception (a set of strings)."""
    items = value if isinstance(value, list) else [value]
    out: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ExceptionTypeError(
                f"a namespace exception must return package names (strings); got {_describe(item)}"
            )
        out.add(item)
    return out


def rule_suffixes(value: Any) -> set[str]:
    """Suffixes returned by a rule exception (a set of arrays of strings, e.g. ``rules := [""]``)."""
    items = value if isinstance(value, list) else [value]
    out: set[str] = set()
    for item in items:
        if not isinstance(item, list):
            raise ExceptionTypeError(
                "a rule exception must return arrays of rule-name suffixes, as in "
                f'`exception contains rules if {{ rules := ["foo"] }}`; got {_describe(item)}'
            )
        for suffix in item:
            if not isinstance(suffix, str):
                raise ExceptionTypeError(f"rule-name suffixes must be strings; got {_describe(suffix)}")
            out.add(suffix)
    return out


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "null"
