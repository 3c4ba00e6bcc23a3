# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here serves them.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The first interpreter on PATH that is Python 3.11 or newer.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test suite lint format bench bench-quick lock clean messages

# Development gets both locks' packages (requirements-dev.lock holds the runtime pins too);
# a production image installs requirements.lock alone: no pytest, Playwright or mypy.
$(BIN)/activate: pyproject.toml requirements.lock requirements-dev.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required (none found on PATH)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(BIN)/activate

venv: $(BIN)/activate

# The portal's DEBUG is off unless set, and a start without DEBUG needs a SECRET_KEY: every
# step here runs as development (rundev itself binds to loopback only).
run: export DEBUG ?= true
# `make run PORT=8010` serves on another port; the demo's email links follow it (SITE_URL).
run: export PORT ?= 8000
run: venv
	$(PY) manage.py i18n_compile --verbosity 0
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py sync_schedules
	$(PY) manage.py rundev

# pytest runs on TEST_WORKERS processes (pytest-xdist; each has its own test database),
# measures branch coverage and fails under the floor in pyproject.toml
# ([tool.coverage.report] fail_under). `make test TEST_WORKERS=0` runs in one process;
# `make suite COVERAGE=` runs without measuring (a third faster).
TEST_WORKERS ?= auto
COVERAGE ?= --cov --cov-report term
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DEBUG=true $(PY) manage.py i18n_check
	$(MAKE) --no-print-directory suite

# The test suite alone (what `make test` runs after its checks); .ci/run runs it again
# on PostgreSQL, without coverage (the first pass measured it).
suite: venv
	DEBUG=true $(PY) manage.py i18n_compile --verbosity 0
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) $(COVERAGE) $(PYTEST_ARGS)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	$(PY) -m tests.perf.run $(BENCH_ARGS)

bench-quick: venv
	$(PY) -m tests.perf.run --packages 100000 $(BENCH_ARGS)

# Bring the catalogs in locale/ up to date with the marked strings (then translate them).
messages: venv
	$(PY) manage.py i18n_extract

# Re-pin pyproject.toml's dependencies with pip-tools, with hashes: the runtime ones into
# requirements.lock, those plus the `dev` extra into requirements-dev.lock (held to the
# same runtime versions). A pin already in a lock is kept; `make lock LOCK_ARGS=--upgrade`
# moves every pin to the newest release, `LOCK_ARGS="--upgrade-package django"` one.
PIP_COMPILE = .lock-venv/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip "pip-tools==7.6.2"
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles
