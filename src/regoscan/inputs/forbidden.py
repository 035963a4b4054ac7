"""Paths regoscan never opens: git metadata and credential files.

A pull request controls its symlinks, and ``actions/checkout`` leaves the job's token in
``.git/config`` (an ``http.<url>.extraheader``) unless told otherwise. A link such as
``Dockerfile.ci -> .git/config`` stays inside the workspace, so the "no symlink out of
the repository" rule lets it through, and whatever reads the file (the parsers, the
policies, an error message) could then repeat the token. So, before any scanned file,
policy or data file is opened, its path is checked here, whatever the way it was
reached (a file link, a folder link to ``.git``, a hard link to ``.git/config``):

* **git metadata**: the path, or the real path it resolves to, has a ``.git``
  component (the repository's folder, a worktree's or submodule's ``.git`` file, or
  ``.git/modules/...``); or the file is a hard link to a file of a ``.git`` folder in
  or above the scan root (same ``st_dev``/``st_ino``);
* **credential files**, wherever they are: ``.git-credentials``, ``.npmrc``,
  ``.netrc``/``_netrc``, ``.pypirc``, ``.docker/config.json`` and the like, and the files
  other actions of the job write into the workspace (``google-github-actions/auth``'s
  ``gha-creds-*.json``, ``get-gke-credentials``' ``gha-kubeconfig-*``): regoscan scans the
  files on disk, untracked ones included, so an earlier step's credentials are input too;
* **runner-private folders**: a real path under ``$HOME``, ``/github/home`` or
  ``$RUNNER_TEMP`` (where ``actions/checkout`` v6 keeps its credentials file), unless it
  lies inside the scan root or a folder the user named.

``credential_shape`` is the last line of defence for files that got past the path
rules (a copy, a bare clone's ``config`` in ``mirror.git/``, a credentials file under a
name nobody listed): text shaped like a git config that carries an ``extraheader``, a
``[credential]`` section or a password in a URL, a ``.git-credentials`` list, ``.npmrc``
auth lines, a Docker ``config.json`` with ``auths``, a Google credentials JSON (service
account key, workload identity, user refresh token) or a kubeconfig with user
credentials is refused too, once read and before anything parses it. Each shape is the
file format as a whole (a top-level JSON object, lines at column 0), so a manifest that
merely embeds such text in a value is still scanned.

Each refusal comes back as a reason (one sentence); callers turn it into a notice
(``input-credential-file``, ``policy-credential-file``, ``data-credential-file``).
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

CREDENTIAL_NAMES = frozenset({
    ".git-credentials", ".gitcredentials", ".npmrc", ".yarnrc", ".yarnrc.yml", ".netrc", "_netrc",
    ".pypirc", ".dockercfg", ".pgpass", ".my.cnf", ".s3cfg", ".boto", ".terraformrc", "terraform.rc",
    "credentials.tfrc.json", ".vault-token", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
})
"""File names that hold credentials whatever folder they are in."""

CREDENTIAL_PATTERNS = (
    "gha-creds-*.json",  # google-github-actions/auth: written into the workspace by default
    "gha-kubeconfig-*",  # google-github-actions/get-gke-credentials: likewise
)
"""Name patterns (case-insensitive) of credential files other actions leave in the workspace."""

CREDENTIAL_TAILS: tuple[tuple[str, ...], ...] = (
    (".docker", "config.json"),
    (".aws", "credentials"),
    (".aws", "config"),
    (".kube", "config"),
    (".config", "gh", "hosts.yml"),
    (".gem", "credentials"),
    (".cargo", "credentials"),
    (".cargo", "credentials.toml"),
    (".ssh",),
)
"""Trailing path parts of well-known credential files (``.ssh`` means anything below it)."""

_CREDENTIAL_PATTERN = re.compile("|".join(fnmatch.translate(pattern) for pattern in CREDENTIAL_PATTERNS))
_TAILS_BY_FOLDER: dict[str, list[tuple[str, ...]]] = {}
"""The multi-part tails by the folder they end in (``.docker``: ``.docker/config.json``), in their order."""
for _tail in CREDENTIAL_TAILS:
    if len(_tail) > 1:
        _TAILS_BY_FOLDER.setdefault(_tail[-2], []).append(_tail)
_ANYWHERE_TAILS = frozenset(tail[0] for tail in CREDENTIAL_TAILS if len(tail) == 1)
"""Folders that make anything below them a credential file (``.ssh``)."""

PRIVATE_DIRS = ("/github/home", "/github/runner_temp")
"""Folders a container action sees that belong to the runner, not to the repository."""

SYSTEM_DIRS = ("/proc", "/sys", "/dev", "/run/secrets", "/var/run/secrets")
"""The kernel's views of processes (``/proc/self/environ``) and devices, and where container
platforms mount secrets (Docker, Kubernetes service account tokens): never a repository's."""

