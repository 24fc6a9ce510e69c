"""The reviewer's side of registration: the review policy and what a reviewer reads.

Decisions go through the pipeline's services (integrations/pipeline/submissions.py:
submission_approve / submission_reject / submission_retry), which make the state transitions,
write them on the timeline and refuse what is not allowed (approving your own submission,
rejecting without a reason). This module adds what the reviewer reads (the diff against the
registered version), the verdict stored with each decision (`review_approve`, `review_reject`:
was it breaking, against which version), and the bulk policy: a bulk approval never approves a
submission with a breaking change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from caio_integration.contracts import Change, DiffLine, compare, is_breaking, text_diff

from integrations.models import RegisteredService, ServiceVersion, Submission
from integrations.pipeline.errors import PipelineError
from integrations.pipeline.submissions import ReviewVerdict, submission_approve, submission_reject


@dataclass
class SubmissionDiff:
    """A submission against the version currently registered for its service_id."""

    registered: ServiceVersion | None
    changes: list[Change] = field(default_factory=list)
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return is_breaking(self.changes)

    @property
    def first_registration(self) -> bool:
        return self.registered is None

    @property
    def verdict(self) -> ReviewVerdict:
        """What a decision on this diff stores: breaking or not, against which version."""
        return ReviewVerdict(breaking=self.breaking,
                             compared_version=self.registered.version if self.registered else "")


def registered_version(service_id: str) -> ServiceVersion | None:
    """The version the catalogue currently serves for `service_id`, or None."""
    service = (RegisteredService.objects.select_related("current_version__revision")
               .filter(service_id=service_id).first())
    return service.current_version if service else None


def compared_version(submission: Submission) -> ServiceVersion | None | bool:
    """The version a decided submission was compared with (None: a first registration), or False
    when no verdict was stored (undecided, or decided before verdicts were stored)."""
    if submission.breaking_at_review is None:
        return False
    if not submission.compared_version:
        return None
    found = (ServiceVersion.objects.select_related("revision")
             .filter(service__service_id=submission.contract.service_id,
                     version=submission.compared_version).first())
    return found if found is not None else False


def submission_diff(*, submission: Submission, registered: ServiceVersion | None | bool = False,
                    text: bool = True) -> SubmissionDiff:
    """Compare a submission's revision with a registered version: the one given, else the one it
    was compared with when the reviewer decided, else the one registered now.

    `text=False` skips the line diff when only the verdict is needed (bulk actions).
    """
    if registered is False:
        registered = compared_version(submission)
    if registered is False:
        registered = registered_version(submission.contract.service_id)
    return revision_diff(revision=submission.revision, registered=registered, text=text)


def revision_diff(*, revision, registered: ServiceVersion | None, text: bool = True
                  ) -> SubmissionDiff:
    """A contract revision against a registered version (None: nothing registered yet): the
    change list and breaking flags a reviewer reads, and the developer sees before submitting
    (the panel) and in the API's register-service answer. Breaking changes come first."""
    if registered is None:
        return SubmissionDiff(registered=None)
    old_revision = registered.revision
    changes = compare(old_revision.data, revision.data)
    return SubmissionDiff(
        registered=registered,
        changes=sorted(changes, key=lambda change: not change.breaking),
        lines=text_diff(old_revision.text, revision.text) if text else [],
    )


def diff_now(submission: Submission) -> SubmissionDiff:
    """The submission against the version registered now (what a reviewer deciding now reads),
    without the line diff."""
    return submission_diff(submission=submission, text=False,
                           registered=registered_version(submission.contract.service_id))


def review_approve(*, submission: Submission, reviewer) -> Submission:
    """Approve, storing the verdict against the version registered now."""
    return submission_approve(submission=submission, reviewer=reviewer,
                              verdict=diff_now(submission).verdict)


def review_reject(*, submission: Submission, reviewer, reason: str) -> Submission:
    """Reject with a reason, storing the verdict against the version registered now."""
    return submission_reject(submission=submission, reviewer=reviewer, reason=reason,
                             verdict=diff_now(submission).verdict)


@dataclass
class BulkResult:
    approved: list[Submission] = field(default_factory=list)
    refused: list[tuple[Submission, str]] = field(default_factory=list)


def review_bulk_approve(*, submissions: Iterable[Submission], reviewer) -> BulkResult:
    """Approve several submissions at once; refuse (and report) any with a breaking change.

    A breaking change must be approved on its own page, after the reviewer has read the diff.
    """
    result = BulkResult()
    for submission in submissions:
        diff = diff_now(submission)
        if diff.breaking:
            kinds = sorted({c.kind.replace("_", " ") for c in diff.changes if c.breaking})
            result.refused.append((submission, (
                f"{submission.contract.service_id} has a breaking change ({', '.join(kinds)}); "
                "open it, read the diff and approve it on its own."
            )))
            continue
        try:
            submission_approve(submission=submission, reviewer=reviewer, verdict=diff.verdict)
        except PipelineError as exc:
            result.refused.append((submission, exc.message))
        else:
            result.approved.append(submission)
    return result


@dataclass
class VersionStep:
    """One registered version and what it changed from the version registered before it."""

    version: ServiceVersion
    previous: ServiceVersion | None
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return is_breaking(self.changes)


def version_history(*, service: RegisteredService) -> list[VersionStep]:
    """The service's registered versions, newest first, each compared with the one before it.

    For the catalogue's version history: the same verdict as the review admin's.
    """
    versions = list(service.versions.select_related("revision").order_by("version_key"))
    steps: list[VersionStep] = []
    previous = None
    for version in versions:
        changes = compare(previous.revision.data, version.revision.data) if previous else []
        steps.append(VersionStep(version=version, previous=previous, changes=changes))
        previous = version
    steps.reverse()
    return steps
