"""discover-services pages: `count` (this answer), `total` (all matches, capped), `next` (a
cursor that only works with the same query)."""

from __future__ import annotations

import pytest

from integrations.catalogue import discovery
from tests.factories import publish

pytestmark = pytest.mark.django_db
URL = "/api/v1/integration/discover-services"


@pytest.fixture
def seven(owner):
    for i in range(7):
        publish(f"svc-{i}", owner=owner, **{"guarantees.latency.p95_ms": 100 + i,
                                            "cost.per_request": 0.001 * (i + 1)})


def discover(client, body):
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.smoke
def test_pages_follow_the_cursor_to_the_end_with_count_total_and_next(anon_api, seven):
    query = {"capabilities": ["text_generation"], "sort": "latency", "limit": 3}
    seen, body, pages = [], discover(anon_api, query), 0
    while True:
        pages += 1
        assert body["total"] == 7 and body["total_is_estimate"] is False
        assert body["count"] == len(body["services"])
        seen += [s["service_id"] for s in body["services"]]
        if body["next"] is None:
            break
        body = discover(anon_api, {**query, "cursor": body["next"]})
    assert seen == [f"svc-{i}" for i in range(7)] and pages == 3


def test_one_page_holding_everything_has_no_next(anon_api, seven):
    body = discover(anon_api, {"limit": 7})
    assert (body["count"], body["total"], body["next"]) == (7, 7, None)
    none = discover(anon_api, {"capabilities": ["ocr"], "cursor": None})
    assert (none["count"], none["total"], none["next"]) == (0, 0, None)


def test_the_page_size_may_change_between_pages(anon_api, seven):
    first = discover(anon_api, {"limit": 2})
    rest = discover(anon_api, {"limit": 10, "cursor": first["next"]})
    assert rest["count"] == 5 and rest["next"] is None


def test_above_the_cap_the_total_says_it_is_an_estimate_and_paging_stops_there(
        anon_api, seven, monkeypatch):
    monkeypatch.setattr(discovery, "TOTAL_CAP", 4)
    first = discover(anon_api, {"limit": 3})
    assert (first["total"], first["total_is_estimate"]) == (4, True)
    second = discover(anon_api, {"limit": 3, "cursor": first["next"]})
    assert second["count"] == 3 and second["next"] is None


@pytest.mark.parametrize("cursor", ["", "!!!!", "a=", "a" * 201, 5, ["x"], {"o": 1}])
def test_a_cursor_that_is_not_a_cursor_string_is_a_400(anon_api, seven, cursor):
    response = anon_api.post(URL, {"cursor": cursor}, format="json")
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["details"]


@pytest.mark.parametrize("cursor", ["x", "e30", "eyJvIjotMSwicSI6IngifQ", "eyJvIjozMDAwfQ",
                                    "a" * 200])
def test_a_cursor_the_portal_did_not_give_is_a_422(anon_api, seven, cursor):
    response = anon_api.post(URL, {"cursor": cursor}, format="json")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_cursor" and "cursor" in error["details"]


def test_a_cursor_of_another_query_is_refused(anon_api, seven):
    cursor = discover(anon_api, {"limit": 2, "sort": "latency"})["next"]
    response = anon_api.post(URL, {"limit": 2, "sort": "cost", "cursor": cursor}, format="json")
    assert response.status_code == 422
    assert "another query" in response.json()["error"]["message"]
