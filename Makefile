# fanzha — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fanzha demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Starts a throw-away PostgreSQL cluster (installing PostgreSQL when missing) so the store tests run on both backends.
test: $(STAMP) lint
	source scripts/postgres.sh && postgres_start && trap postgres_stop EXIT && \
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m 'not slow and not postgres' $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
