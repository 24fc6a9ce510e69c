"""A NUL in the panel's confirmations (deprecate, withdraw): a plain 400 page naming the field,
never a 500, and no operation queued (portal/nul_guard.py). CI runs these on PostgreSQL too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import ServiceOperation
from tests.support.errors import nul_page

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str) -> str:
    return reverse(f"integrations:{name}", kwargs={"service_id": "review-demo"})


@pytest.fixture
def registered(make_contract, register):
    contract = make_contract()
    register(contract)
    return contract


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_deprecating_with_a_nul_in_the_successor_queues_nothing(owner_client, registered,
                                                               headers):
    response = owner_client.post(url("deprecate"), {"confirm": "yes", "successor": "x\x00"},
                                 **headers)
    nul_page(response, "successor")
    assert not ServiceOperation.objects.exists()


def test_withdrawing_with_a_nul_in_next_queues_nothing(owner_client, registered):
    nul_page(owner_client.post(url("withdraw"), {"confirm": "yes", "next": "/\x00"}), "next")
    assert not ServiceOperation.objects.exists()


def test_a_nul_in_the_confirmations_query_string_is_a_400_page(owner_client, registered):
    nul_page(owner_client.get(url("deprecate") + "?successor=%00"), "successor")
