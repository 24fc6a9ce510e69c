"""Shared fixtures of the SDK tests (no Django, no network beyond 127.0.0.1)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

VALID: dict[str, Any] = {
    "service_id": "demo-service",
    "name": "Demo Service",
    "version": "1.0.0",
    "description": "A demo.",
    "capabilities": ["text_generation", "translation"],
    "guarantees": {
        "latency": {"p95_ms": 100, "p99_ms": 200},
        "accuracy": {"min": 0.95},
        "availability": {"target": 99.9},
    },
    "constraints": {"max_tokens": 4096, "max_images": 2, "supported_languages": ["en", "es"]},
    "cost": {"per_request": 0.001, "per_token": 0.0001, "per_image": 0.01, "currency": "USD"},
    "endpoint": "https://api.demo-service.io/v1",
    "documentation_url": "https://docs.demo-service.io",
    "contact": "support@demo-service.io",
    "tags": ["llm", "demo"],
}


@pytest.fixture
def valid_data() -> dict[str, Any]:
    """A complete, valid contract as data (a fresh copy each time)."""
    return copy.deepcopy(VALID)


def _edited(*, at: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """The valid contract with top-level keys and dotted ``at`` paths replaced (None removes)."""
    data = copy.deepcopy(VALID)
    for key, value in top.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    for dotted, value in (at or {}).items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


@pytest.fixture
def contract_data():
    """Build contract data from the valid contract: ``contract_data(version="2.0.0",
    at={"cost.currency": "EUR"})``; ``None`` removes a key."""
    return _edited


@pytest.fixture
def contract_text():
    """Build contract YAML from the valid contract with some keys replaced or removed.

    ``contract_text(name="x", cost=None)``: ``None`` removes the key; nested keys use a
    ``"guarantees.latency.p95_ms"`` path in the ``at`` dict.
    """

    def build(*, at: dict[str, Any] | None = None, **top: Any) -> str:
        return yaml.safe_dump(_edited(at=at, **top), sort_keys=False)

    return build
