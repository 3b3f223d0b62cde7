"""The house stays as ARCHITECTURE.md draws it: layers (import-linter) and no import cycle."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every module that can reach itself, with one loop through it (iterative DFS)."""
    found = []
    for start in sorted(graph.modules):
        for nxt in graph.find_modules_directly_imported_by(start):
            chain = graph.find_shortest_chain(importer=nxt, imported=start)
            if chain:
                found.append([start, *chain])
                break
    return found


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("readiness", exclude_type_checking_imports=True)
    # a package importing its own submodules (readiness.report -> readiness.report.html)
    # is how packages re-export; a cycle is anything else that comes back
    cycles = [
        c
        for c in _cycles(graph)
        if not any(b.startswith(a + ".") for a, b in itertools.pairwise(c))
    ]
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_layers_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the dev group)")
    out = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-3000:]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("rules", "report.model"),  # up a floor
        ("io/_cells", "cli"),  # rooms of the face floor: readers do not call the command line
        ("gaps", "plan"),  # rooms of the explain floor: the plan builds on the gaps
        ("compare", "panel"),  # consumers of assessments stay independent
        ("assessment", "robustness"),  # an assessment does not import its consumers
        ("derive", "scoring"),  # engines are independent
        ("facts", "rules"),  # rules read facts, not the other way
        ("errors", "_io"),  # errors stand alone
    ],
)
def test_the_layering_test_can_fail(tmp_path, importer, imported):
    # the same contracts on a copy of the package with one forbidden import added must break
    pkg = tmp_path / "readiness"
    shutil.copytree(ROOT / "readiness", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    module = pkg / f"{importer}.py"
    target = f"readiness.{imported.replace('/', '.')}"
    module.write_text(module.read_text() + f"\nimport {target} as _m  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the dev group)")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([lint], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert out.returncode != 0
    source = f"readiness.{importer.replace('/', '.')}"
    allowed = f"is not allowed to import {target.rsplit('.', 1)[0] if '.' in imported else target}"
    assert allowed in out.stdout, out.stdout[-2000:]
    assert source.split(".")[1] in out.stdout


def test_the_command_line_and_the_package_start_without_heavy_imports():
    # --help, --version and `import readiness` must not load pandas or the scoring core
    code = (
        "import sys, readiness, readiness.cli; "
        "from readiness.cli import main; "
        "heavy = [m for m in ('pandas', 'numpy', 'pydantic', 'yaml', 'jinja2') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    # a new process: the modules a fresh interpreter loads (start-up time)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    # validating a partnership needs the numpy rule engine, but never pandas
    code = (
        "import sys; from readiness.cli import main; "
        "main(['validate', 'examples/partnerships/nato.json']); "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


LAZY_STDLIB = {"importlib.metadata", "importlib.resources", "zipfile"}
"""Standard modules loaded only where needed: ``importlib.resources`` for a package
imported from a zip archive, ``importlib.metadata`` for pydantic's plugins (which a
command does not load, readiness.cli._no_pydantic_plugins)."""

HEAVY = ("pandas", "scipy", "matplotlib", "jinja2", "pyarrow", "openpyxl", "sklearn")
"""Libraries that `validate` never needs."""

VALIDATE_MAY_LOAD = {
    # base, describe, and the engines a partnership's derived levels and counts need
    # (the rule engine and the resolver: validate checks what assess checks, unscored)
    "readiness", "readiness._atomic", "readiness._io", "readiness._limits",
    "readiness._models", "readiness._numbers", "readiness._prebuilt", "readiness._resources",
    "readiness._text",
    "readiness._version", "readiness.errors", "readiness.facts", "readiness.rules",
    "readiness.sources", "readiness.rubric", "readiness.partnership", "readiness.derive",
    "readiness.countries", "readiness.resolve",
}  # fmt: skip


COLD_NEVER_LOADS = {"yaml", *LAZY_STDLIB}
"""What a cold ``validate`` or ``assess`` of a JSON partnership never loads: PyYAML (the
shipped rubric is read from ``readiness/_parsed.marshal``; a YAML file loads it), nor
the standard modules of :data:`LAZY_STDLIB`."""


def _loaded_by(argv: list[str]) -> tuple[set[str], set[str]]:
    """The readiness modules (the CLI's own aside) and the top-level packages (with the
    modules of :data:`LAZY_STDLIB` by their full names) that ``readiness ARGV`` loads,
    run in a fresh interpreter."""
    code = (
        "import json, sys; from readiness.cli import main; "
        f"code = main({argv!r}); "
        "print(json.dumps([code, sorted(sys.modules)]))"
    )
    out = subprocess.run(  # a new process: the modules a fresh interpreter loads
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert code == 0, out.stderr
    ours = {
        m for m in modules if m.split(".")[0] == "readiness" and not m.startswith("readiness.cli")
    }
    lazy = {m for m in modules if m in LAZY_STDLIB}
    return ours, {m.split(".")[0] for m in modules} | lazy


def test_validate_loads_only_what_checking_needs():
    # a partnership: the describe floor and the engines (derive, scoring), nothing that
    # explains or renders, and no pandas/scipy/plotting
    ours, packages = _loaded_by(["validate", "examples/partnerships/nato.json"])
    assert ours <= VALIDATE_MAY_LOAD, sorted(ours - VALIDATE_MAY_LOAD)
    assert not ours & {"readiness.scoring", "readiness.assessment"}  # nothing is scored
    assert "readiness.resolve" in ours  # the overrides of derived levels are checked
    assert not packages & {*HEAVY, "pycountry"}, sorted(packages & {*HEAVY, "pycountry"})
    assert not packages & COLD_NEVER_LOADS, sorted(packages & COLD_NEVER_LOADS)
    # a rubric file is checked without the numpy core at all
    ours, packages = _loaded_by(["validate", "rubrics/defense-partnership.yaml"])
    assert not ours & {"readiness.derive", "readiness.scoring", "readiness.assessment"}
    assert not packages & {"numpy", *HEAVY}, sorted(packages & {"numpy", *HEAVY})
    assert "yaml" in packages  # a YAML file is parsed: PyYAML is loaded where it is needed


ASSESS_NEVER_LOADS = {
    # a panel file is told apart without them; nothing of a questionnaire, a batch, a
    # plan, the robustness engine or the HTML page is on the terminal path;
    "readiness.panel", "readiness.agreement", "readiness.consensus", "readiness.batch",
    "readiness.plan", "readiness.robustness", "readiness.rate_first", "readiness.explain",
    "readiness.io", "readiness.report.html", "readiness.compare", "readiness.trend",
    # of the document floor, the text renderer only: not the HTML, JSON or Markdown one
    # nor the charts
    "readiness.document.html", "readiness.document.json", "readiness.document.markdown",
    "readiness.document.charts", "readiness.report.markdown",
    # of the words, those of the report and its gaps only
    "readiness.document.words.compare", "readiness.document.words.diff",
    "readiness.document.words.explain", "readiness.document.words.panel",
    "readiness.document.words.plan", "readiness.document.words.weights",
}  # fmt: skip


def test_assess_to_the_terminal_loads_only_what_it_needs():
    # the default `readiness assess FILE`: the terminal report, without pandas, pyarrow,
    # jinja2 or scipy (an eager import of any of them, anywhere on the path, fails here),
    # nor pycountry's database for a file whose member codes are good
    ours, packages = _loaded_by(["assess", "examples/partnerships/nato.json"])
    never = {m for m in ours if any(m == n or m.startswith(f"{n}.") for n in ASSESS_NEVER_LOADS)}
    assert not never, sorted(never)
    assert not packages & {*HEAVY, "pycountry"}, sorted(packages & {*HEAVY, "pycountry"})
    assert not packages & COLD_NEVER_LOADS, sorted(packages & COLD_NEVER_LOADS)
    ours, _ = _loaded_by(["validate", "examples/partnerships/nato.json"])
    assert "readiness.countries" in ours  # the codes were checked, without pycountry


def test_a_cold_command_takes_the_shipped_rubric_as_validated_once(tmp_path):
    # the shipped rubric comes validated from its table (readiness/_validated.marshal;
    # here one written with this pydantic): neither the rubric's validators nor the seed
    # cards are built or read to validate or assess a partnership
    import readiness.rubric as rm

    table = tmp_path / "validated.marshal"
    rm.write_validated(table)
    for verb in ("validate", "assess"):
        code = (
            "import json, pathlib; import readiness.rubric as r, readiness.sources as s; "
            f"r.VALIDATED = pathlib.Path({str(table)!r}); "
            "from readiness.cli import main; "
            f"code = main([{verb!r}, 'examples/partnerships/nato.json']); "
            "print(json.dumps([code, r.Rubric.__pydantic_complete__, "
            "s._default_cards.cache_info().currsize]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert json.loads(out.stdout.strip().splitlines()[-1]) == [0, False, 0], out.stderr


def test_the_describe_floor_imports_without_numpy():
    code = (
        "import sys, readiness.facts, readiness.rules, readiness.rubric, "
        "readiness.partnership, readiness.sources; print('numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_lazy_names_are_the_real_objects():
    import readiness
    from readiness.assessment import assess
    from readiness.errors import InputError

    assert readiness.assess is assess and readiness.InputError is InputError
    assert set(readiness.__all__) <= set(dir(readiness))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        readiness.nope  # noqa: B018


def test_every_module_has_a_layer():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = config["tool"]["importlinter"]["contracts"][0]  # the floors
    assert contract["name"].startswith("face > render")
    placed = {
        name.strip() for layer in contract["layers"] for name in layer.replace("|", ":").split(":")
    }
    package = ROOT / "readiness"
    modules = {
        f"readiness.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert modules - placed == set(), "add these to a layer in pyproject.toml and ARCHITECTURE.md"


def test_compare_to_the_terminal_loads_no_table_library():
    # `readiness compare A B` prints side by side without pandas (a Comparison makes its
    # frames only when asked: to_frame, bands, changes), scipy, jinja2 or pyarrow
    argv = ["compare", "examples/partnerships/nato.json", "examples/partnerships/quad.json"]
    _, packages = _loaded_by(argv)
    assert not packages & {*HEAVY, *COLD_NEVER_LOADS}, sorted(
        packages & {*HEAVY, *COLD_NEVER_LOADS}
    )


def test_a_plan_the_exact_merge_makes_loads_no_solver():
    # the default rubric is separable: plans to a target and within a budget come from
    # the merge of Pareto sets, so scipy (HiGHS) is not imported; nor is pandas
    for extra in (["--to", "advanced"], ["--budget", "20", "--unknown", "rate-first"]):
        _, packages = _loaded_by(["plan", "examples/partnerships/quad.json", *extra])
        assert not packages & {"scipy", "pandas"}, (extra, sorted(packages & {"scipy", "pandas"}))
