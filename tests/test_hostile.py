"""An attack corpus: hostile partnership, rubric and batch inputs, run through the CLI.

Every bad input must end in exit 2 with one message on standard error that names the
file, a location and the problem; never a traceback, never over 10 KB, and nothing
written or changed. Hostile *text* in a valid file must come out inert: no markup in
Markdown, no raw control, bidi or invisible character in any format.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from readiness.cli import main
from tests.factories import EXAMPLES, ROOT

BASE: dict[str, Any] = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["AAA", "BBB"],
    "assessed_on": "2024-01-01",
    "ratings": {"trust.commitment-record": {"level": 3}},
}
SMALL = ROOT / "tests" / "fixtures" / "small.yaml"
HOSTILE = (
    "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(2)</script> "
    "\u202eevil\u202c \u2066iso\u2069 \u200f\u200e\u061c \x1b[31mred\x1b[0m \x07bell "
    "\x00nul \u200b\ufeff &#x202E; done"
)
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def run(argv: list[str]) -> tuple[int, str, str]:
    """The CLI in process; an exception escaping ``main`` fails the test (a traceback)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def with_(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def rated(**rating: Any) -> dict[str, Any]:
    return with_(ratings={"trust.commitment-record": {"level": 3, **rating}})


def strings(data: object) -> list[str]:
    """Every string in a JSON document."""
    if isinstance(data, str):
        return [data]
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for item in items for s in strings(item)]


def text_of(doc: object) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc)


# name -> file text (or bytes). Each is refused.
PARTNERSHIPS: dict[str, str | bytes | dict[str, Any]] = {
    "deep nesting at the top": "[" * 100_000 + "]" * 100_000,
    "deep nesting in description": text_of(with_(description=None)).replace(
        "null", "[" * 5_000 + "]" * 5_000
    ),
    "deep nesting in a rating": text_of(rated(note=None)).replace(
        "null", "[" * 2_000 + "]" * 2_000
    ),
    "deep nesting in facts": text_of(with_(facts=None)).replace(
        "null", '{"sources": ' + '{"a": ' * 500 + "1" + "}" * 501
    ),
    "integer of 5000 digits": text_of(BASE).replace('"level": 3', '"level": ' + "9" * 5_000),
    "established 0": with_(established=0),
    "established epoch": with_(established=1_699_920_000),
    "established epoch text": with_(established="1699920000"),
    "established epoch float": with_(established=1_699_920_000.0),
    "established true": with_(established=True),
    "established with a time": with_(established="2020-01-01T00:00:00"),
    "assessed_on 0": with_(assessed_on=0),
    "evidence date 0": rated(evidence=[{"text": "t", "source": "s", "date": 0}]),
    "established after assessed_on": with_(established="2025-01-01"),
    "evidence after assessed_on": rated(
        evidence=[{"text": "t", "source": "s", "date": "2024-06-01"}]
    ),
    "agreement after assessed_on": with_(
        facts={"agreements": [{"kind": "status-of-forces", "signed": "2024-02-01"}]}
    ),
    "a 10 MB value": with_(kind="x" * 10_000_000),
    "10000 unknown criteria": with_(ratings={f"c.c{i}": {"level": 1} for i in range(10_000)}),
    "criterion id with a trailing space": '{"id":"pact","name":"P","kind":"bilateral-alliance",'
    '"members":["AAA","BBB"],"ratings":{"trust.commitment-record":{"level":3},'
    '"trust.commitment-record ":{"level":1}}}',
    "criterion id in another case": '{"id":"pact","name":"P","kind":"bilateral-alliance",'
    '"members":["AAA","BBB"],"ratings":{"trust.commitment-record":{"level":3},'
    '"Trust.Commitment-Record":{"level":1}}}',
    "members USA and usa": with_(members=["USA", "usa"]),
    "members USA and ' USA'": with_(members=["USA", " USA"]),
    "spending 150% of GDP": with_(facts={"defense_spending_gdp": {"AAA": 150}}),
    "spending 1e300% of GDP": with_(facts={"defense_spending_gdp": {"AAA": 1e300}}),
    "spending negative": with_(facts={"defense_spending_gdp": {"AAA": -1}}),
    "spending for a non-member": with_(facts={"defense_spending_gdp": {"ZZZ": 2}}),
    "spending keys USA and usa": '{"id":"pact","name":"P","kind":"bilateral-alliance",'
    '"members":["USA","BBB"],"facts":{"defense_spending_gdp":{"USA":1,"usa":3}}}',
    "rubric field for another rubric": with_(rubric="another-rubric"),
    "NaN level": text_of(BASE).replace('"level": 3', '"level": NaN'),
    "Infinity level": text_of(BASE).replace('"level": 3', '"level": Infinity'),
    "level true": rated(level=True),
    "level 3.0": rated(level=3.0),
    "level '3'": rated(level="3"),
    "level 1+3j as text": rated(level="1+3j"),
    "duplicate JSON key": '{"id":"pact","id":"other","name":"P","kind":"bilateral-alliance",'
    '"members":["AAA"]}',
    "lone surrogate with a bad level": text_of(BASE)
    .replace('"Pact"', '"\\ud800"')
    .replace('"level": 3', '"level": 9'),
    "not UTF-8": b"\xff\xfe{\x00}",
    "a JSON array": "[]",
    "null": "null",
    "a string": '"x"',
    "empty": "",
    "blank": "   \n",
    "trailing garbage": text_of(BASE) + " x",
    "members as numbers": with_(members=[1, 2]),
    "name as a list": with_(name=["a"]),
    "unknown field": with_(colour="red"),
    "a 1 MB key": with_(ratings={"k" * 1_000_000: {"level": 1}}),
    "facts.agreements null and an unknown fact": with_(facts={"agreements": None, "x": 1}),
}


