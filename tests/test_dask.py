"""Scoring beyond one machine: assess_frame and assess_many over Dask partitions.

Both are pure functions of one partition, so a Dask DataFrame scored partition by
partition (``assess_dask``, or ``map_partitions`` by hand) gives exactly what one call on
the whole gives: checked on a generated panel of partnership-dates and on the ATOP
alliance-year panel of the real files. Dask is an optional extra (``readiness[dask]``,
in the dev group); without it these are skipped.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from readiness import assess_frame, load_rubric
from readiness.batch import assess_dask, assess_many, assess_partition, frame_meta
from readiness.errors import InputError
from tests.factories import EXAMPLES, ROOT
from tests.test_atop_real import INST, MEMBERS

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


def dated_panel(rows: int, seed: int = 1) -> pd.DataFrame:
    """Partnership-dates as a cluster would read them: keys as columns, then the levels."""
    levels = levels_frame(rows, seed).reset_index(drop=True)
    keys = pd.DataFrame(
        {
            "partnership": [f"p{i % 97}" for i in range(rows)],
            "date": pd.Timestamp("2001-01-01") + pd.to_timedelta(np.arange(rows) // 97, "D"),
        }
    )
    return pd.concat([keys, levels], axis=1)


def one_call(panel: pd.DataFrame, keys: list[str], **options) -> pd.DataFrame:
    """What assess_dask should give, in one process: keys, then one assess_frame call."""
    scores = assess_frame(panel.drop(columns=keys), RUBRIC, **options)
    return pd.concat([panel[keys], scores], axis=1)


@pytest.mark.parametrize(
    "options",
    [{}, {"unknown_policy": "exclude", "min_coverage": 0.5}, {"unknown_policy": "worst"}],
)
def test_assess_dask_equals_one_call(options):
    panel = dated_panel(3_000)
    keys = ["partnership", "date"]
    parts = dd.from_pandas(panel, npartitions=5, sort=False)
    scored = assess_dask(parts, RUBRIC, keys=keys, **options)
    assert scored.npartitions == 5
    got = scored.compute(scheduler="threads")
    want = one_call(panel, keys, **options)
    pd.testing.assert_frame_equal(got, want)
    if options:  # the options reach the partitions: they change the scores
        assert not got["overall"].equals(one_call(panel, keys)["overall"])


def test_assess_dask_on_the_atop_alliance_year_panel():
    """Every ATOP alliance-year (the real 5.1 files) in 8 partitions: the panel's own scores."""
    from readiness.io.atop import atop_panel

    if not (MEMBERS.is_file() and INST.is_file()):
        pytest.skip("the ATOP files are absent (tests/test_atop_real.py fails on that in CI)")
    panel = atop_panel(MEMBERS, inst=INST)
    criteria = [c for c in panel.columns if c in RUBRIC.criterion_ids]
    options = {"min_coverage": 0, "unknown_policy": "exclude"}  # as atop_panel scores
    flat = dd.from_pandas(panel[criteria].reset_index(), npartitions=8, sort=False)
    got = assess_dask(flat, RUBRIC, keys=["partnership", "year"], **options).compute()
    got = got.set_index(["partnership", "year"])
    pd.testing.assert_frame_equal(got, assess_frame(panel[criteria], RUBRIC, **options))
    pillars = [p.id for p in RUBRIC.pillars if p.id in panel.columns]
    assert len(got) == len(panel) > 15_000 and len(pillars) >= 5
    pd.testing.assert_frame_equal(got[pillars], panel[pillars])


def test_assess_dask_under_dask_default_string_types():
    """Dask's default turns the key strings into pyarrow strings; the scores are the same."""
    panel = dated_panel(500)
    with dask.config.set({"dataframe.convert-string": True}):
        parts = dd.from_pandas(panel, npartitions=3, sort=False)
        got = assess_dask(parts, RUBRIC, keys=["partnership", "date"]).compute()
    want = one_call(panel, ["partnership", "date"])
    assert got["partnership"].tolist() == want["partnership"].tolist()
    pd.testing.assert_frame_equal(got.drop(columns="partnership"), want.drop(columns="partnership"))


