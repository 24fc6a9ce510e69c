"""Staff read developers' contracts through the API; they never write into them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from contracts_app.models import ContractRevision
from integrations.models import Submission
from portal.tokens import token_create
from tests.api.conftest import bearer
from tests.factories import contract_text, make_contract

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def staff_api(reviewer) -> APIClient:
    return bearer(token_create(user=reviewer, name="review")[1])


@pytest.fixture
def theirs(owner):
    return make_contract(owner, "their-svc")


def error(response) -> dict:
    return response.json()["error"]


def test_staff_read_another_developers_contract_and_revisions(staff_api, theirs):
    assert staff_api.get(API + "contracts/their-svc/").status_code == 200
    assert staff_api.get(API + "contracts/their-svc/revisions/").status_code == 200


def test_staff_cannot_save_a_revision_into_another_developers_contract(staff_api, theirs):
    response = staff_api.post(API + "contracts/their-svc/revisions/", {
        "text": contract_text("their-svc", version="1.1.0"), "base_number": 1}, format="json")
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert "Only the contract's owner" in error(response)["message"]
    assert ContractRevision.objects.filter(contract=theirs).count() == 1


def test_staff_cannot_upload_a_file_into_another_developers_contract(staff_api, theirs):
    upload = SimpleUploadedFile("their.yaml", contract_text("their-svc", version="1.1.0").encode(),
                                "application/x-yaml")
    response = staff_api.post(API + "integration/upload-contract",
                              {"file": upload, "save": "true"}, format="multipart")
    assert response.status_code == 403
    assert ContractRevision.objects.filter(contract=theirs).count() == 1


def test_staff_cannot_register_another_developers_service_id(staff_api, theirs):
    response = staff_api.post(API + "integration/register-service", {
        "contract": contract_text("their-svc", version="2.0.0")}, format="json")
    assert response.status_code == 409 and error(response)["code"] == "service_id_taken"
    assert ContractRevision.objects.filter(contract=theirs).count() == 1
    assert not Submission.objects.exists()


def test_staff_still_write_their_own_contracts(staff_api, reviewer):
    make_contract(reviewer, "own-svc")
    response = staff_api.post(API + "contracts/own-svc/revisions/", {
        "text": contract_text("own-svc", version="1.1.0"), "base_number": 1}, format="json")
    assert response.status_code == 201
