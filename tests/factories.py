"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from contracts_app.models import Contract, ContractRevision

DEFAULT_PASSWORD = "correct-horse-battery-staple"

SIMPLE_CONTRACT = """\
service_id: {service_id}
name: Example Service
version: "1.0.0"
description: An example service used by the tests.
capabilities:
  - text_generation
guarantees:
  latency:
    p95_ms: 500
    p99_ms: 1000
  accuracy:
    min: 0.9
constraints:
  max_tokens: 4096
  supported_languages: [en, de]
cost:
  per_request: 0.001
  currency: USD
"""


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
    """A revision whose text is a small valid contract; data mirrors it (no validator call)."""

    class Meta:
        model = ContractRevision

    contract = factory.SubFactory(ContractFactory)
    number = factory.LazyAttribute(lambda o: o.contract.revisions.count() + 1)
    text = factory.LazyAttribute(lambda o: SIMPLE_CONTRACT.format(service_id=o.contract.service_id))
    data = factory.LazyAttribute(lambda o: {
        "service_id": o.contract.service_id, "name": "Example Service", "version": "1.0.0",
        "capabilities": ["text_generation"],
    })
    is_valid = True
    diagnostics = factory.LazyFunction(list)
    author = factory.LazyAttribute(lambda o: o.contract.owner)
