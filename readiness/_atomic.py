"""Write output files atomically: all of the new content, or the old file untouched.

For a regular file (or a new one) the content goes to a temporary file in the same
directory as the target (so both are on one file system), which then replaces the
target with :func:`os.replace`. On any error the temporary file is removed and an
existing target is left as it was.

Other targets are handled as users of a shell expect:

- a device or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is written to
  directly, as a stream: it is never replaced by a regular file;
- a symbolic link is followed: the file it points to is replaced, the link stays;
- a directory, or a file without any write permission (mode ``0444``, even for
  root), is refused with :class:`TargetError` and left as it is.

Temporary files are named ``.<target name>.readiness-<pid>-<random>.tmp``. A process
killed with ``kill -9`` cannot remove its own; the next write to the same target
removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TargetError", "atomic_path", "write_bytes", "write_text"]

_TEMP = re.compile(r"\.(?P<name>.*)\.readiness-(?P<pid>[0-9]+)-[^.]*\.tmp")
_NAME_ROOM = 100
"""Characters of the target's name kept in a temporary name (names may be 255 bytes)."""


class TargetError(OSError):
    """The target cannot be written by replacement: a directory or a read-only file."""


def _new_file_mode(target: Path) -> int:
    """The mode the target should get: its current one, else 0o666 less the umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid we can ask about: keep it
    return True


def _clean_stale(path: Path) -> None:
    """Remove temporary files of ``path`` left by writers that were killed."""
    prefix = f".{path.name[:_NAME_ROOM]}.readiness-"
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        match = _TEMP.fullmatch(name)
        if match and not _alive(int(match["pid"])):
            with contextlib.suppress(OSError):
                (path.parent / name).unlink()


def _check_target(path: Path) -> os.stat_result | None:
    """The target's status (``None`` when it does not exist); refuse what cannot be replaced."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # e.g. a broken link's directory: creating the file will say why
    if stat.S_ISDIR(status.st_mode):
        raise TargetError(errno.EISDIR, "is a directory, not a file", str(path))
    if stat.S_ISREG(status.st_mode) and (
        status.st_mode & 0o222 == 0 or not os.access(path, os.W_OK)
    ):
        raise TargetError(
            errno.EACCES,
            "is read-only; not replaced (make it writable, or write elsewhere)",
            str(path),
        )
    return status


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Give a path to write to; it replaces ``target`` when the block succeeds.

    Args:
        target: The file to create or replace.

    Returns:
        A context manager yielding the path to write the whole content to inside the
        ``with`` block: a temporary file in the target's directory, or the target
        itself when it is a device or a named pipe (written as a stream).

    Raises:
        TargetError: The target is a directory or a read-only file (left unchanged).
        OSError: The temporary file cannot be created (e.g. the directory does not
            exist or is not writable) or cannot replace the target. Any exception
            raised inside the block is re-raised after the temporary file is removed;
            the target is then unchanged.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> out.read_text()
    'hello'
    """
    path = Path(target)
    if path.is_symlink():
        real = Path(os.path.realpath(path))
        # a link to what has no name (``/dev/stdout`` on a pipe resolves to "pipe:[n]")
        # is written through the link; a dangling link, where it points
        if real.exists() or not path.exists():
            path = real
    status = _check_target(path)
    if status is not None and not stat.S_ISREG(status.st_mode):
        yield path  # a device, FIFO or socket: stream to it, never rename over it
        return
    _clean_stale(path)
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name[:_NAME_ROOM]}.readiness-{os.getpid()}-", suffix=".tmp", dir=path.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb") as written:  # flush the content to disk before the rename
            os.fsync(written.fileno())
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically.

    Args:
        target: The file to create or replace.
        text: The whole content.

    Raises:
        OSError: The file cannot be written; an existing ``target`` is left unchanged.
    """
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically.

    Args:
        target: The file to create or replace.
        data: The whole content.

    Raises:
        OSError: The file cannot be written; an existing ``target`` is left unchanged.
    """
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
