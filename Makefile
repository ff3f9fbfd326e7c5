# crane-ctrl: every target creates .venv when it is missing and installs into it.
# Needs only python3 (>= 3.11, with its venv module) and make.  PYTHON=python3.12 make test picks another.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.DEFAULT_GOAL := help
.PHONY: help run test lint format clean

help:
	@echo "make run    start the demo: simulator + supervisor + HMI, demo jobs queued (Ctrl-Q quits)"
	@echo "make test   install with test extras, ruff check, then pytest"
	@echo "make lint   ruff check, ruff format --check and mypy --strict"
	@echo "make clean  remove .venv and caches"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "crane-ctrl needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) -V 2>&1). Run: PYTHON=python3.11 make ..."; exit 2; }
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
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
