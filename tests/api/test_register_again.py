"""register-service with the very same contract text again: the answer is what it led to (200).

"The very same text" is the contract's latest revision, compared as contract_save_revision
compares it (line endings normalized). Anything else is a new revision or a new submission.
"""

from __future__ import annotations

import pytest

from contracts_app.models import ContractRevision
from integrations.catalogue.publishing import catalogue_set_status
from integrations.models import ServiceStatus, Submission
from integrations.pipeline.submissions import submission_register, submission_reject
from tests.factories import contract_text

pytestmark = pytest.mark.django_db
REGISTER = "/api/v1/integration/register-service"


def register(client, text: str, **headers):
    return client.post(REGISTER, {"contract": text}, format="json", **headers)


@pytest.fixture
def registered(owner_api, settings, django_capture_on_commit_callbacks):
    """my-svc 1.0.0 registered through the API as the worker does it (the embedded local core);
    its submission's answer."""
    settings.PORTAL_REVIEW = "auto"
    settings.CAIO_CORE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):  # approved -> queued
        first = register(owner_api, contract_text("my-svc"))
    assert first.status_code == 201 and first.json()["status"] == "approved"
    submission_register(submission_id=first.json()["id"])  # what the worker does
    assert Submission.objects.get().status == "registered"
    return first.json()


@pytest.mark.smoke
def test_the_same_text_again_answers_my_open_submission_with_200(owner_api):
    first = register(owner_api, contract_text("my-svc"))
    again = register(owner_api, contract_text("my-svc"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()  # the same body shape, the same submission
    assert Submission.objects.count() == 1 and ContractRevision.objects.count() == 1


def test_the_same_text_with_other_line_endings_is_the_same_text(owner_api):
    first = register(owner_api, contract_text("my-svc"))
    again = register(owner_api, contract_text("my-svc").replace("\n", "\r\n"))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_the_same_text_after_its_registration_answers_that_registration(owner_api, registered):
    again = register(owner_api, contract_text("my-svc"))
    assert again.status_code == 200
    assert again.json()["id"] == registered["id"] and again.json()["status"] == "registered"
    assert "cancel" not in again.json()["links"]
    assert Submission.objects.count() == 1


def test_a_deprecated_service_still_answers_its_registration(owner_api, registered):
    service = Submission.objects.get().contract.registered_service
    catalogue_set_status(service=service, status=ServiceStatus.DEPRECATED)
    again = register(owner_api, contract_text("my-svc"))
    assert again.status_code == 200 and again.json()["id"] == registered["id"]


def test_a_withdrawn_registration_is_not_answered_again(owner_api, registered):
    service = Submission.objects.get().contract.registered_service
    catalogue_set_status(service=service, status=ServiceStatus.WITHDRAWN)
    again = register(owner_api, contract_text("my-svc"))
    assert again.status_code == 409  # the pipeline's rule: a version higher than 1.0.0
    assert "not higher" in again.json()["error"]["message"]


def test_the_same_text_after_a_rejection_is_submitted_anew(owner, owner_api, reviewer):
    first = register(owner_api, contract_text("my-svc")).json()
    submission_reject(submission=Submission.objects.get(pk=first["id"]), reviewer=reviewer,
                      reason="Describe the service better.")
    again = register(owner_api, contract_text("my-svc"))
    assert again.status_code == 201 and again.json()["id"] != first["id"]
    assert again.json()["revision"] == first["revision"]  # nothing new to save
    assert Submission.objects.count() == 2


def test_a_changed_text_is_not_the_same_submission(owner_api):
    assert register(owner_api, contract_text("my-svc")).status_code == 201
    changed = register(owner_api, contract_text("my-svc", version="1.0.1"))
    assert changed.status_code == 409  # a new revision, and the first submission is open
    assert changed.json()["error"]["code"] == "submission_refused"
    assert ContractRevision.objects.count() == 2


def test_an_older_revisions_text_is_not_the_same_text(owner_api, reviewer):
    first = register(owner_api, contract_text("my-svc")).json()
    submission_reject(submission=Submission.objects.get(pk=first["id"]), reviewer=reviewer,
                      reason="No.")
    second = register(owner_api, contract_text("my-svc", version="1.0.1"))
    assert second.status_code == 201
    back = register(owner_api, contract_text("my-svc"))
    assert back.status_code == 409 and ContractRevision.objects.count() == 3


def test_another_developer_sending_my_text_gets_no_answer_about_it(owner_api, other_api):
    register(owner_api, contract_text("my-svc"))
    response = register(other_api, contract_text("my-svc"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "service_id_taken"
    assert str(Submission.objects.get().pk) not in response.content.decode()


def test_a_contract_path_stays_refused(owner_api, anon_api):
    for body in ({"contract_path": "contracts/my_service.yaml"},
                 {"contract": contract_text("my-svc"), "contract_path": "/etc/passwd"}):
        response = owner_api.post(REGISTER, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid_input"
        assert "contract_path" in response.json()["error"]["details"]
    assert anon_api.post(REGISTER, {"contract_path": "x.yaml"}, format="json").status_code == 401
    assert not Submission.objects.exists()


def test_the_register_answer_lists_the_changes_and_breaking_flags_the_reviewer_reads(
        registered, owner_api):
    assert (registered["compared_version"], registered["breaking"], registered["changes"]) == (
        None, False, [])
    text = contract_text("my-svc", version="1.1.0", cost={"per_request": 0.05, "currency": "USD"})
    answer = register(owner_api, text)
    body = answer.json()
    assert answer.status_code == 201 and body["compared_version"] == "1.0.0"
    assert body["breaking"] is True
    breaking = {c["kind"] for c in body["changes"] if c["breaking"]}
    assert "price_raised" in breaking and body["changes"][0]["breaking"] is True
    assert set(body["changes"][0]) == {"kind", "path", "breaking", "message"}
    from integrations.review.services import submission_diff

    reviewer_reads = submission_diff(submission=Submission.objects.get(pk=body["id"]), text=False)
    assert [c["message"] for c in body["changes"]] == [c.message for c in reviewer_reads.changes]
