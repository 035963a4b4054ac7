"""Policies from a trusted git revision, and which policy files a change touched.

A pull request can add an exception that waives its own findings. Loading custom
policies, exceptions and data from a reviewed revision instead of the working tree
(``--trusted-policy-ref`` / ``trusted-policy-ref``) means such a change only takes
effect once it is merged. The revision's files are read from git objects with
``git ls-tree`` and ``git cat-file --batch`` into a fresh temporary folder outside the
workspace: nothing is checked out, no filter, hook or attribute of the repository runs,
and only regular files are written (a symlink in the revision is skipped, never
followed, since it would lead back into the working tree).

``changes_since`` compares the policy and data files on disk with those of a revision,
by git blob id (computed in Python for files on disk, so untracked and ignored files
count too), for the command line, where no change range is known.

git runs through :mod:`regoscan.gitobjects`, with the same scrubbed environment as the
Action's change detection (no token, no prompt), failing with :class:`RefError`. A
revision that cannot be resolved (even after one shallow fetch) is a usage error:
falling back to the working tree would quietly undo the point.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from regoscan import gitobjects
from regoscan.errors import UsageError
from regoscan.gitobjects import TreeEntry, is_plain_path, ls_tree, private_folder, read_blobs, write_new
from regoscan.inputs.forbidden import ForbiddenPaths
from regoscan.inputs.load import MAX_BYTES
from regoscan.models import PolicyChange

_HEX = re.compile(r"[0-9a-fA-F]{4,64}")
_FULL_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
POLICY_SUFFIXES = (".rego",)
DATA_SUFFIXES = (".json", ".yaml", ".yml")


class RefError(UsageError):
    """The trusted revision cannot be used; the scan must not go on without it."""


class _Git(gitobjects.Git):
    """The shared runner, failing with :class:`RefError`: without the trusted revision the
    scan must stop (a usage error), never fall back to the working tree."""

    error = RefError

    def toplevel(self) -> Path:
        proc = self.run("rev-parse", "--show-toplevel")
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RefError(f"{self.repo} is not in a git repository ({err[-1] if err else 'git failed'})")
        return Path(proc.stdout.decode("utf-8", "replace").strip()).resolve()

    def resolve(self, ref: str) -> str | None:
        """The commit ``ref`` names; a name that fits two refs is an error, not git's pick.

        git prefers a tag to a branch or a remote-tracking branch of the same name: anyone who
        can push a tag named ``main`` or ``origin/main`` (a contributor whose pull request is
        being scanned) would otherwise choose the "trusted" policies."""
        proc = self.run("-c", "core.warnAmbiguousRefs=true", "rev-parse", "--verify", "--end-of-options",
                        f"{ref}^{{commit}}")
        if proc.returncode != 0:
            return None
        if b"is ambiguous" in proc.stderr and not _FULL_ID.fullmatch(ref):  # a full id is never a ref name
            raise RefError(f"trusted policy ref {ref!r} is ambiguous: more than one ref has that name (a tag and "
                           "a branch, say); name it in full (refs/remotes/origin/main, refs/tags/v1) or by commit id")
        return proc.stdout.decode("ascii", "replace").strip() or None

    def fetch(self, ref: str) -> bool:
        """One shallow fetch of ``ref`` from origin (a pull request's base in a depth-1 checkout).

        A short name is looked up on origin as a branch and as a tag, exactly: git's own
        matching takes the tag when both exist (see ``resolve``), so both is an error."""
        if "origin" not in self.run("remote").stdout.decode("utf-8", "replace").split():
            return False
        target = ref
        if not ref.startswith("refs/") and not _HEX.fullmatch(ref):
            wanted = (f"refs/heads/{ref}", f"refs/tags/{ref}")
            listed = self.run("ls-remote", "--end-of-options", "origin", *wanted).stdout.decode("utf-8", "replace")
            found = sorted({line.split("\t", 1)[1] for line in listed.splitlines() if "\t" in line} & set(wanted))
            if len(found) > 1:
                raise RefError(f"trusted policy ref {ref!r} is ambiguous on origin ({' and '.join(found)}); name it "
                               "in full or by commit id")
            if not found:
                return False
            target = found[0]
        return self.run("fetch", "--no-tags", "--quiet", "--no-recurse-submodules", "--depth=1",
                        "--end-of-options", "origin", target).returncode == 0


def _commit(git: _Git, ref: str) -> str:
    if not ref.strip() or ref.startswith("-"):
        raise RefError(f"trusted policy ref {ref!r} is not a revision")
    sha = git.resolve(ref)
    if sha is None and git.fetch(ref):
        sha = git.resolve(ref) or git.resolve("FETCH_HEAD")
    if sha is None:
        raise RefError(f"trusted policy ref {ref!r} cannot be resolved in {git.repo} (fetch it first, "
                       "e.g. actions/checkout with fetch-depth: 0); policies were not loaded from the working tree "
                       "instead")
    return sha


def _repo_paths(named: list[str], top: Path, what: str) -> list[tuple[str, str]]:
    """(as named, path relative to the repository) for each named path; outside the repository is an error."""
    out = []
    for raw in named:
        lexical = Path(os.path.normpath(Path(raw).absolute()))
        try:
            rel = lexical.relative_to(top).as_posix()
        except ValueError:
            try:
                rel = lexical.resolve().relative_to(top).as_posix()
            except ValueError:
                raise RefError(f"{what} {raw} is outside the git repository {top}: it cannot be loaded from a "
                               "trusted revision") from None
        out.append((raw, "" if rel == "." else rel))
    return out


def _below(path: str, folder: str) -> bool:
    return not folder or path == folder or path.startswith(folder.rstrip("/") + "/")


@dataclass
class TrustedPolicies:
    """Custom policies and data exported from ``sha``; pass ``policies``/``data``/``root`` to the scan."""

    ref: str
    sha: str
    folder: Path
    root: Path
    """Where the scan root lies in the export: policy paths are shown relative to it."""
    policies: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was not exported and why (a folder absent at the revision, a symlink...)."""

    @property
    def label(self) -> str:
        return self.ref if self.ref.startswith(self.sha[:12]) else f"{self.ref} ({self.sha[:12]})"


@contextmanager
def trusted_policies(ref: str, policy_paths: list[str], data_paths: list[str], root: Path,
                     env: Mapping[str, str] | None = None,
                     untrusted: Collection[str] = ()) -> Iterator[TrustedPolicies]:
    """Export the policy and data paths as they are at ``ref``; the folder is removed afterwards.

    ``untrusted``: commits of the change being scanned (a pull request's head, its merge
    commit). A ref that names one of them (``HEAD``, the head branch) would load the pull
    request's own policies while the reports say "trusted": an error instead."""
    env = os.environ if env is None else env
    git = _Git(root, env)
    top = git.toplevel()
    sha = _commit(git, ref)
    if sha in untrusted:
        raise RefError(f"trusted policy ref {ref!r} is {sha[:12]}, a commit of the pull request being scanned: its "
                       "policies are the pull request's own; use base (the pull request's base commit) or a "
                       "reviewed branch")
    folder = private_folder("regoscan-trusted-", outside=[root, top], where="the repository", error=RefError)
    try:
        try:
            root_rel = root.resolve().relative_to(top)
        except ValueError:
            root_rel = Path()
        export = TrustedPolicies(ref, sha, folder, folder / root_rel)
        named = {"policy": _repo_paths(policy_paths, top, "--policy"), "data": _repo_paths(data_paths, top, "--data")}
        wanted = sorted({rel or "." for pairs in named.values() for _, rel in pairs})
        entries = ls_tree(git, sha, wanted)
        _write(git, sha, entries, folder, export)
        for kind, pairs in named.items():
            for raw, rel in pairs:
                target = folder / rel
                if rel not in entries and any(_below(p, rel) for p in entries):
                    target.mkdir(parents=True, exist_ok=True)  # a folder at the revision, maybe all skipped
                if target.exists():
                    (export.policies if kind == "policy" else export.data).append(str(target))
                else:
                    export.notes.append(f"{raw} does not exist at {export.label}: nothing loaded from it")
        yield export
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(git: _Git, sha: str, entries: dict[str, TreeEntry], folder: Path, export: TrustedPolicies) -> None:
    regular: dict[str, str] = {}
    for path, entry in entries.items():
        if not is_plain_path(path):
            export.notes.append(f"{path!r} at {sha[:12]} is not a plain relative path: skipped")
        elif not entry.regular:
            what = "a symlink" if entry.symlink else f"not a regular file (mode {entry.mode})"
            export.notes.append(f"{path} is {what} at {sha[:12]}: not loaded (links are never followed)")
        elif (entry.size or 0) > MAX_BYTES:
            export.notes.append(f"{path} is larger than {MAX_BYTES} bytes at {sha[:12]}: not loaded")
        else:
            regular[path] = entry.oid
    blobs = read_blobs(git, regular.values())
    for path, oid in sorted(regular.items()):
        content = blobs.get(oid)
        if content is None:
            export.notes.append(f"{path}: blob {oid[:12]} could not be read")
            continue
        write_new(folder, path, content)


def files_at(ref: str, paths: list[Path], cwd: Path,
             env: Mapping[str, str] | None = None) -> tuple[str, dict[Path, bytes | None]]:
    """``(label, contents)``: each of ``paths`` as it is at ``ref`` (None when it is absent
    there, a symlink or too large). For the config file, which is part of the checkout a pull
    request changes just like the policies. A path outside the repository is left out."""
    env = os.environ if env is None else env
    git = _Git(cwd, env)
    top = git.toplevel()
    sha = _commit(git, ref)
    rels: dict[Path, str] = {}
    for path in paths:
        folder = Path(os.path.normpath(path.parent.absolute()))
        for base in (folder, folder.resolve()):  # the folder, never a link the checkout made in its place
            if base.is_relative_to(top):
                rels[path] = (base / path.name).relative_to(top).as_posix()
                break
    entries = ls_tree(git, sha, sorted(set(rels.values())))
    oids = {rel: e.oid for rel, e in entries.items() if e.regular and (e.size or 0) <= MAX_BYTES}
    blobs = read_blobs(git, oids.values())
    label = ref if ref.startswith(sha[:12]) else f"{ref} ({sha[:12]})"
    return label, {path: blobs.get(oids.get(rel, "")) for path, rel in rels.items()}


# --------------------------------------------------------------------- changes


def blob_id(data: bytes) -> str:
    """git's object id of a blob with this content (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _relevant(name: str, kind: str) -> bool:
    if kind == "policy":
        return name.endswith(POLICY_SUFFIXES) and not name.endswith("_test.rego")
    return name.endswith(DATA_SUFFIXES)


def _on_disk(start: Path, kind: str, named_file: bool) -> list[Path]:
    """Files under ``start`` as policy loading would see them (dot folders skipped, links not followed)."""
    if named_file or start.is_symlink() or not start.is_dir():
        return [start] if start.exists() or start.is_symlink() else []
    out = []
    for current, dirs, files in os.walk(start):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(current) / f for f in sorted(files) if not f.startswith(".") and _relevant(f, kind)]
    return out


def links_to(changed: Collection[str], policy_paths: list[str], data_paths: list[str], root: Path) -> list[str]:
    """Policy and data files, as loading finds them, that are symlinks to one of ``changed``
    (paths relative to ``root``); returned relative to ``root``.

    A policy file may be a link inside the repository. A change that edits only the link's
    target (a file outside the policy folder) changes what is loaded while no policy path
    changed: such links count as modified, or an exception would be added quietly."""
    if not changed:
        return []
    base = root.resolve()
    found: list[str] = []
    for kind, named in (("policy", policy_paths), ("data", data_paths)):
        for raw in named:
            start = Path(raw)
            for path in _on_disk(start, kind, start.is_file() and not start.is_dir()):
                if not path.is_symlink():
                    continue
                try:
                    target = path.resolve().relative_to(base).as_posix()
                except (OSError, RuntimeError, ValueError):
                    continue
                if target in changed:
                    found.append(_root_relative(path, root))
    return sorted(dict.fromkeys(found))


def changes_since(ref: str, policy_paths: list[str], data_paths: list[str], root: Path,
                  env: Mapping[str, str] | None = None) -> tuple[str, list[PolicyChange]]:
    """``(label, changes)``: policy and data files on disk that differ from ``ref``.

    Paths in the result are relative to ``root``. Git metadata and credential files are
    never read (``inputs.forbidden``); a symlink is compared as the link itself.
    """
    env = os.environ if env is None else env
    git = _Git(root, env)
    top = git.toplevel()
    sha = _commit(git, ref)
    guard = ForbiddenPaths(root, bases=[Path(p) for p in [*policy_paths, *data_paths] if Path(p).is_dir()], env=env)
    at_ref: dict[str, str] = {}
    disk: dict[str, str] = {}
    linked: dict[str, tuple[str, str]] = {}
    """Link (repository path) -> its target's repository path and blob id on disk."""
    for kind, named in (("policy", policy_paths), ("data", data_paths)):
        pairs = _repo_paths(named, top, "--policy" if kind == "policy" else "--data")
        for (raw, rel) in pairs:
            named_file = Path(raw).is_file() and not Path(raw).is_dir()
            for path, entry in ls_tree(git, sha, [rel or "."]).items():
                inner = path[len(rel):].lstrip("/") if rel else path
                if named_file or (_relevant(PurePosixPath(path).name, kind)
                                  and not any(p.startswith(".") for p in PurePosixPath(inner).parts)):
                    at_ref[path] = entry.oid
            for p in _on_disk(Path(raw), kind, named_file):
                repo_rel = Path(os.path.normpath(p.absolute())).relative_to(top).as_posix()
                if p.is_symlink():
                    disk[repo_rel] = blob_id(os.fsencode(os.readlink(p)))
                    target = _link_target(p, top, guard)
                    if target is not None:
                        linked[repo_rel] = target
                elif guard.reason(p) is None:
                    try:
                        disk[repo_rel] = blob_id(p.read_bytes())
                    except OSError:
                        continue
                else:
                    disk[repo_rel] = "refused"  # reported when loading; never read here
    targets = {path: entry.oid for path, entry in ls_tree(git, sha, sorted({t for t, _ in linked.values()})).items()}
    changes = []
    for path in sorted(set(at_ref) | set(disk)):
        if path not in disk:
            status = "deleted"
        elif path not in at_ref:
            status = "added"
        elif at_ref[path] != disk[path]:
            status = "modified"
        elif path in linked and targets.get(linked[path][0], "") != linked[path][1]:
            status = "modified"  # the link is the same, what it leads to is not
        else:
            continue
        changes.append(PolicyChange(_root_relative(top / path, root), status))
    label = ref if ref.startswith(sha[:12]) else f"{ref} ({sha[:12]})"
    return label, changes


def _link_target(link: Path, top: Path, guard: ForbiddenPaths) -> tuple[str, str] | None:
    """(repository path, blob id on disk) of the regular file ``link`` leads to inside the
    repository; None when it leads elsewhere or may not be read."""
    try:
        real = link.resolve(strict=True)
        rel = real.relative_to(top).as_posix()
    except (OSError, RuntimeError, ValueError):
        return None
    if not real.is_file() or guard.reason(link, real) is not None:
        return None
    try:
        with real.open("rb") as handle:
            return rel, blob_id(handle.read(MAX_BYTES + 1))
    except OSError:
        return None


def _root_relative(path: Path, root: Path) -> str:
    lexical = Path(os.path.normpath(path))
    for base in (Path(os.path.normpath(root.absolute())), root.resolve()):
        try:
            return lexical.relative_to(base).as_posix()
        except ValueError:
            continue
    return lexical.as_posix()
