"""GET/POST /api/v1/{services,contracts,submissions}/..."""

from __future__ import annotations

import pytest

from contracts_app.models import Contract
from integrations.catalogue.publishing import catalogue_set_status
from integrations.models import ServiceStatus, Submission
from integrations.pipeline.submissions import submission_create
from tests.factories import ContractFactory, ContractRevisionFactory, contract_text, publish

pytestmark = pytest.mark.django_db


def error(response) -> dict:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


# --- services ----------------------------------------------------------------------------------

@pytest.mark.smoke
def test_catalogue_lists_services_paginated(anon_api, owner):
    for n in range(3):
        publish(f"svc-{n}", owner=owner)
    body = anon_api.get("/api/v1/services/?limit=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    first = body["results"][0]
    assert first["owner"] == "Olivia Owner" and first["url"].startswith("/api/v1/services/")
    assert "owner@example.com" not in str(body)


def test_catalogue_filters_like_the_html_catalogue(anon_api, owner):
    publish("fast-svc", owner=owner)
    publish("vision-svc", owner=owner, capabilities=["image_understanding"])
    body = anon_api.get("/api/v1/services/?capability=image_understanding").json()
    assert [s["service_id"] for s in body["results"]] == ["vision-svc"]


@pytest.mark.parametrize("query", ["max_p95=abc", "capability=not_a_capability", "bogus=1",
                                   "min_accuracy=7"])
def test_catalogue_rejects_bad_filters(anon_api, query):
    response = anon_api.get(f"/api/v1/services/?{query}")
    assert response.status_code == 400 and error(response)["message"]


def test_withdrawn_services_are_gone(anon_api, owner):
    service = publish("old-svc", owner=owner)
    catalogue_set_status(service=service, status=ServiceStatus.WITHDRAWN)
    assert anon_api.get("/api/v1/services/").json()["count"] == 0
    response = anon_api.get("/api/v1/services/old-svc/")
    assert response.status_code == 410 and error(response)["code"] == "gone"
    assert anon_api.get("/api/v1/services/old-svc/versions/").status_code == 410


def test_service_detail_and_versions(anon_api, owner):
    publish("my-svc", owner=owner)
    publish("my-svc", owner=owner, version="1.2.0", **{"cost.per_request": 0.001})
    detail = anon_api.get("/api/v1/services/my-svc/").json()
    assert detail["status"] == "active" and detail["current_version"]["version"] == "1.2.0"
    assert detail["current_version"]["cost_per_request"] == "0.001"
    # The owner by display name, never their account email (the contract's public `contact` is
    # another matter: tests/catalogue/test_contact.py).
    assert detail["owner"] == "Olivia Owner" and owner.email not in str(detail)
    versions = anon_api.get("/api/v1/services/my-svc/versions/").json()
    assert [v["version"] for v in versions["results"]] == ["1.2.0", "1.0.0"]


def test_unknown_service_is_404(anon_api):
    response = anon_api.get("/api/v1/services/nope/")
    assert response.status_code == 404 and error(response)["code"] == "not_found"
    assert anon_api.get("/api/v1/services/nope/versions/").status_code == 404


# --- contracts ---------------------------------------------------------------------------------

@pytest.mark.smoke
def test_i_can_create_and_read_a_contract(owner, owner_api):
    response = owner_api.post("/api/v1/contracts/", {
        "service_id": "my-svc", "text": contract_text("my-svc")}, format="json")
    assert response.status_code == 201, response.json()
    body = owner_api.get("/api/v1/contracts/my-svc/").json()
    assert body["latest_revision"]["number"] == 1 and body["latest_revision"]["is_valid"]
    assert body["latest_revision"]["text"] == contract_text("my-svc")
    assert [c["service_id"] for c in owner_api.get("/api/v1/contracts/").json()["results"]] == [
        "my-svc"]


def test_a_contract_with_errors_is_saved_with_its_diagnostics(owner_api):
    response = owner_api.post("/api/v1/contracts/", {
        "service_id": "my-svc", "text": contract_text("other-id")}, format="json")
    assert response.status_code == 201
    revision = response.json()["latest_revision"]
    assert not revision["is_valid"]
    assert any(d["code"] == "service-id-fixed" for d in revision["diagnostics"])


@pytest.mark.parametrize(("service_id", "status"), [("Bad Id", 400), ("admin", 422),
                                                     ("taken-svc", 409)])
def test_creating_a_contract_refuses_bad_or_taken_ids(other_developer, owner_api, service_id,
                                                       status):
    Contract.objects.create(owner=other_developer, service_id="taken-svc")
    response = owner_api.post("/api/v1/contracts/", {
        "service_id": service_id, "text": "a: 1"}, format="json")
    assert response.status_code == status and error(response)["message"]


def test_contract_endpoints_need_authentication(anon_api, owner):
    ContractFactory(owner=owner, service_id="my-svc")
    for url in ("/api/v1/contracts/", "/api/v1/contracts/my-svc/",
                "/api/v1/contracts/my-svc/revisions/"):
        assert anon_api.get(url).status_code == 401
    assert anon_api.post("/api/v1/contracts/", {}, format="json").status_code == 401


def test_another_developers_contract_is_404(other_api, owner):
    ContractRevisionFactory(contract=ContractFactory(owner=owner, service_id="my-svc"))
    assert other_api.get("/api/v1/contracts/").json()["count"] == 0
    assert other_api.get("/api/v1/contracts/my-svc/").status_code == 404
    assert other_api.get("/api/v1/contracts/my-svc/revisions/").status_code == 404
    response = other_api.post("/api/v1/contracts/my-svc/revisions/", {
        "text": "a: 1", "base_number": 1}, format="json")
    assert response.status_code == 404
    assert Contract.objects.get().revisions.count() == 1


def test_saving_revisions_detects_conflicts(owner_api, owner):
    ContractRevisionFactory(contract=ContractFactory(owner=owner, service_id="my-svc"))
    url = "/api/v1/contracts/my-svc/revisions/"
    saved = owner_api.post(url, {"text": contract_text("my-svc", version="1.1.0"),
                                 "base_number": 1}, format="json")
    assert saved.status_code == 201 and saved.json()["revision"]["number"] == 2
    same = owner_api.post(url, {"text": contract_text("my-svc", version="1.1.0"),
                                "base_number": 2}, format="json")
    assert same.status_code == 200 and same.json()["created"] is False
    stale = owner_api.post(url, {"text": contract_text("my-svc", version="1.2.0"),
                                 "base_number": 1}, format="json")
    assert stale.status_code == 409
    assert error(stale)["details"] == {"current_revision": 2}
    listed = owner_api.get(url).json()
    assert [r["number"] for r in listed["results"]] == [2, 1]


@pytest.mark.parametrize(("body", "status"), [
    ({"text": 5, "base_number": 1}, 400), ({"text": "a: 1"}, 400),
    ({"text": "a: 1", "base_number": "x"}, 400), ({"text": "a: 1", "base_number": "1"}, 400),
    ({"text": "a: 1", "base_number": 1, "x": 1}, 400),
    ({"text": "x" * (300 * 1024), "base_number": 1}, 422),  # well formed, too large to store
])
def test_bad_revision_bodies_are_refused(owner_api, owner, body, status):
    ContractRevisionFactory(contract=ContractFactory(owner=owner, service_id="my-svc"))
    response = owner_api.post("/api/v1/contracts/my-svc/revisions/", body, format="json")
    assert response.status_code == status and error(response)["message"]


# --- submissions -------------------------------------------------------------------------------

@pytest.fixture
def submission(owner):
    revision = ContractRevisionFactory(contract=ContractFactory(owner=owner, service_id="my-svc"))
    return submission_create(contract=revision.contract, revision=revision, user=owner)


@pytest.mark.smoke
def test_i_see_my_submissions_with_their_timeline(owner_api, submission):
    listed = owner_api.get("/api/v1/submissions/").json()
    assert [s["id"] for s in listed["results"]] == [submission.pk]
    detail = owner_api.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert detail["status"] == "pending_review"
    assert [e["kind"] for e in detail["events"]] == ["submitted"]


def test_i_can_cancel_my_open_submission_once(owner_api, submission):
    url = f"/api/v1/submissions/{submission.pk}/cancel/"
    response = owner_api.post(url)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = owner_api.post(url)
    assert again.status_code == 409 and "Too late" in error(again)["message"]


def test_another_developers_submission_is_404(other_api, submission):
    assert other_api.get("/api/v1/submissions/").json()["count"] == 0
    assert other_api.get(f"/api/v1/submissions/{submission.pk}/").status_code == 404
    assert other_api.post(f"/api/v1/submissions/{submission.pk}/cancel/").status_code == 404
    submission.refresh_from_db()
    assert submission.status == "pending_review"


def test_submission_endpoints_need_authentication(anon_api, submission):
    assert anon_api.get("/api/v1/submissions/").status_code == 401
    assert anon_api.get(f"/api/v1/submissions/{submission.pk}/").status_code == 401
    assert anon_api.post(f"/api/v1/submissions/{submission.pk}/cancel/").status_code == 401
    assert Submission.objects.get().status == "pending_review"


def test_session_requests_need_csrf_but_tokens_do_not(owner, owner_api, submission):
    from rest_framework.test import APIClient

    session = APIClient(enforce_csrf_checks=True)
    session.force_login(owner)
    url = f"/api/v1/submissions/{submission.pk}/cancel/"
    assert session.post(url).status_code == 403
    assert owner_api.post(url).status_code == 200


@pytest.mark.parametrize("url", [
    "/api/v1/services/?offset=99999999999999999999999&limit=99999999999",
    "/api/v1/services/?limit=-5&offset=-1",
    "/api/v1/services/?q=%00%ff",
    "/api/v1/services/" + "a" * 5000 + "/",
    "/api/v1/submissions/99999999999999999999999/",
    "/api/v1/contracts/?offset=99999999999999999999999",
])
def test_hostile_paths_and_parameters_never_crash(owner_api, owner, url):
    publish("my-svc", owner=owner)
    response = owner_api.get(url)
    assert response.status_code in (200, 400, 404), response.content[:300]
    if response.status_code == 200:
        assert len(response.json()["results"]) <= 200


def test_listing_contracts_takes_a_fixed_number_of_queries(owner_api, owner,
                                                          django_assert_max_num_queries):
    for n in range(8):
        contract = ContractFactory(owner=owner, service_id=f"svc-{n}")
        ContractRevisionFactory(contract=contract)
        ContractRevisionFactory(contract=contract)
    with django_assert_max_num_queries(8):
        body = owner_api.get("/api/v1/contracts/").json()
    assert body["count"] == 8
    assert {c["latest_revision"]["number"] for c in body["results"]} == {2}
