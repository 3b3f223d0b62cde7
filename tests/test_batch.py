"""The chunked batch path (readiness.batch): the same rows as one file at a time."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readiness import assess, load_rubric
from readiness.batch import (
    assess_chunks,
    assess_many,
    assessment_row,
    row_columns,
    rows_frame,
)
from readiness.errors import InputError
from readiness.panel import assess_panel, is_panel_document, panel_from_dict
from readiness.partnership import partnership_from_dict
from tests.factories import EXAMPLES
from tests.generate import documents

RUBRIC = load_rubric()
FILES = sorted(EXAMPLES.glob("*.json"))
DOCS = [json.loads(f.read_text(encoding="utf-8")) for f in FILES]


def one_by_one(docs: list[Any], names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The per-file path: validate, check and ``assess`` each document on its own (a
    panel by its consensus, as ``readiness assess`` scores a panel file)."""
    rows, errors = [], []
    for doc, name in zip(docs, names, strict=True):
        try:
            if is_panel_document(doc):
                try:
                    a = assess_panel(panel_from_dict(doc, source=name), RUBRIC).assessment
                except InputError as exc:
                    raise exc.with_source(name) from None
                rows.append(assessment_row(a, name))
                continue
            p = partnership_from_dict(doc, source=name)
            p.check_against(RUBRIC, source=name)
            rows.append(assessment_row(assess(p, RUBRIC), name))
        except InputError as exc:
            errors.append(str(exc if exc.source else exc.with_source(name)))
    return rows_frame(rows, RUBRIC), errors


def test_examples_give_the_rows_of_assess():
    expected, errors = one_by_one(DOCS, [str(f) for f in FILES])
    assert errors == []
    got = assess_many([str(f) for f in FILES], RUBRIC)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.columns) == row_columns(RUBRIC)
    assert got["overall"].notna().all()  # the examples are scored, not all NaN


@pytest.mark.parametrize("chunk_size", [1, 3, 8, 1000])
def test_chunk_size_does_not_change_a_row(chunk_size: int):
    expected = assess_many([str(f) for f in FILES], RUBRIC)
    chunks = list(assess_chunks([str(f) for f in FILES], RUBRIC, chunk_size=chunk_size))
    assert [len(c) for c in chunks][:-1] == [chunk_size] * (len(chunks) - 1)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), expected)


# --- generated partnerships --------------------------------------------------------

LEVELS = st.one_of(st.integers(0, 4), st.sampled_from(["unknown", "not-applicable"]))
RATING = st.fixed_dictionaries(
    {"level": LEVELS},
    optional={
        "confidence": st.sampled_from(["low", "medium", "high"]),
        "justification": st.just("checked by hand"),
    },
)


def partnerships() -> st.SearchStrategy[dict[str, Any]]:
    """A partnership drawn from every field and fact (tests/generate.py), or an example's."""
    return documents() | from_examples()


@st.composite
def from_examples(draw: st.DrawFn) -> dict[str, Any]:
    """A partnership built from an example: some of its facts, random ratings and dates."""
    base = copy.deepcopy(draw(st.sampled_from(DOCS)))
    facts = base.get("facts") or {}
    if draw(st.booleans()):
        keep = draw(st.lists(st.sampled_from(sorted(facts)), unique=True)) if facts else []
        base["facts"] = {k: facts[k] for k in keep if k != "sources"}
    if "exercises_per_year" in base.get("facts", {}):
        base["facts"]["exercises_per_year"] = draw(st.integers(0, 40))
    ids = draw(st.lists(st.sampled_from(RUBRIC.criterion_ids), unique=True, max_size=40))
    base["ratings"] = {cid: draw(RATING) for cid in ids}
    base["assessed_on"] = draw(st.sampled_from(["2024-01-31", "2026-06-30", None]))
    if base["assessed_on"] is None:
        del base["assessed_on"]
    return base


