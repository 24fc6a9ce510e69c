"""Discovery equals a brute-force Python oracle over randomized catalogues and queries.

The oracle below is written from the issue's rules, independently of integrations/catalogue/discovery.py:
it reads the contracts' parsed data (not the catalogue index) and filters and sorts in Python.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from integrations.catalogue.discovery import DiscoveryQuery, discover, discover_matches
from integrations.models import ServiceVersion
from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CAPS = ["chat", "embed", "ocr", "translate"]
LANGS = ["de", "en", "fr"]
IDS = ["alpha-svc", "bravo-svc", "charlie-svc", "delta-svc", "echo-svc", "fox-svc", "golf-svc",
       "hotel-svc", "india-svc", "juliet-svc"]


def optional(values):
    """A declared value most of the time (a missing guarantee must still occur)."""
    return st.one_of(st.none(), st.sampled_from(values), st.sampled_from(values))


def sometimes(values):
    """A query bound now and then, so queries match often enough to test the order."""
    return st.one_of(st.none(), st.none(), st.sampled_from(values))


service_spec = st.fixed_dictionaries({
    "capabilities": st.sets(st.sampled_from(CAPS), min_size=1),
    "languages": st.sets(st.sampled_from(LANGS)),
    "p95_ms": optional([10, 50, 100]),
    "p99_ms": optional([100, 300]),
    "accuracy": optional([0.8, 0.9, 0.95]),
    "availability": optional([99.0, 99.9]),
    "max_tokens": optional([1000, 4000]),
    "max_images": optional([1, 4]),
    "per_request": optional([0.001, 0.0015, 0.002]),
    "per_token": optional([0.00001, 0.00002]),
    "currency": st.sampled_from(["USD", "USD", "EUR"]),
    "status": st.sampled_from(["active", "active", "active", "deprecated", "withdrawn"]),
    "older": st.one_of(st.none(), st.sets(st.sampled_from(CAPS), min_size=1)),
})

query_spec = st.fixed_dictionaries({
    "capabilities": st.sets(st.sampled_from(CAPS), max_size=2),
    "languages": st.sets(st.sampled_from(LANGS), max_size=1),
    "max_p95_ms": sometimes([10, 60, 100]),
    "max_p99_ms": sometimes([100, 300]),
    "min_accuracy": sometimes([0.85, 0.9]),
    "min_availability": sometimes([99.0, 99.9]),
    "min_max_tokens": sometimes([1000, 2000]),
    "min_max_images": sometimes([2]),
    "max_cost_per_request": sometimes(["0.0015", "0.002"]),
    "max_cost_per_token": sometimes(["0.00001"]),
    "currency": st.sampled_from(["USD", "EUR"]),
    "include_deprecated": st.booleans(),
    "sort": st.sampled_from(["cost", "latency", "newest"]),
})


def oracle(catalogue: list[dict], q: dict) -> list[str]:
    def declared(svc, *path):
        value = svc["data"]
        for key in path:
            value = (value or {}).get(key)
        return value

    def ok(svc) -> bool:
        if svc["status"] == "withdrawn":
            return False
        if svc["status"] == "deprecated" and not q["include_deprecated"]:
            return False
        if not set(q["capabilities"]) <= set(svc["data"]["capabilities"]):
            return False
        if not set(q["languages"]) <= set(declared(svc, "constraints", "supported_languages")):
            return False
        checks = [
            ("max_p95_ms", ("guarantees", "latency", "p95_ms"), "max"),
            ("max_p99_ms", ("guarantees", "latency", "p99_ms"), "max"),
            ("min_accuracy", ("guarantees", "accuracy", "min"), "min"),
            ("min_availability", ("guarantees", "availability", "target"), "min"),
            ("min_max_tokens", ("constraints", "max_tokens"), "min"),
            ("min_max_images", ("constraints", "max_images"), "min"),
            ("max_cost_per_request", ("cost", "per_request"), "max"),
            ("max_cost_per_token", ("cost", "per_token"), "max"),
        ]
        for param, path, kind in checks:
            bound = q[param]
            if bound is None:
                continue
            value = declared(svc, *path)
            if value is None:
                return False
            if param.startswith("max_cost"):
                if declared(svc, "cost", "currency") != q["currency"]:
                    return False
                value, bound = Decimal(str(value)), Decimal(bound)
            if (kind == "max" and value > bound) or (kind == "min" and value < bound):
                return False
        return True

    def cost(svc):
        value = declared(svc, "cost", "per_request")
        same = declared(svc, "cost", "currency") == q["currency"]
        return (1, Decimal(0)) if value is None or not same else (0, Decimal(str(value)))

    def p95(svc):
        value = declared(svc, "guarantees", "latency", "p95_ms")
        return (1, 0) if value is None else (0, value)

    def key(svc):
        dep = svc["status"] == "deprecated"
        if q["sort"] == "latency":
            return (dep, p95(svc), cost(svc), svc["id"])
        if q["sort"] == "newest":
            return (dep, -svc["registered_at"].timestamp(), svc["id"])
        return (dep, cost(svc), p95(svc), svc["id"])

    return [svc["id"] for svc in sorted(filter(ok, catalogue), key=key)]


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(services=st.lists(service_spec, min_size=0, max_size=6), queries=st.lists(query_spec,
       min_size=1, max_size=4))
def test_discovery_returns_exactly_the_oracles_services_in_the_oracles_order(services, queries):
    with transaction.atomic():
        owner = make_owner("prop@example.com", "Prop")
        catalogue = []
        for service_id, spec in zip(IDS, services, strict=False):
            fields = {k: spec[k] for k in ("capabilities", "languages", "p95_ms", "p99_ms",
                                           "accuracy", "availability", "max_tokens",
                                           "max_images", "per_request", "per_token", "currency")}
            if spec["older"] is not None:  # an earlier version that must no longer count
                publish(service_id, owner=owner, version="0.9.0", capabilities=spec["older"],
                        languages=LANGS, p95_ms=1, accuracy=1.0, per_request=0.0000001)
            service = publish(service_id, owner=owner, status=spec["status"], **fields)
            version = ServiceVersion.objects.get(pk=service.current_version_id)
            catalogue.append({"id": service_id, "status": spec["status"],
                              "data": version.revision.data,
                              "registered_at": version.registered_at})
        matched = 0
        for q in queries:
            query = DiscoveryQuery(**{**q, "capabilities": tuple(sorted(q["capabilities"])),
                                      "languages": tuple(sorted(q["languages"]))})
            expected = oracle(catalogue, q)
            matched += len(expected)
            assert [e.service_id for e in discover(query)] == expected, (q, catalogue)
            limited = DiscoveryQuery(**{**query.__dict__, "limit": 2})
            assert [m.entry.service_id for m in discover_matches(limited)] == expected[:2]
        target(float(matched), label="matches")  # steer towards queries that match services
        transaction.set_rollback(True)
