"""Dockerfiles in the shape Trivy hands to Rego, so existing Trivy checks run unchanged.

``{"Stages": [{"Name", "Commands": [{"Cmd", "SubCmd", "Flags", "Value", "Original",
"JSON", "Stage", "Path", "StartLine", "EndLine"}]}]}``

The shape is what Trivy's parser (``pkg/iac/scanners/dockerfile/parser``) builds on top
of BuildKit's line parser (``frontend/dockerfile/parser``); this module reimplements
both behaviours, including their quirks, because checks were written against them:

* ``Cmd`` is the lower-cased instruction; ``SubCmd`` is the ONBUILD trigger *as written*
  (``RUN``, not ``run``: Trivy lower-cases only the outer instruction).
* ``Original`` is the instruction with continuation characters removed and its lines
  joined *without* a separator (BuildKit keeps the continuation lines' indentation);
  comment lines and blank lines inside a continuation are dropped. With a heredoc,
  Trivy appends ``"\\n" + body + terminator`` for each heredoc.
* ``Value`` follows BuildKit's per-instruction splitting: FROM/EXPOSE split on
  whitespace (``["golang:1.22", "AS", "build"]``); RUN/CMD/ENTRYPOINT/SHELL are one
  string, or the list of a JSON array (``JSON: true``); COPY/ADD/VOLUME a JSON list or
  whitespace-split; ENV/LABEL are *triples* ``[key, value, sep]`` per pair (``sep`` is
  ``"="`` for ``k=v``, ``""`` for the legacy ``ENV k v``; quotes are kept); ARG one word
  per argument; USER/WORKDIR/MAINTAINER/STOPSIGNAL one string; HEALTHCHECK
  ``[type, cmd...]``. A simple heredoc (``RUN <<EOF`` / ``COPY <<EOF /x``) becomes one
  value, its lines joined with ``" ; "`` (the COPY destination is dropped, as in Trivy);
  a heredoc with a shebang or redirections is kept verbatim.
* ``Flags`` are the ``--flag=value`` words; flags the instruction does not know are
  dropped (Trivy retries BuildKit's instruction parser without them).
* Instructions before the first FROM (global ARGs) form a stage of their own named
  ``""`` with ``Stage: 0``; the first FROM stage is *also* ``Stage: 0``, the next 1...
  The stage ``Name`` is the FROM line minus the instruction word, flags included
  (``"--platform=$P golang:1.22 AS build"``).

Deliberately more lenient than Trivy, which rejects the whole file in these cases:
unknown instructions are kept (``Value`` is the rest of the line as one string); a
``from`` written in lower case still yields a clean stage name; instructions are not
validated (argument counts, flag values). ``Flags`` and ``Value`` are always lists
(never ``null``). A file with no instruction at all yields ``None`` (no document).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from regoscan.inputs.errors import ParseError

# Go's unicode.IsSpace, which BuildKit uses; Python's str.isspace also takes \x1c-\x1f.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_SPLIT_WS = re.compile(r"[\t\v\f\r ]+")
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC = re.compile(r"(\d*)<<(-?)[ \t\n\f\r]*([^<]*)\Z")
_HEREDOC_INSTRUCTIONS = frozenset({"add", "copy", "run"})

# Flags BuildKit's instruction parser accepts; any other flag is dropped, as Trivy does.
# Instructions missing from this table (ARG, STOPSIGNAL, unknown ones) keep every flag.
_KNOWN_FLAGS: dict[str, frozenset[str]] = {
    "add": frozenset({"chown", "chmod", "link", "keep-git-dir", "checksum", "unpack", "exclude"}),
    "copy": frozenset({"chown", "from", "chmod", "link", "exclude", "parents"}),
    "from": frozenset({"platform"}),
    "run": frozenset({"mount", "network", "security", "device"}),
    "healthcheck": frozenset({"interval", "timeout", "start-period", "start-interval", "retries"}),
    **{
        name: frozenset()
        for name in (
            "env", "maintainer", "label", "onbuild", "workdir", "cmd",
            "entrypoint", "expose", "user", "volume", "shell",
        )
    },
}  # fmt: skip


def _lstrip(text: str) -> str:
    return text.lstrip(_SPACE)


def _strip(text: str) -> str:
    return text.strip(_SPACE)


def _is_comment(raw: str) -> bool:
    return _lstrip(raw).startswith("#")


def _trim_newline(raw: str) -> str:
    return raw.rstrip("\r\n")


@dataclass
class _Heredoc:
    name: str
    chomp: bool
    content: str = ""


@dataclass
class _Instruction:
    """BuildKit's node for one instruction, reduced to what Trivy reads."""

    cmd: str
    original: str
    flags: list[str]
    values: list[str]
    json: bool
    start: int
    end: int = 0
    sub: _Instruction | None = None
    rest: str = ""
    heredocs: list[_Heredoc] = field(default_factory=list)


