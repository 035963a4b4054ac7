"""A/B: builds of regoscan, alternated run by run, as a user runs them.

Why: the machine is shared, so a speed change is only believable when the build before
it and the build after it run in turns under the same load. Each build is a regular
(non-editable) install of a git revision, or of the working tree (``.``), in its own
venv under bench/work/ab/ (reused while its sources are unchanged); ``REV:nobundles``
is that install with the compiled bundles it ships removed (``rego.prebuilt``). Every
run gets a fresh, empty HOME and TMPDIR, as in ``run.py``. Printed per build: the median
wall time and CPU time (user+sys of the whole process tree), and the ratio to the first.

    bench/.venv/bin/python bench/ab.py main .                      # the corpus, 5 runs each
    bench/.venv/bin/python bench/ab.py main .:nobundles . --target one --repeat 7
    bench/.venv/bin/python bench/ab.py main . -- --workers 1        # extra scan options
    bench/.venv/bin/python bench/ab.py main . --warm -- --cache-dir /tmp/ab-cache-{build}  # warm scans

``{build}`` in an extra option becomes the build's letter (A, B, ...): builds of different cache
formats must not share a cache folder (each removes the other's format when it stores), and
``--warm`` runs each build once, unmeasured, before the measured runs (so the first is not cold).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (
    DEFAULT_CORPUS,
    DEFAULT_ONE_FILE,
    DEFAULT_WORK,
    INSTALL_SOURCES,
    REPO,
    copy_sources,
    count_findings,
    fresh_env,
    measure,
    regoscan_cmd,
    source_fingerprint,
)


def _tree_key(rev: str) -> str:
    """What a build of ``rev`` is made from: the working tree's fingerprint, or the revision's tree hashes."""
    if rev == ".":
        return "wt-" + source_fingerprint()[:16]
    out = subprocess.run(["git", "-C", str(REPO), "rev-parse", *(f"{rev}:{p}" for p in _present(rev))],
                         capture_output=True, text=True, check=True).stdout
    return "rev-" + hashlib.sha256(out.encode()).hexdigest()[:16]


def _present(rev: str) -> list[str]:
    """The install sources a revision has (older ones have no hatch_build.py)."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-tree", "--name-only", rev, *INSTALL_SOURCES],
                            capture_output=True, text=True, check=True).stdout.split()
    return [p for p in INSTALL_SOURCES if p in listed]


def install(spec: str, work: Path) -> Path:
    """The console script of a regular install of ``rev`` (``.``: the working tree), built once per source state;
    ``REV:nobundles``: a copy of that install without its shipped bundles."""
    rev, _, variant = spec.partition(":")
    if variant == "nobundles":
        base = install(rev, work).parent.parent.parent
        root = base.with_name(base.name + "-nobundles")
        exe = root / "venv" / "bin" / "regoscan"
        if not (root / "done").exists():
            shutil.rmtree(root, ignore_errors=True)
            # a venv is not relocatable: make a new one with the same wheel contents, then drop the bundles
            install_tree(rev, root)
            for folder in (root / "venv").glob("lib/python*/site-packages/regoscan/_bundled/bundles"):
                shutil.rmtree(folder)
            (root / "done").write_text(spec + "\n")
        return exe
    if variant:
        raise SystemExit(f"unknown build variant {variant!r}")
    root = work / "ab" / _tree_key(rev)
    exe = root / "venv" / "bin" / "regoscan"
    if exe.exists() and (root / "done").exists():
        return exe
    shutil.rmtree(root, ignore_errors=True)
    install_tree(rev, root)
    (root / "done").write_text(rev + "\n")
    return exe


def install_tree(rev: str, root: Path) -> None:
    """A venv in ``root`` with a regular install of ``rev``."""
    root.mkdir(parents=True)
    src = root / "src"
    if rev == ".":
        copy_sources(src)
    else:
        src.mkdir()
        with tempfile.TemporaryFile() as tar:
            subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, *_present(rev)],
                           stdout=tar, check=True)
            tar.seek(0)
            with tarfile.open(fileobj=tar) as tf:
                tf.extractall(src, filter="data")
    print(f"installing {rev} into {root}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    subprocess.run([str(root / "venv" / "bin" / "pip"), "install", "--quiet", str(src)], check=True)
    shutil.rmtree(src)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("builds", nargs="+", help="git revisions (REV or REV:nobundles; . is the working tree), "
                                              "then -- and extra scan options")
    ap.add_argument("--target", default="corpus",
                    help="corpus, one (the one-file scenario's file), or a path (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK)
    ap.add_argument("--warm", action="store_true", help="run each build once, unmeasured, before the measured runs")
    args, extra = ap.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]

    target = {"corpus": DEFAULT_CORPUS, "one": DEFAULT_CORPUS / DEFAULT_ONE_FILE}.get(args.target,
                                                                                     Path(args.target))
    names = [chr(ord("A") + i) for i in range(len(args.builds))]
    builds = {n: install(spec, args.work) for n, spec in zip(names, args.builds, strict=True)}
    out = args.work / "ab" / "out"
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    loads = [os.getloadavg()[0]]

    def scan(name: str) -> tuple[float, float, int]:
        home = Path(tempfile.mkdtemp(prefix="home-", dir=args.work))
        try:
            cmd = regoscan_cmd(builds[name], target, [a.replace("{build}", name) for a in extra])
            wall, cpu, code, _ = measure(cmd, out / f"{name}.json", 0.05, REPO, 1800, 12 * 2**30, fresh_env(home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        return wall, cpu, code

    if args.warm:
        for name in names:
            scan(name)
    for i in range(args.repeat):
        order = names[i % len(names):] + names[: i % len(names)]  # each build goes first in turn
        for name in order:
            wall, cpu, code = scan(name)
            found = count_findings("regoscan", out / f"{name}.json")
            loads.append(os.getloadavg()[0])
            runs[name].append((wall, cpu))
            print(f"{name} #{i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {found} findings, exit {code}, "
                  f"load {loads[-1]:.1f}", file=sys.stderr)
            time.sleep(0.2)
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    print(f"target {target}; {args.repeat} runs each, alternated; 1-minute load average "
          f"{min(loads):.1f}-{max(loads):.1f}")
    for name, spec in zip(names, args.builds, strict=True):
        w, c = med[name]
        cpus = [c for _, c in runs[name]]
        print(f"{name} ({spec}): median {w:.2f} s wall, {c:.2f} s CPU (CPU {min(cpus):.2f}-{max(cpus):.2f}); "
              f"vs A: wall {w / med['A'][0]:.2f}, CPU {c / med['A'][1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
