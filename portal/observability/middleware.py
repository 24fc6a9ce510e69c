"""Request middleware: the request id, the client's address behind trusted proxies, and the
request metrics.

`RequestIdMiddleware` comes first: it takes a valid `X-Request-ID` or makes one, puts it in the
log context and answers with it.

`ClientAddressMiddleware` sets REMOTE_ADDR to the client's address. It trusts `X-Forwarded-For`
only when the peer is one of settings.TRUSTED_PROXIES (addresses or networks), and then walks the
header from the right past the trusted proxies. So DRF's throttles (NUM_PROXIES stays 0: they
read REMOTE_ADDR), the sign-in lockout (portal/accounts/axes.py) and the /metrics allow-list
all see the same client, and a client cannot write its own address. The peer's own address is
kept in META["PORTAL_PEER_ADDR"].

`RequestMetricsMiddleware` counts answers by view (the URL pattern's name, never the raw path),
method and status, with a latency histogram (portal/observability/metrics.py).
"""

from __future__ import annotations

import ipaddress
import time
from functools import lru_cache

from django.conf import settings

from portal.observability import metrics
from portal.observability.context import REQUEST_ID_HEADER, request_id_from, request_id_var

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


@lru_cache(maxsize=8)
def parse_networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def address_in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: `peer` unless it is a trusted proxy; then the rightmost address of
    `forwarded_for` that is not a trusted proxy (or the leftmost valid one when all are)."""
    if not forwarded_for or not address_in(peer, trusted):
        return peer
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage written before the first trusted proxy: keep the last good hop
        client = hop
        if not address_in(hop, trusted):
            break
    return client


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["PORTAL_PEER_ADDR"] = peer
        request.META["REMOTE_ADDR"] = client_address(
            peer, request.META.get("HTTP_X_FORWARDED_FOR"),
            parse_networks(tuple(settings.TRUSTED_PROXIES)))
        return self.get_response(request)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match:
            view = match.view_name or match.route
        elif request.path.startswith(settings.STATIC_URL):
            view = "static"  # whitenoise answered before URL resolution
        else:
            view = "<unresolved>"
        metrics.observe_request(view=view, method=request.method, status=response.status_code,
                                seconds=time.perf_counter() - started)
        return response
