"""The web's Prometheus metrics and the /metrics answer.

Requests are counted by view: the URL pattern's namespaced name (`catalogue:detail`), or its
route when it has no name, never the raw path, so the labels stay few. Under gunicorn with
several workers, PROMETHEUS_MULTIPROC_DIR makes each process write its counters to that folder
and /metrics adds them up (prometheus-client's multiprocess mode); the Celery workers' core-call
counters (integrations/pipeline/metrics.py) join them when they share the folder. Gauges about
the database (submissions by state, queue depth, the oldest queued submission, readiness) are
computed when /metrics is read (portal/observability/collector.py).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter("portal_http_requests", "HTTP answers by view, method and status.",
                   ["view", "method", "status"])
REQUEST_SECONDS = Histogram(
    "portal_http_request_seconds", "Time to answer, by view.", ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    REQUEST_SECONDS.labels(view=view).observe(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> tuple[bytes, str]:
    """The text /metrics answers, and its content type."""
    from portal.observability.collector import DatabaseCollector

    registry = CollectorRegistry(auto_describe=True)
    registry.register(DatabaseCollector())
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    # One process: its own counters (and the process collector) from the default registry.
    return generate_latest(registry) + generate_latest(REGISTRY), CONTENT_TYPE_LATEST
