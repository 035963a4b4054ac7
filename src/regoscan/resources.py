"""Where the bundled built-in policies and templates live.

In a wheel they are copied under ``regoscan/_bundled``; in a source checkout (editable
install, tests) they are the top-level ``policies/`` and ``templates/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    bundled = _PKG / "_bundled" / name
    if bundled.is_dir():
        return bundled
    checkout = _PKG.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"regoscan installation is missing its {name}/ folder (looked in {bundled})")


def policies_dir() -> Path:
    return _find("policies")


def templates_dir() -> Path:
    return _find("templates")


def bundles_dir() -> Path | None:
    """The compiled bundles of the built-in checks a wheel carries (``rego.prebuilt``); None in a
    source checkout, which compiles them."""
    shipped = _PKG / "_bundled" / "bundles"
    return shipped if shipped.is_dir() else None
