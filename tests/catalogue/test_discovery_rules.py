from decimal import Decimal

import pytest

from integrations.catalogue.discovery import DiscoveryQuery, DiscoveryQueryError, discover, explain
from integrations.models import CatalogueEntry
from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.smoke]


@pytest.mark.parametrize("kwargs,field", [
    ({"capabilities": "translation"}, "capabilities"),
    ({"max_p95_ms": -1}, "max_p95_ms"),
    ({"min_accuracy": float("nan")}, "min_accuracy"),
    ({"max_cost_per_request": "abc"}, "max_cost_per_request"),
    ({"max_cost_per_request": "Infinity"}, "max_cost_per_request"),
    ({"currency": "dollars"}, "currency"),
    ({"sort": "random"}, "sort"),
    ({"limit": 0}, "limit"),
    ({"languages": [f"l{i}" for i in range(30)]}, "languages"),
])
def test_bad_queries_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(DiscoveryQueryError) as info:
        DiscoveryQuery(**kwargs)
    assert info.value.field == field


@pytest.mark.django_db
def test_a_withdrawn_service_leaves_the_index_and_a_new_version_brings_it_back():
    owner = make_owner()
    publish("svc-one", owner=owner, status="withdrawn")
    assert not CatalogueEntry.objects.exists()
    publish("svc-one", owner=owner, version="2.0.0", capabilities=["ocr"])
    entry = CatalogueEntry.objects.get()
    assert (entry.version_label, entry.capabilities, entry.deprecated) == ("2.0.0", ["ocr"], False)


@pytest.mark.django_db
def test_each_result_explains_the_declared_value_beside_each_bound():
    publish("svc-one", capabilities=["ocr", "translation"], languages=["de", "en"], p95_ms=80,
            accuracy=0.97, per_request=0.002, currency="EUR")
    query = DiscoveryQuery(capabilities=("ocr",), languages=("de",), max_p95_ms=100,
                           min_accuracy=0.9, max_cost_per_request=Decimal("0.01"), currency="eur")
    entry = discover(query).get()
    assert [r.as_dict() for r in explain(entry, query)] == [
        {"field": "capabilities", "op": "includes", "requested": ["ocr"],
         "declared": ["ocr", "translation"]},
        {"field": "constraints.supported_languages", "op": "includes", "requested": ["de"],
         "declared": ["de", "en"]},
        {"field": "guarantees.latency.p95_ms", "op": "<=", "requested": 100, "declared": 80},
        {"field": "guarantees.accuracy.min", "op": ">=", "requested": 0.9, "declared": 0.97},
        {"field": "cost.per_request", "op": "<=", "requested": "0.01 EUR",
         "declared": "0.002 EUR"},
    ]
    assert not discover(DiscoveryQuery(max_cost_per_request=Decimal("0.01"))).exists()  # USD


@pytest.mark.django_db
def test_a_renamed_owner_is_found_under_the_new_name():
    from integrations.catalogue.publishing import catalogue_refresh_owner
    from integrations.catalogue.selectors import Listing, catalogue_filtered

    owner = make_owner(display_name="Old Name")
    publish("svc-one", owner=owner)
    owner.display_name = "New Name"
    owner.save()
    assert catalogue_refresh_owner(user=owner) == 1
    found = catalogue_filtered(Listing(query=DiscoveryQuery(), owner="new name"))
    assert [e.service_id for e in found] == ["svc-one"]


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["cost", "latency", "newest"])
def test_walking_the_ranking_index_returns_the_same_page(sort):
    import integrations.catalogue.discovery as discovery

    owner = make_owner()
    for i in range(12):
        publish(f"svc-{i:02d}", owner=owner, capabilities=["translation"], languages=["de"],
                p95_ms=(i * 37) % 11 or None, per_request=[0.001, None, 0.002][i % 3])
    query = DiscoveryQuery(capabilities=("translation",), sort=sort, limit=7)
    planned = [m.entry.service_id for m in discovery.discover_matches(query)]
    # walk=True: fetched as a broad query is, whatever its estimate.
    walked = [e.service_id for e in discovery.fetch(discover(query), 0, 7, walk=True)]
    assert walked == planned == [e.service_id for e in discover(query)[:7]]
