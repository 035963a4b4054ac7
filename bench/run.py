"""Benchmark regoscan against Checkov as a user runs both: `make bench`.

Why (issues 7 and 11): the Action runs on every push, so its minutes are the users'
minutes, and a number only means something when it is what a user gets. So:

  * regoscan is the console script of a *regular* (not editable) install of this
    repository into a venv of its own (bench/work/install/, rebuilt when src/, policies/,
    templates/ or pyproject.toml change): the same files `pip install` or the Action's
    image put on a runner, byte-compiled at install time as pip does. (The project's
    .venv is an editable install: it reads the working tree, which may change during a
    run.) `--regoscan PATH` measures another executable instead.
  * every run gets a fresh, empty HOME and TMPDIR (and XDG cache/config folders in them),
    so nothing a previous run left behind helps the next one; no result cache except in
    the scenario that is about the cache;
  * the whole corpus, and Checkov (bench/requirements.txt, in bench/.venv) in the same
    run on the same files, the two tools alternated run by run so that a change of the
    machine's load hits both; the median of --repeat (default 5) runs per scenario.

Scenarios: the corpus, cold; one changed file (start-up bound); the corpus x N (growth:
N marked copies, so no file repeats another's bytes); a warm scan with --cache-dir (the
cache filled by one unmeasured scan first; Checkov has no such cache, so the ratio is
against its cold scan). For each run: wall time, CPU time (user+sys of the whole process
tree: getrusage of the waited-for children), peak memory of the process tree (sum of RSS,
and of PSS, which divides shared pages among their sharers), findings.

The machine has 2 cores and other developers may be running tests on it: before every
run the script measures how busy the CPUs are over 2 s and waits, up to --load-wait
seconds, while that is above --max-busy percent. The figures of each run and the load
before it are recorded; CPU time is less sensitive to the load than wall time.

The corpus: --corpus, else $REGOSCAN_SHARED_DIR/corpus, else ../shared/corpus beside the
repository (about 600 Kubernetes manifests, Dockerfiles and other YAML/JSON of public
projects). Without it, a synthetic stand-in of the same shape is written once by
`bench/make_corpus.py` into bench/work/synthetic-corpus and measured; its figures are not
comparable with the real corpus's.

Usage, from the repository root (`make bench` does the first):

    bench/.venv/bin/python bench/run.py                          # writes bench/RESULTS.md
    bench/.venv/bin/python bench/run.py --repeat 3 --sizes '' --no-write
    bench/.venv/bin/python bench/run.py --tools regoscan --regoscan .venv/bin/regoscan
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = Path(os.environ.get("REGOSCAN_SHARED_DIR") or REPO.parent / "shared")
DEFAULT_CORPUS = SHARED / "corpus"
DEFAULT_CHECKOV = BENCH / ".venv" / "bin" / "checkov"
DEFAULT_WORK = BENCH / "work"
DEFAULT_OUT = BENCH / "RESULTS.md"
# Everything above this line of RESULTS.md is written by hand and kept; below, each run replaces it.
MARKER = "<!-- bench/run.py writes everything below this line; edit above it -->"
# Part of the synthetic copies' fingerprint: change it when marked_copy() changes, so
# that existing copies are rebuilt.
COPY_FORMAT = b"marked-copy-v1\n"
# A typical single-file PR: one Deployment with one container.
DEFAULT_ONE_FILE = "microservices-demo/kubernetes-manifests/frontend.yaml"
# What a regular install of regoscan is built from (a change rebuilds it).
INSTALL_SOURCES = ("pyproject.toml", "hatch_build.py", "src", "policies", "templates", "README.md")

COLD, ONE, WARM = "corpus, cold", "one changed file", "corpus, warm (--cache-dir)"


@dataclass
class Run:
    """One timed process."""

    wall: float
    cpu: float
    peak_rss: int
    peak_pss: int
    exit_code: int
    findings: int | None
    busy: float
    load1: float
    sampler_cpu: float
    stopped: str = ""


@dataclass
class Row:
    """The runs of one tool in one scenario."""

    tool: str
    scenario: str
    files: int
    command: list[str]
    runs: list[Run] = field(default_factory=list)
    skipped: str = ""

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    @property
    def stopped(self) -> str:
        return next((r.stopped for r in self.runs if r.stopped), "")


# ---------------------------------------------------------------------------
# Synthetic repositories
# ---------------------------------------------------------------------------


def default_corpus() -> Path:
    """The shared corpus when it is there; else the synthetic one (written once), so that
    ``make bench`` runs from the repository alone. Its figures are not the real corpus's:
    the results name the corpus."""
    if DEFAULT_CORPUS.is_dir():
        return DEFAULT_CORPUS.resolve()
    from make_corpus import DEFAULT_OUT as SYNTHETIC
    from make_corpus import write_corpus

    if not SYNTHETIC.is_dir():
        write_corpus(SYNTHETIC, 600, 11)
    print(f"no shared corpus at {DEFAULT_CORPUS}: measuring the synthetic corpus {SYNTHETIC} "
          "(bench/make_corpus.py; figures not comparable with the real corpus's)", file=sys.stderr)
    return SYNTHETIC.resolve()


def corpus_files(corpus: Path) -> list[Path]:
    """Every regular file of the corpus, sorted (symlinks are not followed)."""
    return sorted(p for p in corpus.rglob("*") if p.is_file() and not p.is_symlink())


def fingerprint(corpus: Path, files: list[Path]) -> str:
    """Hash of the corpus' relative paths and contents: a changed corpus rebuilds the copies."""
    h = hashlib.sha256(COPY_FORMAT)
    for p in files:
        h.update(p.relative_to(corpus).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def marked_copy(data: bytes, path: Path, index: int) -> bytes:
    """The file's bytes with a trailing marker that makes this copy's content unique.

    YAML and Dockerfiles get a comment line; JSON (no comments) gets trailing spaces,
    which JSON allows. Findings and their line numbers are unaffected.
    """
    if path.suffix.lower() == ".json":
        return data + b" " * (index + 1) + b"\n"
    sep = b"" if data.endswith(b"\n") or not data else b"\n"
    return data + sep + f"# regoscan benchmark copy {index:03d}\n".encode()


def synthetic_repo(corpus: Path, files: list[Path], work: Path, copies: int, fp: str) -> Path:
    """bench/work/synthetic-xN with N marked copies of the corpus, reused while the corpus is unchanged."""
    root = work / f"synthetic-x{copies}"
    stamp = root / ".fingerprint"
    if stamp.is_file() and stamp.read_text() == fp:
        return root
    if root.exists():
        shutil.rmtree(root)
    for i in range(copies):
        base = root / f"copy-{i:03d}"
        for src in files:
            dst = base / src.relative_to(corpus)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(marked_copy(src.read_bytes(), src, i))
    stamp.write_text(fp)  # written last: an interrupted build is rebuilt next time
    return root


# ---------------------------------------------------------------------------
# The installed regoscan
# ---------------------------------------------------------------------------


def source_fingerprint() -> str:
    """Hash of what an install of regoscan is built from."""
    h = hashlib.sha256()
    for name in INSTALL_SOURCES:
        top = REPO / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for p in paths:
            if "__pycache__" in p.parts:
                continue
            h.update(p.relative_to(REPO).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def copy_sources(dst: Path) -> None:
    """The working tree's install sources (``INSTALL_SOURCES``) copied to ``dst``, so pip never
    writes build files into the working tree."""
    for name in INSTALL_SOURCES:
        top = REPO / name
        if top.is_file():
            dst.mkdir(parents=True, exist_ok=True)
            shutil.copy2(top, dst / name)
        elif top.is_dir():
            shutil.copytree(top, dst / name, ignore=shutil.ignore_patterns("__pycache__"))


def installed_regoscan(work: Path, python: str) -> Path:
    """The console script of a regular install of this repository, (re)built when its sources changed."""
    root = work / "install"
    venv = root / "venv"
    stamp = root / "fingerprint"
    fp = source_fingerprint()
    exe = venv / "bin" / "regoscan"
    if exe.exists() and stamp.is_file() and stamp.read_text() == fp:
        return exe
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"installing regoscan from {REPO} into {venv} (regular install, not editable)", file=sys.stderr)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    src = root / "src-copy"
    copy_sources(src)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(src)], check=True)
    shutil.rmtree(src)
    stamp.write_text(fp)
    return exe


