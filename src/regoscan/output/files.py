"""Writing report files without following links planted by the change being scanned.

A pull request can commit ``regoscan.sarif`` as a symlink to a file outside the
workspace; a plain ``open(path, "w")`` would follow it and, running as root in the
Action, overwrite whatever it points at. So a report is written to a fresh temporary
file in the target's folder and renamed over the target: ``rename`` replaces a link, it
never writes through one. With ``confine_to``, every folder on the way from that root to
the file must be a real folder (no symlinked component), so the rename itself cannot be
redirected either.

Without ``confine_to`` (the command line, where the user names the path), a target that
is not a regular file (a FIFO, a terminal, ``/dev/null``) or lies under ``/dev``
(``/dev/stdout``, ``/dev/fd/63`` from ``>(jq .)``) is opened and written in place: a
rename would replace the device node or the ``/dev/stdout`` link itself (as root) or fail.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


class ReportWriteError(Exception):
    """A report could not be written; the message names the path and why."""


def _check_confined(target: Path, root: Path) -> list[Path]:
    """Folders to create under ``root`` for ``target``; refuses links and escapes."""
    root = root.resolve()
    absolute = Path(os.path.abspath(target))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        raise ReportWriteError(f"{target}: outside {root}") from None
    missing: list[Path] = []
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            missing.append(current)
            continue
        except OSError as exc:
            raise ReportWriteError(f"{target}: {exc.strerror or exc}") from None
        if missing:
            continue  # below a missing folder nothing exists yet
        if stat.S_ISLNK(st.st_mode):
            raise ReportWriteError(f"{target}: {current.relative_to(root)} is a symbolic link; not writing through it")
        if not stat.S_ISDIR(st.st_mode):
            raise ReportWriteError(f"{target}: {current.relative_to(root)} is not a folder")
    return missing


def _write_in_place(target: Path) -> bool:
    """A device, FIFO or socket (through links), or anything under ``/dev``."""
    if Path(os.path.abspath(target)).parts[1:2] == ("dev",):
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_through(path: str | os.PathLike[str], target: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
        with open(target, "wb") as fh:
            fh.write(data)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ReportWriteError(f"{path}: cannot write: {reason}") from None


def write_report(path: str | os.PathLike[str], text: str, *, confine_to: Path | None = None) -> list[Path]:
    """Write ``text`` (UTF-8) to ``path`` by temporary file and rename.

    Returns the folders and file created, so a caller running as root can hand them to
    the workspace's owner (with ``lchown``: never through a link). Raises
    :class:`ReportWriteError` with a one-line reason; never a traceback for a bad path.
    """
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise ReportWriteError(f"{path}: not a file name")
    if confine_to is not None:
        created = _check_confined(target, confine_to)
    else:
        created = []
        parent = Path(os.path.abspath(target)).parent
        while not parent.exists() and parent != parent.parent:
            created.append(parent)
            parent = parent.parent
        created.reverse()
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise ReportWriteError(f"{path}: {exc.strerror or exc}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ReportWriteError(f"{path}: is a folder")
    if confine_to is None and _write_in_place(target):
        _write_through(path, target, text)
        return []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ReportWriteError(f"{path}: cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except (OSError, UnicodeError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ReportWriteError(f"{path}: cannot write: {reason}") from None
    return [*created, target]
