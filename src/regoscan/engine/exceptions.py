"""Exception semantics, as Trivy documented them (and Conftest implements them).

* Namespace exceptions: rule ``exception`` in package ``namespace.exceptions`` returns
  package names; a check package named there is exempt for that input.
* Rule exceptions: rule ``exception`` in the check's own package returns arrays of rule
  name suffixes. The check rule's prefix (``deny_``, ``warn_``, ``violation_``) is
  removed and the rest must equal a returned suffix exactly: ``"foo"`` exempts
  ``deny_foo``, ``warn_foo`` and ``violation_foo`` but not ``deny_barfoo``; ``""``
  exempts the bare ``deny``, ``warn`` and ``violation``.

An exception that errors, or returns the wrong type, never exempts anything (fail
closed): the caller reports the error and keeps the finding. Nor does one past its
``custom.expires`` date, or one whose date cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
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


EXPIRES_KEY = "expires"
EXPIRING_SOON_DAYS = 30
"""Exceptions that end within this many days are listed in the summary."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ExpiryError(ValueError):
    """``custom.expires`` is not a date."""


def expiry_of(metadata: dict[str, Any]) -> dt.datetime | None:
    """The instant an exception stops waiving, from its ``expires`` metadata (UTC).

    A date (``2026-03-31``, the usual form) is valid through that whole day in UTC; a
    date and time (RFC 3339, ``2026-03-31T18:00:00+02:00``; no offset means UTC) until that
    instant. ``None`` when the exception does not expire. Raises ``ExpiryError`` for
    anything else, so a typo never turns into a waiver without end.
    """
    if EXPIRES_KEY not in metadata:
        return None
    value = metadata[EXPIRES_KEY]
    text = value.strip() if isinstance(value, str) else None
    if text and _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    elif text and len(text) > 10 and text[:10].count("-") == 2 and text[10] in "Tt ":
        try:
            when = dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            pass
        else:
            return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    raise ExpiryError(f"custom.expires {_describe(value)} is not a date (YYYY-MM-DD) or an RFC 3339 date and time")


def days_left(until: dt.datetime, now: dt.datetime) -> int:
    """Whole days an exception still waives: 0 on its last day (negative once expired)."""
    return (until - now).days if until > now else -1 - (now - until).days


def expiry_text(metadata: dict[str, Any]) -> str:
    return str(metadata.get(EXPIRES_KEY, ""))
