"""Command line: ``regoscan scan``, ``regoscan checks``, ``regoscan test``, ``regoscan action``.

Exit codes are part of the interface: 0 clean, 1 findings at or above ``--fail-on``,
2 usage or configuration errors (bad flags, missing paths, policies that do not
compile or crash, exceptions that error, a report that cannot be written). Reports are
written in every case, so a failing CI step still leaves its SARIF and summary behind.

Streams: stdout carries exactly one report (the text report, ``--format json|sarif``,
or the one report written to ``-``), so it can be piped; notices (errors and warnings
always, notes unless ``-q``), progress and, when stdout carries a document, the verdict
line go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from regoscan import __version__
from regoscan.decision import EXIT_ERROR, FAIL_ON, exit_code
from regoscan.errors import UsageError
from regoscan.models import Notice, NoticeLevel, ScanReport

STDOUT = "-"
PROGRESS_DELAY = 1.0
"""Seconds before the progress line appears (a quick scan shows none)."""
SCAN_FORMATS = ("text", "json", "sarif")


def _suggest(word: str, options: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


class _Parser(argparse.ArgumentParser):
    """Errors with this (sub)command's usage, exit code 2, and a close match when there is one."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if choice:
            options = re.findall(r"'([^']*)'", choice.group(2))
            message += _suggest(choice.group(1), options)
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")

    def unrecognized(self, extras: Sequence[str]) -> NoReturn:
        """``unrecognized arguments`` from the subcommand that saw them, with a suggestion."""
        longs = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
        hints = [_suggest(e.split("=", 1)[0], longs) for e in extras if e.startswith("--")]
        self.error(f"unrecognized arguments: {' '.join(extras)}" + next((h for h in hints if h), ""))


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
        "2: usage or configuration error (missing path, policy that does not compile, exception error, "
        "a report that cannot be written). Options can also come from regoscan.yaml or [tool.regoscan] "
        "in pyproject.toml (same names, without the dashes); flags win."))
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    scan.add_argument("--config", metavar="FILE",
                      help="read options from FILE (default: ./regoscan.yaml, else [tool.regoscan] in "
                           "./pyproject.toml)")
    _policy_options(scan)
    scan.add_argument("--sarif", metavar="FILE", help="write SARIF 2.1.0 to FILE (- for stdout)")
    scan.add_argument("--sarif-suppressed", choices=("keep", "omit"), default="keep",
                      help="keep waived findings as suppressed results (default), or omit them "
                           "(for upload to GitHub code scanning, which ignores suppressions)")
    scan.add_argument("--sarif-category", metavar="ID", help="SARIF automationDetails.id (code scanning category)")
    scan.add_argument("--summary", metavar="FILE", help="write the Markdown summary to FILE (- for stdout)")
    scan.add_argument("--fail-on", choices=FAIL_ON, default="high",
                      help="exit 1 when an unsuppressed finding has this severity or higher (default: high)")
    scan.add_argument("--severity", action="append", default=None, metavar="LIST",
                      help="only report findings of these severities, e.g. critical,high (repeatable)")
    scan.add_argument("--skip-check", action="append", default=None, metavar="ID",
                      help="do not report this check (ID, Trivy alias or package; repeatable); "
                           "recorded in the SARIF and the summary")
    scan.add_argument("--format", choices=SCAN_FORMATS, default="text",
                      help="stdout format: text (default), json, or sarif")
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
    scan.add_argument("--trusted-policy-ref", metavar="REF",
                      help="load --policy and --data as they are at git revision REF (e.g. origin/main) instead of "
                           "the working tree, so a changed exception applies only once merged; files that differ "
                           "from REF are listed first; the config file is read at REF too (command line only, "
                           "never from a config file)")
    scan.add_argument("--policy-changes-since", metavar="REF",
                      help="list first the exceptions, checks and data (--policy, --data) that differ from git "
                           "revision REF, and what each exception waives (command line only)")
    scan.add_argument("--cache-dir", metavar="DIR",
                      help="reuse results for files whose content and policy set are unchanged (created if missing)")
    scan.add_argument("-q", "--quiet", action="store_true",
                      help="no text report on stdout, no notes or progress on stderr (errors and warnings "
                           "still go to stderr; reports asked for with - are still written)")

    checks = sub.add_parser("checks", help="list the checks that would run (id, severity, title, package)",
                            description="List every check loaded from the built-in library and --policy, "
                                        "as `scan` would load them. Reads the same config file as `scan`.")
    checks.add_argument("--config", metavar="FILE", help="read options from FILE (as for scan)")
    _policy_options(checks)
    checks.add_argument("--format", choices=("text", "json"), default="text", help="stdout format (default: text)")

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