# ---------------------------------------------------------------------------
# Measuring one process tree
# ---------------------------------------------------------------------------


def wait_for_quiet(max_busy: float, max_wait: float) -> tuple[float, float]:
    """Wait until other processes leave the CPUs mostly idle; return (load1, busy %).

    Busy is the machine-wide CPU use over 2 s, measured while no scan of ours runs, so it
    is other people's work. Waits at most max_wait seconds, then goes on.
    """
    deadline = time.monotonic() + max_wait
    busy = psutil.cpu_percent(interval=2.0)
    while busy > max_busy and time.monotonic() < deadline:
        print(f"  CPUs {busy:.0f}% busy (> {max_busy:.0f}%): waiting", file=sys.stderr)
        time.sleep(5)
        busy = psutil.cpu_percent(interval=2.0)
    return os.getloadavg()[0], busy


@dataclass
class Sample:
    """What one scan's sampler saw and did."""

    peak_pss: int = 0
    peak_rss: int = 0
    sampler_cpu: float = 0.0
    stopped: str = ""


class TreeSampler:
    """Peak memory of a process tree, at a bounded cost to the machine being measured.

    Every tick (--interval, 20 ms) it reads the RSS of the known members (/proc/PID/statm:
    microseconds). Every 5th tick it re-lists the tree (a /proc scan, about 1 ms). PSS
    needs /proc/PID/smaps_rollup, whose cost grows with the mapped size (5 ms for 400 MB,
    more for a multi-GB Checkov), so it is read as often as keeps that under about 5% of
    one core, and at least every second. RSS sums count a page shared by forked
    processes once per process (an upper bound); PSS divides it among its sharers (the
    real total). Both peaks are kept.
    """

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.members: list[psutil.Process] = [self.root]
        self.ticks = 0
        self.next_pss = 0.0

    def refresh(self) -> None:
        """Re-list the root's descendants."""
        with contextlib.suppress(psutil.Error):
            self.members = [self.root, *self.root.children(recursive=True)]

    def rss(self) -> int:
        """Sum of the members' RSS (vanished members count 0)."""
        total = 0
        for p in self.members:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def pss(self) -> int:
        """Sum of the members' PSS (vanished members count 0)."""
        total = 0
        for p in self.members:
            with contextlib.suppress(psutil.Error):
                total += p.memory_full_info().pss
        return total

    def tick(self, sample: Sample) -> None:
        """Take one sample into the running peaks."""
        if self.ticks % 5 == 0:
            self.refresh()
        self.ticks += 1
        sample.peak_rss = max(sample.peak_rss, self.rss())
        now = time.perf_counter()
        if now >= self.next_pss:
            sample.peak_pss = max(sample.peak_pss, self.pss())
            cost = time.perf_counter() - now
            self.next_pss = time.perf_counter() + min(1.0, max(0.1, 20 * cost))

    def stop(self) -> None:
        """Terminate the tree this sampler watches (only processes this script started), then kill survivors."""
        self.refresh()
        for p in self.members:
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _, alive = psutil.wait_procs(self.members, timeout=5)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()


