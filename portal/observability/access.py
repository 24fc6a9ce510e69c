"""Who may read /metrics: a client address in METRICS_ALLOWED_IPS (REMOTE_ADDR, which
ClientAddressMiddleware resolved behind TRUSTED_PROXIES), or "Authorization: Bearer
METRICS_TOKEN"."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest

from portal.observability.middleware import address_in, parse_networks


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(
            header[len("Bearer "):].strip().encode(), token.encode()):
        return True
    return address_in(request.META.get("REMOTE_ADDR", ""),
                      parse_networks(tuple(settings.METRICS_ALLOWED_IPS)))
