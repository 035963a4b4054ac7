"""Workers stop side by side at the end of a scan (``WorkerProcess.request_exit``, then ``close``)."""

from __future__ import annotations

from typing import Any

from regoscan.rego.process import WorkerProcess
from regoscan.rego.runtime import PolicyRuntime, PolicyUnit


def _recorded(worker: WorkerProcess, events: list[tuple[str, int]]) -> None:
    """Log the worker's exit requests and closes, in the order they happen."""
    pid = worker.proc.pid
    request, close = worker.request_exit, worker.close

    def logged(name: str, call: Any) -> Any:
        def run() -> None:
            events.append((name, pid))
            call()
        return run

    worker.request_exit = logged("ask", request)  # type: ignore[method-assign]
    worker.close = logged("close", close)  # type: ignore[method-assign]


def test_a_runtime_asks_every_worker_to_exit_before_waiting_for_any() -> None:
    runtime = PolicyRuntime([PolicyUnit("p.rego", "package p\n\nimport rego.v1\n\ndeny contains 1 if input.x\n",
                                        ["p/deny"])], {}, workers=2)
    workers = [WorkerProcess(), WorkerProcess()]
    events: list[tuple[str, int]] = []
    for worker in workers:
        worker._await_start()
        _recorded(worker, events)
    runtime._idle.extend(workers)
    runtime.close()
    assert [name for name, _ in events] == ["ask", "ask", "close", "close"]
    assert {pid for _, pid in events} == {w.proc.pid for w in workers}
    assert [w.proc.returncode for w in workers] == [0, 0]  # each exited when asked, none was killed


def test_asking_a_dead_worker_to_exit_is_harmless() -> None:
    worker = WorkerProcess()
    worker._await_start()
    worker.proc.kill()
    worker.proc.wait()
    worker.request_exit()
    worker.close()
    assert worker.proc.returncode is not None
