"""Errors that end a run with a usage/configuration exit code (2)."""


class UsageError(Exception):
    """The user asked for something impossible: a missing path, a bad flag value.

    Raised early, before any scanning, so the message can name exactly what to fix.
    """
