"""A handle on one worker process, with deadlines and crash detection.

The parent never imports regopy. It talks to ``regoscan.rego.worker`` over pipes and
treats a closed pipe as a crash and a silent pipe past its deadline as a hang; in
both cases the process is killed and the caller decides how to recover.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regoscan

# Environment variables a worker may see. Everything else (tokens, INPUT_*, ACTIONS_*,
# cloud credentials) is withheld because opa.runtime().env hands it to any policy.
_SAFE_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


class WorkerError(Exception):
    """The worker died or stopped answering."""

    def __init__(self, message: str, progress: dict[str, Any] | None, stderr: str = "") -> None:
        super().__init__(message)
        self.progress = progress
        self.stderr = stderr


class WorkerCrashed(WorkerError):
    pass


class WorkerTimeout(WorkerError):
    pass


def worker_environment(python_path: tuple[str, ...] = ()) -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    package_root = str(Path(regoscan.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *python_path])
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class WorkerProcess:
    def __init__(self, start_timeout: float = 30.0, python_path: tuple[str, ...] = ()) -> None:
        """``python_path``: more import folders (a wheel build's isolated environment, whose
        regopy a scrubbed environment would not find otherwise)."""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "regoscan.rego.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=worker_environment(python_path),
            cwd=tempfile.gettempdir(),
            close_fds=True,
        )
        self._buf = b""
        self.last_progress: dict[str, Any] | None = None
        self._start_timeout = start_timeout
        self._started = False
        self._closed = False
        self._exit_requested = False
        self.loaded: set[str] = set()
        """Engine groups compiled in this worker (see PolicyRuntime.define_group)."""

    def _await_start(self) -> None:
        """The worker imports regopy while the parent prepares policies; wait for it once."""
        if self._started:
            return
        self._started = True
        ready = self._read_line(self._start_timeout)
        if not ready.get("ready"):
            raise WorkerCrashed("worker did not start", None, self.stderr_tail())

    # ------------------------------------------------------------------ plumbing

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - limit))
            return self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _fail(self, cls: type[WorkerError], message: str) -> WorkerError:
        self.kill()
        code = self.proc.returncode
        if cls is WorkerCrashed and code is not None and code < 0:
            try:
                import signal

                message += f" (signal {signal.Signals(-code).name})"
            except ValueError:
                message += f" (signal {-code})"
        return cls(message, self.last_progress, self.stderr_tail())

    def _read_line(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(WorkerTimeout, f"no answer within {timeout:g} s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise self._fail(WorkerCrashed, "the Rego engine process died")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _send(self, *objs: dict[str, Any]) -> None:
        """One request per line, all written at once."""
        assert self.proc.stdin is not None
        text = "".join(json.dumps(obj, separators=(",", ":")) + "\n" for obj in objs)
        try:
            self.proc.stdin.write(text.encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._fail(WorkerCrashed, "the Rego engine process died") from None

    # ------------------------------------------------------------------ requests

    def load(self, modules: list[tuple[str, str]], data: dict[str, Any], entrypoints: list[str],
             timeout: float, group: str = "main", path: str | None = None,
             prebuilt: dict[str, str] | None = None) -> dict[str, Any]:
        """Compile a group's bundle (or, with ``path``, load the one saved there, else save it there;
        with ``prebuilt``, first a shipped copy whose hash and engine match, see ``rego.prebuilt``)."""
        return self._load([_load_request(group, entrypoints, modules, data, path, prebuilt)], timeout)[0]

    def load_shipped(self, bundles: list[tuple[str, list[str], dict[str, str], str | None]],
                     timeout: float) -> list[dict[str, Any]]:
        """Shipped bundles, (group, entrypoints, prebuilt, path) each, loaded in one exchange.

        One round trip instead of one per bundle (a scan's first jobs need ~50 of them, and
        each trip waited for this process's attention while it parsed files). The requests
        carry no modules (a few hundred bytes each), so a burst fits the pipe and the worker
        never blocks on replies not yet read. A refused copy's reply asks for the modules
        (``need_modules``): ``load`` sends them.
        """
        return self._load([_load_request(group, eps, [], {}, path, prebuilt)
                           for group, eps, prebuilt, path in bundles], timeout)

    def _load(self, requests: list[dict[str, Any]], timeout: float) -> list[dict[str, Any]]:
        """Every load request written, then every reply read; ``loaded`` kept to the replies."""
        self._await_start()
        self.last_progress = None
        for request in requests:
            self.loaded.discard(request["group"])
        self._send(*requests)
        replies = [self._read_line(timeout) for _ in requests]
        for request, reply in zip(requests, replies, strict=True):
            if reply.get("ok"):
                self.loaded.add(request["group"])
        return replies

    def rule_paths(self, name: str, text: str, timeout: float) -> dict[str, Any]:
        """The rules one module defines, as rego-cpp parses it (see ``worker.rule_paths``)."""
        self._await_start()
        self.last_progress = None
        self._send({"op": "rules", "name": name, "text": text})
        return self._read_line(timeout)

    def engine(self, timeout: float = 30.0) -> str:
        """The engine build the worker runs (``regopy.build_info()``), as shipped bundles record it."""
        self._await_start()
        self._send({"op": "info"})
        return str(self._read_line(timeout).get("engine", ""))

    def evaluate(self, jobs: list[dict[str, Any]], *, trace: bool, timeout: float) -> Iterator[dict[str, Any]]:
        """Yield one result per job as it completes; ``timeout`` applies to each job (or entrypoint in trace mode)."""
        self._await_start()
        self.last_progress = None
        self._send({"op": "eval", "jobs": jobs, "trace": trace})
        while True:
            msg = self._read_line(timeout)
            if "progress" in msg:
                self.last_progress = msg
                continue
            if "result" in msg:
                self.last_progress = {"progress": msg["result"]["id"], "completed": True}
                yield msg["result"]
                continue
            if msg.get("done"):
                return
            raise self._fail(WorkerCrashed, f"unexpected worker reply: {str(msg)[:200]}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def request_exit(self) -> None:
        """Ask the worker to exit without waiting for it (``close`` waits): the workers of a
        runtime then tear down side by side, not one after the other, at the end of a scan."""
        if self._closed or self._exit_requested or self.proc.poll() is not None:
            return
        try:
            self._send({"op": "exit"})
        except WorkerError:  # it died; close() reaps it
            return
        self._exit_requested = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.proc.poll() is None:
            try:
                if not self._exit_requested:
                    self._send({"op": "exit"})
                self.proc.wait(timeout=2)
            except (WorkerError, subprocess.TimeoutExpired):
                self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()


def _load_request(group: str, entrypoints: list[str], modules: list[tuple[str, str]], data: dict[str, Any],
                  path: str | None, prebuilt: dict[str, str] | None) -> dict[str, Any]:
    """A worker's ``load`` request (``worker.Engine.load``)."""
    request: dict[str, Any] = {"op": "load", "modules": [list(m) for m in modules], "data": data,
                               "entrypoints": entrypoints, "group": group}
    if path is not None:
        request["path"] = path
    if prebuilt is not None:
        request["prebuilt"] = prebuilt
    return request
