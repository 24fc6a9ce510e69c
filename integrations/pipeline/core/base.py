"""The one small interface between the portal and the CAIO core, and its result and error types.

Two implementations: `http.HttpCoreGateway` (a real core at CAIO_CORE_URL) and
`local.LocalCoreGateway` (the embedded core, a table of its own). Both keep the same semantics:
the same `Idempotency-Key` never registers twice; a 4xx is permanent; a 5xx, 429 or timeout is
transient and may be retried with the same key; a 401 or 403 is the portal's configuration, not
the request: the core refuses the portal's credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class CoreResult:
    """What the core answered: the service id, its status there, and the whole entry."""

    service_id: str
    status: str
    reference: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class CoreError(Exception):
    """A refusal or failure from the core. `.message` is safe to show to the developer."""

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class CoreTransientError(CoreError):
    """Try again later with the same idempotency key: timeout, connection error, 5xx, 429."""


class CorePermanentError(CoreError):
    """The core refused the request (a 4xx); retrying the same request cannot help."""


class CoreRefusedCredentials(CoreError):
    """The core refused the portal's credentials (401 or 403): a configuration error, not the
    request's fault. The request was not applied; it may be sent again once the core accepts the
    portal (integrations/pipeline/breaker.py holds the jobs until then)."""


class CoreGateway(Protocol):
    def register(self, *, contract: dict[str, Any], idempotency_key: str) -> CoreResult: ...

    def deregister(self, *, service_id: str, idempotency_key: str) -> CoreResult: ...

    def check_credentials(self) -> tuple[bool | None, str]: ...

    def health(self) -> dict[str, Any]: ...