GIT_WALK_LIMIT = 200_000
"""Most entries read from ``.git`` folders when looking for a hard link (objects are skipped)."""

_GOOGLE_SECRETS = ("private_key", "credential_source", "refresh_token", "source_credentials", "client_secret")
_DOCKER_SECRETS = ("auth", "identitytoken", "password", "registrytoken")
HARD_LINK_REASON = "it is a hard link to a file of a .git folder, which can hold the job's token"


class _Shapes:
    """The content patterns of ``credential_shape``, compiled on first use: a warm scan reads no
    file and never needs them, and compiling them at import took a few milliseconds of every run."""

    def __init__(self) -> None:
        self.git_section = re.compile(r"^[ \t]*\[[ \t]*[A-Za-z][\w.-]*(?:[ \t]+\"[^\"\n]*\")?[ \t]*\]", re.M)
        self.extraheader = re.compile(r"^[ \t]*extraheader[ \t]*=", re.M | re.I)
        self.credential_section = re.compile(r"^[ \t]*\[[ \t]*credential\b", re.M | re.I)
        self.credential_url = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s]+@\S+$", re.I)
        self.git_url_password = re.compile(
            r'^[ \t]*(?:(?:push)?url[ \t]*=[ \t]*"?|\[[ \t]*url[ \t]+")[a-z][a-z0-9+.-]*://[^/\s:@"]+:[^@\s"]+@',
            re.M | re.I)
        self.npmrc_auth = re.compile(r"^(?://\S*:_(?:authToken|auth|password)|_authToken)[ \t]*=[ \t]*\S", re.M)
        self.google_type = re.compile(r'"type"\s*:\s*"(?:service_account|external_account|authorized_user|'
                                      r'impersonated_service_account|external_account_authorized_user)"')
        self.docker_auths = re.compile(r'"auths"\s*:\s*\{')
        self.kube_config = re.compile(r"^kind:[ \t]*['\"]?Config['\"]?[ \t]*$", re.M)
        self.kube_users = re.compile(r"^users:", re.M)
        self.kube_secret = re.compile(
            r"^[ \t-]*(?:token|client-key-data|client-key|password|access-token|id-token|refresh-token)[ \t]*:[ \t]*\S",
            re.M)


@functools.cache
def _shapes() -> _Shapes:
    return _Shapes()


def _json_object(head: str) -> dict[str, object] | None:
    """The top-level JSON object ``head`` holds, when the whole text is one."""
    if not head.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(head)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


