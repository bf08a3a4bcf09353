# Two commands set everything up: `make demo` and `make test`. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo.db
STAMP := $(VENV)/.installed

.PHONY: demo test test-x11 typecheck release-check bench lint setup clean

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
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@$(MAKE) --no-print-directory typecheck
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	@$(MAKE) --no-print-directory test-x11

# The explorer on a real X server (tests/x11): Xvfb with MIT-SHM, Qt's xcb platform. Debian/Ubuntu:
# apt-get install xvfb xauth xdotool (.ci/run does it as root); skipped, saying so, where Xvfb is missing.
X11_SCREEN ?= 1600x1000x24
test-x11: $(STAMP)
	@if command -v xvfb-run >/dev/null 2>&1; then \
	  xvfb-run -a -s "-screen 0 $(X11_SCREEN)" env QT_QPA_PLATFORM=xcb $(BIN)/python -m pytest tests/x11; \
	else \
	  echo "SKIPPED the X11 suite (tests/x11): xvfb-run not found; install Debian's xvfb and xauth"; \
	fi

# mypy on the core and the importers, as configured in pyproject.toml ([tool.mypy]).
typecheck: $(STAMP)
	$(BIN)/mypy

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
