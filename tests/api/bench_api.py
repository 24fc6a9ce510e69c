"""API latency in-process (Django test client, no network), printed, never asserted.

Run explicitly (the suite does not collect it: the name does not start with test_):
  SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_api \
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python -m pytest tests/api/bench_api.py -q -s
"""

import statistics
import time

import pytest

from tests.factories import contract_text, publish

pytestmark = pytest.mark.django_db
RUNS = 200


def measure(label, call):
    call()  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 300
    times.sort()
    print(f"{label}: median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(RUNS * 0.95)]:.2f} ms")


def test_bench(anon_api, owner_api, owner, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, r, v: True)
    for n in range(50):
        publish(f"svc-{n}", owner=owner)
    text = contract_text("my-svc")
    query = {"capabilities": ["text_generation"], "guarantees": {"latency": {"p95_ms": 600}},
             "limit": 20}
    measure("validate (anonymous)", lambda: anon_api.post(
        "/api/v1/integration/validate-contract", {"contract": text}, format="json"))
    measure("discover 20 of 50 (anonymous)", lambda: anon_api.post(
        "/api/v1/integration/discover-services", query, format="json"))
    measure("services list, 50 rows", lambda: anon_api.get("/api/v1/services/?limit=50"))
    measure("contracts list, 50 rows (token)", lambda: owner_api.get("/api/v1/contracts/"))
