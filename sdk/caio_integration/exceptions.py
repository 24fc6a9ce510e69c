"""Exceptions raised by the CAIO Integration SDK. All derive from :class:`CAIOError`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contracts.diagnostics import Diagnostic


class CAIOError(Exception):
    """Base class of every SDK error."""


class ContractValidationError(CAIOError):
    """A contract has at least one error. ``diagnostics`` holds every finding (all severities)."""

    def __init__(self, diagnostics: Iterable[Diagnostic] = (), *, source: str | None = None,
                 message: str | None = None) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.source = source
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if message is None:
            where = f"{source}: " if source else ""
            message = f"{where}contract is invalid ({len(errors)} error(s))"
            lines = [d.format(source or "<contract>") for d in errors]
            if lines:
                message += "\n" + "\n".join(lines)
        super().__init__(message)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


class ServiceInitializationError(CAIOError):
    """A service could not initialise (resources, credentials, model loading...)."""


class ServiceExecutionError(CAIOError):
    """A service failed while executing a request."""


class GuaranteeViolationError(CAIOError):
    """A result breaks a guarantee of the service's contract."""

    def __init__(self, message: str, *, guarantee: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.guarantee = guarantee
        self.details = details or {}


class APIError(CAIOError):
    """The CAIO portal answered with an error. ``status`` and ``payload`` describe it."""

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


class RegistrationError(APIError):
    """The portal refused to register a service."""


class DiscoveryError(APIError):
    """Service discovery failed."""


class AuthenticationError(APIError):
    """The portal refused the credentials (HTTP 401 or 403)."""


class CAIOConnectionError(CAIOError):
    """The portal could not be reached (network error or timeout)."""


__all__ = [
    "APIError",
    "AuthenticationError",
    "CAIOConnectionError",
    "CAIOError",
    "ContractValidationError",
    "DiscoveryError",
    "GuaranteeViolationError",
    "RegistrationError",
    "ServiceExecutionError",
    "ServiceInitializationError",
]
