"""For gunicorn.conf.py: the logging of gunicorn itself and its access lines in the portal's
format (LOG_FORMAT, LOG_LEVEL), and the hook that lets prometheus-client's multiprocess mode
forget a worker that exited.

    from portal.observability.gunicorn import child_exit, logconfig_dict  # noqa: F401

Reads the environment only: gunicorn's master loads this before Django.
"""

from __future__ import annotations

import os

from portal.observability.logs import logging_config

_format = (os.environ.get("LOG_FORMAT") or "text").strip().lower()
_level = (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()

logconfig_dict = logging_config(fmt=_format, level=_level)
logconfig_dict["formatters"]["access"] = (
    {"()": "portal.observability.logs.AccessJsonFormatter"} if _format == "json"
    else {"format": '%(message)s'})
logconfig_dict["handlers"]["access"] = {"class": "logging.StreamHandler",
                                        "formatter": "access", "stream": "ext://sys.stdout"}
logconfig_dict["loggers"].update({
    "gunicorn.error": {"handlers": [], "level": _level, "propagate": True},
    "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
})


def child_exit(server, worker) -> None:
    """A worker exited: its live gauges leave the multiprocess totals (its counters stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
