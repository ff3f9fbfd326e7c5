# crane-ctrl: every target creates .venv when it is missing and installs into it.
# Needs only python3 (>= 3.11) and make; scripts/system-deps installs the system packages (python3-venv,
# mbpoll) with apt-get when it can, else names them.  PYTHON=python3.12 make test picks another;
# by default scripts/pick-python picks the system's optimised python3 when it is new enough.

PYTHON ?= $(shell sh scripts/pick-python)
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.DEFAULT_GOAL := help
.PHONY: help run test lint format clean

help:
	@echo "make run    start the demo: simulator + supervisor + HMI, demo jobs queued (Ctrl-Q quits)"
	@echo "make test   install what the tests need (Python and system packages), ruff check,"
	@echo "            the import contracts (lint-imports), then pytest"
	@echo "make lint   ruff check, ruff format --check, mypy --strict and the import contracts"
	@echo "make clean  remove .venv and caches"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "crane-ctrl needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) -V 2>&1). Run: PYTHON=python3.11 make ..."; exit 2; }
	@PYTHON=$(PYTHON) bash scripts/system-deps venv
	@$(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo "python3 -m venv failed: install the venv module (Debian/Ubuntu: apt-get install python3-venv)"; exit 2; }
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,dev]'
	@touch $@

run: $(VENV)/.installed-base
	$(BIN)/crane-ctrl demo

test: $(VENV)/.installed-test
	@bash scripts/system-deps test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@# bytecode once, before the tests: each process they start (simulators, stations, planning
	@# workers) then loads it instead of compiling every module again (PYTHONDONTWRITEBYTECODE)
	@$(PY) -m compileall -q -j 0 crane_ctrl simulators hmi tests
	$(BIN)/pytest -n 3 --dist worksteal --durations=20

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache build *.egg-info
