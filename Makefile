# Every target that runs code first makes sure .venv exists and holds what it needs,
# so `make demo` and `make test` work on a fresh machine with only Python and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE ?= examples/partnerships/aukus.json

.PHONY: install demo docs notebook schemas parsed test lint format mypy pytest bench snapshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/readiness assess $(EXAMPLE)

# The documentation site, into site/ (dev's `docs` group has mkdocs; nothing is fetched
# at build time). tests/test_site.py builds it too, so `make test` fails on a broken link.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site
	@echo "open site/index.html in a browser"

# JupyterLab on examples/analyst.ipynb, installed into .venv the first time.
notebook: $(STAMP)
	test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet --group notebook
	$(BIN)/jupyter-lab examples/analyst.ipynb

# The JSON Schemas shipped in readiness/schemas/, written again from the models
# (tests/test_schema_files.py fails when they differ from `readiness schema KIND`).
schemas: $(STAMP)
	for kind in partnership rubric report; do \
		$(BIN)/readiness schema $$kind > readiness/schemas/$$kind.schema.json; done

# The package's own YAML files parsed once, into readiness/_parsed.marshal, so that a
# command starts without parsing the rubric again (tests/test_io.py fails when it differs
# from parsing the files now: run this after editing a file in rubrics/ or seeds/); and
# the shipped rubrics validated once, into readiness/_validated.marshal, keyed by the
# rubric, the seed cards and the validating code (tests/test_rubric.py fails when it is
# not current: run this after editing them, or rubric._VALIDATION_CODE's modules); and the
# partnership's core schema, into readiness/_schemas.marshal, keyed by the code defining it
# (tests/test_prebuilt.py fails when it is not current: run this after editing
# _prebuilt.SCHEMA_CODE's modules).
parsed: $(STAMP)
	$(BIN)/python -c 'import glob, pathlib, readiness._io as io; \
		io.write_parsed([pathlib.Path(p) for p in sorted(glob.glob("rubrics/*.yaml") \
		+ glob.glob("rubrics/versions/*.yaml") + glob.glob("seeds/*.yaml"))])'
	$(BIN)/python -c 'import readiness.rubric as r; r.write_validated()'
	$(BIN)/python -c 'import readiness._prebuilt as p; p.write_prebuilt()'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

mypy: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint mypy pytest

snapshots: $(STAMP)
	$(BIN)/pytest -q tests/report --snapshot-update

# Every benchmark in turn (benchmarks/__main__.py), then one table of each goal beside its
# measure and its ratio to the floor; the JSON of each is kept in .bench/.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e . --group bench
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache
