"""Notice collection for one scan."""

from __future__ import annotations

from regoscan.models import Notice


class NoticeSink:
    """Collects notices, folding repeats of the same problem on many documents into one.

    A broken policy fails the same way on every document it sees; one notice naming the
    first document and a count reads better than hundreds of identical lines.
    """

    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self._seen: dict[tuple[str, str, str | None, int | None], tuple[Notice, list[str]]] = {}

    def add(self, notice: Notice, document: str | None = None) -> None:
        key = (notice.code, notice.message, notice.path, notice.line)
        if key in self._seen:
            if document:
                self._seen[key][1].append(document)
            return
        self._seen[key] = (notice, [document] if document else [])
        self.notices.append(notice)

    def finish(self) -> list[Notice]:
        for notice, docs in self._seen.values():
            if docs:
                first = docs[0]
                more = f" and {len(docs) - 1} more" if len(docs) > 1 else ""
                notice.message = f"{notice.message} (while evaluating {first}{more})"
        return self.notices
