"""Views of a document computed once in Python, for the built-in Rego library.

On regopy every check re-derives the same things from the input: the containers of a
workload with their effective securityContext (about 0.7 ms per check), the shell
commands of each RUN instruction and the package-manager calls in them (several ms per
check). Computing them here, once
per document, and handing them over under the reserved key ``__rs`` makes the checks
several times cheaper. The library reads ``__rs`` when present and computes the same
value in Rego otherwise (unit tests, other engines); tests keep both paths equal.
"""

from __future__ import annotations

import re
from typing import Any

KEY = "__rs"

# --------------------------------------------------------------------------- Kubernetes

_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
_CONTAINER_FIELDS = ("containers", "initContainers", "ephemeralContainers")
_INHERITED = {"runAsGroup", "runAsNonRoot", "runAsUser", "seLinuxOptions", "seccompProfile", "windowsOptions"}
_NESTED = ("seLinuxOptions", "seccompProfile", "windowsOptions")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_PLAIN_WORKLOAD_KINDS = _TEMPLATE_KINDS | {"Pod", "CronJob"}


def is_workload(doc: dict[str, Any]) -> bool:
    """lib.kubernetes.is_workload: a kind that carries a pod template."""
    kind = doc.get("kind")
    return kind in _PLAIN_WORKLOAD_KINDS or _openshift_controller(doc)


def _openshift_controller(doc: dict[str, Any]) -> bool:
    return doc.get("kind") == "DeploymentConfig" and doc.get("apiVersion") == "apps.openshift.io/v1"


def _pod_at(doc: dict[str, Any]) -> tuple[int, Any]:
    """Where the workload's pod sits (0: the document, 1: spec.template, 2: the CronJob's
    spec.jobTemplate.spec.template) and the value found there; (-1, None) for other kinds."""
    kind = doc.get("kind")
    if kind == "Pod":
        return 0, doc
    spec = _obj(doc.get("spec"))
    if kind in _TEMPLATE_KINDS or _openshift_controller(doc):
        return 1, spec.get("template")
    if kind == "CronJob":
        return 2, _obj(_obj(spec.get("jobTemplate")).get("spec")).get("template")
    return -1, None