@st.composite
def panels(draw: st.DrawFn) -> dict[str, Any]:
    """A panel file: a generated partnership rated by one to three assessors."""
    base = draw(partnerships())
    header = {k: v for k, v in base.items() if k not in ("ratings", "assessor", "assessed_on")}
    people = []
    # mostly justified: an unjustified override of a derived level is an error, and with
    # several assessors nearly every panel would have one
    justified = draw(st.sampled_from([True, True, True, False]))
    for who in range(draw(st.integers(1, 3))):
        ids = draw(st.lists(st.sampled_from(RUBRIC.criterion_ids), unique=True, max_size=40))
        ratings = {cid: draw(RATING) for cid in ids}
        if justified:
            ratings = {cid: {**r, "justification": "seen"} for cid, r in ratings.items()}
        person: dict[str, Any] = {"assessor": f"assessor {who}", "ratings": ratings}
        codes = [m if isinstance(m, str) else m["code"] for m in header.get("members", [])]
        side = draw(st.sampled_from([None, *codes]))
        if side is not None:
            person["side"] = side
        day = draw(st.sampled_from([None, "2026-06-30", "2025-06-30"]))
        if day is not None:
            person["assessed_on"] = day
        people.append(person)
    rule = draw(st.sampled_from(["median", "mean", "max"]))
    return {"partnership": header, "consensus": {"rule": rule}, "assessments": people}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(partnerships() | panels(), min_size=1, max_size=12), st.integers(1, 5))
def test_generated_partnerships_give_the_rows_and_errors_of_assess(docs, chunk_size):
    """Same rows, same errors (overrides without a justification, future dates ...),
    panel files among them."""
    texts = [json.dumps(d) for d in docs]
    names = [f"<text {i}>" for i in range(1, len(docs) + 1)]
    expected, expected_errors = one_by_one(docs, names)
    errors: list[str] = []
    got = assess_many(
        texts, RUBRIC, chunk_size=chunk_size, on_error=lambda e: errors.append(str(e))
    )
    pd.testing.assert_frame_equal(got, expected)
    assert errors == expected_errors


# --- inputs ------------------------------------------------------------------------


def test_json_lines_files_streams_and_paths(tmp_path: Path):
    panel = tmp_path / "panel.jsonl"
    panel.write_text("".join(json.dumps(d) + "\n" for d in DOCS[:3]) + "\n", encoding="utf-8")
    stream = io.StringIO(json.dumps(DOCS[3]) + "\n")
    got = assess_many([panel, stream, FILES[4]], RUBRIC)
    assert got["file"].tolist() == [
        f"{panel}:1",
        f"{panel}:2",
        f"{panel}:3",
        "<stream>:1",
        str(FILES[4]),
    ]
    expected = assess_many([str(f) for f in FILES[:5]], RUBRIC)
    cols = [c for c in got.columns if c != "file"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])


def test_bad_lines_are_named_by_file_and_line(tmp_path: Path):
    panel = tmp_path / "panel.jsonl"
    bad_kind = {**DOCS[0], "kind": "pals"}
    lines = [json.dumps(DOCS[0]), '{"id": "x",', json.dumps(bad_kind), "[]", json.dumps(DOCS[1])]
    panel.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors: list[InputError] = []
    got = assess_many([panel], RUBRIC, on_error=errors.append)
    assert got["id"].tolist() == [DOCS[0]["id"], DOCS[1]["id"]]
    assert [e.source for e in errors] == [f"{panel}:2", f"{panel}:3", f"{panel}:4"]
    assert errors[0].problems[0].path == "column 12"  # of line 2, not "line 1"
    assert "invalid JSON" in errors[0].problems[0].message
    assert errors[1].problems[0].path == "$.kind"
    assert "must be a JSON object" in str(errors[2])
    with pytest.raises(InputError, match=r"panel\.jsonl:2: column 12"):
        assess_many([panel], RUBRIC)  # without on_error: the first error is raised


def test_missing_files_are_errors_not_crashes(tmp_path: Path):
    errors: list[InputError] = []
    got = assess_many(
        [tmp_path / "absent.json", tmp_path / "absent.jsonl", tmp_path], on_error=errors.append
    )
    assert len(got) == 0 and list(got.columns) == row_columns(RUBRIC)
    assert [str(e) for e in errors] == [
        f"file not found: {tmp_path / 'absent.json'}",
        f"file not found: {tmp_path / 'absent.jsonl'}",
        f"{tmp_path}: is a directory, not a file",
    ]


