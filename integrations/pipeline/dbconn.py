"""Database connections in a busy worker: keep a healthy one, drop a broken one, retry a step once.

Used by the Celery tasks and the worker's pipeline threads. It imports nothing from the domain,
so any module may use it without an import cycle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

T = TypeVar("T")


def close_stale_connections() -> None:
    """After a task or a record, what Django's `close_old_connections()` does after a request,
    minus the health check it forces on the next query (a `SELECT 1` per task per thread: two
    statements per registration): a connection that had an error, outlived CONN_MAX_AGE
    or was left outside autocommit is closed; a healthy one is kept as it is. A server that went
    away in between is found by the next query, and `retry_if_disconnected` reconnects then."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        expired = conn.close_at is not None and time.monotonic() >= conn.close_at
        if conn.errors_occurred or expired or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close_if_unusable_or_obsolete()


def retry_if_disconnected(step: Callable[..., T], **kwargs) -> T:
    """Run a pipeline step; on an operational database error (the server restarted or dropped
    the connection, a lock could not be had) run it once more on a fresh connection. Only for
    steps that are safe to repeat: every claim and record is a conditional UPDATE, so a repeat
    after an ambiguous COMMIT changes nothing. A second failure is raised."""
    try:
        return step(**kwargs)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("%s: %s; trying once more on a new database connection",
                       getattr(step, "__name__", step), exc)
        connections["default"].close()
        return step(**kwargs)