def pods(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Pod mappings of a workload, as lib.kubernetes.pods defines them."""
    at, pod = _pod_at(doc)
    return [pod] if at >= 0 and isinstance(pod, dict) else []


def name(doc: dict[str, Any]) -> str:
    """lib.kubernetes.name: metadata.name, else metadata.generateName, else ""."""
    meta = _obj(doc.get("metadata"))
    for key in ("name", "generateName"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    return ""


def effective_security_context(pod_sc: Any, own_sc: Any) -> dict[str, Any]:
    inh = {k: v for k, v in _obj(pod_sc).items() if k in _INHERITED}
    own = _obj(own_sc)
    sc = {**inh, **own}
    for key in _NESTED:
        if isinstance(inh.get(key), dict) and isinstance(own.get(key), dict):
            sc[key] = {**inh[key], **own[key]}
    return sc


def effective_containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """lib.kubernetes.containers: every container, pod-level securityContext merged in."""
    out: list[dict[str, Any]] = []
    for pod in pods(doc):
        spec = _obj(pod.get("spec"))
        pod_sc = spec.get("securityContext")
        for field in _CONTAINER_FIELDS:
            items = spec.get(field)
            if not isinstance(items, list):
                continue
            for c in items:
                if isinstance(c, dict):
                    out.append({**c, "securityContext": effective_security_context(pod_sc, c.get("securityContext"))})
    return out


def kubernetes_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``__rs`` view of a workload: its identity, where its pod is, its effective containers.

    ``pod`` (present only when the pod is a mapping) tells lib.kubernetes.workload_pod
    which path to read, so the pod is not copied into the input a second time.
    """
    view: dict[str, Any] = {"name": name(doc), "containers": effective_containers(doc)}
    at, pod = _pod_at(doc)
    if isinstance(pod, dict):
        view["pod"] = at
    return view


def add_kubernetes_views(doc: Any) -> None:
    """Give a Kubernetes document its view, under the reserved key: a workload's document
    holds ``__rs`` exactly when lib.kubernetes.is_workload is true (the library tests that
    first), so a key of that name written in any other manifest is dropped."""
    if not isinstance(doc, dict):
        return
    if is_workload(doc):
        doc[KEY] = kubernetes_view(doc)
    else:
        doc.pop(KEY, None)


# --------------------------------------------------------------------------- shell

# The same grammar as lib.sh (policies/lib/sh.rego): a comment, an operator, a word
# (quotes and backslash escapes keep it together), or a one-character separator.
# Blanks are spelled out: RE2's \s (the engines') is [\t\n\f\r ], Python's is wider.
_TOKEN = re.compile(
    r"#[^\n]*"
    r"|&&|\|\||;;|\|&|\$\("
    r"|(?:'[^']*'|\"(?:[^\"\\]|\\.)*\"|\\.|[<>]&|&>|[^\t\n\f\r '\"\\;&|()`])+"
    r"|[;&|()\n`]"
)
_CONTINUATION = re.compile(r"\\\r?\n")
_BLANKS = {"\t", "\r", "\f", "\v"}
SEPARATORS = {"&&", "||", ";", ";;", "|", "|&", "&", "\n", "(", ")", "$(", "`"}
_HEREDOC = re.compile(r"(?:^|[^<])<<-?[ ]*(?:\\?[\"']|')?([A-Za-z0-9_.-]+)")
_REDIRECT = re.compile(r"^[0-9]*(&>>?|>>?|<<?<?|>&|<&|>\||<>)")
_REDIRECT_OP = re.compile(r"^[0-9]*(&>>?|>>?|<<?<?|>&|<&|>\||<>)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_PREFIX_KEYWORDS = {"!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "time", "esac"}
_HEADER_KEYWORDS = {"for", "case", "select", "function", "[["}
_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}
_INLINE_FLAG = re.compile(r"^-[a-z]*c$")


def tokens(script: str) -> list[str]:
    text = _CONTINUATION.sub("", script)
    return [t for t in _TOKEN.findall(text) if not t.startswith("#") and t not in _BLANKS]


def _without_heredoc_bodies(script: str) -> str:
    if "\n" not in script:
        return script
    lines = script.split("\n")
    opened = _HEREDOC.findall(lines[0])
    if not opened:
        return script
    name = opened[-1]
    ends = [i for i, line in enumerate(lines) if i > 0 and (line == name or re.sub(r"^\t+", "", line) == name)]
    if not ends:
        return script
    return "\n".join([lines[0], *lines[ends[0] + 1 :]])


def _is_redirect(seg: list[str], i: int) -> bool:
    w = seg[i]
    if (">" in w or "<" in w) and _REDIRECT.match(w):
        return True
    if i > 0:
        prev = seg[i - 1]
        return (">" in prev or "<" in prev) and bool(_REDIRECT_OP.match(prev))
    return False


def _command_words(seg: list[str]) -> list[str]:
    words = [w for i, w in enumerate(seg) if not _is_redirect(seg, i)]
    for i, w in enumerate(words):
        if w in _PREFIX_KEYWORDS or ("=" in w and _ASSIGNMENT.match(w)):
            continue
        return words[i:]
    return []


def commands(script: str) -> list[list[str]]:
    """lib.sh.commands: the simple commands of a script, each a list of words as written."""
    out: list[list[str]] = []
    segment: list[str] = []
    for tok in [*tokens(_without_heredoc_bodies(script)), "\n"]:
        if tok in SEPARATORS:
            if segment:
                words = _command_words(segment)
                if words and words[0] not in _HEADER_KEYWORDS:
                    out.append(words)
            segment = []
        else:
            segment.append(tok)
    return out


def _basename(word: str) -> str:
    return re.sub(r"^.*/", "", word) if "/" in word else word


