"""Fixtures for the review area: contracts with real validated revisions, registered versions.

Contract data and revisions come from tests.factories (contract_data, add_revision)."""

from __future__ import annotations

import pytest

from integrations.catalogue.publishing import catalogue_publish_revision
from tests.factories import make_contract as make_contract_for


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hash the fixture users' passwords cheaply: PBKDF2 would cost most of these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_contract(owner):
    """make_contract("svc", user=None, **changes): tests.factories.make_contract for `owner`."""
    def make(service_id: str = "review-demo", *, user=None, **changes):
        return make_contract_for(user or owner, service_id, **changes)

    return make


@pytest.fixture
def register():
    """Publish a revision as the registered version (the catalogue service the worker uses)."""
    def publish(contract, revision=None):
        revision = revision or contract.latest_revision
        return catalogue_publish_revision(contract=contract, revision=revision)

    return publish
