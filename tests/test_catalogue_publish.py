import pytest
from caio_integration.contracts import semver_key

from integrations.catalogue.publishing import catalogue_publish_revision
from tests.factories import ContractRevisionFactory

pytestmark = pytest.mark.smoke

ORDERED = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
           "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0", "10.0.0"]


def test_semver_keys_sort_in_semver_precedence():
    assert sorted(ORDERED, key=semver_key) == ORDERED
    assert sorted(reversed(ORDERED), key=semver_key) == ORDERED


def test_build_metadata_does_not_change_precedence():
    assert semver_key("1.0.0+build.5") == semver_key("1.0.0")


@pytest.mark.parametrize("bad", ["1.0", "v1.0.0", "01.0.0", "1.0.0-", ""])
def test_semver_key_refuses_a_non_semver_string(bad):
    with pytest.raises(ValueError):
        semver_key(bad)


@pytest.mark.django_db
def test_publishing_a_revision_creates_the_service_and_its_typed_version():
    revision = ContractRevisionFactory(data={
        "service_id": "svc-abc", "name": "ABC", "version": "1.2.3", "capabilities": ["b", "a", "a"],
        "guarantees": {"latency": {"p95_ms": 80, "p99_ms": 120}, "accuracy": {"min": 0.95}},
        "constraints": {"max_tokens": 1000, "supported_languages": ["fr", "de"]},
        "cost": {"per_request": 0.0015, "currency": "eur"},
    })
    service, version = catalogue_publish_revision(contract=revision.contract, revision=revision)
    assert service.current_version == version
    version.refresh_from_db()
    assert (version.capabilities, version.languages) == (["a", "b"], ["de", "fr"])
    assert (version.p95_ms, version.p99_ms, version.accuracy_min) == (80, 120, 0.95)
    assert str(version.cost_per_request) == "0.00150000" and version.currency == "EUR"


@pytest.mark.django_db
def test_deprecating_a_service_records_its_successor_and_refuses_itself():
    from integrations.catalogue.publishing import catalogue_set_status

    old = ContractRevisionFactory()
    new = ContractRevisionFactory()
    old_service, _ = catalogue_publish_revision(contract=old.contract, revision=old)
    new_service, _ = catalogue_publish_revision(contract=new.contract, revision=new)
    catalogue_set_status(service=old_service, status="deprecated", successor=new_service)
    old_service.refresh_from_db()
    assert (old_service.status, old_service.successor) == ("deprecated", new_service)
    with pytest.raises(ValueError):
        catalogue_set_status(service=old_service, status="deprecated", successor=old_service)
