"""The action's inputs, read from the ``INPUT_*`` variables the runner sets.

The runner names each variable ``INPUT_`` + the input name upper-cased with spaces
turned into underscores and **hyphens kept** (``fail-on`` -> ``INPUT_FAIL-ON``), so
these names cannot be read from a shell, only from a process environment. Every input
is validated here, once, with a message that names the input as the workflow author
wrote it: a typo in ``fail-on`` must stop the step with "input 'fail-on' ...", not
with a stack trace from deep inside the scan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from regoscan.errors import UsageError

FAIL_ON = ("critical", "high", "medium", "low", "never")
ScanMode = Literal["auto", "changed", "all"]
SuppressedMode = Literal["keep", "omit"]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class InputError(UsageError):
    """An input the workflow set is invalid; the message names the input."""


def env_name(name: str) -> str:
    """The variable the runner sets for input ``name`` (``fail-on`` -> ``INPUT_FAIL-ON``)."""
    return "INPUT_" + name.replace(" ", "_").upper()


@dataclass(frozen=True)
class ActionInputs:
    """Validated inputs; defaults match ``action.yml`` so a local run behaves the same."""

    paths: list[str] = field(default_factory=list)
    """Globs (relative to the workspace) a file must match to be scanned; empty: all."""
    exclude: list[str] = field(default_factory=list)
    policy: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    """Empty means regoscan's default (``builtin`` and ``user``)."""
    builtin_checks: bool = True
    fail_on: str = "high"
    scan: ScanMode = "auto"
    sarif_file: str = "regoscan.sarif"
    sarif_suppressed: SuppressedMode = "omit"
    sarif_full_file: str = ""
    sarif_category: str = "regoscan/"
    """``automationDetails.id`` of ``sarif-file``, always ending in ``/`` (the whole id is
    then the category, as upload-sarif's ``category`` input makes it)."""
    cache_dir: str = ""
    """Result cache folder: absolute, or relative to the runner's temporary folder (never the
    workspace by default, see ``action.run.cache_folder``); empty: no cache."""
    trusted_policy_ref: str = ""
    """Git revision to load ``policy``/``data`` from (``base``: the pull request's base); empty: the checkout."""
    summary: bool = True
    comment: bool = True
    upload: bool = False
    """Upload ``sarif-file`` to code scanning from the step itself (needs ``security-events: write``)."""
    dismiss_waived: bool = True
    """With ``upload``, on the default branch only: dismiss the alerts of waived findings."""
    fail_on_new_only: bool = False
    """On pull requests, only findings absent at the base count for ``fail-on``."""
    comment_tag: str = ""
    """Which sticky comment is ours; empty: derived from workflow, job and category."""
    api_timeout: float = 120.0
    """Seconds for all GitHub API calls of the step together."""
    github_token: str = field(default="", repr=False)
    """Never printed: ``repr=False`` keeps it out of any debug output of this object."""


def _raw(env: Mapping[str, str], name: str) -> str | None:
    """The input's value, or ``None`` when the runner did not set it (a local run).

    Underscored spellings (``INPUT_FAIL_ON``) are accepted as a fallback for people
    running the image by hand from a shell, where hyphenated names cannot be exported.
    """
    value = env.get(env_name(name))
    if value is None:
        value = env.get(env_name(name).replace("-", "_"))
    return value


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = _raw(env, name)
    return default if value is None or not value.strip() else value.strip()


