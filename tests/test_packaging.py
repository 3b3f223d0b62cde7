"""The wheel holds what an installed package needs: the typing marker and the shipped data.

The wheel is built in-process with hatchling's build API (the project's build backend,
in the dev dependency group), which takes well under a second.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.factories import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = pytest.importorskip("hatchling.build", reason="hatchling (dev group) builds the wheel")
    out = tmp_path_factory.mktemp("dist")
    with contextlib.chdir(ROOT):  # hatchling builds the project in the current directory
        name = build.build_wheel(str(out))
    return out / name


def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.parametrize("made_once", ["_parsed.marshal", "_validated.marshal", "_schemas.marshal"])
def test_the_wheel_ships_what_make_parsed_writes(wheel: Path, made_once: str):
    # the shipped rubrics and seed cards parsed (readiness._io.PARSED), the rubrics
    # validated (readiness.rubric.VALIDATED), the partnership's core schema
    # (readiness._prebuilt.PREBUILT): a wheel's commands start without redoing them
    with zipfile.ZipFile(wheel) as z:
        shipped = z.read(f"readiness/{made_once}")
    assert shipped == (ROOT / "readiness" / made_once).read_bytes()


def test_the_wheel_is_marked_typed(wheel: Path):
    assert "readiness/py.typed" in names(wheel)
    with zipfile.ZipFile(wheel) as z:
        metadata = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        assert "Classifier: Typing :: Typed" in z.read(metadata).decode()


def test_the_wheel_ships_the_example_partnerships(wheel: Path):
    shipped = {n for n in names(wheel) if n.startswith("readiness/_data/examples/")}
    expected = {f"readiness/_data/examples/{f.name}" for f in EXAMPLES.glob("*.json")}
    assert expected and shipped == expected
    with zipfile.ZipFile(wheel) as z:
        for f in EXAMPLES.glob("*.json"):
            assert z.read(f"readiness/_data/examples/{f.name}") == f.read_bytes()


def test_the_installed_package_finds_its_examples(wheel: Path, tmp_path: Path):
    """Unpacked and run away from the source tree, ``readiness examples`` still works."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    probe = "import readiness, sys; print(readiness.__file__)"
    where = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert where.stdout.strip() == str(site / "readiness" / "__init__.py"), where.stderr
    run = [sys.executable, "-m", "readiness", "examples"]  # a new process: the unpacked wheel
    listed = subprocess.run(run, capture_output=True, text=True, cwd=elsewhere, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "nato.json" in listed.stdout and "North Atlantic Treaty Organization" in listed.stdout
    copied = subprocess.run(
        [*run, "nato", "-o", "out"], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert copied.returncode == 0, copied.stderr
    assert (elsewhere / "out" / "nato.json").read_bytes() == (EXAMPLES / "nato.json").read_bytes()


def test_the_wheel_ships_the_released_rubric_versions(wheel: Path, tmp_path: Path):
    """``load_rubric(version=...)`` works from an installed package, away from the source."""
    versions = sorted((ROOT / "rubrics" / "versions").glob("*.yaml"))
    assert versions
    with zipfile.ZipFile(wheel) as z:
        for f in versions:
            assert z.read(f"readiness/_data/rubrics/versions/{f.name}") == f.read_bytes()
        z.extractall(tmp_path / "site")
    probe = (
        "import readiness; r = readiness.load_rubric(version='1.1.0'); "
        "print(readiness.__file__, r.version, readiness.rubric_versions())"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert run.returncode == 0, run.stderr
    where, version, listed = run.stdout.split(" ", 2)
    assert where == str(tmp_path / "site" / "readiness" / "__init__.py")
    assert version == "1.1.0" and listed.startswith("['1.1.0', '1.2.0', ")


def test_the_wheel_ships_the_json_schemas(wheel: Path):
    from readiness._resources import SCHEMAS

    with zipfile.ZipFile(wheel) as z:
        for kind in SCHEMAS:
            shipped = z.read(f"readiness/schemas/{kind}.schema.json")
            assert shipped == (ROOT / "readiness" / "schemas" / f"{kind}.schema.json").read_bytes()
