"""What a contract offers, as flat values: guarantees, constraints and cost.

The one mapping of those contract fields: the catalogue's typed columns are built from it
(integrations/catalogue/publishing.py) and the contract page shows it through the same partial
as the service page (templates/contracts/_offer.html). Tolerant of a draft's wrong types: a
value of the wrong type is left out (the validator reports it).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _number(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _section(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def offer_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The flat offer of a contract's parsed data, named as the catalogue's columns."""
    constraints = _section(data, "constraints")
    cost = _section(data, "cost")
    languages = constraints.get("supported_languages")
    currency = cost.get("currency")
    return {
        "languages": sorted({x for x in languages if isinstance(x, str)})
        if isinstance(languages, list) else [],
        "p95_ms": _number(_section(data, "guarantees", "latency").get("p95_ms")),
        "p99_ms": _number(_section(data, "guarantees", "latency").get("p99_ms")),
        "accuracy_min": _number(_section(data, "guarantees", "accuracy").get("min")),
        "availability_target": _number(_section(data, "guarantees", "availability").get("target")),
        "max_tokens": _number(constraints.get("max_tokens")),
        "max_images": _number(constraints.get("max_images")),
        "cost_per_request": _decimal(_number(cost.get("per_request"))),
        "cost_per_token": _decimal(_number(cost.get("per_token"))),
        "cost_per_image": _decimal(_number(cost.get("per_image"))),
        "currency": currency.upper() if isinstance(currency, str) and currency else "USD",
    }
