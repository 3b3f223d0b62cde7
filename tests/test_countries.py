"""readiness.countries: member codes read from pycountry's data files, as pycountry has them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from readiness import countries


def test_the_codes_read_from_the_files_are_pycountrys():
    countries._codes.cache_clear()
    codes = countries._codes()
    assert codes == countries._tables()[0]
    assert {"USA", "JPN", "SUN", "YUG", "DDR", "CSK"} <= codes


def test_without_the_files_the_codes_come_from_pycountry(monkeypatch):
    monkeypatch.setattr(countries, "find_spec", lambda name: None)
    countries._codes.cache_clear()
    try:
        assert countries._codes() == countries._tables()[0]
    finally:
        countries._codes.cache_clear()


@pytest.mark.parametrize(
    ("code", "ok"),
    [("USA", True), ("SUN", True), ("COW-245", True), ("XKX", True), ("INDIA", False)],
)
def test_member_codes(code, ok):
    assert countries.is_member_code(code) is ok


def test_checking_a_good_code_does_not_import_pycountry():
    # pycountry builds its objects when imported and iterated (its whole database);
    # a valid code needs only the set of codes, a bad one the names for a suggestion
    code = (
        "import sys; from readiness.countries import is_member_code, member_problem; "
        "assert is_member_code('USA') and member_problem('JPN') is None; "
        "print('pycountry' in sys.modules); "
        "assert member_problem('INDIA').endswith(\"did you mean 'IND'?\"); "
        "print('pycountry' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