def measure(
    cmd: list[str], stdout: Path, interval: float, cwd: Path, timeout: float, max_memory: int,
    env: dict[str, str],
) -> tuple[float, float, int, Sample]:
    """Run cmd; return (wall s, user+sys CPU s of the tree, exit code, sampler's findings).

    The scan is stopped (and marked so) when it runs longer than timeout seconds or its
    tree's RSS sum exceeds max_memory bytes: the machine is shared.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    sample = Sample()
    with stdout.open("wb") as out, (stdout.with_suffix(".stderr")).open("wb") as err:
        t0 = time.perf_counter()
        popen = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env)
        try:
            sampler = TreeSampler(popen.pid)
            while popen.poll() is None:
                sampler.tick(sample)
                if time.perf_counter() - t0 > timeout:
                    sample.stopped = f"stopped after {timeout:.0f} s"
                elif sample.peak_rss > max_memory:
                    sample.stopped = f"stopped above {_mb(max_memory)}"
                if sample.stopped:
                    sampler.stop()
                    break
                time.sleep(interval)
        except psutil.NoSuchProcess:
            pass
        code = popen.wait()
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    sample.sampler_cpu = (self_after.ru_utime - self_before.ru_utime) + (self_after.ru_stime - self_before.ru_stime)
    return wall, cpu, code, sample


def fresh_env(home: Path) -> dict[str, str]:
    """The caller's environment with an empty HOME, TMPDIR and XDG folders in ``home``."""
    env = dict(os.environ)
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PYTHONPYCACHEPREFIX", "VIRTUAL_ENV"):
        env.pop(var, None)
    tmp = home / "tmp"
    tmp.mkdir(parents=True)
    env.update(HOME=str(home), TMPDIR=str(tmp), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_CONFIG_HOME=str(home / ".config"))
    return env


