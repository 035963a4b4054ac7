"""Exceptions shared across regoscan's stages."""

from __future__ import annotations


class UsageError(Exception):
    """The user asked for something impossible (a missing path, a bad option).

    Kept apart from content errors: a broken input file is reported and the scan goes
    on, but a usage error means the scan the user asked for cannot be run at all, so
    the CLI turns it into a message and a distinct exit code instead of a notice.
    """
