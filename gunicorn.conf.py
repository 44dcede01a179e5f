"""gunicorn's configuration, read from the environment (docs/operations.md).

Run it with `make serve`, or `gunicorn -c gunicorn.conf.py toolkit.wsgi` behind a reverse
proxy that terminates HTTPS. Logs go to standard output in the format of LOG_FORMAT (JSON
by default in production), the access log included.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

# The project's own settings decide DEBUG, the log format and the log handler, so the
# server and the application read the environment the same way and log alike. The log
# handlers read Django's settings as they are configured, before wsgi.py names them.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolkit.settings")

from toolkit import settings as toolkit_settings  # noqa: E402
from toolkit.cpus import available_cpus
from toolkit.production import missing_production_settings

# With DEBUG off the site is not served until production's settings are set: say which, in
# a line each, and stop before any worker starts.
if missing := missing_production_settings(toolkit_settings):
    sys.exit("\n".join(f"gunicorn not started: {message}" for _, message in missing))

wsgi_app = "toolkit.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# The classic sizing: two workers a core plus one, counting the cores this process may use
# (its CPU affinity and a container's CPU quota), not the host's. Each handles
# GUNICORN_THREADS requests at once, which keeps a worker busy while another request waits
# for the database.
workers = int(os.environ.get("GUNICORN_WORKERS") or available_cpus() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A request taking longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Longer than the proxy's idle timeout, so the proxy closes idle connections first.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Replace workers now and then, so slow leaks cannot grow forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# The proxy's address may set X-Forwarded-Proto (Django trusts it with BEHIND_HTTPS_PROXY).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# key=value pairs: readable as they are, and the JSON formatter adds each as a field.
access_log_format = (
    'remote=%(h)s method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s bytes=%(B)s '
    'duration_ms=%(M)s referrer="%(f)s" user_agent="%(a)s"'
)
logconfig_dict = {
    **toolkit_settings.LOGGING,
    "loggers": {
        **toolkit_settings.LOGGING["loggers"],
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Prometheus metrics (docs/operations.md), on when METRICS_PORT is set (the settings then
# add django-prometheus's middleware): every worker writes its counts to files in
# PROMETHEUS_MULTIPROC_DIR, and this master process serves their sum on METRICS_ADDRESS
# (loopback by default) at METRICS_PORT, a port of its own: the site never serves them.
if toolkit_settings.METRICS_PORT:
    metrics_dir = Path(
        os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="toolkit-metrics-")
        )
    )

    def on_starting(server):
        """Counts left by an earlier run would be added to this one's: start empty."""
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)

    def when_ready(server):
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        start_http_server(
            toolkit_settings.METRICS_PORT, toolkit_settings.METRICS_ADDRESS, registry=registry
        )
        server.log.info(
            "Metrics on http://%s:%s/metrics",
            toolkit_settings.METRICS_ADDRESS,
            toolkit_settings.METRICS_PORT,
        )

    def child_exit(server, worker):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
