"""Withhold any policy-supplied text that spells a secret this process can see.

Policies never see the environment and never read git metadata (``inputs.forbidden``),
so a policy should have no secret to print. This is the second wall, for a route nobody
thought of: every string a policy (or a scanned file) can put into a report is checked
against the secrets regoscan itself can see, and a string that contains one is
withheld. The check does not depend on spelling, because a hostile policy that got hold
of a token would not print it as is:

* the text is normalised (compatibility forms, accents dropped, case-folded, Cyrillic,
  Greek and Armenian look-alikes of Latin letters folded to them, everything but
  ``a-z0-9`` removed), which undoes case changes, spacing out, separator interleaving
  (``g-h-s_...``) and homoglyphs (``ghѕ_`` with a Cyrillic ``ѕ``);
* one to three letters or digits of junk between the characters (``gxyhxys...``) are
  skipped by reading every second, third and fourth character;
* it is compared with the secret, the secret reversed, and the hex and base64 spellings
  of both (all three base64 alignments), each also reversed, normalised the same way;
* base64, hex and URL-encoded runs in the text are decoded, and the results checked
  again, twice deep (base64 of hex, say);
* any 12 consecutive characters of a spelling that mix letters and digits count, so
  printing a random token in pieces across findings leaks no piece of 12 or more (pieces
  of letters only are left out: a token made of words would match ordinary prose).

Secrets (at least 8 letters or digits once normalised): the values of well-known token
variables (``GITHUB_TOKEN``, ``INPUT_GITHUB-TOKEN``, ``ACTIONS_RUNTIME_TOKEN``,
``ACTIONS_ID_TOKEN_REQUEST_TOKEN``...), of any variable whose name says TOKEN, SECRET,
PASSWORD, KEY or CREDENTIAL (when the value looks like a token, not a word), and the
credentials in the git configuration of the scanned checkout: http ``extraheader`` values
(basic auth decoded), passwords in URLs, and the files those configurations include
(``actions/checkout`` v6 keeps the token in one under ``$RUNNER_TEMP``).

A finding whose message matches keeps its check, file and lines; only the text is
replaced. Every withholding is a ``policy-secret-withheld`` error notice that names the
check or notice it came from, never the secret.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus, urlsplit

from regoscan.models import CheckMetadata, Finding, InputFile, Notice, NoticeLevel, ScanReport, SuppressionInfo

MIN_SECRET = 8
"""Shortest secret (letters and digits after normalising) worth looking for."""
WINDOW = 12
"""Consecutive characters of a secret's spelling that count as a leak."""
DECODE_DEPTH = 2
STRIDES = (2, 3, 4)
"""Every n-th character is read too: junk of up to three letters or digits between the
secret's characters (``concat("xy", split(token, ""))``)."""
MAX_CONFIG_BYTES = 1024 * 1024
CODE = "policy-secret-withheld"
WITHHELD = "(withheld: this text contained a secret regoscan can see; see the policy-secret-withheld notice)"
WITHHELD_SHORT = "(withheld)"

KNOWN_SECRET_VARIABLES = (
    "GITHUB_TOKEN", "GH_TOKEN", "INPUT_GITHUB-TOKEN", "INPUT_GITHUB_TOKEN", "INPUT_TOKEN",
    "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_CACHE_TOKEN",
)
_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|(?:^|[_-])(?:API_?|PRIVATE_?)?KEY(?:$|[_-])", re.I)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
"""Combining marks (accents), left over once text is decomposed."""
_B64_RUN = re.compile(r"[^A-Za-z0-9+/_-]+")
_HEX_RUN = re.compile(r"[^0-9A-Fa-f]+")
_PRINTABLE = re.compile(rf"[\x20-\x7e]{{{WINDOW},}}")
_AUTH_VALUE = re.compile(r"(?i)authorization\s*:\s*(basic|bearer|token)\s+(\S+)")


# Letters of other scripts drawn like Latin ones (after case folding): "ghѕ_" with a Cyrillic
# "ѕ" reads as the token to a person, and dropping the letter (as any non-ASCII character is
# dropped) would split the token into pieces too short to match.
_LOOKALIKES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "ь": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "н": "h", "і": "i", "ј": "j",
    "к": "k", "ӏ": "l", "м": "m", "п": "n", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t",
    "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "з": "3", "б": "6",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "ε": "e", "η": "n", "ι": "i", "ϳ": "j", "κ": "k", "μ": "u", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ζ": "z", "ω": "w",
    # Armenian, and Latin letters without an ASCII decomposition
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "զ": "q", "ց": "g", "ı": "i", "ȷ": "j", "ɡ": "g", "ɑ": "a",
    "ø": "o", "đ": "d", "ħ": "h", "ł": "l", "ŧ": "t",
})


