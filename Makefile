# Two commands set everything up: `make demo` and `make test`. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db
STAMP := $(VENV)/.installed

.PHONY: demo test release-check bench lint setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lineage --db $(DEMO_DB) demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The same suite with the long fuzz and crash settings (README: Guarantees); about 30 minutes on two cores.
release-check: $(STAMP)
	$(MAKE) test LINEAGE_FUZZ_EXAMPLES=2000 LINEAGE_KILL_RUNS=200

# Not part of `make test`: SIZES=10000,100000 to measure fewer, BASE=<rev> to compare with a revision.
bench: $(STAMP)
	$(BIN)/python bench/bench.py $(if $(SIZES),--sizes $(SIZES)) $(if $(BASE),--base $(BASE))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf bench/work $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