_LINE = re.compile("[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
"""A line as ``str.splitlines`` cuts them."""


def _credential_urls(head: str, url: re.Pattern[str]) -> bool:
    """Every non-blank line (at most 1,000) a URL with a password: a .git-credentials file.
    The first non-blank line is tried before the whole text is split: no manifest starts
    with such a URL, and splitting every file read was a tenth of loading it."""
    first = next((line for m in _LINE.finditer(head) if (line := m.group().strip())), None)
    if first is None or not url.match(first):
        return False
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    return len(lines) <= 1000 and all(url.match(line) for line in lines)


def credential_shape(text: str) -> str | None:
    """Why ``text`` looks like stored credentials (see the module docstring), else ``None``."""
    head = text[:1_000_000]
    p = _shapes()
    if p.git_section.search(head):
        if p.extraheader.search(head):
            return "its content is a git configuration with an http extraheader (where a token is kept)"
        if p.credential_section.search(head):
            return "its content is a git configuration with a [credential] section"
        if p.git_url_password.search(head):
            return "its content is a git configuration with a password in a URL"
    if _credential_urls(head, p.credential_url):
        return "its content is a list of URLs with passwords (.git-credentials format)"
    if p.npmrc_auth.search(head):
        return "its content holds npm registry credentials (.npmrc format)"
    if p.google_type.search(head):
        value = _json_object(head)
        if value is not None and any(key in value for key in _GOOGLE_SECRETS):
            return "its content is a Google Cloud credentials file (a key or token for an account)"
    if p.docker_auths.search(head):
        value = _json_object(head)
        auths = value.get("auths") if value is not None else None
        if isinstance(auths, dict) and any(isinstance(v, dict) and any(k in v for k in _DOCKER_SECRETS)
                                           for v in auths.values()):
            return "its content is a Docker client configuration with registry credentials"
    if p.kube_config.search(head) and p.kube_users.search(head) and p.kube_secret.search(head):
        return "its content is a kubeconfig with user credentials"
    return None


def _lexical(path: Path) -> Path:
    """``path`` made absolute and normal, without symlinks resolved; a path that is both already
    is returned as it is (no new ``Path`` to parse: discovery asks this for every folder)."""
    text = os.fspath(path)
    absolute = text if os.path.isabs(text) else os.path.join(os.getcwd(), text)
    normal = os.path.normpath(absolute)
    return path if normal == text and isinstance(path, Path) else Path(normal)


def _under(path: Path, base: Path) -> bool:
    """``path`` is ``base`` or below it, lexically (``path == base or base in path.parents``,
    compared part by part: walking ``parents`` cost 0.1 s of a 600-file scan)."""
    parts = base.parts
    if not parts:  # "." holds every relative path, no absolute one
        return not path.is_absolute()
    return path.parts[:len(parts)] == parts


def _git_part(path: Path) -> bool:
    return any(part.casefold() == ".git" for part in path.parts)


def _tail_match(parts: tuple[str, ...]) -> str | None:
    name = parts[-1] if parts else ""
    if name.casefold() in CREDENTIAL_NAMES:
        return name
    if _CREDENTIAL_PATTERN.match(name.casefold()):
        return name
    folded = tuple(p.casefold() for p in parts)
    for tail in CREDENTIAL_TAILS:
        if len(tail) == 1:
            if tail[0] in folded[:-1]:
                return "/".join(parts[folded.index(tail[0]):])
        elif folded[-len(tail):] == tail:
            return "/".join(parts[-len(tail):])
    return None


class ForbiddenPaths:
    """Decides, per path, whether regoscan may open it (see the module docstring).

    ``root`` is the scan root; ``bases`` are folders the user named (a real path under
    ``$HOME`` is fine inside them); ``env`` supplies ``HOME`` and ``RUNNER_TEMP``.
    """

    def __init__(self, root: Path, bases: Iterable[Path] = (), env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.root = _lexical(root)
        self.root_real = Path(root).resolve()
        allowed = [self.root, self.root_real]
        for base in bases:
            allowed += [_lexical(base), Path(base).resolve()]
        self.allowed = allowed
        private = [Path(p) for p in PRIVATE_DIRS]
        for name in ("HOME", "RUNNER_TEMP"):
            value = (env.get(name) or "").strip()
            if value and os.path.isabs(value) and os.path.normpath(value) != os.sep:
                private += [_lexical(Path(value)), Path(value).resolve()]
        self.private = [p for p in dict.fromkeys(private)]
        self.system = [Path(p) for p in SYSTEM_DIRS]
        self.folder_parts = [f.parts for f in (*self.system, *self.private, *self.allowed)]
        """Every folder a rule names, as parts (for ``FolderRules``)."""
        self._git_inodes: set[tuple[int, int]] | None = None

    # ------------------------------------------------------------------ the rules

    def reason(self, path: Path, real: Path | None = None) -> str | None:
        """Why ``path`` must not be opened, or ``None``. ``real`` saves a ``resolve``."""
        lexical = _lexical(path)
        if real is None:
            try:
                real = Path(path).resolve()
            except (OSError, RuntimeError):
                real = lexical
        if _git_part(lexical) or _git_part(real):
            where = "is" if _git_part(lexical) else "resolves to"
            return f"it {where} git metadata ({real.as_posix()}), which can hold the job's token"
        for candidate in (lexical, real):
            found = _tail_match(candidate.parts)
            if found is not None:
                return f"{found} is a credential file"
        private = self._private(real)
        if private is not None:
            return private
        if self._hard_link_into_git(real):
            return HARD_LINK_REASON
        return None

    def in_folder(self, folder: Path, real: Path) -> FolderRules:
        """``reason`` for the regular files (not links) of one folder, worked out once per folder."""
        return FolderRules(self, folder, real)

    def folder_reason(self, path: Path, real: Path) -> str | None:
        """Why a folder must not be walked (it is, or leads into, git metadata or a private folder)."""
        if _git_part(_lexical(path)) or _git_part(real):
            return f"it resolves to git metadata ({real.as_posix()}), which can hold the job's token"
        found = _tail_match((*real.parts, "x"))
        if found is not None and found.startswith(".ssh"):
            return "it is an SSH folder (credential files)"
        return self._private(real)

    def _private(self, real: Path) -> str | None:
        """A private folder is readable only through a scan root or named folder that lies inside
        it (a checkout under ``$HOME`` on a developer's machine), never because the root holds it
        (``--root /``, or a scan started in ``/``, had every link into ``$HOME`` or ``/proc`` read)."""
        for folders, why in ((self.system, "the system's own files, or secrets a container platform mounts"),
                             (self.private, "a folder of the runner's own (credentials live there)")):
            for folder in folders:
                if _under(real, folder) and not any(_under(real, base) and _under(base, folder)
                                                    for base in self.allowed):
                    return f"it resolves into {folder.as_posix()}, {why}"
        return None

    # ------------------------------------------------------------------ hard links

    def _hard_link_into_git(self, real: Path | str) -> bool:
        try:
            st = os.lstat(real)
        except OSError:
            return False
        if st.st_nlink <= 1 or not os.path.isfile(real):
            return False
        return (st.st_dev, st.st_ino) in self._inodes()

    def _inodes(self) -> set[tuple[int, int]]:
        """(device, inode) of every file in ``.git`` folders in and above the root, read once.

        Only needed when a file has more than one link, which a checkout never creates.
        Object files are skipped: they are zlib-compressed and never hold credentials.
        """
        if self._git_inodes is not None:
            return self._git_inodes
        found: set[tuple[int, int]] = set()
        budget = [GIT_WALK_LIMIT]
        for git_dir in self._git_dirs():
            self._collect(git_dir, found, budget)
        self._git_inodes = found
        return found

    def _git_dirs(self) -> list[Path]:
        dirs: list[Path] = []
        for top in (self.root_real, *self.root_real.parents):
            dirs.extend(git_locations(top / ".git"))
        budget = GIT_WALK_LIMIT
        for current, subdirs, files in os.walk(self.root_real):
            budget -= len(subdirs) + len(files)
            if ".git" in subdirs or ".git" in files:
                dirs.extend(git_locations(Path(current) / ".git"))
            subdirs[:] = [d for d in subdirs if d != ".git" and d != "node_modules"]
            if budget <= 0:
                break
        return list(dict.fromkeys(dirs))

    def _collect(self, folder: Path, found: set[tuple[int, int]], budget: list[int]) -> None:
        try:
            device = folder.stat().st_dev
        except OSError:
            return
        stack = [folder]
        while stack and budget[0] > 0:
            current = stack.pop()
            try:
                with os.scandir(current) as it:
                    entries = list(it)
            except OSError:
                continue
            budget[0] -= len(entries)
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in ("objects", "lfs"):
                            stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        found.add((device, entry.inode()))
                except OSError:
                    continue


class FolderRules:
    """The answers of ``ForbiddenPaths.reason`` for the files of one folder that are not links, given
    by name: what depends only on the folder (git metadata, ``.ssh``, the private folders, the last
    parts a credential tail can span) is worked out once, and a file costs a few string tests and
    one ``lstat`` (a walk asked ``reason`` for every file, building and comparing ``Path`` objects:
    most of a warm scan's discovery). Any folder the shortcut cannot decide alone (under ``.git`` or
    ``.ssh``, or holding a private or allowed folder below it) sends every file to ``reason``.
    """

    def __init__(self, paths: ForbiddenPaths, folder: Path, real: Path) -> None:
        self.paths = paths
        self.folder = _lexical(folder)
        self.real = real
        self.real_text = str(real)
        rparts = real.parts
        depth = len(rparts)
        deeper = any(len(f) > depth and f[:depth] == rparts for f in paths.folder_parts)
        both = [(parts, tuple(p.casefold() for p in parts)) for parts in (self.folder.parts, rparts)]
        folded = {p for _, f in both for p in f}
        self.slow = ".git" in folded or not folded.isdisjoint(_ANYWHERE_TAILS) or deeper
        # what _tail_match finds for a file of this folder through a multi-part tail, by the name it
        # ends with, in reason's order (the path as given, then the real one; tails in their order)
        self._ends = [(tail[-1], "/".join(parts[-(len(tail) - 1):]))
                      for parts, f in both if f for tail in _TAILS_BY_FOLDER.get(f[-1], ())
                      if f[-(len(tail) - 1):] == tail[:-1]]
        self._private = None if self.slow else paths._private(real)

    def reason(self, name: str) -> str | None:
        """``paths.reason(folder / name, real / name)`` for a file ``name`` of this folder that is not a link."""
        folded = name.casefold()
        if self.slow or folded == ".git":
            return self.paths.reason(self.folder / name, self.real / name)
        if folded in CREDENTIAL_NAMES or _CREDENTIAL_PATTERN.match(folded):
            return f"{name} is a credential file"
        for last, prefix in self._ends:
            if folded == last:
                return f"{prefix}/{name} is a credential file"
        if self._private is not None:
            return self._private
        if self.paths._hard_link_into_git(os.path.join(self.real_text, name)):
            return HARD_LINK_REASON
        return None


def git_locations(dot_git: Path) -> list[Path]:
    """The folders a ``.git`` entry stands for: itself, or the ``gitdir:`` a ``.git`` file names
    (worktrees, submodules) and that folder's common directory."""
    try:
        if dot_git.is_dir():
            return [dot_git]
        if not dot_git.is_file():
            return []
        line = dot_git.read_text(encoding="utf-8", errors="replace")[:4096].strip()
    except OSError:
        return []
    if not line.startswith("gitdir:"):
        return []
    gitdir = Path(line[len("gitdir:"):].strip())
    if not gitdir.is_absolute():
        gitdir = dot_git.parent / gitdir
    out = [gitdir.resolve()] if gitdir.is_dir() else []
    try:
        common = (gitdir / "commondir").read_text(encoding="utf-8").strip()
        common_dir = (gitdir / common).resolve()
        if common_dir.is_dir():
            out.append(common_dir)
    except OSError:
        pass
    return out
