"""Finding the files to scan.

Everything here is about being predictable in CI: the same tree always yields the
same candidates in the same order (sorted by ``rel_path``), a symlink can never make
the scan read outside the repository (a checkout is untrusted input), and problems
with single folders become notices rather than aborting the scan. Only a path the
user named that does not exist is fatal (``UsageError``): that is a typo, and
scanning nothing would pass silently.

Relative ``paths`` are taken relative to the current directory, as a shell user
expects; ``rel_path`` is relative to ``root`` (POSIX separators), or the absolute
POSIX path for files outside ``root``.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from regoscan.errors import UsageError
from regoscan.inputs.forbidden import FolderRules, ForbiddenPaths
from regoscan.inputs.unrendered import (
    CHART_FILE,
    KUSTOMIZATION_FILES,
    TEMPLATES,
    chart_of,
    helm_notice,
    is_chart,
    kustomization_in,
    kustomize_notices,
)
from regoscan.models import InputType, Notice, NoticeLevel, printable

SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})
_DOCKERFILE_NAMES = ("dockerfile", "containerfile")
# ``Dockerfile.<ext>`` is a Dockerfile variant (Dockerfile.prod) unless the extension
# says it is something else: docs, data, scripts, backups, ignore files.
_NOT_DOCKERFILE_EXTENSIONS = frozenset(
    {
        ".md", ".markdown", ".txt", ".rst", ".adoc", ".html", ".rego", ".json", ".yaml", ".yml",
        ".toml", ".sh", ".bash", ".ps1", ".py", ".go", ".js", ".ts", ".orig", ".bak", ".swp",
        ".tmp", ".old", ".lock", ".log", ".dockerignore", ".png", ".svg", ".jpg", ".gif",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A file worth loading; ``input_type_hint`` is ``None`` when only sniffing can tell."""

    abs_path: Path
    rel_path: str
    input_type_hint: InputType | None


@dataclass
class DiscoveryResult:
    candidates: list[Candidate] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def classify(name: str) -> InputType | None:
    """The input type a file name implies, or ``None`` for "not a scan input"."""
    lower = name.lower()
    stem, dot, extension = lower.rpartition(".")
    extension = dot + extension if dot else ""
    if lower in _DOCKERFILE_NAMES or extension in (".dockerfile", ".containerfile"):
        return InputType.DOCKERFILE
    if stem in _DOCKERFILE_NAMES and extension not in _NOT_DOCKERFILE_EXTENSIONS:
        return InputType.DOCKERFILE
    if extension in (".yaml", ".yml"):
        return InputType.YAML
    if extension == ".json":
        return InputType.JSON
    return None


# --------------------------------------------------------------------------- globs


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob: ``**`` spans directories, ``*``/``?``/``[...]`` stay inside one."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            at_start = i == 0 or pattern[i - 1] == "/"
            if at_start and pattern.startswith("**/", i):
                out.append("(?:.*/)?")  # zero or more whole directories
                i += 3
                continue
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1  # a ']' right after the opening is literal
            end = pattern.find("]", j)
            if end < 0:
                out.append(re.escape(ch))
                i += 1
                continue
            body = pattern[i + 1 : end]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out))


def glob_match(pattern: str, path: str) -> bool:
    """Whether ``path`` (POSIX, relative to the root) matches ``pattern`` exactly.

    ``**`` matches any number of directories (``**/x.yaml`` also matches ``x.yaml``),
    ``*`` and ``?`` never cross a ``/``, ``[...]``/``[!...]`` are character classes; a
    leading ``./`` is ignored. Matching is case-sensitive.
    """
    try:
        return _glob_regex(pattern).fullmatch(path) is not None
    except re.error:
        return False