def _write(path: Path, content: str | bytes | dict[str, Any]) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(text_of(content), encoding="utf-8", errors="surrogatepass")


def assert_refused(code: int, err: str, file: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("readiness: error: ") and file in err, err[:300]
    assert re.search(r"(\$|line \d+)", err), err[:300]  # a location
    assert len(err.encode()) <= 10_000 + 200, len(err)
    assert not RAW_CONTROL.search(err)


VERBS = (
    ["assess"],
    ["assess", "--format", "json"],
    ["assess", "--format", "markdown"],
    ["report", "--format", "markdown"],
    ["validate"],
    ["derive"],
)


@pytest.mark.parametrize("name", sorted(PARTNERSHIPS))
def test_a_hostile_partnership_is_refused_by_every_verb(tmp_path: Path, name: str):
    f = tmp_path / "p.json"
    _write(f, PARTNERSHIPS[name])
    before = snapshot(tmp_path)
    for verb in VERBS:
        code, out, err = run([verb[0], str(f), *verb[1:]])
        assert_refused(code, err, str(f))
        assert out == "", verb
    assert snapshot(tmp_path) == before


def test_a_long_value_is_echoed_as_80_characters(tmp_path: Path):
    f = tmp_path / "p.json"
    _write(f, rated(level="x" * 10_000_000))
    code, _, err = run(["assess", str(f)])
    assert code == 2 and len(err) < 400, err[:500]
    assert "(got '" + "x" * 77 + "…')" in err  # the quoted value is 80 characters


def test_rubric_and_version_in_the_rubric_field(tmp_path: Path):
    from readiness import load_rubric

    version = load_rubric().version
    f = tmp_path / "p.json"
    _write(f, with_(rubric=f"defense-partnership@{version}"))
    assert run(["assess", str(f)])[0] == 0
    _write(f, with_(rubric="defense-partnership@0.0.1"))
    code, _, err = run(["validate", str(f)])
    assert code == 0 and "readiness: warning:" in err and "version 0.0.1" in err
    code, _, err = run(["validate", "--strict", str(f)])
    assert code == 2 and "readiness: error:" in err and "version 0.0.1" in err
    _write(f, with_(rubric="another"))
    code, _, err = run(["assess", str(f)])
    assert code == 2 and "$.rubric" in err and "'another'" in err


def test_member_codes_are_upper_case(tmp_path: Path):
    f = tmp_path / "p.json"
    _write(f, with_(members=["usa", " gbr "], facts={"defense_spending_gdp": {"Usa": 3.1}}))
    code, out, err = run(["assess", str(f), "--format", "json"])
    assert code == 0, err
    assert json.loads(out)["partnership"]["members"] == ["USA", "GBR"]


# --- rubrics ---------------------------------------------------------------------------

_SMALL = SMALL.read_text()
RUBRICS = {
    "infinite weight": _SMALL.replace("weight: 3", "weight: .inf"),
    "NaN weight": _SMALL.replace("weight: 3", "weight: .nan"),
    "negative weight": _SMALL.replace("weight: 3", "weight: -1"),
    "weight true": _SMALL.replace("weight: 3", "weight: true"),
    "weight as text": _SMALL.replace("weight: 3", "weight: '3'"),
    "integer of 5000 digits": _SMALL.replace("weight: 3", "weight: " + "9" * 5_000),
    "deep nesting": _SMALL.replace("weight: 3", "weight: " + "[" * 200 + "]" * 200),
    "alias bomb": "a: &a [x,x,x,x,x,x,x,x,x]\n"
    + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
    )
    + "pillars: [*g]\n",
    "python tag": "!!python/object/apply:os.system ['echo hi']\n",
    "duplicate key": _SMALL.replace("id: small\n", "id: small\nid: other\n"),
    "infinite min_coverage": _SMALL.replace("min_coverage: 0.5", "min_coverage: .inf"),
    "NaN band": _SMALL.replace("min: 40", "min: .nan"),
    "binary": "\x00\x01\x02",
    "tab indent": _SMALL.replace("  - id: a\n", "\t- id: a\n"),
}


