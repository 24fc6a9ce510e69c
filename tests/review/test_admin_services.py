"""Staff deprecate or withdraw a developer's service from the admin: with a reason, on the
timeline, emailed to the owner. The admin's registered services list, through the test client."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import Event, RegisteredService, ServiceOperation
from integrations.pipeline.operations import operation_request

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integrations_registeredservice_changelist")


@pytest.fixture
def service(make_contract, register):
    contract = make_contract()
    register(contract)
    return RegisteredService.objects.get(contract=contract)


def act(client, action, services, **extra):
    return client.post(CHANGELIST, {"action": action,
                                    "_selected_action": [s.pk for s in services], **extra},
                       follow=True)


@pytest.mark.parametrize("action", ["deprecate_selected", "withdraw_selected"])
def test_the_action_first_asks_for_a_reason_and_does_nothing_yet(reviewer_client, service,
                                                                 action):
    page = act(reviewer_client, action, [service])
    html = page.content.decode()
    assert "Reason (sent to the service&#x27;s owner)" in html
    assert "review-demo" in html and "Olivia Owner" in html
    assert not ServiceOperation.objects.exists()


@pytest.mark.parametrize(("action", "kind"), [("deprecate_selected", "deprecate"),
                                              ("withdraw_selected", "withdraw")])
def test_with_a_reason_the_operation_is_queued_logged_and_emailed_to_the_owner(
        reviewer_client, reviewer, service, action, kind, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(reviewer_client, action, [service], post="yes",
                       reason="Its endpoint answers 500 to every call.")
    assert f"Asked to {kind} 1: review-demo" in response.content.decode()
    operation = ServiceOperation.objects.get()
    assert (operation.kind, operation.requested_by, operation.status) == (kind, reviewer, "queued")
    event = Event.objects.get(operation=operation, kind=f"{kind}_requested")
    assert "Reason: Its endpoint answers 500 to every call." in event.message
    assert "(staff)" in event.message
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert "Its endpoint answers 500 to every call." in message.body
    assert "Its endpoint answers 500 to every call." in message.alternatives[0][0]


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_nothing_is_done_and_the_form_says_why(reviewer_client, service, reason,
                                                                mailoutbox):
    response = act(reviewer_client, "withdraw_selected", [service], post="yes", reason=reason)
    assert "needs a reason: its owner reads it" in response.content.decode()
    assert not ServiceOperation.objects.exists() and mailoutbox == []


def test_a_refusal_for_one_service_is_reported_and_the_others_go_ahead(
        reviewer_client, service, make_contract, register, owner):
    other = make_contract("second-svc")
    register(other)
    second = RegisteredService.objects.get(contract=other)
    operation_request(service=service, kind="deprecate", user=owner)  # one already in progress
    response = act(reviewer_client, "withdraw_selected", [service, second], post="yes",
                   reason="Retired by the platform team.")
    html = response.content.decode()
    assert "Not done: review-demo already has an operation in progress" in html
    assert "Asked to withdraw 1: second-svc" in html
    assert ServiceOperation.objects.filter(service=second, kind="withdraw").exists()


def test_a_developer_cannot_reach_the_action(other_client, service):
    response = other_client.post(CHANGELIST, {"action": "withdraw_selected", "post": "yes",
                                              "_selected_action": [service.pk],
                                              "reason": "mine now"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not ServiceOperation.objects.exists()


def test_the_owner_who_is_not_staff_cannot_use_the_admin_either(owner, service):
    client = Client()
    client.force_login(owner)
    response = client.post(CHANGELIST, {"action": "deprecate_selected", "post": "yes",
                                        "_selected_action": [service.pk], "reason": "x"})
    assert response.status_code == 302
    assert not ServiceOperation.objects.exists()


def test_staff_see_the_two_actions_on_the_list(reviewer_client, service):
    html = reviewer_client.get(CHANGELIST).content.decode()
    assert 'value="deprecate_selected"' in html and 'value="withdraw_selected"' in html
