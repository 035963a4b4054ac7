"""Compile the built-in checks' bundles for a wheel (``hatch_build.py``; see ``rego.prebuilt``).

The groups are defined by the code a scan runs (``Evaluation`` over the built-in library
alone, ``planning.check_groups``), and each key is computed from the exact compile
request a scan sends, so a scan finds them; ``tests/test_prebuilt_bundles.py`` checks it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from regoscan.engine.evaluate import Evaluation, PolicyInputs
from regoscan.engine.notices import NoticeSink
from regoscan.engine.planning import PLAN_MIN_JOBS
from regoscan.engine.policyfiles import collect_policy_files
from regoscan.models import NoticeLevel
from regoscan.rego.prebuilt import bundle_key, source_digest, write_cuts, write_manifest, write_prepared
from regoscan.rego.prepare import read_module
from regoscan.rego.process import WorkerProcess

DEFAULT_NAMESPACES = ["builtin", "user"]


def _engine_path() -> tuple[str, ...]:
    """Where regopy is installed, found without importing it: in a wheel build's isolated
    environment it is on a path the worker's scrubbed environment would not have."""
    spec = importlib.util.find_spec("regopy")
    if spec is None or spec.origin is None:
        raise RuntimeError("regopy is not installed in the build environment")
    return (str(Path(spec.origin).resolve().parent.parent),)


def _prepare_builtins(out: Path) -> str:
    """The built-in modules as ``load_modules`` reads them (before linking), saved for scans to
    reuse; returns the file's SHA-256."""
    entries = []
    for index, (path, display, builtin) in enumerate(collect_policy_files([], Path.cwd(), True)):
        if not builtin:
            continue
        raw = path.read_bytes()
        entries.append((display, index, source_digest(raw), read_module(path, display, module_index=index,
                                                                         builtin=True)))
    return write_prepared(out, entries)


def build_bundles(out: Path, timeout: float = 300.0) -> int:
    """Write ``<key>.rbb`` for every built-in check and the manifest into ``out``; returns how many.

    Raises RuntimeError when the library does not load or a check does not compile: a wheel
    is not built around a broken library.
    """
    out.mkdir(parents=True, exist_ok=True)
    cfg = PolicyInputs([], [], Path.cwd(), list(DEFAULT_NAMESPACES), True, 1, timeout, now_ns=0,
                       shipped_bundles=out / "none")
    notices = NoticeSink()
    worker = WorkerProcess(python_path=_engine_path())
    try:
        evaluation = Evaluation(cfg, notices, None, expected=PLAN_MIN_JOBS, early=worker)
    except BaseException:
        worker.close()
        raise
    try:
        errors = [n for n in [*notices.notices, *evaluation.policy_notices] if n.level is NoticeLevel.ERROR]
        if errors:
            raise RuntimeError("the built-in library does not load: " + "; ".join(n.message for n in errors))
        runtime = evaluation.runtime
        files: dict[str, str] = {}
        for group in runtime.group_names:
            if not group.startswith("check:"):
                continue
            modules, data, eps = runtime.load_request(group)
            key = bundle_key(modules, data, eps)
            path = out / f"{key}.rbb"
            reply = worker.load(modules, data, eps, timeout, group=group, path=str(path))
            if not reply.get("ok") or not path.is_file():
                raise RuntimeError(f"{group} does not compile: {reply}")
            files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        if not files:
            raise RuntimeError("no built-in check was split into a bundle of its own")
        write_manifest(out, worker.engine(), files, _prepare_builtins(out), write_cuts(out, evaluation.cuts))
        return len(files)
    finally:
        evaluation.close()  # the worker with it


if __name__ == "__main__":
    print(f"{build_bundles(Path(sys.argv[1]))} bundles written to {sys.argv[1]}")