@functools.lru_cache(maxsize=256)
def _literal(pattern: str) -> str | None:
    """The text a pattern without wildcards stands for (as ``_glob_regex`` reads it), else None."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return None if not pattern or any(ch in pattern for ch in "*?[") else pattern


def matches_any(patterns: list[str], rel_path: str) -> bool:
    """A pattern matching a directory also matches everything below it (``vendor``).

    A pattern without wildcards (the cache folder, excluded from every scan that keeps it
    under the root) is compared as text: ``rel_path`` is it or lies below it. Matching each
    prefix of each file's path with a regular expression cost a warm scan 5 ms."""
    prefixes: list[str] | None = None
    for pattern in patterns:
        literal = _literal(pattern)
        if literal is not None:
            if rel_path == literal or rel_path.startswith(literal + "/"):
                return True
            continue
        if prefixes is None:
            parts = rel_path.split("/")
            prefixes = ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
        if any(glob_match(pattern, prefix) for prefix in prefixes if prefix):
            return True
    return False


# --------------------------------------------------------------------------- walking


class _Walker:
    def __init__(self, root: Path, include: list[str] | None, exclude: list[str] | None, sniff_unknown: bool,
                 forbidden: ForbiddenPaths) -> None:
        self.sniff_unknown = sniff_unknown
        self.root = root.absolute()
        self.root_real = self.root.resolve()
        self._bases = [str(self.root), str(self.root_real)] if not str(self.root).startswith("//") else []
        self.forbidden = forbidden
        self.include = include or []
        self.exclude = exclude or []
        self.result = DiscoveryResult()
        # real path (text) -> ((reached through a link, rel_path), candidate): dedupes links
        self.found: dict[str, tuple[tuple[bool, str], Candidate]] = {}
        self.seen_dirs: set[Path] = set()
        self.helm_templates: dict[Path, list[str]] = {}
        """Chart folder -> template files left out (reported once per chart by ``finish``)."""
        self.kustomizations: set[str] = set()

    def notice(self, code: str, message: str, path: Path) -> None:
        self.result.notices.append(Notice(NoticeLevel.WARNING, code, message, path=self.rel(path)))

    def rel(self, path: Path) -> str:
        text = os.fspath(path)
        if not text.startswith("//"):  # (a POSIX path may start with exactly two slashes: Path's own rules)
            # what relative_to gives, by text: a Path and two failed relative_to per folder of a tree
            # outside the root (the corpus) cost more than the folder's other work
            for base in self._bases:
                if text == base:
                    return ""
                prefix = base if base.endswith("/") else base + "/"
                if text.startswith(prefix):
                    return printable(text[len(prefix):])
            return printable(path.as_posix())
        return self.rel_by_paths(path)

    def rel_by_paths(self, path: Path) -> str:
        """``rel`` by ``Path.relative_to`` (the root, then its real path): the rule the text way must match."""
        for base in (self.root, self.root_real):
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            return printable(rel) if rel != "." else ""
        return printable(path.as_posix())

    def refused(self, path: Path, real: Path, *, folder: bool = False) -> bool:
        """Git metadata and credential files are never opened (see ``inputs.forbidden``)."""
        why = self.forbidden.folder_reason(path, real) if folder else self.forbidden.reason(path, real)
        if why is None:
            return False
        self.notice("input-credential-file", f"not read: {self.rel(path)}: {why}", path)
        return True

    def inside_root(self, path: Path) -> bool:
        return any(path == base or base in path.parents for base in (self.root, self.root_real))

    def follow(self, path: Path) -> Path | None:
        """The real path behind ``path``, or ``None`` if it is a link we must not follow."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            self.notice("input-broken-symlink", f"skipped {self.rel(path)}: broken or looping symlink", path)
            return None
        # Credentials and git metadata first: the more precise reason, wherever the link leads.
        if self.refused(path, real, folder=real.is_dir()):
            return None
        # A link (the path itself, or a folder above it inside the root) may not lead out
        # of the root; a path outside the root that the user named directly is fine.
        escapes = path.is_symlink() or self.inside_root(path)
        if escapes and not self.inside_root(real):
            self.notice(
                "input-symlink-outside-root",
                f"skipped {self.rel(path)}: symlink resolves outside the scan root ({real.as_posix()})",
                path,
            )
            return None
        return real

    def wanted(self, rel: str) -> bool:
        if self.include and not matches_any(self.include, rel):
            return False
        return not (self.exclude and matches_any(self.exclude, rel))

    def add_file(self, path: Path, real: Path, hint: InputType | None, via_link: bool) -> None:
        """Record a file once per real path, preferring a link-free path, then the smallest."""
        rel = self.rel(path)
        if self.wanted(rel):
            self._keep(os.fspath(real), via_link, rel, path, hint)

    def _keep(self, real: str, via_link: bool, rel: str, path: Path, hint: InputType | None) -> None:
        """The candidate for a real path: the first seen, unless this one is link-free or smaller."""
        previous = self.found.get(real)
        if previous is None or (via_link, rel) < previous[0]:
            self.found[real] = ((via_link, rel), Candidate(path, rel, hint))

    def walk(self, top: Path, top_real: Path, via_link: bool) -> None:
        """Depth-first with an explicit stack, each real folder once; links last.

        Folders reached through a symlink wait until every plain folder was walked, so
        a file reachable both ways is reported at its real path.
        """
        stack = [(top, top_real)]
        deferred: list[tuple[Path, Path]] = []
        while stack or deferred:
            if not stack:
                stack.append(deferred.pop(0))
                via_link = True
            directory, real = stack.pop()
            if real in self.seen_dirs:
                continue
            self.seen_dirs.add(real)
            subdirs = self.scan(directory, real, via_link, deferred)
            stack.extend(reversed(subdirs))

    def scan(self, directory: Path, real: Path, via_link: bool,
             deferred: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
        """Visit one folder's entries in name order; return its plain subfolders. ``real`` is the
        folder's resolved path: an entry that is not a link is ``real / name``, without a ``resolve``
        (which ``lstat``s every component of the path: a third of the discovery's time)."""
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            message = f"cannot read {self.rel(directory)}: {exc.strerror or exc}"
            self.notice("input-unreadable-directory", message, directory)
            return []
        names = {e.name for e in entries}
        chart = CHART_FILE in names and is_chart(directory)
        if names.intersection(KUSTOMIZATION_FILES):
            self.kustomized(directory)
        subdirs = []
        rules: FolderRules | None = None
        prefix = ""
        for entry in entries:
            if chart and entry.name == TEMPLATES and os.path.isdir(entry.path):
                self.left_out(directory, Path(entry.path))  # Helm templates: not manifests until rendered
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_link and not is_dir:
                hint = classify(entry.name)
                if hint is not None and entry.is_file(follow_symlinks=False):
                    if rules is None:  # the folder's part of every file's checks and name, once
                        rules, folder = self.forbidden.in_folder(directory, real), self.rel(directory)
                        prefix = folder if not folder or folder.endswith("/") else folder + "/"
                    self.plain_file(directory, entry, rules, prefix, hint, via_link)
                continue
            found = self.visit(directory / entry.name, entry, is_link, is_dir, via_link, real)
            if found is not None:
                subdir, is_link = found
                (deferred if is_link else subdirs).append(subdir)
        return subdirs

    def plain_file(self, directory: Path, entry: os.DirEntry[str], rules: FolderRules, prefix: str,
                   hint: InputType, via_link: bool) -> None:
        """A file of the walk that is not a link: ``refused`` then ``add_file`` by strings, without a
        ``Path`` per check (most of the discovery's time when every file is then served from the cache)."""
        why = rules.reason(entry.name)
        if why is not None:
            path = directory / entry.name
            self.notice("input-credential-file", f"not read: {self.rel(path)}: {why}", path)
            return
        rel = prefix + printable(entry.name)
        if self.wanted(rel):
            self._keep(os.path.join(rules.real_text, entry.name), via_link, rel, directory / entry.name, hint)

    def visit(self, path: Path, entry: os.DirEntry[str], is_link: bool, is_dir: bool, via_link: bool,
              parent_real: Path) -> tuple[tuple[Path, Path], bool] | None:
        """Handle a folder or a link; return a subfolder to descend into (and whether it is a link)."""
        if is_dir:
            return None if entry.name in SKIPPED_DIRS else ((path, parent_real / entry.name), via_link)
        hint = classify(entry.name)
        if not is_link:
            return None
        real = self.follow(path)
        if real is None:
            return None
        if real.is_dir():
            return None if entry.name in SKIPPED_DIRS else ((path, real), True)
        if hint is not None and real.is_file():
            self.add_file(path, real, hint, True)
        return None

    def left_out(self, chart: Path, path: Path) -> None:
        """Count the would-be inputs under a chart's ``templates/`` (names only, nothing is read)."""
        files = [path]
        if path.is_dir():
            files = [Path(folder) / name for folder, _, names in os.walk(path) for name in names]
        for file in files:
            rel = self.rel(file)
            if classify(file.name) is not None and self.wanted(rel):
                self.helm_templates.setdefault(chart, []).append(rel)

    def kustomized(self, directory: Path) -> None:
        found = kustomization_in(directory)
        rel = self.rel(found) if found else None
        if rel and self.wanted(rel):
            self.kustomizations.add(rel)

    def finish(self) -> None:
        for chart, files in sorted(self.helm_templates.items()):
            self.result.notices.append(helm_notice(self.rel(chart / CHART_FILE), sorted(set(files))))
        self.result.notices.extend(kustomize_notices(sorted(self.kustomizations)))

    def named(self, path: Path) -> None:
        """A path the user typed: a file is taken whatever its name, a folder is walked."""
        chart = chart_of(path, self.root if self.inside_root(path) else None)
        if chart is not None:  # a chart's template, named (changed files are named one by one)
            self.left_out(chart, path)
            return
        if path.is_file() and kustomization_in(path.parent):
            self.kustomized(path.parent)
        real = self.follow(path)
        if real is None:
            return
        via_link = path != real
        if real.is_dir():
            self.walk(path, real, via_link)
            return
        try:
            mode = real.stat().st_mode
        except OSError as exc:
            self.notice("input-unreadable-file", f"cannot read {self.rel(path)}: {exc.strerror}", path)
            return
        hint = classify(path.name)
        if stat.S_ISREG(mode) and (hint is not None or self.sniff_unknown):
            self.add_file(path, real, hint, via_link)


def discover(
    paths: list[str | Path],
    root: Path,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    *,
    sniff_unknown: bool = True,
    missing_ok: bool = False,
) -> DiscoveryResult:
    """Candidates under ``paths`` (files or folders), deduplicated and sorted by ``rel_path``.

    ``include``/``exclude`` are globs on ``rel_path`` (see ``glob_match``); a pattern
    that matches a folder covers its whole content. A file named explicitly with an
    unknown extension gets ``input_type_hint=None`` (``load_file`` sniffs its content).

    For changed-files mode (a list of files from ``git diff``, not typed by a user) pass
    ``sniff_unknown=False`` so only files whose *name* makes them inputs are kept, and
    ``missing_ok=True`` so files deleted by the change are skipped, not a usage error.
    """
    named = [Path(os.path.normpath(Path(raw).absolute())) for raw in paths]
    forbidden = ForbiddenPaths(Path(root), bases=[p for p in named if p.is_dir()])
    walker = _Walker(Path(root), include, exclude, sniff_unknown, forbidden)
    for raw in paths:
        path = Path(raw).absolute()
        if not path.exists():
            if missing_ok:
                continue
            kind = "is a broken symlink" if path.is_symlink() else "does not exist"
            raise UsageError(f"path {kind}: {raw}")
        walker.named(Path(os.path.normpath(path)))
    walker.finish()
    candidates = [candidate for _, candidate in walker.found.values()]
    walker.result.candidates = sorted(candidates, key=lambda c: c.rel_path)
    return walker.result
