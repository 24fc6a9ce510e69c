"""POST /api/v1/services/{service_id}/deprecate/ and /withdraw/: the service page's actions."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from contracts_app.models import Contract
from integrations.catalogue.publishing import catalogue_set_status
from integrations.models import Event, ServiceOperation, ServiceStatus
from integrations.pipeline.operations import operation_run
from tests.factories import publish

pytestmark = pytest.mark.django_db


def deprecate(client, service_id: str, body=None, **kwargs):
    return client.post(f"/api/v1/services/{service_id}/deprecate/", body, format="json", **kwargs)


def withdraw(client, service_id: str, body=None, **kwargs):
    return client.post(f"/api/v1/services/{service_id}/withdraw/", body, format="json", **kwargs)


def error(response) -> dict:
    return response.json()["error"]


@pytest.mark.smoke
def test_the_owner_deprecates_a_service_naming_its_successor(owner, owner_api, anon_api):
    publish("old-svc", owner=owner)
    publish("new-svc", owner=owner)
    response = deprecate(owner_api, "old-svc", {"successor": "new-svc"})
    assert response.status_code == 202, response.json()
    body = response.json()
    operation = ServiceOperation.objects.get()
    assert body == {"id": operation.pk, "kind": "deprecate", "status": "queued",
                    "service_id": "old-svc", "successor": "new-svc",
                    "created_at": body["created_at"]}
    assert Event.objects.filter(operation=operation, kind="deprecate_requested").exists()
    operation_run(operation_id=operation.pk)  # what the worker does next
    detail = anon_api.get("/api/v1/services/old-svc/").json()
    assert (detail["status"], detail["successor"]) == ("deprecated", "new-svc")


@pytest.mark.parametrize("body", [None, {}, {"successor": None}, {"successor": ""}])
def test_a_deprecation_needs_no_successor(owner, owner_api, body):
    publish("old-svc", owner=owner)
    response = deprecate(owner_api, "old-svc", body)
    assert response.status_code == 202 and response.json()["successor"] is None


@pytest.mark.parametrize("body", [None, {}])
def test_the_owner_withdraws_a_service(owner, owner_api, body):
    publish("old-svc", owner=owner)
    response = withdraw(owner_api, "old-svc", body)
    assert response.status_code == 202
    assert response.json()["kind"] == "withdraw" and response.json()["successor"] is None
    assert ServiceOperation.objects.get().kind == "withdraw"


@pytest.mark.parametrize("action", [deprecate, withdraw])
def test_staff_cannot_deprecate_or_withdraw_another_owners_service_through_the_api(
        owner, reviewer, action):
    publish("old-svc", owner=owner)
    client = APIClient()
    client.force_login(reviewer)
    response = action(client, "old-svc", {})
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert "from the admin" in error(response)["message"]
    assert not ServiceOperation.objects.exists()
    assert client.get("/api/v1/contracts/old-svc/").status_code == 200  # staff still read it


def test_staff_deprecate_their_own_service_through_the_api(reviewer):
    publish("own-svc", owner=reviewer)
    client = APIClient()
    client.force_login(reviewer)
    assert deprecate(client, "own-svc", {}).status_code == 202


@pytest.mark.parametrize("action", [deprecate, withdraw])
def test_service_operations_need_authentication(owner, anon_api, action):
    publish("old-svc", owner=owner)
    response = action(anon_api, "old-svc", {})
    assert response.status_code == 401 and error(response)["code"] == "not_authenticated"
    assert not ServiceOperation.objects.exists()


@pytest.mark.parametrize("action", [deprecate, withdraw])
def test_another_developers_service_answers_as_an_unknown_one(owner, other_api, action):
    publish("their-svc", owner=owner)
    theirs = action(other_api, "their-svc", {})
    unknown = action(other_api, "no-such-svc", {})
    assert theirs.status_code == unknown.status_code == 404
    assert error(theirs)["code"] == error(unknown)["code"] == "not_found"
    assert error(theirs)["message"] == error(unknown)["message"].replace("no-such-svc",
                                                                         "their-svc")
    assert not ServiceOperation.objects.exists()


def test_a_contract_that_is_not_registered_has_no_service_to_deprecate(owner, owner_api):
    Contract.objects.create(owner=owner, service_id="draft-svc")
    response = deprecate(owner_api, "draft-svc", {})
    assert response.status_code == 404 and "no registered service" in error(response)["message"]


@pytest.mark.parametrize("successor", ["no-such-svc", "old-svc", "gone-svc"])
def test_a_successor_must_be_another_service_that_is_not_withdrawn(owner, owner_api, successor):
    publish("old-svc", owner=owner)
    catalogue_set_status(service=publish("gone-svc", owner=owner),
                         status=ServiceStatus.WITHDRAWN)
    response = deprecate(owner_api, "old-svc", {"successor": successor})
    assert response.status_code == 422
    assert error(response)["code"] == "invalid_successor"
    assert error(response)["details"] == {"successor": [error(response)["message"]]}
    assert not ServiceOperation.objects.exists()


@pytest.mark.parametrize(("action", "body"), [
    (deprecate, {"successor": 5}), (deprecate, {"succesor": "x"}), (deprecate, ["x"]),
    (deprecate, {"successor": "x" * 64}), (withdraw, {"successor": "x"}), (withdraw, "x"),
])
def test_bad_operation_bodies_are_400(owner, owner_api, action, body):
    publish("old-svc", owner=owner)
    response = action(owner_api, "old-svc", body)
    assert response.status_code == 400 and error(response)["code"] == "invalid_input"
    assert not ServiceOperation.objects.exists()


def test_refusals_are_409_with_the_pipelines_reason(owner, owner_api):
    publish("old-svc", owner=owner)
    assert deprecate(owner_api, "old-svc", {}).status_code == 202
    in_progress = withdraw(owner_api, "old-svc", {})
    assert in_progress.status_code == 409 and error(in_progress)["code"] == "operation_refused"
    assert "in progress" in error(in_progress)["message"]
    operation_run(operation_id=ServiceOperation.objects.get().pk)
    again = deprecate(owner_api, "old-svc", {})
    assert again.status_code == 409 and "already deprecated" in error(again)["message"]


def test_a_withdrawn_service_cannot_be_deprecated_or_withdrawn_again(owner, owner_api):
    catalogue_set_status(service=publish("old-svc", owner=owner), status=ServiceStatus.WITHDRAWN)
    for action in (deprecate, withdraw):
        response = action(owner_api, "old-svc", {})
        assert response.status_code == 409 and "already withdrawn" in error(response)["message"]


def test_session_requests_need_csrf_but_tokens_do_not(owner, owner_client):
    publish("old-svc", owner=owner)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = withdraw(client, "old-svc", {})
    assert response.status_code == 403 and "CSRF" in error(response)["message"]
    assert not ServiceOperation.objects.exists()


def test_service_operations_are_throttled(owner, owner_api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "service-operation", "1/min")
    publish("old-svc", owner=owner)
    assert deprecate(owner_api, "old-svc", {}).status_code == 202
    response = withdraw(owner_api, "old-svc", {})
    assert response.status_code == 429 and error(response)["code"] == "throttled"
    assert "Retry-After" in response