def _policy_options(p: argparse.ArgumentParser) -> None:
    """The options that decide which checks are loaded (shared by ``scan`` and ``checks``)."""
    p.add_argument("--policy", action="append", default=[], metavar="PATH",
                   help="folder or .rego file with custom checks, exceptions and libraries (repeatable)")
    p.add_argument("--data", action="append", default=[], metavar="PATH",
                   help="JSON/YAML data document or folder of them, available as data.* (repeatable)")
    p.add_argument("--namespace", action="append", default=None, metavar="NS",
                   help="evaluate check packages under this namespace (repeatable; default: builtin and user)")
    p.add_argument("--no-builtin", action="store_true", help="do not load the built-in checks")


def subcommands(parser: argparse.ArgumentParser) -> dict[str, _Parser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


# --- config file -------------------------------------------------------------------------


def _given(sub: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """Destinations set on the command line (parsed again with every default suppressed)."""
    saved = [(a, a.default) for a in sub._actions]
    try:
        for action, _ in saved:
            action.default = argparse.SUPPRESS
        ns, _ = sub.parse_known_args(list(argv))
    finally:
        for action, default in saved:
            action.default = default
    return set(vars(ns))


def _config_at_ref(args: argparse.Namespace, ref: str, options: Any) -> tuple[bool, Any]:
    """``--trusted-policy-ref``: ``(decided, config)``, the config file as it is at ``ref`` (None
    when there is none there); ``decided`` is False for a ``--config`` file outside the repository,
    which is read as given.

    The config file sits in the checkout the pull request changes: ``skip-check``,
    ``fail-on: never`` or ``exclude`` in a ``regoscan.yaml`` it adds waive its findings as
    surely as an exception, and deleting the file drops the settings the repository chose.
    So its settings are read at the trusted revision too; a working-tree file that differs
    is named in a ``policy-trusted-ref`` warning (kept in ``args.config_notes``).
    """
    from regoscan.config import CONFIG_NAMES, PYPROJECT, find_config, has_tool_table, load_config
    from regoscan.trusted import files_at

    cwd = Path.cwd()
    explicit = Path(args.config) if args.config else None
    candidates = [explicit] if explicit else [cwd / name for name in (*CONFIG_NAMES, PYPROJECT)]
    revision, contents = files_at(ref, candidates, cwd)
    if explicit is not None and explicit not in contents:
        return False, None  # named outside the repository: not the pull request's to change
    chosen: tuple[Path, str] | None = None
    for path in candidates:
        data = contents.get(path)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        if path.name == PYPROJECT and explicit is None and not has_tool_table(path, text):
            continue
        chosen = (path, text)
        break
    on_disk = (explicit if explicit.is_file() else None) if explicit else find_config(None, cwd)
    disk_text = None
    if on_disk is not None:  # only compared: a regular file, read up to the size of any input
        from regoscan.inputs.load import MAX_BYTES

        with on_disk.open("rb") as handle:
            disk_text = handle.read(MAX_BYTES).decode("utf-8", "replace")
    if chosen is None and on_disk is not None:
        args.config_notes.append(f"{on_disk.name} is not at {revision}: its settings were not applied "
                                 "(the config file is read at the trusted revision)")
    elif chosen is not None and on_disk is None:
        args.config_notes.append(f"{chosen[0].name} is deleted in the working tree: its settings at {revision} "
                                 "apply")
    elif chosen is not None and (on_disk != chosen[0] or disk_text != chosen[1]):
        args.config_notes.append(f"{chosen[0].name} differs from its version at {revision}: the settings at "
                                 f"{revision} apply, not the working tree's")
    if chosen is None:
        return True, None
    return True, load_config(chosen[0], options, text=chosen[1], revision=revision)


def apply_config(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: Sequence[str]) -> str | None:
    """Fill options not given as flags from the config file; returns the file's label."""
    from regoscan.config import find_config, load_config, options_of

    args.config_notes = []
    subs = subcommands(parser)
    options = options_of(subs["scan"])
    ref = getattr(args, "trusted_policy_ref", None)
    decided, config = _config_at_ref(args, ref, options) if ref else (False, None)
    if not decided:
        path = find_config(args.config, Path.cwd())
        config = load_config(path, options) if path is not None else None
    if config is None:
        return None
    tail = list(argv)[list(argv).index(args.command) + 1:] if args.command in argv else list(argv)
    given = _given(subs[args.command], tail)
    for dest, value in config.values.items():
        if dest in given or not hasattr(args, dest):
            continue  # a flag wins; scan-only keys do not apply to `checks`
        setattr(args, dest, value)
    return config.label


# --- scan --------------------------------------------------------------------------------


def _stdout_document(args: argparse.Namespace) -> str | None:
    """Which report owns stdout: ``sarif``, ``summary``, ``json``, or ``None`` for the text report."""
    claims = []
    if args.format != "text":
        claims.append((args.format, f"--format {args.format}"))
    if args.sarif == STDOUT:
        claims.append(("sarif", "--sarif -"))
    if args.summary == STDOUT:
        claims.append(("summary", "--summary -"))
    if len(claims) > 1:
        raise UsageError("stdout can carry one report, not " + " and ".join(flag for _, flag in claims))
    return claims[0][0] if claims else None


def _scan_options(args: argparse.Namespace) -> Any:
    from regoscan.engine.scan import DEFAULT_NAMESPACES, ScanOptions

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    root = Path(args.root) if args.root else Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: not a folder")
    return ScanOptions(
        paths=args.paths or ["."],
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


def _policy_provenance(args: argparse.Namespace, opts: Any, stack: contextlib.ExitStack[Any]) -> list[Notice]:
    """``--policy-changes-since`` / ``--trusted-policy-ref``: what the working tree changed in the
    policies, and (for a trusted ref) the policies exported from that revision for the scan."""
    since = args.policy_changes_since or args.trusted_policy_ref
    if not since:
        return []  # (regoscan.trusted imports git plumbing and the parsers: not for a plain scan)
    from regoscan.trusted import changes_since, trusted_policies

    if opts.policies or opts.data:
        _label, opts.policy_changes = changes_since(since, opts.policies, opts.data, opts.root)
    if not args.trusted_policy_ref:
        return []
    export = stack.enter_context(trusted_policies(args.trusted_policy_ref, opts.policies, opts.data, opts.root))
    opts.policies, opts.data, opts.policy_root = export.policies, export.data, export.root
    opts.policy_source = export.label
    return [Notice(NoticeLevel.WARNING, "policy-trusted-ref", note) for note in export.notes]


def _print_notices(report: ScanReport, quiet: bool, color: bool) -> None:
    """Errors and warnings always reach stderr (they survive ``-q`` and a redirected stdout)."""
    from regoscan.output._shared import all_notices
    from regoscan.output.console import stderr_line

    for n in all_notices(report):
        if n.level is NoticeLevel.NOTE and quiet:
            continue
        print(stderr_line(n, color), file=sys.stderr)


def cmd_scan(args: argparse.Namespace) -> int:
    from regoscan.engine.scan import run_scan
    from regoscan.filters import apply_filters, check_selection, parse_severities
    from regoscan.output.console import render_json, render_text, status_line
    from regoscan.output.progress import Progress, is_terminal, use_color

    document = _stdout_document(args)
    severities = parse_severities(args.severity or [])
    opts = _scan_options(args)
    progress = Progress(sys.stderr, delay=PROGRESS_DELAY) if not args.quiet and is_terminal(sys.stderr) else None
    with contextlib.ExitStack() as stack:
        notes = _policy_provenance(args, opts, stack)
        try:
            report = run_scan(opts, tick=progress)
        finally:
            if progress is not None:
                progress.close()
    report.notices.extend(notes)
    report.notices.extend(Notice(NoticeLevel.WARNING, "policy-trusted-ref", note)
                          for note in getattr(args, "config_notes", []))
    report.fail_on = args.fail_on
    check_selection(report, args.namespace)
    apply_filters(report, severities, args.skip_check or [])

    texts, failures = render_reports(report, args)
    if document in ("sarif", "summary"):
        sys.stdout.write(texts[document])
    elif document == "json":
        sys.stdout.write(render_json(report))
    elif not args.quiet:
        sys.stdout.write(render_text(report, notices=False, color=use_color(sys.stdout)))
    sys.stdout.flush()
    err_color = use_color(sys.stderr)
    _print_notices(report, args.quiet, err_color)
    if document is not None and not args.quiet and is_terminal(sys.stderr):
        print(f"regoscan: {status_line(report, err_color)}", file=sys.stderr)
    for message in failures:
        print(f"regoscan: error: {message}", file=sys.stderr)
    return EXIT_ERROR if failures else exit_code(report)


def render_reports(report: ScanReport, args: argparse.Namespace) -> tuple[dict[str, str], list[str]]:
    """Render the SARIF and summary asked for, write those with a file name.

    Returns the texts (for the one that goes to stdout) and the write failures, one
    line each. The SARIF comes first: a truncated SARIF adds a notice the summary shows.
    """
    from regoscan.output import jsontext
    from regoscan.output.files import ReportWriteError, write_report

    texts: dict[str, str] = {}
    failures: list[str] = []
    targets = {"sarif": args.sarif if args.sarif else (STDOUT if args.format == "sarif" else None),
               "summary": args.summary}
    if args.sarif or args.format == "sarif":
        from regoscan.output.sarif import note_truncation, render_sarif

        log, truncation = render_sarif(report, suppressed=args.sarif_suppressed, category=args.sarif_category)
        note_truncation(report, truncation)
        texts["sarif"] = jsontext.dumps(log) + "\n"
    if args.summary:
        from regoscan.output.markdown import render_summary

        texts["summary"] = render_summary(report)
    for kind, target in targets.items():
        if target and target != STDOUT:
            try:
                write_report(target, texts[kind])
            except ReportWriteError as exc:
                failures.append(f"cannot write the {'SARIF' if kind == 'sarif' else 'Markdown summary'}: {exc}")
    return texts, failures


# --- checks ------------------------------------------------------------------------------


def cmd_checks(args: argparse.Namespace) -> int:
    from regoscan.engine.scan import DEFAULT_NAMESPACES, ScanOptions, run_scan
    from regoscan.output.console import render_checks_json, render_checks_text, stderr_line
    from regoscan.output.progress import use_color

    opts = ScanOptions(paths=[], policies=args.policy, data=args.data, files=[],
                       namespaces=args.namespace or list(DEFAULT_NAMESPACES), builtin=not args.no_builtin)
    report = run_scan(opts)
    out = render_checks_json(report.checks) if args.format == "json" else \
        render_checks_text(report.checks, color=use_color(sys.stdout))
    sys.stdout.write(out)
    sys.stdout.flush()
    color = use_color(sys.stderr)
    for n in report.notices:
        if n.level is not NoticeLevel.NOTE:
            print(stderr_line(n, color), file=sys.stderr)
    return EXIT_ERROR if exit_code(report, "never") == EXIT_ERROR else 0


# --- test --------------------------------------------------------------------------------


def cmd_test(args: argparse.Namespace) -> int:
    from regoscan.engine import testing

    if args.run:
        try:
            re.compile(args.run)
        except re.error as exc:
            raise UsageError(f"--run {args.run!r}: {exc}") from None
    paths = args.paths if args.paths else ([] if args.builtin_tests else ["."])
    report = testing.run_tests(paths, data_paths=args.data, builtin=not args.no_builtin,
                               builtin_tests=args.builtin_tests, run=args.run, timeout=args.timeout)
    from regoscan.redact import secrets_for, withhold_messages

    # test messages can quote values a policy computed: the same wall as for scan reports
    withhold_messages([*report.results, *report.errors], secrets_for(Path.cwd()))
    out = testing.render_json(report) if args.format == "json" else testing.render_text(report, args.verbose)
    sys.stdout.write(out)
    return report.exit_code


# --- main --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(arguments)
    if extras:
        subs = subcommands(parser)
        target = subs.get(args.command) if args.command else None
        (target if isinstance(target, _Parser) else parser).unrecognized(extras)  # type: ignore[union-attr]
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command in ("scan", "checks"):
            apply_config(parser, args, arguments)
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "checks":
            return cmd_checks(args)
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


_GC_FIRST_GENERATION = 70_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""


def run() -> NoReturn:
    """The console script (and ``python -m regoscan``): ``main``, then exit without tearing the
    interpreter down.

    Why: freeing every document, finding, cache and module at exit took 16 ms of a one-second
    scan, after the reports were written and the workers had stopped. The output streams are
    flushed and the ``atexit`` handlers run (finalizers of temporary folders among them) as
    at a normal exit; only the freeing is skipped. In-process callers (tests) use ``main``.

    The cyclic garbage collector runs a hundred times less often: a run is short, and its
    passes over the parsed documents and findings (which hold no cycles: the peak memory of
    a corpus scan is the same without it) took 30 to 45 ms of the parent's CPU.
    """
    import gc

    gc.set_threshold(_GC_FIRST_GENERATION, 50, 100)
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and usage errors
        code = _exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream
            code = code or EXIT_ERROR
    import atexit
    import os

    atexit._run_exitfuncs()
    os._exit(code)


def _exit_status(code: object) -> int:
    """What the interpreter would exit with for ``SystemExit(code)`` (a message is printed, then 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    run()
