"""``readiness assess ... --out`` (batch scoring), atomic writes, and ``readiness report``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from readiness import load_rubric
from readiness._atomic import atomic_path, write_text
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES, ROOT

GOOD = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["AAA", "BBB"],
    "ratings": {"trust.commitment-record": {"level": 3}},
}
RUBRIC = load_rubric()
PILLARS = [p.id for p in RUBRIC.pillars]
COLUMNS = ["id", "rubric", "rubric_version", "name", "kind", "file", "assessed_on", "overall",
           "raw", "gate_loss", "band", "coverage", "lower", "upper", "likely_lower",
           "likely_upper", "gates_failed", "gates_unrated", *PILLARS,
           "reason"]  # fmt: skip


def rated(pid: str, level: int) -> dict:
    """A partnership with every criterion of the shipped rubric at ``level``."""
    ratings = {cid: {"level": level} for cid in RUBRIC.criterion_ids}
    return {**GOOD, "id": pid, "name": pid.title(), "ratings": ratings}


def run(
    *args: str, cwd: Path = ROOT, code: str | None = None, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command, in this process (tests/cli_harness.py); in a new one with
    ``process=True`` or ``code`` (Python run before ``main``, for ``--jobs`` workers)."""
    if code is None and not process:
        return run_cli(*args, cwd=cwd)
    if code is None:
        cmd = [sys.executable, "-m", "readiness", *args]
    else:
        script = f"import sys\n{code}\nfrom readiness.cli import main\nsys.exit(main(sys.argv[1:]))"
        cmd = [sys.executable, "-c", script, *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120, env=env)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Three partnerships: every criterion at 4, 3 and 1 (overall 100, 75 and 25)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for pid, level in (("gamma", 1), ("alpha", 4), ("beta", 3)):
        (folder / f"{pid}.json").write_text(json.dumps(rated(pid, level)))
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- batch ------------------------------------------------------------------------


