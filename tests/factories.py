"""The one place tests build users, contracts, revisions and published services.

Contract data comes from one builder, `contract_data` (and `contract_text`, its YAML): a complete,
valid contract (`CONTRACT`) with keyword changes. Rows come from `ContractFactory`,
`ContractRevisionFactory` (fast: no validator call), `add_revision` and `make_contract` (validated
by the SDK for real, as the editor saves them), `make_revision` (the pipeline's shorthand) and
`publish` (a catalogued service, through the real publishing service).
"""

from __future__ import annotations

import copy
from typing import Any

import factory
import yaml
from caio_integration.contracts import validate_text
from django.contrib.auth import get_user_model
from django.db import transaction

from contracts_app.models import Contract, ContractRevision

DEFAULT_PASSWORD = "correct-horse-battery-staple"

# Every optional field set, so a test can change or drop any of them.
CONTRACT: dict[str, Any] = {
    "service_id": "example-service",
    "name": "Example Service",
    "version": "1.0.0",
    "description": "An example service used by the tests.",
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
REQUIRED = ("service_id", "name", "version", "capabilities")


def contract_data(service_id: str = "example-service", *, required_only: bool = False,
                  **changes: Any) -> dict[str, Any]:
    """`CONTRACT` for `service_id`, with changes: contract_data("x", version="2.0.0",
    **{"cost.currency": "EUR", "guarantees.accuracy": None}).

    A key is a top-level field or a dotted path; a value of None removes the key. With
    `required_only`, the changes apply to the four required fields alone.
    """
    data = copy.deepcopy(CONTRACT)
    if required_only:
        data = {key: data[key] for key in REQUIRED}
    data["service_id"] = service_id
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = data
        for key in parents:
            if value is None and key not in node:
                break
            node = node.setdefault(key, {})
        else:
            if value is None:
                node.pop(leaf, None)
            else:
                node[leaf] = copy.deepcopy(value)
    return data


def contract_text(service_id: str = "example-service", **changes: Any) -> str:
    """The YAML of `contract_data(service_id, **changes)`."""
    return to_yaml(contract_data(service_id, **changes))


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"dev{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Developer {n}")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook signature
        if create:
            obj.save()


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"reviewer{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Reviewer {n}")
    is_staff = True


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    owner = factory.SubFactory(UserFactory)
    service_id = factory.Sequence(lambda n: f"service-{n:04d}")


class ContractRevisionFactory(factory.django.DjangoModelFactory):
    """A revision marked valid without calling the validator: `data`, and `text` its YAML."""

    class Meta:
        model = ContractRevision

    contract = factory.SubFactory(ContractFactory)
    number = factory.LazyAttribute(lambda o: o.contract.revisions.count() + 1)
    data = factory.LazyAttribute(lambda o: contract_data(o.contract.service_id))
    text = factory.LazyAttribute(lambda o: to_yaml(o.data))
    is_valid = True
    diagnostics = factory.LazyFunction(list)
    author = factory.LazyAttribute(lambda o: o.contract.owner)


def add_revision(contract: Contract, data: dict[str, Any] | None = None, *, text: str | None = None,
                 author=None) -> ContractRevision:
    """The next revision of `contract`, validated by the SDK for real, as the editor saves it.

    From `text`, else from `data`, else from `contract_data(contract.service_id)`.
    """
    if text is None:
        text = to_yaml(data if data is not None else contract_data(contract.service_id))
    result = validate_text(text)
    return ContractRevision.objects.create(
        contract=contract, number=contract.revisions.count() + 1, text=text, data=result.data,
        is_valid=result.valid, diagnostics=[d.to_dict() for d in result.diagnostics],
        author=author or contract.owner,
    )


def make_contract(owner, service_id: str = "example-service", **changes: Any) -> Contract:
    """A contract of `owner` whose revision 1 is `contract_data(service_id, **changes)`."""
    contract = ContractFactory(owner=owner, service_id=service_id)
    add_revision(contract, contract_data(service_id, **changes))
    return contract


def make_revision(owner, *, version: str = "1.0.0", contract: Contract | None = None,
                  service_id: str | None = None) -> ContractRevision:
    """A valid revision at `version` of `contract` (by default a new contract of `owner`)."""
    contract = contract or ContractFactory(owner=owner, **({"service_id": service_id}
                                                            if service_id else {}))
    return ContractRevisionFactory(contract=contract, author=owner,
                                   data=contract_data(contract.service_id, version=version))


def make_owner(email: str | None = None, display_name: str = "Owner"):
    """A user without password hashing (fast; these owners never sign in)."""
    User = get_user_model()
    email = email or f"owner-{User.objects.count() + 1}@example.com"
    return User.objects.create(email=email, display_name=display_name, password="!")


def publish(service_id: str, *, owner=None, text: str | None = None,
            data: dict[str, Any] | None = None, status: str = "active", successor=None,
            **changes: Any):
    """A catalogued service, as the pipeline leaves it; returns the RegisteredService.

    Adds a revision to the contract `service_id` (created for `owner` if missing) and publishes
    it, then sets `status` (with `successor`) when it is not "active". The revision is `text`,
    validated by the SDK (it must be valid), else `data` or `contract_data(service_id,
    **changes)` as they are, unvalidated (the catalogue tests publish hostile values on purpose).
    """
    from integrations.catalogue.publishing import catalogue_publish_revision, catalogue_set_status

    contract = Contract.objects.filter(service_id=service_id).first()
    if contract is None:
        contract = ContractFactory(owner=owner or make_owner(), service_id=service_id)
    if text is not None:
        revision = add_revision(contract, text=text, author=owner or contract.owner)
        assert revision.is_valid, revision.diagnostics
    else:
        revision = ContractRevisionFactory(
            contract=contract, author=owner or contract.owner,
            data=data if data is not None else contract_data(service_id, **changes))
    with transaction.atomic():  # as the pipeline does: publishing locks the service row
        service, _version = catalogue_publish_revision(contract=contract, revision=revision)
        if status != "active":
            service = catalogue_set_status(service=service, status=status, successor=successor)
    return service
