# The two commands: `make demo` (set up + demo on the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

# The production stack on this machine's default local ports; tests run on it for real.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pilkada
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pilkada_bench
# A Redis database of the benchmarks' own: no other worker takes their tasks.
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/12
BENCH_SCALE_SIZES ?= 1,2,4,8,16
# Extra arguments for a benchmark, e.g. BENCH_ARGS="--voters 100000 --pps 40" (see --help).
BENCH_ARGS ?=
# Everything but the real workers and browsers (PostgreSQL-only) runs on SQLite too.
SQLITE_TESTS := $(filter-out tests/integration/ tests/browser/ tests/__pycache__/,$(wildcard tests/*/))

.PHONY: install install-bench demo demo-data serve test bench bench-check bench-scale bench-workers bench-load bench-partitions bench-national \
	lint format worker

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(STAMP)

# The benchmarks' own packages (locust, matplotlib, py-spy), for the bench targets only.
install-bench: $(BENCH_STAMP)

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $(BENCH_STAMP)

# Embedded default: SQLite in ./var, Celery tasks in-process. Then serves http://127.0.0.1:8000
# (another port: `make demo PORT=8001`; PORT also sets the demo minutes' QR code address).
PORT ?= 8000
demo: demo-data serve

demo-data: install
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python manage.py migrate --noinput -v0
	env -u DATABASE_URL -u CELERY_BROKER_URL PORT=$(PORT) $(BIN)/python manage.py demo_setup

serve: install
	env -u DATABASE_URL -u CELERY_BROKER_URL PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite on PostgreSQL + Redis (with real Celery workers, real browsers), then every
# app's tests once more on the embedded SQLite default, whose SQL paths differ. .ci/prepare
# first: starts PostgreSQL and Redis when down, installs Chromium, poppler, Pango and the fonts
# when missing (as root; otherwise it says what to install and no test runs).
test: install
	bash .ci/prepare
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/pytest
	env -u DATABASE_URL -u CELERY_BROKER_URL PILKADA_VAR_DIR=$$(mktemp -d) \
	  $(BIN)/pytest $(SQLITE_TESTS)

bench: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

# The citizens' check under load: gunicorn + PostgreSQL + the limiter in Redis, driven by wrk
# (apt-get install -y wrk) on the DKI database of `make bench` (built with --keep if missing).
# BENCH_ARGS="--replica --scale 0.25": in a throwaway primary + standby, under a verification
# run, the reads on the primary and then on the standby.
bench-check: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.check $(BENCH_ARGS)

# Cost in a straight line: rolls of 1M..16M voters (BENCH_SCALE_SIZES, millions) with lists of
# 10%, each size's import, intake and verification in seconds per million rows, plotted into
# docs/bench-scale.png (database pilkada_scale; ~12 GB of disk at 16M, freed afterwards).
bench-scale: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.scale --sizes $(BENCH_SCALE_SIZES) $(BENCH_ARGS)

# Two Celery workers verifying two regency elections at once against one worker doing both in
# turn, per VERIFICATION_SESSIONS (database pilkada_workers, Redis BENCH_BROKER_URL).
bench-workers: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.workers --broker $(BENCH_BROKER_URL) $(BENCH_ARGS)

# 200 PPS officers posting findings and 20 KPU/Bawaslu readers (locust) against gunicorn +
# PostgreSQL + Redis while a verification runs; 60 s measured (database pilkada_load).
bench-load: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.load_run --broker $(BENCH_BROKER_URL) $(BENCH_ARGS)

# One regency verified alone, then again beside 16 million voters of other elections in the
# same voter table (partitioned by roll); database pilkada_partitions (~3 GB, freed afterwards).
bench-partitions: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.partitions $(BENCH_ARGS)

# The whole country: 545 elections (37 governors, 508 regents/mayors) on the real region tree
# (34 provinces bundled + 4 synthetic), small lists; the national page's p95 and its cost per
# election at 50/100/200/545, one verification amid them against alone (database pilkada_national).
bench-national: install-bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.national $(BENCH_ARGS)

# Every queue (imports, verification, exports, documents, default); deploy/ runs one per queue.
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
