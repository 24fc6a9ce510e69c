"""Exceptions raised by the CAIO Integration SDK. All derive from :class:`CAIOError`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contracts.diagnostics import Diagnostic
    from .results import Submission


class CAIOError(Exception):
    """Base class of every SDK error."""


class ConfigurationError(CAIOError, ValueError):
    """The client cannot be set up: no base URL, a URL without https, a token over plain http."""


class ContractValidationError(CAIOError):
    """A contract has at least one error. ``diagnostics`` holds every finding (all severities).

    Raised locally (``load_contract``) and by the client when the portal refuses a contract;
    then ``status`` (422), ``code`` (``invalid_contract``) and ``payload`` are set too.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic] = (), *, source: str | None = None,
                 message: str | None = None, status: int | None = None,
                 code: str | None = None, payload: Any = None) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.source = source
        # Set when the portal refused the contract (HTTP 422, code "invalid_contract").
        self.status = status
        self.code = code
        self.payload = payload
        errors = [d for d in self.diagnostics if d.severity == "error"]
        if message is None:
            where = f"{source}: " if source else ""
            count = len(errors)
            message = f"{where}contract is invalid ({count} error{'' if count == 1 else 's'})"
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
    """The CAIO portal answered with an error.

    ``status``: the HTTP status. ``code``: the portal's error code (``error.code`` of its one
    error shape ``{"error": {"code", "message", "details"}}``, e.g. ``submission_refused``).
    ``message``: its words. ``details``: ``error.details``. ``diagnostics``: the contract's
    findings when the portal sent some. ``retry_after``: seconds the portal asked to wait (429,
    503), when it said. ``payload``: the whole decoded answer.
    """

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None,
                 code: str | None = None, details: Any = None,
                 diagnostics: Iterable[Diagnostic] = (), retry_after: float | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload
        self.code = code
        self.details = details
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.retry_after = retry_after


class RegistrationError(APIError):
    """The portal refused to register a service."""


class DiscoveryError(APIError):
    """Service discovery failed."""


class AuthenticationError(APIError):
    """The portal refused the credentials (HTTP 401 or 403), or no token was given."""


class CAIOConnectionError(CAIOError):
    """The portal could not be reached (network error or timeout)."""


class SubmissionEndedError(CAIOError):
    """A submission ended without being registered (see ``wait_for_registration``).

    ``submission`` is the last :class:`~caio_integration.results.Submission` read; ``reason`` the
    portal's reason (the reviewer's words, or the worker's error).
    """

    def __init__(self, message: str, *, submission: Submission) -> None:
        super().__init__(message)
        self.submission = submission
        self.reason = submission.reason or ""


class SubmissionFailedError(SubmissionEndedError):
    """The worker could not register the submission (status ``failed``)."""


class SubmissionRejectedError(SubmissionEndedError):
    """A reviewer rejected the submission (status ``rejected``)."""


class SubmissionCancelledError(SubmissionEndedError):
    """The submission was cancelled (status ``cancelled``)."""


class WaitTimeoutError(CAIOError, TimeoutError):
    """``wait_for_registration`` gave up before the submission ended.

    ``submission`` is the last one read; ``waiting_for_review`` is true when it still waits for a
    reviewer (status ``pending_review``): under manual review that can take a while.
    """

    def __init__(self, message: str, *, submission: Submission, timeout: float) -> None:
        super().__init__(message)
        self.submission = submission
        self.timeout = timeout

    @property
    def waiting_for_review(self) -> bool:
        return self.submission.waiting_for_review


__all__ = [
    "APIError",
    "AuthenticationError",
    "CAIOConnectionError",
    "CAIOError",
    "ConfigurationError",
    "ContractValidationError",
    "DiscoveryError",
    "GuaranteeViolationError",
    "RegistrationError",
    "ServiceExecutionError",
    "ServiceInitializationError",
    "SubmissionCancelledError",
    "SubmissionEndedError",
    "SubmissionFailedError",
    "SubmissionRejectedError",
    "WaitTimeoutError",
]
