"""readiness._io.read_document: limits on size, nesting, integers, keys and aliases."""

from __future__ import annotations

import json
import marshal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness._io import MAX_BYTES, MAX_DEPTH, _read_json, _read_json_exact, read_document
from readiness.errors import InputError, RubricError


def problem_of(path: Path, error: type[InputError] | type[RubricError] = InputError):
    """The one problem ``read_document`` reports for ``path`` (checked to name the file)."""
    with pytest.raises(error) as caught:
        read_document(path, error)
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


# --- nesting --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_200000_open_brackets_are_refused_without_recursion(tmp_path: Path, name: str):
    problem = problem_of(write(tmp_path, name, "[" * 200_000))
    assert problem.path == f"line 1 column {MAX_DEPTH + 1}"
    assert f"nested more than {MAX_DEPTH} levels deep" in problem.message


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_nesting_deeper_than_the_recursion_limit_inside_a_document(tmp_path: Path, name: str):
    head = '{"a": 1, "b": '
    text = head + "[" * 5000 + "]" * 5000 + "}"
    problem = problem_of(write(tmp_path, name, text), RubricError)
    assert problem.path == f"line 1 column {len(head) + MAX_DEPTH}"  # the 64th "[" is level 65


@pytest.mark.parametrize("name", ["ok.json", "ok.yaml"])
def test_nesting_up_to_the_limit_is_read(tmp_path: Path, name: str):
    data = read_document(write(tmp_path, name, "[" * MAX_DEPTH + "]" * MAX_DEPTH), InputError)
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == []


def test_block_yaml_nesting_is_limited_too(tmp_path: Path):
    text = "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 1)) + " " * (MAX_DEPTH + 1) + "v\n"
    problem = problem_of(write(tmp_path, "block.yaml", text))
    assert problem.path == f"line {MAX_DEPTH + 1} column {MAX_DEPTH + 1}"


def test_brackets_inside_json_strings_do_not_count(tmp_path: Path):
    text = '{"a": "' + "[{" * 500 + '\\"]"}'
    assert read_document(write(tmp_path, "s.json", text), InputError) == {"a": "[{" * 500 + '"]'}


# --- integers -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "column"), [("big.json", 7), ("big.yaml", 4)])
def test_an_integer_of_5000_digits_is_refused(tmp_path: Path, name: str, column: int):
    text = ('{"a": ' + "7" * 5000 + "}") if name.endswith("json") else "a: " + "7" * 5000
    problem = problem_of(write(tmp_path, name, text))
    assert problem.path == f"line 1 column {column}"
    assert problem.message == "an integer of 5000 digits; at most 4300 are allowed"


@pytest.mark.parametrize("name", ["n.json", "n.yaml"])
def test_an_integer_of_4300_digits_is_read(tmp_path: Path, name: str):
    assert read_document(write(tmp_path, name, "[" + "9" * 4300 + "]"), InputError) == [
        int("9" * 4300)
    ]


# --- duplicate keys -------------------------------------------------------------------


def test_duplicate_yaml_keys_are_refused_with_line_and_column(tmp_path: Path):
    text = "id: x\npillars:\n  - id: a\n    weight: 1\n    title: A\n    weight: 2\n"
    problem = problem_of(write(tmp_path, "dup.yaml", text), RubricError)
    assert problem.path == "line 6 column 5"
    assert problem.message == "duplicate key 'weight' (first at line 4 column 5)"


def test_duplicate_yaml_keys_in_flow_style(tmp_path: Path):
    problem = problem_of(write(tmp_path, "dup.yaml", "levels: {0: a, 1: b, 0: c}\n"))
    assert problem.path == "line 1 column 22"
    assert "duplicate key 0" in problem.message


def test_yaml_merge_keys_may_still_be_overridden(tmp_path: Path):
    text = "base: &b {a: 1, b: 2}\nmine:\n  <<: *b\n  a: 5\n"
    assert read_document(write(tmp_path, "m.yaml", text), InputError)["mine"] == {"a": 5, "b": 2}


# --- aliases --------------------------------------------------------------------------


def test_a_yaml_alias_may_not_contain_itself(tmp_path: Path):
    problem = problem_of(write(tmp_path, "loop.yaml", "a: &a [*a]\n"))
    assert problem.path.startswith("$.a[0][0]")
    assert "once YAML aliases are expanded" in problem.message


