"""Write output files atomically: all of the new content, or the old file untouched.

The content goes to a temporary file in the same directory as the target (so both
are on one file system), which then replaces the target with :func:`os.replace`.
On any error the temporary file is removed and an existing target is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_bytes", "write_text"]


def _new_file_mode(target: Path) -> int:
    """The mode the target should get: its current one, else 0o666 less the umask."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Give a temporary path to write to; it replaces ``target`` when the block succeeds.

    Args:
        target: The file to create or replace.

    Returns:
        A context manager yielding the temporary path (an empty file in the target's
        directory). Write the whole content to it inside the ``with`` block.

    Raises:
        OSError: The temporary file cannot be created (e.g. the directory does not
            exist or is not writable) or cannot replace the target (e.g. the target
            is a directory). Any exception raised inside the block is re-raised after
            the temporary file is removed; the target is then unchanged.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> out.read_text()
    'hello'
    """
    path = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
