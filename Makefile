# voucherify-orders. Every target sets up what it needs from the project's own files.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# The tests run in PYTEST_WORKERS processes (pytest-xdist; 0 = in this process, serially). Four
# on a 2-core machine: many tests wait on sockets, subprocesses and the sandbox clock, so two
# more workers than cores keep both cores busy (docs/testing.md, "Running in parallel").
PYTEST_WORKERS ?= 4
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist worksteal

.PHONY: help venv generate check-generated validate-spec api-diff api-baseline lint format test test-wheel test-latest test-lowest test-fast demo example dist bench soak lock clean docs docs-serve

help:
	@echo "make test             set up .venv, validate the spec, check generated/, lint, run the tests"
	@echo "                      (in parallel: PYTEST_WORKERS=4 by default, 0 runs them serially)"
	@echo "make test-wheel       the tests that build the wheel and install it into clean environments (.ci/run runs it too)"
	@echo "make test-latest      the CLI, docs and core tests on pyproject's ranges at their newest allowed versions (.venv-latest)"
	@echo "make test-lowest      the same at their lowest allowed versions (.venv-lowest); .ci/run runs both"
	@echo "make demo             run the end-to-end walk-through against the bundled sandbox"
	@echo "make generate         regenerate generated/ from openapi/voucherify-orders.yaml, and the sync twins"
	@echo "make check-generated  fail if generated/ or a *_sync.py twin is not what its source generates"
	@echo "make api-diff         what the spec and the Python API changed since the baseline; fail if a breaking change is not versioned"
	@echo "make api-baseline     make the working tree the baseline (release checklist; docs/api-diff.md)"
	@echo "make docs             build the documentation site strictly into build/docs/html (make test checks it too)"
	@echo "make docs-serve       build it, then serve it on http://127.0.0.1:$(DOCS_PORT)/"
	@echo "make lint             ruff, mypy --strict, and the import contracts (lint-imports)"
	@echo "make dist             build the sdist and the wheel into dist/ and check them (scripts/check_dist.py; docs/release.md)"
	@echo "make example          build examples/customers_team from the built wheel in a clean venv (also part of make test)"
	@echo "make bench            benchmarks (own environment, official SDK as baseline)"
	@echo "make soak             the import model's long profile (5,000 schedules), then the fault soak"

$(STAMP): requirements/dev.txt pyproject.toml voucherify_ext/_version.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-virtualenv "$$(grep -m1 '^uv==' requirements/dev.txt)"
	$(PY) scripts/uv_pip.py install --quiet --compile-bytecode --python $(PY) -r requirements/dev.txt
	$(PY) scripts/uv_pip.py install --quiet --python $(PY) --no-build-isolation --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

generate: $(STAMP)
	$(PY) scripts/generate.py

check-generated: $(STAMP)
	$(PY) scripts/generate.py --check

validate-spec: $(STAMP)
	$(PY) scripts/validate_spec.py

api-diff: $(STAMP)
	$(PY) scripts/api_diff.py

api-baseline: $(STAMP)
	$(PY) scripts/api_diff.py --refresh

lint: $(STAMP)
	$(BIN)/ruff check --no-cache voucherify_ext tests scripts benchmarks examples
	$(BIN)/ruff format --no-cache --check voucherify_ext tests scripts benchmarks examples
	$(BIN)/mypy --no-incremental
	$(BIN)/mypy --no-incremental tests/generation/fixtures
	$(BIN)/mypy --no-incremental scripts/api_diff.py scripts/apidiff
	$(BIN)/lint-imports --no-cache --no-logo

format: $(STAMP)
	$(BIN)/ruff check --fix voucherify_ext tests scripts benchmarks examples
	$(BIN)/ruff format voucherify_ext tests scripts benchmarks examples

test: $(STAMP) validate-spec check-generated api-diff lint
	$(PY) -m pytest -m "not wheel" $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The tests that build our wheel and install it into clean virtual environments (a few minutes of
# pip and mypy, not of our code): apart from make test so that it stays quick; .ci/run runs both.
test-wheel: $(STAMP)
	$(PY) -m pytest -m wheel -n 2 --dist worksteal $(PYTEST_ARGS)

# The dependency ranges at both ends (docs/testing.md, "The dependency ranges at both ends"): a fresh
# .venv-latest / .venv-lowest with the runtime dependencies and the cli, sandbox and otel extras at
# their newest / lowest allowed versions (uv, from the lock), the test tools at the lock's, the
# resolved versions printed, then tests/cli, tests/docs and tests/core. make test runs on the lock.
test-latest: $(STAMP)
	$(PY) scripts/range_env.py latest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-lowest: $(STAMP)
	$(PY) scripts/range_env.py lowest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -x -q -m "not wheel" $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The documentation site (docs/conf.py): README.md the front page, docs/*.md its pages, the API
# reference from the docstrings. Strict: a warning, a broken link or a reference that does not
# resolve (-n) fails it. tests/docs/test_site.py runs the same build in make test.
DOCS_OUT := build/docs
DOCS_PORT ?= 8000
docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -n -q -c docs -d $(DOCS_OUT)/doctrees . $(DOCS_OUT)/html
	@echo "built $(DOCS_OUT)/html/index.html"

docs-serve: docs
	$(PY) -m http.server --bind 127.0.0.1 --directory $(DOCS_OUT)/html $(DOCS_PORT)

demo: $(STAMP)
	$(PY) scripts/run_demo.py

example: $(STAMP)
	$(PY) scripts/check_example.py

# What would be published (docs/release.md): the sdist, then the wheel built from that sdist (so
# the sdist is known to build a complete wheel), both checked by scripts/check_dist.py (twine
# check --strict, the metadata, LICENSE, py.typed, the spec and the generator settings inside).
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .
	$(PY) scripts/check_dist.py dist

BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_ARGS ?=
.PHONY: bench-env
$(BENCH_STAMP): benchmarks/requirements.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-virtualenv -r benchmarks/requirements.txt
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-virtualenv --no-deps -e .
	touch $(BENCH_STAMP)

bench-env: $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python benchmarks/run_all.py $(BENCH_ARGS)

soak: $(STAMP)
	IMPORT_MODEL_EXAMPLES=5000 $(PY) -m pytest -q -p no:cacheprovider --timeout=0 tests/jobs/test_import_model.py
	$(PY) scripts/soak.py --orders 20000 --creates 500 --creates-without-id 200 --updates 500 --fault-rate 0.2 --seed 1

lock: $(STAMP)
	{ echo "# Exact pins for development, tests and generation. Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^voucherify'; } > requirements/dev.txt

clean:
	rm -rf $(VENV) .venv-latest .venv-lowest .mypy_cache .ruff_cache dist build
