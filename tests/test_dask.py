"""Scoring beyond one machine: assess_frame and assess_many over Dask partitions.

Both are pure functions of one partition, so a Dask DataFrame scored partition by
partition (``map_partitions``) gives exactly what one call on the whole gives. Dask is
an optional extra (``readiness[dask]``, in the dev group); without it these are skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from readiness import assess_frame, load_rubric
from readiness.batch import assess_many
from tests.factories import EXAMPLES

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

RUBRIC = load_rubric()


@pytest.fixture(autouse=True)
def _keep_string_types():
    """Dask turns text columns and labels into pyarrow strings by default; off, the
    partitions hold what readiness returns and the frames compare exactly."""
    with dask.config.set({"dataframe.convert-string": False}):
        yield


def levels_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = rng.integers(0, 5, size=(rows, len(RUBRIC.criterion_ids))).astype(float)
    levels[rng.random(levels.shape) < 0.15] = np.nan
    index = pd.Index([f"p{i}" for i in range(rows)], name="partnership")
    return pd.DataFrame(levels, index=index, columns=list(RUBRIC.criterion_ids))


def test_assess_frame_over_dask_partitions_equals_one_call():
    frame = levels_frame(2_000)
    whole = assess_frame(frame, RUBRIC)
    parts = dd.from_pandas(frame, npartitions=7, sort=False)  # keep the row order
    meta = assess_frame(frame.iloc[:0], RUBRIC)
    scored = parts.map_partitions(assess_frame, RUBRIC, meta=meta)
    got = scored.compute(scheduler="threads")
    pd.testing.assert_frame_equal(got, whole)
    assert got["overall"].notna().any() and parts.npartitions == 7


def test_assess_many_over_dask_partitions_of_files_equals_one_call():
    files = [str(f) for f in sorted(EXAMPLES.glob("*.json"))] * 3
    whole = assess_many(files, RUBRIC)
    names = dd.from_pandas(pd.DataFrame({"file": files}), npartitions=4, sort=False)

    def score(part: pd.DataFrame) -> pd.DataFrame:
        return assess_many(part["file"].tolist(), RUBRIC)

    scored = names.map_partitions(score, meta=assess_many([], RUBRIC))
    got = scored.compute(scheduler="threads").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, whole)
