#!/usr/bin/env python3
"""Benchmark the API in-process (Django test client, no network) against a bare view.

    python bench/api.py [--rounds N] [--services N]

It creates a throwaway SQLite database in a temporary folder, a user with a token and N
published services (tests.factories.publish), then times, with throttling off:

* POST /api/v1/integration/validate-contract (anonymous), a typical contract;
* POST /api/v1/integration/discover-services (anonymous), 20 of the N services;
* GET /api/v1/services/?limit=50 (anonymous) and GET /api/v1/contracts/ (bearer token).

Same-run baseline: a bare view (GET /healthz through the same client and middleware). It prints
p50 and p95 in milliseconds and each p50's ratio to the baseline's. No target: figures only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    var = tempfile.mkdtemp(prefix="bench-api-")
    os.environ.update(SECRET_KEY=os.environ.get("SECRET_KEY", "bench"), PORTAL_VAR_DIR=var,
                      DJANGO_SETTINGS_MODULE="portal.settings", LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.allow_request = lambda self, request, view: True  # one very busy client
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def ok(response):
    assert response.status_code < 300, response.status_code
    return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--services", type=int, default=50)
    args = parser.parse_args()
    setup()

    from django.contrib.auth import get_user_model
    from editor import percentiles, timed
    from rest_framework.test import APIClient

    from portal.tokens import token_create
    from tests.factories import contract_text, publish

    owner = get_user_model().objects.create_user(email="bench@example.com", password="x",
                                                 display_name="Bench")
    for n in range(args.services):
        publish(f"svc-{n}", owner=owner)
    anonymous = APIClient()
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=owner, name='bench')[1]}")
    text = contract_text("my-svc")
    query = {"capabilities": ["text_generation"], "guarantees": {"latency": {"p95_ms": 600}},
             "limit": 20}
    rows = [
        ("validate-contract (anonymous, the same text each time)", timed(lambda i: ok(
            anonymous.post("/api/v1/integration/validate-contract", {"contract": text},
                           format="json")), args.rounds)),
        (f"discover-services, 20 of {args.services} (anonymous)", timed(lambda i: ok(
            anonymous.post("/api/v1/integration/discover-services", query, format="json")),
            args.rounds)),
        ("services list, 50 rows (anonymous)", timed(
            lambda i: ok(anonymous.get("/api/v1/services/?limit=50")), args.rounds)),
        (f"contracts list, {args.services} rows (token)", timed(
            lambda i: ok(with_token.get("/api/v1/contracts/")), args.rounds)),
        ("baseline: bare view GET /healthz", timed(lambda i: ok(anonymous.get("/healthz")),
                                                   args.rounds)),
    ]
    base_p50 = percentiles(rows[-1][1])[0]
    print(f"API in-process, Django test client, {args.rounds} requests each "
          f"(Python {sys.version.split()[0]}, SQLite, local-memory cache, throttling off)")
    print(f"{'case':<56} {'p50 ms':>8} {'p95 ms':>8} {'x bare view p50':>16}")
    for label, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{label:<56} {p50:8.2f} {p95:8.2f} {p50 / base_p50:16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
