"""The CAIO core gateway: HTTP when settings.CAIO_CORE_URL is set, else the embedded local core."""

from __future__ import annotations

from django.conf import settings

from integrations.pipeline.core.base import (
    CoreError,
    CoreGateway,
    CorePermanentError,
    CoreRefusedCredentials,
    CoreResult,
    CoreTransientError,
)

__all__ = [
    "CoreError",
    "CoreGateway",
    "CorePermanentError",
    "CoreRefusedCredentials",
    "CoreResult",
    "CoreTransientError",
    "get_gateway",
]


def get_gateway() -> CoreGateway:
    """The gateway the settings choose. The HTTP client (and its connection pool) is reused."""
    if settings.CAIO_CORE_URL:
        from integrations.pipeline.core.http import http_gateway

        return http_gateway(
            url=settings.CAIO_CORE_URL,
            token=settings.CAIO_CORE_TOKEN if settings.CAIO_CORE_AUTH == "bearer" else "",
            timeout=float(settings.CAIO_CORE_TIMEOUT),
        )
    from integrations.pipeline.core.local import LocalCoreGateway

    return LocalCoreGateway()