def normalise(text: str) -> str:
    """Compatibility-normalised, accents dropped, case-folded, look-alikes folded to Latin
    letters, ASCII letters and digits only."""
    if text.isascii():
        return _NOT_ALNUM.sub("", text.lower())
    bare = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _NOT_ALNUM.sub("", bare.casefold().translate(_LOOKALIKES))


def _spellings(secret: str) -> list[str]:
    """The normalised spellings of ``secret`` a policy could print."""
    raw = secret.encode("utf-8")
    out = [normalise(secret), normalise(secret)[::-1], raw.hex(), raw[::-1].hex()]
    for data in (raw, raw[::-1]):
        for pad in range(3):
            encoded = base64.b64encode(b"\0" * pad + data).decode("ascii")
            # characters that mix padding or prefix bits are not part of the stable spelling
            start = {0: 0, 1: 2, 2: 3}[pad]
            out.append(normalise(encoded[start:len(encoded) - 3]))
    out += [s[::-1] for s in out]  # the whole spelling reversed (reversed base64, say)
    return [s for s in dict.fromkeys(out) if len(s) >= MIN_SECRET]


_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)")


def _distinctive(secret: str) -> str:
    """The part of ``secret`` that is its own. A JWT's header (``{"typ":"JWT","alg":"RS256"}``,
    base64) is the same in every token: the runner's ``ACTIONS_RUNTIME_TOKEN`` would otherwise
    withhold any message that quotes some other JWT from a manifest."""
    found = _JWT.fullmatch(secret)
    return found.group(1) if found else secret


def _mixed(piece: str) -> bool:
    return any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)


class Matcher:
    """Answers "does this text spell one of the secrets?" (see the module docstring)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.windows: set[str] = set()
        self.short: set[str] = set()
        self.count = 0
        for secret in dict.fromkeys(s for s in secrets if len(normalise(s)) >= MIN_SECRET):
            self.count += 1
            for spelling in _spellings(_distinctive(secret)):
                # pieces only where they mix letters and digits: "econtainerto" from a token
                # that holds words would otherwise match "the container to" in a description
                pieces = {w for w in (spelling[i:i + WINDOW] for i in range(len(spelling) - WINDOW + 1))
                          if _mixed(w)}
                self.windows.update(pieces)
                if not pieces:  # the whole spelling, when no piece of it would find it
                    self.short.add(spelling)
        self._memo: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return self.count > 0

    def leaks(self, text: str) -> bool:
        if not self or not text:
            return False
        found = self._memo.get(text)
        if found is None:
            found = self._search(text, DECODE_DEPTH)
            if len(self._memo) < 100_000:
                self._memo[text] = found
        return found

    def _found(self, norm: str) -> bool:
        """Does normalised text hold a spelling, or a piece of one?"""
        if len(norm) < MIN_SECRET:
            return False
        if self.short and any(s in norm for s in self.short):
            return True
        windows = self.windows
        return any(norm[i:i + WINDOW] in windows for i in range(len(norm) - WINDOW + 1))

    def _plain(self, text: str) -> bool:
        return self._found(normalise(text))

    def _search(self, text: str, depth: int) -> bool:
        norm = normalise(text)
        if self._found(norm):
            return True
        # one to three characters of junk between each character of the secret
        for step in STRIDES:
            if len(norm) >= step * MIN_SECRET and any(self._found(norm[start::step]) for start in range(step)):
                return True
        if depth <= 0:
            return False
        for decoded in _decodings(text):
            if self._plain(decoded):
                return True
            for run in _PRINTABLE.findall(decoded):
                if run != text and self._search(run, depth - 1):
                    return True
        return False


def _decodings(text: str) -> list[str]:
    """What ``text`` could be an encoding of: URL-decoded, base64- and hex-decoded at every alignment."""
    out: list[str] = []
    if "%" in text or "+" in text:
        out += [unquote(text), unquote_plus(text)]
    compact = _B64_RUN.sub("", text).replace("-", "+").replace("_", "/")
    if len(compact) >= WINDOW:
        for offset in range(4):
            body = compact[offset:]
            body = body[: len(body) - len(body) % 4]
            try:
                out.append(base64.b64decode(body, validate=False).decode("latin-1"))
            except (binascii.Error, ValueError):
                continue
    hexes = _HEX_RUN.sub("", text)
    if len(hexes) >= 2 * MIN_SECRET:
        for offset in range(2):
            body = hexes[offset:]
            body = body[: len(body) - len(body) % 2]
            try:
                out.append(bytes.fromhex(body).decode("latin-1"))
            except ValueError:
                continue
    return out


# --------------------------------------------------------------------- the secrets


def _token_like(value: str) -> bool:
    """A value that could be a token rather than a word or a switch ("production", "true")."""
    norm = normalise(value)
    if len(norm) < MIN_SECRET:
        return False
    return len(norm) >= 20 or (any(c.isdigit() for c in norm) and any(c.isalpha() for c in norm))


def environment_secrets(env: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for name, value in env.items():
        value = value.strip()
        if not value:
            continue
        known = name.upper() in KNOWN_SECRET_VARIABLES
        if known or (_SECRET_NAME.search(name) and _token_like(value) and not os.path.isabs(value)):
            out.append(value)
    return out


def _auth_secrets(value: str) -> list[str]:
    """Secrets in an ``extraheader`` value: the header's credential, and for basic auth the
    decoded ``user:password`` pair's password."""
    out: list[str] = []
    for scheme, credential in _AUTH_VALUE.findall(value):
        out.append(credential)
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential + "=" * (-len(credential) % 4)).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                continue
            out.append(decoded.partition(":")[2] or decoded)
    if not out and value.strip():
        out.append(value.strip())
    return out