def test_all_good_writes_one_csv_row_per_partnership(inputs: Path, tmp_path: Path):
    out = tmp_path / "scores.csv"
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == f"readiness: wrote 3 of 3 partnerships to {out}\n"
    frame = pd.read_csv(out, dtype={"rubric_version": str})
    assert list(frame.columns) == COLUMNS
    assert frame["rubric"].tolist() == [RUBRIC.id] * 3
    assert frame["rubric_version"].tolist() == [RUBRIC.version] * 3
    assert frame["raw"].tolist() == pytest.approx([100.0, 75.0, 25.0])
    assert frame["reason"].isna().all()  # every one has an overall score
    assert frame["id"].tolist() == ["alpha", "beta", "gamma"]  # files sorted by name
    assert frame["file"].tolist() == [str(inputs / f"{i}.json") for i in frame["id"]]
    by_id = frame.set_index("id")
    assert by_id["overall"].tolist() == pytest.approx([100.0, 75.0, 25.0])
    assert by_id["band"].tolist()[:2] == ["integrated", "advanced"]
    assert by_id["coverage"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert by_id["lower"].tolist() == pytest.approx([100.0, 75.0, 25.0])
    # level 1 fails the gates whose minimum is 2
    two = sum(1 for c in RUBRIC.criteria if c.critical and c.critical.min_level == 2)
    assert by_id["gates_failed"].tolist() == [0, 0, two]
    for pillar in PILLARS:
        assert by_id.loc["beta", pillar] == pytest.approx(75.0)
    assert by_id.loc["alpha", "name"] == "Alpha" and by_id.loc["alpha", "kind"] == GOOD["kind"]


def test_raw_gate_loss_and_reason_columns(tmp_path: Path):
    """Raw score and gate loss beside overall; why there is no overall score, last."""
    folder = tmp_path / "in"
    folder.mkdir()
    gate = next(c for c in RUBRIC.criteria if c.critical and c.critical.min_level >= 1)
    capped = rated("capped", 4)
    capped["ratings"][gate.id] = {"level": 0}  # fails a gate: the band cap takes points off
    unrated = {**GOOD, "id": "unrated", "ratings": {}}
    for doc in (capped, unrated, {**GOOD, "id": "sparse"}):
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    out = tmp_path / "scores.jsonl"
    r = run("assess", str(folder), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}
    assert list(rows["capped"]) == COLUMNS
    assert rows["capped"]["rubric"] == RUBRIC.id
    assert rows["capped"]["rubric_version"] == RUBRIC.version
    with_gate = rows["capped"]
    assert with_gate["raw"] > with_gate["overall"]
    assert with_gate["gate_loss"] == pytest.approx(with_gate["raw"] - with_gate["overall"])
    assert with_gate["gates_failed"] >= 1 and with_gate["reason"] is None
    assert rows["unrated"]["overall"] is None and rows["unrated"]["raw"] is None
    assert rows["unrated"]["gate_loss"] == 0.0
    assert rows["unrated"]["reason"] == "no criterion is rated"
    sparse = rows["sparse"]  # one criterion rated 3: the others estimated from it
    assert sparse["overall"] is None and 50 < sparse["raw"] < 75
    assert sparse["reason"].startswith("coverage ")
    assert "is below the minimum of" in sparse["reason"]


def test_the_shipped_examples_in_one_table(tmp_path: Path):
    out = tmp_path / "examples.csv"
    r = run("assess", str(EXAMPLES), "--out", str(out))
    assert r.returncode == 0, r.stderr
    files = sorted(EXAMPLES.glob("*.json"))
    frame = pd.read_csv(out)
    assert frame["file"].tolist() == [str(f) for f in files]
    assert frame["id"].tolist() == [json.loads(f.read_text())["id"] for f in files]


def test_a_bad_file_is_named_and_the_others_are_written(inputs: Path, tmp_path: Path):
    (inputs / "broken.json").write_text(json.dumps({**GOOD, "kind": "pals"}))
    (inputs / "empty.json").write_text("")
    out = tmp_path / "scores.csv"
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert any(str(inputs / "broken.json") in x and "$.kind" in x for x in lines), r.stderr
    assert any(str(inputs / "empty.json") in x and "the file is empty" in x for x in lines)
    assert lines[-1] == f"readiness: wrote 3 of 5 partnerships to {out}"
    assert pd.read_csv(out)["id"].tolist() == ["alpha", "beta", "gamma"]


def test_errors_file_holds_the_bad_file_report(inputs: Path, tmp_path: Path):
    bad = {**GOOD, "kind": "pals", "ratings": {"trust.commitment-record": {"level": 7}}}
    (inputs / "broken.json").write_text(json.dumps(bad))
    (inputs / "empty.json").write_text("")
    out, errors = tmp_path / "scores.csv", tmp_path / "errors.jsonl"
    errors.write_text("from an earlier run\n")
    r = run("assess", str(inputs), "--out", str(out), "--errors", str(errors))
    assert r.returncode == 2  # as without --errors: some input was bad
    assert r.stderr.splitlines() == [
        f"readiness: 2 of 5 files could not be scored; their problems are in {errors}",
        f"readiness: wrote 3 of 5 partnerships to {out}",
    ]
    records = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [(d["file"], d["error"]) for d in records] == [
        (str(inputs / "broken.json"), "InputError"),
        (str(inputs / "empty.json"), "InputError"),
    ]
    assert all(list(d) == ["file", "error", "problems"] for d in records)
    broken = {p["path"]: p["message"] for p in records[0]["problems"]}
    assert "$.kind" in broken and len(records[0]["problems"]) == 2
    assert "(got 7)" in broken["$.ratings['trust.commitment-record'].level"]
    assert records[1]["problems"] == [{"path": "$", "message": "the file is empty"}]
    assert pd.read_csv(out)["id"].tolist() == ["alpha", "beta", "gamma"]
    assert leftovers(tmp_path) == []


def test_errors_file_when_nothing_is_bad_or_nothing_is_good(inputs: Path, tmp_path: Path):
    out, errors = tmp_path / "scores.csv", tmp_path / "errors.jsonl"
    errors.write_text("stale\n")
    r = run("assess", str(inputs), "--out", str(out), "--errors", str(errors))
    assert r.returncode == 0 and r.stderr == f"readiness: wrote 3 of 3 partnerships to {out}\n"
    assert errors.read_text() == ""  # no stale report left behind
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    r = run("assess", str(bad), "--out", str(tmp_path / "none.csv"), "--errors", str(errors))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"readiness: 1 of 1 file could not be scored; their problems are in {errors}",
        f"readiness: nothing written to {tmp_path / 'none.csv'}: no input could be scored",
    ]
    assert json.loads(errors.read_text())["file"] == str(bad)
    assert not (tmp_path / "none.csv").exists()


def test_errors_file_without_out(inputs: Path, tmp_path: Path):
    (inputs / "empty.json").write_text("")
    errors = tmp_path / "errors.jsonl"
    r = run("assess", str(inputs), "--errors", str(errors))
    assert r.returncode == 2
    assert r.stdout.count("Overall:") == 3
    summary = f"readiness: 1 of 4 files could not be scored; their problems are in {errors}"
    assert r.stderr == summary + "\n"
    assert json.loads(errors.read_text())["problems"][0]["message"] == "the file is empty"


