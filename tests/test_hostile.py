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

from tests.cli_harness import run_cli
from tests.factories import EXAMPLES, ROOT

BASE: dict[str, Any] = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["FRA", "DEU"],
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
    """The CLI in process (tests/cli_harness.py); an exception escaping ``main`` fails the
    test (a traceback)."""
    r = run_cli(*argv, cwd=None)
    return r.returncode, r.stdout, r.stderr


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
    '"members":["FRA","DEU"],"ratings":{"trust.commitment-record":{"level":3},'
    '"trust.commitment-record ":{"level":1}}}',
    "criterion id in another case": '{"id":"pact","name":"P","kind":"bilateral-alliance",'
    '"members":["FRA","DEU"],"ratings":{"trust.commitment-record":{"level":3},'
    '"Trust.Commitment-Record":{"level":1}}}',
    "members USA and usa": with_(members=["USA", "usa"]),
    "members USA and ' USA'": with_(members=["USA", " USA"]),
    "spending 150% of GDP": with_(facts={"defense_spending_gdp": {"FRA": 150}}),
    "spending 1e300% of GDP": with_(facts={"defense_spending_gdp": {"FRA": 1e300}}),
    "spending negative": with_(facts={"defense_spending_gdp": {"FRA": -1}}),
    "spending for a non-member": with_(facts={"defense_spending_gdp": {"ZZZ": 2}}),
    "spending keys USA and usa": '{"id":"pact","name":"P","kind":"bilateral-alliance",'
    '"members":["USA","DEU"],"facts":{"defense_spending_gdp":{"USA":1,"usa":3}}}',
    "rubric field for another rubric": with_(rubric="another-rubric"),
    "NaN level": text_of(BASE).replace('"level": 3', '"level": NaN'),
    "Infinity level": text_of(BASE).replace('"level": 3', '"level": Infinity'),
    "level true": rated(level=True),
    "level 3.0": rated(level=3.0),
    "level '3'": rated(level="3"),
    "level 1+3j as text": rated(level="1+3j"),
    "duplicate JSON key": '{"id":"pact","id":"other","name":"P","kind":"bilateral-alliance",'
    '"members":["FRA"]}',
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


WHOLE_DOCUMENT = re.compile(
    r": (a \w+ must be a JSON object|the file is empty|duplicate key|not UTF-8|"
    r"file not found|is a directory|YAML aliases expand)"
)
"""Problems of a whole document, whose place is the file itself."""


