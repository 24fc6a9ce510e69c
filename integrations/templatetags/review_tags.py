"""Template helpers for the review admin and the submission panel."""

from __future__ import annotations

from django import template

from integrations.models import Submission, SubmissionStatus
from integrations.pipeline.breaker import BreakerView, core_breaker_state
from integrations.review import states

register = template.Library()


@register.simple_tag
def pending_review_count() -> int:
    """How many submissions wait for a reviewer (shown on the admin index)."""
    return Submission.objects.filter(status=SubmissionStatus.PENDING_REVIEW).count()


@register.simple_tag
def core_breaker() -> BreakerView | None:
    """The CAIO core's breaker as the database has it, or None while it is closed (the admin's
    banner: every process reads the same row)."""
    return core_breaker_state()


@register.filter
def event_label(kind: str) -> str:
    """A timeline event kind in words: "retry_scheduled" -> "retry scheduled"."""
    return str(kind).replace("_", " ")


@register.filter
def submission_badge(status: str | None) -> str:
    """A submission status's badge: `badge-{{ submission.status|submission_badge }}`."""
    return states.submission_badge(status)


@register.filter
def submission_headline(status: str | None) -> str:
    """A submission status in words: `{{ submission.status|submission_headline }}`."""
    return states.submission_state(status).headline


@register.filter
def service_badge(status: str | None) -> str:
    """A registered service status's badge: `badge-{{ service.status|service_badge }}`."""
    return states.service_badge(status)
