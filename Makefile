# fanzha — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean model

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The shipped fraud-type classifier, trained from the corpus in the package (never at run time).
MODEL := src/fanzha/text/data/fraud_classifier.npz
$(MODEL): $(STAMP) src/fanzha/text/data/training.jsonl src/fanzha/text/corpus.py src/fanzha/text/classifier.py src/fanzha/text/features.py
	$(BIN)/fanzha train --shipped

model: $(MODEL)

demo: $(STAMP) $(MODEL)
	$(BIN)/fanzha demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Starts a throw-away PostgreSQL cluster (installing PostgreSQL when missing) so the store tests run on both backends.
test: $(STAMP) $(MODEL) lint
	source scripts/postgres.sh && postgres_start && trap postgres_stop EXIT && \
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

unit: $(STAMP) $(MODEL)
	$(BIN)/python -m pytest -n 2 -m 'not slow and not postgres' $(PYTEST_ARGS)

bench: $(STAMP) $(MODEL)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
