"""``regoscan action``: the GitHub Action, from ``INPUT_*`` variables to an exit code.

The order of the steps is deliberate:

1. Mask the token before anything is printed, and keep it out of every child
   process (git gets a scrubbed environment; the Rego worker scrubs its own).
2. Validate inputs; a bad input is a usage error (exit 2) with outputs still written,
   so later steps can branch on ``decision``. A push that deleted its branch or tag
   ends here too, with exit 0: there is nothing left to scan.
3. Work out the tree to scan and the changed files. The tree is the workspace, except
   on ``pull_request_target``, whose workspace is the base branch: the pull request's
   head commit is read from git objects into a private folder (:mod:`headtree`), with
   the workspace's (trusted) policy and data folders. Policy and data folders are
   always loaded whole, and a change inside them makes every file "changed".
4. Scan the whole tree: the SARIF is always a complete analysis under one category per
   configuration (:mod:`gate` says why). The gate (exit code, summary, comment,
   annotations) looks at the changed files only when the scan mode asks for it.
5. Write the SARIF files, the console report, the job summary (before the comment: a
   cancelled or rate-limited comment step must not cost the summary), the comment,
   annotations and outputs, in that order. regoscan's own messages are plain log
   lines; annotations are spent on findings (and on errors that lost results).
6. Exit with the same decision the CLI makes (0 pass, 1 findings at or above
   ``fail-on``, 2 errors).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TextIO

from regoscan.action.annotations import Annotation, annotations_for, escape_data, render
from regoscan.action.baseline_scan import compare_with_base
from regoscan.action.changes import ChangeSet, Git, GitError, changed_files
from regoscan.action.code_scanning import (
    CodeScanning,
    Outcome,
    dismissal_refusal,
    publish,
    summary_lines,
    upload_target,
)
from regoscan.action.comment import (
    COMMENT_MAX_BYTES,
    SHORT_MAX_BYTES,
    CommentResult,
    clean_tag,
    default_tag,
    upsert_comment,
)
from regoscan.action.event import Event, load_event
from regoscan.action.gate import restrict
from regoscan.action.github_api import Deadline, GitHubAPI
from regoscan.action.headtree import HeadTree, add_trusted, materialise
from regoscan.action.inputs import ActionInputs, InputError, env_name, read_inputs
from regoscan.action.outputs import append_summary, summary_budget, write_outputs
from regoscan.decision import DECISIONS, EXIT_ERROR, exit_code
from regoscan.errors import UsageError
from regoscan.filters import check_selection
from regoscan.inputs.discover import SKIPPED_DIRS, classify, matches_any
from regoscan.models import Notice, NoticeLevel, PolicyChange, ScanReport
from regoscan.output.escape import md_escape, plain_text
from regoscan.output.files import ReportWriteError, write_report
from regoscan.trusted import DATA_SUFFIXES, POLICY_SUFFIXES, links_to

if TYPE_CHECKING:
    from regoscan.engine.scan import ScanOptions

FULL_FILE_SUFFIX = "full/"
"""Added to the category for ``sarif-full-file``: its own category, so uploading both files
in one run is not rejected, and its suppressed results never replace sarif-file's alerts."""


