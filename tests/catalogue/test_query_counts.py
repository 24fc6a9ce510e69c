"""The list, the service page and discovery use a fixed number of SQL queries, whatever N."""

import pytest

from integrations.catalogue.discovery import DiscoveryQuery, discover_matches, term_counts
from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

LIST_MAX = 2  # one for the count and facets, one for the page (ids then rows)
DETAIL_MAX = 2  # the service with its version, revision, owner, successor; the history
DISCOVERY_MAX = 1


def grow(n: int, start: int = 0) -> None:
    owner = make_owner(f"bulk{start}@example.com", "Bulk Owner")
    for i in range(start, start + n):
        publish(f"svc-{i:03d}", owner=owner, capabilities=["translation", "ocr"],
                languages=["de", "fr"], p95_ms=50 + i, accuracy=0.95, per_request=0.001)
        if i % 3 == 0:
            publish(f"svc-{i:03d}", owner=owner, version="1.1.0", capabilities=["translation"],
                    languages=["de", "fr"], p95_ms=40, accuracy=0.95)


@pytest.mark.parametrize("extra", [0, 27])
def test_catalogue_list_query_count_does_not_grow_with_services(
        anonymous, django_assert_max_num_queries, extra):
    grow(3 + extra)
    term_counts()
    for url in ("/services/", "/services/?capability=translation&language=de&max_p95=500",
                "/services/?q=svc&sort=newest&page=2"):
        with django_assert_max_num_queries(LIST_MAX):
            assert anonymous.get(url).status_code == 200


@pytest.mark.parametrize("extra", [0, 12])
def test_service_page_query_count_does_not_grow_with_versions(
        anonymous, django_assert_max_num_queries, extra):
    grow(1)
    for i in range(extra):
        publish("svc-000", version=f"2.{i}.0", capabilities=["translation"])
    with django_assert_max_num_queries(DETAIL_MAX):
        assert anonymous.get("/services/svc-000/").status_code == 200


@pytest.mark.parametrize("extra", [0, 27])
def test_discovery_query_count_does_not_grow_with_results(django_assert_max_num_queries, extra):
    grow(3 + extra)
    term_counts()
    query = DiscoveryQuery(capabilities=("translation",), languages=("de",), max_p95_ms=500,
                           min_accuracy=0.9, limit=50)
    with django_assert_max_num_queries(DISCOVERY_MAX):
        matches = discover_matches(query)
    assert len(matches) == 3 + extra
    assert matches[0].reasons[2].as_dict() == {
        "field": "guarantees.latency.p95_ms", "op": "<=", "requested": 500,
        "declared": matches[0].entry.p95_ms}
