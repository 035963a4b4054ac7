"""The corpus findings, as the command line reports them, in a stable committed form.

Why: every speed measure (Python views, rewritten checks, plans, bundles, batching) must
leave the findings unchanged. This script records what a scan of the corpus reports
(one line per finding: path, document, check, lines, message, suppressed; then the
notices: code, path, line), and tests/test_corpus_golden.py compares a fresh scan with
the committed file. When a change is *meant* to alter findings (a check fixed), re-run
this script and commit the new file with the change, saying why in the message.

Run from the repository root with the project's environment:

    .venv/bin/python bench/golden.py            # writes tests/golden/corpus-findings.tsv
    .venv/bin/python bench/golden.py --check    # exits 1 and prints the difference
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REGOSCAN_SHARED_DIR") or REPO.parent / "shared")
DEFAULT_CORPUS = SHARED / "corpus"
GOLDEN = REPO / "tests" / "golden" / "corpus-findings.tsv"
HEADER = "# regoscan findings on the corpus (bench/golden.py); columns: see the script\n"


def _clean(text: str) -> str:
    """One field: tabs and newlines would break the line format, so they are escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def rows(report: dict[str, Any]) -> list[str]:
    """The report's findings and notices as sorted tab-separated lines."""
    out: list[str] = []
    for f in report["findings"]:
        fields = ["finding", f["path"], str(f["document_index"]), f["check_id"], str(f["start_line"]),
                  str(f["end_line"]), "suppressed" if f["suppressed"] else "active", f["message"]]
        out.append("\t".join(_clean(x) for x in fields))
    for n in report["notices"]:
        fields = ["notice", n.get("path") or "", n["code"], str(n.get("line") or "")]
        out.append("\t".join(_clean(x) for x in fields))
    return sorted(out)


def scan(corpus: Path, python: str = sys.executable) -> dict[str, Any]:
    """The JSON report of ``regoscan scan .`` run in the corpus (paths relative to it), no cache."""
    with tempfile.TemporaryDirectory(prefix="regoscan-golden-") as home:
        env = {**os.environ, "HOME": home, "TMPDIR": home}
        proc = subprocess.run(
            [python, "-m", "regoscan", "scan", ".", "--format", "json", "--fail-on", "never"],
            cwd=corpus, env=env, capture_output=True, text=True, timeout=1800, check=False,
        )
    if proc.returncode != 0:
        raise SystemExit(f"regoscan exited {proc.returncode}: {proc.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def render(report: dict[str, Any]) -> str:
    return HEADER + "".join(line + "\n" for line in rows(report))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=GOLDEN)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found at {args.corpus} (set REGOSCAN_SHARED_DIR or --corpus)")
    text = render(scan(args.corpus.resolve()))
    if args.check:
        old = args.out.read_text(encoding="utf-8")
        if old == text:
            print(f"identical to {args.out} ({text.count(chr(10)) - 1} lines)")
            return 0
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), "golden", "now", n=0))
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