def _url_password(value: str) -> str | None:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return unquote(parts.password) if parts.password else None


def config_secrets(path: Path, depth: int = 2) -> list[str]:
    """Credentials in one git configuration file, and in the files it includes."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    out: list[str] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line.lower()
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip().strip('"')
        if key == "extraheader":
            out += _auth_secrets(value)
        elif key in ("url", "pushurl", "insteadof", "pushinsteadof") or section.startswith("[url"):
            password = _url_password(value) or _url_password(section.strip("[]").partition(" ")[2].strip('"'))
            if password:
                out.append(password)
        elif key == "path" and section.startswith(("[include", "[includeif")) and depth > 0:
            target = Path(os.path.expanduser(value))
            out += config_secrets(target if target.is_absolute() else path.parent / target, depth - 1)
    return out


def credential_store_secrets(path: Path) -> list[str]:
    """Passwords in a git credential store (``~/.git-credentials``)."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            return []
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [p for p in (_url_password(line) for line in lines) if p]


def git_secrets(root: Path, env: Mapping[str, str]) -> list[str]:
    """Credentials in the git configuration of the checkout at (or above) ``root``."""
    from regoscan.inputs.forbidden import git_locations

    out: list[str] = []
    try:
        real = root.resolve()
    except OSError:
        return out
    for top in (real, *real.parents):
        for git_dir in git_locations(top / ".git"):
            out += config_secrets(git_dir / "config")
            out += config_secrets(git_dir / "config.worktree")
    home = (env.get("HOME") or "").strip()
    if home:
        out += credential_store_secrets(Path(home) / ".git-credentials")
        out += config_secrets(Path(home) / ".gitconfig")
    return out


def secrets_for(root: Path, env: Mapping[str, str] | None = None) -> Matcher:
    """Every secret this process can see, for a scan of ``root``."""
    env = os.environ if env is None else env
    return Matcher([*environment_secrets(env), *git_secrets(root, env)])


# --------------------------------------------------------------------- the report


