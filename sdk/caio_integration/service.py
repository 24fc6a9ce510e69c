"""AIUCPService: the interface every CAIO-compatible service implements."""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from typing import Any

from .contracts import Contract, load_contract
from .exceptions import ServiceInitializationError


class AIUCPService(ABC):
    """Base interface for CAIO-compatible services.

    Subclasses implement :meth:`execute` and :meth:`verify_guarantees`. :meth:`initialize`
    loads and validates the contract (raising ContractValidationError if it is invalid) and then
    calls :meth:`setup`, the hook for acquiring resources; :meth:`get_health_status` has a
    sensible default.
    """

    def __init__(self) -> None:
        self.contract: Contract | None = None
        self._started_at: float | None = None

    def initialize(self, contract_path: str | os.PathLike[str]) -> None:
        """Load and validate the contract at ``contract_path``, then run :meth:`setup`.

        Raises:
            ContractValidationError: if the contract is invalid.
            ServiceInitializationError: if the file cannot be read or :meth:`setup` fails.
        """
        try:
            contract = load_contract(contract_path)
        except OSError as exc:
            message = f"cannot read contract {contract_path}: {exc}"
            raise ServiceInitializationError(message) from exc
        self.contract = contract
        try:
            self.setup(contract)
        except ServiceInitializationError:
            raise
        except Exception as exc:
            message = f"{type(self).__name__} failed to set up: {exc}"
            raise ServiceInitializationError(message) from exc
        self._started_at = time.monotonic()

    def setup(self, contract: Contract) -> None:  # noqa: B027 - an optional hook
        """Acquire resources for ``contract``. Override if needed; the default does nothing."""

    @abstractmethod
    async def execute(
        self, request: dict[str, Any], context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Execute a request and return its result.

        Raises:
            ServiceExecutionError: if execution fails.
            GuaranteeViolationError: if a guarantee is violated.
        """

    @abstractmethod
    async def verify_guarantees(
        self, result: dict[str, Any], contract: Contract
    ) -> dict[str, Any]:
        """Check a result against the contract's guarantees and return a verification record.

        Raises:
            GuaranteeViolationError: if a guarantee is violated.
        """

    def get_health_status(self) -> dict[str, Any]:
        """A health record: ``status`` is ``healthy`` once initialised, else ``uninitialized``."""
        if self.contract is None:
            return {"status": "uninitialized"}
        return {
            "status": "healthy",
            "service_id": self.contract.service_id,
            "version": self.contract.version,
            "uptime_s": round(time.monotonic() - (self._started_at or time.monotonic()), 3),
        }
