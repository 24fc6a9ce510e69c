"""Staff reassign a contract to another owner in the admin; the service id stays fixed."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_reassign_a_contract_to_another_owner_in_the_admin(contract, reviewer_client,
                                                                 other_developer):
    url = reverse("admin:contracts_app_contract_change", args=[contract.pk])
    page = reviewer_client.get(url)
    assert page.status_code == 200
    response = reviewer_client.post(url, {
        "owner": other_developer.pk, "service_id": "changed-id",
        "revisions-TOTAL_FORMS": "1", "revisions-INITIAL_FORMS": "1",
        "revisions-MIN_NUM_FORMS": "0", "revisions-MAX_NUM_FORMS": "1000",
        "revisions-0-id": contract.latest_revision.pk, "revisions-0-contract": contract.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    contract.refresh_from_db()
    assert contract.owner == other_developer
    assert contract.service_id == "acme-chat"


def test_the_contract_list_and_search_work_in_the_admin(contract, reviewer_client):
    url = reverse("admin:contracts_app_contract_changelist")
    page = reviewer_client.get(url, {"q": "acme"})
    assert page.status_code == 200 and "acme-chat" in page.content.decode()


def test_a_developer_cannot_use_the_admin(contract, owner_client):
    url = reverse("admin:contracts_app_contract_change", args=[contract.pk])
    assert owner_client.get(url).status_code == 302
