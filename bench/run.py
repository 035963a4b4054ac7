"""Benchmark regoscan against Checkov, side by side, on the corpus and larger copies of it.

Why (issue 7): the Action runs on every push, so its minutes are the users' minutes. The
targets (4x faster than Checkov on the corpus with less peak memory, 20x with the result
cache, linear growth, a one-file scan under a second) are only meaningful when both
tools are measured by the same script, on the same machine, in the same run. This is
that script.

What it measures, for each scan:
  * wall time (time.perf_counter around the child);
  * CPU time: user+sys of the child process tree, as the delta of
    resource.getrusage(RUSAGE_CHILDREN) (children and the workers they wait for);
  * peak memory: the highest *sum* over the child and all its descendants. regoscan
    runs worker processes and Checkov forks some, and what a CI runner must hold is the
    tree's total, not the largest single process (all that /usr/bin/time -v reports).
    Two sums: PSS (shared pages divided among their sharers: the real total, used for
    the ratios) and RSS (shared pages counted in every process: an upper bound). psutil
    samples RSS every --interval (20 ms) and PSS, which costs more to read, as often as
    keeps the sampler under about 5% of a core (see TreeSampler). The sampler's own CPU
    time is reported beside each scan, since it shares the 2 cores with the scan;
  * findings: regoscan's active+suppressed findings, Checkov's FAILED results, and
    findings per second of wall time.

Scans: (a) the corpus in place; (b) synthetic repositories of N copies of it, in
bench/work/synthetic-xN/copy-NNN/ (git-ignored). Each copy gets a trailing comment
(whitespace for JSON) naming the copy, so no two files have the same content: a cache
keyed by content hash cannot make a copy free, and the cold numbers stay cold. The
copies are rebuilt only when the corpus changes (a fingerprint of paths and
contents is stored beside them), so repeated runs read identical trees. Then a one-file
scan of both tools (start-up cost), and a second regoscan scan of the unchanged corpus
with its result cache, when `regoscan scan --help` offers --cache-dir (otherwise that row
says why it is missing).

A scan is stopped, and marked as such with lower-bound numbers, after --scan-timeout
seconds or above --max-memory GiB: the machine is shared.

Both tools write JSON to a file (what a CI job would keep); Checkov runs with
--skip-download so that it does not try to reach its vendor's API (there is no network
here, and a failing lookup would be timed as if it were scanning).

The machine has 2 cores and other developers may be running tests on it: before every
scan the script measures how busy the CPUs are over 2 s (other people's work, since no
scan of ours is running) and waits, up to --load-wait seconds, while that is above
--max-busy percent; the busy figure and the 1-minute load average are recorded in the
scan's row, so a contended number can be recognised and the run repeated.

Usage, from the repository root, with the benchmark's environment (requirements.txt):

    bench/.venv/bin/python bench/run.py                    # sizes 10 and 50, write RESULTS.md
    bench/.venv/bin/python bench/run.py --sizes 10 --no-write
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
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPUS = (REPO.parent / "shared" / "corpus").resolve()
DEFAULT_REGOSCAN = REPO / ".venv" / "bin" / "regoscan"
DEFAULT_CHECKOV = BENCH / ".venv" / "bin" / "checkov"
DEFAULT_WORK = BENCH / "work"
DEFAULT_OUT = BENCH / "RESULTS.md"
# Part of the synthetic copies' fingerprint: change it when marked_copy() changes, so
# that existing copies are rebuilt.
COPY_FORMAT = b"marked-copy-v1\n"
# A typical single-file PR: one Deployment with one container.
DEFAULT_ONE_FILE = "microservices-demo/kubernetes-manifests/frontend.yaml"


@dataclass
class Measurement:
    """One timed scan."""

    tool: str
    scenario: str
    files: int
    wall: float
    cpu: float
    peak_pss: int
    peak_rss: int
    findings: int | None
    exit_code: int
    load1: float
    busy: float
    command: list[str]
    runs: list[float] = field(default_factory=list)
    sampler_cpu: float = 0.0
    stopped: str = ""

    @property
    def findings_per_s(self) -> float | None:
        """Findings reported per second of wall time."""
        return None if self.findings is None or self.wall <= 0 else self.findings / self.wall


@dataclass
class Skipped:
    """A row that could not be measured, with the reason."""

    tool: str
    scenario: str
    reason: str


# ---------------------------------------------------------------------------
# Synthetic repositories
# ---------------------------------------------------------------------------


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
# Measuring one process tree
# ---------------------------------------------------------------------------


def wait_for_quiet(max_busy: float, max_wait: float) -> tuple[float, float]:
    """Wait until other processes leave the CPUs mostly idle; return (load1, busy %).

    Busy is the machine-wide CPU use over 2 s, measured while no scan of ours runs, so it
    is other people's work. (The load average would also count our own previous scan for
    a minute after it ended.) Waits at most max_wait seconds, then goes on.
    """
    deadline = time.monotonic() + max_wait
    busy = psutil.cpu_percent(interval=2.0)
    while busy > max_busy and time.monotonic() < deadline:
        print(f"  CPUs {busy:.0f}% busy (> {max_busy:.0f}%): waiting", file=sys.stderr)
        time.sleep(8)
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
    cmd: list[str], stdout: Path, interval: float, cwd: Path, timeout: float, max_memory: int
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
        popen = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
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
    """Checkov on the same frameworks regoscan covers (issue 7's command), JSON output."""
    flag = "-f" if target.is_file() else "-d"
    return [
        str(checkov),
        flag,
        str(target),
        "--framework",
        "kubernetes",
        "dockerfile",
        "-o",
        "json",
        "--quiet",
        "--skip-download",
    ]


def has_cache_option(regoscan: Path) -> bool:
    """True if this regoscan's `scan --help` offers --cache-dir (the result cache of issue 7)."""
    proc = subprocess.run([str(regoscan), "scan", "--help"], capture_output=True, text=True, check=False)
    return "--cache-dir" in proc.stdout


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


def python_of(executable: Path) -> Path:
    """The python interpreter beside a console script (its venv's)."""
    return executable.parent / "python"


def package_version(python: Path, dist: str) -> str:
    """Version of an installed distribution in another environment."""
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "?"


def source_state() -> str:
    """The commit regoscan runs from, and whether src/ or policies/ differ from it (read-only git).

    regoscan is installed in editable mode, so the numbers belong to the working tree at
    the time of the run, which other developers may be changing.
    """
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "policies"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not head:
        return "?"
    return head + (" + uncommitted changes in src/ or policies/" if dirty else "")


def machine(regoscan: Path, checkov: Path, source: str) -> dict[str, str]:
    """What the numbers were measured on."""
    rs_py = python_of(regoscan)
    py = subprocess.run(
        [str(rs_py), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python (regoscan)": py or "?",
        "regoscan": package_version(rs_py, "regoscan"),
        "regoscan source (at run start)": source,
        "regopy": package_version(rs_py, "regopy"),
        "Checkov": package_version(python_of(checkov), "checkov"),
    }


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def _ratio(a: float | None, b: float | None) -> str:
    return "" if not a or not b else f"{a / b:.2f}x"


def is_size_scenario(scenario: str) -> bool:
    """True for the cold scans of the corpus and of its synthetic copies (the growth series)."""
    return scenario == "1x corpus" or scenario.endswith("x synthetic")


def targets(by: dict[tuple[str, str], Measurement]) -> list[str]:
    """Issue 7's targets, each marked met / not met / not measured from this run's rows."""
    rows: list[tuple[str, str, str]] = []

    def pair(scenario: str) -> tuple[Measurement | None, Measurement | None]:
        return by.get((scenario, "regoscan")), by.get((scenario, "checkov"))

    rs, ck = pair("1x corpus")
    if rs and ck:
        r = ck.wall / rs.wall
        rows.append(("corpus: >= 4x faster than Checkov (wall)", f"{r:.2f}x", "met" if r >= 4 else "not met"))
        rows.append(
            (
                "corpus: peak memory below Checkov's (PSS of the tree)",
                f"{_mb(rs.peak_pss)} vs {_mb(ck.peak_pss)}",
                "met" if rs.peak_pss < ck.peak_pss else "not met",
            )
        )
    cached = by.get(("1x corpus, second scan (cache)", "regoscan"))
    if cached and ck:
        r = ck.wall / cached.wall
        rows.append(
            ("second scan with the cache: >= 20x faster than Checkov", f"{r:.1f}x", "met" if r >= 20 else "not met")
        )
    else:
        rows.append(("second scan with the cache: >= 20x faster than Checkov", "", "not measured (no cache yet)"))
    grow = sorted((m.files, m.wall) for (sc, tool), m in by.items() if tool == "regoscan" and is_size_scenario(sc))
    if len(grow) > 1:
        per = [w / f for f, w in grow]
        spread = max(per) / min(per)
        rows.append(
            (
                "cost linear in the number of files (wall per file, largest / smallest)",
                f"{spread:.2f}",
                "met" if spread <= 1.25 else "not met",
            )
        )
    one = by.get(("one file", "regoscan"))
    if one:
        rows.append(
            (
                "one-file scan under 1 s wall (start-up included)",
                f"{one.wall:.2f} s",
                "met" if one.wall < 1 else "not met",
            )
        )
    out = ["Issue 7 targets, judged on this run:\n", "| target | measured | |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out.append("")
    return out


def render(
    results: list[Measurement | Skipped],
    info: dict[str, str],
    argv: list[str],
    started: datetime,
    load_start: tuple[float, float, float],
    files_in_corpus: int,
) -> str:
    """Markdown: machine, command, the side-by-side table and the ratios."""
    lines: list[str] = []
    lines.append(f"## Run of {started.strftime('%Y-%m-%d %H:%M UTC')}\n")
    lines.append("```sh\n" + shlex.join(argv) + "\n```\n")
    lines.append("| machine | |\n|---|---|")
    for k, v in info.items():
        lines.append(f"| {k} | {v} |")
    lines.append(
        f"| load average at start (1/5/15 min) | {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} |"
    )
    lines.append(f"| corpus | {files_in_corpus} files |\n")

    lines.append(
        "| scenario | tool | files | wall | CPU (user+sys) | peak PSS (tree) | peak RSS sum (tree) "
        "| findings | findings/s "
        "| before: load1, CPUs busy | sampler CPU | runs (wall) / note |"
    )
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|")
    for r in results:
        if isinstance(r, Skipped):
            lines.append(f"| {r.scenario} | {r.tool} | | | | | | | | | | skipped: {r.reason} |")
            continue
        fps = r.findings_per_s
        runs = ", ".join(f"{w:.2f}" for w in r.runs) if len(r.runs) > 1 else ""
        if r.stopped:
            runs = f"{r.stopped}: wall and CPU are lower bounds {runs}".strip()
        code = "" if r.exit_code in (0, 1) or r.stopped else f" (exit {r.exit_code})"
        wall = f"> {r.wall:.0f} s" if r.stopped else f"{r.wall:.2f} s"
        lines.append(
            f"| {r.scenario} | {r.tool}{code} | {r.files} | {wall} | {r.cpu:.2f} s | {_mb(r.peak_pss)} "
            f"| {_mb(r.peak_rss)} "
            f"| {r.findings if r.findings is not None else '?'} | {f'{fps:.0f}' if fps else ''} "
            f"| {r.load1:.2f}, {r.busy:.0f}% | {r.sampler_cpu:.2f} s | {runs} |"
        )

    lines.append("\nCheckov / regoscan (above 1: regoscan is better):\n")
    lines.append("| scenario | wall | CPU | peak PSS | peak RSS sum |\n|---|---:|---:|---:|---:|")
    by: dict[tuple[str, str], Measurement] = {(r.scenario, r.tool): r for r in results if isinstance(r, Measurement)}
    for scenario in dict.fromkeys(r.scenario for r in results):
        ck, rs = by.get((scenario, "checkov")), by.get((scenario, "regoscan"))
        if ck and rs:
            lines.append(
                f"| {scenario} | {'> ' if ck.stopped else ''}{_ratio(ck.wall, rs.wall)} "
                f"| {'(stopped)' if ck.stopped else _ratio(ck.cpu, rs.cpu)} "
                f"| {'> ' if ck.stopped else ''}{_ratio(ck.peak_pss, rs.peak_pss)} "
                f"| {'> ' if ck.stopped else ''}{_ratio(ck.peak_rss, rs.peak_rss)} |"
            )
    lines.append("")

    growth = [
        (r.files, r.wall, r.tool, r.stopped)
        for r in results
        if isinstance(r, Measurement) and is_size_scenario(r.scenario)
    ]
    if growth:
        lines.append("Wall time per 1,000 files (linear growth keeps this flat):\n")
        lines.append(
            "| tool | "
            + " | ".join(sorted({f"{f} files" for f, _, _, _ in growth}, key=lambda s: int(s.split()[0])))
            + " |"
        )
        sizes = sorted({f for f, _, _, _ in growth})
        lines.append("|---|" + "---:|" * len(sizes))
        for tool in ("regoscan", "checkov"):
            cells = []
            for size in sizes:
                hit = next(((w, st) for f, w, t, st in growth if t == tool and f == size), None)
                cells.append("" if hit is None else f"{'> ' if hit[1] else ''}{1000 * hit[0] / size:.2f} s")
            lines.append(f"| {tool} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.extend(targets(by))
    lines.append("Commands (one per tool and scenario):\n")
    lines.append("```sh")
    for r in results:
        if isinstance(r, Measurement):
            lines.append(shlex.join(r.command))
    lines.append("```\n")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder (default: %(default)s)")
    ap.add_argument("--regoscan", type=Path, default=DEFAULT_REGOSCAN, help="regoscan executable")
    ap.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="checkov executable (bench/.venv)")
    ap.add_argument(
        "--sizes",
        default="10,50",
        help="synthetic repository sizes, in copies of the corpus, comma-separated; '' for none "
        "(default: %(default)s; the corpus itself, 1x, always runs)",
    )
    ap.add_argument("--tools", default="regoscan,checkov", help="tools measured (default: %(default)s)")
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per scan; the row shows the median wall run (default: %(default)s)"
    )
    ap.add_argument(
        "--one-file", default=DEFAULT_ONE_FILE, help="corpus-relative file for the start-up scan (default: %(default)s)"
    )
    ap.add_argument(
        "--corpus-repeat",
        type=int,
        default=3,
        help="runs of the 1x corpus scans, which the targets are judged on (median shown; default: %(default)s)",
    )
    ap.add_argument(
        "--one-file-repeat",
        type=int,
        default=3,
        help="runs of the one-file scan (start-up varies most; median shown; default: %(default)s)",
    )
    ap.add_argument("--interval", type=float, default=0.02, help="RSS sampling period in s (default: %(default)s)")
    ap.add_argument(
        "--max-busy",
        type=float,
        default=20.0,
        help="before each scan, wait while other processes keep the CPUs more than this %% busy (default: %(default)s)",
    )
    ap.add_argument(
        "--load-wait", type=float, default=120, help="longest wait for the CPUs to quieten, in s (default: %(default)s)"
    )
    ap.add_argument(
        "--scan-timeout",
        type=float,
        default=1800,
        help="stop a scan (and mark it) after this many seconds (default: %(default)s)",
    )
    ap.add_argument(
        "--max-memory",
        type=float,
        default=12,
        help="stop a scan whose process tree holds more than this many GiB (RSS sum; the machine "
        "is shared; default: %(default)s)",
    )
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (default: %(default)s)")
    ap.add_argument("--no-write", action="store_true", help="print the table only; do not append to --out")
    args = ap.parse_args(argv)

    corpus = args.corpus.resolve()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    exe = {"regoscan": args.regoscan, "checkov": args.checkov}
    for t in tools:
        if t not in exe:
            ap.error(f"unknown tool {t!r}")
        if not exe[t].exists():
            ap.error(f"{exe[t]} not found (see bench/requirements.txt for Checkov's environment)")
    args.work.mkdir(parents=True, exist_ok=True)
    outdir = args.work / "out"
    outdir.mkdir(exist_ok=True)

    source = source_state()
    started = datetime.now(UTC)
    load_start = os.getloadavg()
    files = corpus_files(corpus)
    fp = fingerprint(corpus, files)
    print(f"corpus: {len(files)} files; load average {load_start[0]:.2f}", file=sys.stderr)

    scenarios: list[tuple[str, Path, int]] = [("1x corpus", corpus, len(files))]
    for n in sizes:
        root = synthetic_repo(corpus, files, args.work, n, fp)
        scenarios.append((f"{n}x synthetic", root, n * len(files)))
    one = corpus / args.one_file
    results: list[Measurement | Skipped] = []

    def run(tool: str, scenario: str, cmd: list[str], nfiles: int, repeat: int) -> Measurement:
        runs: list[Measurement] = []
        for i in range(repeat):
            load, busy = wait_for_quiet(args.max_busy, args.load_wait)
            slug = f"{scenario.replace(' ', '-')}-{tool}-{i}"
            stdout = outdir / f"{slug}.json"
            print(
                f"{scenario} / {tool} (run {i + 1}/{repeat}, load {load:.2f}, {busy:.0f}% busy): {shlex.join(cmd)}",
                file=sys.stderr,
            )
            wall, cpu, code, smp = measure(
                cmd, stdout, args.interval, REPO, args.scan_timeout, int(args.max_memory * 2**30)
            )
            m = Measurement(
                tool,
                scenario,
                nfiles,
                wall,
                cpu,
                smp.peak_pss,
                smp.peak_rss,
                None if smp.stopped else count_findings(tool, stdout),
                code,
                load,
                busy,
                cmd,
                sampler_cpu=smp.sampler_cpu,
                stopped=smp.stopped,
            )
            print(
                f"  {wall:.2f} s wall, {cpu:.2f} s CPU, {_mb(smp.peak_pss)} peak PSS ({_mb(smp.peak_rss)} RSS sum), "
                f"{m.findings} findings, exit {code}, sampler {smp.sampler_cpu:.2f} s CPU {smp.stopped}",
                file=sys.stderr,
            )
            runs.append(m)
        walls = [m.wall for m in runs]
        median = sorted(runs, key=lambda m: m.wall)[len(runs) // 2]
        median.runs = walls
        results.append(median)
        return median

    for scenario, target, nfiles in scenarios:
        for tool in tools:
            cmd = regoscan_cmd(exe[tool], target) if tool == "regoscan" else checkov_cmd(exe[tool], target)
            reps = max(args.repeat, args.corpus_repeat) if target == corpus else args.repeat
            run(tool, scenario, cmd, nfiles, reps)

    for tool in tools:
        cmd = regoscan_cmd(exe[tool], one) if tool == "regoscan" else checkov_cmd(exe[tool], one)
        run(tool, "one file", cmd, 1, max(args.repeat, args.one_file_repeat))

    if "regoscan" in tools:
        if has_cache_option(args.regoscan):
            cache = args.work / "cache"
            if cache.exists():
                shutil.rmtree(cache)
            fill = regoscan_cmd(args.regoscan, corpus, ["--cache-dir", str(cache)])
            print("filling the result cache: " + shlex.join(fill), file=sys.stderr)
            subprocess.run(fill, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            run("regoscan", "1x corpus, second scan (cache)", fill, len(files), args.repeat)
        else:
            results.append(
                Skipped(
                    "regoscan",
                    "1x corpus, second scan (cache)",
                    "this regoscan has no --cache-dir option yet (issue 7, part 3)",
                )
            )

    info = machine(args.regoscan, args.checkov, source)
    shown_argv = ["bench/.venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]
    text = render(results, info, shown_argv, started, load_start, len(files))
    print(text)
    if not args.no_write:
        header = (
            ""
            if args.out.exists()
            else (
                "# Benchmark results\n\nWritten by `bench/run.py` (see its docstring for what is measured and how). "
                "Newest run last.\n\n"
            )
        )
        with args.out.open("a") as fh:
            fh.write(header + text + "\n")
        print(f"appended to {args.out}", file=sys.stderr)
    if any(isinstance(r, Measurement) and r.exit_code not in (0, 1) for r in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
