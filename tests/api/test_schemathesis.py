"""Property-based requests from the OpenAPI schema (schemathesis): no input makes the API fail.

Every operation in /api/schema/ gets a few generated requests (valid and invalid bodies,
parameters and paths), sent through the real WSGI stack with a real token. Any 5xx fails.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.factories import publish  # noqa: E402

EXAMPLES = 10


@pytest.fixture
def wsgi_schema(db, owner):
    from portal.wsgi import application

    publish("listed-svc", owner=owner)
    # As Django's test client does: keep the test's transaction open across WSGI requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_generated_request_gets_a_server_error(wsgi_schema, owner_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # Generated traffic is far above any real client's; throttling would hide the handlers.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    headers = {"Authorization": f"Bearer {owner_token[1]}"}
    failures: list[str] = []
    seen: set[int] = set()
    operations = [result.ok() for result in wsgi_schema.get_all_operations()]
    assert len(operations) >= 16

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            seen.add(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} "
                                f"{response.text[:300]}")

        run()
    assert not failures, "\n".join(failures[:10])
    assert {200, 400} <= seen, seen  # it did reach the handlers, with good and bad input
