# Kepling: `make run` serves the app with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
KEPLING := .venv/bin/kepling
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-production python-check lint typecheck migrations-check pytest pytest-postgres bench messages demo clean

# One sentence, not a traceback, when the machine's Python is too old or lacks venv.
python-check:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kepling needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ".")'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "Python's venv module is missing: install it (Debian/Ubuntu: apt-get install python3-venv)."; exit 1; }

var/tools/bin/uv: | python-check
	@mkdir -p var
	$(PYTHON) -m venv var/tools
	var/tools/bin/pip install --quiet uv

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch .venv/.installed

install: .venv/.installed var/development

# Production: the app and its server, without the test and lint tools (docs/operations.md).
install-production: | $(UV)
	$(UV) sync --frozen --no-dev

# Marks this checkout as a development one: DEBUG and the development keys (config/settings.py).
var/development:
	@mkdir -p var
	@echo "This checkout is used for development: DEBUG on, development keys accepted." > $@

# The task worker applies large uploads in the background; it stops with the server.
run: install
	$(KEPLING) migrate --noinput
	$(KEPLING) demo_if_empty
	$(KEPLING) db_worker >var/db_worker.log 2>&1 & trap "kill $$! 2>/dev/null" EXIT; \
	$(KEPLING) runserver $(HOST):$(PORT)

test: install lint typecheck migrations-check pytest pytest-postgres

lint:
	.venv/bin/ruff check .

typecheck:
	.venv/bin/mypy kepling config

migrations-check:
	$(KEPLING) makemigrations --check --dry-run

# Tests that need the full reference scenario run in a session of their own (it is built once).
pytest:
	.venv/bin/pytest -m "not scenario" $(PYTEST_ARGS)
	.venv/bin/pytest -m scenario $(PYTEST_ARGS)

# The tests of PostgreSQL-only paths (marked `postgres`) are skipped on SQLite. When DATABASE_URL is
# unset and a PostgreSQL server answers (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 as postgres),
# they run again on a scratch database of their own, dropped afterwards. With DATABASE_URL set
# the run above has run them already.
PGHOST ?= 127.0.0.1
PGPORT ?= 5432
PGUSER ?= postgres
PGONLY_DB ?= kepling_pgonly
PG_CONNECT = -h $(PGHOST) -p $(PGPORT) -U $(PGUSER)

pytest-postgres:
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== PostgreSQL-only tests: run above on DATABASE_URL"; \
	elif ! command -v pg_isready >/dev/null 2>&1 || ! pg_isready -q -h $(PGHOST) -p $(PGPORT); then \
	  echo "== PostgreSQL-only tests skipped: no PostgreSQL server answers at $(PGHOST):$(PGPORT)"; \
	else \
	  echo "== PostgreSQL-only tests on a scratch database, $(PGONLY_DB)"; \
	  dropdb --if-exists $(PG_CONNECT) test_$(PGONLY_DB) && dropdb --if-exists $(PG_CONNECT) $(PGONLY_DB) \
	    && createdb $(PG_CONNECT) $(PGONLY_DB) \
	    && DATABASE_URL=postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGONLY_DB) \
	      .venv/bin/pytest -m "postgres and not scenario" --create-db $(filter-out --create-db,$(PYTEST_ARGS)); \
	  status=$$?; \
	  dropdb --if-exists $(PG_CONNECT) test_$(PGONLY_DB); dropdb --if-exists $(PG_CONNECT) $(PGONLY_DB); \
	  exit $$status; \
	fi

bench: install
	.venv/bin/python -m bench

messages: install
	$(KEPLING) makemessages -l id --ignore=.venv --ignore=var --ignore='*/tests/*'
	$(KEPLING) compilemessages -l id --ignore=.venv

clean:
	rm -rf .venv var/tools .mypy_cache .ruff_cache .pytest_cache
