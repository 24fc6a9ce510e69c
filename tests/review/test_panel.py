"""The developer's submission panel: permissions, states, and its actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import (
    OperationKind,
    ServiceOperation,
    Submission,
    SubmissionStatus,
)
from integrations.pipeline.errors import SubmissionError
from integrations.pipeline.submissions import submission_approve, submission_create
from tests.factories import ContractFactory, add_revision, contract_data

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

# (url name, method) for every panel endpoint.
ENDPOINTS = [("panel", "get"), ("submit", "post"), ("cancel", "post"),
             ("deprecate", "get"), ("deprecate", "post"), ("withdraw", "get"),
             ("withdraw", "post")]


def url(name: str, service_id: str = "review-demo") -> str:
    return reverse(f"integrations:{name}", kwargs={"service_id": service_id})


@pytest.fixture
def registered(make_contract, register):
    contract = make_contract()
    register(contract)
    return contract


@pytest.mark.smoke
@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_another_developer_gets_404_on_every_panel_endpoint(other_client, registered, name, method):
    response = getattr(other_client, method)(url(name))
    assert response.status_code == 404
    assert not Submission.objects.exists() and not ServiceOperation.objects.exists()


@pytest.mark.smoke
@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_anonymous_visitors_are_sent_to_sign_in_from_every_panel_endpoint(anonymous, registered,
                                                                         name, method):
    response = getattr(anonymous, method)(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    htmx = getattr(anonymous, method)(url(name), **HTMX,
                                      HTTP_HX_CURRENT_URL="http://testserver/contracts/review-demo/")
    assert htmx.status_code == 200
    assert htmx["HX-Redirect"] == reverse("accounts:login") + "?next=%2Fcontracts%2Freview-demo%2F"


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_the_owner_reaches_every_panel_endpoint(owner_client, registered, name, method):
    response = getattr(owner_client, method)(url(name), **HTMX)
    assert response.status_code == 200


def test_a_missing_contract_is_404_not_an_error(owner_client):
    assert owner_client.get(url("panel", "no-such-contract")).status_code == 404


@pytest.mark.smoke
def test_the_owner_sees_a_fresh_contract_ready_to_submit(owner_client, make_contract):
    make_contract()
    response = owner_client.get(url("panel"), **HTMX)
    html = response.content.decode()
    assert "<html" not in html  # a fragment for htmx
    assert "Not submitted" in html
    assert "Submit for registration" in html
    assert 'hx-trigger="every 2s"' not in html  # nothing moving: no polling


def test_without_htmx_the_panel_is_a_whole_page(owner_client, make_contract):
    make_contract()
    html = owner_client.get(url("panel")).content.decode()
    assert "<html" in html and "Registration of review-demo" in html
    assert "Submit for registration" in html


def test_an_invalid_latest_revision_cannot_be_submitted(owner_client, make_contract):
    contract = make_contract()
    add_revision(contract, text="service_id: review-demo\nversion: [\n")
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Submit for registration" not in html
    assert "The latest revision (r2) has errors" in html


def test_submitting_moves_the_panel_to_waiting_for_review_and_it_polls(owner_client,
                                                                      make_contract):
    make_contract()
    response = owner_client.post(url("submit"), {"revision": "1"}, **HTMX)
    html = response.content.decode()
    assert Submission.objects.get().status == SubmissionStatus.PENDING_REVIEW
    assert "Waiting for review" in html and "A reviewer will read your contract" in html
    assert f'hx-get="{url("panel")}" hx-trigger="every 2s" hx-swap="outerHTML"' in html
    assert "Cancel submission" in html and "Submit for registration" not in html
    assert "Revision 1 (version 1.0.0) submitted for registration." in html  # the timeline


def test_without_javascript_submit_redirects_back_to_the_page_it_came_from(owner_client,
                                                                          make_contract):
    make_contract()
    response = owner_client.post(url("submit"), {"revision": "1",
                                                 "next": "/contracts/review-demo/"})
    assert response.status_code == 302 and response["Location"] == "/contracts/review-demo/"
    hostile = owner_client.post(url("cancel"), {"next": "https://evil.example/"})
    assert hostile["Location"] == url("panel")


def test_submitting_a_stale_revision_is_refused_with_a_clear_message(owner_client, make_contract):
    contract = make_contract()
    add_revision(contract, contract_data("review-demo", version="1.0.1"))
    html = owner_client.post(url("submit"), {"revision": "1"}, **HTMX).content.decode()
    assert "Revision r1 is no longer the latest (r2 is)" in html
    assert not Submission.objects.exists()


def test_a_refusal_from_the_pipeline_is_shown_in_the_panel(owner_client, owner, make_contract):
    make_contract()
    owner.email_verified = False
    owner.save(update_fields=["email_verified"])
    html = owner_client.post(url("submit"), {"revision": "1"}, **HTMX).content.decode()
    assert 'role="alert"' in html and "Verify your email address" in html


def test_the_owner_cancels_while_it_waits_and_polling_stops(owner_client, make_contract):
    contract = make_contract()
    submission_create(contract=contract, revision=contract.latest_revision, user=contract.owner)
    html = owner_client.post(url("cancel"), **HTMX).content.decode()
    assert Submission.objects.get().status == SubmissionStatus.CANCELLED
    assert "Cancelled" in html and "every 2s" not in html
    assert "Submit for registration" in html  # may submit again


def test_cancel_is_offered_only_while_it_is_still_possible(owner_client, make_contract, reviewer):
    contract = make_contract()
    submission = submission_create(contract=contract, revision=contract.latest_revision,
                                   user=contract.owner)
    submission_approve(submission=submission, reviewer=reviewer)
    assert "Cancel submission" in owner_client.get(url("panel"), **HTMX).content.decode()
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.REGISTERING)
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Registering" in html and "Cancel submission" not in html and "every 2s" in html
    response = owner_client.post(url("cancel"), **HTMX)
    assert "Too late to cancel" in response.content.decode()


def test_a_rejection_shows_the_reviewers_reason(owner_client, make_contract, reviewer):
    from integrations.pipeline.submissions import submission_reject

    contract = make_contract()
    submission = submission_create(contract=contract, revision=contract.latest_revision,
                                   user=contract.owner)
    submission_reject(submission=submission, reviewer=reviewer,
                      reason="Say which <b>languages</b> you support.")
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Rejected" in html and "every 2s" not in html
    assert "Say which &lt;b&gt;languages&lt;/b&gt; you support." in html
    assert "Rita Reviewer" in html and "reviewer@example.com" not in html


def test_after_registration_the_panel_offers_deprecate_and_withdraw(owner_client, registered):
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Registered version: <strong>1.0.0</strong>" in html
    assert "Deprecate…" in html and "Withdraw…" in html
    assert "Submit for registration" not in html  # the registered revision is the latest


@pytest.mark.parametrize("kind", [OperationKind.DEPRECATE, OperationKind.WITHDRAW])
def test_deprecate_and_withdraw_each_ask_for_a_confirmation_first(owner_client, registered, kind):
    confirm = owner_client.get(url(kind), **HTMX).content.decode()
    assert f"{kind.label} review-demo?" in confirm and 'name="confirm"' in confirm
    unconfirmed = owner_client.post(url(kind), **HTMX).content.decode()
    assert "Tick the box to confirm" in unconfirmed
    assert not ServiceOperation.objects.exists()
    done = owner_client.post(url(kind), {"confirm": "yes"}, **HTMX).content.decode()
    operation = ServiceOperation.objects.get()
    assert (operation.kind, operation.status) == (kind, "queued")
    assert f"{kind.label} requested" in done
    assert "every 2s" in done  # the operation is running: the panel follows it
    assert "Deprecate…" not in done and "Withdraw…" not in done


def test_without_javascript_the_confirmation_is_a_page(owner_client, registered):
    page = owner_client.get(url("withdraw")).content.decode()
    assert "<html" in page and "Withdraw review-demo?" in page
    response = owner_client.post(url("withdraw"), {"confirm": "yes", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert ServiceOperation.objects.get().kind == "withdraw"


def test_deprecate_can_name_a_registered_successor(owner_client, registered, register, owner):
    successor = ContractFactory(owner=owner, service_id="review-next")
    add_revision(successor, contract_data("review-next"))
    register(successor)
    missing = owner_client.post(url("deprecate"), {"confirm": "yes", "successor": "nope-nope"},
                                **HTMX).content.decode()
    assert "No registered service has the ID" in missing
    owner_client.post(url("deprecate"), {"confirm": "yes", "successor": "review-next"}, **HTMX)
    assert ServiceOperation.objects.get().successor.service_id == "review-next"


def test_deprecate_on_a_contract_never_registered_says_so(owner_client, make_contract):
    make_contract()
    html = owner_client.post(url("deprecate"), {"confirm": "yes"}, **HTMX).content.decode()
    assert "not registered yet" in html


def test_staff_can_see_any_panel(reviewer_client, make_contract):
    make_contract()
    assert reviewer_client.get(url("panel"), **HTMX).status_code == 200


def test_staff_see_another_owners_panel_without_the_owners_actions(reviewer_client, registered):
    add_revision(registered, contract_data("review-demo", version="1.1.0"))
    html = reviewer_client.get(url("panel"), **HTMX).content.decode()
    assert "You are reviewing" in html
    for action in ("submit", "deprecate", "withdraw"):
        assert url(action) not in html


OWNERS_ACTIONS = [("submit", "post"), ("deprecate", "get"), ("deprecate", "post"),
                  ("withdraw", "get"), ("withdraw", "post")]


@pytest.mark.parametrize(("name", "method"), OWNERS_ACTIONS)
def test_staff_get_403_on_the_owners_actions_and_nothing_happens(reviewer_client, registered,
                                                                 name, method):
    add_revision(registered, contract_data("review-demo", version="1.1.0"))
    response = getattr(reviewer_client, method)(url(name), {"confirm": "yes"}, **HTMX)
    assert response.status_code == 403
    assert not Submission.objects.exists() and not ServiceOperation.objects.exists()


def test_staff_cannot_submit_another_owners_contract_through_the_service(reviewer,
                                                                          make_contract):
    contract = make_contract()
    with pytest.raises(SubmissionError, match="Only the contract's owner can submit it"):
        submission_create(contract=contract, revision=contract.latest_revision, user=reviewer)
    assert not Submission.objects.exists()


def test_staff_submit_their_own_contract_from_the_panel(reviewer_client, make_contract, reviewer):
    make_contract("own-work", user=reviewer)
    reviewer_client.post(url("submit", "own-work"), **HTMX)
    assert Submission.objects.get().submitter == reviewer


def test_the_contract_page_and_dashboard_load_the_panel_with_htmx_and_a_no_js_link(
        owner_client, make_contract):
    make_contract()
    page = owner_client.get(reverse("contracts:detail", kwargs={"service_id": "review-demo"}))
    html = page.content.decode()
    assert f'hx-get="{url("panel")}" hx-trigger="load"' in html
    assert f'<a href="{url("panel")}">' in html
    dashboard = owner_client.get(reverse("portal:dashboard")).content.decode()
    summary = reverse("integrations:summary")
    assert f'hx-get="{summary}" hx-trigger="load"' in dashboard
    assert f'<a href="{summary}">' in dashboard


def test_the_dashboard_summary_lists_only_my_contracts_and_polls_while_one_moves(
        owner_client, make_contract, other_developer):
    mine = make_contract("summary-mine")
    make_contract("summary-theirs", user=other_developer)
    idle = owner_client.get(reverse("integrations:summary"), **HTMX).content.decode()
    assert "summary-mine" in idle and "summary-theirs" not in idle
    assert "Not submitted" in idle and "every 2s" not in idle
    submission_create(contract=mine, revision=mine.latest_revision, user=mine.owner)
    moving = owner_client.get(reverse("integrations:summary"), **HTMX).content.decode()
    assert "Waiting for review" in moving and 'hx-trigger="every 2s"' in moving


def test_anonymous_visitors_are_sent_to_sign_in_from_the_summary(anonymous):
    response = anonymous.get(reverse("integrations:summary"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_panel_loads_its_stylesheet_once_not_on_every_poll(owner_client, make_contract):
    make_contract()
    first = owner_client.get(url("panel"), **HTMX, HTTP_HX_TARGET="submission-panel")
    assert "css/review.css" in first.content.decode()
    poll = owner_client.get(url("panel"), **HTMX, HTTP_HX_TARGET="submission-panel-body")
    assert "css/review.css" not in poll.content.decode()


def test_a_repeat_of_the_registered_version_explains_why_it_cannot_be_submitted(
        owner_client, registered):
    add_revision(registered, contract_data("review-demo", description="Same version, new words."))
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Submit for registration" not in html
    assert "Version 1.0.0 is not higher than the current version 1.0.0" in html


def test_the_panel_warns_the_developer_of_breaking_changes_before_they_submit(
        owner_client, registered):
    add_revision(registered, contract_data("review-demo", version="1.1.0",
                                           capabilities=["text_generation"]))
    html = owner_client.get(url("panel"), **HTMX).content.decode()
    assert "Submit for registration" in html
    assert "2 breaking</span>" in html
    assert "<strong>Breaking:</strong> Capability code_generation removed." in html


def test_every_status_has_words_and_a_badge_that_the_stylesheet_defines(settings):
    from pathlib import Path

    from integrations.models import ServiceStatus
    from integrations.review.states import SERVICE_BADGES, SUBMISSION_STATES

    css = (Path(settings.BASE_DIR) / "static" / "css" / "badges.css").read_text()
    assert set(SUBMISSION_STATES) == set(SubmissionStatus.values)
    assert set(SERVICE_BADGES) == set(ServiceStatus.values)
    badges = {state.badge for state in SUBMISSION_STATES.values()} | set(SERVICE_BADGES.values())
    for badge in badges:
        assert f".badge-{badge} " in css, badge
    assert all(state.headline and state.explanation for state in SUBMISSION_STATES.values())
