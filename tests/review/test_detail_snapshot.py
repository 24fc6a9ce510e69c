"""A submission's admin page shows one state, even when a worker moves the submission on while
the page is being read (right after Approve)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from integrations.models import Event, Submission, SubmissionStatus
from integrations.pipeline.submissions import submission_create, submission_register
from integrations.review.states import SUBMISSION_STATES

pytestmark = pytest.mark.django_db


@contextmanager
def worker_registers_after_the_first_read_of(submission):
    """Once the page has read the submission's row, the worker registers it (for real, with the
    embedded local core) before the page's next query: what a fast worker does right after
    Approve."""
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not state["done"] and 'FROM "integrations_submission"' in sql:
            state["done"] = True
            submission_register(submission_id=submission.pk)
        return result

    with connection.execute_wrapper(wrapper):
        yield state


def test_right_after_approve_the_page_shows_one_state_while_the_worker_registers(
        reviewer_client, make_contract, settings):
    settings.CAIO_CORE_URL = ""
    contract = make_contract("snapshot-demo")
    submission = submission_create(contract=contract, revision=contract.latest_revision,
                                   user=contract.owner)
    reviewer_client.post(reverse("admin:integrations_submission_approve", args=[submission.pk]))
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.QUEUED)

    with worker_registers_after_the_first_read_of(submission) as worker:
        html = reviewer_client.get(
            reverse("admin:integrations_submission_change", args=[submission.pk])).content.decode()
    assert worker["done"]
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.REGISTERED

    queued = SUBMISSION_STATES[SubmissionStatus.QUEUED].headline
    box = re.search(r'<section class="review-decision.*?</section>', html, re.S).group(0)
    field = re.search(r'<div class="readonly">(<span class="badge[^<]*</span>)</div>', html).group(1)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    timeline = re.search(r'<section class="module review-section" id="review-timeline".*?</section>',
                         html, re.S).group(0)
    box_state = re.search(r'Status: <span class="badge[^>]*>([^<]*)</span>', box).group(1)
    field_state = re.search(r">([^<]*)</span>", field).group(1)
    assert box_state == field_state  # one state, not Queued in the box and Registered below
    assert queued in box and queued in field and queued in title
    for later in (SubmissionStatus.REGISTERING, SubmissionStatus.REGISTERED):
        headline = SUBMISSION_STATES[later].headline
        assert headline not in box and headline not in field and headline not in title
    kinds = re.findall(r"<td>([a-z_]+)</td>\s*<td>[^<]*</td>\s*</tr>", timeline)
    assert kinds == ["submitted", "approved"]
    # The page read the row once; the worker's events exist, they are just newer than the page.
    assert set(Event.objects.filter(submission=submission).values_list("kind", flat=True)) >= {
        "claimed", "registered"}


def test_the_list_badges_and_its_status_filter_say_a_status_in_the_same_words(
        reviewer_client, make_contract):
    contract = make_contract("words-demo")
    submission_create(contract=contract, revision=contract.latest_revision, user=contract.owner)
    html = reviewer_client.get(reverse("admin:integrations_submission_changelist")).content.decode()
    waiting = SUBMISSION_STATES[SubmissionStatus.PENDING_REVIEW].headline
    assert f'<span class="badge badge-warn">{waiting}</span>' in html
    assert f'status__exact=pending_review">{waiting}</a>' in html
