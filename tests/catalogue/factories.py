"""Publish real catalogue services for tests, through catalogue_publish_revision (the real path)."""

from __future__ import annotations

from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from contracts_app.models import Contract, ContractRevision
from integrations.catalogue.publishing import catalogue_publish_revision, catalogue_set_status


def contract_data(service_id: str, *, version: str = "1.0.0", name: str | None = None,
                  capabilities=("text_generation",), languages=("en",), p95_ms=None, p99_ms=None,
                  accuracy=None, availability=None, max_tokens=None, max_images=None,
                  per_request=None, per_token=None, currency="USD", description="",
                  endpoint=None, documentation_url=None, tags=()) -> dict[str, Any]:
    data: dict[str, Any] = {"service_id": service_id, "name": name or service_id.title(),
                            "version": version, "capabilities": list(capabilities)}
    if description:
        data["description"] = description
    guarantees: dict[str, Any] = {}
    latency = {k: v for k, v in (("p95_ms", p95_ms), ("p99_ms", p99_ms)) if v is not None}
    if latency:
        guarantees["latency"] = latency
    if accuracy is not None:
        guarantees["accuracy"] = {"min": accuracy}
    if availability is not None:
        guarantees["availability"] = {"target": availability}
    if guarantees:
        data["guarantees"] = guarantees
    constraints: dict[str, Any] = {"supported_languages": list(languages)}
    if max_tokens is not None:
        constraints["max_tokens"] = max_tokens
    if max_images is not None:
        constraints["max_images"] = max_images
    data["constraints"] = constraints
    cost: dict[str, Any] = {"currency": currency}
    if per_request is not None:
        cost["per_request"] = per_request
    if per_token is not None:
        cost["per_token"] = per_token
    data["cost"] = cost
    if endpoint:
        data["endpoint"] = endpoint
    if documentation_url:
        data["documentation_url"] = documentation_url
    if tags:
        data["tags"] = list(tags)
    return data


def make_owner(email: str | None = None, display_name: str = "Owner"):
    """A user without password hashing (fast; these owners never sign in)."""
    User = get_user_model()
    email = email or f"owner-{User.objects.count() + 1}@example.com"
    return User.objects.create(email=email, display_name=display_name, password="!")


def publish(service_id: str, *, owner=None, status: str = "active", successor=None, **fields):
    """Create (or add a version to) a contract and publish it; returns the RegisteredService."""
    with transaction.atomic():  # as the pipeline does: publishing locks the service row
        return _publish(service_id, owner=owner, status=status, successor=successor, **fields)


def _publish(service_id, *, owner, status, successor, **fields):
    owner = owner or make_owner()
    contract = Contract.objects.filter(service_id=service_id).first()
    if contract is None:
        contract = Contract.objects.create(owner=owner, service_id=service_id)
    data = contract_data(service_id, **fields)
    revision = ContractRevision.objects.create(
        contract=contract, number=contract.revisions.count() + 1,
        text=yaml.safe_dump(data, sort_keys=False, allow_unicode=True), data=data,
        is_valid=True, diagnostics=[], author=contract.owner,
    )
    service, _ = catalogue_publish_revision(contract=contract, revision=revision)
    if status != "active":
        service = catalogue_set_status(service=service, status=status, successor=successor)
    return service
