"""The second lockout count: failures from one address across every login typed there."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.accounts.test_login import LOGIN, sign_in
from tests.factories import DEFAULT_PASSWORD
from tests.test_settings import load_settings

pytestmark = [pytest.mark.django_db]


def guess(client, count, *, start=0, **extra):
    """`count` failed sign-ins, each with another username; the last answer."""
    response = None
    for i in range(start, start + count):
        response = client.post(LOGIN, {"username": f"guess{i}@example.com",
                                       "password": "not-it"}, **extra)
    return response


def test_twenty_five_usernames_from_one_address_get_locked_out(anonymous, owner, settings):
    statuses = [guess(anonymous, 1, start=i).status_code for i in range(25)]
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit < 25
    assert statuses[:limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1:] == [429] * (25 - limit + 1)
    locked = sign_in(anonymous, owner.email)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in anonymous.session


def test_the_address_limit_is_higher_than_the_per_login_one(anonymous, owner, settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    guess(anonymous, settings.AXES_FAILURE_LIMIT + 1)
    assert sign_in(anonymous, owner.email).status_code == 302


def test_an_address_below_its_limit_can_still_sign_in(anonymous, owner, settings):
    guess(anonymous, settings.AXES_ADDRESS_FAILURE_LIMIT - 1)
    assert sign_in(anonymous, owner.email).status_code == 302


def test_another_address_is_not_locked_by_the_first_ones_failures(owner, settings):
    guess(Client(REMOTE_ADDR="203.0.113.7"), settings.AXES_ADDRESS_FAILURE_LIMIT)
    assert sign_in(Client(REMOTE_ADDR="203.0.113.7"), owner.email).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="198.51.100.9"), owner.email).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(owner, settings):
    client = Client(REMOTE_ADDR="203.0.113.7")
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    guess(client, limit - 1)
    assert sign_in(client, owner.email).status_code == 302  # the attacker's own account
    client.post("/accounts/logout/")
    assert guess(client, 1, start=1000).status_code == 429  # the count went on from limit - 1


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_count(owner, settings):
    """No TRUSTED_PROXIES (the default): X-Forwarded-For is the client's own writing."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        guess(client, 1, start=i, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert client.post(LOGIN, {"username": owner.email, "password": DEFAULT_PASSWORD},
                       HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(owner, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        guess(proxy, 1, start=i, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.7")
    good = {"username": owner.email, "password": DEFAULT_PASSWORD}
    assert proxy.post(LOGIN, good, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert proxy.post(LOGIN, good, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 302


def test_a_forwarded_address_that_is_not_an_address_counts_as_the_peer(owner, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client(REMOTE_ADDR="10.0.0.1")
    response = guess(client, 1, HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "10.0.0.1"


def test_an_address_limit_below_the_per_login_limit_stops_start_up():
    result = load_settings(SECRET_KEY="x", AXES_FAILURE_LIMIT="5", AXES_ADDRESS_FAILURE_LIMIT="3")
    assert result.returncode != 0
    assert "AXES_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT" in result.stderr
