"""The embedded local CAIO core: the default when CAIO_CORE_URL is unset.

It keeps its own registry (`LocalCoreEntry`), apart from the catalogue, and behaves like the HTTP
core: one entry per `Idempotency-Key` (a replay answers the stored response and registers nothing
again; the same key with a different request is refused), 422 for a contract it cannot read.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from integrations.models import LocalCoreEntry
from integrations.pipeline.core.base import CorePermanentError, CoreResult


def _result(entry: LocalCoreEntry) -> CoreResult:
    data = dict(entry.response)
    return CoreResult(
        service_id=data.get("service_id", entry.service_id),
        status=data.get("status", entry.status),
        reference=data.get("reference", ""),
        data=data,
    )


class LocalCoreGateway:
    def _replay(self, key: str, operation: str, payload: dict[str, Any]) -> CoreResult | None:
        entry = LocalCoreEntry.objects.filter(idempotency_key=key).first()
        if entry is None:
            return None
        if entry.operation != operation or entry.contract != payload:
            raise CorePermanentError(
                "The local CAIO core refused the request (422): this Idempotency-Key was "
                "already used for a different request.",
                status_code=422,
            )
        return _result(entry)

    def _apply(self, *, key: str, operation: str, service_id: str, payload: dict[str, Any],
               status: str, extra: dict[str, Any]) -> CoreResult:
        try:
            with transaction.atomic():
                entry = LocalCoreEntry.objects.create(
                    service_id=service_id, idempotency_key=key, operation=operation,
                    status=status, contract=payload,
                )
                entry.response = {"service_id": service_id, "status": status,
                                  "reference": f"local-{entry.pk}", **extra}
                entry.save(update_fields=["response"])
        except IntegrityError:
            # The same key arrived twice at once: the other request won; answer what it stored.
            replay = self._replay(key, operation, payload)
            if replay is None:
                raise
            return replay
        return _result(entry)

    def register(self, *, contract: dict[str, Any], idempotency_key: str) -> CoreResult:
        replay = self._replay(idempotency_key, "register", contract)
        if replay is not None:
            return replay
        service_id = contract.get("service_id") if isinstance(contract, dict) else None
        version = contract.get("version") if isinstance(contract, dict) else None
        if not isinstance(service_id, str) or not service_id:
            raise CorePermanentError(
                "The local CAIO core refused the request (422): contract.service_id is missing.",
                status_code=422,
            )
        if not isinstance(version, str) or not version:
            raise CorePermanentError(
                "The local CAIO core refused the request (422): contract.version is missing.",
                status_code=422,
            )
        return self._apply(key=idempotency_key, operation="register", service_id=service_id,
                           payload=contract, status="registered", extra={"version": version})

    def deregister(self, *, service_id: str, idempotency_key: str) -> CoreResult:
        payload = {"service_id": service_id}
        replay = self._replay(idempotency_key, "deregister", payload)
        if replay is not None:
            return replay
        last = (LocalCoreEntry.objects.filter(service_id=service_id)
                .exclude(status="not_registered").order_by("-pk").first())
        status = "deregistered" if last and last.operation == "register" else "not_registered"
        return self._apply(key=idempotency_key, operation="deregister", service_id=service_id,
                           payload=payload, status=status, extra={})

    def registered_service_ids(self) -> set[str]:
        """Services the local core currently has registered (for the admin and the tests)."""
        latest: dict[str, str] = {}
        for service_id, operation, status in LocalCoreEntry.objects.order_by("pk").values_list(
            "service_id", "operation", "status"
        ):
            if status != "not_registered":
                latest[service_id] = operation
        return {sid for sid, op in latest.items() if op == "register"}

    def check_credentials(self) -> tuple[bool | None, str]:
        return True, "the embedded local core needs no credentials"

    def health(self) -> dict[str, Any]:
        return {"ok": True, "core": "embedded local core",
                "entries": LocalCoreEntry.objects.count()}
