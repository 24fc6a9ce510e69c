"""The typed contract: frozen dataclasses built from a valid contract."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from ..exceptions import ContractValidationError
from .validation import validate_data, validate_file


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None and v != {}}


class _Section:
    __slots__ = ()

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, _Section):
                value = value.to_data() or None
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return _drop_none(out)


@dataclass(frozen=True, slots=True)
class Latency(_Section):
    p95_ms: float | None = None
    p99_ms: float | None = None


@dataclass(frozen=True, slots=True)
class Accuracy(_Section):
    min: float | None = None


@dataclass(frozen=True, slots=True)
class Availability(_Section):
    target: float | None = None


@dataclass(frozen=True, slots=True)
class Guarantees(_Section):
    latency: Latency | None = None
    accuracy: Accuracy | None = None
    availability: Availability | None = None


@dataclass(frozen=True, slots=True)
class Constraints(_Section):
    max_tokens: int | None = None
    max_images: int | None = None
    supported_languages: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Cost(_Section):
    per_request: float | None = None
    per_token: float | None = None
    per_image: float | None = None
    currency: str = "USD"


def _section(cls: type, data: Any) -> Any:
    if data is None:
        return None
    kwargs = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = tuple(value)
        kwargs[key] = value
    return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class Contract(_Section):
    """A valid CAIO service contract (schema v1)."""

    service_id: str
    name: str
    version: str
    capabilities: tuple[str, ...]
    description: str | None = None
    guarantees: Guarantees | None = None
    constraints: Constraints | None = None
    cost: Cost | None = None
    endpoint: str | None = None
    documentation_url: str | None = None
    contact: str | None = None
    tags: tuple[str, ...] | None = None

    @classmethod
    def from_data(cls, data: Any) -> Contract:
        """Build from a parsed mapping; raises ContractValidationError if it is not valid."""
        result = validate_data(data)
        if not result.valid:
            raise ContractValidationError(result.diagnostics)
        return cls._build(data)

    @classmethod
    def _build(cls, data: dict[str, Any]) -> Contract:
        g = data.get("guarantees")
        guarantees = None
        if g is not None:
            guarantees = Guarantees(
                latency=_section(Latency, g.get("latency")),
                accuracy=_section(Accuracy, g.get("accuracy")),
                availability=_section(Availability, g.get("availability")),
            )
        tags = data.get("tags")
        return cls(
            service_id=data["service_id"],
            name=data["name"],
            version=data["version"],
            capabilities=tuple(data["capabilities"]),
            description=data.get("description"),
            guarantees=guarantees,
            constraints=_section(Constraints, data.get("constraints")),
            cost=_section(Cost, data.get("cost")),
            endpoint=data.get("endpoint"),
            documentation_url=data.get("documentation_url"),
            contact=data.get("contact"),
            tags=tuple(tags) if tags is not None else None,
        )


def load_contract(path: str | os.PathLike[str]) -> Contract:
    """Read, validate and type the contract file at ``path``.

    Raises ContractValidationError (with ``.diagnostics``) if the contract has any error, and
    OSError if the file cannot be read.
    """
    result = validate_file(path)
    if not result.valid or result.data is None:
        raise ContractValidationError(result.diagnostics, source=os.fspath(path))
    return Contract._build(result.data)