def test_scoring_options_reach_every_row():
    worst = assess_many([str(f) for f in FILES], RUBRIC, unknown_policy="worst", min_coverage=0)
    default = assess_many([str(f) for f in FILES], RUBRIC)
    for f, row in zip(FILES, worst.itertuples(), strict=True):
        p = partnership_from_dict(json.loads(f.read_text()))
        a = assess(p, RUBRIC, unknown_policy="worst", min_coverage=0)
        assert row.overall == pytest.approx(a.overall, abs=1e-4)
    assert not np.allclose(worst["raw"], default["raw"])  # the option changed something
    with pytest.raises(InputError, match="min_coverage"):
        assess_many([str(FILES[0])], RUBRIC, min_coverage=2)


def test_workers_give_the_same_rows_in_the_same_order(tmp_path: Path, monkeypatch):
    import readiness.batch as batch

    monkeypatch.setattr(batch, "MIN_PIECE_BYTES", 1)  # several pieces of this small file
    panel = tmp_path / "panel.jsonl"
    docs = [{**DOCS[i % len(DOCS)], "id": f"p{i}"} for i in range(30)]
    lines = [json.dumps(d) for d in docs]
    lines[7] = "{not json"
    panel.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one: list[str] = []
    two: list[str] = []
    alone = assess_many([panel], RUBRIC, chunk_size=4, on_error=lambda e: one.append(str(e)))
    shared = assess_many(
        [panel], RUBRIC, chunk_size=4, workers=2, on_error=lambda e: two.append(str(e))
    )
    pd.testing.assert_frame_equal(shared, alone)
    assert one == two and len(one) == 1 and f"{panel}:8" in one[0]
    assert len(alone) == 29


def _lines_of(panel: Path) -> tuple[pd.DataFrame, list[str]]:
    """Rows and error sources of a JSON Lines file, as one piece (lines numbered as
    Python's text reading numbers them)."""
    errors: list[InputError] = []
    rows = assess_many([panel], RUBRIC, chunk_size=3, on_error=errors.append)
    return rows, [f"{e.source}: {e.problems[0].message}" for e in errors]


@pytest.mark.parametrize("workers", [1, 2])
def test_pieces_of_a_json_lines_file_number_lines_in_the_file(tmp_path, monkeypatch, workers):
    import readiness.batch as batch

    docs = [json.dumps({**DOCS[i % len(DOCS)], "id": f"p{i}"}) for i in range(12)]
    docs[4], docs[9] = "{not json", "[]"
    # a byte order mark, Windows line ends, blank lines, a last line without a newline
    text = "\ufeff" + "\r\n".join(docs[:6]) + "\r\n\n\n" + "\n".join(docs[6:])
    panel = tmp_path / "panel.jsonl"
    panel.write_bytes(text.encode("utf-8"))
    whole, whole_errors = _lines_of(panel)
    assert whole["file"].tolist()[:5] == [f"{panel}:{n}" for n in (1, 2, 3, 4, 6)]
    assert whole_errors[0].startswith(f"{panel}:5: ") and len(whole) == 10
    monkeypatch.setattr(batch, "PIECE_BYTES", 500)  # shorter than a line: a piece a line
    monkeypatch.setattr(batch, "MIN_PIECE_BYTES", 1)
    errors: list[InputError] = []
    rows = assess_many([panel], RUBRIC, chunk_size=3, workers=workers, on_error=errors.append)
    pd.testing.assert_frame_equal(rows, whole)
    assert [f"{e.source}: {e.problems[0].message}" for e in errors] == whole_errors