def _list(env: Mapping[str, str], name: str) -> list[str]:
    """Newline- or comma-separated; blank entries and ``# comments`` lines are dropped.

    YAML block scalars (``paths: |``) give one entry per line, which is what most
    actions accept; commas allow the one-line form ``paths: k8s/**, docker/**``.
    """
    value = _raw(env, name) or ""
    items: list[str] = []
    for line in value.splitlines():
        if line.strip().startswith("#"):
            continue
        for part in line.split(","):
            part = part.strip()
            if part:
                items.append(part)
    return items


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _text(env, name, default).lower()
    if value not in choices:
        raise InputError(f"input '{name}': expected one of {', '.join(choices)}; got {value!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _raw(env, name)
    if value is None or not value.strip():
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InputError(f"input '{name}': expected true or false; got {value.strip()!r}")


def _relative(name: str, value: str, workspace: str = "") -> str:
    """Workspace paths must stay in the workspace: reports land where later steps look.

    An absolute path under ``$GITHUB_WORKSPACE`` is made relative: a workflow that writes
    ``${{ github.workspace }}/policy`` gets ``/github/workspace/policy`` inside the
    container (the runner rewrites the expression for container actions), which names
    the same folder.
    """
    path = re.sub(r"/{2,}", "/", value.strip().replace("\\", "/"))
    base = re.sub(r"/{2,}", "/", workspace.strip().replace("\\", "/")).rstrip("/")
    if base.startswith("/") and (path == base or path.startswith(base + "/")):
        path = path[len(base):].lstrip("/") or "."
    while path.startswith("./"):
        path = path[2:]
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in path.split("/"):
        where = f" ({base or '$GITHUB_WORKSPACE'})" if path.startswith("/") else ""
        raise InputError(f"input '{name}': must be a path inside the workspace{where}, relative to it or "
                         f"absolute under it; got {value!r}")
    return path.rstrip("/") or "."


def _cache_dir(value: str) -> str:
    """An absolute folder as given, or a relative one without ``..`` (placed by the run)."""
    if not value:
        return ""
    if value.startswith("/"):
        return value.rstrip("/") or "/"
    return _relative("cache-dir", value)


def _globs(env: Mapping[str, str], name: str, workspace: str) -> list[str]:
    # a trailing "/" names a folder; discover's globs match folders without it
    return [_relative(name, g, workspace) for g in _list(env, name)]


def _category(value: str) -> str:
    if any(ch.isspace() for ch in value) or not value.strip("/"):
        raise InputError(f"input 'sarif-category': expected a category such as 'regoscan/' or 'regoscan/k8s'; "
                         f"got {value!r}")
    return value if value.endswith("/") else value + "/"


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = _text(env, name, "")
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise InputError(f"input '{name}': expected a number of seconds between 1 and 3600; got {value!r}")
    return seconds


def _revision(env: Mapping[str, str], name: str) -> str:
    """A git revision: a commit id, a branch or tag name, or ``base``; never an option to git."""
    value = _text(env, name, "")
    if value and (value.startswith("-") or not re.fullmatch(r"[\w./@^~{}:+-]+", value)):
        raise InputError(f"input '{name}': expected a git revision (a commit id, a branch or tag, or 'base'); "
                         f"got {value!r}")
    return value


def read_inputs(env: Mapping[str, str]) -> ActionInputs:
    """Read and validate every input; raise :class:`InputError` on the first bad one."""
    ws = env.get("GITHUB_WORKSPACE", "")
    sarif_file = _relative("sarif-file", _text(env, "sarif-file", "regoscan.sarif"), ws)
    full = _text(env, "sarif-full-file", "")
    sarif_full_file = _relative("sarif-full-file", full, ws) if full else ""
    if sarif_full_file and sarif_full_file == sarif_file:
        raise InputError("input 'sarif-full-file': must differ from 'sarif-file'")
    return ActionInputs(
        paths=_globs(env, "paths", ws),
        exclude=_globs(env, "exclude", ws),
        policy=[_relative("policy", p, ws) for p in _list(env, "policy")],
        data=[_relative("data", p, ws) for p in _list(env, "data")],
        namespaces=_list(env, "namespaces"),
        builtin_checks=_bool(env, "builtin-checks", True),
        fail_on=_choice(env, "fail-on", "high", FAIL_ON),
        scan=_choice(env, "scan", "auto", ("auto", "changed", "all")),  # type: ignore[arg-type]
        sarif_file=sarif_file,
        sarif_suppressed=_choice(env, "sarif-suppressed", "omit", ("keep", "omit")),  # type: ignore[arg-type]
        sarif_full_file=sarif_full_file,
        sarif_category=_category(_text(env, "sarif-category", "regoscan/")),
        cache_dir=_cache_dir(_text(env, "cache-dir", "")),
        trusted_policy_ref=_revision(env, "trusted-policy-ref"),
        summary=_bool(env, "summary", True),
        comment=_bool(env, "comment", True),
        upload=_bool(env, "upload", False),
        dismiss_waived=_bool(env, "dismiss-waived", True),
        fail_on_new_only=_bool(env, "fail-on-new-only", False),
        comment_tag=_text(env, "comment-tag", ""),
        api_timeout=_seconds(env, "api-timeout", 120.0),
        github_token=(_raw(env, "github-token") or "").strip(),
    )
