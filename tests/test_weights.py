"""Weight elicitation (readiness.weights): published worked examples, properties, errors.

The published examples are reproduced to the decimals their sources print:

- Saaty's drinks matrix: T. L. Saaty, "Decision making with the analytic hierarchy
  process", *Int. J. Services Sciences* 1(1), 2008, 83-98 (the table of relative drink
  consumption in the United States: weights .177 .019 .042 .116 .190 .129 .327); the CR
  (0.022 with Saaty's random indices, 0.0235 with Donegan and Dodd's) as AHPy's README
  and tests print them (github.com/PhilipGriffith/AHPy, README "The Relative
  Consumption of Drinks", tests/test_ahp.py test_drinks_*).
- Saaty's choice of a city to live in: T. L. Saaty, *Theory and Applications of the
  Analytic Network Process*, RWS Publications, 2005; the judgements and the synthesised
  weights (.229 .275 .385 .111) as in AHPy's tests/test_ahp.py (test_cities_*).
- The car example of AHPy's README ("Choosing a Family Car"): criteria weights .51 .234
  .215 .041 with CR 0.08 (Donegan-Dodd), the Cost subcriteria .488 .252 .161 .1, CR 0.016.
- Incomplete comparisons: S. Bozóki, J. Fülöp and L. Rónyai, "On optimal completion of
  incomplete pairwise comparison matrices", *Mathematical and Computer Modelling*
  52(1-2), 2010, 318-333: the 4 x 4 example with ``c, d`` missing (AHPy README "Missing
  Pairwise Comparisons": completed 0.7303, weights .3738 .392 .0985 .1357, CR 0.0372)
  and the 8 x 8 example with 12 missing pairs (AHPy tests/test_ahp.py
  test_incomplete_housing_missing_comparisons).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness import load_rubric
from readiness.errors import InputError
from readiness.weights import (
    PILLARS,
    Judgements,
    Pairwise,
    aggregate,
    ahp,
    concentration_of,
    elicit,
    swing,
)

DRINKS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("coffee", "water"): 1 / 2,
    ("wine", "tea"): 1 / 3, ("wine", "beer"): 1 / 9, ("wine", "soda"): 1 / 9,
    ("wine", "milk"): 1 / 9, ("wine", "water"): 1 / 9,
    ("tea", "beer"): 1 / 3, ("tea", "soda"): 1 / 4, ("tea", "milk"): 1 / 3, ("tea", "water"): 1 / 9,
    ("beer", "soda"): 1 / 2, ("beer", "milk"): 1, ("beer", "water"): 1 / 3,
    ("soda", "milk"): 2, ("soda", "water"): 1 / 2,
    ("milk", "water"): 1 / 3,
}  # fmt: skip


def rounded(w: Pairwise, digits: int = 3) -> dict[str, float]:
    return {k: round(v, digits) for k, v in w.as_dict().items()}


def test_saaty_drinks_weights_and_cr() -> None:
    w = ahp(DRINKS)
    assert rounded(w) == {
        "coffee": 0.177, "wine": 0.019, "tea": 0.042, "beer": 0.116,
        "soda": 0.190, "milk": 0.129, "water": 0.327,
    }  # fmt: skip
    assert round(w.cr, 3) == 0.022
    assert round(ahp(DRINKS, random_index="donegan-dodd").cr, 4) == 0.0235
    assert rounded(ahp(DRINKS, random_index="donegan-dodd"), 4) == {
        "coffee": 0.1775, "wine": 0.0191, "tea": 0.0418, "beer": 0.1164,
        "soda": 0.1896, "milk": 0.1288, "water": 0.3268,
    }  # fmt: skip


def test_the_drinks_matrix_reads_the_same_as_a_matrix() -> None:
    items = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
    m = np.ones((7, 7))
    for (a, b), v in DRINKS.items():
        m[items.index(a), items.index(b)] = v
        m[items.index(b), items.index(a)] = 1 / v
    w = ahp(m, items)
    assert w.weights == pytest.approx(ahp(DRINKS).weights, abs=1e-12)
    assert w.lambda_max == pytest.approx(ahp(DRINKS).lambda_max)


CITIES = {
    "criteria": {
        ("Culture", "Housing"): 3, ("Culture", "Transportation"): 5,
        ("Family", "Culture"): 5, ("Family", "Housing"): 7, ("Family", "Transportation"): 7,
        ("Housing", "Transportation"): 3,
        ("Jobs", "Culture"): 2, ("Jobs", "Housing"): 4, ("Jobs", "Transportation"): 7,
        ("Family", "Jobs"): 1,
    },
    "Culture": {
        ("Bethesda", "Pittsburgh"): 1,
        ("Boston", "Bethesda"): 2, ("Boston", "Pittsburgh"): 2.5, ("Boston", "Santa Fe"): 1,
        ("Pittsburgh", "Bethesda"): 1,
        ("Santa Fe", "Bethesda"): 2, ("Santa Fe", "Pittsburgh"): 2.5,
    },
    "Family": {
        ("Bethesda", "Boston"): 2, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2,
        ("Pittsburgh", "Bethesda"): 3, ("Pittsburgh", "Boston"): 8, ("Pittsburgh", "Santa Fe"): 9,
    },
    "Housing": {
        ("Bethesda", "Boston"): 5, ("Bethesda", "Santa Fe"): 2.5,
        ("Pittsburgh", "Bethesda"): 2, ("Pittsburgh", "Boston"): 9, ("Pittsburgh", "Santa Fe"): 7,
        ("Santa Fe", "Boston"): 4,
    },
    "Jobs": {
        ("Bethesda", "Pittsburgh"): 3, ("Bethesda", "Santa Fe"): 4,
        ("Boston", "Bethesda"): 2, ("Boston", "Pittsburgh"): 6, ("Boston", "Santa Fe"): 8,
        ("Pittsburgh", "Santa Fe"): 1,
    },
    "Transportation": {
        ("Bethesda", "Boston"): 1.5, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2.5,
        ("Pittsburgh", "Bethesda"): 2, ("Pittsburgh", "Boston"): 3.5,
        ("Pittsburgh", "Santa Fe"): 9,
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("random_index", "digits", "expected"),
    [
        ("saaty", 3, {"Bethesda": 0.229, "Boston": 0.275, "Pittsburgh": 0.385, "Santa Fe": 0.111}),
        (
            "donegan-dodd",
            4,
            {"Bethesda": 0.2291, "Boston": 0.2748, "Pittsburgh": 0.3852, "Santa Fe": 0.1110},
        ),
    ],
)
def test_saaty_cities_hierarchy(random_index: str, digits: int, expected: dict[str, float]) -> None:
    criteria = ahp(CITIES["criteria"], random_index=random_index)  # type: ignore[arg-type]
    total = dict.fromkeys(expected, 0.0)
    for c, wc in criteria.as_dict().items():
        local = ahp(CITIES[c], random_index=random_index)  # type: ignore[arg-type]
        for city, w in local.as_dict().items():
            total[city] += wc * w
    assert {k: round(v, digits) for k, v in total.items()} == expected


def test_ahpy_car_criteria_and_cost() -> None:
    criteria = ahp(
        {
            ("Cost", "Safety"): 3, ("Cost", "Style"): 7, ("Cost", "Capacity"): 3,
            ("Safety", "Style"): 9, ("Safety", "Capacity"): 1, ("Style", "Capacity"): 1 / 7,
        },
        random_index="donegan-dodd",
    )  # fmt: skip
    assert rounded(criteria) == {"Cost": 0.51, "Safety": 0.234, "Style": 0.041, "Capacity": 0.215}
    assert round(criteria.cr, 3) == 0.08
    cost = ahp(
        {
            ("Price", "Fuel"): 2, ("Price", "Maintenance"): 5, ("Price", "Resale"): 3,
            ("Fuel", "Maintenance"): 2, ("Fuel", "Resale"): 2, ("Maintenance", "Resale"): 1 / 2,
        },
        random_index="donegan-dodd",
    )  # fmt: skip
    assert rounded(cost) == {"Price": 0.488, "Fuel": 0.252, "Maintenance": 0.1, "Resale": 0.161}
    assert round(cost.cr, 3) == 0.016


INCOMPLETE = {("a", "b"): 1, ("a", "c"): 5, ("a", "d"): 2, ("b", "c"): 3, ("b", "d"): 4}


def test_bozoki_incomplete_4x4() -> None:
    w = ahp(INCOMPLETE, random_index="donegan-dodd")
    assert w.missing == (("c", "d"),) and w.completion == "optimal"
    assert round(w.matrix[2][3], 4) == 0.7303
    assert rounded(w, 4) == {"a": 0.3738, "b": 0.392, "c": 0.0985, "d": 0.1357}
    assert round(w.cr, 4) == 0.0372
    # the missing pair is left out of the inconsistency list
    assert {frozenset((x.a, x.b)) for x in w.inconsistency()} == {frozenset(p) for p in INCOMPLETE}


def test_bozoki_incomplete_8x8() -> None:
    given = {
        ("a", "b"): 5, ("a", "c"): 3, ("a", "d"): 7, ("a", "e"): 6, ("a", "f"): 6,
        ("b", "d"): 5, ("b", "f"): 3, ("c", "e"): 3, ("c", "g"): 6, ("f", "d"): 4,
        ("g", "a"): 3, ("g", "e"): 5,
        ("h", "a"): 4, ("h", "b"): 7, ("h", "d"): 8, ("h", "f"): 6,
    }  # fmt: skip
    published = {
        ("b", "c"): 0.3300187496240363, ("b", "e"): 1.7197409185349517,
        ("b", "g"): 0.4663515002203321, ("c", "d"): 9.920512661898753,
        ("c", "f"): 4.852486449214693, ("c", "h"): 0.5696073301509899,
        ("d", "e"): 0.5252768142894285, ("d", "g"): 0.1424438146531802,
        ("e", "f"): 0.9311973564754218, ("e", "h"): 0.10930828182051665,
        ("f", "g"): 0.2912120796181874, ("g", "h"): 0.4030898885178746,
    }  # fmt: skip
    items = list("abcdefgh")
    w = ahp(given, items)
    assert set(w.missing) == set(published)
    for (a, b), value in published.items():
        assert w.matrix[items.index(a)][items.index(b)] == pytest.approx(value, rel=1e-3)
    harker = ahp(given, items, completion="harker")
    assert harker.completion == "harker"
    assert harker.lambda_max > w.lambda_max  # the optimal completion is the more consistent


def test_harker_completion_is_its_own_eigenvector() -> None:
    """Harker (1987): the weights are the Perron vector of the matrix with 0 for each
    missing pair and 1 + (missing pairs in the row) on the diagonal, and each missing
    pair is completed with w_i / w_j."""
    w = ahp(INCOMPLETE, completion="harker")
    c = np.array([[1, 1, 5, 2], [1, 1, 3, 4], [1 / 5, 1 / 3, 2, 0], [1 / 2, 1 / 4, 0, 2]])
    x = np.array(w.weights)
    lam = (c @ x) / x
    assert lam == pytest.approx(np.full(4, lam[0]), rel=1e-9)
    assert w.matrix[2][3] == pytest.approx(x[2] / x[3], rel=1e-12)
    assert w.lambda_max == pytest.approx(lam[0], rel=1e-9)


# --- properties -----------------------------------------------------------------------

positive_weights = st.lists(st.floats(1 / 3, 3.0), min_size=1, max_size=9)


@settings(max_examples=60, deadline=None)
@given(positive_weights)
def test_a_consistent_matrix_gives_its_weights_and_cr_0(raw: list[float]) -> None:
    x = np.array(raw) / sum(raw)
    w = ahp(x[:, None] / x[None, :])  # ratios of weights in 1/3-3: on the 1/9-9 scale
    assert w.weights == pytest.approx(tuple(x), abs=1e-9)
    assert w.lambda_max == pytest.approx(len(raw), abs=1e-9)
    assert w.cr == pytest.approx(0.0, abs=1e-9)
    assert all(abs(math.log(i.ratio)) < 1e-9 for i in w.inconsistency())


saaty_values = st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5, 7, 9])


@st.composite
def judgements(draw: st.DrawFn, min_size: int = 2) -> dict[tuple[str, str], float]:
    n = draw(st.integers(min_size, 8))
    items = [f"i{k}" for k in range(n)]
    return {(a, b): draw(saaty_values) for a, b in itertools.combinations(items, 2)}


@settings(max_examples=60, deadline=None)
@given(judgements(), st.randoms(use_true_random=False))
def test_weights_do_not_depend_on_the_order_of_items(j: dict, rnd: object) -> None:
    w = ahp(j)
    order = list(w.items)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    v = ahp(j, order)
    assert v.as_dict() == pytest.approx(w.as_dict(), abs=1e-9)
    assert v.cr == pytest.approx(w.cr, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(judgements())
def test_weights_are_reciprocal_and_positive(j: dict) -> None:
    w = ahp(j)
    m = np.array(w.matrix)
    assert m * m.T == pytest.approx(np.ones_like(m))
    assert min(w.weights) > 0 and sum(w.weights) == pytest.approx(1.0)
    assert w.lambda_max >= len(w.items) - 1e-9 and w.ci >= 0
    # a judgement turned around (b over a, 1 / value) is the same judgement
    flipped = ahp({(b, a): 1 / v for (a, b), v in j.items()}, w.items)
    assert flipped.weights == pytest.approx(w.weights, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(judgements(min_size=3), st.data())
def test_completion_keeps_judged_pairs_and_is_at_least_as_consistent(
    j: dict, data: st.DataObject
) -> None:
    pairs = sorted(j)
    items = sorted({x for p in pairs for x in p})
    # keep a spanning path, drop some of the rest
    path = {tuple(sorted((items[k], items[k + 1]))) for k in range(len(items) - 1)}
    dropped = data.draw(st.sets(st.sampled_from([p for p in pairs if p not in path])))
    kept = {p: v for p, v in j.items() if p not in dropped}
    opt = ahp(kept, items)
    harker = ahp(kept, items, completion="harker")
    assert set(opt.missing) == {tuple(sorted(p)) for p in dropped}
    for (a, b), v in kept.items():
        assert opt.matrix[items.index(a)][items.index(b)] == pytest.approx(v)
    assert opt.lambda_max <= harker.lambda_max + 1e-7


@settings(max_examples=40, deadline=None)
@given(judgements(), st.integers(1, 5))
def test_the_geometric_mean_of_identical_assessors_is_the_assessor(j: dict, k: int) -> None:
    alone = ahp(j)
    group = aggregate([j] * k, alone.items)
    assert group.weights == pytest.approx(alone.weights, abs=1e-9)


def test_aij_is_the_geometric_mean_of_the_judgements() -> None:
    g = aggregate([{("a", "b"): 2}, {("a", "b"): 8}])
    assert g.matrix[0][1] == pytest.approx(4.0)
    assert g.weights == pytest.approx((0.8, 0.2))


def test_concentration_matches_dirichlet_draws() -> None:
    rng = np.random.default_rng(7)
    shares = np.array([0.4, 0.3, 0.2, 0.1])
    draws = rng.dirichlet(60 * shares, size=4000)
    assert concentration_of(draws) == pytest.approx(60, rel=0.1)
    assert math.isinf(concentration_of(np.array([[0.5, 0.5], [0.5, 0.5]])))


# --- swing ---------------------------------------------------------------------------


def test_swing_normalises_the_ratings() -> None:
    s = swing(["legal", "trust", "industry"], {"legal": 100, "trust": 80, "industry": 20})
    assert s.weights == pytest.approx((0.5, 0.4, 0.1))


@pytest.mark.parametrize(
    ("ranking", "ratings", "fragment"),
    [
        (["a", "b"], {"b": 120}, "from 0 to 100"),
        (["a", "b"], {"a": 90, "b": 50}, "rated 100"),
        (["a", "b", "c"], {"b": 40, "c": 60}, "above 'b'"),
        (["a", "b"], {}, "no rating"),
        (["a", "a"], {"a": 100}, "ranked more than once"),
        (["a"], {"z": 10}, "rated but not ranked"),
    ],
)
def test_swing_errors(ranking: list[str], ratings: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        swing(ranking, ratings)


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparisons", "fragment"),
    [
        ({("a", "b"): 12}, "off Saaty's scale"),
        ({("a", "b"): 0.05}, "off Saaty's scale"),
        ({("a", "b"): -1}, "positive"),
        ({("a", "b"): "3"}, "must be a number"),
        ({("a", "b"): 3, ("b", "a"): 3}, "given twice"),
        ({("a", "a"): 3}, "compared with itself"),
        ({("a", "b"): 3, ("c", "d"): 2}, "do not connect"),
    ],
)
def test_bad_comparisons(comparisons: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        ahp(comparisons)


def test_a_matrix_must_be_reciprocal_square_with_unit_diagonal() -> None:
    with pytest.raises(InputError, match=r"\[0\]\[1\]: not reciprocal"):
        ahp([[1, 3], [3, 1]])
    with pytest.raises(InputError, match="square"):
        ahp([[1, 3, 2], [1 / 3, 1, 2]])
    with pytest.raises(InputError, match="diagonal"):
        ahp([[2, 3], [1 / 3, 1]])


def test_unknown_item_in_comparisons() -> None:
    with pytest.raises(InputError, match="'z' is not one of the items"):
        ahp({("a", "z"): 3}, ["a", "b"])


# --- a rubric's hierarchy -----------------------------------------------------------------


def _consistent(items: list[str], x: list[float]) -> dict[tuple[str, str], float]:
    return {(a, b): x[i] / x[j] for (i, a), (j, b) in itertools.combinations(enumerate(items), 2)}


def test_elicit_over_the_rubric_hierarchy() -> None:
    rubric = load_rubric()
    pillars = [p.id for p in rubric.pillars]
    first = rubric.pillars[0]
    crits = [c.id for c in first.criteria]
    ana = [1.0 + 0.5 * k for k in range(len(pillars))]
    ben = [2.0 + 0.5 * k for k in range(len(pillars))]
    j1 = Judgements(
        "ana",
        comparisons={
            PILLARS: _consistent(pillars, ana),
            first.id: _consistent(crits, [1.0 + k for k in range(len(crits))]),
        },
    )
    j2 = Judgements("ben", comparisons={PILLARS: _consistent(pillars, ben)})
    e = elicit(rubric, [j1, j2])
    shares = np.array(ana) / sum(ana)
    assert e.assessors[0].pillars.weights == pytest.approx(tuple(shares), abs=1e-9)
    assert e.assessors[0].worst_cr() == pytest.approx(0.0, abs=1e-9)
    # AIJ: the group compares each pair by the geometric mean of the two ratios
    gm = np.sqrt(np.array(ana) * np.array(ben))
    assert e.group.pillars.weights == pytest.approx(tuple(gm / gm.sum()), abs=1e-9)
    assert set(e.group.criteria) == {first.id}  # only ana judged criteria, of one pillar
    weights = e.rubric_weights()
    assert weights[pillars[0]] == pytest.approx(
        round(gm[0] / gm.sum() * len(pillars), 4), abs=1e-12
    )
    assert set(weights) == {*pillars, *crits}
    variant = e.weighted_rubric()
    assert variant.version.endswith("+custom") and variant.label != rubric.label
    assert e.concentration is not None and e.concentration > 0
    assert e.spread[0].low <= e.spread[0].mean <= e.spread[0].high
    for fmt in (e.to_text(), e.to_markdown(), e.to_json(), e.to_html()):
        assert "ana" in fmt


def test_elicit_names_the_assessor_and_the_problem() -> None:
    rubric = load_rubric()
    bad = Judgements("ana", comparisons={PILLARS: {("legal", "nowhere"): 3}}, source="ana.xlsx")
    with pytest.raises(InputError) as caught:
        elicit(rubric, [bad])
    assert "ana.xlsx" in str(caught.value) and "'nowhere' is not a pillar" in str(caught.value)


def test_elicit_swing_group_is_the_mean_of_the_weights() -> None:
    rubric = load_rubric()
    pillars = [p.id for p in rubric.pillars]
    ratings = {p: 100 - 5 * k for k, p in enumerate(pillars)}
    flat = dict.fromkeys(pillars, 100)
    e = elicit(
        rubric,
        [
            Judgements("a", "swing", ranking=tuple(pillars), ratings=ratings),
            Judgements("b", "swing", ranking=tuple(pillars), ratings=flat),
        ],
    )
    a = np.array(list(ratings.values())) / sum(ratings.values())
    b = np.full(len(pillars), 1 / len(pillars))
    assert [e.group.pillars.weight(p) for p in pillars] == pytest.approx(list((a + b) / 2))
    assert e.assessors[0].worst_cr() is None


def test_elicit_weighs_each_assessor_as_ahp_does() -> None:
    """Batched eigenvectors in elicit give what ahp gives one assessor at a time, for
    complete and incomplete judgements alike."""
    rubric = load_rubric()
    pillars = [p.id for p in rubric.pillars]
    rng = np.random.default_rng(5)
    people = []
    for k in range(4):
        pairs = {
            (a, b): float(rng.choice([1 / 5, 1 / 3, 1 / 2, 1, 2, 3, 5]))
            for a, b in itertools.combinations(pillars, 2)
            if k % 2 == 0 or pillars.index(b) - pillars.index(a) < 3
        }
        people.append(Judgements(f"p{k}", comparisons={PILLARS: pairs}))
    e = elicit(rubric, people)
    for j, a in zip(people, e.assessors, strict=True):
        alone = ahp(j.comparisons[PILLARS], pillars)
        assert isinstance(a.pillars, Pairwise)
        assert a.pillars.weights == pytest.approx(alone.weights, abs=1e-9)
        assert a.pillars.cr == pytest.approx(alone.cr, abs=1e-9)
        assert a.pillars.missing == alone.missing
    group = aggregate([j.comparisons[PILLARS] for j in people], pillars)
    assert e.group.pillars.weights == pytest.approx(group.weights, abs=1e-9)


def test_an_inconsistent_assessor_is_told_which_judgements_to_revisit() -> None:
    rubric = load_rubric()
    pillars = [p.id for p in rubric.pillars]
    x = [1.0 + 0.2 * k for k in range(len(pillars))]
    pairs = _consistent(pillars, x)
    for k in range(3):  # three judgements far from the rest turned around
        pairs[(pillars[k], pillars[-1 - k])] = 9.0
    e = elicit(rubric, [Judgements("ana", comparisons={PILLARS: pairs})])
    m = e.assessors[0].pillars
    assert isinstance(m, Pairwise) and m.cr is not None and m.cr > 0.1 and not m.consistent
    flagged = {(x.a, x.b) for x in m.inconsistency()[:3]}
    assert flagged == {(pillars[k], pillars[-1 - k]) for k in range(3)}
    text = e.to_text()
    assert "above 0.10: revisit" in text
    assert f"{pillars[0]} over {pillars[-1]}: judged 9" in text
