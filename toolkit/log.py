"""Logs as one JSON object a line, for log collectors (``LOG_FORMAT=json``); error
reports to ``ADMINS`` sent by the worker; the probes' expected failures kept out of them."""

import json
import logging
from datetime import UTC, datetime

from django.utils.log import AdminEmailHandler

# Paths probed by load balancers and monitors every few seconds: their 503s are the
# answer they exist to give (and logged), not errors to mail about at each probe.
PROBE_PATHS = {"/healthz", "/readyz"}

# gunicorn's access log passes its atoms as the record's arguments: these become fields.
ACCESS_FIELDS = {
    "remote": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "referrer": "f",
    "user_agent": "a",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            entry.update({field: atoms.get(atom) for field, atom in ACCESS_FIELDS.items()})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class QueuedAdminEmailHandler(AdminEmailHandler):
    """Django's error mails to ``ADMINS``, queued as a background task (sent by the
    worker, ``summaries.tasks.error_mail``) rather than sent inside the failing request.

    If the task cannot be queued (the database is what failed), the report is dropped:
    the error is in the log either way, and a request must not wait on a mail server."""

    def send_mail(self, subject, message, *args, **kwargs):
        from summaries.tasks.error_mail import mail_error_report

        try:
            mail_error_report.enqueue(subject, message, kwargs.get("html_message"))
        except Exception as error:  # logging must never raise into the request
            logging.getLogger(__name__).warning(
                "Error report not queued for ADMINS (%s): %s", type(error).__name__, subject
            )


class NotProbeNoise(logging.Filter):
    """Keeps out what is logged as an error but is no news to anyone: a probe's 503, and
    a request naming a host the site does not serve (scanners send thousands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.security.DisallowedHost":
            return False
        request = getattr(record, "request", None)
        return getattr(request, "path", None) not in PROBE_PATHS