def test_frame_meta_is_what_assess_frame_returns():
    frame = levels_frame(50)
    got = assess_frame(frame, RUBRIC)
    meta = frame_meta(RUBRIC, frame.index)
    assert len(meta) == 0
    pd.testing.assert_series_equal(meta.dtypes, got.dtypes)
    assert meta.index.name == "partnership"
    assert list(meta["band"].cat.categories) == list(got["band"].cat.categories)
    # the meta of map_partitions by hand
    parts = dd.from_pandas(frame, npartitions=3, sort=False)
    scored = parts.map_partitions(assess_frame, RUBRIC, meta=meta)
    pd.testing.assert_frame_equal(scored.compute(), got)


def test_assess_dask_bad_input_is_named_at_once():
    panel = dated_panel(20)
    parts = dd.from_pandas(panel, npartitions=2, sort=False)
    with pytest.raises(InputError, match="must be a Dask DataFrame"):
        assess_dask(panel, RUBRIC)
    with pytest.raises(InputError, match="no such column in levels: when"):
        assess_dask(parts, RUBRIC, keys=["partnership", "when"])
    with pytest.raises(InputError, match=r"column 'partnership': not a criterion.*goes in keys"):
        assess_dask(parts, RUBRIC, keys=["date"])
    with pytest.raises(InputError, match="min_coverage"):
        assess_dask(parts, RUBRIC, keys=["partnership", "date"], min_coverage=2)


def test_assess_dask_bad_level_is_named_when_computed():
    panel = dated_panel(20)
    column = RUBRIC.criterion_ids[3]
    panel.loc[13, column] = 7.0
    scored = assess_dask(
        dd.from_pandas(panel, npartitions=2, sort=False), RUBRIC, keys=["partnership", "date"]
    )
    with pytest.raises(InputError, match=rf"13.*{column}|{column}.*13"):
        scored.compute()


def test_assess_partition_as_spark_or_ray_hand_it_a_batch():
    """A batch as Spark's mapInPandas gives it: plain objects, dates as datetime.date, a
    fresh RangeIndex; the keys come back as they went in, the scores as one call's."""
    panel = dated_panel(300)
    batch = panel.iloc[100:200].reset_index(drop=True)
    batch["partnership"] = batch["partnership"].astype(object)
    batch["date"] = [d.date() for d in batch["date"]]
    got = assess_partition(batch, RUBRIC, keys=["partnership", "date"])
    assert got["date"].tolist() == batch["date"].tolist()
    assert got["partnership"].dtype == object
    want = one_call(panel, ["partnership", "date"]).iloc[100:200].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns=["partnership", "date"]), want.iloc[:, 2:])
    same_label = assess_partition(
        batch.set_axis([7] * len(batch)), RUBRIC, keys=["partnership", "date"]
    )
    assert same_label["partnership"].tolist() == batch["partnership"].tolist()
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        assess_partition(batch.to_numpy(), RUBRIC)


def test_frame_meta_types_are_the_ones_docs_map_to_spark():
    """docs/distributed.md maps float64, int64 and category to Spark types: no other."""
    assert {str(t) for t in frame_meta(RUBRIC).dtypes} == {"float64", "int64", "category"}


def test_the_python_of_docs_distributed_compiles_and_the_dask_part_runs():
    """Every block compiles (Spark's and Ray's too); those not marked 'not run here' run,
    in order, in one namespace (Spark and Ray are not installed in CI)."""
    text = (ROOT / "docs" / "distributed.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 4
    namespace: dict[str, object] = {}
    ran = 0
    for i, block in enumerate(blocks):
        code = compile(block, f"docs/distributed.md python block {i + 1}", "exec")
        if not block.startswith("# compiled by the tests, not run here"):
            exec(code, namespace)
            ran += 1
    assert ran == 1 and len(namespace["scores"]) == 1_000  # type: ignore[arg-type]
