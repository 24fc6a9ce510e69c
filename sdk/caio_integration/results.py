"""What the portal answers, as typed, frozen dataclasses built tolerantly from its JSON.

Every result keeps the decoded JSON object in ``raw`` and also reads like it
(``submission["status"]``, ``service.get("why")``), so code written against the 1.0 client, which
returned plain dicts, keeps working. Keys the SDK does not know are ignored (they stay in ``raw``);
a missing key is ``None`` (or an empty list or dict); a date that does not parse is ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from .contracts.changes import _number as _decimal  # one reading of a price

# Submission statuses (integrations.models.SubmissionStatus on the portal).
PENDING_REVIEW = "pending_review"
APPROVED = "approved"
QUEUED = "queued"
REGISTERING = "registering"
REGISTERED = "registered"
REJECTED = "rejected"
CANCELLED = "cancelled"
FAILED = "failed"
OPEN_STATUSES = frozenset({PENDING_REVIEW, APPROVED, QUEUED, REGISTERING})
FINAL_STATUSES = frozenset({REGISTERED, REJECTED, CANCELLED, FAILED})


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _records(kind: type[_Record]) -> Callable[[Any], list]:
    def convert(value: Any) -> list:
        return [kind.from_json(v) for v in value if isinstance(v, dict)] \
            if isinstance(value, list) else []
    return convert


def _record(kind: type[_Record]) -> Callable[[Any], Any]:
    return lambda value: kind.from_json(value) if isinstance(value, dict) else None


@dataclass(frozen=True, kw_only=True)
class _Record:
    """A result read from the portal's JSON (``raw``); reads like that dict too."""

    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Field name -> how to turn its JSON value into the field's type (default: as is).
    _CONVERT: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    _DEFAULTS: ClassVar[dict[str, Callable[[], Any]]] = {}

    @classmethod
    def from_json(cls, data: Any, **extra: Any) -> Self:
        """Build from a decoded JSON object; unknown keys are ignored (kept in ``raw``)."""
        data = data if isinstance(data, dict) else {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "raw" or f.name in extra:
                continue
            if f.name in data:
                convert = cls._CONVERT.get(f.name)
                values[f.name] = convert(data[f.name]) if convert else data[f.name]
            elif f.name in cls._DEFAULTS:
                values[f.name] = cls._DEFAULTS[f.name]()
        return cls(raw=dict(data), **values, **extra)

    # Read like the JSON object it came from (the 1.0 client returned dicts).
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __contains__(self, key: object) -> bool:
        return key in self.raw

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def keys(self):  # noqa: ANN201 - dict's own keys view
        return self.raw.keys()


@dataclass(frozen=True, kw_only=True)
class SubmissionEvent(_Record):
    """One line of a submission's timeline."""

    at: datetime | None = None
    actor: str | None = None
    kind: str | None = None
    message: str | None = None

    _CONVERT = {"at": _datetime}


@dataclass(frozen=True, kw_only=True)
class SubmissionChange(_Record):
    """One change a submission makes against the registered version, as the reviewer reads it
    (``kind`` such as ``price_raised``; ``path`` a JSON pointer into the contract)."""

    kind: str | None = None
    path: str | None = None
    breaking: bool = False
    message: str | None = None

    _CONVERT = {"breaking": lambda v: v is True}


@dataclass(frozen=True, kw_only=True)
class Submission(_Record):
    """A contract revision submitted for registration, and where it stands.

    ``status``: ``pending_review`` (waits for a reviewer), ``approved``, ``queued``,
    ``registering``, then ``registered``, or ``rejected``, ``cancelled``, ``failed``.
    ``already_submitted`` is true when the portal answered 200 to a registration: the same text
    was submitted before (this is that submission), or the Idempotency-Key was replayed.
    """

    id: int | None = None
    service_id: str | None = None
    revision: int | None = None
    version: str | None = None
    status: str | None = None
    status_display: str | None = None
    reason: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    links: dict[str, str] = field(default_factory=dict)
    events: list[SubmissionEvent] = field(default_factory=list)
    already_submitted: bool = False
    # The register-service answer only: changes against ``compared_version`` (None: a first
    # registration), breaking ones first.
    compared_version: str | None = None
    breaking: bool = False
    changes: list[SubmissionChange] = field(default_factory=list)

    _CONVERT = {"created_at": _datetime, "updated_at": _datetime, "finished_at": _datetime,
                "links": _mapping, "events": _records(SubmissionEvent),
                "changes": _records(SubmissionChange), "breaking": lambda v: v is True,
                "reason": lambda v: v if isinstance(v, str) else ""}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def registered(self) -> bool:
        return self.status == REGISTERED

    @property
    def waiting_for_review(self) -> bool:
        """True while a reviewer has yet to approve or reject it (manual review)."""
        return self.status == PENDING_REVIEW


@dataclass(frozen=True, kw_only=True)
class _Offer(_Record):
    """What a service offers at one version: what a listed service and a registered version
    both say (the API's guarantee_fields, with the name, version and capabilities)."""

    version: str | None = None
    name: str | None = None
    description: str | None = None
    capabilities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    p95_ms: int | None = None
    p99_ms: int | None = None
    accuracy_min: float | None = None
    availability_target: float | None = None
    max_tokens: int | None = None
    max_images: int | None = None
    cost_per_request: Decimal | None = None
    cost_per_token: Decimal | None = None
    currency: str | None = None
    registered_at: datetime | None = None

    _CONVERT = {"capabilities": _strings, "languages": _strings, "cost_per_request": _decimal,
                "cost_per_token": _decimal, "registered_at": _datetime}


@dataclass(frozen=True, kw_only=True)
class ServiceVersion(_Offer):
    """One registered version of a service (the list of versions gives version, name and
    registered_at; a service's current version gives everything)."""

    tags: list[str] = field(default_factory=list)
    cost_per_image: Decimal | None = None
    endpoint: str | None = None
    documentation_url: str | None = None
    contact: str | None = None

    _CONVERT = {**_Offer._CONVERT, "tags": _strings, "cost_per_image": _decimal}


# What a Service takes from its current version when the answer is the detail shape.
_FROM_CURRENT_VERSION = tuple(f.name for f in fields(_Offer) if f.name != "raw")


@dataclass(frozen=True, kw_only=True)
class MatchReason(_Record):
    """Why a discovered service matched: a requested bound beside the declared value."""

    field: str | None = None
    op: str | None = None
    requested: Any = None
    declared: Any = None


@dataclass(frozen=True, kw_only=True)
class Service(_Offer):
    """A registered service at its current version.

    From the catalogue (``list_services``) and discovery (``discover_services``, with ``why``),
    or from ``get_service`` (with ``successor``, ``current_version`` and ``created_at``; the
    current version's name, version, guarantees and prices are copied up, so ``service.name``
    reads the same whichever call gave it).
    """

    service_id: str | None = None
    owner: str | None = None
    status: str | None = None
    url: str | None = None
    html_url: str | None = None
    why: list[MatchReason] = field(default_factory=list)
    successor: str | None = None
    current_version: ServiceVersion | None = None
    created_at: datetime | None = None
    versions_url: str | None = None

    _CONVERT = {**_Offer._CONVERT, "created_at": _datetime, "why": _records(MatchReason),
                "current_version": _record(ServiceVersion)}

    @classmethod
    def from_json(cls, data: Any, **extra: Any) -> Self:
        service = super().from_json(data, **extra)
        current = service.current_version
        if current is None:
            return service
        copied = {name: getattr(current, name) for name in _FROM_CURRENT_VERSION
                  if name not in service.raw and name not in extra}
        return replace(service, **copied)

    @property
    def deprecated(self) -> bool:
        return self.status == "deprecated"


@dataclass(frozen=True, kw_only=True)
class TokenInfo(_Record):
    """The API token a request was made with (its name; never its secret), its scope
    (``read-write`` or ``read-only``) and when it expires (None: never)."""

    name: str | None = None
    prefix: str | None = None
    scope: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    _CONVERT = {"created_at": _datetime, "expires_at": _datetime, "last_used_at": _datetime}


@dataclass(frozen=True, kw_only=True)
class Me(_Record):
    """Who the token belongs to (``GET /api/v1/me/``)."""

    id: int | None = None
    email: str | None = None
    display_name: str | None = None
    is_staff: bool = False
    email_verified: bool = False
    token: TokenInfo | None = None

    _CONVERT = {"token": _record(TokenInfo), "is_staff": bool, "email_verified": bool}


@dataclass(frozen=True, kw_only=True)
class Operation(_Record):
    """A deprecate or withdraw asked of a registered service; a worker carries it out.

    ``status``: ``queued``, ``running``, ``done`` or ``failed``.
    """

    id: int | None = None
    kind: str | None = None
    status: str | None = None
    service_id: str | None = None
    successor: str | None = None
    created_at: datetime | None = None
    url: str | None = None

    _CONVERT = {"created_at": _datetime}


class ServiceList(list):
    """The services discovery found: a list of :class:`Service`, best first.

    ``count`` is how many are in this answer; ``total`` how many match in all (``None`` when
    the portal does not say); ``total_is_estimate`` is true when more match than the portal
    counts (``total`` is then a lower bound); ``next`` is the cursor of the next page (``None``
    on the last one): pass it as ``discover_services(..., cursor=services.next)`` with the same
    query.
    """

    def __init__(self, services: list[Service], *, count: int | None = None,
                 total: int | None = None, next: str | None = None,  # noqa: A002
                 total_is_estimate: bool = False) -> None:
        super().__init__(services)
        self.count = len(services) if count is None else count
        self.total = total
        self.total_is_estimate = total_is_estimate
        self.next = next

    @classmethod
    def from_json(cls, payload: Any) -> ServiceList:
        """From ``{"services": [...], "count", "total"?, "total_is_estimate"?, "next"?}`` (or a
        bare list)."""
        if isinstance(payload, list):
            return cls([Service.from_json(s) for s in payload if isinstance(s, dict)])
        items = payload.get("services") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise ValueError("not a discovery answer")
        count, total = payload.get("count"), payload.get("total")
        return cls([Service.from_json(s) for s in items if isinstance(s, dict)],
                   count=count if isinstance(count, int) else None,
                   total=total if isinstance(total, int) else None,
                   next=payload.get("next") if isinstance(payload.get("next"), str) else None,
                   total_is_estimate=payload.get("total_is_estimate") is True)


__all__ = [
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "MatchReason",
    "Me",
    "Operation",
    "Service",
    "ServiceList",
    "ServiceVersion",
    "Submission",
    "SubmissionChange",
    "SubmissionEvent",
    "TokenInfo",
]
