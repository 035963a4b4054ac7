"""Step outputs (``$GITHUB_OUTPUT``) and the job summary (``$GITHUB_STEP_SUMMARY``).

Both are files the runner reads after the step. Outputs use the multi-line form
``name<<DELIM`` / value / ``DELIM`` for every value, with a fresh random delimiter, so
no value (a path with a newline, say) can end the block early and forge another
output. The job summary is capped at GitHub's 1 MiB per step: above that GitHub drops
the whole summary, so we keep what fits and say so.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

SUMMARY_LIMIT_BYTES = 1024 * 1024
"""GitHub's limit for one step's summary, in UTF-8 bytes."""


def _delimiter(value: str) -> str:
    while True:
        delim = f"ghadelimiter_{secrets.token_hex(16)}"
        if delim not in value:
            return delim


def format_outputs(values: Mapping[str, str]) -> str:
    chunks = []
    for name, value in values.items():
        delim = _delimiter(value)
        chunks.append(f"{name}<<{delim}\n{value}\n{delim}\n")
    return "".join(chunks)


def write_outputs(path: str | None, values: Mapping[str, str]) -> bool:
    """Append to ``$GITHUB_OUTPUT``; ``False`` when the variable is unset (a local run)."""
    if not path:
        return False
    with open(path, "a", encoding="utf-8", newline="\n") as fh:
        fh.write(format_outputs(values))
    return True


def summary_budget(path: str | None, limit: int = SUMMARY_LIMIT_BYTES) -> int:
    """Bytes still available in this step's summary (an earlier write counts)."""
    if not path:
        return limit
    try:
        used = Path(path).stat().st_size
    except OSError:
        used = 0
    return max(0, limit - used)


def append_summary(path: str | None, text: str, limit: int = SUMMARY_LIMIT_BYTES) -> bool:
    """Append ``text``, cut at a character boundary to stay within the step's limit."""
    if not path:
        return False
    budget = summary_budget(path, limit)
    data = text.encode("utf-8")
    if len(data) > budget:
        data = data[:budget].decode("utf-8", errors="ignore").encode("utf-8")
    with open(path, "ab") as fh:
        fh.write(data)
    return True
