"""One way for the tests to run the ``readiness`` command: in this process.

:func:`cli` calls :func:`readiness.cli.main` with its own standard input, output and
error, working directory and environment, and returns what ``subprocess.run(...,
capture_output=True, text=True)`` of ``python -m readiness`` would have returned: a
:class:`subprocess.CompletedProcess` with ``returncode``, ``stdout`` and ``stderr`` (an
argparse usage error or ``--help`` ends in ``SystemExit``; its code is the return code).
Starting a Python for each call cost about a second; this costs the command alone.

Only a test about the process itself (signals, the interpreter's exit, the installed
entry point, ``python -m readiness``, the modules loaded at start-up, ``--jobs``
workers) starts a real one, and says so where it does.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping

from tests.factories import ROOT

__all__ = ["assert_clean_error", "cli", "run_cli"]


class _Kept(io.BytesIO):
    """A byte buffer that survives ``close()`` (the command closes standard error
    after a broken pipe), so that what was written can still be read."""

    def close(self) -> None:
        pass


def _text(data: bytes) -> str:
    # as subprocess.run(text=True): the locale's encoding (UTF-8 here), universal newlines
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None).read()


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None] | None) -> Iterator[None]:
    if not env:
        yield
        return
    saved = {key: os.environ.get(key) for key in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    # a warning goes to (this run's) standard error, as in a fresh interpreter
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def run_cli(
    *args: str | os.PathLike[str],
    input: str | bytes | None = None,
    cwd: str | os.PathLike[str] | None = ROOT,
    env: Mapping[str, str | None] | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess:
    """``readiness *args`` in this process. ``input`` is standard input (empty when
    None); ``cwd`` the working directory for the call; ``env`` variables to set (a
    value of None removes one) for the call; ``text=False`` gives bytes, as
    ``subprocess.run`` does."""
    from readiness.cli import main

    argv = [os.fspath(a) for a in args]
    data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    out, err = _Kept(), _Kept()
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    streams = (sys.stdin, sys.stdout, sys.stderr)
    here = os.getcwd()
    try:
        with _environment(env), warnings.catch_warnings():
            warnings.showwarning = _show
            if cwd is not None:
                os.chdir(cwd)
            sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: usage errors, --help, --version
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    sys.stderr.write(f"{exc.code}\n")
                    code = 1
            with contextlib.suppress(ValueError, OSError):
                sys.stdout.flush()
            with contextlib.suppress(ValueError, OSError):
                sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = streams
        os.chdir(here)
    if text:
        return subprocess.CompletedProcess(argv, code, _text(out.getvalue()), _text(err.getvalue()))
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def cli(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess:
    """``readiness *args`` from the repository's root, in this process."""
    return run_cli(*args)


def assert_clean_error(r: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit 2 with one ``readiness: error:`` paragraph naming every fragment, no
    traceback."""
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("readiness: error: ")
    for fragment in fragments:
        assert fragment in r.stderr
