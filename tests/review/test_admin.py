"""The review admin, through the real admin pages with Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Event, Submission, SubmissionStatus
from integrations.pipeline.submissions import submission_approve, submission_create
from tests.factories import StaffFactory, add_revision, contract_data

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integrations_submission_changelist")


def change_url(submission) -> str:
    return reverse("admin:integrations_submission_change", args=[submission.pk])


def submit(contract, user=None):
    return submission_create(contract=contract, revision=contract.latest_revision,
                             user=user or contract.owner)


def registered_then_changed(make_contract, register, service_id="review-demo", **edits):
    """A contract registered at 1.0.0 and a pending submission of a changed next version."""
    contract = make_contract(service_id)
    register(contract)
    edits.setdefault("version", "1.1.0")
    add_revision(contract, contract_data(service_id, **edits))
    return submit(contract)


def listed(response) -> set[str]:
    return {row.contract.service_id for row in response.context["cl"].result_list}


@pytest.mark.smoke
def test_admin_index_shows_how_many_submissions_wait_for_review(reviewer_client, make_contract):
    for name in ("waiting-one", "waiting-two"):
        submit(make_contract(name))
    response = reviewer_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong class="review-pending-count">2</strong>' in html
    assert f"{CHANGELIST}?status__exact=pending_review" in html


def test_a_developer_cannot_open_the_review_admin(owner_client, make_contract):
    submission = submit(make_contract())
    for url in (CHANGELIST, change_url(submission),
                reverse("admin:integrations_submission_reject", args=[submission.pk])):
        response = owner_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = owner_client.post(reverse("admin:integrations_submission_approve",
                                         args=[submission.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW


def test_the_list_filters_by_status_owner_and_date(reviewer_client, make_contract, other_developer):
    mine = submit(make_contract("filter-mine"))
    theirs = submit(make_contract("filter-theirs", user=other_developer))
    Submission.objects.filter(pk=theirs.pk).update(status=SubmissionStatus.REJECTED,
                                                   created_at=timezone.now() - timedelta(days=40))
    by_status = reviewer_client.get(CHANGELIST, {"status__exact": "pending_review"})
    assert listed(by_status) == {"filter-mine"}
    by_owner = reviewer_client.get(CHANGELIST, {"contract__owner__id__exact": other_developer.pk})
    assert listed(by_owner) == {"filter-theirs"}
    html = by_status.content.decode()
    past_week = re.search(r'<a href="(\?[^"]*created_at__gte[^"]*)">Past 7 days</a>', html)
    recent = reviewer_client.get(CHANGELIST + unescape(past_week.group(1)))
    assert listed(recent) == {"filter-mine"}
    assert "By owner" in html and "Olivia Owner" in html and "Oscar Other" in html
    assert mine.contract.service_id in html


@pytest.mark.parametrize(("query", "expected"), [
    ("search-alpha", {"search-alpha"}),
    ("Beta Vision", {"search-beta"}),
    ("other@example.com", {"search-beta"}),
    ("owner@example", {"search-alpha"}),
])
def test_the_list_searches_service_id_name_and_owner_email(
        reviewer_client, make_contract, other_developer, query, expected):
    submit(make_contract("search-alpha"))
    submit(make_contract("search-beta", user=other_developer, name="Beta Vision API"))
    response = reviewer_client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_detail_page_shows_the_yaml_its_diagnostics_and_the_timeline(reviewer_client,
                                                                         make_contract):
    contract = make_contract("detail-demo", description="<script>alert(1)</script>")
    submission = submit(contract)
    response = reviewer_client.get(change_url(submission))
    assert response.status_code == 200
    html = response.content.decode()
    assert "service_id: detail-demo" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Diagnostics" in html
    assert "No version of <code>detail-demo</code> is registered yet" in html
    assert 'id="review-timeline"' in html and "submitted" in html
    assert "Revision 1 (version 1.0.0) submitted for registration." in html
    assert 'name="_save"' not in html  # nothing is edited here


def test_the_detail_page_lists_warnings_from_the_validator(reviewer_client, make_contract):
    contract = make_contract("warned-demo")
    submission = submit(contract)
    rev = submission.revision
    rev.diagnostics = [{"severity": "warning", "code": "unknown-capability", "line": 7,
                        "message": "frobnicate is not in the CAIO vocabulary.", "path": "",
                        "column": 3, "hint": None}]
    rev.save(update_fields=["diagnostics"])
    html = reviewer_client.get(change_url(submission)).content.decode()
    assert "unknown-capability" in html and "line 7" in html
    assert "frobnicate is not in the CAIO vocabulary." in html


BREAKING_EDITS = [
    ("capability_removed", {"capabilities": ["text_generation"]}, "Capability code_generation removed."),
    ("guarantee_weakened", {"guarantees.latency.p95_ms": 150}, "Latency p95 (ms) weakened from 100 to 150."),
    ("guarantee_weakened", {"guarantees.accuracy.min": 0.9}, "Minimum accuracy weakened from 0.95 to 0.9."),
    ("guarantee_weakened", {"guarantees.availability.target": 99.0}, "Availability target (%) weakened from 99.9 to 99.0."),
    ("guarantee_dropped", {"guarantees.accuracy": None}, "Minimum accuracy guarantee dropped (was 0.95)."),
    ("constraint_narrowed", {"constraints.supported_languages": ["en"]}, "Supported languages removed: de, fr."),
    ("constraint_narrowed", {"constraints.max_tokens": 1024}, "Maximum tokens lowered to 1024 from 8192."),
    ("price_raised", {"cost.per_token": 0.0005}, "Cost per token raised from 0.0001 to 0.0005."),
    ("currency_changed", {"cost.currency": "EUR"}, "Currency changed from USD to EUR"),
]


@pytest.mark.parametrize(("kind", "edits", "message"), BREAKING_EDITS,
                         ids=[f"{k}-{next(iter(e))}" for k, e, _m in BREAKING_EDITS])
def test_the_diff_page_flags_each_kind_of_breaking_change(reviewer_client, make_contract,
                                                          register, kind, edits, message):
    submission = registered_then_changed(make_contract, register, **edits)
    response = reviewer_client.get(change_url(submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Compared with version <strong>1.0.0</strong>" in html
    assert f'<tr class="review-breaking" data-kind="{kind}">' in html
    assert message in html
    # No major bump (1.0.0 -> 1.1.0): that is flagged too, and the page says breaking.
    assert '<tr class="review-breaking" data-kind="major_bump_missing">' in html
    assert "breaking change</span>" in html
    # The text diff shows the old and the new line.
    assert 'class="review-diff-del"' in html and 'class="review-diff-add"' in html


def test_the_diff_page_marks_safe_changes_as_safe(reviewer_client, make_contract, register):
    submission = registered_then_changed(make_contract, register, name="Nicer Name",
                                         **{"guarantees.latency.p95_ms": 90})
    html = reviewer_client.get(change_url(submission)).content.decode()
    assert "review-breaking" not in html
    assert "no breaking change" in html
    assert 'data-kind="guarantee_improved"' in html and 'data-kind="field_changed"' in html
    assert "+ name: Nicer Name" in html and "- name: Example Service" in html


def test_a_reviewer_approves_from_the_detail_page_and_it_goes_on_the_timeline(
        reviewer_client, reviewer, make_contract):
    submission = submit(make_contract())
    page = reviewer_client.get(change_url(submission)).content.decode()
    approve_url = reverse("admin:integrations_submission_approve", args=[submission.pk])
    assert f'action="{approve_url}"' in page
    response = reviewer_client.post(approve_url, follow=True)
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.reviewed_by == reviewer
    event = Event.objects.get(submission=submission, kind="approved")
    assert event.actor_user == reviewer
    assert "Approved review-demo 1.0.0" in response.content.decode()


def test_approve_is_a_post(reviewer_client, make_contract):
    submission = submit(make_contract())
    url = reverse("admin:integrations_submission_approve", args=[submission.pk])
    assert reviewer_client.get(url).status_code == 405
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW


def test_a_reviewer_cannot_approve_their_own_submission(reviewer, reviewer_client, make_contract):
    submission = submit(make_contract("own-work", user=reviewer))
    page = reviewer_client.get(change_url(submission)).content.decode()
    approve_url = reverse("admin:integrations_submission_approve", args=[submission.pk])
    assert approve_url not in page
    assert "This is your own submission" in page
    response = reviewer_client.post(approve_url, follow=True)
    assert "You cannot approve your own submission" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW
    # Not in bulk either.
    reviewer_client.post(CHANGELIST, {"action": "approve_selected",
                                      "_selected_action": [submission.pk]})
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(reviewer_client, make_contract):
    submission = submit(make_contract())
    url = reverse("admin:integrations_submission_reject", args=[submission.pk])
    form = reviewer_client.get(url)
    assert form.status_code == 200
    assert '<label for="id_reason" class="required">' in form.content.decode()
    for blank in ("", "   \n "):
        response = reviewer_client.post(url, {"reason": blank})
        assert response.status_code == 200
        assert "A rejection needs a reason" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW
    assert not Event.objects.filter(submission=submission, kind="rejected").exists()


def test_rejecting_with_a_reason_records_it_for_the_developer(reviewer_client, reviewer,
                                                              make_contract):
    submission = submit(make_contract())
    url = reverse("admin:integrations_submission_reject", args=[submission.pk])
    response = reviewer_client.post(url, {"reason": "Latency p99 is not credible."}, follow=True)
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.reason == "Latency p99 is not credible."
    event = Event.objects.get(submission=submission, kind="rejected")
    assert (event.actor_user, event.message) == (reviewer, "Latency p99 is not credible.")


def test_bulk_reject_asks_for_a_reason_on_an_intermediate_page(reviewer_client, make_contract):
    subs = [submit(make_contract(name)) for name in ("bulk-rej-a", "bulk-rej-b")]
    ids = [s.pk for s in subs]
    page = reviewer_client.post(CHANGELIST, {"action": "reject_selected", "_selected_action": ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert "bulk-rej-a" in html and "bulk-rej-b" in html and 'name="reason"' in html
    no_reason = reviewer_client.post(CHANGELIST, {"action": "reject_selected", "post": "yes",
                                                  "_selected_action": ids, "reason": " "})
    assert "A rejection needs a reason" in no_reason.content.decode()
    assert set(Submission.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        SubmissionStatus.PENDING_REVIEW}
    done = reviewer_client.post(CHANGELIST, {"action": "reject_selected", "post": "yes",
                                             "_selected_action": ids, "reason": "Duplicates."})
    assert done.status_code == 302
    assert list(Submission.objects.filter(pk__in=ids).values_list("reason", flat=True)) == [
        "Duplicates.", "Duplicates."]


def fail(submission, message="Core said 422: endpoint unreachable.", *, key_refused=True):
    """What the worker leaves behind after a failure: by default a permanent one (the core
    refused the key)."""
    submission_approve(submission=submission, reviewer=StaffFactory())
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.FAILED, last_error=message, reason=message,
        finished_at=timezone.now(), key_refused=key_refused)
    submission.refresh_from_db()
    return submission


def test_a_reviewer_retries_a_failed_submission_with_a_new_key(reviewer_client, reviewer,
                                                               make_contract):
    submission = fail(submit(make_contract()))
    old_key = submission.idempotency_key
    page = reviewer_client.get(change_url(submission)).content.decode()
    assert "Core said 422: endpoint unreachable." in page
    url = reverse("admin:integrations_submission_retry", args=[submission.pk])
    assert f'action="{url}"' in page
    reviewer_client.post(url)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert submission.idempotency_key != old_key
    assert Event.objects.get(submission=submission, kind="retried").actor_user == reviewer


def test_a_reviewer_retries_a_submission_that_timed_out_with_the_same_key(reviewer_client,
                                                                          make_contract):
    submission = fail(submit(make_contract("timed-out")), key_refused=False,
                      message="Gave up after 6 attempts. Last error: the core did not answer.")
    old_key = submission.idempotency_key
    page = reviewer_client.get(change_url(submission)).content.decode()
    assert "so a retry sends the same idempotency key" in page
    url = reverse("admin:integrations_submission_retry", args=[submission.pk])
    response = reviewer_client.post(url, follow=True)
    assert "will try again with the same key" in response.content.decode()
    submission.refresh_from_db()
    assert (submission.status, submission.idempotency_key) == (SubmissionStatus.APPROVED, old_key)
    assert "the same idempotency key" in Event.objects.get(submission=submission,
                                                           kind="retried").message


def test_retrying_something_that_did_not_fail_is_refused_with_a_message(reviewer_client,
                                                                       make_contract):
    submission = submit(make_contract())
    url = reverse("admin:integrations_submission_retry", args=[submission.pk])
    response = reviewer_client.post(url, follow=True)
    assert "can be retried" in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.PENDING_REVIEW


def test_bulk_retry_retries_the_failed_ones(reviewer_client, make_contract):
    failed = fail(submit(make_contract("bulk-retry")))
    reviewer_client.post(CHANGELIST, {"action": "retry_selected", "_selected_action": [failed.pk]})
    assert Submission.objects.get(pk=failed.pk).status == SubmissionStatus.APPROVED


def test_bulk_approve_refuses_a_breaking_change_and_approves_the_rest(
        reviewer_client, make_contract, register):
    breaking = registered_then_changed(make_contract, register, "bulk-breaking",
                                       capabilities=["text_generation"])
    safe = registered_then_changed(make_contract, register, "bulk-safe", description="Clearer.")
    first = submit(make_contract("bulk-first"))
    changelist = reviewer_client.get(CHANGELIST).content.decode()
    assert "breaking</span>" in changelist and "first</span>" in changelist
    response = reviewer_client.post(
        CHANGELIST, {"action": "approve_selected",
                     "_selected_action": [breaking.pk, safe.pk, first.pk]}, follow=True)
    html = response.content.decode()
    statuses = dict(Submission.objects.values_list("contract__service_id", "status"))
    assert statuses["bulk-breaking"] == SubmissionStatus.PENDING_REVIEW
    assert statuses["bulk-safe"] == SubmissionStatus.APPROVED
    assert statuses["bulk-first"] == SubmissionStatus.APPROVED
    assert "bulk-breaking has a breaking change" in html
    # The breaking one can still be approved on its own page, after reading the diff.
    reviewer_client.post(reverse("admin:integrations_submission_approve", args=[breaking.pk]))
    assert Submission.objects.get(pk=breaking.pk).status == SubmissionStatus.APPROVED


def test_only_pending_submissions_offer_a_decision(reviewer_client, make_contract):
    submission = submit(make_contract())
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.CANCELLED)
    html = reviewer_client.get(change_url(submission)).content.decode()
    assert "No decision is open on this submission." in html
    assert reverse("admin:integrations_submission_reject", args=[submission.pk]) not in html


def test_staff_see_the_other_review_screens_without_extra_permissions(reviewer_client):
    for name in ("event", "registeredservice", "serviceversion", "serviceoperation"):
        assert reviewer_client.get(
            reverse(f"admin:integrations_{name}_changelist")).status_code == 200


def test_the_list_costs_a_fixed_number_of_queries_however_many_rows(
        reviewer_client, make_contract, register, django_assert_max_num_queries):
    for n in range(6):
        registered_then_changed(make_contract, register, f"many-{n}",
                                capabilities=["text_generation"])
    with django_assert_max_num_queries(12):
        response = reviewer_client.get(CHANGELIST)
    assert response.content.decode().count("breaking</span>") == 6