def test_standard_input_is_read_in_pieces_of_bytes_and_numbered_as_one(monkeypatch):
    import sys

    import readiness.batch as batch

    docs = [json.dumps({**DOCS[i % len(DOCS)], "id": f"p{i}"}) for i in range(7)]
    docs[2] = '{"id": "x",'
    text = "\n".join(docs[:4]) + "\n\n" + "\n".join(docs[4:]) + "\n"
    as_lines: list[InputError] = []
    expected = assess_many([io.StringIO(text)], RUBRIC, chunk_size=2, on_error=as_lines.append)
    monkeypatch.setattr(batch, "PIECE_BYTES", 700)
    stdin = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    as_bytes: list[InputError] = []
    got = assess_many([sys.stdin], RUBRIC, chunk_size=2, on_error=as_bytes.append)
    pd.testing.assert_frame_equal(got, expected)
    assert got["file"].tolist()[-1] == "<stream>:8"
    assert [(e.source, e.problems) for e in as_bytes] == [(e.source, e.problems) for e in as_lines]
    assert [e.source for e in as_bytes] == ["<stream>:3"]


def test_standard_input_from_a_file_is_read_by_the_workers_from_where_it_stands(
    tmp_path, monkeypatch
):
    """``assess - < FILE``: the workers read byte ranges of the file itself (as of a JSON
    Lines file), from where standard input stands; the rows and errors, numbered as one
    input, are those of the lines read as a stream."""
    import sys

    import readiness.batch as batch

    docs = [json.dumps({**DOCS[i % len(DOCS)], "id": f"p{i}"}) for i in range(9)]
    docs[5] = '{"id": "x",'
    skipped = json.dumps({**DOCS[0], "id": "read-before"}) + "\n"
    text = "\n".join(docs[:4]) + "\n\n" + "\n".join(docs[4:]) + "\n"
    panel = tmp_path / "panel.jsonl"
    panel.write_bytes((skipped + text).encode("utf-8"))
    as_lines: list[InputError] = []
    expected = assess_many([io.StringIO(text)], RUBRIC, chunk_size=2, on_error=as_lines.append)
    monkeypatch.setattr(batch, "PIECE_BYTES", 700)
    monkeypatch.setattr(batch, "MIN_PIECE_BYTES", 1)
    with open(panel, encoding="utf-8") as stdin:
        stdin.buffer.read(len(skipped.encode()))  # a line already read: not scored
        monkeypatch.setattr(sys, "stdin", stdin)
        pieces = [p for _, p in batch._items([sys.stdin], workers=2)]
        assert len(pieces) > 2 and all(p.path == str(panel) and p.data is None for p in pieces)
        assert pieces[0].start == len(skipped.encode()) and pieces[-1].end == panel.stat().st_size
        as_ranges: list[InputError] = []
        got = assess_many([sys.stdin], RUBRIC, chunk_size=2, workers=2, on_error=as_ranges.append)
    named = [f.replace("<stream>", stdin.name) for f in expected["file"]]
    pd.testing.assert_frame_equal(got, expected.assign(file=pd.Series(named, dtype=object)))
    assert got["file"].tolist()[-1] == f"{panel}:10"
    assert [(e.source, e.problems) for e in as_ranges] == [
        (e.source.replace("<stream>", stdin.name), e.problems) for e in as_lines
    ]


def test_a_line_that_is_not_utf8_ends_its_file_and_keeps_every_line_before_it(
    tmp_path, monkeypatch
):
    import readiness.batch as batch

    monkeypatch.setattr(batch, "PIECE_BYTES", 500)  # the bad line in a later piece
    monkeypatch.setattr(batch, "MIN_PIECE_BYTES", 1)
    docs = [json.dumps({**DOCS[0], "id": f"p{i}"}).encode() for i in range(5)]
    panel = tmp_path / "panel.jsonl"
    panel.write_bytes(b"\n".join([*docs[:3], b'{"id": "\xff"}', *docs[3:]]) + b"\n")
    errors: list[InputError] = []
    rows = assess_many([panel, FILES[0]], RUBRIC, on_error=errors.append)
    assert rows["file"].tolist() == [f"{panel}:1", f"{panel}:2", f"{panel}:3", str(FILES[0])]
    assert [str(e) for e in errors] == [f"{panel}: not UTF-8 text (invalid start byte)"]


