"""The ``readiness`` command, run in-process by the shared harness (tests/cli_harness.py)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_harness import assert_clean_error, cli
from tests.factories import EXAMPLES, ROOT

GOOD = {
    "id": "pact",
    "name": "Pact",
    "kind": "bilateral-alliance",
    "members": ["AAA", "BBB"],
    "ratings": {"trust.commitment-record": {"level": 3}},
}


def write(tmp_path: Path, content: str | dict, name: str = "p.json") -> Path:
    f = tmp_path / name
    f.write_text(content if isinstance(content, str) else json.dumps(content))
    return f


def test_assess_table():
    r = cli("assess", str(EXAMPLES / "nato.json"))
    assert r.returncode == 0, r.stderr
    assert "Overall:" in r.stdout and "Top gaps" in r.stdout


def test_assess_json_has_the_documented_fields():
    r = cli("assess", str(EXAMPLES / "aukus.json"), "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["partnership"]["id"] == "aukus"
    assert d["rubric"]["id"] == "defense-partnership" and d["rubric"]["version"]
    keys = ("overall", "band", "coverage", "lower", "upper", "options", "roadmap", "raw",
            "gate_loss", "profile_score", "score_after_gaps", "schema_version")  # fmt: skip
    for key in keys:
        assert key in d
    assert d["options"]["target"] == "technology-partnership"
    assert {"id", "score"} <= set(d["pillars"][0])
    assert {"id", "level", "score"} <= set(d["criteria"][0])
    assert {"criterion", "current", "target", "impact", "remediation"} <= set(d["gaps"][0])


def test_assess_markdown_and_target():
    r = cli("assess", str(EXAMPLES / "admm-plus.json"), "--format", "markdown",
            "--target", "collective-defense")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Readiness of")
    assert "`collective-defense`, named in the call" in r.stdout


def test_assess_explain():
    r = cli("assess", str(EXAMPLES / "us-japan.json"), "--explain")
    assert r.returncode == 0
    assert "sum of contributions" in r.stdout
    assert "\nHow the overall score of United States-Japan Alliance" in r.stdout
    assert r.stdout.endswith("\n") and not r.stdout.endswith("\n\n")
    # a Markdown report gets the explanation as one more section, in Markdown
    r = cli("assess", str(EXAMPLES / "us-japan.json"), "--explain", "--format", "markdown")
    assert r.returncode == 0
    assert "\n## How the overall score of United States-Japan Alliance" in r.stdout
    assert "| pillar / criterion | level | score | weight | eff.w | used | points |" in r.stdout


def test_fail_under_exits_1():
    r = cli("assess", str(EXAMPLES / "admm-plus.json"), "--fail-under", "90")
    assert r.returncode == 1
    assert "below --fail-under 90" in r.stderr
    assert cli("assess", str(EXAMPLES / "nato.json"), "--fail-under", "10").returncode == 0


def test_malformed_json(tmp_path: Path):
    f = write(tmp_path, '{"id": "x",')
    assert_clean_error(cli("assess", str(f)), str(f), "invalid JSON")


def test_empty_file(tmp_path: Path):
    f = write(tmp_path, "")
    assert_clean_error(cli("assess", str(f)), str(f), "the file is empty")


def test_level_of_7(tmp_path: Path):
    f = write(tmp_path, {**GOOD, "ratings": {"trust.commitment-record": {"level": 7}}})
    assert_clean_error(
        cli("assess", str(f)),
        str(f),
        "$.ratings['trust.commitment-record'].level",
        "(got 7)",
    )


def test_unknown_criterion_id(tmp_path: Path):
    f = write(tmp_path, {**GOOD, "ratings": {"trust.nope": {"level": 1}}})
    assert_clean_error(cli("assess", str(f)), "$.ratings['trust.nope']", "unknown criterion")


def test_missing_file(tmp_path: Path):
    assert_clean_error(cli("assess", str(tmp_path / "absent.json")), "file not found")


def test_unknown_rubric():
    assert_clean_error(cli("assess", str(EXAMPLES / "nato.json"), "--rubric", "nope"), "nope")


def test_usage_errors_exit_2():
    r = cli("assess")
    assert r.returncode == 2 and "usage:" in r.stderr
    r = cli("assess", str(EXAMPLES / "nato.json"), "--format", "pdf")
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = cli("frobnicate")
    assert r.returncode == 2


def test_validate(tmp_path: Path):
    r = cli("validate", *[str(p) for p in sorted(EXAMPLES.glob("*.json"))])
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok: ") == len(list(EXAMPLES.glob("*.json")))
    bad = write(tmp_path, {**GOOD, "kind": "pals"})
    r = cli("validate", str(bad), str(EXAMPLES / "nato.json"))
    assert r.returncode == 2 and "$.kind" in r.stderr and "ok: " in r.stdout


def test_validate_a_rubric():
    r = cli("validate", str(ROOT / "rubrics" / "defense-partnership.yaml"))
    assert r.returncode == 0 and "rubric defense-partnership@" in r.stdout


def test_rubrics():
    r = cli("rubrics")
    assert r.returncode == 0 and "defense-partnership" in r.stdout and "43 criteria" in r.stdout


@pytest.mark.parametrize("kind", ["rubric", "partnership"])
def test_schema(kind: str):
    r = cli("schema", kind)
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith(f"urn:readiness:{kind}:")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False


def test_help_on_every_command():
    for args in (["--help"], ["assess", "--help"], ["validate", "--help"], ["rubrics", "--help"],
                 ["schema", "--help"]):  # fmt: skip
        r = cli(*args)
        assert r.returncode == 0 and "usage: readiness" in r.stdout


def test_an_error_shows_the_usage_of_the_command_or_every_command():
    # the parser of a command named first has that command only: its errors are its own
    r = cli("validate")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("usage: readiness validate [-h]"), r.stderr
    assert "the following arguments are required: FILE" in r.stderr
    r = cli("valdate", "x.json")  # a typo: every command is a choice
    assert r.returncode == 2 and "invalid choice: 'valdate'" in r.stderr
    assert all(repr(name) in r.stderr for name in ("assess", "validate", "weights"))
    r = cli("--help", "validate")  # an option first: the whole list
    assert r.returncode == 0 and all(name in r.stdout for name in ("assess", "weights"))


def test_version():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("readiness ")


def _help_lines(parser: argparse.ArgumentParser) -> list[tuple[str, str | None]]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [(a.dest, a.help) for a in sub._choices_actions]


def test_the_command_table_is_what_the_commands_register():
    """``--help`` lists the commands from readiness.cli.COMMANDS without importing their
    modules: the lines and their order are those the modules' own parsers give."""
    from readiness.cli import COMMANDS, _parser

    every = _help_lines(_parser())  # every module imported and registered
    assert every == [(name, line) for name, (_, line) in COMMANDS.items()]
    assert _help_lines(_parser(["--help"])) == every  # the lines alone, no module imported
    for name, (module, _) in COMMANDS.items():
        # an option first: one command's real parser, the others' lines, in order
        assert _help_lines(_parser(["--version", name, "x"])) == every
        sub = next(
            a for a in _parser(["-h", name])._actions if isinstance(a, argparse._SubParsersAction)
        )
        assert sub.choices[name].description is not None, name  # its own parser, not a line
        # the command first: its module's parsers only (nothing else can be parsed)
        alone = [(n, line) for n, (m, line) in COMMANDS.items() if m == module]
        assert _help_lines(_parser([name, "x"])) == alone
        sub = next(a for a in _parser([name])._actions if isinstance(a, argparse._SubParsersAction))
        assert sub.choices[name].description is not None, name


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_no_command(args: list[str]):
    code = (
        "import sys; from readiness.cli import main\n"
        f"try: main({args!r})\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('readiness')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (
        out.stdout.strip().splitlines()[-1]
        == "['readiness', 'readiness._version', 'readiness.cli']"
    )