# --------------------------------------------------------------------------- line splitting


class _Directives:
    """Parser directives (``# syntax=``, ``# escape=``): only before anything else."""

    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()
        self.escape = "\\"
        self.continuation = self._continuation_re("\\")

    @staticmethod
    def _continuation_re(token: str) -> re.Pattern[str]:
        # The token ends the line (trailing blanks allowed) unless it is itself escaped.
        escaped = re.escape(token)
        return re.compile(rf"([^{escaped}]){escaped}[ \t]*\Z|^{escaped}[ \t]*\Z")

    def feed(self, line: str, number: int) -> None:
        if self.done:
            return
        if not line.startswith("#"):
            self.done = True
            return
        match = _DIRECTIVE.match(_lstrip(line[1:]))
        name = match.group(1).lower() if match else ""
        if name not in _DIRECTIVES:
            self.done = True
            return
        if name in self.seen:
            raise ParseError(f"only one {name} parser directive can be used", number)
        self.seen.add(name)
        if name == "escape":
            token = match.group(2) if match else ""
            if token not in ("\\", "`"):
                raise ParseError(f"invalid escape token {token!r} does not match ` or \\", number)
            self.escape = token
            self.continuation = self._continuation_re(token)

    def trim_continuation(self, line: str) -> tuple[str, bool]:
        """Remove a trailing continuation token; return ``(line, ends_instruction)``."""
        if self.continuation.search(line):
            return self.continuation.sub(r"\1", line), False
        return line, True


def _raw_lines(text: str) -> list[str]:
    """Lines with their line ends (only ``\\n`` ends a line, as in BuildKit)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class _Reader:
    """Walks the raw lines the way BuildKit's ``parser.Parse`` does."""

    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = _raw_lines(text)
        self.pos = 0  # index of the next unread line; equals the 1-based number of the last read
        self.directives = _Directives()

    def logical_lines(self) -> Any:
        """Yield ``(instruction_text, start_line)``; ``self.pos`` is then the end line."""
        while self.pos < len(self.lines):
            raw = self.lines[self.pos]
            self.pos += 1
            line = _lstrip(_trim_newline(raw))
            self.directives.feed(line, self.pos)
            if line.startswith("#"):
                line = ""
            start = self.pos
            line, done = self.directives.trim_continuation(line)
            if done and not line:
                continue
            parts = [line]
            while not done and self.pos < len(self.lines):
                raw = self.lines[self.pos]
                self.pos += 1
                body = _trim_newline(raw)
                if _is_comment(raw) or not _strip(body):
                    continue  # comments and empty lines inside a continuation vanish
                body, done = self.directives.trim_continuation(body)
                parts.append(body)
            yield "".join(parts), start

    def read_heredoc(self, heredoc: _Heredoc, start: int) -> None:
        body: list[str] = []
        while self.pos < len(self.lines):
            raw = self.lines[self.pos]
            self.pos += 1
            candidate = _trim_newline(raw)
            if heredoc.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == heredoc.name:
                heredoc.content = "".join(body)
                return
            body.append(raw)
        raise ParseError(f"unterminated heredoc {heredoc.name!r}", start)


# --------------------------------------------------------------------------- words and flags


def _split_flags(args: str, escape: str) -> tuple[list[str], str]:
    """Leading ``--flag[=value]`` words (quotes and escapes resolved) and the rest."""
    flags: list[str] = []
    pos, n = 0, len(args)
    while True:
        while pos < n and args[pos] in _SPACE:
            pos += 1
        if not args.startswith("--", pos):
            return flags, args[pos:]
        word, pos = _read_flag_word(args, pos, escape)
        if word == "--":
            return flags, args[pos:]
        if word:
            flags.append(word)


def _read_flag_word(args: str, pos: int, escape: str) -> tuple[str, int]:
    chars: list[str] = []
    quote = ""
    n = len(args)
    while pos < n:
        ch = args[pos]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and pos + 1 < n:
                pos += 1
                chars.append(args[pos])
            elif ch != escape:
                chars.append(ch)
        elif ch in _SPACE:
            break
        elif ch in ("'", '"'):
            quote = ch
        elif ch == escape:
            if pos + 1 < n:
                pos += 1
                chars.append(args[pos])
        else:
            chars.append(ch)
        pos += 1
    return "".join(chars), pos


