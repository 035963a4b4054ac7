"""The one exception every input parser raises for bad content."""

from __future__ import annotations


class ParseError(Exception):
    """Content that cannot be turned into a document, with the 1-based line to blame.

    Parsers raise only this for bad input so that ``load_file`` can tell "the user's
    file is broken" (reported with a line, scan goes on) from a bug in regoscan.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line if line is None else max(1, line)

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


class LimitError(ParseError):
    """Content refused for its size or shape (alias bomb, nesting), not for its syntax.

    Parsers never retry another syntax after this: the content is hostile or absurd in
    any syntax, and the limit is the message the user needs.
    """
