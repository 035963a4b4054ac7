"""Compare regoscan's built-in checks with Checkov's closest checks on a real corpus.

Why: users move to regoscan only if it catches what they already catch (issue 3 part 3).
Counting both tools' findings per check on the same files shows where a check of ours
fires much more or much less than its Checkov counterpart; each such gap is then read on
concrete files and explained (different granularity, different kinds, different
condition) or reported as a bug in our check.

Counting: regoscan reports a finding per offending node (often one per container);
Checkov reports one FAILED result per resource (one per file for a Dockerfile, one per
instruction for some Dockerfile checks). So the table gives regoscan's findings *and*
the distinct resources they fall on, and compares resources, keyed by (file, kind, name)
for Kubernetes and by file for Dockerfiles.

Run it from the repository root with the benchmark's environment (see requirements.txt):

    bench/.venv/bin/python bench/compare_checkov.py

It runs both scanners (or reads saved JSON with --regoscan-json/--checkov-json), reads
the mapping and the notes from bench/checkov_map.yaml, and writes
bench/CHECKOV-COMPARISON.md. --gaps prints, per mapped pair, example resources that
only one tool flags: the starting point for investigating a gap.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPUS = Path(os.environ.get("REGOSCAN_SHARED_DIR") or REPO.parent / "shared").resolve() / "corpus"
DEFAULT_REGOSCAN = REPO / ".venv" / "bin" / "regoscan"
DEFAULT_CHECKOV = BENCH / ".venv" / "bin" / "checkov"
DEFAULT_MAP = BENCH / "checkov_map.yaml"
DEFAULT_OUT = BENCH / "CHECKOV-COMPARISON.md"
DEFAULT_SAVE = BENCH / "work" / "compare"

# (relative path, kind, name); kind and name are "" for a Dockerfile.
ResourceKey = tuple[str, str, str]

_REGOSCAN_RESOURCE = re.compile(r"^(?P<kind>\S+) '(?P<name>.*)'$")


@dataclass
class CheckCounts:
    """Findings of one check of one tool: raw count and the resources they fall on."""

    findings: int = 0
    resources: set[ResourceKey] = field(default_factory=set)


@dataclass
class ToolResult:
    """Parsed output of one scanner run."""

    counts: dict[str, CheckCounts]
    titles: dict[str, str]


def regoscan_command(regoscan: Path, corpus: Path) -> list[str]:
    """The regoscan invocation compared (also printed at the top of the report)."""
    return [str(regoscan), "scan", str(corpus), "--format", "json", "--fail-on", "never"]


def checkov_command(checkov: Path, corpus: Path) -> list[str]:
    """The Checkov invocation compared: JSON output, failed checks only (--quiet)."""
    return [
        str(checkov),
        "-d",
        str(corpus),
        "--framework",
        "kubernetes",
        "dockerfile",
        "-o",
        "json",
        "--quiet",
        "--skip-download",
    ]


def run_json(cmd: list[str], ok_codes: tuple[int, ...], save: Path | None) -> Any:
    """Run a scanner, check its exit code, optionally keep its stdout, and parse it as JSON."""
    print("+ " + shlex.join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in ok_codes:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}")
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        save.write_text(proc.stdout)
    return json.loads(proc.stdout)


def relative(path: str, corpus: Path) -> str:
    """A finding's file relative to the corpus (regoscan gives absolute paths, Checkov '/rel')."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(corpus).as_posix()
        except ValueError:
            return path.lstrip("/")
    return p.as_posix()


def parse_regoscan(report: dict[str, Any], corpus: Path) -> ToolResult:
    """Count regoscan's active findings per check id and the resources they are on."""
    counts: dict[str, CheckCounts] = defaultdict(CheckCounts)
    for f in report["findings"]:
        if f.get("suppressed"):
            continue
        rel = relative(f["path"], corpus)
        m = _REGOSCAN_RESOURCE.match(f.get("resource") or "")
        key: ResourceKey = (rel, m["kind"], m["name"]) if m else (rel, "", "")
        c = counts[f["check_id"]]
        c.findings += 1
        c.resources.add(key)
    titles = {c["id"]: c["title"] for c in report["checks"]}
    return ToolResult(dict(counts), titles)


def parse_checkov(report: Any, corpus: Path) -> ToolResult:
    """Count Checkov's FAILED results per check id and the resources they are on.

    Checkov prints one object per framework, or a bare object when only one ran.
    """
    counts: dict[str, CheckCounts] = defaultdict(CheckCounts)
    titles: dict[str, str] = {}
    for block in report if isinstance(report, list) else [report]:
        kube = block.get("check_type") == "kubernetes"
        for f in block.get("results", {}).get("failed_checks", []):
            rel = relative(f["file_path"], corpus)
            key: ResourceKey = (rel, "", "")
            if kube:
                parts = str(f["resource"]).split(".", 2)
                if len(parts) == 3:
                    key = (rel, parts[0], parts[2])
            c = counts[f["check_id"]]
            c.findings += 1
            c.resources.add(key)
            titles[f["check_id"]] = f["check_name"]
    return ToolResult(dict(counts), titles)


