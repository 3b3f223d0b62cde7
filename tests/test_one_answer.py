"""One partnership, one answer: every path that scores a partnership gives the same numbers.

The documents come from ``tests/generate.py``, which draws every field of the file
format and every fact (``tests/test_generate.py`` keeps it complete), plus the shipped
examples. The reference is :func:`readiness.assess`, file by file; against it:

- :func:`readiness.assess_many` (chunks of several sizes);
- ``readiness assess --out`` on a directory of files, on a JSON Lines file and on
  standard input, with one worker and with two;
- ``facts_frame`` -> ``derive_frame`` -> ratings laid over -> ``assess_frame``, the
  path of an analyst working with tables.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from readiness import assess, assess_frame, derive_frame, facts_frame
from readiness.batch import assess_many, assessment_row, rows_frame
from readiness.errors import InputError
from readiness.partnership import Partnership, partnership_from_dict
from tests.cli_harness import run_cli
from tests.factories import EXAMPLES
from tests.generate import RUBRIC, corpus

ROOT = Path(__file__).resolve().parents[1]
DOCS = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(EXAMPLES.glob("*.json"))]
DOCS += corpus(60, seed=2026)
NUMBERS = ["overall", "raw", "gate_loss", "coverage", "lower", "upper"]
NUMBERS += [p.id for p in RUBRIC.pillars]


def _reference() -> tuple[pd.DataFrame, list[Partnership], list[int]]:
    """Rows of ``assess`` file by file (valid documents only), their partnerships and
    the positions of the invalid documents."""
    rows, valid, bad = [], [], []
    for i, doc in enumerate(DOCS):
        try:
            p = partnership_from_dict(doc)
            p.check_against(RUBRIC)
            a = assess(p, RUBRIC)
        except InputError:
            bad.append(i)
            continue
        rows.append(assessment_row(a, f"<text {i + 1}>"))
        valid.append(p)
    return rows_frame(rows, RUBRIC), valid, bad


REFERENCE, VALID, BAD = _reference()


def test_the_corpus_is_mostly_valid_and_scored():
    assert len(VALID) >= 0.8 * len(DOCS)
    assert REFERENCE["overall"].notna().sum() >= 10
    assert REFERENCE["overall"].isna().sum() >= 1  # also rows without an overall score


def _same(got: pd.DataFrame, expected: pd.DataFrame = REFERENCE) -> None:
    """Same ids, bands, reasons and numbers (to the 4 decimals rows are written with)."""
    assert got["id"].tolist() == expected["id"].tolist()
    assert got["band"].fillna("").tolist() == expected["band"].fillna("").tolist()
    assert got["reason"].fillna("").tolist() == expected["reason"].fillna("").tolist()
    for column in [*NUMBERS, "gates_failed", "gates_unrated"]:
        np.testing.assert_allclose(
            got[column].to_numpy(float), expected[column].to_numpy(float), atol=1e-9, err_msg=column
        )


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_assess_many_equals_assess(chunk_size):
    errors: list[InputError] = []
    texts = [json.dumps(d) for d in DOCS]
    got = assess_many(texts, RUBRIC, chunk_size=chunk_size, on_error=errors.append)
    _same(got)
    assert [e.source for e in errors] == [f"<text {i + 1}>" for i in BAD]


def _run(args: list[str], stdin: str | None = None, chunk: int = 1000) -> None:
    if "--jobs" in args and args[args.index("--jobs") + 1] != "1":
        # a new process: --jobs starts worker processes, which see CHUNK_SIZE as set here
        script = (
            "import sys\nimport readiness.cli.assess as cli\n"
            f"cli.CHUNK_SIZE = {chunk}\n"
            "from readiness.cli import main\nsys.exit(main(sys.argv[1:]))"
        )
        r = subprocess.run(
            [sys.executable, "-c", script, *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
    else:
        import readiness.cli.assess as cli

        with mock.patch.object(cli, "CHUNK_SIZE", chunk):
            r = run_cli(*args, input=stdin)
    assert r.returncode == (2 if BAD else 0), r.stderr
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    folder = root / "files"
    folder.mkdir()
    for i, doc in enumerate(DOCS):
        (folder / f"p{i:03d}.json").write_text(json.dumps(doc), encoding="utf-8")
    lines = root / "all.jsonl"
    lines.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    return {"root": root, "folder": folder, "lines": lines}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("source", ["folder", "lines", "stdin"])
def test_the_command_line_batch_equals_assess(files, source, jobs):
    out = files["root"] / f"{source}-{jobs}.csv"
    stdin = None
    if source == "stdin":
        stdin = files["lines"].read_text(encoding="utf-8")
        args = ["assess", "-", "--out", str(out), "--jobs", jobs]
    else:
        args = ["assess", str(files[source]), "--out", str(out), "--jobs", jobs]
    _run(args, stdin=stdin, chunk=9)  # several chunks, so two jobs start two workers
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    _same(got)


def _overlay(levels: pd.DataFrame, partnerships: list[Partnership]) -> dict[str, Any]:
    """Ratings laid over derived levels, as the docs describe it: a level replaces,
    not-applicable blanks, unknown leaves the derived level, low confidence is flagged."""
    levels = levels.reindex(columns=RUBRIC.criterion_ids)
    na = pd.DataFrame(False, index=levels.index, columns=levels.columns)
    low = na.copy()
    for row, p in zip(levels.index, partnerships, strict=True):
        for cid, rating in p.ratings.items():
            if rating.level == "not-applicable":
                na.loc[row, cid] = True
                levels.loc[row, cid] = math.nan
            elif isinstance(rating.level, int):
                levels.loc[row, cid] = rating.level
                low.loc[row, cid] = rating.confidence == "low"
    return {"levels": levels, "not_applicable": na, "low_confidence": low}


def test_the_frame_path_equals_assess():
    features = facts_frame(VALID).reset_index(drop=True)
    derived = derive_frame(features, RUBRIC)
    frame = assess_frame(rubric=RUBRIC, **_overlay(derived, VALID))
    for column in ["overall", "coverage", "lower", "upper", *(p.id for p in RUBRIC.pillars)]:
        np.testing.assert_allclose(
            frame[column].to_numpy(float),
            REFERENCE[column].to_numpy(float),
            atol=1e-4,  # the reference rows are rounded to 4 decimals
            err_msg=column,
        )
    assert frame["band"].astype(object).fillna("").tolist() == REFERENCE["band"].fillna("").tolist()