def test_json_for_several_files_is_one_array(tmp_path: Path):
    r = cli("assess", str(EXAMPLES), "--format", "json")
    assert r.returncode == 0, r.stderr
    documents = json.loads(r.stdout)
    assert isinstance(documents, list)
    assert len(documents) == len(list(EXAMPLES.glob("*.json")))
    single = json.loads(cli("assess", str(EXAMPLES / "nato.json"), "--format", "json").stdout)
    assert isinstance(single, dict)


def test_out_is_untouched_when_no_input_scores(tmp_path: Path):
    out = tmp_path / "scores.csv"
    out.write_text("keep me\n")
    bad = write(tmp_path, "{", "bad.json")
    r = cli("assess", str(bad), "--out", str(out))
    assert r.returncode == 2
    assert "nothing written" in r.stderr
    assert out.read_text() == "keep me\n"


def test_out_says_how_many_were_written(tmp_path: Path):
    out = tmp_path / "scores.csv"
    bad = write(tmp_path, "{", "bad.json")
    r = cli("assess", str(EXAMPLES / "nato.json"), str(bad), "--out", str(out))
    assert r.returncode == 2
    assert "wrote 1 of 2 partnerships" in r.stderr
    assert out.read_text().count("\n") == 2


def test_report_refuses_an_unknown_extension(tmp_path: Path):
    target = tmp_path / "nato.pdf"
    r = cli("report", str(EXAMPLES / "nato.json"), "-o", str(target))
    assert r.returncode == 2
    assert "cannot tell the report format" in r.stderr
    assert not target.exists()