def test_a_failure_while_scoring_a_chunk_costs_only_its_input(monkeypatch):
    import readiness.batch

    real = readiness.batch._score

    def fails_with_quad(chunk, settings, found):
        if any(p.id == "quad" for _, _, p in chunk):
            raise ZeroDivisionError("boom")
        return real(chunk, settings, found)

    files = sorted(str(f) for f in Path("examples/partnerships").glob("*.json"))
    whole = readiness.batch.assess_many(files, workers=1)
    monkeypatch.setattr(readiness.batch, "_score", fails_with_quad)
    errors = []
    frame = readiness.batch.assess_many(files, on_error=errors.append, workers=1)
    assert "quad" not in set(frame["id"]) and len(frame) == len(files) - 1
    # the others' rows, scored one by one, are the rows of the whole chunk, types included
    others = whole[whole["id"] != "quad"].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, others)
    (err,) = errors
    assert err.source.endswith("quad.json") and "ZeroDivisionError" in str(err)


# --- panels and worker processes ---------------------------------------------------


def panel_doc() -> dict[str, Any]:
    """Three assessors of one partnership from two sides, with facts to derive from."""
    base = {k: v for k, v in DOCS[2].items() if k not in ("ratings", "assessor", "assessed_on")}
    ids = RUBRIC.criterion_ids
    why = {"justification": "seen by this assessor"}  # levels far from the derived ones
    return {
        "partnership": base,
        "assessments": [
            {"assessor": "Ann", "side": base["members"][0], "assessed_on": "2025-03-01",
             "ratings": {cid: {"level": 3, **why} for cid in ids[:30]}},
            {"assessor": "Bob", "side": base["members"][1],
             "ratings": {cid: {"level": 1, **why} for cid in ids[5:40]}},
            {"assessor": "Cy", "side": base["members"][1],
             "ratings": {cid: {"level": 4, "confidence": "low", **why} for cid in ids[::3]}},
        ],
    }  # fmt: skip


@pytest.mark.parametrize("rule", [None, "mean", "min"])
def test_a_panel_gives_the_row_of_its_consensus_among_the_others(tmp_path: Path, rule):
    from readiness.panel import assess_panel, panel_from_dict

    panel = tmp_path / "panel.json"
    panel.write_text(json.dumps(panel_doc()), encoding="utf-8")
    files = [str(FILES[0]), str(panel), str(FILES[1])]
    got = assess_many(files, RUBRIC, chunk_size=8, consensus=rule, min_coverage=0.1)
    result = assess_panel(panel_from_dict(panel_doc()), RUBRIC, rule=rule, min_coverage=0.1)
    alone = [assess(partnership_from_dict(d), RUBRIC, min_coverage=0.1) for d in DOCS[:2]]
    rows = [assessment_row(alone[0], files[0]), assessment_row(result.assessment, files[1])]
    expected = rows_frame([*rows, assessment_row(alone[1], files[2])], RUBRIC)
    pd.testing.assert_frame_equal(got, expected)
    assert got.loc[1, "lower"] <= round(result.consensus_interval[0], 4)  # widened
    if rule is None:  # the median: the most pessimistic assessor is below it
        assert got.loc[1, "lower"] < round(result.consensus_interval[0], 4)
    # the same as a line of a JSON Lines file
    lines = tmp_path / "panel.jsonl"
    lines.write_text(json.dumps(panel_doc()) + "\n", encoding="utf-8")
    row = assess_many([lines], RUBRIC, consensus=rule, min_coverage=0.1)
    cols = [c for c in got.columns if c != "file"]
    pd.testing.assert_frame_equal(row[cols], got.iloc[[1]][cols].reset_index(drop=True))


def test_a_bad_panel_costs_only_its_row(tmp_path: Path):
    doc = panel_doc()
    doc["assessments"][2]["ratings"]["nope.criterion"] = {"level": 1}
    lines = tmp_path / "mixed.jsonl"
    lines.write_text("\n".join(json.dumps(d) for d in [DOCS[0], doc, DOCS[1]]) + "\n")
    errors: list[InputError] = []
    got = assess_many([lines], RUBRIC, on_error=errors.append)
    assert got["id"].tolist() == [DOCS[0]["id"], DOCS[1]["id"]]
    (error,) = errors
    assert error.source == f"{lines}:2"
    assert error.problems[0].path.startswith("$.assessments[2].ratings")


