"""CAIO Integration SDK.

Connect an AI service to the CAIO orchestration platform: describe it in a contract (schema v1),
validate the contract exactly as the portal does, implement :class:`AIUCPService`, and register,
follow, discover and manage services with :class:`CAIOClient` (or its blocking twin
:class:`SyncCAIOClient`).
"""

from typing import TYPE_CHECKING, Any

from .contracts import (
    CAPABILITIES,
    CAPABILITY_DESCRIPTIONS,
    CURRENCIES,
    LANGUAGES,
    SCHEMA_VERSION,
    Contract,
    Diagnostic,
    ValidationResult,
    field_specs,
    load_contract,
    validate_file,
    validate_text,
)
from .exceptions import (
    APIError,
    AuthenticationError,
    CAIOConnectionError,
    CAIOError,
    ConfigurationError,
    ContractValidationError,
    DiscoveryError,
    GuaranteeViolationError,
    RegistrationError,
    ServiceExecutionError,
    ServiceInitializationError,
    SubmissionCancelledError,
    SubmissionEndedError,
    SubmissionFailedError,
    SubmissionRejectedError,
    WaitTimeoutError,
)
from .results import Me, Operation, Service, ServiceList, ServiceVersion, Submission
from .service import AIUCPService

if TYPE_CHECKING:
    from .client import CAIOClient, SyncCAIOClient

from ._version import __version__


def __getattr__(name: str) -> Any:
    # The HTTP client (and httpx) load on first use, so that `caio validate` starts quickly.
    if name in ("CAIOClient", "SyncCAIOClient"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CAPABILITIES",
    "CAPABILITY_DESCRIPTIONS",
    "CURRENCIES",
    "LANGUAGES",
    "SCHEMA_VERSION",
    "AIUCPService",
    "APIError",
    "AuthenticationError",
    "CAIOClient",
    "CAIOConnectionError",
    "CAIOError",
    "ConfigurationError",
    "Contract",
    "ContractValidationError",
    "Diagnostic",
    "DiscoveryError",
    "GuaranteeViolationError",
    "Me",
    "Operation",
    "RegistrationError",
    "Service",
    "ServiceExecutionError",
    "ServiceInitializationError",
    "ServiceList",
    "ServiceVersion",
    "Submission",
    "SubmissionCancelledError",
    "SubmissionEndedError",
    "SubmissionFailedError",
    "SubmissionRejectedError",
    "SyncCAIOClient",
    "ValidationResult",
    "WaitTimeoutError",
    "__version__",
    "field_specs",
    "load_contract",
    "validate_file",
    "validate_text",
]