def test_yaml_aliases_may_not_explode(tmp_path: Path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    problem = problem_of(write(tmp_path, "laughs.yaml", "\n".join(lines)))
    assert problem.path == "$"
    assert "YAML aliases expand the document past 1,000,000 values" in problem.message


def test_modest_yaml_aliases_are_read(tmp_path: Path):
    data = read_document(write(tmp_path, "a.yaml", "a: &a [1, 2]\nb: [*a, *a]\n"), InputError)
    assert data == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


# --- size -----------------------------------------------------------------------------


def test_a_file_over_50_mb_is_refused(tmp_path: Path):
    f = tmp_path / "huge.json"
    with f.open("wb") as out:
        out.truncate(MAX_BYTES + 1)  # sparse: costs no disk space
    problem = problem_of(f)
    assert problem.message == "the file is larger than 50 MB, the most that is read"


def test_windows_line_ends_still_give_the_right_line(tmp_path: Path):
    f = tmp_path / "crlf.json"
    f.write_bytes(b'{\r\n"a": 1,\r\n"b": }\r\n')
    assert problem_of(f).path == "line 3 column 6"


def test_a_yaml_number_with_an_exponent_is_a_number(tmp_path: Path):
    text = "a: 1e-3\nb: -2E+2\nc: 1.5e3\nd: '1e3'\ne: 1e\nf: 12\ng: .5e1\nh: 1.0e+1\n"
    text += "i: 000_375e20\n"
    data = read_document(write(tmp_path, "e.yaml", text), InputError)
    assert data == {
        "a": 0.001, "b": -200.0, "c": 1500.0, "d": "1e3", "e": "1e", "f": 12, "g": 5.0, "h": 10.0,
        "i": "000_375e20",  # a seed document name, not a number
    }  # fmt: skip


def test_shipped_files_read_the_same_with_the_fast_loader():
    from readiness._resources import data_dir

    files = [
        f
        for kind in ("rubrics", "seeds")
        for f in data_dir(kind).iterdir()
        if f.name.endswith((".yaml", ".yml"))
    ]
    assert len(files) >= 3
    for f in files:
        strict = read_document(f, RubricError)
        assert read_document(f, RubricError, shipped=True) == strict, f.name


def _shipped_yaml() -> list[Path]:
    from readiness._resources import data_dir

    folders = [data_dir("rubrics"), data_dir("rubrics") / "versions", data_dir("seeds")]
    return [Path(str(f)) for d in folders for f in d.iterdir() if f.name.endswith(".yaml")]


def test_the_parsed_shipped_files_are_current():
    # readiness/_parsed.marshal holds exactly the shipped YAML files, each parsed as now
    # (repr tells 1 from 1.0 and True, and keeps the order of keys); `make parsed`
    import hashlib

    from readiness._io import _parsed_table, _read_yaml

    _parsed_table.cache_clear()
    table = _parsed_table()
    files = _shipped_yaml()
    assert len(files) >= 5
    keys = set()
    for f in files:
        text = f.read_text(encoding="utf-8-sig")
        key = hashlib.sha256(text.encode()).hexdigest()
        keys.add(key)
        assert key in table, f"{f} changed: run `make parsed`"
        fresh = _read_yaml(text, f.name, RubricError, shipped=True)
        assert repr(marshal.loads(table[key])) == repr(fresh), f"{f}: run `make parsed`"
    assert set(table) == keys, "readiness/_parsed.marshal holds files no longer shipped"


def test_a_shipped_file_is_not_parsed_again(monkeypatch):
    import readiness._io as rio

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(rio, "_read_yaml", refuse)
    for f in _shipped_yaml():
        first = read_document(f, RubricError, shipped=True)
        again = read_document(f, RubricError, shipped=True)
        assert first == again and first is not again  # fresh objects: callers may edit them
    with pytest.raises(AssertionError, match="parsed again"):  # not without shipped=True
        read_document(_shipped_yaml()[0], RubricError)


def test_an_edited_or_unknown_shipped_text_is_parsed(tmp_path, monkeypatch):
    import readiness._io as rio

    rubric = next(f for f in _shipped_yaml() if f.parent.name == "rubrics")
    edited = write(tmp_path, "edited.yaml", rubric.read_text() + "\nextra: 1\n")
    assert read_document(edited, RubricError, shipped=True)["extra"] == 1
    twice = write(tmp_path, "twice.yaml", rubric.read_text() + "\nid: again\n")
    with pytest.raises(RubricError, match="duplicate key 'id'"):
        read_document(twice, RubricError, shipped=True)
    # a missing or unreadable file of parsed data: every file is parsed, as before
    for content in (None, b"not marshal data"):
        broken = tmp_path / "parsed.marshal"
        if content is not None:
            broken.write_bytes(content)
        monkeypatch.setattr(rio, "PARSED", broken)
        rio._parsed_table.cache_clear()
        assert rio._parsed_table() == {}
        fresh = read_document(rubric, RubricError)
        assert read_document(rubric, RubricError, shipped=True) == fresh
    rio._parsed_table.cache_clear()


def test_the_fast_loader_keeps_the_key_and_integer_checks(tmp_path):
    twice = tmp_path / "twice.yaml"
    twice.write_text("a: 1\na: 2\n")
    with pytest.raises(RubricError, match="duplicate key 'a'"):
        read_document(twice, RubricError, shipped=True)
    huge = tmp_path / "huge.yaml"
    huge.write_text("a: " + "9" * 5000 + "\n")
    with pytest.raises(RubricError, match="5000 digits"):
        read_document(huge, RubricError, shipped=True)
    exponent = tmp_path / "e.yaml"
    exponent.write_text("a: 1e-3\n")
    assert read_document(exponent, RubricError, shipped=True) == {"a": 0.001}


# --- the quick JSON path (orjson) and the exact one ------------------------------------


def _outcome(read: Any, text: str) -> tuple[str, Any]:
    """What a JSON reader makes of ``text``: ``("ok", data)`` or ``("error", problems)``."""
    try:
        data = read(text, "doc.json", InputError)
    except InputError as exc:
        return "error", [(p.path, p.message) for p in exc.problems] or str(exc)
    return "ok", json.dumps(data, sort_keys=True)  # tells 1 from 1.0 and -0.0 from 0.0


def _same_as_the_exact_parse(text: str) -> None:
    assert _outcome(_read_json, text) == _outcome(_read_json_exact, text), text[:200]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": "\\u003a"}',  # the repeated key's colon comes back as an escaped one
        '{"a": 1, "a": "\\u003A"}',
        '{"a": {"b": 1, "b": 2}}',
        '{"a": "x:y", "b": {"c": 1, "c": 1}}',
        '{"a": "say \\"x\\": y", "a": 2}',
        '{"n": 123456789012345678901234567890}',  # orjson alone: a float
        '{"n": -9223372036854775809, "m": 18446744073709551616}',
        '{"n": 1e400}',  # json: inf; orjson refuses
        '{"n": NaN, "m": -Infinity}',
        '"\\ud800"',
        '{"a": 1,}',
        "[" * 64 + "]" * 64,
        "[" * 65 + "]" * 65,
        '{"a": ' * 70 + "1" + "}" * 70,
        "[" * 300 + "]" * 300,  # deeper than orjson writes
        "[" * 2000 + "]" * 2000,  # deeper than orjson reads
        '["[[[[", {"k": "]]]]:"}]',
        "12",
        '"a:b"',
    ],
)
def test_the_quick_json_path_agrees_with_the_exact_parse(text: str):
    _same_as_the_exact_parse(text)


_KEYS = st.sampled_from(["a", "b", "a:b", "ü", '"q"', "\\u003a", "k"])
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=':"{}[]\\ab\u00fc\U0001f600', max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans())
def test_any_json_reads_as_the_exact_parse_reads_it(value: Any, ascii: bool):
    _same_as_the_exact_parse(json.dumps(value, ensure_ascii=ascii))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, min_size=1), _JSON, st.booleans(), st.data())
def test_a_repeated_key_is_found_on_the_quick_path(
    obj: dict[str, Any], again: Any, ascii: bool, data: Any
):
    key = data.draw(st.sampled_from(sorted(obj)))
    text = json.dumps(obj, ensure_ascii=ascii)
    twice = f"{text[:-1]}, {json.dumps(key, ensure_ascii=ascii)}: {json.dumps(again)}}}"
    for doc in (twice, f'{{"outer": [1, {twice}]}}'):
        kind, _ = _outcome(_read_json, doc)
        assert kind == "error"
        _same_as_the_exact_parse(doc)
