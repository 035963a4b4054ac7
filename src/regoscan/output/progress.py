"""A one-line progress display on a terminal's stderr, and the colour decision.

Shown only when stderr is a terminal and only once the run has taken longer than
``delay`` seconds: a quick scan prints nothing extra, a CI log (not a terminal) gets no
carriage-return noise, and stdout (the report, perhaps piped) is never touched.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TextIO

_STAGES = {"parsed": "files parsed", "evaluated": "documents evaluated"}


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def use_color(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, never with ``NO_COLOR`` set (https://no-color.org) or TERM=dumb."""
    environ = os.environ if env is None else env
    if environ.get("NO_COLOR", "") != "" or environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


class Progress:
    """Callable as ``tick(stage, done, total)``; thread-safe (results arrive from workers)."""

    def __init__(self, stream: TextIO, *, delay: float = 1.0, interval: float = 0.1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self.last = float("-inf")
        self.shown = False
        self._lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.delay:
            return
        with self._lock:
            if now - self.last < self.interval and done != total:
                return
            self.last = now
            self.shown = True
            label = _STAGES.get(stage, stage)
            self.stream.write(f"\r\x1b[Kregoscan: {done}/{total} {label}")
            self.stream.flush()

    def close(self) -> None:
        """Erase the progress line so the report that follows starts on a clean line."""
        with self._lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False