def test_an_unwritable_errors_file_is_named(inputs: Path, tmp_path: Path):
    (inputs / "empty.json").write_text("")
    errors = tmp_path / "absent-dir" / "errors.jsonl"
    r = run("assess", str(inputs), "--out", str(tmp_path / "s.csv"), "--errors", str(errors))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"readiness: error: {errors}: " in r.stderr and "cannot write" in r.stderr


def test_files_and_directories_mix(inputs: Path, tmp_path: Path):
    extra = tmp_path / "pact.json"
    extra.write_text(json.dumps(GOOD))
    out = tmp_path / "scores.csv"
    r = run("assess", str(extra), str(inputs), "--out", str(out))
    assert r.returncode == 0, r.stderr
    frame = pd.read_csv(out)
    assert frame["id"].tolist() == ["pact", "alpha", "beta", "gamma"]
    assert pd.isna(frame.loc[0, "overall"]) and pd.isna(frame.loc[0, "band"])  # coverage too low


def test_a_directory_without_json_is_an_input_error(tmp_path: Path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    out = tmp_path / "scores.csv"
    r = run("assess", str(empty), str(EXAMPLES / "nato.json"), "--out", str(out))
    assert r.returncode == 2 and str(empty) in r.stderr and "no *.json" in r.stderr
    assert pd.read_csv(out)["file"].tolist() == [str(EXAMPLES / "nato.json")]


def test_jsonl_has_one_line_per_partnership(inputs: Path, tmp_path: Path):
    out = tmp_path / "scores.jsonl"
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert list(first) == COLUMNS and first["id"] == "alpha"
    assert first["overall"] == pytest.approx(100.0) and first["band"] == "integrated"
    assert len(pd.read_json(out, lines=True)) == 3


def test_parquet_reads_back(inputs: Path, tmp_path: Path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "scores.parquet"
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 0, r.stderr
    frame = pd.read_parquet(out)
    assert list(frame.columns) == COLUMNS and frame["id"].tolist() == ["alpha", "beta", "gamma"]
    assert frame["overall"].tolist() == pytest.approx([100.0, 75.0, 25.0])
    assert frame["gates_failed"].dtype == "int64" and frame["overall"].dtype == "float64"


def test_parquet_without_pyarrow_is_a_clear_error(tmp_path: Path, monkeypatch):
    out = tmp_path / "scores.parquet"
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` fails
    r = run("assess", str(EXAMPLES / "nato.json"), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "pyarrow" in r.stderr and str(out) in r.stderr
    assert not out.exists()


def test_unknown_extension_exits_2(tmp_path: Path):
    out = tmp_path / "scores.xlsx"
    r = run("assess", str(EXAMPLES / "nato.json"), "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.startswith("readiness: error: ")
    assert "'.xlsx'" in r.stderr and ".csv" in r.stderr and ".parquet" in r.stderr
    assert not out.exists()


def test_report_options_do_not_combine_with_out(tmp_path: Path):
    out = tmp_path / "scores.csv"
    r = run("assess", str(EXAMPLES / "nato.json"), "--out", str(out), "--format", "json")
    assert r.returncode == 2 and "--format" in r.stderr and not out.exists()


def test_fail_under_with_out(inputs: Path, tmp_path: Path):
    out = tmp_path / "scores.csv"
    r = run("assess", str(inputs), "--out", str(out), "--fail-under", "80")
    assert r.returncode == 1
    assert "beta: overall 75.0 is below --fail-under 80" in r.stderr
    assert "gamma: overall 25.0 is below --fail-under 80" in r.stderr
    assert "alpha" not in r.stderr
    assert len(pd.read_csv(out)) == 3
    assert run("assess", str(inputs), "--out", str(out), "--fail-under", "20").returncode == 0
    (inputs / "bad.json").write_text("[]")
    r = run("assess", str(inputs), "--out", str(out), "--fail-under", "80")
    assert r.returncode == 2  # a bad input wins over the policy


def test_without_out_a_directory_prints_every_report(inputs: Path):
    r = run("assess", str(inputs))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("Overall:") == 3


def test_no_progress_in_pipes(tmp_path: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(25):
        (folder / f"p{i:02}.json").write_text(json.dumps({**GOOD, "id": f"p{i:02}"}))
    out = tmp_path / "s.csv"
    r = run("assess", str(folder), "--out", str(out))
    assert r.returncode == 0 and r.stderr == f"readiness: wrote 25 of 25 partnerships to {out}\n"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_on_a_terminal(tmp_path: Path):
    import pty

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(25):
        (folder / f"p{i:02}.json").write_text(json.dumps({**GOOD, "id": f"p{i:02}"}))
    master, slave = pty.openpty()  # a new process: its standard error is a real terminal
    args = ["assess", str(folder), "--out", str(tmp_path / "s.csv")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "readiness", *args],
        stderr=slave,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child closes the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0
    assert b"\rreadiness: scoring 25/25" in seen


# --- atomic writes ----------------------------------------------------------------


def test_atomic_path_keeps_the_old_file_on_failure(tmp_path: Path):
    out = tmp_path / "scores.csv"
    out.write_text("old content\n")

    def fail_half_way() -> None:
        with atomic_path(out) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_half_way()
    assert out.read_text() == "old content\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path):
    out = tmp_path / "report.md"
    write_text(out, "first")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o640)
    write_text(out, "second")
    assert out.read_text() == "second" and out.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


def test_a_failure_mid_write_leaves_the_old_output(tmp_path: Path, monkeypatch):
    import readiness.cli.assess as cli

    out = tmp_path / "scores.csv"
    out.write_text("old content\n")
    # rows are written chunk by chunk: the disk fills up at the second chunk
    monkeypatch.setattr(cli, "CHUNK_SIZE", 1)
    write = cli._plain_csv

    def broken(stream, rows, *, header):
        if not header:
            stream.write("partial")
            raise OSError(28, "No space left on device")
        return write(stream, rows, header=header)

    monkeypatch.setattr(cli, "_plain_csv", broken)
    r = run("assess", str(EXAMPLES), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(out) in r.stderr and "No space left on device" in r.stderr
    assert out.read_text() == "old content\n"
    assert leftovers(tmp_path) == []


def test_an_unwritable_output_is_named(tmp_path: Path):
    out = tmp_path / "absent-dir" / "scores.csv"
    r = run("assess", str(EXAMPLES / "nato.json"), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"readiness: error: {out}: ") and "cannot write" in r.stderr


# --- report -----------------------------------------------------------------------


def test_report_markdown_to_stdout_and_file(tmp_path: Path):
    r = run("report", str(EXAMPLES / "aukus.json"), "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Readiness of AUKUS")
    out = tmp_path / "aukus.md"
    r = run("report", str(EXAMPLES / "aukus.json"), "-o", str(out))  # format from extension
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("# Readiness of AUKUS")
    assert leftovers(tmp_path) == []


def test_report_target_changes_the_report(tmp_path: Path):
    r = run("report", str(EXAMPLES / "admm-plus.json"), "--target", "collective-defense")
    assert r.returncode == 0 and "`collective-defense`" in r.stdout


def test_report_html_file(tmp_path: Path):
    out = tmp_path / "nato.html"
    r = run("report", str(EXAMPLES / "nato.json"), "--format", "html", "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "<html" in text.lower() and "North Atlantic Treaty Organization" in text


def test_report_json_file(tmp_path: Path):
    source = tmp_path / "alpha.json"
    source.write_text(json.dumps(rated("alpha", 3)))  # overall 75
    out = tmp_path / "alpha-report.json"
    r = run("report", str(source), "-o", str(out))  # format from the extension
    assert r.returncode == 0, r.stderr
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["partnership"]["id"] == "alpha" and d["overall"] == pytest.approx(75.0)


def test_report_bad_input_and_bad_output(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**GOOD, "ratings": {"trust.commitment-record": {"level": 7}}}))
    r = run("report", str(bad), "-o", str(tmp_path / "r.md"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(bad) in r.stderr and "(got 7)" in r.stderr
    assert not (tmp_path / "r.md").exists()
    r = run("report", str(EXAMPLES / "nato.json"), "--target", "nope")
    assert r.returncode == 2 and "unknown target profile" in r.stderr
    out = tmp_path / "is-a-dir.md"  # a directory where the report file should go
    out.mkdir()
    r = run("report", str(EXAMPLES / "nato.json"), "-o", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(out) in r.stderr and "cannot write" in r.stderr
    assert leftovers(tmp_path) == []


def test_help_of_the_new_commands():
    for args in (["compare", "--help"], ["report", "--help"]):
        r = run(*args)
        assert r.returncode == 0 and "usage: readiness" in r.stdout
    assert "--out" in run("assess", "--help").stdout


def test_folders_expand_in_natural_order(tmp_path: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in (10, 2, 1):
        (folder / f"p{n}.json").write_text(json.dumps({**GOOD, "id": f"p{n}"}))
    out = tmp_path / "scores.csv"
    r = run("assess", str(folder), "--out", str(out), "--min-coverage", "0")
    assert r.returncode == 0, r.stderr
    ids = [line.split(",")[0] for line in out.read_text().splitlines()[1:]]
    assert ids == ["p1", "p2", "p10"]


def test_report_takes_the_scoring_options(tmp_path: Path):
    out = tmp_path / "r.json"
    r = run("report", str(EXAMPLES / "quad.json"), "-o", str(out), "--unknown-policy", "worst")
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["options"]["unknown_policy"] == "worst"


# --- JSON Lines input, standard input, worker processes ----------------------------


def test_json_lines_input_and_standard_input(inputs: Path, tmp_path: Path):
    panel = tmp_path / "panel.jsonl"
    docs = [rated("alpha", 4), rated("beta", 3)]
    panel.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n")
    out = tmp_path / "scores.csv"
    r = run("assess", str(panel), "--out", str(out))
    assert r.returncode == 0, r.stderr
    frame = pd.read_csv(out)
    assert frame["file"].tolist() == [f"{panel}:1", f"{panel}:2"]
    assert frame["overall"].tolist() == pytest.approx([100.0, 75.0])
    text = json.dumps(rated("gamma", 1)) + "\n"
    r = run_cli("assess", "-", "--out", str(out), input=text)
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(out)["id"].tolist() == ["gamma"]


def test_a_bad_line_is_named_by_file_and_line(tmp_path: Path):
    panel = tmp_path / "panel.jsonl"
    panel.write_text(json.dumps(rated("alpha", 4)) + "\n{oops\n" + json.dumps(rated("b", 2)))
    out, errors = tmp_path / "scores.jsonl", tmp_path / "errors.jsonl"
    r = run("assess", str(panel), "--out", str(out), "--errors", str(errors))
    assert r.returncode == 2
    record = json.loads(errors.read_text())
    assert record["file"] == f"{panel}:2"
    assert record["problems"][0]["path"] == "column 2"
    assert r.stderr.splitlines()[-1] == f"readiness: wrote 2 of 3 partnerships to {out}"


def test_jobs_give_the_same_table(tmp_path: Path):
    panel = tmp_path / "panel.jsonl"
    lines = [json.dumps(rated(f"p{i}", i % 5)) for i in range(30)]
    panel.write_text("\n".join(lines) + "\n")
    # a new process: --jobs 2 starts worker processes, which see CHUNK_SIZE as set here
    code = "import readiness.cli.assess as cli\ncli.CHUNK_SIZE = 4"  # several chunks
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r = run("assess", str(panel), "--out", str(one), "--jobs", "1", code=code)
    assert r.returncode == 0, r.stderr
    r = run("assess", str(panel), "--out", str(two), "--jobs", "2", code=code)
    assert r.returncode == 0, r.stderr
    assert one.read_text() == two.read_text() and len(pd.read_csv(two)) == 30
    r = run("assess", str(panel), "--jobs", "0", "--out", str(one))
    assert r.returncode == 2 and "must be 1 or more" in r.stderr
    r = run("assess", str(panel), "--jobs", "2")
    assert r.returncode == 2 and "--jobs works with --out only" in r.stderr
    r = run("assess", str(panel))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"JSON Lines input ({panel}) is read with --out only" in r.stderr


def test_the_table_holds_the_rows_of_one_file_at_a_time(tmp_path: Path):
    """The chunked path writes what scoring each file alone gives (4 decimals)."""
    from readiness import assess, load_partnership
    from readiness.batch import assessment_row, rows_frame

    out = tmp_path / "scores.jsonl"
    assert run("assess", str(EXAMPLES), "--out", str(out)).returncode == 0
    files = sorted(EXAMPLES.glob("*.json"))
    rows = [assessment_row(assess(load_partnership(f, RUBRIC), RUBRIC), str(f)) for f in files]
    expected = rows_frame(rows, RUBRIC)
    expected.to_json(tmp_path / "expected.jsonl", orient="records", lines=True, force_ascii=False)
    assert out.read_text() == (tmp_path / "expected.jsonl").read_text()


# --- spreadsheets, -o, panels ------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.test","open")', "+1+2", "-3+4", "@SUM(A1:A9)"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(tmp_path: Path):
    """OWASP's advice on CSV injection: a leading ' on text starting = + - @ tab or CR."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, name in enumerate([*FORMULAS, "Plain - name", "a\tb"]):
        (folder / f"p{i}.json").write_text(json.dumps({**GOOD, "id": f"p{i}", "name": name}))
    out = tmp_path / "scores.csv"
    r = run("assess", str(folder), "--out", str(out))
    assert r.returncode == 0, r.stderr
    frame = pd.read_csv(out, keep_default_na=False).set_index("id")
    assert [frame.loc[f"p{i}", "name"] for i in range(4)] == [f"'{f}" for f in FORMULAS]
    assert frame.loc["p4", "name"] == "Plain - name" and frame.loc["p5", "name"] == "a\tb"
    # numbers are not text: nothing is added to them
    assert pd.read_csv(out)["overall"].dtype == float
    # JSON Lines is data, not a spreadsheet: the values are kept as they are
    lines = tmp_path / "scores.jsonl"
    assert run("assess", str(folder), "--out", str(lines)).returncode == 0
    names = {row["id"]: row["name"] for row in map(json.loads, lines.read_text().splitlines())}
    assert [names[f"p{i}"] for i in range(4)] == FORMULAS


def test_a_file_name_that_starts_a_formula_is_quoted(tmp_path: Path):
    folder = tmp_path / "=cmd"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(GOOD))
    out = tmp_path / "scores.csv"
    r = run("assess", "=cmd/a.json", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(out)["file"].tolist() == ["'=cmd/a.json"]


def test_o_is_short_for_out(tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    out = tmp_path / "x.csv"
    r = run("assess", str(good), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(out)["id"].tolist() == ["pact"]
    assert "-o OUT, --out OUT" in run("assess", "--help").stdout
    # a report file name: the error says --out writes scores and where reports go
    r = run("assess", str(good), "-o", str(tmp_path / "report.md"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--out writes a table of scores" in r.stderr
    assert "readiness report FILE -o OUT" in r.stderr and not (tmp_path / "report.md").exists()


PANEL = {
    "partnership": {
        "id": "duo",
        "name": "Duo",
        "kind": "bilateral-alliance",
        "members": ["AAA", "BBB"],
    },
    "assessments": [
        {
            "assessor": "Ann",
            "side": "AAA",
            "assessed_on": "2025-03-01",
            "ratings": {cid: {"level": 3} for cid in RUBRIC.criterion_ids[:30]},
        },
        {
            "assessor": "Bob",
            "side": "BBB",
            "assessed_on": "2025-04-01",
            "ratings": {cid: {"level": 1} for cid in RUBRIC.criterion_ids[5:40]},
        },
        {
            "assessor": "Cy",
            "side": "BBB",
            "ratings": {cid: {"level": 4} for cid in RUBRIC.criterion_ids[::2]},
        },
    ],
}


@pytest.mark.parametrize("consensus", [None, "max"])
def test_a_panel_file_gives_the_consensus_row_of_assess(
    inputs: Path, tmp_path: Path, consensus: str | None
):
    panel = inputs / "b-panel.json"  # sorted between alpha and beta
    panel.write_text(json.dumps(PANEL))
    rule = ["--consensus", consensus] if consensus else []
    shown = run("assess", str(panel), "--format", "json", *rule)
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    out = tmp_path / "scores.jsonl"
    r = run("assess", str(inputs), "--out", str(out), *rule)
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"readiness: wrote 4 of 4 partnerships to {out}\n"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == ["alpha", "duo", "beta", "gamma"]
    row = rows[1]
    assert row["file"] == str(panel) and row["assessed_on"] == "2025-04-01"
    # the report shows 2 decimals (tests/test_batch.py checks all of them in process)
    assert row["overall"] == pytest.approx(report["overall"], abs=0.006)
    low, high = report["panel"]["interval"]["widened"]  # widened by the assessors' spread
    assert (row["lower"], row["upper"]) == pytest.approx((low, high), abs=0.006)
    assert row["coverage"] == pytest.approx(report["coverage"], abs=0.006)
    assert row["band"] == report["band"]["id"]


def test_a_bad_panel_file_is_named_and_the_others_are_written(inputs: Path, tmp_path: Path):
    bad = json.loads(json.dumps(PANEL))
    bad["assessments"][1]["ratings"]["no.such-criterion"] = {"level": 2}
    (inputs / "bad-panel.json").write_text(json.dumps(bad))
    out = tmp_path / "scores.csv"
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{inputs / 'bad-panel.json'}: " in r.stderr
    assert "$.assessments[1].ratings" in r.stderr
    assert r.stderr.splitlines()[-1] == f"readiness: wrote 3 of 4 partnerships to {out}"


def test_a_huge_jobs_is_capped_at_the_cpus_with_a_note(inputs: Path, tmp_path: Path):
    from readiness.cli.assess import _workers

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _workers(100_000, None) == cpus
    assert _workers(100_000, 2_505) == min(cpus, 3)
    out = tmp_path / "scores.csv"
    r = run("assess", str(inputs), "--out", str(out), "--jobs", "100000")
    assert r.returncode == 0, r.stderr
    # three files fill one chunk: one worker (this process)
    assert (
        r.stderr.splitlines()[0]
        == "readiness: --jobs 100000: using 1 worker (one per 1,000 inputs)"
    )
    r = run("assess", str(inputs), "--out", str(out), "--jobs", "1")
    assert "--jobs" not in r.stderr


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc/*/stat; zombies left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, ppid = text.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="Linux (/proc, prctl) with two CPUs for two workers",
)
def test_workers_die_when_the_command_is_killed(tmp_path: Path):
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(8):
        (folder / f"p{i}.json").write_text(json.dumps(rated(f"p{i}", 3)))
    # chunks of 2 files, each taking a minute in a worker: the workers are busy when killed
    code = (
        "import time, readiness.cli.assess as a, readiness.batch as b\n"
        "a.CHUNK_SIZE = 2\n"
        "slow = b._process\n"
        "b._process = lambda chunk, settings: (time.sleep(60), slow(chunk, settings))[1]"
    )
    # a new process: it and its --jobs workers are killed
    script = f"import sys\n{code}\nfrom readiness.cli import main\nsys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", script, "assess", str(folder), "-o", str(tmp_path / "o.csv"),
           "--jobs", "2"]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
            workers = _children(parent.pid)
        assert len(workers) >= 2, parent.stderr.read().decode() if parent.poll() else workers
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "workers outlived the killed command"
    finally:
        for w in workers:  # never leave a worker behind, even when the test fails
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
        parent.stderr.close()


def test_a_bad_engine_setting_is_one_error_before_any_file(inputs: Path, tmp_path: Path,
                                                           monkeypatch):  # fmt: skip
    out = tmp_path / "scores.csv"
    out.write_text("kept\n")
    monkeypatch.setenv("READINESS_ENGINE", "bogus")
    r = run("assess", str(inputs), "--out", str(out))
    assert r.returncode == 2
    assert r.stderr == (
        "readiness: error: environment: READINESS_ENGINE: must be one of "
        "['auto', 'numpy', 'numba'] (got 'bogus')\n"
    )
    assert out.read_text() == "kept\n" and leftovers(tmp_path) == []
    for command in (["assess", str(inputs)], ["report", str(EXAMPLES / "nato.json")]):
        r = run(*command)  # printed reports, or another command: the same single error
        assert (r.returncode, r.stdout) == (2, "") and r.stderr.count("\n") == 1, r.stderr
    monkeypatch.setenv("READINESS_ENGINE", " NumPy ")  # any case
    assert run("assess", str(EXAMPLES / "nato.json")).returncode == 0


def test_out_to_standard_output_on_a_pipe_writes_csv():
    """``/dev/stdout`` is a link to the pipe ("pipe:[n]", which has no name to write)."""
    # a new process: /dev/stdout is the process's own file descriptor 1, a pipe
    r = run("assess", str(EXAMPLES / "nato.json"), "--out", "/dev/stdout", process=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("id,rubric,") and r.stdout.count("\n") == 2


def test_a_long_list_of_problems_points_to_errors_file_with_out(tmp_path: Path):
    bad = {**GOOD, "ratings": {cid: {"level": 9} for cid in RUBRIC.criterion_ids}}
    (tmp_path / "many.json").write_text(json.dumps(bad))
    r = run("assess", str(tmp_path / "many.json"), "--out", str(tmp_path / "o.csv"))
    assert r.returncode == 2
    assert (
        f"... and {len(RUBRIC.criterion_ids) - 20} more (all of them: --errors FILE)\n" in r.stderr
    )
    r = run("assess", str(tmp_path / "many.json"))  # printed reports: --format json works
    assert "more (all of them: --format json, or .problems)" in r.stderr


def test_summaries_count_in_good_english(tmp_path: Path):
    (tmp_path / "one.json").write_text(json.dumps(rated("one", 3)))
    out = tmp_path / "o.csv"
    r = run("assess", str(tmp_path / "one.json"), "--out", str(out))
    assert r.stderr == f"readiness: wrote 1 of 1 partnership to {out}\n"
    lines = tmp_path / "in.jsonl"
    lines.write_text("null\n" + json.dumps(rated("two", 3)) + '\n[1]\n"x"\n4\ntrue\n')
    errors = tmp_path / "errors.jsonl"
    r = run("assess", str(lines), "--out", str(out), "--errors", str(errors))
    assert r.stderr.splitlines()[0] == (
        f"readiness: 5 of 6 lines could not be scored; their problems are in {errors}"
    )
    got = [json.loads(x)["problems"][0]["message"] for x in errors.read_text().splitlines()]
    assert [m.rpartition("(got ")[2] for m in got] == [
        "null)",
        "array)",
        "string)",
        "number)",
        "true/false)",
    ]
    r = run("assess", str(lines), str(tmp_path / "one.json"), "--out", str(out), "--errors",
            str(errors))  # fmt: skip
    assert r.stderr.splitlines()[0].startswith("readiness: 5 of 7 inputs could not be scored")
    xlsx = tmp_path / "q.xlsx"
    r = run("template", "-o", str(xlsx))
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("readiness: wrote an xlsx questionnaire of ")


def test_out_to_a_device_writes_csv_and_to_a_directory_says_so(inputs: Path, tmp_path: Path):
    r = run("assess", str(inputs), "--out", os.devnull)
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"readiness: wrote 3 of 3 partnerships to {os.devnull}\n"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    r = run("assess", str(inputs), "--out", str(fifo))
    assert r.returncode == 0, r.stderr
    assert reader.communicate(timeout=30)[0].splitlines()[0].split(",")[:2] == ["id", "rubric"]
    folder = tmp_path / "mix"
    folder.mkdir()
    r = run("assess", str(inputs), "--out", str(folder))
    assert r.returncode == 2
    assert r.stderr.startswith(f"readiness: error: {folder}: is a directory; --out writes")
    assert "extension" not in r.stderr and list(folder.iterdir()) == []


def test_a_folder_of_json_lines_says_how_to_read_them(tmp_path: Path):
    folder = tmp_path / "lines"
    folder.mkdir()
    (folder / "all.jsonl").write_text(json.dumps(rated("one", 3)) + "\n")
    r = run("assess", str(folder), "--out", str(tmp_path / "o.csv"))
    assert r.returncode == 2
    assert r.stderr.splitlines()[0] == (
        f"readiness: error: {folder}: the directory has no *.json file (JSON Lines files "
        "are read when named: readiness assess FILE.jsonl --out ...)"
    )
    (folder / "all.jsonl").unlink()
    r = run("assess", str(folder), "--out", str(tmp_path / "o.csv"))
    assert r.stderr.splitlines()[0].endswith("the directory has no *.json file")


# --- CSV from plain rows, without pandas -----------------------------------------------


def _tricky_rows(rubric) -> dict:
    """Rows of every kind of value a CSV cell can hold, in :func:`row_columns`' layout."""
    import math

    from readiness.batch import _COUNTS, _score_columns, row_columns

    n = 7
    texts = [
        "plain", 'with "quotes", and a comma', "line\nbreak", "=HYPERLINK(1)", "-1", None,
        "\ufeff=1+1 ünï",
    ]  # fmt: skip
    scores = [1e-05, 123.456789, math.nan, -0.0, 100.0, 1e16, 0.00015]
    data = {}
    for i, column in enumerate(row_columns(rubric)):
        if column in _score_columns(rubric):
            data[column] = [scores[(i + r) % n] for r in range(n)]
        elif column in _COUNTS:
            data[column] = [(i + r) % 3 for r in range(n)]
        else:
            data[column] = [texts[(i + r) % n] for r in range(n)]
    return data


def test_plain_rows_are_written_as_pandas_writes_their_table():
    # `assess --out x.csv` writes plain rows with the csv module: the same bytes as the
    # table of the same rows (rounded, formulas quoted) through pandas' to_csv
    import io

    from readiness.batch import PlainRows, _chunk_frame, rounded_scores
    from readiness.cli._common import formulas_as_text
    from readiness.cli.assess import _plain_csv

    rubric = load_rubric()
    data = _tricky_rows(rubric)
    for header in (True, False):
        plain = io.StringIO(newline="")
        _plain_csv(plain, PlainRows.of(data, rubric, "", 0).rounded(rubric), header=header)
        table = rounded_scores(_chunk_frame(data, rubric, list(range(7))), rubric)
        expected = io.StringIO(newline="")
        formulas_as_text(table).to_csv(expected, index=False, header=header, lineterminator="\n")
        assert plain.getvalue() == expected.getvalue()
    assert "'=HYPERLINK(1)" in plain.getvalue() and '""quotes""' in plain.getvalue()


def test_a_csv_of_scores_is_written_without_pandas(tmp_path):
    # a fresh process: scoring files into a CSV never loads pandas (JSON Lines does)
    out = tmp_path / "scores.csv"
    code = (
        "import sys\nfrom readiness.cli import main\n"
        f"status = main(['assess', {str(EXAMPLES)!r}, '--out', {str(out)!r}, '--jobs', '1'])\n"
        "print(status, 'pandas' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.split() == ["0", "False"], r.stderr
    assert len(pd.read_csv(out)) == len(list(EXAMPLES.glob("*.json")))
