"""Cache-Control on pages: private, no-store for a signed-in browser; anonymous pages untouched."""

import pytest
from django.urls import reverse

from tests.factories import make_contract

pytestmark = [pytest.mark.django_db]


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/dashboard/", "/accounts/profile/", "/accounts/tokens/",
                                  "/accounts/profile/password/", "/services/", "/docs/"])
def test_every_signed_in_page_is_private_and_not_stored(owner_client, path):
    response = owner_client.get(path)
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_developers_contract_pages_are_private_and_not_stored(owner, owner_client):
    make_contract(owner, "my-svc")
    for name in ("contracts:detail", "contracts:edit", "contracts:history"):
        response = owner_client.get(reverse(name, kwargs={"service_id": "my-svc"}))
        assert {"private", "no-store"} <= directives(response), name


@pytest.mark.parametrize("path", ["/", "/services/", "/docs/", "/accounts/signup/"])
def test_anonymous_pages_keep_their_own_caching_headers(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)


def test_a_view_with_its_own_cache_control_keeps_it_when_signed_in(owner_client):
    response = owner_client.get(reverse("portal:contract_schema"))
    assert directives(response) == {"public", "max-age=3600"}


def test_the_admin_stays_never_cached(reviewer_client):
    response = reviewer_client.get(reverse("admin:index"))
    assert {"private", "no-store", "no-cache"} <= directives(response)


def test_a_redirect_of_a_signed_in_browser_is_private_too(owner_client):
    response = owner_client.get("/accounts/login/")  # a signed-in visitor goes to the dashboard
    assert response.status_code == 302
    assert {"private", "no-store"} <= directives(response)
