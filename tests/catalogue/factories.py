"""The catalogue tests' shorthand over `tests.factories`: a service from a few named fields.

`publish("svc", p95_ms=80, languages=["de"])` publishes the required fields of
`tests.factories.contract_data` plus the fields named, through the real publishing service.
"""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.factories import make_owner

__all__ = ["catalogue_data", "make_owner", "publish"]

# Shorthand keyword -> dotted path in the contract.
PATHS = {
    "description": "description", "p95_ms": "guarantees.latency.p95_ms",
    "p99_ms": "guarantees.latency.p99_ms", "accuracy": "guarantees.accuracy.min",
    "availability": "guarantees.availability.target", "max_tokens": "constraints.max_tokens",
    "max_images": "constraints.max_images", "languages": "constraints.supported_languages",
    "per_request": "cost.per_request", "per_token": "cost.per_token", "currency": "cost.currency",
    "endpoint": "endpoint", "documentation_url": "documentation_url", "tags": "tags",
    "contact": "contact",
}


def catalogue_data(service_id: str, *, version: str = "1.0.0", name: str | None = None,
                   capabilities=("text_generation",), languages=("en",), currency: str = "USD",
                   **fields: Any) -> dict[str, Any]:
    """The required fields, the shorthand `fields` (None or empty: left out), a language list
    and a currency."""
    changes = {PATHS[key]: list(value) if isinstance(value, (list, tuple)) else value
               for key, value in fields.items() if value not in (None, "", (), [])}
    changes.update({PATHS["languages"]: list(languages), PATHS["currency"]: currency})
    return factories.contract_data(service_id, required_only=True, version=version,
                                   name=name or service_id.title(),
                                   capabilities=list(capabilities), **changes)


def publish(service_id: str, *, owner=None, status: str = "active", successor=None, **fields):
    """Create (or add a version to) a contract and publish it; returns the RegisteredService."""
    return factories.publish(service_id, owner=owner, status=status, successor=successor,
                             data=catalogue_data(service_id, **fields))
