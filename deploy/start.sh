#!/usr/bin/env bash
# Start one process of the toolkit, in the foreground, with the environment it is given:
#   deploy/start.sh web      gunicorn (gunicorn.conf.py), after `migrate` when MIGRATE=1
#   deploy/start.sh worker   the background-task worker (manage.py run_worker)
# The Procfile and the Dockerfile both start processes through this script.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
role="${1:-web}"
case "$role" in
    web)
        if [ "${MIGRATE:-0}" = "1" ]; then
            "$VENV/bin/python" manage.py migrate --noinput
        fi
        exec "$VENV/bin/gunicorn" -c gunicorn.conf.py
        ;;
    worker)
        exec "$VENV/bin/python" manage.py run_worker
        ;;
    *)
        echo "usage: deploy/start.sh web|worker" >&2
        exit 64
        ;;
esac