def test_report_says_what_it_wrote_like_the_other_writers(tmp_path: Path):
    target = tmp_path / "nato.html"
    r = cli("report", str(EXAMPLES / "nato.json"), "-o", str(target))
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr == f"readiness: wrote the html report of nato to {target}\n"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    printed = cli("report", str(EXAMPLES / "nato.json"))  # standard output: nothing more said
    assert printed.returncode == 0 and printed.stderr == ""


def test_duplicate_json_keys_are_an_error(tmp_path: Path):
    f = write(tmp_path, '{"id": "a", "name": "A", "id": "b"}')
    assert_clean_error(cli("validate", str(f)), "duplicate key 'id'")


def test_a_byte_order_mark_is_accepted(tmp_path: Path):
    f = tmp_path / "p.json"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert cli("validate", str(f)).returncode == 0


def test_validate_counts_derived_levels():
    r = cli("validate", str(EXAMPLES / "aukus.json"))
    assert r.returncode == 0
    assert " derived" in r.stdout and " rated" in r.stdout and "(of 43 criteria)" in r.stdout


def test_fail_under_must_be_a_score():
    r = cli("assess", str(EXAMPLES / "nato.json"), "--fail-under", "150")
    assert r.returncode == 2 and "between 0 and 100" in r.stderr


def test_reports_say_where_derived_levels_come_from():
    r = cli("assess", str(EXAMPLES / "aukus.json"), "--format", "markdown")
    assert "derived from facts" in r.stdout
    assert "  - From facts: " in r.stdout
    assert "confidence None" not in r.stdout


