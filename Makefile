# The two commands: `make demo` (set up + demo on the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The production stack on this machine's default local ports; tests run on it for real.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pilkada
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pilkada_bench
# Everything but the real workers and browsers (PostgreSQL-only) runs on SQLite too.
SQLITE_TESTS := $(filter-out tests/integration/ tests/browser/ tests/__pycache__/,$(wildcard tests/*/))

.PHONY: install demo demo-data serve test bench bench-check lint format worker

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

# Embedded default: SQLite in ./var, Celery tasks in-process. Then serves http://127.0.0.1:8000
demo: demo-data serve

demo-data: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py migrate --noinput -v0
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py demo_setup

serve: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite on PostgreSQL + Redis (with real Celery workers, real browsers), then every
# app's tests once more on the embedded SQLite default, whose SQL paths differ.
test: install
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/pytest
	env -u DATABASE_URL -u CELERY_BROKER_URL PILKADA_VAR_DIR=$$(mktemp -d) \
	  $(BIN)/pytest $(SQLITE_TESTS)

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

# The citizens' check under load: gunicorn + PostgreSQL + the limiter in Redis, driven by wrk
# (apt-get install -y wrk) on the DKI database of `make bench` (built with --keep if missing).
bench-check: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.check

worker: install
	$(BIN)/celery -A config worker -l info

# Style, the layers contract (import-linter, pyproject.toml) and the types of services/selectors.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
