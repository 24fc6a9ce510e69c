"""The "Breaking?" verdict is the reviewer's, stored when they decide: later registrations do not
change what the list (or the detail page) says about an earlier decision."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from integrations.models import Submission, SubmissionStatus
from integrations.pipeline.submissions import submission_create, submission_register
from tests.factories import add_revision, contract_data

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integrations_submission_changelist")


def submit(contract):
    return submission_create(contract=contract, revision=contract.latest_revision,
                             user=contract.owner)


def approve_and_register(client, submission, capture):
    """The reviewer approves in the admin; the worker (called here, not through the broker) then
    registers it with the embedded local core."""
    client.post(reverse("admin:integrations_submission_approve", args=[submission.pk]))
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.QUEUED)
    with capture(execute=True):
        submission_register(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.REGISTERED


def breaking_cells(html: str) -> dict[str, str]:
    """Version -> the text of its "Breaking?" cell, per row of the changelist."""
    cells = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        version = re.search(r'<td class="field-version">([^<]*)</td>', row)
        flag = re.search(r'<td class="field-breaking_flag">(.*?)</td>', row, re.S)
        if version and flag:
            cells[version.group(1)] = " ".join(re.sub(r"<[^>]+>", " ", flag.group(1)).split())
    return cells


def test_a_first_registration_stays_first_and_a_breaking_approval_stays_breaking_after_later_versions(
        reviewer_client, make_contract, settings, django_capture_on_commit_callbacks):
    settings.CAIO_CORE_URL = ""  # the embedded local core, for real
    contract = make_contract("verdict-demo", version="1.1.0")
    first = submit(contract)
    approve_and_register(reviewer_client, first, django_capture_on_commit_callbacks)
    # 1.2.0 drops a capability without a major bump: breaking, approved anyway.
    add_revision(contract, contract_data("verdict-demo", version="1.2.0",
                                         capabilities=["text_generation"]))
    second = submit(contract)
    approve_and_register(reviewer_client, second, django_capture_on_commit_callbacks)

    cells = breaking_cells(reviewer_client.get(CHANGELIST).content.decode())
    assert cells["1.1.0"].split()[0] == "first"  # not "breaking" (1.2.0 to 1.1.0)
    assert cells["1.2.0"].split()[0] == "breaking"  # not "no" (1.2.0 against itself)
    assert cells["1.1.0"] == "first at review"
    assert cells["1.2.0"] == "breaking vs 1.1.0, at review"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.breaking_at_review, first.compared_version) == (False, "")
    assert (second.breaking_at_review, second.compared_version) == (True, "1.1.0")
    # The detail page of the first one still reads as a first registration, not a diff with 1.2.0.
    page = reviewer_client.get(
        reverse("admin:integrations_submission_change", args=[first.pk])).content.decode()
    assert "this is a first registration" in page and "Compared with version" not in page
    page = reviewer_client.get(
        reverse("admin:integrations_submission_change", args=[second.pk])).content.decode()
    assert "<strong>1.1.0</strong>" in page and "breaking change</span>" in page


def test_a_submission_still_waiting_shows_the_comparison_with_now_labelled_as_such(
        reviewer_client, make_contract, register):
    contract = make_contract("verdict-waiting")
    register(contract)
    add_revision(contract, contract_data("verdict-waiting", version="1.1.0",
                                         capabilities=["text_generation"]))
    submit(contract)
    submit(make_contract("verdict-waiting-first"))
    cells = breaking_cells(reviewer_client.get(CHANGELIST).content.decode())
    assert cells == {"1.1.0": "breaking vs 1.0.0, now", "1.0.0": "first now"}


def test_a_rejection_stores_its_verdict_too(reviewer_client, make_contract, register):
    contract = make_contract("verdict-rejected")
    register(contract)
    add_revision(contract, contract_data("verdict-rejected", version="2.0.0",
                                         description="Clearer."))
    submission = submit(contract)
    reviewer_client.post(reverse("admin:integrations_submission_reject", args=[submission.pk]),
                         {"reason": "Not yet."})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert (submission.breaking_at_review, submission.compared_version) == (False, "1.0.0")
    assert breaking_cells(reviewer_client.get(CHANGELIST).content.decode())["2.0.0"] == (
        "no vs 1.0.0, at review")


def test_a_bulk_approval_stores_the_verdict_it_checked(reviewer_client, make_contract, register):
    contract = make_contract("verdict-bulk")
    register(contract)
    add_revision(contract, contract_data("verdict-bulk", version="1.0.1", description="Clearer."))
    submission = submit(contract)
    reviewer_client.post(CHANGELIST, {"action": "approve_selected",
                                      "_selected_action": [submission.pk]})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert (submission.breaking_at_review, submission.compared_version) == (False, "1.0.0")


def test_a_decision_without_a_stored_verdict_says_so_instead_of_comparing_with_now(
        reviewer_client, make_contract, settings):
    settings.PORTAL_REVIEW = "auto"
    submit(make_contract("verdict-auto"))
    assert breaking_cells(reviewer_client.get(CHANGELIST).content.decode())["1.0.0"] == (
        "not recorded")
