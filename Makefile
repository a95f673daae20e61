# fanzha — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean model web openapi

# The analyst console: built from web/ (npm ci from the lock file) into the package's static folder, which the API
# serves at /. Rebuilt when a source or the lock file changes; nothing is fetched at run time.
WEB_STATIC := src/fanzha/web/static/index.html
WEB_SOURCES := $(shell find web/src web/public web/swagger -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/package.json web/package-lock.json src/fanzha/model/data/fraud_types.json

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The shipped fraud-type classifier, trained from the corpus in the package (never at run time).
MODEL := src/fanzha/text/data/fraud_classifier.npz
$(MODEL): $(STAMP) src/fanzha/text/data/training.jsonl src/fanzha/text/data/sms_training_half.tsv src/fanzha/text/corpus.py src/fanzha/text/classifier.py src/fanzha/text/features.py
	$(BIN)/fanzha train --shipped

model: $(MODEL)

$(WEB_STATIC): $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund --ignore-scripts && npm run build

web: $(WEB_STATIC)

# Regenerates the OpenAPI document and the console's TypeScript types after an API change.
openapi: $(STAMP)
	$(BIN)/python scripts/openapi.py
	cd web && npm run gen:api

demo: $(STAMP) $(MODEL) $(WEB_STATIC)
	$(BIN)/fanzha demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Starts a throw-away PostgreSQL cluster (installing PostgreSQL when missing) so the store tests run on both backends,
# and installs Debian's Chromium when missing for the console's browser tests (tests/web).
test: $(STAMP) $(MODEL) lint $(WEB_STATIC)
	source scripts/postgres.sh && postgres_start && trap postgres_stop EXIT && \
	source scripts/chromium.sh && chromium_ensure && \
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

unit: $(STAMP) $(MODEL)
	$(BIN)/python -m pytest -n 2 -m 'not slow and not postgres' $(PYTEST_ARGS)

bench: $(STAMP) $(MODEL)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
