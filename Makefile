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

# `make demo PORT=8301` serves on another port; HOST and PORT also make SITE_URL (the
# address in the login it prints and in emailed links) unless SITE_URL is set. With
# DATABASE_URL=postgres://… a task worker runs beside the server (`manage.py rundemo`).
DEMO_ENV = DEBUG=true HOST=$(HOST) PORT=$(PORT)

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py loaddemo
	$(DEMO_ENV) $(BIN)/python manage.py rundemo $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

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

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .

# Needs PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, REDIS_URL to use others) and
# wrk, a C load generator (bench/load.py installs Debian's package when missing, as root);
# figures and how to read them: docs/performance.md.
bench: install
	$(BIN)/python -u bench/export.py
	$(BIN)/python -u bench/load.py
	$(BIN)/python -u bench/allocate.py
	$(BIN)/python -u bench/mailings.py
	$(BIN)/python -u bench/checkin.py
	$(BIN)/python -u bench/admin_pages.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
