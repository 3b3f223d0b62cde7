"""``readiness examples``: list the shipped example partnerships, or write them out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness._resources import data_dir
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES

FILES = sorted(f.name for f in EXAMPLES.glob("*.json"))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command in this process (tests/cli_harness.py), from the current folder."""
    r = run_cli(*args, cwd=None)
    return r.returncode, r.stdout, r.stderr


def test_the_examples_come_from_the_source_checkout():
    assert sorted(e.name for e in data_dir("examples").iterdir()) == FILES


def test_listing_shows_file_name_and_kind(capsys):
    code, out, err = cli(capsys, "examples")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == FILES
    for line, file in zip(lines, FILES, strict=True):
        doc = json.loads((EXAMPLES / file).read_text(encoding="utf-8"))
        assert doc["name"] in line and line.endswith(f"  {doc['kind']}")


def test_write_named_examples_into_a_new_folder(capsys, tmp_path: Path):
    out = tmp_path / "a" / "b"
    code, stdout, err = cli(capsys, "examples", "nato", "aukus.json", "-o", str(out))
    assert code == 0 and stdout == ""
    assert err == f"readiness: wrote 2 example files to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == ["aukus.json", "nato.json"]
    assert (out / "nato.json").read_bytes() == (EXAMPLES / "nato.json").read_bytes()


def test_write_all_then_assess_them(capsys, tmp_path: Path):
    code, _, _ = cli(capsys, "examples", "--all", "-o", str(tmp_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == FILES
    code, out, err = cli(capsys, "assess", str(tmp_path / "nato.json"))
    assert code == 0 and "North Atlantic Treaty Organization" in out, err


def test_refuses_to_overwrite_without_force(capsys, tmp_path: Path):
    (tmp_path / "nato.json").write_text("mine")
    code, _, err = cli(capsys, "examples", "quad", "nato", "-o", str(tmp_path))
    assert code == 2
    assert err == (
        f"readiness: error: {tmp_path / 'nato.json'} already exists; "
        "nothing written (use --force to replace it)\n"
    )
    assert (tmp_path / "nato.json").read_text() == "mine"
    assert not (tmp_path / "quad.json").exists()  # nothing at all is written
    code, _, _ = cli(capsys, "examples", "quad", "nato", "-o", str(tmp_path), "--force")
    assert code == 0
    assert (tmp_path / "nato.json").read_bytes() == (EXAMPLES / "nato.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nato.json", "quad.json"]  # no temp


def test_force_keeps_the_mode_of_a_replaced_file(capsys, tmp_path: Path):
    target = tmp_path / "quad.json"
    target.write_text("old")
    target.chmod(0o640)
    assert cli(capsys, "examples", "quad", "-o", str(tmp_path), "--force")[0] == 0
    assert target.stat().st_mode & 0o777 == 0o640  # replaced through readiness._atomic


def test_unknown_name_is_exit_2_and_writes_nothing(capsys, tmp_path: Path):
    out = tmp_path / "out"
    code, stdout, err = cli(capsys, "examples", "nato", "natto", "-o", str(out))
    assert code == 2 and stdout == ""
    assert err.startswith("readiness: error: unknown example 'natto'; the examples are: ")
    assert "nato, quad" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nato"], "-o DIR is needed to write examples"),
        (["-o", "x"], "name the examples to write, or use --all"),
        (["--force"], "name the examples to write, or use --all"),
        (["nato", "--all", "-o", "x"], "name examples or use --all, not both"),
    ],
)
def test_options_that_do_not_fit(capsys, monkeypatch, tmp_path: Path, args, message):
    monkeypatch.chdir(tmp_path)  # "x" must not be created
    code, _, err = cli(capsys, "examples", *args)
    assert code == 2 and err.startswith(f"readiness: error: {message}")
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_place_of_the_folder(capsys, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = cli(capsys, "examples", "nato", "-o", str(blocker))
    assert code == 2 and "Traceback" not in err
    assert err == f"readiness: error: {blocker}: exists and is not a folder\n"


def test_help_describes_the_verb(capsys):
    code, out, _ = cli(capsys, "examples", "--help")  # argparse's SystemExit(0)
    assert code == 0
    assert "usage: readiness examples [-h] [--all] [-o DIR] [--force] [NAME ...]" in out
    assert "--force" in out and "atomically" in out
    code, out, _ = cli(capsys, "--help")  # argparse's SystemExit
    assert "examples" in out
