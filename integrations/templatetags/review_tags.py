"""Template helpers for the review admin and the submission panel."""

from __future__ import annotations

from django import template

from integrations.models import Submission, SubmissionStatus

register = template.Library()


@register.simple_tag
def pending_review_count() -> int:
    """How many submissions wait for a reviewer (shown on the admin index)."""
    return Submission.objects.filter(status=SubmissionStatus.PENDING_REVIEW).count()


@register.filter
def event_label(kind: str) -> str:
    """A timeline event kind in words: "retry_scheduled" -> "retry scheduled"."""
    return str(kind).replace("_", " ")