def _parse_words(rest: str, escape: str) -> list[str]:
    """Whitespace-separated words; quotes and escapes are kept (ENV/LABEL/ARG)."""
    words: list[str] = []
    chars: list[str] = []
    in_word = False
    blank_ok = False
    quote = ""
    pos, n = 0, len(rest)
    while pos < n:
        ch = rest[pos]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos + 1 == n:
                    break
                chars.append(ch)
                pos += 1
                ch = rest[pos]
            chars.append(ch)
        elif ch in _SPACE:
            if in_word and (blank_ok or chars):
                words.append("".join(chars))
            chars, in_word, blank_ok = [], False, False
        else:
            in_word = True
            if ch in ("'", '"'):
                quote, blank_ok = ch, True
            elif ch == escape:
                if pos + 1 == n:
                    break
                chars.append(ch)
                pos += 1
                ch = rest[pos]
            chars.append(ch)
        pos += 1
    if in_word and (blank_ok or chars):
        words.append("".join(chars))
    return words


def _shell_words(line: str, raw: bool) -> list[str]:
    """Shell-like words: raw keeps quotes and backslashes, else they are resolved."""
    words: list[str] = []
    chars: list[str] = []
    in_word = False
    quote = ""
    pos, n = 0, len(line)
    while pos < n:
        ch = line[pos]
        if quote:
            if ch == quote:
                quote = ""
                if raw:
                    chars.append(ch)
            elif ch == "\\" and quote == '"' and pos + 1 < n:
                pos += 1
                chars.extend((ch, line[pos]) if raw else (line[pos],))
            else:
                chars.append(ch)
        elif ch in " \t\n\r\v\f":
            if in_word:
                words.append("".join(chars))
            chars, in_word = [], False
        else:
            in_word = True
            if ch in ("'", '"'):
                quote = ch
                if raw:
                    chars.append(ch)
            elif ch == "\\" and pos + 1 < n:
                pos += 1
                chars.extend((ch, line[pos]) if raw else (line[pos],))
            else:
                chars.append(ch)
        pos += 1
    if in_word:
        words.append("".join(chars))
    return words


def _heredoc_from_word(word: str) -> _Heredoc | None:
    match = _HEREDOC.match(word)
    if not match or not match.group(3):
        return None
    names = _shell_words(match.group(3), raw=False)
    if len(names) != 1:
        return None
    return _Heredoc(name=names[0], chomp=match.group(2) == "-")


# --------------------------------------------------------------------------- per-instruction values


def _json_array(rest: str) -> list[str] | None:
    """Exec form: a JSON array of strings; ``None`` when it is not JSON at all."""
    rest = _lstrip(rest)
    if not rest.startswith("["):
        return None

    def reject(token: str) -> Any:
        raise ValueError(token)

    try:
        parsed = json.loads(rest, parse_constant=reject)
    except ValueError:
        return None
    if not isinstance(parsed, list):
        return None
    if not all(isinstance(item, str) for item in parsed):
        raise ParseError("when using JSON array syntax, arrays must be comprised of strings only")
    return parsed


def _maybe_json(rest: str) -> tuple[list[str], bool]:
    if not rest:
        return [], False
    array = _json_array(rest)
    return (array, True) if array is not None else ([rest], False)


def _maybe_json_list(rest: str) -> tuple[list[str], bool]:
    array = _json_array(rest)
    if array is not None:
        return array, True
    return _whitespace_split(rest), False


def _whitespace_split(rest: str) -> list[str]:
    return _SPLIT_WS.split(rest) if rest else []


def _name_values(rest: str, escape: str, instruction: str) -> list[str]:
    words = _parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _SPLIT_WS.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise ParseError(f"{instruction.upper()} must have two arguments")
        return [parts[0], parts[1], ""]
    values: list[str] = []
    for word in words:
        if "=" not in word:
            raise ParseError(f"Syntax error - can't find = in {word!r}. Must be of the form: name=value")
        key, value = word.split("=", 1)
        values += [key, value, "="]
    return values


def _healthcheck(rest: str) -> tuple[list[str], bool]:
    parts = re.split(r"\s+", rest, maxsplit=1)
    if not parts[0]:
        return [], False
    command, is_json = _maybe_json(parts[1] if len(parts) > 1 else "")
    return [parts[0], *command], is_json


def _values(cmd: str, rest: str, escape: str) -> tuple[list[str], bool]:
    if cmd in ("run", "cmd", "entrypoint", "shell"):
        return _maybe_json(rest)
    if cmd in ("add", "copy", "volume"):
        return _maybe_json_list(rest)
    if cmd in ("from", "expose"):
        return _whitespace_split(rest), False
    if cmd in ("env", "label"):
        return _name_values(rest, escape, cmd), False
    if cmd == "arg":
        return _parse_words(rest, escape), False
    if cmd == "healthcheck":
        return _healthcheck(rest)
    # USER, WORKDIR, MAINTAINER, STOPSIGNAL and unknown instructions: the rest as is.
    return ([rest] if rest else []), False


