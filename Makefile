# Two commands do all set-up: `make run` serves the app with the fixtures loaded on SQLite,
# `make test` runs the whole suite (DATABASE_URL picks the database; SQLite by default).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests run with development settings and a throwaway secret. A file-based SQLite test database
# (not the in-memory one) lets the concurrency tests give each thread its own connection.
TEST_ENV = DJANGO_DEBUG=1 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef} \
	SQLITE_TEST_NAME=$${SQLITE_TEST_NAME:-$(CURDIR)/.test-db.sqlite3}
TEST_WORKERS ?= 2

.PHONY: run test venv dev-deps system-deps lint format migrate seed messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Debian's chromium for the browser tests (never a downloaded browser), the Noto CJK fonts it draws
# Chinese with (the /zh/ pages' screenshots) and wrk for the benchmark smoke test; installed when missing, or one line says what to run. A Redis on 127.0.0.1:6379 for
# the shared-cache and task-queue tests, started where none answers (.ci/redis).
system-deps:
	@if [ -n "$${CHROMIUM_PATH:-}" ] && [ -x "$${CHROMIUM_PATH}" ]; then bash .ci/apt-install wrk fonts-noto-cjk; \
	else bash .ci/apt-install chromium wrk fonts-noto-cjk; fi
	@bash .ci/redis

dev-deps: $(VENV)/.installed-dev

# The interface's translations: each locale/<lang>/LC_MESSAGES/django.po compiled to its .mo (not
# committed) with Babel, pure Python. Updating the .po files needs GNU gettext: docs/i18n.md.
messages: venv
	$(VENV)/bin/pybabel --quiet compile --domain django --directory locale

migrate: venv
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_seed --if-empty

run: seed messages
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: dev-deps system-deps messages
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=1 $(PY) manage.py check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) -m "not postgres_only" $(PYTEST_ARGS)
	# The PostgreSQL restart test stops the server, so it runs alone, after the rest; so do the read-replica
	# tests, which start a primary and a replica of their own (tests/test_replica.py).
	$(TEST_ENV) $(PY) -m pytest -m postgres_only $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles locale/*/LC_MESSAGES/*.mo