class _Withholder:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.notices: list[Notice] = []
        self._said: set[tuple[str, str | None, int | None]] = set()

    def say(self, what: str, path: str | None, line: int | None) -> None:
        key = (what, path, line)
        if key not in self._said:
            self._said.add(key)
            self.notices.append(Notice(NoticeLevel.ERROR, CODE, f"{what} was withheld: it contained a secret "
                                       "this run can see (in some spelling); the policy that wrote it may be "
                                       "trying to leak it", path, line))

    def text(self, value: str, replacement: str = WITHHELD_SHORT) -> tuple[str, bool]:
        return (replacement, True) if isinstance(value, str) and self.matcher.leaks(value) else (value, False)

    def value(self, value: Any) -> tuple[Any, bool]:
        """A JSON-like value with every leaking string (key or value) withheld."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            items = [self.value(v) for v in value]
            return type(value)(v for v, _ in items), any(h for _, h in items)
        if isinstance(value, dict):
            out: dict[Any, Any] = {}
            hit = False
            for k, v in value.items():
                new_k, hk = self.text(k) if isinstance(k, str) else (k, False)
                new_v, hv = self.value(v)
                if hk:
                    new_k = f"{WITHHELD_SHORT}{len(out)}"
                out[new_k] = new_v
                hit = hit or hk or hv
            return out, hit
        return value, False

    def check(self, check: CheckMetadata) -> None:
        hit = False
        for name in ("id", "package", "title", "description", "recommended_action", "source_path"):
            new, h = self.text(getattr(check, name))
            if h:
                setattr(check, name, new)
                hit = True
        for name in ("references", "aliases", "selectors", "custom"):
            new, h = self.value(getattr(check, name))
            if h:
                setattr(check, name, new)
                hit = True
        if hit:
            self.say(f"metadata of check {check.id}", check.source_path, check.source_line)

    def suppression(self, info: SuppressionInfo) -> SuppressionInfo:
        meta, hm = self.value([list(p) for p in info.metadata])
        changes: dict[str, Any] = {}
        if hm:
            changes["metadata"] = tuple(tuple(p) for p in meta)
        for name in ("exception_package", "path", "matched"):
            new, h = self.text(getattr(info, name))
            if h:
                changes[name] = new
        if not changes:
            return info
        self.say(f"the justification of the exception at {info.path}:{info.line}", changes.get("path", info.path),
                 info.line)
        return dataclasses.replace(info, **changes)

    def finding(self, finding: Finding) -> None:
        message, hit = self.text(finding.message, WITHHELD)
        if hit:
            finding.message = message
            self.say(f"a message of check {finding.check.id} (on {finding.path}:{finding.region.start_line})",
                     finding.check.source_path, finding.check.source_line)
        resource, hit = self.text(finding.resource or "")
        if hit:
            finding.resource = resource
            self.say(f"the resource name of a finding on {finding.path}", finding.path, finding.region.start_line)
        finding.suppressions = [self.suppression(s) for s in finding.suppressions]

    def notice(self, notice: Notice) -> None:
        message, hit = self.text(notice.message, WITHHELD)
        if hit:
            notice.message = message
        path, hit_path = self.text(notice.path or "")
        if hit_path:
            notice.path = path
        check_id, hit_id = self.text(notice.check_id or "")
        if hit_id:
            notice.check_id = check_id
        source, hit_source = self.text(notice.source or "")
        if hit_source:
            notice.source = source  # the quoted line of a syntax error
        if hit or hit_path or hit_id or hit_source:
            self.say(f"the text of a {notice.code} notice", notice.path, notice.line)

    def expiring(self, item: Any) -> Any:
        """An ``ExpiringException``: its date is exception metadata, as written."""
        changes = {}
        for name in ("exception_package", "path", "expires"):
            new, hit = self.text(getattr(item, name))
            if hit:
                changes[name] = new
        if not changes:
            return item
        self.say(f"the expiry of the exception at {item.path}:{item.line}", changes.get("path", item.path), item.line)
        return dataclasses.replace(item, **changes)

    def changed(self, item: Any) -> Any:
        """A ``ChangedPolicy``: names from the change (paths, packages, check ids)."""
        value, hit = self.value(dataclasses.asdict(item))
        if not hit:
            return item
        self.say(f"the description of the changed policy file {value['change']['path']}", None, None)
        change = dataclasses.replace(item.change, path=value["change"]["path"], old_path=value["change"]["old_path"])
        exceptions = tuple(dataclasses.replace(e, package=v["package"], waives=tuple(
            dataclasses.replace(w, check_id=vw["check_id"], path=vw["path"]) for w, vw in zip(e.waives, v["waives"],
                                                                                            strict=True)))
            for e, v in zip(item.exceptions, value["exceptions"], strict=True))
        return dataclasses.replace(item, change=change, package=value["package"], exceptions=exceptions,
                                   checks=tuple(value["checks"]))

    def file(self, f: InputFile) -> None:
        if f.error:
            error, hit = self.text(f.error, WITHHELD)
            if hit:
                f.error = error
                self.say("the error text of an unscanned file", f.path, f.error_line)


def withhold_secrets(report: ScanReport, matcher: Matcher, also: Iterable[Notice] = ()) -> list[Notice]:
    """Withhold, in place, every string of ``report`` that spells a secret; return the notices
    saying so (also appended to ``report.notices``). ``also``: copies of notices kept elsewhere
    (the result cache's), scrubbed the same way."""
    if not matcher:
        return []
    w = _Withholder(matcher)
    seen: set[int] = set()
    for check in [*report.checks, *(f.check for f in report.findings)]:
        if id(check) not in seen:
            seen.add(id(check))
            w.check(check)
    for finding in report.findings:
        w.finding(finding)
    for notice in [*report.notices, *also]:
        w.notice(notice)
    for f in report.files:
        w.file(f)
    report.expiring = [w.expiring(e) for e in report.expiring]
    report.changed_policies = [w.changed(c) for c in report.changed_policies]
    report.notices.extend(w.notices)
    return w.notices


def withhold_messages(items: Iterable[Any], matcher: Matcher) -> int:
    """Withhold the ``message`` of each item that spells a secret (``regoscan test`` results)."""
    count = 0
    for item in items:
        if matcher.leaks(getattr(item, "message", "") or ""):
            item.message = WITHHELD
            count += 1
        if matcher.leaks(getattr(item, "source", "") or ""):  # a notice's quoted line
            item.source = WITHHELD_SHORT
            count += 1
    return count
