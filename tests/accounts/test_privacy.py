"""No account email on any public page; display names instead. Staff see emails in the admin."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from integrations.catalogue.publishing import catalogue_publish_revision
from tests.factories import ContractFactory, ContractRevisionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def published(owner):
    UserFactory(email="unverified.person@example.org", display_name="Una", email_verified=False)
    contract = ContractFactory(owner=owner, service_id="privacy-check")
    revision = ContractRevisionFactory(contract=contract)
    service, _ = catalogue_publish_revision(contract=contract, revision=revision)
    return service


def public_pages(service) -> list[str]:
    return ["/", reverse("catalogue:list"), reverse("catalogue:detail", args=[service.service_id]),
            "/docs/", reverse("accounts:login"), reverse("accounts:signup"),
            reverse("accounts:password_reset")]


@pytest.mark.parametrize("viewer", ["anonymous", "other_client"])
def test_public_pages_show_the_owners_display_name_and_no_email(published, request, viewer):
    client: Client = request.getfixturevalue(viewer)
    for url in public_pages(published):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = response.content.decode()
        found = {m.group(0) for m in EMAIL.finditer(body)}
        assert not found, f"{url} shows email address(es) {found}"
    detail = client.get(reverse("catalogue:detail", args=[published.service_id]))
    assert "Olivia Owner" in detail.content.decode()


def test_staff_see_account_emails_in_the_admin(published, reviewer_client):
    body = reviewer_client.get(reverse("admin:portal_user_changelist")).content.decode()
    assert "owner@example.com" in body
    assert "unverified.person@example.org" in body
