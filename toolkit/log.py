"""Logs as one JSON object a line, for log collectors (``LOG_FORMAT=json``)."""

import json
import logging
from datetime import UTC, datetime

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
        entry = {
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