@pytest.mark.parametrize("name", sorted(RUBRICS))
def test_a_hostile_rubric_is_refused(tmp_path: Path, name: str):
    r = tmp_path / "r.yaml"
    r.write_text(RUBRICS[name])
    p = tmp_path / "p.json"
    p.write_text(json.dumps(with_(ratings={"a.one": {"level": 3}})))
    before = snapshot(tmp_path)
    for argv in (
        ["assess", str(p), "--rubric", str(r), "--format", "json"],
        ["report", str(p), "--rubric", str(r), "--format", "markdown"],
        ["validate", str(r)],
    ):
        code, out, err = run(argv)
        assert_refused(code, err, str(r))
        assert out == ""
    assert snapshot(tmp_path) == before


# --- hostile text in a valid file ---------------------------------------------------------


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    doc = with_(
        name="N " + HOSTILE,
        description="D " + HOSTILE,
        assessor="A " + HOSTILE,
        members=["AAA", "BBB"],
        ratings={
            "trust.commitment-record": {
                "level": 3,
                "note": "note " + HOSTILE,
                "evidence": [
                    {"text": "t " + HOSTILE, "source": "s " + HOSTILE, "url": "javascript:x"}
                ],
            }
        },
    )
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc))
    return f


@pytest.mark.parametrize(
    "argv",
    [
        ["assess"],
        ["assess", "--format", "markdown"],
        ["assess", "--format", "json"],
        ["assess", "--explain"],
        ["report", "--format", "markdown"],
        ["report", "--format", "html"],
        ["report", "--format", "json"],
        ["compare", "--format", "markdown"],
        ["compare", "--format", "json"],
        ["compare"],
        ["derive"],
        ["validate"],
    ],
    ids=" ".join,
)
def test_hostile_text_comes_out_inert(hostile_file: Path, argv: list[str]):
    code, out, err = run([argv[0], str(hostile_file), *argv[1:]])
    assert code == 0, err
    assert not RAW_CONTROL.search(out + err)
    if "json" in argv:
        data = json.loads(out)  # parseable, and the data is kept exactly
        assert any(HOSTILE in text for text in strings(data))
    if "markdown" in argv and argv[0] != "compare":  # compare shows ids, not names
        assert "<" not in out  # no tag, no autolink
        assert "](" not in out  # no link
        assert "&#x202E;" not in out.replace("\\&#x202E;", "")  # no character reference
        assert "{U+202E}evil{U+202C}" in out


def test_json_output_of_every_example_parses(tmp_path: Path):
    for f in sorted(EXAMPLES.glob("*.json")):
        for argv in (["assess", "--format", "json"], ["report", "--format", "json"]):
            code, out, err = run([argv[0], str(f), *argv[1:]])
            assert code == 0, err
            json.loads(out, parse_constant=pytest.fail)
    code, out, _ = run(["compare", *map(str, sorted(EXAMPLES.glob("*.json"))), "--format", "json"])
    json.loads(out, parse_constant=lambda c: pytest.fail(c))


# --- batches ------------------------------------------------------------------------------


