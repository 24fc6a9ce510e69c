"""The list's cached counts (selectors.catalogue_counts) against the uncached ones, as the
catalogue changes: registrations, new versions, deprecations, withdrawals, owner renames."""

import pytest
from django.test.utils import override_settings

from integrations.catalogue.discovery import DiscoveryQuery
from integrations.catalogue.publishing import catalogue_refresh_owner, catalogue_set_status
from integrations.catalogue.selectors import (
    Listing,
    catalogue_counts,
    catalogue_filtered,
    catalogue_stats,
)
from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CAP = 2000
CACHED = override_settings(CATALOGUE_COUNTS_CACHE_SECONDS=60)
LISTINGS = [
    Listing(DiscoveryQuery(include_deprecated=True)),
    Listing(DiscoveryQuery(capabilities=("translation",), include_deprecated=True)),
    Listing(DiscoveryQuery(capabilities=("translation",), languages=("de",), max_p95_ms=100,
                           include_deprecated=True)),
    Listing(DiscoveryQuery(include_deprecated=True), text="translator"),
    Listing(DiscoveryQuery(include_deprecated=True), owner="Ada Owner"),
]


def uncached(listing):
    return catalogue_stats(catalogue_filtered(listing), CAP)


def assert_cache_agrees():
    for listing in LISTINGS:
        expected = uncached(listing)
        assert catalogue_counts(listing, CAP) == expected, listing  # computed or found
        assert catalogue_counts(listing, CAP) == expected, listing  # found


def facets_of(response):
    return {value: n for value, _label, n, _checked in response.context["capability_facets"]}


@CACHED
def test_cached_counts_equal_the_uncached_ones_through_every_kind_of_change():
    ada = make_owner("ada@example.com", "Ada Owner")
    publish("fast-translator", owner=ada, capabilities=["translation"], languages=["de", "fr"],
            p95_ms=80, description="A translator")
    publish("slow-translator", capabilities=["translation"], languages=["de"], p95_ms=900)
    assert_cache_agrees()
    publish("new-translator", owner=ada, capabilities=["translation"], languages=["de"],
            p95_ms=50)  # a registration
    assert_cache_agrees()
    publish("slow-translator", version="1.1.0", capabilities=["translation"], languages=["de"],
            p95_ms=60)  # a new version moves it under the latency bound
    assert_cache_agrees()
    fast = publish("fast-translator", status="deprecated", capabilities=["translation"],
                   languages=["de", "fr"], p95_ms=80)
    assert_cache_agrees()
    catalogue_set_status(service=fast, status="withdrawn")
    assert_cache_agrees()
    ada.display_name = "Ada Renamed"
    ada.save(update_fields=["display_name"])
    catalogue_refresh_owner(user=ada)
    assert_cache_agrees()
    assert catalogue_counts(LISTINGS[4], CAP) == (0, {"c": [], "l": []})


@CACHED
def test_a_repeated_list_page_counts_once_and_a_registration_shows_at_once(
        anonymous, django_assert_num_queries):
    publish("svc-a", capabilities=["translation", "ocr"])
    url = "/services/?capability=translation"
    first = anonymous.get(url)
    assert first.context["total"] == 1
    with django_assert_num_queries(1):  # the page; the counts come from the cache
        again = anonymous.get(url)
    assert again.context["total"] == 1 and facets_of(again) == facets_of(first)
    publish("svc-b", capabilities=["translation"])
    after = anonymous.get(url)
    assert after.context["total"] == 2
    assert facets_of(after)["translation"] == 2 and facets_of(after)["ocr"] == 1


@CACHED
def test_a_withdrawal_leaves_the_cached_counts_at_once(anonymous):
    publish("svc-a", capabilities=["translation"])
    gone = publish("svc-b", capabilities=["translation"])
    assert anonymous.get("/services/").context["total"] == 2
    catalogue_set_status(service=gone, status="withdrawn")
    assert anonymous.get("/services/").context["total"] == 1


@CACHED
def test_the_api_list_reads_the_same_cached_counts_as_the_page(anonymous):
    publish("svc-a", capabilities=["translation"])
    assert anonymous.get("/services/?capability=translation").context["total"] == 1
    publish("svc-b", capabilities=["translation"])
    body = anonymous.get("/api/v1/services/?capability=translation").json()
    assert body["count"] == 2


def test_without_the_setting_every_page_counts_afresh(anonymous, settings,
                                                     django_assert_num_queries):
    settings.CATALOGUE_COUNTS_CACHE_SECONDS = 0
    publish("svc-a", capabilities=["translation"])
    anonymous.get("/services/")
    with django_assert_num_queries(2):  # the counts, then the page
        assert anonymous.get("/services/").context["total"] == 1
