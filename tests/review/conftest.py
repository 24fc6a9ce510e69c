"""Fixtures for the review area: contracts with real validated revisions, registered versions."""

from __future__ import annotations

import copy

import pytest
import yaml
from caio_integration.contracts import validate_text

from contracts_app.models import ContractRevision
from integrations.catalogue.publishing import catalogue_publish_revision
from tests.factories import ContractFactory

BASE = {
    "service_id": "PLACEHOLDER",
    "name": "Review Demo Service",
    "version": "1.0.0",
    "description": "A service the review tests register and change.",
    "capabilities": ["text_generation", "code_generation"],
    "guarantees": {
        "latency": {"p95_ms": 100, "p99_ms": 200},
        "accuracy": {"min": 0.95},
        "availability": {"target": 99.9},
    },
    "constraints": {"max_tokens": 8192, "max_images": 4, "supported_languages": ["en", "de", "fr"]},
    "cost": {"per_request": 0.002, "per_token": 0.0001, "per_image": 0.01, "currency": "USD"},
    "endpoint": "https://api.example.com/v1",
    "tags": ["llm"],
}


def contract_data(service_id: str, **changes) -> dict:
    """BASE for `service_id`, with dotted-path changes: contract_data("x", **{"cost.currency": "EUR"}).

    A value of None removes the key.
    """
    data = copy.deepcopy(BASE)
    data["service_id"] = service_id
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return data


def add_revision(contract, data: dict | None = None, *, text: str | None = None,
                 author=None) -> ContractRevision:
    """A revision validated by the SDK for real, like the editor saves it."""
    if text is None:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    result = validate_text(text)
    return ContractRevision.objects.create(
        contract=contract, number=contract.revisions.count() + 1, text=text, data=result.data,
        is_valid=result.valid, diagnostics=[d.to_dict() for d in result.diagnostics],
        author=author or contract.owner,
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hash the fixture users' passwords cheaply: PBKDF2 would cost most of these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_contract(owner):
    def make(service_id: str = "review-demo", *, user=None, **changes):
        contract = ContractFactory(owner=user or owner, service_id=service_id)
        add_revision(contract, contract_data(service_id, **changes))
        return contract

    return make


@pytest.fixture
def register():
    """Publish a revision as the registered version (the catalogue service the worker uses)."""
    def publish(contract, revision=None):
        revision = revision or contract.latest_revision
        return catalogue_publish_revision(contract=contract, revision=revision)

    return publish
