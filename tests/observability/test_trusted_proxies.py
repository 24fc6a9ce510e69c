"""One trusted-proxy setting (TRUSTED_PROXIES) for the API's throttles, the sign-in lockout and
the /metrics allow-list: behind a trusted proxy each client counts on its own; a peer that is
not a trusted proxy cannot choose its address with X-Forwarded-For."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from portal.observability.middleware import client_address, parse_networks

pytestmark = pytest.mark.django_db
DISCOVER = "/api/v1/integration/discover-services"
PROXY = "10.1.2.3"


@pytest.fixture
def one_discovery_a_minute(monkeypatch, settings):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "service-discover", "1/min")
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


def discover(client: APIClient, forwarded_for: str):
    return client.post(DISCOVER, {}, format="json", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_two_clients_behind_a_trusted_proxy_are_throttled_separately(one_discovery_a_minute):
    proxy = APIClient(REMOTE_ADDR=PROXY)
    assert discover(proxy, "203.0.113.1").status_code == 200
    assert discover(proxy, "203.0.113.1").status_code == 429
    assert discover(proxy, "203.0.113.2").status_code == 200


def test_a_client_behind_two_trusted_proxies_is_still_itself(one_discovery_a_minute):
    proxy = APIClient(REMOTE_ADDR=PROXY)
    assert discover(proxy, "203.0.113.1, 10.9.9.9").status_code == 200
    assert discover(proxy, "198.51.100.1, 203.0.113.1, 10.9.9.9").status_code == 429


def test_a_peer_that_is_not_a_trusted_proxy_cannot_spoof_its_address(one_discovery_a_minute):
    outsider = APIClient(REMOTE_ADDR="198.51.100.77")
    assert discover(outsider, "203.0.113.1").status_code == 200
    assert discover(outsider, "203.0.113.2").status_code == 429


def test_metrics_follow_the_client_behind_a_trusted_proxy(anonymous, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.METRICS_ALLOWED_IPS = ["192.0.2.10/32"]
    assert anonymous.get("/metrics", REMOTE_ADDR=PROXY,
                         HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200
    assert anonymous.get("/metrics", REMOTE_ADDR=PROXY,
                         HTTP_X_FORWARDED_FOR="192.0.2.11").status_code == 404


def test_an_untrusted_peer_cannot_claim_an_allowed_address_for_metrics(anonymous, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1/32"]
    assert anonymous.get("/metrics", REMOTE_ADDR="198.51.100.77",
                         HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404


@pytest.mark.parametrize(("peer", "header", "client"), [
    ("10.0.0.1", None, "10.0.0.1"),
    ("10.0.0.1", "not-an-address", "10.0.0.1"),
    ("10.0.0.1", "garbage, 203.0.113.5", "203.0.113.5"),
    ("10.0.0.1", "10.0.0.2, 10.0.0.3", "10.0.0.2"),
    ("2001:db8::1", "203.0.113.5", "2001:db8::1"),
    ("203.0.113.9", "10.0.0.2", "203.0.113.9"),
])
def test_the_client_address_rule(peer, header, client):
    assert client_address(peer, header, parse_networks(("10.0.0.0/8",))) == client
