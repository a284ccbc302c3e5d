# 校企通 — the two commands a new user runs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/xiaoqitong/static/vendor/.built

.PHONY: demo serve test test-e2e install assets lint format migrate setup bench messages clean help

help:
	@echo "make demo    install, build assets, create the database, load data, start web + worker"
	@echo "make serve   production mode: gunicorn + Celery worker + beat (needs DATABASE_URL, REDIS_URL)"
	@echo "make test    lint and run the whole test suite (SQLite; DATABASE_URL=... for PostgreSQL)"
	@echo "make test-e2e  run the browser journeys (e2e/) in Debian's Chromium against the demo"
	@echo "make bench   run the benchmarks under bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json scripts/build_assets.py $(STAMP)
	$(BIN)/python scripts/build_assets.py

assets: $(ASSETS)

messages: $(STAMP)
	cd src/xiaoqitong && ../../$(BIN)/xiaoqitong compilemessages --ignore=.venv -v 0

setup: install assets messages
	$(BIN)/xiaoqitong migrate --noinput -v 0
	$(BIN)/xiaoqitong load_reference
	$(BIN)/xiaoqitong load_departments

demo: setup
	XQT_DEMO_MODE=1 $(BIN)/xiaoqitong demo

# Production mode: gunicorn, Celery worker and beat against DATABASE_URL and REDIS_URL (README: Deployment).
# SERVE_ARGS="--web" (or --worker, --beat) runs one role, e.g. under systemd on several machines.
serve: install assets messages
	$(BIN)/xiaoqitong serve $(SERVE_ARGS)

lint: install
	$(BIN)/ruff check src tests e2e bench scripts
	$(BIN)/ruff format --check src tests e2e bench scripts

format: install
	$(BIN)/ruff check --fix src tests e2e bench scripts
	$(BIN)/ruff format src tests e2e bench scripts

# The suite runs on every core (pytest-xdist; each worker has its own test database); PYTEST_ARGS="-n 0"
# runs it in one process.
PYTEST_ARGS ?= -n auto

test: install messages lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every role's journey in a real browser (Playwright, Debian's /usr/bin/chromium) against the demo started on a
# free port over a fresh database; screenshots go to var/e2e/.
test-e2e: install assets messages
	$(BIN)/python -m pytest e2e -p no:xdist $(E2E_ARGS)

bench: setup
	@# the bench extra (bm25s, the text-only baseline of bench_matching.py; locust for bench_load.py), once
	$(BIN)/python -c "import bm25s, locust" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var node_modules src/xiaoqitong/static/vendor