def test_one_json_document_from_the_api_assess_and_report(tmp_path):
    import jsonschema

    from readiness import assess, load_partnership
    from readiness.report.model import report_json_schema

    path = str(EXAMPLES / "aukus.json")
    from_assess = json.loads(cli("assess", path, "--format", "json").stdout)
    out = tmp_path / "r.json"
    assert cli("report", path, "-o", str(out)).returncode == 0
    from_report = json.loads(out.read_text())
    from_api = assess(load_partnership(path)).to_dict()
    assert from_assess == from_report == json.loads(json.dumps(from_api))
    assert from_report["schema_version"] == "1.3"
    schema = json.loads(cli("schema", "report").stdout)
    assert schema == json.loads(json.dumps(report_json_schema()))
    jsonschema.validate(from_report, schema)
    broken = from_report | {"overall": "high"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


# --- limits on input files --------------------------------------------------------------


@pytest.mark.parametrize("command", ["assess", "validate"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 200_000, "line 1 column 65: lists and mappings are nested more than 64 levels"),
        (
            '{"id": "pact", "name": "Pact", "facts": ' + "[" * 3000 + "]" * 3000 + "}",
            "nested more than 64 levels deep",
        ),
        ('{"id": "pact", "members": ' + "1" * 5000 + "}", "an integer of 5000 digits"),
    ],
    ids=["200000-brackets", "deep-inside", "huge-integer"],
)
def test_hostile_partnership_files_are_clean_errors(
    tmp_path: Path, command: str, content: str, message: str
):
    f = write(tmp_path, content)
    assert_clean_error(cli(command, str(f)), str(f), message)


def test_a_rubric_with_a_huge_weight_is_refused(tmp_path: Path):
    text = (ROOT / "tests" / "fixtures" / "small.yaml").read_text()
    f = write(tmp_path, text.replace("weight: 3\n", "weight: 1e308\n"), "r.yaml")
    assert_clean_error(
        cli("assess", str(EXAMPLES / "nato.json"), "--rubric", str(f)),
        f"{f}: $.pillars[0].criteria[1].weight: weight must be between 0.001 and 1000",
    )


def test_a_rubric_with_a_repeated_yaml_key_is_refused(tmp_path: Path):
    text = (ROOT / "tests" / "fixtures" / "small.yaml").read_text()
    f = write(
        tmp_path, text.replace("version: 0.1.0\n", "version: 0.1.0\nversion: 0.2.0\n"), "r.yaml"
    )
    assert_clean_error(
        cli("validate", str(f)), f"{f}: line 4 column 1: duplicate key 'version' (first at line 3"
    )


# --- rubrics --criteria ---------------------------------------------------------------------


def test_rubrics_criteria_lists_every_criterion():
    r = cli("rubrics", "--criteria")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("defense-partnership@") and "43 criteria" in lines[0]
    assert lines[1].split() == [
        "pillar", "id", "weight", "effective", "critical", "derive", "title",
    ]  # fmt: skip
    assert len(lines) == 2 + 43
    joint = next(line for line in lines if " training.joint-exercises " in line)
    assert "bands on exercises_per_year" in joint and "Joint exercises" in joint
    assert "%" in joint


def test_rubrics_criteria_of_a_rubric_file():
    small = str(ROOT / "tests" / "fixtures" / "small.yaml")
    r = cli("rubrics", "--criteria", "--rubric", small)
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[2:]]
    assert [row[:4] for row in rows] == [
        ["a", "a.one", "1", "16.7%"],
        ["a", "a.two", "3", "50.0%"],
        ["b", "b.one", "1", "16.7%"],
        ["b", "b.two", "1", "16.7%", "yes"][:4],
    ]
    assert rows[3][4] == "yes"


def test_rubrics_criteria_as_csv_has_every_column():
    import csv
    import io

    r = cli("rubrics", "--criteria", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 43
    assert list(rows[0]) == [
        "pillar", "id", "title", "question", "weight", "effective_weight", "critical", "derive",
    ]  # fmt: skip
    assert abs(sum(float(row["effective_weight"]) for row in rows) - 1) < 1e-9


def test_rubrics_criteria_as_csv_quotes_text_a_spreadsheet_would_run(tmp_path: Path):
    import csv
    import io

    small = (ROOT / "tests" / "fixtures" / "small.yaml").read_text(encoding="utf-8")
    assert "title: A one" in small  # a criterion's title
    hostile = small.replace("title: A one", 'title: "=HYPERLINK(1)"', 1)
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile, encoding="utf-8")
    r = cli("rubrics", "--criteria", "--format", "csv", "--rubric", str(path))
    assert r.returncode == 0, r.stderr
    cells = [cell for row in csv.reader(io.StringIO(r.stdout)) for cell in row]
    assert "'=HYPERLINK(1)" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


