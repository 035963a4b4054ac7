"""Size limits of scanned files, apart from ``load`` so that the cache lookup, which needs the
limit but parses nothing, does not import the parsers (and PyYAML)."""

from __future__ import annotations

MAX_BYTES = 10 * 1024 * 1024
"""A scanned file larger than this is refused (``load``), and never served from the cache."""
