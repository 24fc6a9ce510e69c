"""The one logging configuration: text for development, JSON lines in production (LOG_FORMAT).

Every line names its request id (`request_id`), and inside a Celery task the task, its id and
its submission or operation (`task`, `task_id`, `submission_id` / `operation_id`). gunicorn's
access lines use the same JSON shape (`AccessJsonFormatter`, portal/observability/gunicorn.py).

No Django import here: settings.py builds LOGGING with `logging_config`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from portal.observability.context import request_id_var, task_fields_var

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class ContextFilter(logging.Filter):
    """Adds `request_id` (or "-") and, inside a task, the task's fields to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        for key, value in (task_fields_var.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id, and
    any extras."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", RENAMED)
        kwargs.setdefault("timestamp", False)
        super().__init__(JSON_FIELDS, *args, **kwargs)

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access lines as JSON: its atoms (record.args) become named fields."""

    FIELDS = {"remote": "h", "method": "m", "path": "U", "query": "q", "status": "s",
              "bytes": "B", "duration_ms": "D", "user_agent": "a", "referer": "f"}

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else None
        if atoms is None:
            return
        for field, atom in self.FIELDS.items():
            log_data[field] = atoms.get(atom)
        try:
            log_data["duration_ms"] = round(int(atoms.get("D")) / 1000, 2)
            log_data["status"] = int(atoms.get("s"))
        except (TypeError, ValueError):
            pass
        log_data["request_id"] = _atom(atoms, "{x-request-id}o")
        log_data["message"] = f"{log_data['method']} {log_data['path']} {log_data['status']}"


def _atom(atoms, key: str) -> str:
    try:
        return atoms[key]
    except KeyError:
        return "-"


def logging_config(*, fmt: str, level: str) -> dict:
    """The `LOGGING` dict for `fmt` "text" or "json" at `level`, with one console handler on the
    root logger. Django's own "django" logger gets no handler of its own (by default it has one
    when DEBUG is on, and propagates to the root too: every line twice)."""
    formatter = ({"()": "portal.observability.logs.JsonFormatter"} if fmt == "json"
                 else {"format": TEXT_FORMAT})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "portal.observability.logs.ContextFilter"}},
        "formatters": {"portal": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal",
                                 "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's request lines: through the root handler, once.
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.db.backends": {"level": "INFO"},
            # One line per outbound request at INFO is noise in a busy worker; failures are logged.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
