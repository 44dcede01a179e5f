# Two commands on a fresh clone: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run serve install dev test test-fast check checked suite lint format typecheck migrate demo lock clean

PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes

# Runtime packages, at the versions and hashes pinned in requirements.lock.
$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.lock
	touch $@

# Runtime plus test and lint tools: requirements-dev.lock pins both, at the same versions.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP_INSTALL) -r requirements-dev.lock
	touch $@

install: $(VENV)/.runtime

dev: $(VENV)/.dev

# The demo and local commands run with DEBUG on; the settings default it to off, so a
# deployment that forgets the variable is never in debug mode.
run demo migrate: export DEBUG ?= 1

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Everything set up, demo loaded, site served on http://127.0.0.1:$(PORT)/.
# With the background worker beside the development server (Procfile.dev), so emails
# (printed here) and scheduled publications happen as they would in production.
run: demo
	$(VENV)/bin/honcho start -f Procfile.dev -p $(PORT)

# Production-like on this machine: static files collected and compressed, migrations
# applied, stored pages built, gunicorn with gunicorn.conf.py. Needs the production
# variables (DEBUG=0 ...).
serve: install
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py build_pages
	PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py

# The hooks in .pre-commit-config.yaml run the venv's tools, found on PATH. pre-commit
# looks at the files git tracks, so `git add` a new file for it to be checked. It runs
# git, which refuses a checkout owned by another user (root in a container on a mounted
# clone) unless told it is safe: this checkout is, for pre-commit's git calls only.
PRE_COMMIT := PATH="$(abspath $(VENV))/bin:$$PATH" \
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0="$(CURDIR)" \
	$(VENV)/bin/pre-commit

# ruff, ruff format, djhtml and django-upgrade over every tracked file; a hook that
# would change a file fails and the change is shown (and left in the work tree).
lint: dev
	$(PRE_COMMIT) run --all-files --show-diff-on-failure

# The same hooks plus ruff's autofixes, applied. The first pass fails whenever it
# rewrote a file, so only the second decides: it fails on what is left to fix by hand.
format: dev
	-$(PRE_COMMIT) run --all-files --hook-stage manual
	$(PRE_COMMIT) run --all-files

# mypy with the django-stubs plugin, over the files [tool.mypy] lists in pyproject.toml.
# Run as a module, so the project's own `tests` package (the plugin imports tests.settings)
# comes first on the path, before any `tests` a dependency wrongly installs.
typecheck: dev
	$(PY) -m mypy

# What does not depend on the database: the lint hooks, mypy, missing migrations.
check: lint typecheck
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Parallel test processes: one per CPU by default; TEST_PROCESSES=0 runs everything in
# this one process (a machine shared with others, or a debugger).
TEST_PROCESSES ?= auto

# pytest exits 5 when a selection (PYTEST_ARGS) leaves a run nothing to do: not a failure.
PYTEST := run() { $(VENV)/bin/pytest "$$@" || [ $$? -eq 5 ]; }; run

# Every test, on PostgreSQL when DATABASE_URL is set, with the coverage of summaries/ and
# toolkit/ printed at the end, thinnest first. In parallel, one process per CPU
# (pytest-xdist, each with its own test database): first the tests that are neither
# browser nor slow, then the browser tests (each process with its own browser and live
# server, a module's tests kept together). Apart, because a browser test's database is
# emptied after it (TransactionTestCase), and the other tests expect the data the
# migrations wrote. Last, one at a time, the slow tests: they start servers, workers and
# mail servers, kill them, and some measure time.
suite: dev
	$(PYTEST) -n $(TEST_PROCESSES) --dist loadscope -m "not browser and not slow" \
		--cov --cov-report= $(PYTEST_ARGS)
	$(PYTEST) -n $(TEST_PROCESSES) --dist loadfile -m "browser and not slow" \
		--cov --cov-append --cov-report= $(PYTEST_ARGS)
	$(PYTEST) -m slow --cov --cov-append --cov-report=term $(PYTEST_ARGS)

# The checks once for each state of the tree (the commit, and any change since): they
# do not depend on the database, so a second `make test` on the same tree (CI's, on
# PostgreSQL) says they passed and goes on. Any edit, commit or new file runs them again.
TREE_STATE = $(shell { git rev-parse HEAD; git diff HEAD; \
	git ls-files -o --exclude-standard -z | xargs -0r cat; } 2>/dev/null | sha256sum | cut -c1-16)

checked: dev
	@if [ -f $(VENV)/.checked-$(TREE_STATE) ]; then \
		echo "lint, mypy and the migrations check passed on this tree already: not run again"; \
	else \
		$(MAKE) --no-print-directory check && rm -f $(VENV)/.checked-* \
			&& touch $(VENV)/.checked-$(TREE_STATE); \
	fi

# Lint, types, missing migrations (once a tree), then every test. CI (.ci/run) runs it
# on each database.
test: checked suite

# The edit-test loop: every test but the browser and slow ones, in parallel, no lint and
# no coverage. Narrow it further with PYTEST_ARGS="tests/test_api.py -x".
test-fast: dev
	$(PYTEST) -n $(TEST_PROCESSES) --dist loadscope -m "not browser and not slow" -q $(PYTEST_ARGS)

# Re-resolve the newest versions the ranges in pyproject.toml allow and pin them, with
# every file's hash (pip-tools). The dev lock is resolved first; the runtime lock then
# starts from it, so both pin the same version of every package they share.
PIP_COMPILE := .lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check "pip-tools>=7.4,<8"
	$(PIP_COMPILE) --upgrade --extra dev --output-file requirements-dev.lock pyproject.toml
	cp requirements-dev.lock requirements.lock
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache .coverage