def count_findings(tool: str, stdout: Path) -> int | None:
    """Findings in a tool's JSON output (None if it cannot be read)."""
    try:
        data: Any = json.loads(stdout.read_text())
    except (OSError, ValueError):
        return None
    if tool == "regoscan":
        s = data.get("summary", {})
        return int(s.get("active", 0)) + int(s.get("suppressed", 0))
    blocks = data if isinstance(data, list) else [data]
    return sum(int(b.get("summary", {}).get("failed", 0)) for b in blocks if isinstance(b, dict))


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def regoscan_cmd(regoscan: Path, target: Path, extra: list[str] | None = None) -> list[str]:
    """regoscan over a folder or file, JSON on stdout, never failing on findings."""
    return [str(regoscan), "scan", str(target), "--format", "json", "--fail-on", "never", *(extra or [])]


def checkov_cmd(checkov: Path, target: Path) -> list[str]:
    """Checkov on the frameworks regoscan covers, JSON output, no network (issue 11's command)."""
    flag = "-f" if target.is_file() else "-d"
    return [str(checkov), flag, str(target), "--framework", "kubernetes", "dockerfile",
            "--quiet", "--compact", "-o", "json", "--skip-download"]


# ---------------------------------------------------------------------------
# Machine description
# ---------------------------------------------------------------------------


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def package_version(python: Path, dist: str) -> str:
    """Version of an installed distribution in another environment."""
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "?"