def assert_refused(code: int, err: str, file: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("readiness: error: ") and file in err, err[:300]
    # a place in the file, unless the problem is the whole document (the file names it)
    assert re.search(r"(\$|line \d+)", err) or WHOLE_DOCUMENT.search(err), err[:300]
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
        members=["FRA", "DEU"],
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
        ["assess", "{dir}", "--out", "{hard}"],
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
    os.link(p, tmp_path / "hard.csv")  # a hard link to an input file of the folder
    before = snapshot(tmp_path)
    names = {"p": str(p), "r": str(r), "dir": str(tmp_path), "link": str(tmp_path / "link.md")}
    names["hard"] = str(tmp_path / "hard.csv")
    code, _, err = run([a.format(**names) for a in argv])
    assert code == 2 and "Traceback" not in err, err
    assert "would be overwritten" in err or "same file" in err
    assert snapshot(tmp_path) == before


# --- the command in a subprocess: what a shell user sees -------------------------------------


def test_no_traceback_in_a_real_process(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    # a new process: the exit of a real interpreter (recursion limit, stack), not main()'s
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
    rows, errors = real(chunk, settings)
    if rows is not None and rows.data is not None:
        rows.data["pad"] = b"x" * PAD  # a column the table does not read
    return rows, errors

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
        # a new process: SIGTERM to its process group, with --jobs workers
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
            finished = proc.poll() is not None  # done before the signal came: nothing to end
            for _ in range(3 if trigger == "0" and not finished else 0):  # a burst: the
                with contextlib.suppress(ProcessLookupError):  # later ones come while it
                    os.killpg(proc.pid, signal.SIGTERM)  # cleans up
                time.sleep(0.005)
            try:
                code = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("the command hung after SIGTERM")
            err = proc.stderr.read().decode() if proc.stderr else ""
            whole = out.read_text().count("\n") == 81
            if finished or code == 0:  # it wrote everything before the signal came (a fast
                # machine, or the signal landed between the check and the end): a whole file
                assert code == 0 and "Traceback" not in err, (code, err[-2000:])
                assert whole and _temporary(out) == []
                continue
            assert code == 143, (code, err[-2000:])  # its own exit, after cleaning up
            assert "Traceback" not in err, err[-2000:]
            assert _group_gone(proc.pid, 10), "a worker outlived the command"
            # the old target, or the new one whole if the signal came after it was written
            assert out.read_text() == "old\n" or whole
            assert _temporary(out) == []
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if proc.stderr:
                proc.stderr.close()


# --- questionnaires under hostile input (issue 27) ---------------------------------------
# Every workbook below starts as the template, filled in by openpyxl as a spreadsheet
# program would; then one part of its zip archive is rewritten. Bombs are built small:
# a few KB that expand past a limit.

_COVER = {"id": "demo", "name": "Demo", "kind": "bilateral-alliance", "members": "FRA, DEU",
          "assessor": "Ann", "assessed_on": "2024-01-01"}  # fmt: skip
_SHEET = "xl/worksheets/sheet2.xml"  # the Criteria sheet of the template
_FIRST = "trust.information-openness"  # the criterion on row 2 of the Criteria sheet


def _workbook(tmp_path: Path, levels: dict[int, Any] | None = None, name: str = "q.xlsx") -> Path:
    """A filled questionnaire: the cover, and ``levels`` (row -> level; default E2 = 3)."""
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / name
    assert run(["template", "-o", str(path)])[0] == 0
    wb = openpyxl.load_workbook(path)
    cover = wb["Cover"]
    for r in range(2, cover.max_row + 1):
        if cover.cell(r, 1).value in _COVER:
            cover.cell(r, 2).value = _COVER[cover.cell(r, 1).value]
    for row, level in (levels or {2: 3}).items():
        wb["Criteria"].cell(row, 5).value = level
    wb.save(path)
    return path


def _rezip(path: Path, **parts: bytes | None) -> Path:
    """``path`` with parts replaced (``None``: removed); names use ``__`` for ``/``."""
    import zipfile

    names = {k.replace("__", "/").replace("CT", "[Content_Types].xml"): v for k, v in parts.items()}
    with zipfile.ZipFile(path) as z:
        content = {n: z.read(n) for n in z.namelist()}
    content.update(names)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, data in content.items():
            if data is not None:
                z.writestr(n, data)
    return path


def _part(path: Path, name: str = _SHEET) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(name)


def _cell(sheet: bytes, ref: str, new: bytes) -> bytes:
    """The sheet XML with cell ``ref`` replaced by ``new`` (``<c r=...>...</c>``)."""
    found = re.search(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', sheet)
    assert found, ref
    return sheet[: found.start()] + new + sheet[found.end() :]


def _rows(sheet: bytes, xml: bytes) -> bytes:
    """The sheet XML with rows ``xml`` added at the end of its data."""
    return sheet.replace(b"</sheetData>", xml + b"</sheetData>")


def _with_shared_strings(path: Path, strings: bytes) -> Path:
    """``path`` with a shared-strings table (the template writes inline text)."""
    ct = _part(path, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = _part(path, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return _rezip(path, CT=ct, xl___rels__workbook_xml_rels=None, **{
        "xl___rels__workbook.xml.rels": rels, "xl__sharedStrings.xml": head + strings + b"</sst>",
    })  # fmt: skip


def _imported(tmp_path: Path, path: Path) -> tuple[int, str, dict[str, Any] | None]:
    out = tmp_path / "imported.json"
    code, _, err = run(["import", str(path), "-o", str(out)])
    return code, err, json.loads(out.read_text()) if out.exists() else None


def _refused(tmp_path: Path, path: Path, where: str, words: str) -> str:
    """Import refuses ``path`` naming it, ``where`` and ``words``; nothing is written."""
    out = tmp_path / "imported.json"
    out.write_text("old\n")
    code, _, err = run(["import", str(path), "-o", str(out)])
    assert_refused_anywhere(code, err, str(path))
    assert where in err and words in err, err[:600]
    assert "bug" not in err
    assert out.read_text() == "old\n"
    return err


def assert_refused_anywhere(code: int, err: str, file: str) -> None:
    """Exit 2, no traceback, the file named, at most 10 KB, nothing raw."""
    assert code == 2, err[:600]
    assert "Traceback" not in err and "Exception ignored" not in err, err[:2000]
    assert err.startswith("readiness: error: ") and file in err, err[:600]
    assert len(err.encode()) <= 10_000 + 200
    assert not RAW_CONTROL.search(err)


# hangs, and memory without bound: each part, the rows, the columns, each cell


def test_shared_strings_that_expand_past_the_part_limit_are_refused(tmp_path: Path):
    from readiness._limits import MAX_PART_BYTES

    text = b"<si><t>" + b"a" * (MAX_PART_BYTES + 1) + b"</t></si>"  # 50 KB zipped
    path = _with_shared_strings(_workbook(tmp_path), text)
    assert path.stat().st_size < 1_000_000
    _refused(tmp_path, path, "xl/sharedStrings.xml", "expands to 50 MB; at most 50 MB a part")


def test_a_table_of_too_many_shared_texts_is_refused(tmp_path: Path):
    from readiness._limits import MAX_SHARED_STRINGS

    strings = b"<si><t>x</t></si>" * (MAX_SHARED_STRINGS + 1)  # a time bomb: openpyxl
    path = _with_shared_strings(_workbook(tmp_path), strings)  # reads each one slowly
    _refused(tmp_path, path, "xl/sharedStrings.xml", f"more than {MAX_SHARED_STRINGS:,} shared")


def test_whitespace_that_expands_past_the_part_limit_is_refused(tmp_path: Path):
    from readiness._limits import MAX_PART_BYTES

    path = _workbook(tmp_path)
    sheet = _part(path).replace(b"</sheetData>", b" " * MAX_PART_BYTES + b"</sheetData>")
    _rezip(path, xl__worksheets__sheet2_xml=None, **{"xl__worksheets__sheet2.xml": sheet})
    assert path.stat().st_size < 1_000_000
    _refused(tmp_path, path, "xl/worksheets/sheet2.xml", "expands to 50 MB")


def _sheet_of(path: Path, sheet: bytes) -> Path:
    return _rezip(path, **{"xl__worksheets__sheet2.xml": sheet})


def test_a_cell_longer_than_a_cell_holds_is_refused(tmp_path: Path):
    from readiness._limits import MAX_CELL_CHARS

    path = _workbook(tmp_path)
    note = b'<c r="K2" t="inlineStr"><is><t>' + b"n" * (MAX_CELL_CHARS + 1) + b"</t></is></c>"
    _sheet_of(path, _cell(_part(path), "K2", note))
    _refused(tmp_path, path, "Criteria!K2", f"a cell holds at most {MAX_CELL_CHARS:,}")


def test_rows_below_the_row_limit_are_refused_not_read(tmp_path: Path):
    """A million rows took minutes and gigabytes; a row with content past 10,000 is
    refused at once (an evidence row here, which the old reader would add)."""
    path = _workbook(tmp_path)
    row = (b'<row r="10001"><c r="B10001" t="inlineStr"><is><t>' + _FIRST.encode()
           + b'</t></is></c><c r="G10001" t="inlineStr"><is><t>e</t></is></c>'
           b'<c r="H10001" t="inlineStr"><is><t>s</t></is></c></row>')  # fmt: skip
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Q10001"', _part(path))
    _sheet_of(path, _rows(sheet, row))
    _refused(tmp_path, path, "Criteria!B10001", "below row 10,000")


def test_a_cell_right_of_the_column_limit_is_refused(tmp_path: Path):
    path = _workbook(tmp_path)
    far = b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c>'
    _sheet_of(path, _part(path).replace(b"</row>", far + b"</row>", 1))
    _refused(tmp_path, path, "Criteria!XFD1", "right of column CV")


def test_a_dimension_that_lies_costs_nothing(tmp_path: Path):
    """``<dimension>`` claiming every row and column of a sheet (A1:XFD1048576) is
    ignored: rows are as wide as the columns read and as many as the real ones."""
    from readiness._limits import MAX_COLUMNS
    from readiness.io._xlsx import read_sheets

    path = _workbook(tmp_path)
    rows = b"".join(
        f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>{_FIRST}</t></is></c>'
        f'<c r="G{r}" t="inlineStr"><is><t>e{r}</t></is></c>'
        f'<c r="H{r}" t="inlineStr"><is><t>s</t></is></c></row>'.encode()
        for r in range(45, 2_045)
    )
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', _part(path))
    _sheet_of(path, _rows(sheet, rows))
    read = read_sheets(path, ("Criteria",))["Criteria"].rows
    assert len(read) == 44 + 2_000 and {len(values) for _, values in read} == {MAX_COLUMNS}
    code, err, data = _imported(tmp_path, path)
    assert code == 0, err
    assert data is not None and len(data["ratings"][_FIRST]["evidence"]) == 2_000


def test_a_csv_file_over_the_size_limit_is_refused(tmp_path: Path):
    from readiness._limits import MAX_BYTES

    path = tmp_path / "q.csv"
    assert run(["template", "-o", str(path)])[0] == 0
    with path.open("a", encoding="utf-8") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    _refused(tmp_path, path, str(path), "larger than 50 MB")


def _csv(tmp_path: Path, edit: Any = None, name: str = "q.csv") -> Path:
    """A filled CSV questionnaire (cover and one level), changed by ``edit(lines)``."""
    import csv as csv_module

    path = tmp_path / name
    assert run(["template", "-o", str(path)])[0] == 0
    with path.open(encoding="utf-8", newline="") as f:
        lines = list(csv_module.reader(f))
    start = next(i for i, line in enumerate(lines) if line[:2] == ["pillar", "id"])
    for line in lines[:start]:
        if line and line[0] in _COVER:
            line[1] = _COVER[line[0]]
    lines[start + 1][4] = "3"
    if edit is not None:
        edit(lines, start)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv_module.writer(f).writerows(lines)
    return path


def test_csv_lines_past_the_row_limit_are_refused(tmp_path: Path):
    from readiness._limits import MAX_ROWS

    def evidence(lines: list[list[str]], start: int) -> None:
        lines += [["", _FIRST, "", "", "", "", f"e{i}", "s"] for i in range(MAX_ROWS)]

    _refused(tmp_path, _csv(tmp_path, evidence), f"line {MAX_ROWS + 1}", "more than 10,000 lines")


# silent accepts: nothing lost or changed


def test_rows_below_a_stale_dimension_are_read(tmp_path: Path):
    path = _workbook(tmp_path, dict.fromkeys(range(2, 12), 2))  # ten ratings
    sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Q5"', _part(path))
    _sheet_of(path, sheet)
    code, err, data = _imported(tmp_path, path)
    assert code == 0, err
    assert data is not None and len(data["ratings"]) == 10  # the old reader kept 4


def test_merged_level_cells_are_refused(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    path = _workbook(tmp_path, dict.fromkeys(range(2, 12), 2))
    wb = openpyxl.load_workbook(path)
    wb["Criteria"].merge_cells("E2:E5")  # keeps E2 only: three ratings would vanish
    wb.save(path)
    _refused(tmp_path, path, "Criteria!E2", "E2:E5 are merged")


def test_a_level_formula_without_a_computed_value_is_refused(tmp_path: Path):
    """It was read as "not rated"; a formula with its computed value is read as that."""
    path = _workbook(tmp_path, {2: 3, 3: "=1+2"})  # what every script-written workbook has
    _refused(tmp_path, path, "Criteria!E3", "open and save the file in a spreadsheet program")
    _sheet_of(path, _cell(_part(path), "E3", b'<c r="E3"><f>1+2</f><v>3</v></c>'))
    code, err, data = _imported(tmp_path, path)
    assert code == 0, err
    assert data is not None and data["ratings"]["trust.commitment-record"]["level"] == 3


def test_rows_out_of_order_are_refused_not_dropped(tmp_path: Path):
    path = _workbook(tmp_path)
    late = (b'<row r="3"><c r="B3" t="inlineStr"><is><t>trust.commitment-record</t></is></c>'
            b'<c r="E3"><v>4</v></c></row>')  # fmt: skip
    _sheet_of(path, _rows(_part(path), late))  # row 3 again, after row 44
    _refused(tmp_path, path, "Criteria!A3", "row 3 comes after row 44")


def _json_questionnaire(tmp_path: Path, edit: Any) -> Path:
    path = tmp_path / "q.json"
    assert run(["template", "-o", str(path)])[0] == 0
    doc = json.loads(path.read_text())
    doc["cover"] |= _COVER
    doc["criteria"][0]["level"] = 3
    edit(doc)
    path.write_text(json.dumps(doc))
    return path


def test_json_members_may_be_a_list_of_codes(tmp_path: Path):
    path = _json_questionnaire(tmp_path, lambda d: d["cover"].update(members=["USA", "JPN"]))
    code, err, data = _imported(tmp_path, path)
    assert code == 0, err
    assert data is not None and data["members"] == ["USA", "JPN"]  # was "['USA'", "'JPN']"


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda d: d["cover"].update(assessor=["Bob"]), "$.cover.assessor", "must be text"),
        (lambda d: d["cover"].update(members=["USA", 7]), "$.cover.members[1]", "must be text"),
        (lambda d: d["criteria"][1].update(levle=2), "$.criteria[1].levle",
         "did you mean 'level'?"),
        (lambda d: d["criteria"][0].update(evidence=[{"text": "t", "source": "s",
                                                      "dat": "2020-01-01"}]),
         "$.criteria[0].evidence[0].dat", "did you mean 'date'?"),
        (lambda d: d["criteria"][0].update(evidence=["just text"]), "$.criteria[0].evidence[0]",
         "must be an object"),
        (lambda d: d["cover"].update(Id="other"), "$.cover.Id", "did you mean 'id'?"),
        (lambda d: d.update(critera=[]), "$.critera", "did you mean 'criteria'?"),
        (lambda d: d["criteria"][0].update(level=True), "$.criteria[0].level", "got true/false"),
    ],
    ids=["assessor list", "member number", "levle", "dat", "evidence text", "id and Id",
         "critera", "level true"],
)  # fmt: skip
def test_json_questionnaire_types_and_keys_are_checked(tmp_path, edit, where, words):
    _refused(tmp_path, _json_questionnaire(tmp_path, edit), where, words)


def test_a_csv_cover_field_given_twice_is_refused(tmp_path: Path):
    def twice(lines: list[list[str]], start: int) -> None:
        lines.insert(3, ["name", "Second"])

    _refused(tmp_path, _csv(tmp_path, twice), "line 4, column A", "'name' is given twice")


def test_an_xlsx_cover_field_given_twice_is_refused(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    path = _workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Cover"].append(["name", "Second"])
    wb.save(path)
    _refused(tmp_path, path, "Cover!A13", "'name' is given twice (first on row 3)")


@pytest.mark.parametrize("char", ["\x00", "\x1b"], ids=["NUL", "ESC"])
def test_control_characters_in_a_csv_cell_are_refused(tmp_path: Path, char: str):
    def name(lines: list[list[str]], start: int) -> None:
        lines[2][1] = f"De{char}mo"

    _refused(tmp_path, _csv(tmp_path, name), "line 3, column B (name)", "control character")


@pytest.mark.parametrize("start", ["\ufeff=", "\u200b=", "\uff1d", "\u202e=", "\uff20"])
def test_names_that_hide_a_formula_are_quoted_in_csv_output(tmp_path: Path, start: str):
    import csv as csv_module

    f = tmp_path / "p.json"
    f.write_text(json.dumps(with_(name=start + "HYPERLINK(1)")))
    out = tmp_path / "o.csv"
    code, _, err = run(["assess", str(f), "--out", str(out)])
    assert code == 0, err
    with out.open(encoding="utf-8", newline="") as stream:
        (row,) = list(csv_module.DictReader(stream))
    assert row["name"] == "'" + start + "HYPERLINK(1)"


# unlocated errors: a problem of the input is the input's, named by file and place


def _xlsx_case(tmp_path: Path, name: str) -> tuple[Path, str, str]:
    path = _workbook(tmp_path)
    sheet = _part(path)

    def level(cell: bytes) -> bytes:
        return _cell(sheet, "E2", cell)

    cases = {
        "malformed XML": (sheet.replace(b"</sheetData>", b"<row></sheetData>"),
                          "xl/worksheets/sheet2.xml, line 1", "not well-formed XML"),
        "XXE": (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                + level(b'<c r="E2" t="inlineStr"><is><t>&x;</t></is></c>'),
                "xl/worksheets/sheet2.xml", "declares a DTD"),
        "entity bomb": (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                        + level(b'<c r="E2" t="inlineStr"><is><t>&b;</t></is></c>'),
                        "xl/worksheets/sheet2.xml", "declares a DTD"),
        "&#0;": (level(b'<c r="E2" t="inlineStr"><is><t>&#0;</t></is></c>'),
                 "xl/worksheets/sheet2.xml, line 1", "reference to invalid character"),
        "NaN": (level(b'<c r="E2"><v>NaN</v></c>'), "Criteria!E2", "holds 'NaN'"),
        "INF": (level(b'<c r="E2"><v>INF</v></c>'), "Criteria!E2", "holds 'INF'"),
        "text as number": (level(b'<c r="E2"><v>abc</v></c>'), "Criteria!E2", "holds 'abc'"),
        "10**400": (level(b'<c r="E2"><v>1' + b"0" * 400 + b"</v></c>"), "Criteria!E2",
                    "too large"),
        "shared text out of range": (level(b'<c r="E2" t="s"><v>7</v></c>'), "Criteria!E2",
                                     "shared text number 8"),
        "bad boolean": (level(b'<c r="E2" t="b"><v>yes</v></c>'), "Criteria!E2",
                        "true/false"),
    }  # fmt: skip
    new, where, words = cases[name]
    _sheet_of(path, new)
    return path, where, words


_XLSX_CASES = ["malformed XML", "XXE", "entity bomb", "&#0;", "NaN", "INF", "text as number",
               "10**400", "shared text out of range", "bad boolean"]  # fmt: skip


@pytest.mark.parametrize("name", _XLSX_CASES)
def test_a_damaged_workbook_is_named_with_its_place(tmp_path: Path, name: str):
    path, where, words = _xlsx_case(tmp_path, name)
    _refused(tmp_path, path, where, words)


@pytest.mark.parametrize("size", [200_000, 10_000_000], ids=["200 KB", "10 MB"])
def test_a_huge_csv_cell_is_named_with_its_line(tmp_path: Path, size: int):
    def huge(lines: list[list[str]], start: int) -> None:
        lines[start + 1][6] = "e" * size

    path = _csv(tmp_path, huge)
    _refused(tmp_path, path, "line 15", "longer than 32,767 characters")


def test_a_json_level_of_10_to_the_400_is_named_with_its_path(tmp_path: Path):
    path = _json_questionnaire(tmp_path, lambda d: d["criteria"][0].update(level=10**400))
    _refused(tmp_path, path, "$.criteria[0].level", "level must be 0-4")


def test_every_bad_file_of_an_import_is_reported(tmp_path: Path):
    """The first bad file used to stop the others from being read (a "bug"), in
    ``import`` and ``agreement`` alike."""
    broken, _, _ = _xlsx_case(tmp_path, "NaN")
    bad_csv = _csv(tmp_path, lambda lines, start: lines[start + 1].__setitem__(4, "9"))
    for argv in (["import", "-o", str(tmp_path / "o.json")], ["agreement"]):
        code, _, err = run([argv[0], str(broken), str(bad_csv), *argv[1:]])
        assert code == 2 and "bug" not in err, err
        assert f"{broken}: Criteria!E2" in err and f"{bad_csv}: line 15, column E (level)" in err


@pytest.mark.parametrize(
    ("sheet", "where", "words"),
    [
        (lambda xml: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", xml, flags=re.S),
         "Criteria!1", "the criteria table is empty"),
        (lambda xml: xml.replace(b"<t>level</t>", b"<t>levels</t>", 1), "Criteria!1",
         "no 'level' column"),
    ],
    ids=["empty table", "no level column"],
)  # fmt: skip
def test_table_problems_name_the_file(tmp_path, sheet, where, words):
    path = _workbook(tmp_path)
    _sheet_of(path, sheet(_part(path)))
    err = _refused(tmp_path, path, where, words)
    assert err.startswith(f"readiness: error: {path}: {where}: ")


def test_panel_problems_name_the_file_and_cell(tmp_path: Path):
    """Two questionnaires of one assessor: the panel's problem is the second file's."""
    one = _workbook(tmp_path, name="ann.xlsx")
    two = _workbook(tmp_path, name="ann-again.xlsx")
    code, _, err = run(["import", str(one), str(two), "-o", str(tmp_path / "panel.json")])
    assert code == 2 and "Traceback" not in err
    assert f"{two}: Cover!B9: assessor 'Ann' appears twice" in err, err


def test_a_long_list_of_import_problems_points_to_errors_file(tmp_path: Path):
    from readiness import load_rubric

    ids = load_rubric().criterion_ids

    def all_bad(lines: list[list[str]], start: int) -> None:
        for line in lines[start + 1 :]:
            line[4] = "9"

    path = _csv(tmp_path, all_bad)
    code, _, err = run(["import", str(path), "-o", str(tmp_path / "o.json")])
    assert code == 2
    assert "--format json" not in err  # import has no --format
    assert f"... and {len(ids) - 20} more (all of them: --errors FILE)" in err
    errors = tmp_path / "errors.jsonl"
    code, _, err = run(["import", str(path), "-o", str(tmp_path / "o.json"), "--errors",
                        str(errors)])  # fmt: skip
    assert code == 2 and str(errors) in err
    (record,) = [json.loads(line) for line in errors.read_text().splitlines()]
    assert record["file"] == str(path) and len(record["problems"]) == len(ids)
    assert not (tmp_path / "o.json").exists()


def test_a_panel_of_more_than_the_assessor_limit_is_refused(tmp_path: Path):
    from readiness._limits import MAX_ASSESSORS

    partnership = {k: v for k, v in BASE.items() if k not in ("ratings", "assessed_on")}
    people = [{"assessor": f"A{i}", "ratings": {"trust.commitment-record": {"level": i % 5}}}
              for i in range(MAX_ASSESSORS + 1)]  # fmt: skip
    f = tmp_path / "panel.json"
    f.write_text(json.dumps({"partnership": partnership, "assessments": people}))
    for argv in (["agreement", str(f)], ["report", str(f)],
                 ["assess", str(f), "--out", str(tmp_path / "o.csv")]):  # fmt: skip
        code, _, err = run(argv)
        assert_refused(code, err, str(f))
        assert f"$.assessments: {MAX_ASSESSORS + 1:,} assessors; a panel has at most" in err


def test_agreement_of_many_assessors_needs_memory_in_their_number_not_its_square():
    """Pairing every two assessors on every criterion at once took n x n x criteria
    booleans (8 GiB for 5,000 assessors); now a criterion at a time, sorted."""
    import itertools
    import math
    import tracemalloc

    import numpy as np

    from readiness.agreement import within_one_share

    levels = np.random.default_rng(1).integers(0, 5, size=(1_000, 43)).astype(float)
    tracemalloc.start()
    share, pairs = within_one_share(levels)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert pairs == 43 * 1_000 * 999 // 2 and 0 < share < 1
    assert peak < 5_000_000, peak  # the old way: 1,000 x 1,000 x 43 booleans, several times
    # and it is still the share of pairs within one level, pair by pair
    rng = np.random.default_rng(7)
    for trial in range(300):
        n, m = int(rng.integers(1, 9)), int(rng.integers(1, 4))
        data = rng.integers(0, 5, size=(n, m)).astype(float) + rng.choice([0, 0.1, 0.5], (n, m))
        data[rng.random((n, m)) < 0.2] = np.nan
        close = [abs(a - b) <= 1.0 for col in data.T for a, b in itertools.combinations(col, 2)
                 if not (math.isnan(a) or math.isnan(b))]  # fmt: skip
        share, count = within_one_share(data)
        assert count == len(close), trial
        if close:
            assert share == sum(close) / len(close), trial


def test_a_sobol_sample_too_large_is_refused_before_it_is_drawn(tmp_path: Path):
    from readiness import assess, load_partnership
    from readiness.errors import InputError
    from readiness.robustness import sensitivity

    f = EXAMPLES / "nato.json"
    code, _, err = run(["robustness", str(f), "--sobol", "524288"])
    assert code == 2 and "from 64 to 65,536" in err  # was accepted: 3.3 GB, MemoryError
    many = [assess(load_partnership(p)) for p in sorted(EXAMPLES.glob("*.json"))]
    with pytest.raises(InputError, match="more than 25,000,000") as caught:
        sensitivity(many, n=65_536)
    assert "use n = 32,768 or less" in str(caught.value)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "argv",
    [["report", "--format", "markdown"], ["validate"], ["assess"]],
    ids=" ".join,
)
def test_an_output_the_system_refuses_is_not_a_bug(argv: list[str]):
    """``> /dev/full``: standard output refuses the output, as a full disk does."""
    with open("/dev/full", "w") as full:  # a new process: its file descriptor 1 is /dev/full
        r = subprocess.run(
            [sys.executable, "-m", "readiness", argv[0], str(EXAMPLES / "nato.json"), *argv[1:]],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert r.returncode == 2
    assert r.stderr == (
        "readiness: error: cannot write the output: No space left on device (it is incomplete)\n"
    ), r.stderr


# the facts a questionnaire carries (issue 20, defect 4): a sheet Facts, a csv section
# facts, a json object facts. Written by readiness, never edited: what was changed,
# broken, blown up or given twice is refused, named by file, cell and JSON path.

_FACTS = "xl/worksheets/sheet4.xml"  # the Facts sheet: about B2, format B3, sha256 B4,
_JSON = "B5"  # and the JSON text in B5 (the example's facts fit in one cell)


def _carrying(tmp_path: Path, fmt: str = "xlsx", name: str = "q") -> Path:
    """A questionnaire written from aukus.json: filled in already (its ratings), with
    its facts."""
    path = tmp_path / f"{name}.{fmt}"
    assert run(["template", "--partnership", str(EXAMPLES / "aukus.json"), "-o", str(path)])[0] == 0
    return path


def _facts_of(path: Path) -> dict[str, Any]:
    """The facts carried by ``path``, as JSON data."""
    from readiness.io.questionnaire import read_questionnaire

    carried = read_questionnaire(path).carried
    assert carried is not None
    return carried


def _with_facts(path: Path, text: str | None = None, sha: str | None = None) -> Path:
    """``path`` with the facts' JSON text and/or SHA-256 replaced (xlsx, csv, json)."""
    if path.suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.load_workbook(path)
        sheet = wb["Facts"]
        if text is not None:
            sheet[_JSON] = text
        if sha is not None:
            sheet["B4"] = sha
        wb.save(path)
    elif path.suffix == ".csv":
        import csv as csv_module

        lines = list(csv_module.reader(io.StringIO(path.read_text("utf-8"), newline="")))
        for line in lines:
            if line[:1] == ["json"] and text is not None:
                line[1] = text
            if line[:1] == ["sha256"] and sha is not None:
                line[1] = sha
        buffer = io.StringIO()
        csv_module.writer(buffer).writerows(lines)
        path.write_text(buffer.getvalue(), "utf-8")
    else:
        doc = json.loads(path.read_text())
        if text is not None:
            doc["facts"]["partnership"] = json.loads(text)
        if sha is not None:
            doc["facts"]["sha256"] = sha
        path.write_text(json.dumps(doc))
    return path


def _resealed(path: Path, edit: Any) -> Path:
    """``path`` with its facts edited and their SHA-256 written again, as someone who
    knows the format would: then the facts themselves are checked."""
    from readiness.io.template import facts_digest, facts_text

    data = _facts_of(path)
    edit(data)
    return _with_facts(path, facts_text(data), facts_digest(data))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_oversized_facts_cell_is_refused(tmp_path: Path, fmt: str):
    if fmt == "xlsx":  # openpyxl cuts a longer text to 32,767: the XML is written by hand
        path = _carrying(tmp_path)
        big = b'<c r="B5" t="inlineStr"><is><t>' + b"x" * 40_000 + b"</t></is></c>"
        _rezip(path, **{_FACTS.replace("/", "__"): _cell(_part(path, _FACTS), _JSON, big)})
        _refused(tmp_path, path, "Facts!B5", "40,000 characters long; a cell holds at most 32,767")
    else:
        path = _with_facts(_carrying(tmp_path, "csv"), text="x" * 200_000)
        _refused(tmp_path, path, "line 18", "a cell is longer than 32,767 characters")


def test_facts_past_the_row_limit_are_refused(tmp_path: Path):
    path = _carrying(tmp_path)
    far = b'<row r="10001"><c r="A10001" t="inlineStr"><is><t>json</t></is></c></row>'
    _rezip(path, **{_FACTS.replace("/", "__"): _rows(_part(path, _FACTS), far)})
    _refused(tmp_path, path, "Facts!A10001", "below row 10,000")


@pytest.mark.parametrize(
    ("fmt", "where"),
    [("xlsx", "Facts!B5"), ("csv", "line 18, column B (json)")],
)
def test_facts_that_are_not_json_are_refused(tmp_path: Path, fmt: str, where: str):
    path = _carrying(tmp_path, fmt)
    from readiness.io.template import facts_text

    text = facts_text(_facts_of(path))
    _with_facts(path, text=text[:-40])  # cut: the end of the text is lost
    _refused(tmp_path, path, where, "the facts are not valid JSON: ")
    _with_facts(path, text=text.replace('"facts":{', '"facts":{,', 1))
    err = _refused(tmp_path, path, where, "Expecting property name")
    assert re.search(r"\(character [\d,]+ of the cell\)", err)  # where in the cell


def test_json_facts_must_be_an_object(tmp_path: Path):
    path = _carrying(tmp_path, "json")
    doc = json.loads(path.read_text())
    doc["facts"]["partnership"] = ["aukus"]
    path.write_text(json.dumps(doc))
    _refused(tmp_path, path, "$.facts.partnership", "must be a JSON object (got a list)")
    doc["facts"] = "aukus"
    path.write_text(json.dumps(doc))
    _refused(tmp_path, path, "$.facts", "must be an object (got text)")


def test_facts_nested_too_deep_are_refused(tmp_path: Path):
    path = _with_facts(_carrying(tmp_path, "csv"), text="[" * 100 + "]" * 100)
    _refused(tmp_path, path, "line 18, column B (json)", "nested more than 64 levels deep")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_facts_changed_after_they_were_written_are_refused(tmp_path: Path, fmt: str):
    from readiness.io.template import facts_text

    path = _carrying(tmp_path, fmt)
    data = _facts_of(path)
    data["facts"]["agreements"][0]["ratified"] = True  # a valid change: only the sum knows
    _with_facts(path, text=facts_text(data))
    where = {"xlsx": "Facts!B4", "csv": "line 17, column B (sha256)", "json": "$.facts.sha256"}
    _refused(tmp_path, path, where[fmt], "the facts were changed after readiness template")


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (lambda d: d["facts"]["agreements"][0].update(signed="2030-01-01"),
         "Facts!B5 $.facts.agreements[0].signed", "2030-01-01"),
        (lambda d: d.update(id="nato"), "Facts!B5 $.id",
         "the facts are those of partnership 'nato', the cover names 'aukus' (Cover!B2)"),
        (lambda d: d.update(member=[]), "Facts!B5 $.member", "did you mean 'members'?"),
        (lambda d: d.update(members=["AUS", "USA"]), "Cover!B5",
         "the members AUS, GBR, USA are not those of the partnership whose facts"),
        (lambda d: d.update(established="2020-01-01"), "Cover!B6",
         "'2021-09-15' differs from the established the questionnaire carries"),
        (lambda d: d.update(status=[{"state": "asleep"}]), "Facts!B5 $.status[0].state",
         "asleep"),
    ],
    ids=["fact after the assessment", "another partnership", "unknown field",
         "other members", "other established date", "bad status"],
)  # fmt: skip
def test_resealed_facts_are_checked_as_a_partnership_file(tmp_path, edit, where, words):
    _refused(tmp_path, _resealed(_carrying(tmp_path), edit), where, words)


def test_json_facts_are_named_by_their_json_path(tmp_path: Path):
    path = _resealed(
        _carrying(tmp_path, "json"),
        lambda d: d["facts"]["agreements"][0].update(signed="2030-01-01"),
    )
    _refused(tmp_path, path, "$.facts.partnership.facts.agreements[0].signed", "2030-01-01")


def test_facts_given_twice_are_refused(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    path = _carrying(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Facts"].append(["sha256", "0" * 64])
    wb.save(path)
    _refused(tmp_path, path, "Facts!A6", "'sha256' is given twice (first on Facts!A4)")

    csv_path = _carrying(tmp_path, "csv")
    lines = csv_path.read_text("utf-8").splitlines()
    start = lines.index("facts,value,what it is")
    section = lines[start - 1 : start + 6]  # the blank line, the header and the 5 rows
    csv_path.write_text("\n".join(lines[: start + 6] + section + lines[start + 6 :]), "utf-8")
    _refused(tmp_path, csv_path, "line 21, column A", "the facts section is given twice")

    json_path = _carrying(tmp_path, "json")
    text = json_path.read_text()
    json_path.write_text(text.replace('\n  "facts": {', '\n  "facts": {},\n  "facts": {', 1))
    _refused(tmp_path, json_path, str(json_path), "'facts'")


def test_questionnaires_carrying_different_facts_name_both_files(tmp_path: Path):
    other = json.loads((EXAMPLES / "aukus.json").read_text())
    other["facts"]["agreements"] = other["facts"]["agreements"][:1]
    other["assessor"] = "Bob"
    base = tmp_path / "aukus-2.json"
    base.write_text(json.dumps(other))
    ann = _carrying(tmp_path, "xlsx", "ann")
    bob = tmp_path / "bob.csv"
    assert run(["template", "--partnership", str(base), "-o", str(bob)])[0] == 0
    for argv in (["import", str(ann), str(bob), "-o", str(tmp_path / "p.json")],
                 ["agreement", str(ann), str(bob)]):  # fmt: skip
        code, _, err = run(argv)
        assert_refused_anywhere(code, err, str(bob))
        assert f"{bob}: lines 18-18" not in err  # one cell: named as one
        assert (
            f"line 18, column B (json): the facts it carries differ from those {ann} carries "
            "(facts)" in err
        ), err
    # --partnership settles it: the file's facts, and a note that they replace others
    code, _, err = run(["agreement", str(ann), str(bob), "--partnership", str(base)])
    assert code == 0, err
    assert f"the facts of {base} are used; they differ from those {ann} carries" in err