def test_rubrics_criteria_help_and_errors(tmp_path: Path):
    r = cli("rubrics", "--help")
    text = " ".join(r.stdout.split())
    assert r.returncode == 0 and "--criteria list every criterion" in text
    assert "effective weight (its share of the overall score)" in text
    assert_clean_error(cli("rubrics", "--criteria", "--rubric", "nope"), "no shipped rubric")
    r = cli("rubrics", "--format", "csv")
    assert r.returncode == 2 and "--format applies to --criteria only" in r.stderr
    bad = write(tmp_path, "id: x\nid: y\n", "bad.yaml")
    assert_clean_error(cli("rubrics", "--criteria", "--rubric", str(bad)), "duplicate key 'id'")


def test_the_command_spares_pydantic_its_plugin_scan_and_leaves_the_environment_as_it_was():
    # the scan reads every installed distribution's entry points: a cold command skips it,
    # unless the user set PYDANTIC_DISABLE_PLUGINS (e.g. to 0, to keep their plugins)
    code = (
        "import json, os, sys; from readiness.cli import main; "
        "code = main(['validate', 'examples/partnerships/nato.json']); "
        "loader = sys.modules.get('pydantic.plugin._loader'); "
        "print(json.dumps([code, loader is not None and loader._plugins is not None, "
        "os.environ.get('PYDANTIC_DISABLE_PLUGINS'), 'importlib.metadata' in sys.modules, "
        "repr(main(['validate', 'examples/partnerships/nato.json']))]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    # nor is the loader imported (it loads importlib.metadata): a stand-in that finds no
    # plugins stands in for it while the command runs, and a second run works alike
    for given, scanned in ((None, False), ("0", True)):
        if given is not None:
            env["PYDANTIC_DISABLE_PLUGINS"] = given
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        last = json.loads(out.stdout.strip().splitlines()[-1])
        assert last == [0, scanned, given, scanned, "0"], out.stderr


def test_validate_says_what_assess_finds_without_scoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    # validate checks with the loader and the resolver only: its counts are those of the
    # assessment's criteria, and a rating that overrides facts without a justification
    # is refused with the very problems assess raises
    from collections import Counter

    import readiness
    from readiness.cli import main

    rubric = readiness.load_rubric()
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "assessments" in data:  # a panel file is a partnership of several assessors
            continue
        a = readiness.assess(readiness.load_partnership(path), rubric)
        origins = Counter(c.origin for c in a.criteria)
        assert main(["validate", str(path)]) == 0
        counts = capsys.readouterr().out.split(": ", 3)[-1]
        for origin, n in origins.items():
            assert f"{n} {origin}" in counts, (path.name, counts)
        assert f"(of {len(rubric.criteria)} criteria)" in counts
    nato = json.loads((EXAMPLES / "nato.json").read_text(encoding="utf-8"))
    p = readiness.load_partnership(EXAMPLES / "nato.json")
    derived = [c.id for c in readiness.assess(p, rubric).criteria if c.origin == "derived"][:2]
    assert len(derived) == 2
    for level in (0, "not-applicable"):
        bad = json.loads(json.dumps(nato))
        for cid in derived:
            bad["ratings"][cid] = {"level": level}
        f = tmp_path / "override.json"
        f.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(readiness.InputError) as raised:
            readiness.assess(readiness.load_partnership(f), rubric)
        assert main(["validate", str(f)]) == 2
        err = capsys.readouterr().err
        assert len(raised.value.problems) == len(derived)
        for problem in raised.value.problems:
            assert f"{problem.path}: {problem.message}" in err, err
