# Two commands for a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Processes the test suite runs in (pytest-xdist; each loads the plan once). 0: this one.
TEST_WORKERS ?= 2
# Links in mails and messages point at the dev server's port.
export SITE_URL ?= http://127.0.0.1:$(PORT)

# The development targets (and what they depend on) run with DEBUG on unless the shell says
# otherwise; the test suite runs on production settings (tests/settings.py).
run load migrate export: export DEBUG ?= 1

.PHONY: run test lint lock export check-python system-deps system-deps-test venv migrate load \
	clean

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12 以上が見つかりません。python3.13 か python3.12 を入れてください (pyenv でも可)。" >&2; \
	  exit 1; \
	fi

system-deps:
	@scripts/system-deps.sh

system-deps-test:
	@scripts/system-deps.sh test

$(BIN)/activate: | check-python
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions, then the project itself without resolving anything again.
$(VENV)/.installed: requirements.lock pyproject.toml $(BIN)/activate
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

venv: check-python $(VENV)/.installed

# After changing the dependencies in pyproject.toml. Versions already locked are kept;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed version. The
# Docker image installs deploy/requirements.lock: the same versions, without the dev tools.
lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
	  --quiet $(LOCK_ARGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --universal --generate-hashes \
	  --quiet -c requirements.lock -o deploy/requirements.lock

migrate: venv
	$(BIN)/python manage.py migrate --no-input

load: migrate
	$(BIN)/python manage.py import_plan fixtures/plan.json --if-empty
	$(BIN)/python manage.py setup_local_accounts

# The report worker (django.tasks, database queue) runs beside the dev server and stops with it.
run: system-deps load
	$(BIN)/python manage.py collectstatic --no-input -v 0
	@$(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole plan of the local database as one JSON document (docs/plan-format.md).
export: load
	$(BIN)/python manage.py export_plan --out plan.json

test: system-deps-test venv
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles test-artifacts