@dataclass
class _Context:
    env: Mapping[str, str]
    out: TextIO
    token: str
    notes: list[str] = field(default_factory=list)
    """Markdown lines (already escaped) for the "how this scan ran" part of the summary."""
    errors: list[str] = field(default_factory=list)
    """regoscan's own errors that fail a run that also has findings: annotated with them,
    inside the same 10-per-level budget, so the "not shown" count stays right."""
    deadline: Deadline | None = None
    """One deadline for every API call of the step (upload, processing wait, alerts, comment)."""

    def api(self, inputs: ActionInputs) -> GitHubAPI:
        if self.deadline is None:
            self.deadline = Deadline(inputs.api_timeout)
        return GitHubAPI(self.token, self.env.get("GITHUB_API_URL") or None, deadline=self.deadline, log=self.say)

    def redact(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def log(self, message: str) -> None:
        self.out.write(self.redact(message) + "\n")
        self.out.flush()

    def say(self, message: str) -> None:
        """One plain log line from regoscan, reduced to printable text: never a workflow
        command (file names and git's messages come from the pull request)."""
        self.log(f"regoscan: {plain_text(message)}")

    def command(self, level: str, message: str) -> None:
        self.log(f"::{level}::{escape_data(self.redact(message))}")


def run_url(env: Mapping[str, str]) -> str | None:
    """Link to this run, where the job summary is shown in full."""
    server, repo, run_id = (env.get(k, "").strip() for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    if not (server.startswith(("https://", "http://")) and repo and run_id.isdigit()):
        return None
    return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"


def full_file_category(category: str) -> str:
    return category.rstrip("/") + "/" + FULL_FILE_SUFFIX


# --- what to scan -------------------------------------------------------------------


def _under(path: str, folders: list[str]) -> bool:
    parts = PurePosixPath(path).parts
    return any(folder in (".", "") or parts[: len(PurePosixPath(folder).parts)] == PurePosixPath(folder).parts
               for folder in folders)


def _workspace_paths(changes: ChangeSet, workspace: Path, paths: list[str]) -> list[str]:
    """Repository-relative paths re-expressed relative to the workspace (usually equal)."""
    # normpath, not resolve(): a changed symlink stays the link (discover decides whether
    # following it is allowed), it does not turn into its target's path
    root = (changes.root or workspace).resolve()
    base = workspace.resolve()
    out = []
    for p in paths:
        try:
            out.append(Path(os.path.normpath(root / p)).relative_to(base).as_posix())
        except ValueError:
            continue  # outside the workspace: not ours to scan
    return out


def select_files(changes: ChangeSet, workspace: Path, inputs: ActionInputs, root: Path | None = None) -> list[Path]:
    """The changed files worth handing to the scanner.

    Only files whose *name* makes them an input (``classify``), that still exist
    (deleted ones are gone), outside folders a full scan skips too (``.git``,
    ``node_modules``...), and matching ``paths``/``exclude``. Filtering here keeps a
    changed ``README`` or ``main.py`` from being sniffed and reported as unparsable.
    ``root``: where the scanned tree is, when not the workspace (the head tree of
    ``pull_request_target``, whose paths are the workspace's).
    """
    selected: list[Path] = []
    for rel in _workspace_paths(changes, workspace, changes.files):
        parts = PurePosixPath(rel).parts
        if any(part in SKIPPED_DIRS for part in parts[:-1]) or classify(parts[-1]) is None:
            continue
        if inputs.paths and not matches_any(inputs.paths, rel):
            continue
        if inputs.exclude and matches_any(inputs.exclude, rel):
            continue
        path = (root or workspace) / rel
        if path.is_file() or path.is_symlink():
            selected.append(path)
    return selected


_STATUS = {"A": "added", "M": "modified", "T": "modified", "R": "renamed", "C": "copied", "D": "deleted"}


def policy_changes(changes: ChangeSet, workspace: Path, inputs: ActionInputs) -> list[PolicyChange]:
    """The change's added, edited, renamed or deleted files in the policy and data folders
    (``.rego`` but not ``_test.rego`` under ``policy``; JSON/YAML under ``data``)."""
    def wanted(rel: str) -> bool:
        name = PurePosixPath(rel).name
        return (_under(rel, inputs.policy) and name.endswith(POLICY_SUFFIXES) and not name.endswith("_test.rego")) \
            or (_under(rel, inputs.data) and name.endswith(DATA_SUFFIXES))

    out: list[PolicyChange] = []
    for c in changes.changes:
        (new,) = _workspace_paths(changes, workspace, [c.path]) or [""]
        (old,) = _workspace_paths(changes, workspace, [c.old_path]) if c.old_path else [None]
        if new and wanted(new):
            out.append(PolicyChange(new, _STATUS.get(c.status, "modified"), old if c.status in "RC" else None))
        elif old and wanted(old) and c.status == "R":
            out.append(PolicyChange(old, "deleted"))  # moved out of the policy folders
    listed = {c.path for c in out}
    out += [PolicyChange(link, "modified") for link in _linked_policies(changes, workspace, inputs)
            if link not in listed]
    return out


def _linked_policies(changes: ChangeSet, workspace: Path, inputs: ActionInputs) -> list[str]:
    """Policy and data files that are links to a file the change touched (see ``trusted.links_to``)."""
    touched = set(_workspace_paths(changes, workspace, [c.path for c in changes.changes]))
    return links_to(touched, [str(workspace / p) for p in inputs.policy], [str(workspace / d) for d in inputs.data],
                    workspace)


def _trusted_ref(ctx: _Context, inputs: ActionInputs, event: Event) -> str:
    """``trusted-policy-ref`` with ``base`` resolved to the pull request's base commit."""
    ref = inputs.trusted_policy_ref
    if ref != "base":
        return ref
    if event.is_pull_request and event.pr_base_sha:
        return event.pr_base_sha
    ctx.say("trusted-policy-ref: base: not a pull request, so policies come from the checkout")
    return ""


def _touched_policies(ctx: _Context, inputs: ActionInputs, event: Event, change_range: ChangeSet,
                      workspace: Path) -> list[PolicyChange]:
    """Policy files the change touched, even when everything is scanned (``scan: all``)."""
    if not (inputs.policy or inputs.data):
        return []
    if change_range.scope != "changed" and event.is_pull_request:
        change_range = changed_files("changed", event, workspace, ctx.env, log=lambda _m: None)
    return policy_changes(change_range, workspace, inputs) if change_range.scope == "changed" else []


def _pull_request_commits(ctx: _Context, event: Event, workspace: Path) -> set[str]:
    """The pull request's head, and on ``pull_request`` the merge commit checked out (unless the
    workspace is the base): commits whose policies are the pull request's own."""
    commits = {event.pr_head_sha} if event.pr_head_sha else set()
    if event.name == "pull_request":
        head = Git(workspace, ctx.env, lambda _m: None).resolve("HEAD")
        if head and head != event.pr_base_sha:
            commits.add(head)
    return commits


def _load_trusted(ctx: _Context, ref: str, inputs: ActionInputs, event: Event, workspace: Path,
                  opts: ScanOptions, stack: contextlib.ExitStack[Any]) -> list[Notice]:
    """Export the policy and data folders from ``ref`` for the scan (and the base comparison).

    Read from the workspace's repository even when the scanned tree is elsewhere (the head
    tree of ``pull_request_target``): the revision's objects are there."""
    if not ref:
        return []
    from regoscan.trusted import trusted_policies

    export = stack.enter_context(trusted_policies(ref, [str(workspace / p) for p in inputs.policy],
                                                  [str(workspace / d) for d in inputs.data], workspace, ctx.env,
                                                  untrusted=_pull_request_commits(ctx, event, workspace)))
    opts.policies, opts.data, opts.policy_root = export.policies, export.data, export.root
    opts.policy_source = export.label
    ctx.say(f"policies, exceptions and data loaded from {export.label}")
    return [Notice(NoticeLevel.WARNING, "policy-trusted-ref", note) for note in export.notes]


def _policy_touched(changes: ChangeSet, workspace: Path, inputs: ActionInputs) -> str | None:
    """A changed path under a policy or data folder (deleted and renamed-from paths included)."""
    touched = [c.path for c in changes.changes] + [c.old_path for c in changes.changes if c.old_path]
    folders = inputs.policy + inputs.data
    for rel in _workspace_paths(changes, workspace, touched):
        if _under(rel, folders):
            return rel
    return next(iter(_linked_policies(changes, workspace, inputs)), None)


class _Refused(Exception):
    """The run cannot scan what it was asked to, and passing would be wrong (exit 2)."""


def _head_tree(ctx: _Context, event: Event, workspace: Path, inputs: ActionInputs) -> HeadTree:
    """``pull_request_target``: the pull request's head, read from git objects (never checked out)."""
    head = event.pr_head_sha
    git = Git(workspace, ctx.env, ctx.say)
    if head is None:
        raise _Refused("pull_request_target: the event payload names no pull_request.head.sha, so the pull "
                       "request's files cannot be read; nothing was scanned")
    if not git.has_commit(head):
        git.fetch(head, depth=1)
        if not git.has_commit(head) and event.pr_number:
            git.fetch(f"+refs/pull/{event.pr_number}/head:refs/remotes/pull/{event.pr_number}/head", depth=1)
    if not git.has_commit(head):
        raise _Refused(
            f"pull_request_target: the pull request's head commit {head[:12]} is not in this clone and could not "
            "be fetched, so its files cannot be scanned (scanning the checkout would gate the base branch). "
            "Keep actions/checkout's default persist-credentials: true so regoscan can fetch it, or fetch it "
            "before this step (git fetch origin refs/pull/<number>/head); do not check the head out in a "
            "pull_request_target workflow. See docs/ACTION.md, 'pull_request_target'")
    if git.resolve("HEAD") == head:
        ctx.say("warning: the workspace is the pull request's head: its policy and data folders (and their "
                "exceptions) come from the pull request; check out the base branch instead")
    try:
        tree = materialise(git, head, exclude=inputs.policy + inputs.data)
    except (GitError, OSError) as exc:
        raise _Refused(f"pull_request_target: reading the head commit {head[:12]} failed: {exc}") from None
    add_trusted(tree, workspace, inputs.policy + inputs.data)  # the base's policy and data folders
    for skipped in tree.skipped:
        ctx.say(f"not read from the head commit: {skipped}")
    ctx.say(f"pull_request_target: read {tree.files} input files and {tree.links} links of head commit "
            f"{head[:12]} into a private folder; policies come from the workspace")
    return tree


# --- result cache -----------------------------------------------------------------


def runner_temp(env: Mapping[str, str], workspace: Path) -> Path | None:
    """The runner's temporary folder as this process sees it, outside the workspace.

    ``$RUNNER_TEMP`` when it exists here; in the container action it names the host's
    folder, which is not mounted, but ``$HOME`` (``/github/home``) is its ``_github_home``
    subfolder, mounted, and likewise emptied after the job.
    """
    for name in ("RUNNER_TEMP", "HOME"):
        value = env.get(name, "").strip()
        if not value or not os.path.isabs(value) or not os.path.isdir(value):
            continue
        base = Path(value).resolve()
        if not base.is_relative_to(workspace):
            return base
    return None


def cache_folder(ctx: _Context, inputs: ActionInputs, event: Event, workspace: Path) -> Path | None:
    """Where the result cache lives for this run, or None (no cache).

    Never on pull request events: an entry decides what is reported, and a pull
    request's runs share one cache scope, in which an earlier run of the same pull
    request (whose files were in the checkout) could have left entries; runs on pushes,
    schedules and merge queues read caches that only such runs wrote. A relative
    ``cache-dir`` lives in the runner's temporary folder, not in the checkout.
    """
    if not inputs.cache_dir:
        return None
    if event.is_pull_request:
        ctx.say(f"result cache not used on {event.name} events (a pull request's own runs could "
                "have filled it); every file is scanned")
        return None
    if os.path.isabs(inputs.cache_dir):
        folder = Path(inputs.cache_dir)
    else:
        base = runner_temp(ctx.env, workspace)
        if base is None:
            ctx.say("warning: result cache not used: no runner temporary folder ($RUNNER_TEMP) "
                    "outside the workspace; give cache-dir as an absolute path")
            return None
        folder = base / inputs.cache_dir
    host = ctx.env.get("RUNNER_TEMP", "").strip()
    where = str(folder)
    if host and str(folder).startswith("/github/home/"):
        where += f" (on the runner: {host}/_github_home/{str(folder)[len('/github/home/'):]})"
    ctx.say(f"result cache in {where}")
    return folder


# --- ownership ----------------------------------------------------------------------


def _owner(workspace: Path) -> tuple[int, int] | None:
    """The workspace's owner, when we run as root and may hand files to it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        st = workspace.stat()
    except OSError:
        return None
    return st.st_uid, st.st_gid


def _lchown(path: str | Path, owner: tuple[int, int]) -> None:
    with contextlib.suppress(OSError):
        os.lchown(path, *owner)


def _match_owner(path: Path, workspace: Path) -> None:
    """Give files we create to the workspace's owner.

    The container runs as root but later steps run as the runner's user, who could
    otherwise not overwrite or delete the SARIF in their own checkout.
    """
    owner = _owner(workspace)
    if owner is not None:
        _lchown(path, owner)


def _own_cache(folder: Path, created: list[Path], workspace: Path) -> None:
    """What regoscan made for the cache, owned like the workspace (never through a link).

    The folders this run created on the way, and the cache's own entries (its ``key`` file
    and ``v1`` tree): ``actions/cache`` runs as the runner's user and must read them (the
    key is 0600), and a persistent runner must be able to delete them. Nothing else in a
    folder the user named is touched.
    """
    from regoscan.engine.cache import FORMAT, KEY_FILE

    owner = _owner(workspace)
    if owner is None:
        return
    for path in created:
        _lchown(path, owner)
    _lchown(folder / KEY_FILE, owner)
    tree = folder / FORMAT
    if tree.is_dir() and not tree.is_symlink():
        _lchown(tree, owner)
        for dirpath, dirnames, filenames in os.walk(tree):  # os.walk never descends through a link
            for name in [*dirnames, *filenames]:
                _lchown(os.path.join(dirpath, name), owner)


def _missing_parents(path: Path) -> list[Path]:
    created = []
    parent = path
    while not parent.exists():
        created.append(parent)
        parent = parent.parent
    return list(reversed(created))


# --- reports ----------------------------------------------------------------------


def _write_text(ctx: _Context, path: Path, text: str, workspace: Path) -> bool:
    """Write a report inside the workspace; False (and an error line) when it cannot be.

    By temporary file and rename, with no symlinked folder on the way (output/files.py):
    a pull request that commits ``regoscan.sarif`` as a link to a file outside the
    workspace gets the link replaced, never the file behind it overwritten.
    """
    try:
        created = write_report(path, ctx.redact(text), confine_to=workspace)
    except ReportWriteError as exc:
        ctx.say(f"error: cannot write the report {exc}")
        ctx.errors.append(plain_text(f"regoscan: cannot write the report {exc}"))
        return False
    for p in created:
        _match_owner(p, workspace)
    return True


def _write_sarif(ctx: _Context, report: ScanReport, inputs: ActionInputs, workspace: Path, main_mode: str) -> bool:
    """Every SARIF file the inputs ask for; False when one of them could not be written."""
    from regoscan.output.sarif import note_truncation, render_sarif

    targets = [(inputs.sarif_file, main_mode, inputs.sarif_category)]
    if inputs.sarif_full_file:
        targets.append((inputs.sarif_full_file, "keep", full_file_category(inputs.sarif_category)))
    written = True
    for rel, mode, category in targets:
        data, truncation = render_sarif(report, suppressed=mode, category=category)  # type: ignore[arg-type]
        if rel == inputs.sarif_file:
            note_truncation(report, truncation)  # the summary and comment then say so
        if _write_text(ctx, workspace / rel, json.dumps(data, indent=2, ensure_ascii=False) + "\n", workspace):
            ctx.say(f"wrote {rel} (SARIF, category {category}, suppressed findings: {mode})")
        else:
            written = False
    return written


def _sarif_mode(ctx: _Context, inputs: ActionInputs, reconcile: bool) -> str:
    """What ``sarif-file`` does with waived findings.

    When the step uploads it: kept as suppressed results only where their alerts are then
    dismissed (the default branch); everywhere else left out, since GitHub ignores
    ``suppressions`` and would open alerts that nothing dismisses.
    """
    if not inputs.upload:
        return inputs.sarif_suppressed
    mode = "keep" if reconcile else "omit"
    if inputs.sarif_suppressed == "keep" and mode == "omit":
        ctx.say("sarif-suppressed: keep does not apply to the upload here (waived findings would open "
                "alerts that this run may not dismiss); use sarif-full-file for a copy with them")
    return mode


def _checkout_refusal(ctx: _Context, checkout: str | None) -> str | None:
    """Why the scanned tree may not be the default branch's commit, or ``None``.

    The dismissals are decided from what was scanned; a workflow on the default branch
    that checked out another commit (a pull request's head, say) would waive findings on
    the default branch with exceptions nobody merged.
    """
    sha = ctx.env.get("GITHUB_SHA", "").strip().lower()
    if checkout is None:
        return "the checkout's commit cannot be read, so it cannot be confirmed to be GITHUB_SHA"
    if checkout != sha:
        return f"the checkout is commit {checkout[:12]}, not the commit this run is for ({sha[:12] or 'no GITHUB_SHA'})"
    return None


def _misattributed(ref: str, sha: str, checkout: str | None) -> str | None:
    """Why uploading for ``ref`` at ``sha`` would record another tree there, or ``None``.

    A branch's or tag's analysis decides its alerts (code scanning fixes those it no longer
    reports): the SARIF of a checkout that is not ``sha`` (an ``issue_comment`` workflow
    that checked out a pull request, with GITHUB_REF the default branch) must not be it. A
    pull request's own refs only hold the pull request's analysis, and checking out its
    head instead of the merge commit is common, so they are not held to this.
    """
    if ref.startswith("refs/pull/") or checkout is None or checkout == sha:
        return None
    return (f"SARIF not uploaded: the checkout is commit {checkout[:12]}, but the upload would be recorded "
            f"for {ref} at {sha[:12]} (GITHUB_REF, GITHUB_SHA) and decide that ref's alerts; check out "
            "GITHUB_SHA, or upload with upload-sarif's ref and sha inputs")


def _publish(ctx: _Context, inputs: ActionInputs, event: Event, workspace: Path, reconcile: bool,
             refusal: str | None, waived: int, incomplete: bool, *, written: bool,
             checkout: str | None) -> tuple[Outcome | None, list[str]]:
    """Upload ``sarif-file`` (``upload: true``) and reconcile alerts where that is allowed.

    ``incomplete``: the scan had configuration errors (exit 2). Its SARIF lacks the
    findings of the policies that failed, and code scanning would close their alerts as
    fixed, so it is not uploaded (the same rule the documented upload-sarif step follows).
    ``written``: whether this run wrote ``sarif-file`` (a file found there otherwise is not
    this scan's). ``checkout``: the workspace's commit, when known.
    """
    if not inputs.upload:
        return None, []
    repo = ctx.env.get("GITHUB_REPOSITORY", "").strip()
    target = upload_target(event, ctx.env)
    outcome = Outcome()
    if incomplete:
        outcome.warnings.append("SARIF not uploaded: the scan has configuration errors, so it lacks findings "
                                "that code scanning would then close as fixed; alerts stay as they are")
        return outcome, summary_lines(outcome, ref="", refusal=None, waived=0)
    if not written:
        outcome.errors.append(f"SARIF not uploaded: {inputs.sarif_file} could not be written")
        return outcome, summary_lines(outcome, ref="", refusal=None, waived=0)
    if not ctx.token or not repo or target is None:
        missing = ("no `github-token`" if not ctx.token else "GITHUB_REPOSITORY is not set" if not repo
                   else "GITHUB_REF/GITHUB_SHA do not name a branch, tag or pull request and a commit")
        outcome.errors.append(f"SARIF not uploaded: {missing}")
        return outcome, summary_lines(outcome, ref="", refusal=refusal, waived=waived)
    ref, sha = target
    if event.name != "pull_request_target" and (why := _misattributed(ref, sha, checkout)):
        outcome.errors.append(why)
        return outcome, summary_lines(outcome, ref=ref, refusal=None, waived=0)
    try:
        client = CodeScanning(ctx.api(inputs), repo)
    except ValueError as exc:
        outcome.errors.append(f"SARIF not uploaded: {exc}")
        return outcome, summary_lines(outcome, ref=ref, refusal=refusal, waived=waived)
    data = (workspace / inputs.sarif_file).read_bytes()
    outcome = publish(client, data, ref=ref, commit_sha=sha, tool_name="regoscan", dismiss=reconcile, log=ctx.say)
    if inputs.dismiss_waived and refusal and not event.is_pull_request:
        ctx.say(f"alerts not reconciled: {refusal}")
    return outcome, summary_lines(outcome, ref=ref, refusal=refusal, waived=waived)


def _scope_notes(changes: ChangeSet, scanned: int, widened: str | None) -> list[str]:
    lines = ["", "#### Scan scope", ""]
    if changes.scope == "changed":
        deleted = len(changes.deleted)
        extra = f"; {deleted} deleted file{'s' if deleted != 1 else ''} not scanned" if deleted else ""
        lines.append(f"Changed files only — {md_escape(changes.description)}. "
                     f"{scanned} of {len(changes.files)} changed file{'s' if len(changes.files) != 1 else ''} "
                     f"scanned{extra}. The SARIF file covers every file.")
    else:
        lines.append(f"All files — {md_escape(changes.description)}.")
    if widened:
        lines.append("")
        lines.append(f"> **Note:** {md_escape(widened)}")
    for notice in changes.notices:
        lines.append("")
        lines.append(f"> **Note:** {md_escape(notice)}")
    return lines


def _post_comment(ctx: _Context, report: ScanReport, inputs: ActionInputs, event: Event,
                  scope: list[str]) -> CommentResult | None:
    from regoscan.output.markdown import render_summary

    if not inputs.comment:
        return None
    number = event.pr_number
    repo = ctx.env.get("GITHUB_REPOSITORY", "").strip()
    if number is None:
        ctx.say("not a pull request; no comment")
        return None
    if not repo or not ctx.token:
        return CommentResult("skipped", explanation="No pull request comment was posted: "
                             + ("no `github-token`." if not ctx.token else "GITHUB_REPOSITORY is not set."))
    url = run_url(ctx.env)
    tail = "\n".join(scope) + "\n"
    budget = COMMENT_MAX_BYTES - len(tail.encode("utf-8"))
    body = ctx.redact(render_summary(report, max_bytes=budget, details_url=url) + tail)

    def shorter() -> str:
        return ctx.redact(render_summary(report, max_bytes=SHORT_MAX_BYTES, details_url=url))

    tag = clean_tag(inputs.comment_tag) if inputs.comment_tag else default_tag(ctx.env, inputs.sarif_category)
    result = upsert_comment(ctx.api(inputs), repo, number, body, shorter, log=ctx.say, tag=tag)
    if result.outcome in ("created", "updated"):
        ctx.say(f"{result.outcome} the pull request comment (tag {tag}) {result.url or ''}".rstrip())
    else:
        ctx.say(result.explanation)
    return result


def _write_summary(ctx: _Context, report: ScanReport, scope: list[str]) -> None:
    from regoscan.output.markdown import render_summary

    path = ctx.env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    tail = "\n".join(scope) + "\n"
    # room for the one line added if the comment then fails
    budget = summary_budget(path) - len(tail.encode("utf-8")) - 2048
    # no "full report" link here: the job summary is what the comment's link points to
    text = render_summary(report, max_bytes=max(budget, 512))
    append_summary(path, ctx.redact(text + tail))


def _note_comment_failure(ctx: _Context, comment: CommentResult | None) -> None:
    path = ctx.env.get("GITHUB_STEP_SUMMARY")
    if path and comment is not None and comment.explanation:
        append_summary(path, ctx.redact(f"\n> **No PR comment:** {md_escape(comment.explanation)}\n"))


# --- the run ----------------------------------------------------------------------


def _finish(ctx: _Context, code: int, values: dict[str, str] | None = None) -> int:
    outputs = {"exit-code": str(code), "decision": DECISIONS[code], **(values or {})}
    write_outputs(ctx.env.get("GITHUB_OUTPUT"), {k: ctx.redact(v) for k, v in outputs.items()})
    return code


def _resolve_existing(kind: str, workspace: Path, rels: list[str]) -> list[str]:
    out = []
    for rel in rels:
        path = workspace / rel
        if not path.exists():
            raise InputError(f"input '{kind}': {rel} does not exist in the workspace")
        out.append(str(path))
    return out


def _deleted_ref(ctx: _Context, event: Event) -> int:
    """A push that deleted its branch or tag: nothing to scan, nothing to upload."""
    what = event.ref or "its ref"
    ctx.say(f"the push deleted {what}; nothing to scan (exit 0, no SARIF written)")
    path = ctx.env.get("GITHUB_STEP_SUMMARY")
    if path:
        append_summary(path, f"### regoscan\n\nNothing to scan: this push deleted `{md_escape(what)}`.\n")
    return _finish(ctx, 0, {"scan": "none", "sarif-file": "", "sarif-full-file": "", "sarif-complete": "false",
                            "findings": "0", "suppressed": "0", "errors": "0", "scanned-files": "0"})


def run(env: Mapping[str, str], out: TextIO) -> int:
    token = (env.get(env_name("github-token")) or env.get("INPUT_GITHUB_TOKEN") or "").strip()
    ctx = _Context(env, out, token)
    if token:
        # first line of output: from here on the runner masks the value in every log line
        out.write(f"::add-mask::{token}\n")
    try:
        inputs = read_inputs(env)
        workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
        _resolve_existing("policy", workspace, inputs.policy)
        _resolve_existing("data", workspace, inputs.data)
    except InputError as exc:
        ctx.command("error", f"regoscan: {exc}")  # the run ends here: no finding competes for the annotation
        return _finish(ctx, EXIT_ERROR)

    event = load_event(env)
    ctx.say(f"event {event.name or '(none)'}, scan mode {inputs.scan}")
    if event.deletes_ref:
        return _deleted_ref(ctx, event)
    tree: HeadTree | None = None
    try:
        if event.name == "pull_request_target":
            tree = _head_tree(ctx, event, workspace, inputs)
        return _scan_and_report(ctx, inputs, event, workspace, tree)
    except _Refused as exc:
        ctx.command("error", f"regoscan: {exc}")
        return _finish(ctx, EXIT_ERROR, {"sarif-complete": "false"})
    finally:
        if tree is not None:
            tree.cleanup()


def _scan_and_report(ctx: _Context, inputs: ActionInputs, event: Event, workspace: Path,
                     tree: HeadTree | None) -> int:
    from regoscan.engine.scan import DEFAULT_NAMESPACES, ScanOptions, run_scan

    root = tree.root if tree is not None else workspace
    # git's messages and the change description can carry file names from the PR: one line each
    changes = changed_files(inputs.scan, event, workspace, ctx.env, log=ctx.say)
    change_range = changes  # kept when the gate widens: the base comparison needs the changed files
    trusted_ref = _trusted_ref(ctx, inputs, event)
    touched_policies = _touched_policies(ctx, inputs, event, change_range, workspace)
    widened = None
    if changes.scope == "changed" and not trusted_ref:  # policies from a trusted ref: the change's are inert
        touched = _policy_touched(changes, workspace, inputs)
        if touched and tree is None:
            widened = f"{touched} is in a policy or data folder, so every file was scanned, not only changed ones"
            changes = ChangeSet("all", description=f"full scan: the change touches {touched}",
                                notices=changes.notices, root=changes.root)
        elif touched:
            ctx.say(f"{touched} is in a policy or data folder; pull_request_target loads the base branch's "
                    "policies, so the pull request's change to them applies once it is merged")
    for notice in changes.notices:
        ctx.say(notice)
    ctx.say(changes.description)

    cache_dir = cache_folder(ctx, inputs, event, workspace)
    created_cache = _missing_parents(cache_dir) if cache_dir is not None else []
    opts = ScanOptions(
        paths=[str(root)],
        root=root,
        policies=[str(root / p) for p in inputs.policy],
        data=[str(root / d) for d in inputs.data],
        namespaces=inputs.namespaces or list(DEFAULT_NAMESPACES),
        builtin=inputs.builtin_checks,
        include=inputs.paths or None,
        exclude=inputs.exclude or None,
        cache_dir=cache_dir,
        environment=ctx.env,
        policy_changes=touched_policies,
    )
    with contextlib.ExitStack() as stack:
        try:
            trusted_notes = _load_trusted(ctx, trusted_ref, inputs, event, workspace, opts, stack)
            full = run_scan(opts, progress=lambda m: ctx.say(m))
        except UsageError as exc:
            ctx.command("error", f"regoscan: {exc}")
            return _finish(ctx, EXIT_ERROR, {"scan": changes.scope, "sarif-complete": "false"})
        finally:
            if cache_dir is not None:
                _own_cache(cache_dir, created_cache, workspace)
        full.notices.extend(trusted_notes)
        # a typo in `namespaces` must not pass for a clean scan (as on the command line)
        check_selection(full, inputs.namespaces or None, option="input namespaces:",
                        advice="see the inputs policy, namespaces and builtin-checks")
        return _report(ctx, inputs, event, change_range, changes, widened, full, opts, workspace, root)


def _report(ctx: _Context, inputs: ActionInputs, event: Event, change_range: ChangeSet, changes: ChangeSet,
            widened: str | None, full: ScanReport, opts: ScanOptions, workspace: Path, root: Path) -> int:
    from regoscan.output.console import render_text

    full.fail_on = inputs.fail_on  # the summary's headline is worded by the same bar as the exit code
    if changes.scope == "changed":
        changed = [p.relative_to(root).as_posix() for p in select_files(changes, workspace, inputs, root)]
        report = restrict(full, changed)
    else:
        report = full
    base_note = ""
    if event.is_pull_request and change_range.scope == "changed":
        report.baseline, base_note = compare_with_base(event, change_range, report, opts, workspace, ctx.env,
                                                       log=ctx.say)
        if base_note:
            ctx.say(f"not compared with the base: {base_note}")
    if inputs.fail_on_new_only:
        if report.baseline is not None:
            report.baseline.new_only = True  # the exit code and every headline count only new findings
        else:
            ctx.say("fail-on-new-only: no base to compare with "
                    f"({'not a pull request' if not event.is_pull_request else base_note or 'no change range'}); "
                    "every active finding counts")
    code = exit_code(report)
    scanned = len(report.files) - len(report.unscanned)
    refusal = dismissal_refusal(event, ctx.env) if inputs.dismiss_waived else "input dismiss-waived is false"
    # the commit the SARIF describes (pull_request_target: the head tree, checked by headtree)
    checkout = Git(workspace, ctx.env, lambda _m: None).resolve("HEAD") \
        if inputs.upload and event.name != "pull_request_target" else None
    if refusal is None and inputs.upload:
        refusal = _checkout_refusal(ctx, checkout)
    reconcile = inputs.upload and refusal is None
    sarif_written = _write_sarif(ctx, full, inputs, workspace, _sarif_mode(ctx, inputs, reconcile))
    if not sarif_written:
        code = EXIT_ERROR  # the results exist but the file a later step uploads does not (nor is it uploaded)
    ctx.log("::group::regoscan report")
    ctx.log(render_text(report).rstrip("\n"))
    ctx.log("::endgroup::")
    # the upload is the whole tree's SARIF: its waived findings, not only the gate's
    outcome, scanning_lines = _publish(ctx, inputs, event, workspace, reconcile, refusal, len(full.suppressed),
                                       incomplete=full.has_errors, written=sarif_written, checkout=checkout)
    if outcome is not None:
        level = "warning" if event.is_pull_request else "error"  # a stale Security tab must not go unnoticed
        for message in outcome.errors:
            ctx.say(f"{level}: {message}")
        for message in outcome.warnings:
            ctx.say(f"warning: {message}")
        if outcome.errors and level == "error":
            code = EXIT_ERROR
    scope = _scope_notes(changes, scanned, widened) + scanning_lines
    if base_note and event.is_pull_request:
        scope += ["", f"> **Note:** findings were not compared with the base: {md_escape(base_note)}"]
    if inputs.summary:
        _write_summary(ctx, report, scope)
    comment = _post_comment(ctx, report, inputs, event, scope)
    if inputs.summary:
        _note_comment_failure(ctx, comment)
    own = [Annotation("error", message, title="regoscan") for message in ctx.errors]
    for line in render([*own, *annotations_for(report)]):
        ctx.log(line)
    errors = sum(1 for n in report.notices if n.level is NoticeLevel.ERROR)
    target = upload_target(event, ctx.env)
    return _finish(ctx, code, {
        "sarif-file": inputs.sarif_file,
        "sarif-full-file": inputs.sarif_full_file,
        "sarif-category": inputs.sarif_category,
        "sarif-complete": "true" if sarif_written and not full.has_errors else "false",
        "sarif-ref": target[0] if target else "",
        "sarif-sha": target[1] if target else "",
        "findings": str(len(report.active)),
        "suppressed": str(len(report.suppressed)),
        "errors": str(errors),
        "scanned-files": str(scanned),
        "scan": changes.scope,
        "comment-url": comment.url or "" if comment else "",
        "sarif-id": outcome.sarif_id if outcome else "",
        "dismissed": str(len(outcome.dismissed)) if outcome else "0",
        "reopened": str(len(outcome.reopened)) if outcome else "0",
        "new-findings": str(len(report.baseline.new)) if report.baseline else "",
    })


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of ``regoscan action``: any failure still ends with outputs and exit 2."""
    environ = dict(os.environ if env is None else env)
    stream = out or sys.stdout
    try:
        return run(environ, stream)
    except Exception as exc:  # last resort: the step must fail with a message, not hang or vanish
        token = (environ.get(env_name("github-token")) or "").strip()
        ctx = _Context(environ, stream, token)
        ctx.command("error", f"regoscan failed unexpectedly: {type(exc).__name__}: {exc}")
        sys.stderr.write(ctx.redact(traceback.format_exc()))
        return _finish(ctx, EXIT_ERROR)