def source_state() -> str:
    """The commit the install was built from, and whether its sources differ from it (read-only git)."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", *INSTALL_SOURCES],
                           capture_output=True, text=True, check=False).stdout.strip()
    if not head:
        return "?"
    return head + (" + uncommitted changes" if dirty else "")


def machine(regoscan: Path, checkov: Path, how: str) -> dict[str, str]:
    """What the numbers were measured on."""
    rs_py = regoscan.parent / "python"
    py = subprocess.run([str(rs_py), "-c", "import platform; print(platform.python_version())"],
                        capture_output=True, text=True, check=False).stdout.strip()
    return {
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "regoscan": f"{package_version(rs_py, 'regoscan')} ({how}), Python {py or '?'}, "
                    f"regopy {package_version(rs_py, 'regopy')}",
        "regoscan source": source_state(),
        "Checkov": package_version(checkov.parent / "python", "checkov") if checkov.exists() else "not installed",
    }


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _mb(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


def _x(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a > 0 and b > 0 else "?"


def ratios(rows: dict[tuple[str, str], Row], sizes: list[int]) -> list[tuple[str, str, str, str]]:
    """The issue's targets, judged on this run: (target, measured, goal, met?)."""
    out: list[tuple[str, str, str, str]] = []

    def get(scenario: str, tool: str) -> Row | None:
        row = rows.get((scenario, tool))
        # a run that failed (a scan of a missing file exits 2 in no time) measures nothing
        ok = row is not None and row.runs and not row.stopped and all(r.exit_code in (0, 1) for r in row.runs)
        return row if ok else None

    rs, ck = get(COLD, "regoscan"), get(COLD, "checkov")
    if rs and ck:
        r = ck.median("wall") / rs.median("wall")
        out.append(("cold corpus scan, Checkov wall / regoscan wall", f"{r:.2f}x", ">= 4x", _met(r >= 4)))
        c = ck.median("cpu") / rs.median("cpu")
        out.append(("cold corpus scan, Checkov CPU / regoscan CPU", f"{c:.2f}x", "(CPU: less load-sensitive)", ""))
        out.append(("peak memory of the process tree (RSS sum), cold corpus",
                    f"{_mb(rs.median('peak_rss'))} vs {_mb(ck.median('peak_rss'))}", "below Checkov's",
                    _met(rs.median("peak_rss") < ck.median("peak_rss"))))
    one = get(ONE, "regoscan")
    if one:
        w = one.median("wall")
        ck1 = get(ONE, "checkov")
        vs = f" (Checkov {ck1.median('wall'):.2f} s)" if ck1 else ""
        out.append(("one changed file, wall (start-up included)", f"{w:.2f} s{vs}", "< 0.5 s", _met(w < 0.5)))
    warm = get(WARM, "regoscan")
    if warm and ck:
        r = ck.median("wall") / warm.median("wall")
        out.append(("warm scan (--cache-dir), Checkov cold wall / regoscan warm wall", f"{r:.1f}x", ">= 20x",
                    _met(r >= 20)))
    for n in sizes:
        big = get(f"corpus x{n}", "regoscan")
        if big and rs:
            per = (big.median("cpu") / big.files) / (rs.median("cpu") / rs.files)
            out.append((f"growth: CPU per file at x{n} / at x1", f"{per:.2f}", "<= 1.25 (linear)", _met(per <= 1.25)))
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(rows: list[Row], info: dict[str, str], argv: list[str], started: datetime, sizes: list[int],
           files_in_corpus: int, corpus: Path) -> str:
    """Markdown: machine and load, the side-by-side table, the ratios, every run, the commands."""
    lines = [MARKER, "", f"## Run of {started.strftime('%Y-%m-%d %H:%M UTC')}", ""]
    lines += ["```sh", shlex.join(argv), "```", ""]
    measured = [r for row in rows for r in row.runs]
    busy = [r.busy for r in measured]
    loads = [r.load1 for r in measured]
    info = {**info, "corpus": f"{corpus} ({files_in_corpus} files)"}
    if busy:
        info["load while measuring"] = (
            f"other processes kept the CPUs {statistics.median(busy):.0f}% busy (median over the 2 s before "
            f"each run; max {max(busy):.0f}%); 1-minute load average {min(loads):.1f}-{max(loads):.1f}")
    lines += ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in info.items()), ""]

    by = {(row.scenario, row.tool): row for row in rows}
    lines += ["### Targets", "", "| target | measured | goal | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ratios(by, sizes)]
    lines += ["", "### Medians", ""]
    lines += ["| scenario | tool | files | wall | CPU (user+sys) | peak RSS sum (tree) | peak PSS (tree) "
              "| findings | runs |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        if row.skipped or not row.runs:
            lines.append(f"| {row.scenario} | {row.tool} | {row.files} | | | | | | skipped: {row.skipped} |")
            continue
        stop = f" ({row.stopped}: lower bounds)" if row.stopped else ""
        codes = sorted({r.exit_code for r in row.runs} - {0, 1})
        bad = f" (exit {codes})" if codes else ""
        found = sorted({r.findings for r in row.runs if r.findings is not None})
        lines.append(
            f"| {row.scenario} | {row.tool}{bad} | {row.files} | {row.median('wall'):.2f} s{stop} "
            f"| {row.median('cpu'):.2f} s | {_mb(row.median('peak_rss'))} | {_mb(row.median('peak_pss'))} "
            f"| {', '.join(map(str, found)) or '?'} | {len(row.runs)} |")
    lines += ["", "### Every run (the tools alternated run by run)", ""]
    lines += ["| scenario | tool | wall | CPU | peak RSS sum | CPUs busy before | load1 |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        for r in row.runs:
            lines.append(f"| {row.scenario} | {row.tool} | {r.wall:.2f} s | {r.cpu:.2f} s | {_mb(r.peak_rss)} "
                         f"| {r.busy:.0f}% | {r.load1:.2f} |")
    lines += ["", "Commands (each run with a fresh, empty HOME and TMPDIR):", "", "```sh"]
    lines += [shlex.join(row.command) for row in rows if row.command]
    lines += ["```", ""]
    return "\n".join(lines)


def write_results(path: Path, text: str) -> None:
    """Replace the generated part of RESULTS.md, keeping the hand-written part above the marker."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    head = old.split(MARKER)[0] if MARKER in old else "# Benchmark results\n\n"
    path.write_text(head + text, encoding="utf-8")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=None,
                    help=f"corpus folder (default: {DEFAULT_CORPUS} when it exists, else a synthetic corpus "
                         "written by bench/make_corpus.py into bench/work/synthetic-corpus)")
    ap.add_argument("--regoscan", type=Path, default=None,
                    help="regoscan executable (default: a regular install of this repository, bench/work/install)")
    ap.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="checkov executable (bench/.venv)")
    ap.add_argument("--tools", default="regoscan,checkov", help="tools measured (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs per tool of the corpus, one-file and warm scenarios (default: %(default)s)")
    ap.add_argument("--sizes", default="10",
                    help="growth: corpus copies, comma-separated, '' for none (default: %(default)s)")
    ap.add_argument("--size-repeat", type=int, default=1, help="runs per tool of each growth size (default: 1)")
    ap.add_argument("--one-file", default=DEFAULT_ONE_FILE,
                    help="corpus-relative file of the one-file scenario (default: %(default)s)")
    ap.add_argument("--scenarios", default="cold,one,warm,growth",
                    help="which scenarios to run (default: %(default)s)")
    ap.add_argument("--interval", type=float, default=0.02, help="memory sampling period in s (default: 0.02)")
    ap.add_argument("--max-busy", type=float, default=20.0,
                    help="before each run, wait while others keep the CPUs this %% busy (default: %(default)s)")
    ap.add_argument("--load-wait", type=float, default=30,
                    help="longest wait for quiet CPUs before a run, in s (default: %(default)s)")
    ap.add_argument("--scan-timeout", type=float, default=1800, help="stop a scan after this many s")
    ap.add_argument("--max-memory", type=float, default=12, help="stop a scan above this many GiB (RSS sum)")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (default: %(default)s)")
    ap.add_argument("--no-write", action="store_true", help="print the results only; leave --out alone")
    args = ap.parse_args(argv)

    corpus = default_corpus() if args.corpus is None else args.corpus.resolve()
    if not corpus.is_dir():
        ap.error(f"no corpus at {corpus}. The benchmark scans a folder of Kubernetes manifests and Dockerfiles: "
                 "the shared corpus (set REGOSCAN_SHARED_DIR to the folder holding corpus/, or --corpus), or, "
                 "without --corpus, a synthetic one written by bench/make_corpus.py")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    scenarios = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()] if "growth" in scenarios else []
    args.work.mkdir(parents=True, exist_ok=True)
    if args.regoscan is None:
        regoscan = installed_regoscan(args.work, sys.executable)
        how = "regular install of this repository in bench/work/install"
    else:
        regoscan = args.regoscan.absolute()
        how = f"{regoscan}"
    exe = {"regoscan": regoscan, "checkov": args.checkov}
    for t in tools:
        if t not in exe:
            ap.error(f"unknown tool {t!r}")
        if not exe[t].exists():
            ap.error(f"{exe[t]} not found (Checkov: make bench, or see bench/README.md)")
    outdir = args.work / "out"
    outdir.mkdir(exist_ok=True)
    homes = args.work / "homes"
    started = datetime.now(UTC)
    files = corpus_files(corpus)
    one = corpus / args.one_file
    if not one.is_file():  # the synthetic corpus has other names: its first manifest
        one = next((f for f in files if f.suffix in (".yaml", ".yml")), one)
        print(f"{args.one_file} is not in the corpus: the one-file scenario scans {one}", file=sys.stderr)
    print(f"corpus: {len(files)} files; regoscan: {regoscan}", file=sys.stderr)

    rows: list[Row] = []

    def row_for(tool: str, scenario: str, cmd: list[str], nfiles: int) -> Row:
        row = Row(tool, scenario, nfiles, cmd)
        rows.append(row)
        return row

    def run_once(row: Row, i: int) -> None:
        load, busy = wait_for_quiet(args.max_busy, args.load_wait)
        slug = f"{row.scenario}-{row.tool}-{i}".replace(" ", "-").replace("(", "").replace(")", "").replace(",", "")
        homes.mkdir(exist_ok=True)
        home = Path(tempfile.mkdtemp(prefix="home-", dir=homes))
        try:
            wall, cpu, code, smp = measure(row.command, outdir / f"{slug}.json", args.interval, REPO,
                                           args.scan_timeout, int(args.max_memory * 2**30), fresh_env(home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        found = None if smp.stopped else count_findings(row.tool, outdir / f"{slug}.json")
        row.runs.append(Run(wall, cpu, smp.peak_rss, smp.peak_pss, code, found, busy, load, smp.sampler_cpu,
                            smp.stopped))
        print(f"{row.scenario} / {row.tool} #{i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {_mb(smp.peak_rss)} "
              f"RSS, {found} findings, exit {code} (before: {busy:.0f}% busy, load {load:.2f}) {smp.stopped}",
              file=sys.stderr)

    def alternate(pairs: list[Row], repeat: int) -> None:
        for i in range(repeat):
            for row in pairs:
                run_once(row, i)

    def cmd(tool: str, target: Path) -> list[str]:
        return regoscan_cmd(exe[tool], target) if tool == "regoscan" else checkov_cmd(exe[tool], target)

    if "cold" in scenarios:
        alternate([row_for(t, COLD, cmd(t, corpus), len(files)) for t in tools], args.repeat)
    if "one" in scenarios:
        alternate([row_for(t, ONE, cmd(t, one), 1) for t in tools], args.repeat)
    if "warm" in scenarios and "regoscan" in tools:
        cache = args.work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        warm = row_for("regoscan", WARM, regoscan_cmd(regoscan, corpus, ["--cache-dir", str(cache)]), len(files))
        print("filling the result cache: " + shlex.join(warm.command), file=sys.stderr)
        subprocess.run(warm.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        alternate([warm], args.repeat)
    if sizes:
        fp = fingerprint(corpus, files)
        for n in sizes:
            root = synthetic_repo(corpus, files, args.work, n, fp)
            alternate([row_for(t, f"corpus x{n}", cmd(t, root), n * len(files)) for t in tools], args.size_repeat)

    info = machine(regoscan, args.checkov, how)
    shown = ["bench/.venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]
    text = render(rows, info, shown, started, sizes, len(files), corpus)
    print(text)
    if not args.no_write:
        write_results(args.out, text)
        print(f"wrote {args.out}", file=sys.stderr)
    return 1 if any(r.exit_code not in (0, 1) for row in rows for r in row.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
