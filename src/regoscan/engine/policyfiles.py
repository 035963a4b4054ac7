"""Which policy and data files a scan loads (found, filtered, never read), and which packages
its namespaces select.

Apart from ``policyset`` (which parses and prepares them) so that a scan served wholly
from the result cache, which only hashes these files for the cache key, does not import
the Rego preparation pipeline.
"""

from __future__ import annotations

import os
from pathlib import Path

from regoscan.errors import UsageError
from regoscan.inputs.forbidden import ForbiddenPaths
from regoscan.models import printable
from regoscan.resources import policies_dir


def _rego_files(path: Path) -> list[Path]:
    """The ``.rego`` files under ``path`` (not tests, nothing hidden, no folder entered through a
    link; a link to a file counts), in the order of their path parts: what ``sorted(path.rglob(...))``
    then filtered gave, by ``os.scandir`` (a warm scan lists the ~110 built-in files for the cache key,
    and ``rglob`` with a ``Path`` per entry took half of that key's time)."""
    if path.is_file():
        return [path]
    found: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(os.fspath(path), ())]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, (*rel, name)))
                elif name.endswith(".rego") and not name.endswith("_test.rego") and entry.is_file():
                    found.append(((*rel, name), entry.path))
            except OSError:
                continue
    found.sort()
    return [Path(p) for _, p in found]


def _display(path: Path, root: Path) -> str:
    try:
        return printable(path.resolve().relative_to(root.resolve()).as_posix())
    except ValueError:
        return printable(path.as_posix())


Refusals = list[tuple[Path, str]]
"""Files left unread because ``inputs.forbidden`` refuses them, with the reason."""


def _guard(paths: list[str], root: Path | None) -> ForbiddenPaths:
    named = [Path(raw) for raw in paths]
    return ForbiddenPaths(root or Path.cwd(), bases=[p for p in named if p.is_dir() and not p.is_symlink()])


def collect_policy_files(policy_paths: list[str], root: Path, include_builtin: bool,
                         refused: Refusals | None = None) -> list[tuple[Path, str, bool]]:
    """Policy files to load; git metadata and credential files are left out (into ``refused``)."""
    guard = _guard(policy_paths, root)
    bundled = policies_dir()
    files: list[tuple[Path, str, bool]] = []
    for p in _rego_files(bundled / "lib"):
        files.append((p, "(builtin)/" + p.relative_to(bundled).as_posix(), True))
    if include_builtin:
        for sub in ("kubernetes", "dockerfile"):
            if (bundled / sub).is_dir():
                for p in _rego_files(bundled / sub):
                    files.append((p, "(builtin)/" + p.relative_to(bundled).as_posix(), True))
    seen = {p.resolve() for p, _, _ in files} if policy_paths else set()  # (resolving costs: only to compare)
    for raw in policy_paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"--policy {raw}: no such file or folder")
        if path.is_file() and path.suffix != ".rego":
            raise UsageError(f"--policy {raw}: not a .rego file")
        for p in _rego_files(path):
            # the same file twice (e.g. --policy pointing at the bundled library) would
            # define every rule twice
            if p.resolve() in seen:
                continue
            seen.add(p.resolve())
            why = guard.reason(p)
            if why is not None:
                if refused is not None:
                    refused.append((p, why))
                continue
            files.append((p, _display(p, root), False))
    return files


def data_files_of(data_paths: list[str], root: Path | None = None, refused: Refusals | None = None) -> list[Path]:
    """The files ``--data`` names: files as given, folders walked for JSON/YAML.

    Git metadata and credential files are left out (into ``refused``): ``--data .git/config``
    would hand the job's token to every policy.
    """
    guard = _guard(data_paths, root)
    out: list[Path] = []
    for raw in data_paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"--data {raw}: no such file or folder")
        found = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.suffix in (".json", ".yaml", ".yml") and p.is_file()
        )
        for f in found:
            why = guard.reason(f)
            if why is None:
                out.append(f)
            elif refused is not None:
                refused.append((f, why))
    return out


BUILTIN_ALIASES = ("appshield", "defsec")


def in_namespaces(package: str, namespaces: list[str]) -> bool:
    wanted = list(namespaces)
    if "builtin" in wanted:
        wanted.extend(BUILTIN_ALIASES)
    return any(package == ns or package.startswith(ns + ".") for ns in wanted)
