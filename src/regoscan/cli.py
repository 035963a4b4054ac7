"""Command line: ``regoscan scan`` (and friends).

Exit codes are part of the interface: 0 clean, 1 findings at or above ``--fail-on``,
2 usage or configuration errors (bad flags, missing paths, policies that do not
compile or crash, exceptions that error). Reports are written in every case, so a
failing CI step still leaves its SARIF and summary behind.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from regoscan import __version__
from regoscan.decision import EXIT_ERROR, FAIL_ON, exit_code
from regoscan.errors import UsageError
from regoscan.models import NoticeLevel, ScanReport


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="regoscan",
        description="Scan Kubernetes manifests, Dockerfiles and YAML/JSON with Rego checks and exceptions.",
    )
    parser.add_argument("--version", action="version", version=f"regoscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan files and folders", description=(
        "Evaluate built-in and custom Rego checks and their exceptions on files and folders. "
        "Exit code 0: nothing at or above --fail-on; 1: findings at or above --fail-on; "
        "2: usage or configuration error (missing path, policy that does not compile, exception error)."))
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    scan.add_argument("--policy", action="append", default=[], metavar="PATH",
                      help="folder or .rego file with custom checks, exceptions and libraries (repeatable)")
    scan.add_argument("--data", action="append", default=[], metavar="PATH",
                      help="JSON/YAML data document or folder of them, available as data.* (repeatable)")
    scan.add_argument("--namespace", action="append", default=None, metavar="NS",
                      help="evaluate check packages under this namespace (repeatable; default: builtin and user)")
    scan.add_argument("--no-builtin", action="store_true", help="do not load the built-in checks")
    scan.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 to FILE")
    scan.add_argument("--sarif-suppressed", choices=("keep", "omit"), default="keep",
                      help="keep waived findings as suppressed results (default), or omit them "
                           "(for upload to GitHub code scanning, which ignores suppressions)")
    scan.add_argument("--sarif-category", metavar="ID", help="SARIF automationDetails.id (code scanning category)")
    scan.add_argument("--summary", metavar="FILE", help="write the Markdown summary to FILE")
    scan.add_argument("--fail-on", choices=FAIL_ON, default="high",
                      help="exit 1 when an unsuppressed finding has this severity or higher (default: high)")
    scan.add_argument("--format", choices=("text", "json"), default="text", help="stdout format (default: text)")
    scan.add_argument("--root", metavar="DIR",
                      help="folder that paths in reports are relative to (default: current folder)")
    scan.add_argument("--include", action="append", default=None, metavar="GLOB",
                      help="only scan files matching GLOB (repeatable)")
    scan.add_argument("--exclude", action="append", default=None, metavar="GLOB",
                      help="skip files matching GLOB (repeatable)")
    scan.add_argument("--workers", type=int, default=None, metavar="N",
                      help="engine worker processes (default: number of CPUs)")
    scan.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                      help="time limit for evaluating one document (default: 20)")
    scan.add_argument("--cache-dir", metavar="DIR",
                      help="reuse results for files whose content and policy set are unchanged (created if missing)")
    scan.add_argument("-q", "--quiet", action="store_true", help="print nothing on stdout")

    test = sub.add_parser("test", help="run Rego unit tests (test_* rules in *_test.rego files)", description=(
        "Run Rego unit tests for custom checks, exceptions and the built-in library, like `opa test`. "
        "Every test file is isolated: one that fails to compile or crashes the engine is reported with its "
        "file and line and the others still run. Exit code 0: all passed; 1: failures; 2: errors."))
    test.add_argument("paths", nargs="*", default=None, metavar="PATH",
                      help="folders or files with policies and *_test.rego files "
                           "(default: . unless --builtin-tests is given)")
    test.add_argument("--data", action="append", default=[], metavar="PATH", help="data documents (repeatable)")
    test.add_argument("--no-builtin", action="store_true", help="do not load the built-in library")
    test.add_argument("--builtin-tests", action="store_true", help="also run the built-in library's own tests")
    test.add_argument("--run", metavar="REGEX", help="only tests whose package.name matches REGEX")
    test.add_argument("--format", choices=("text", "json"), default="text")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing tests too")
    test.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="time limit per test")

    # --- `regoscan action` (the GitHub Action's entry point; see regoscan.action.run) ---
    sub.add_parser("action", help="run as the GitHub Action (settings from INPUT_* and GITHUB_* variables)",
                   description="Run the GitHub Action: inputs come from INPUT_* variables (hyphens kept, "
                               "as in INPUT_FAIL-ON), the event from GITHUB_EVENT_PATH. See docs/ACTION.md.")
    # --- end `regoscan action` ---
    return parser


def _write(path: str, text: str) -> None:
    target = Path(path)
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def cmd_scan(args: argparse.Namespace) -> int:
    from regoscan.engine.scan import DEFAULT_NAMESPACES, ScanOptions, run_scan
    from regoscan.output.console import render_json, render_text
    from regoscan.output.escape import plain_text

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    root = Path(args.root) if args.root else Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: not a folder")
    opts = ScanOptions(
        paths=args.paths,
        root=root,
        policies=args.policy,
        data=args.data,
        namespaces=args.namespace or list(DEFAULT_NAMESPACES),
        builtin=not args.no_builtin,
        include=args.include,
        exclude=args.exclude,
        workers=args.workers,
        eval_timeout=args.timeout,
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
    )
    report = run_scan(opts)
    write_reports(report, sarif=args.sarif, summary=args.summary, suppressed=args.sarif_suppressed,
                  category=args.sarif_category)
    if not args.quiet:
        text = render_json(report) if args.format == "json" else render_text(report)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    for n in report.notices:
        if n.level is NoticeLevel.ERROR:
            # policy paths and engine messages come from the PR: one line, no terminal or
            # workflow-command control (the runner reads commands from stderr too)
            where = f"{plain_text(n.location)}: " if n.location else ""
            print(f"regoscan: error: {where}{plain_text(n.message)}", file=sys.stderr)
    return exit_code(report, args.fail_on)


def cmd_test(args: argparse.Namespace) -> int:
    from regoscan.engine import testing

    if args.run:
        import re

        try:
            re.compile(args.run)
        except re.error as exc:
            raise UsageError(f"--run {args.run!r}: {exc}") from None
    paths = args.paths if args.paths else ([] if args.builtin_tests else ["."])
    report = testing.run_tests(paths, data_paths=args.data, builtin=not args.no_builtin,
                               builtin_tests=args.builtin_tests, run=args.run, timeout=args.timeout)
    out = testing.render_json(report) if args.format == "json" else testing.render_text(report, args.verbose)
    sys.stdout.write(out)
    return report.exit_code


def write_reports(report: ScanReport, *, sarif: str | None, summary: str | None, suppressed: str = "keep",
                  category: str | None = None) -> None:
    if sarif:
        from regoscan.output.sarif import note_truncation, write_sarif

        note_truncation(report, write_sarif(report, sarif, suppressed=suppressed, category=category))
    if summary:
        from regoscan.output.markdown import render_summary

        _write(summary, render_summary(report))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "test":
            return cmd_test(args)
        if args.command == "action":  # `regoscan action`: reads its settings from the environment
            from regoscan.action.run import main as action_main

            return action_main()
    except UsageError as exc:
        print(f"regoscan: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("regoscan: interrupted", file=sys.stderr)
        return 130
    parser.print_help()
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