def test_one_crashing_file_does_not_sink_a_batch(tmp_path: Path, monkeypatch):
    """A file whose scoring raises an unexpected exception is reported; the rest are written."""
    import readiness.assessment

    real = readiness.assessment.assess

    def crash_on_quad(p: Any, *args: Any, **kwargs: Any) -> Any:
        if p.id == "quad":
            raise RecursionError("maximum recursion depth exceeded")
        return real(p, *args, **kwargs)

    monkeypatch.setattr(readiness.assessment, "assess", crash_on_quad)
    # the streaming --out path reads and scores in chunks: crash it on quad too
    import readiness.batch

    read = readiness.batch.partnership_from_dict

    def crash_reading_quad(data: Any, *, source: str | None = None) -> Any:
        if str(source).endswith("quad.json"):
            raise RecursionError("maximum recursion depth exceeded")
        return read(data, source=source)

    monkeypatch.setattr(readiness.batch, "partnership_from_dict", crash_reading_quad)
    examples = sorted(EXAMPLES.glob("*.json"))
    for suffix in (".csv", ".jsonl"):
        out = tmp_path / f"scores{suffix}"
        code, _, err = run(["assess", str(EXAMPLES), "--out", str(out)])
        assert code == 2 and "quad.json" in err and "RecursionError" in err
        assert "Traceback" not in err
        rows = out.read_text().splitlines()
        assert len(rows) == len(examples) - 1 + (suffix == ".csv")
    code, out_text, err = run(["assess", str(EXAMPLES)])
    assert code == 2 and out_text.count("Overall:") == len(examples) - 1
    code, out_text, err = run(["compare", str(EXAMPLES), "--format", "json"])
    assert code == 2 and "quad.json" in err
    assert len(json.loads(out_text)["assessments"]) == len(examples) - 1


def test_a_folder_names_what_it_skips(tmp_path: Path):
    import os

    (tmp_path / "nato.json").write_text((EXAMPLES / "nato.json").read_text())
    (tmp_path / "UPPER.JSON").write_text(json.dumps(with_(id="upper")))
    os.symlink(tmp_path / "nowhere.json", tmp_path / "broken.json")
    os.mkfifo(tmp_path / "fifo.json")
    out = tmp_path / "o.csv"
    code, _, err = run(["assess", str(tmp_path), "--out", str(out)])
    assert code == 2
    assert "broken.json" in err and "broken symbolic link" in err
    assert "fifo.json" in err and "named pipe" in err
    ids = {line.split(",")[0] for line in out.read_text().splitlines()[1:]}
    assert ids == {"nato", "upper"}  # *.JSON is read


def test_duplicate_partnerships_in_a_batch_name_both_files(tmp_path: Path):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text((EXAMPLES / "nato.json").read_text())
    out = tmp_path / "o.csv"
    code, _, err = run(["assess", str(tmp_path), "--out", str(out)])
    assert code == 2
    assert "b.json" in err and "also in" in err and "a.json" in err
    assert len(out.read_text().splitlines()) == 3  # both rows kept
    code, _, err = run(["validate", str(tmp_path)])
    assert code == 0 and "warning" in err and "a.json" in err
    assert run(["validate", "--strict", str(tmp_path)])[0] == 2


# --- outputs that name inputs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "{p}", "-o", "{p}", "--format", "markdown"],
        ["report", "{p}", "-o", "{dir}/./p.json", "--format", "markdown"],
        ["report", "{p}", "-o", "{link}", "--format", "markdown"],
        ["report", "{p}", "-o", "{r}", "--rubric", "{r}", "--format", "markdown"],
        ["assess", "{p}", "--out", "{r}", "--rubric", "{r}"],
        ["assess", "{dir}", "--out", "{dir}/x.csv", "--errors", "{p}"],
        ["assess", "{p}", "--out", "{dir}/x.csv", "--errors", "{dir}/x.csv"],
    ],
    ids=lambda a: " ".join(a),
)
def test_an_output_that_is_an_input_is_refused(tmp_path: Path, argv: list[str]):
    import os
    import shutil

    p = tmp_path / "p.json"
    shutil.copy(EXAMPLES / "nato.json", p)
    r = tmp_path / "r.yaml"
    shutil.copy(ROOT / "rubrics" / "defense-partnership.yaml", r)
    os.symlink(p, tmp_path / "link.md")
    before = snapshot(tmp_path)
    names = {"p": str(p), "r": str(r), "dir": str(tmp_path), "link": str(tmp_path / "link.md")}
    code, _, err = run([a.format(**names) for a in argv])
    assert code == 2 and "Traceback" not in err, err
    assert "would be overwritten" in err or "same file" in err
    assert snapshot(tmp_path) == before