def _drop_unknown_flags(cmd: str, flags: list[str], values: list[str]) -> list[str]:
    """Trivy drops every flag the instruction rejects, by prefix, and retries."""
    known = _KNOWN_FLAGS.get(cmd)
    if known is None or (cmd == "healthcheck" and values[:1] and values[0].upper() == "NONE"):
        return flags
    kept = list(flags)
    while True:
        unknown = next((f.split("=", 1)[0] for f in kept if f.split("=", 1)[0][2:] not in known), None)
        if unknown is None:
            return kept
        kept = [f for f in kept if not f.startswith(unknown)]


def _instruction(line: str, start: int, escape: str, nested: bool = False) -> _Instruction:
    """One logical line to BuildKit's node: instruction word, flags, values."""
    split = _SPLIT_WS.split(_strip(line), maxsplit=1)
    word = split[0]
    cmd = word.lower()
    flags, rest = _split_flags(split[1], escape) if len(split) == 2 else ([], "")
    rest = _strip(rest)
    node = _Instruction(cmd=word, original=line, flags=flags, values=[], json=False, start=start, rest=rest)
    if cmd == "onbuild":
        if rest and not nested:
            node.sub = _instruction(rest, start, escape, nested=True)
        elif rest:
            node.values = [""]  # Trivy reads one level of ONBUILD only
    else:
        node.values, node.json = _values(cmd, rest, escape)
    node.flags = _drop_unknown_flags(cmd, flags, node.values)
    return node


def _wants_heredoc(node: _Instruction) -> bool:
    target = node.sub if node.sub is not None else node
    return target.cmd.lower() in _HEREDOC_INSTRUCTIONS and not target.json and "<<" in node.original


# --------------------------------------------------------------------------- Trivy's shape


def _heredoc_value(node: _Instruction) -> str:
    """Trivy's reading of a heredoc: a simple script becomes ``a ; b``, the rest verbatim."""
    first = node.values[0]
    if _heredoc_from_word(first) is None or node.heredocs[0].content.startswith("#!"):
        return first + "".join("\n" + h.content + h.name for h in node.heredocs)
    content = node.heredocs[0].content
    if node.heredocs[0].chomp:
        content = re.sub(r"(?m)^\t+", "", content)
    content = content.replace("\r\n", "\n").removesuffix("\n")
    return " ; ".join(content.split("\n"))


def _command(node: _Instruction, stage: int, path: str) -> dict[str, Any]:
    target = node.sub if node.sub is not None else node
    original = node.original
    values = list(target.values)
    if node.heredocs and target is node and values:
        original += "\n" + "\n".join(h.content + h.name for h in node.heredocs)
        values = [_heredoc_value(node)]
    return {
        "Cmd": node.cmd.lower(),
        "SubCmd": node.sub.cmd if node.sub is not None else "",
        "Flags": list(node.flags),
        "Value": values,
        "Original": original,
        "JSON": target.json,
        "Stage": stage,
        "Path": path,
        "StartLine": node.start,
        "EndLine": node.end,
    }


def _stage_name(original: str) -> str:
    """The FROM line minus its instruction word (Trivy trims a literal ``"FROM "``)."""
    return _strip(re.sub(r"^\s*from(?:\s+|\Z)", "", original, count=1, flags=re.IGNORECASE))


def _read_instructions(text: str) -> list[_Instruction]:
    reader = _Reader(text)
    nodes: list[_Instruction] = []
    for line, start in reader.logical_lines():
        try:
            node = _instruction(line, start, reader.directives.escape)
        except ParseError as exc:
            raise ParseError(exc.message, exc.line or start) from None
        if _wants_heredoc(node):
            words = _shell_words(line, raw=True)
            node.heredocs = [h for h in map(_heredoc_from_word, words) if h is not None]
            for heredoc in node.heredocs:
                reader.read_heredoc(heredoc, start)
        node.end = reader.pos
        nodes.append(node)
    return nodes


def parse_dockerfile(text: str, path: str) -> dict[str, Any] | None:
    """Parse Dockerfile text into Trivy's ``{"Stages": [...]}``; ``None`` if it has no instruction.

    Raises ``ParseError`` (with the instruction's line) for what BuildKit's parser
    rejects: bad parser directives, non-string JSON arrays, malformed ENV/LABEL,
    unterminated heredocs.
    """
    nodes = _read_instructions(text)
    if not nodes:
        return None
    stages: list[dict[str, Any]] = []
    current: dict[str, Any] = {"Name": "", "Commands": []}
    index, seen_from = 0, False
    for node in nodes:
        if node.cmd.lower() == "from":
            if current["Commands"]:
                stages.append(current)
            if seen_from:
                index += 1
            seen_from = True
            current = {"Name": _stage_name(node.original), "Commands": []}
        current["Commands"].append(_command(node, index, path))
    if current["Commands"]:
        stages.append(current)
    return {"Stages": stages}
