"""Prometheus counters of the calls to the CAIO core, made by the workers.

`core_call_observe` is called around every core call (integrations/pipeline/breaker.py). The
counters live in the worker's processes: with PROMETHEUS_MULTIPROC_DIR set to one folder shared
by the web and the workers, the web's /metrics adds them up (docs/operations.md, "Metrics and
logs"). The per-state gauges need no worker: /metrics reads them from the database.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CORE_CALLS = Counter(
    "portal_core_calls", "Calls to the CAIO core by operation and outcome "
    "(ok, transient, permanent, refused_credentials).", ["operation", "outcome"])
CORE_CALL_SECONDS = Histogram(
    "portal_core_call_seconds", "Latency of the calls to the CAIO core.", ["operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))


def core_call_observe(*, operation: str, outcome: str, seconds: float) -> None:
    CORE_CALLS.labels(operation=operation, outcome=outcome).inc()
    CORE_CALL_SECONDS.labels(operation=operation).observe(seconds)
