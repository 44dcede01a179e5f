#!/usr/bin/env bash
# Build the toolkit for production in this directory: a virtual environment with the
# locked dependencies (hashes checked), and the static files collected, compressed and
# named by their hashes. Needs no secrets and no database: the Dockerfile runs it at
# build time, and CI runs it on the machine (.ci/run).
#   VENV     where to make the environment (default .venv)
#   PYTHON   the interpreter to make it with (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --require-hashes -r requirements.lock
"$VENV/bin/python" -m pip check

# collectstatic with production's storage (DEBUG off): the settings then want a key and
# a host name, which nothing here uses.
DEBUG=0 SECRET_KEY=collectstatic-needs-no-secret ALLOWED_HOSTS=build.invalid \
    "$VENV/bin/python" manage.py collectstatic --noinput --verbosity 0
echo "Built: $VENV, $(find "${STATIC_ROOT:-staticfiles}" -type f | wc -l) static files."
