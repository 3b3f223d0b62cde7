"""COW state codes as member codes (readiness.io.cow)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from readiness.io.cow import COW_TO_ISO3, member_code


def test_known_pairs():
    pairs = {2: "USA", 200: "GBR", 255: "DEU", 260: "DEU", 365: "RUS", 345: "SRB", 710: "CHN",
             713: "TWN", 732: "KOR", 731: "PRK", 816: "VNM", 679: "YEM", 316: "CZE"}  # fmt: skip
    assert {k: member_code(k) for k in pairs} == pairs


def test_historical_states_keep_a_cow_code():
    for cow in (300, 240, 245, 265, 315, 678, 680, 817, 730, 8152):
        assert member_code(cow) == f"COW-{cow}"


def test_table_shape():
    assert all(re.fullmatch(r"[A-Z]{3}", iso) for iso in COW_TO_ISO3.values())
    repeated = {iso for iso in COW_TO_ISO3.values() if list(COW_TO_ISO3.values()).count(iso) > 1}
    assert repeated == {"DEU"}  # 255 Germany and 260 the German Federal Republic


@given(st.integers(min_value=1, max_value=10_000))
def test_every_code_has_a_stable_member_code(cow: int):
    code = member_code(cow)
    assert code == member_code(cow)
    assert code == COW_TO_ISO3[cow] if cow in COW_TO_ISO3 else code == f"COW-{cow}"
