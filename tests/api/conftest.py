"""API fixtures: tokens, bearer clients, contract texts and published services."""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from contracts_app.services import check_text
from integrations.catalogue.publishing import catalogue_publish_revision
from portal.tokens import token_create
from tests.factories import SIMPLE_CONTRACT, ContractFactory, ContractRevisionFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def contract_text(service_id: str, *, version: str = "1.0.0", **replace: str) -> str:
    text = SIMPLE_CONTRACT.format(service_id=service_id).replace('"1.0.0"', f'"{version}"')
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def owner_token(owner):
    return token_create(user=owner, name="laptop")


@pytest.fixture
def owner_api(owner_token) -> APIClient:
    return bearer(owner_token[1])


@pytest.fixture
def other_api(other_developer) -> APIClient:
    return bearer(token_create(user=other_developer, name="ci")[1])


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


def publish(service_id: str, *, owner, text: str | None = None, version: str = "1.0.0"):
    """A registered, catalogued service (as the pipeline leaves it), from a real contract text."""
    from contracts_app.models import Contract

    contract = (Contract.objects.filter(service_id=service_id).first()
                or ContractFactory(owner=owner, service_id=service_id))
    text = text or contract_text(service_id, version=version)
    verdict = check_text(text=text, service_id=service_id, with_data=True)
    assert verdict.valid, verdict.diagnostics
    revision = ContractRevisionFactory(contract=contract, text=text, data=verdict.data,
                                       author=owner)
    with transaction.atomic():  # as the pipeline calls it
        service, _version = catalogue_publish_revision(contract=contract, revision=revision)
    return service
