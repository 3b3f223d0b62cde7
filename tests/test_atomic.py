"""Atomic writes and odd output targets: devices, FIFOs, read-only files, directories,
links, leftovers of killed writers, and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from readiness._atomic import TargetError, atomic_path, write_text
from tests.factories import EXAMPLES, ROOT


def test_a_new_file_and_a_replaced_one(tmp_path: Path):
    out = tmp_path / "a.txt"
    write_text(out, "one")
    write_text(out, "two")
    assert out.read_text() == "two"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_an_error_in_the_block_leaves_the_old_file(tmp_path: Path):
    out = tmp_path / "a.txt"
    out.write_text("old")

    def fail_half_way() -> None:
        with atomic_path(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_half_way()
    assert out.read_text() == "old" and os.listdir(tmp_path) == ["a.txt"]


def test_dev_null_is_written_to_not_replaced():
    before = os.stat("/dev/null")
    with atomic_path("/dev/null") as tmp:
        assert tmp == Path("/dev/null")
        tmp.write_text("nothing")
    after = os.stat("/dev/null")
    assert (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)
    assert not [n for n in os.listdir("/dev") if ".readiness-" in n]


def test_a_fifo_is_streamed_to_and_stays_a_fifo(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text(fifo, "through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert fifo.is_fifo() and os.listdir(tmp_path) == ["pipe"]


def test_a_read_only_file_is_refused_even_for_root(tmp_path: Path):
    out = tmp_path / "ro.txt"
    out.write_text("keep")
    out.chmod(0o444)
    with pytest.raises(TargetError, match="read-only"):
        write_text(out, "new")
    assert out.read_text() == "keep" and oct(out.stat().st_mode & 0o777) == "0o444"
    assert os.listdir(tmp_path) == ["ro.txt"]


def test_a_directory_is_refused(tmp_path: Path):
    target = tmp_path / "d"
    target.mkdir()
    (target / "inside").write_text("x")
    with pytest.raises(TargetError, match="directory"):
        write_text(target, "new")
    assert (target / "inside").read_text() == "x"


def test_a_link_is_followed_and_kept(tmp_path: Path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_leftovers_of_a_killed_writer_are_removed_on_the_next_write(tmp_path: Path):
    # a new process: only an ended one gives the pid of a dead writer
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)  # a process that has ended
    stale = tmp_path / f".scores.csv.readiness-{pid}-abc123.tmp"
    stale.write_text("half")
    mine = tmp_path / f".scores.csv.readiness-{os.getpid()}-live.tmp"
    mine.write_text("being written")  # a live writer's temp is left alone
    other = tmp_path / ".notes.txt.readiness-1-x.tmp"  # another target's
    other.write_text("x")
    write_text(tmp_path / "scores.csv", "a,b\n")
    assert not stale.exists() and mine.exists() and other.exists()


def test_temp_names_are_recognisable(tmp_path: Path):
    with atomic_path(tmp_path / "scores.csv") as tmp:
        assert tmp.name.startswith(f".scores.csv.readiness-{os.getpid()}-")
        assert tmp.name.endswith(".tmp")
        tmp.write_text("x")


def test_a_long_name_still_gets_a_temp_file(tmp_path: Path):
    out = tmp_path / ("n" * 250)
    write_text(out, "x")
    assert out.read_text() == "x"


def test_the_cli_names_a_read_only_target(tmp_path: Path):
    from tests.test_hostile import run

    out = tmp_path / "r.md"
    out.write_text("keep")
    out.chmod(0o444)
    code, _, err = run(["report", str(EXAMPLES / "nato.json"), "-o", str(out)])
    assert code == 2 and str(out) in err and "read-only" in err
    assert out.read_text() == "keep"


def test_the_cli_writes_a_report_to_dev_null():
    from tests.test_hostile import run

    code, _, err = run(
        ["report", str(EXAMPLES / "nato.json"), "-o", "/dev/null", "--format", "html"]
    )
    assert code == 0, err


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_batch_leaves_no_temp_file(tmp_path: Path, sig: signal.Signals):
    """The writer is stopped while its temporary file exists; nothing is left behind."""
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    script = (
        "import sys, time, readiness._atomic as a\n"
        "real = a.atomic_path\n"
        "import contextlib\n"
        "@contextlib.contextmanager\n"
        "def slow(target):\n"
        "    with real(target) as tmp:\n"
        "        print('writing', flush=True)\n"
        "        time.sleep(30)\n"
        "        yield tmp\n"
        "a.atomic_path = slow\n"
        "import readiness.cli._common as c\n"
        "c.atomic_path = slow\n"
        "from readiness.cli import main\n"
        f"sys.exit(main(['assess', {str(EXAMPLES)!r}, '--out', {str(out)!r}]))\n"
    )
    proc = subprocess.Popen(  # a new process: it receives the signal
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        # Ctrl-C as a terminal gives it, whatever this run inherited: a job started in
        # the background of a non-interactive shell ignores SIGINT, and so would Python
        preexec_fn=_default_sigint,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]  # the temp exists now
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (143 if sig == signal.SIGTERM else 130), err
    assert "Traceback" not in err
    time.sleep(0.1)
    assert sorted(os.listdir(tmp_path)) == ["scores.csv"]
    assert out.read_text() == "old\n"