def checkov_titles(checkov: Path) -> dict[str, str]:
    """Titles of every Kubernetes and Dockerfile check Checkov has (from `checkov -l`)."""
    cmd = [str(checkov), "-l", "--framework", "kubernetes", "dockerfile"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    titles: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5 and cells[2].startswith("CKV"):
            titles.setdefault(cells[2], cells[5])
    return titles


def load_map(path: Path) -> dict[str, Any]:
    """Read bench/checkov_map.yaml (rows per regoscan check, plus free-text sections)."""
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
        raise SystemExit(f"{path}: expected a mapping with a 'checks' mapping")
    return data


def _sort_key(check_id: str) -> tuple[str, str]:
    """DS before KSV, then Trivy's own order (KSV0108 after KSV010: compare as strings)."""
    return (check_id.rstrip("0123456789"), check_id)


def _cell(text: str) -> str:
    """Make text safe inside one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _describe(key: ResourceKey) -> str:
    """`path` (Kind name) for an example resource."""
    rel, kind, name = key
    return f"`{rel}` ({kind} {name})" if kind else f"`{rel}`"


@dataclass
class Row:
    """One table row: a regoscan check beside its closest Checkov check(s)."""

    check_id: str
    title: str
    ours: CheckCounts
    checkov_ids: list[str]
    theirs: CheckCounts
    note: str

    @property
    def only_ours(self) -> set[ResourceKey]:
        """Resources regoscan flags and none of the mapped Checkov checks do."""
        return self.ours.resources - self.theirs.resources

    @property
    def only_theirs(self) -> set[ResourceKey]:
        """Resources a mapped Checkov check flags and regoscan's check does not."""
        return self.theirs.resources - self.ours.resources


def build_rows(ours: ToolResult, theirs: ToolResult, mapping: dict[str, Any]) -> list[Row]:
    """Join regoscan's checks (every loaded one, even with no finding) with the mapping."""
    rows: list[Row] = []
    ids = set(ours.titles) | set(ours.counts)
    for cid in sorted(ids, key=_sort_key):
        entry = mapping["checks"].get(cid) or {}
        ck = entry.get("checkov") or []
        ck_ids = [ck] if isinstance(ck, str) else list(ck)
        merged = CheckCounts()
        for k in ck_ids:
            c = theirs.counts.get(k)
            if c:
                merged.findings += c.findings
                merged.resources |= c.resources
        parts = [entry.get("reason", ""), entry.get("note", "")]
        if cid not in mapping["checks"]:
            parts = ["(not in checkov_map.yaml)"]
        rows.append(
            Row(
                cid,
                ours.titles.get(cid, ""),
                ours.counts.get(cid, CheckCounts()),
                ck_ids,
                merged,
                " ".join(p.strip() for p in parts if p and p.strip()),
            )
        )
    return rows


def render(
    rows: list[Row],
    ours: ToolResult,
    theirs: ToolResult,
    titles: dict[str, str],
    mapping: dict[str, Any],
    commands: list[str],
    versions: dict[str, str],
) -> str:
    """The whole Markdown report."""
    out: list[str] = []
    out.append("# regoscan vs Checkov, per check, on the corpus\n")
    out.append("Produced by:\n\n```sh\nbench/.venv/bin/python bench/compare_checkov.py\n```\n")
    out.append("which runs:\n\n```sh\n" + "\n".join(commands) + "\n```\n")
    out.append(", ".join(f"{k} {v}" for k, v in versions.items()) + ".\n")
    intro = mapping.get("intro")
    if intro:
        out.append(intro.strip() + "\n")
    out.append(
        "| regoscan id | title | regoscan findings | regoscan resources | closest Checkov id | Checkov title "
        "| Checkov FAILED | resources both / only regoscan / only Checkov | note |"
    )
    out.append("|---|---|---:|---:|---|---|---:|---|---|")
    for r in rows:
        if r.checkov_ids:
            ck = " + ".join(r.checkov_ids)
            ck_title = " / ".join(titles.get(k, theirs.titles.get(k, "?")) for k in r.checkov_ids)
            both = len(r.ours.resources & r.theirs.resources)
            overlap = f"{both} / {len(r.only_ours)} / {len(r.only_theirs)}"
            ck_count = str(r.theirs.findings)
        else:
            ck, ck_title, overlap, ck_count = "—", "no equivalent", "", "—"
        out.append(
            f"| {r.check_id} | {_cell(r.title)} | {r.ours.findings} | {len(r.ours.resources)} | {ck} "
            f"| {_cell(ck_title)} | {ck_count} | {overlap} | {_cell(r.note)} |"
        )
    total_ours = sum(c.findings for c in ours.counts.values())
    total_theirs = sum(c.findings for c in theirs.counts.values())
    out.append(f"\nTotals: regoscan {total_ours} findings; Checkov {total_theirs} FAILED results.\n")

    discussion = mapping.get("discussion")
    if discussion:
        out.append("## Gaps explained\n")
        out.append(discussion.strip() + "\n")

    mapped = {k for r in rows for k in r.checkov_ids}
    unmapped = sorted((k for k in theirs.counts if k not in mapped), key=lambda k: (-theirs.counts[k].findings, k))
    out.append("## Checkov checks that failed and have no regoscan counterpart\n")
    out.append("| Checkov id | title | FAILED |")
    out.append("|---|---|---:|")
    for k in unmapped:
        out.append(f"| {k} | {_cell(theirs.titles.get(k, titles.get(k, '')))} | {theirs.counts[k].findings} |")
    out.append("")

    out.append("## Examples of resources only one tool flags (generated)\n")
    out.append("Up to three per side and per mapped check; `(Kind name)` for Kubernetes resources.\n")
    for r in rows:
        if not r.checkov_ids or not (r.only_ours or r.only_theirs):
            continue
        out.append(f"* **{r.check_id} vs {' + '.join(r.checkov_ids)}**")
        for label, keys in (("only regoscan", r.only_ours), ("only Checkov", r.only_theirs)):
            if keys:
                ex = ", ".join(_describe(k) for k in sorted(keys)[:3])
                out.append(f"  * {label} ({len(keys)}): {ex}")
    out.append("")
    return "\n".join(out)


def print_gaps(rows: list[Row], limit: int) -> None:
    """Print resources only one tool flags, per mapped pair (for investigating gaps)."""
    for r in rows:
        if not r.checkov_ids:
            continue
        print(
            f"== {r.check_id} ({r.ours.findings} findings, {len(r.ours.resources)} res) vs "
            f"{'+'.join(r.checkov_ids)} ({r.theirs.findings} failed, {len(r.theirs.resources)} res)"
        )
        for label, keys in (("only regoscan", r.only_ours), ("only checkov", r.only_theirs)):
            for k in sorted(keys)[:limit]:
                print(f"   {label}: {_describe(k)}")
            if len(keys) > limit:
                print(f"   {label}: ... {len(keys) - limit} more")


def tool_version(cmd: list[str]) -> str:
    """First line a `--version` call prints, or '?'."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder scanned (default: %(default)s)")
    ap.add_argument("--regoscan", type=Path, default=DEFAULT_REGOSCAN, help="regoscan executable")
    ap.add_argument("--checkov", type=Path, default=DEFAULT_CHECKOV, help="checkov executable (bench/.venv)")
    ap.add_argument("--map", type=Path, default=DEFAULT_MAP, help="mapping and notes (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown written (default: %(default)s)")
    ap.add_argument("--regoscan-json", type=Path, help="read this saved regoscan JSON instead of running it")
    ap.add_argument("--checkov-json", type=Path, help="read this saved Checkov JSON instead of running it")
    ap.add_argument(
        "--save-dir",
        type=Path,
        default=DEFAULT_SAVE,
        help="keep both tools' raw JSON here (git-ignored; default: %(default)s)",
    )
    ap.add_argument(
        "--gaps",
        type=int,
        metavar="N",
        default=0,
        help="also print up to N resources per side that only one tool flags",
    )
    args = ap.parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_dir() and args.corpus == DEFAULT_CORPUS and not (args.regoscan_json and args.checkov_json):
        # the committed comparison is about the real corpus: a synthetic one would replace it with noise
        print(f"compare_checkov: skipped, no shared corpus at {corpus} (set REGOSCAN_SHARED_DIR or --corpus)",
              file=sys.stderr)
        return 0

    rs_cmd = regoscan_command(args.regoscan, corpus)
    ck_cmd = checkov_command(args.checkov, corpus)
    if args.regoscan_json:
        rs_raw = json.loads(args.regoscan_json.read_text())
    else:
        rs_raw = run_json(rs_cmd, (0,), args.save_dir / "regoscan.json")
    if args.checkov_json:
        ck_raw = json.loads(args.checkov_json.read_text())
    else:
        ck_raw = run_json(ck_cmd, (0, 1), args.save_dir / "checkov.json")

    ours = parse_regoscan(rs_raw, corpus)
    theirs = parse_checkov(ck_raw, corpus)
    mapping = load_map(args.map)
    rows = build_rows(ours, theirs, mapping)
    missing = sorted(set(ours.titles) - set(mapping["checks"]), key=_sort_key)
    if missing:
        print("not in the mapping: " + " ".join(missing), file=sys.stderr)

    def shown(cmd: list[str]) -> str:
        """The command as a reader would type it: tool names, the corpus relative to the repository."""
        words = [Path(cmd[0]).name, *cmd[1:]]
        return shlex.join(words).replace(str(corpus), "../shared/corpus")

    versions = {
        "regoscan": rs_raw.get("tool", {}).get("version", "?"),
        "Checkov": tool_version([str(args.checkov), "--version"]),
        "checks loaded": str(len(ours.titles)),
    }
    text = render(rows, ours, theirs, checkov_titles(args.checkov), mapping, [shown(rs_cmd), shown(ck_cmd)], versions)
    args.out.write_text(text)
    print(f"wrote {args.out}", file=sys.stderr)
    if args.gaps:
        print_gaps(rows, args.gaps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