# --- the command in a subprocess: what a shell user sees -------------------------------------


def test_no_traceback_in_a_real_process(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    r = subprocess.run(
        [sys.executable, "-m", "readiness", "assess", str(f)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and str(f) in r.stderr


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch):
    import readiness.cli.validate

    def boom(args: Any) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(readiness.cli.validate, "_cmd_validate", boom)
    code, _, err = run(["validate", "x.json"])
    assert code == 2 and "Traceback" not in err
    assert err.startswith("readiness: error: could not be processed (ZeroDivisionError")


# --- signals: SIGTERM to the whole process group during a parallel batch (issue 27) ------

_SLOW_ROWS = """
import multiprocessing.connection as mc, os, signal, sys, time
import readiness.batch as b, readiness.cli.assess as a
a.CHUNK_SIZE = 2
MAIN, PAD, CUT = os.getpid(), int(sys.argv[1]), sys.argv[2] == "1"
real, send = b._process, mc.Connection._send

def process(chunk, settings):  # in a worker: slow, and rows padded to PAD bytes
    time.sleep(0.05)
    frame, errors = real(chunk, settings)
    if frame is not None:
        frame.attrs["pad"] = b"x" * PAD
    return frame, errors

def half(self, buf, *args):  # a worker sends half its rows, then SIGTERM hits the group
    if CUT and os.getpid() != MAIN and len(buf) >= PAD:
        send(self, buf[: len(buf) // 2], *args)
        os.killpg(0, signal.SIGTERM)
        time.sleep(60)
    return send(self, buf, *args)

b._process, mc.Connection._send = process, half
from readiness.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _temporary(target: Path) -> list[str]:
    return [p.name for p in target.parent.iterdir() if p.name != target.name]


def _group_gone(pgid: int, timeout: float) -> bool:
    import os
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(__import__("os").sched_getaffinity(0)) < 2,
    reason="Linux, with two CPUs for two workers",
)
def test_sigterm_to_the_process_group_during_a_parallel_batch_always_ends_it(tmp_path: Path):
    """``docker stop``, systemd and CI runners send SIGTERM to every process of the group:
    the workers die at once, perhaps halfway through sending their rows. The command must
    end every time (it hung for good in about 1 run of 10: the pool's thread waited for
    the rest of the rows), with the old target intact, no temporary file and no worker
    left. In some runs the signal comes from a worker that has sent half of its rows; in
    the others a burst of three comes at any time (the later ones while it cleans up)."""
    import os
    import random
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    base = json.loads((EXAMPLES / "nato.json").read_text())
    for i in range(80):
        (folder / f"p{i}.json").write_text(json.dumps({**base, "id": f"p{i}", "name": f"P {i}"}))
    out = tmp_path / "out" / "scores.csv"
    out.parent.mkdir()
    rng = random.Random(27)
    runs = [(1_000_000, 0.0, "1") for _ in range(3)]  # from a worker that sent half its rows
    runs += [(200_000, rng.uniform(0.0, 0.6), "0") for _ in range(5)]  # at any time
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for pad, delay, trigger in runs:
        out.write_text("old\n")
        cmd = [sys.executable, "-c", _SLOW_ROWS, str(pad), trigger,
               "assess", str(folder), "--out", str(out), "--jobs", "2"]  # fmt: skip
        proc = subprocess.Popen(
            cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 30  # until the command writes (workers started)
            while not _temporary(out) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(delay)
            for _ in range(3 if trigger == "0" else 0):  # a burst: the later ones come
                with contextlib.suppress(ProcessLookupError):  # while it cleans up
                    os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(0.005)
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("the command hung after SIGTERM")
            err = proc.stderr.read().decode() if proc.stderr else ""
            assert code == 143, (code, err[-2000:])  # its own exit, after cleaning up
            assert "Traceback" not in err, err[-2000:]
            assert _group_gone(proc.pid, 10), "a worker outlived the command"
            assert out.read_text() == "old\n"
            assert _temporary(out) == []
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc.stderr:
                proc.stderr.close()