def program(words: list[str]) -> str:
    """lib.sh.program: the program a command runs (its first word, without a directory)."""
    return _basename(words[0])


def _exec_form(cmd: dict[str, Any]) -> bool:
    if cmd.get("JSON") is True:
        return True
    values = cmd.get("Value")
    return not isinstance(cmd.get("JSON"), bool) and isinstance(values, list) and len(values) > 1


def run_commands(cmd: dict[str, Any]) -> list[list[str]]:
    """lib.sh.run_commands: shell form split as a script; ``sh -c`` exec form likewise."""
    values = cmd.get("Value") if isinstance(cmd.get("Value"), list) else []
    strings = [v for v in values if isinstance(v, str)]
    if not _exec_form(cmd):
        return commands(" ".join(strings))
    if values and isinstance(values[0], str) and _basename(values[0]) in _SHELLS:
        flags = [j for j, v in enumerate(values) if j > 0 and isinstance(v, str) and _INLINE_FLAG.match(v)]
        if flags and flags[0] + 1 < len(values) and isinstance(values[flags[0] + 1], str):
            return commands(values[flags[0] + 1])
    return [strings] if strings else []


# The package managers the built-in checks ask about: lib.sh.run_calls reads their calls
# from the view (the same set, ``_precomputed_tools``, is in policies/lib/sh.rego; a test
# keeps them equal) and computes any other tool's in Rego.
PRECOMPUTED_TOOLS = frozenset({"apt-get", "apt", "yum", "apk", "dnf", "zypper", "microdnf"})
# lib.sh._value_options: options whose value is the next word (not a subcommand).
_VALUE_OPTIONS = frozenset({
    "-o", "-c", "-X", "--option", "--config", "--config-file", "--target-release",
    "--repository", "--root", "--installroot", "--releasever", "--setopt",
    "--enablerepo", "--disablerepo", "--repo",
})


def positional(cmd: list[str]) -> list[int]:
    """lib.sh.positional: indexes of the words that are neither options nor an option's value."""
    return [j for j, w in enumerate(cmd) if not w.startswith("-") and not (j > 0 and cmd[j - 1] in _VALUE_OPTIONS)]


def tool_calls(cmds: list[list[str]], tools: frozenset[str] = PRECOMPUTED_TOOLS) -> list[list[Any]]:
    """lib.sh.tool_calls: [command index, tool, subcommand] of each call of one of tools, in order."""
    out: list[list[Any]] = []
    for k, cmd in enumerate(cmds):
        pos = positional(cmd)
        for n, i in enumerate(pos[:-1]):
            name = _basename(cmd[i])
            if name in tools:
                out.append([k, name, cmd[pos[n + 1]]])
    return out


def add_dockerfile_views(doc: Any) -> None:
    """Each RUN's commands and package-manager calls; the whole file's calls and programs at the top.

    The top-level ``calls`` (lib.sh.file_calls): [RUN index, command index, tool,
    subcommand], the RUN index counting RUN instructions in file order as lib.docker.run
    lists them; ``programs`` (lib.sh.file_programs): [RUN index, command index, program]
    of every command. A check about one tool reads that short list instead of visiting
    every RUN.
    """
    if not isinstance(doc, dict):
        return
    file_calls: list[list[Any]] = []
    programs: list[list[Any]] = []
    run_index = 0
    for stage in doc.get("Stages") or []:
        for cmd in stage.get("Commands") or [] if isinstance(stage, dict) else []:
            if isinstance(cmd, dict) and cmd.get("Cmd") == "run":
                cmds = run_commands(cmd)
                calls = tool_calls(cmds)
                cmd[KEY] = {"commands": cmds, "calls": calls}
                file_calls.extend([run_index, *call] for call in calls)
                programs.extend([run_index, k, program(words)] for k, words in enumerate(cmds))
                run_index += 1
    doc[KEY] = {"calls": file_calls, "programs": programs}