def test_workers_fork_only_when_no_other_thread_runs(tmp_path: Path):
    """A forked child would inherit another thread's locks held: fork server then."""
    import sys
    import threading

    from readiness.batch import _start_method

    if sys.platform != "linux":
        pytest.skip("fork is used on Linux only")
    if threading.active_count() == 1:
        assert _start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _start_method() == "forkserver"
        docs = [{**DOCS[i % len(DOCS)], "id": f"p{i}"} for i in range(9)]
        texts = [json.dumps(d) for d in docs]
        shared = assess_many(texts, RUBRIC, chunk_size=3, workers=2)
    finally:
        stop.set()
        thread.join()
    pd.testing.assert_frame_equal(shared, assess_many(texts, RUBRIC, chunk_size=3))


def test_workers_are_capped_at_the_cpus_and_the_chunks(monkeypatch):
    import readiness.batch as batch

    monkeypatch.setattr(batch, "available_cpus", lambda: 2)
    assert batch.worker_count(100_000) == 2  # never thousands of processes
    assert batch.worker_count(100_000, inputs=2_505) == 2
    assert batch.worker_count(100_000, inputs=1_000) == 1  # one chunk: one worker
    assert batch.worker_count(3, inputs=1_001, chunk_size=1_000) == 2
    assert batch.worker_count(1, inputs=50_000) == 1
    assert batch.worker_count(2, inputs=0) == 1
    monkeypatch.setattr(batch, "available_cpus", lambda: 64)
    assert batch.worker_count(100_000, inputs=10_000) == 10
    assert batch.worker_count(100_000) == 64


def test_the_pool_never_gets_more_workers_than_cpus(monkeypatch, tmp_path: Path):
    import readiness.batch as batch

    made: list[int] = []

    def in_workers(chunks, settings, workers):  # record the size; score here
        made.append(workers)
        return (batch._run(chunk, settings) for chunk in chunks)

    monkeypatch.setattr(batch, "available_cpus", lambda: 3)
    monkeypatch.setattr(batch, "_in_workers", in_workers)
    text = json.dumps({"id": "x", "name": "X", "kind": "bilateral-alliance",
                       "members": ["A", "B"], "ratings": {}})  # fmt: skip
    rows = assess_many([text] * 5, chunk_size=2, workers=100_000, min_coverage=0)
    assert len(rows) == 5 and made == [3]


def test_a_bad_setting_stops_the_batch_instead_of_costing_each_input(monkeypatch):
    monkeypatch.setenv("READINESS_ENGINE", "gpu")
    errors: list[InputError] = []
    text = json.dumps({"id": "x", "name": "X", "kind": "bilateral-alliance",
                       "members": ["A", "B"], "ratings": {}})  # fmt: skip
    with pytest.raises(InputError) as caught:
        assess_many([text] * 3, on_error=errors.append, chunk_size=2)
    assert caught.value.source == "environment" and "bug" not in str(caught.value)
    assert errors == []  # no input is blamed


def test_a_chunks_rows_have_the_types_of_any_other_table_of_rows():
    import readiness.batch as batch

    errors: list[InputError] = []
    chunks = list(batch.scored_rows([str(f) for f in FILES], RUBRIC, None, None, 4, errors.append))
    got = pd.concat([chunk.table(RUBRIC) for chunk in chunks], ignore_index=True)
    # the same rows through pandas' own inference, converted as every table of rows is
    typed = rows_frame(got.to_dict("records"), RUBRIC)
    pd.testing.assert_frame_equal(batch.rounded_scores(got, RUBRIC), typed, check_index_type=False)
    for column in got.columns:
        assert got[column].dtype == typed[column].dtype, column
        if got[column].dtype == object:  # text, and None (not NaN) where missing
            assert [type(v) for v in got[column]] == [type(v) for v in typed[column]], column
    assert got["reason"].isna().any() and got["reason"].map(type).eq(type(None)).any()
