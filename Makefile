# Kepling: `make run` serves the app with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo var/tools/bin/uv)
KEPLING := .venv/bin/kepling
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint typecheck migrations-check pytest bench messages demo clean

var/tools/bin/uv:
	@mkdir -p var
	$(PYTHON) -m venv var/tools
	var/tools/bin/pip install --quiet uv

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch .venv/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules/.installed

install: .venv/.installed node_modules/.installed var/development

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

test: install lint typecheck migrations-check pytest

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

bench: install
	.venv/bin/python -m bench

messages: install
	$(KEPLING) makemessages -l id --ignore=.venv --ignore=node_modules --ignore=var --ignore='*/tests/*'
	$(KEPLING) compilemessages -l id --ignore=.venv --ignore=node_modules

clean:
	rm -rf .venv var/tools .mypy_cache .ruff_cache .pytest_cache
