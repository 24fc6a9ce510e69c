"""gunicorn's settings for the portal: `gunicorn -c gunicorn.conf.py portal.wsgi`.

Each value comes from the environment (docs/operations.md, README's settings table).
"""

import os

# --- Socket -------------------------------------------------------------------------------------
# GUNICORN_BIND wins; else all interfaces on PORT (8000), as inside a container.
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"

# --- Workers ------------------------------------------------------------------------------------
# WEB_CONCURRENCY (the name most platforms set) or GUNICORN_WORKERS; else 2 x CPUs + 1.
_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = int(os.environ.get("WEB_CONCURRENCY") or os.environ.get("GUNICORN_WORKERS") or 2 * _cpus + 1)
# The workers' heartbeat files in memory: a container's overlay disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# --- Timeouts -----------------------------------------------------------------------------------
# A worker silent this long is killed and replaced (no page or API call should take 30 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On SIGTERM, requests in flight get this long to finish (compose waits 10 s before SIGKILL
# unless stop_grace_period says more; docker-compose.yml gives web 40 s).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
# Behind a proxy that keeps connections open to the portal.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)

# --- Logging ------------------------------------------------------------------------------------
# Access and error logs to stdout/stderr, where compose and journald collect them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"

# JSON access lines with the request id, in the app's log format (LOG_FORMAT), and the
# prometheus-client multiprocess clean-up when a worker exits (docs/operations.md).
from portal.observability.gunicorn import child_exit, logconfig_dict  # noqa: E402, F401
