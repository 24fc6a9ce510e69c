"""What the API does on top of the contracts and pipeline services (kept out of the views).

`contract_create_from_text` creates a contract whose first revision is the caller's text;
`register_from_text` is the SDK's register-service: create or revise the caller's contract, then
submit that revision through the pipeline (integrations.pipeline.submissions); the very same text
again answers what it already led to (`submission_of_same_text`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from caio_integration.contracts import validate_text

from contracts_app import services as contracts
from contracts_app.models import Contract
from contracts_app.services import (
    ContractError,
    RevisionConflict,
    SaveResult,
    ServiceIdTaken,
    check_text,
    contract_save_revision,
    holds_unstorable,
    normalize_text,
    service_id_check,
)
from integrations.models import (
    OPEN_SUBMISSION_STATUSES,
    ServiceStatus,
    Submission,
    SubmissionStatus,
)
from integrations.pipeline.errors import SubmissionError
from integrations.pipeline.submissions import submission_create
from integrations.review.selectors import contract_service

logger = logging.getLogger(__name__)


class ContractInvalid(ContractError):
    def __init__(self, message: str, diagnostics: list[dict]):
        super().__init__(message)
        self.diagnostics = diagnostics


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_non_finite(v) for v in value)
    return False


def ensure_storable(text: str) -> None:
    """Refuse a text with NUL characters (also written as an escape, "\\0"; or a lone
    surrogate's) or non-finite numbers (.inf, .nan, 1e400), with the reason.

    The web editor saves such a draft: contracts_app.services.json_safe stores a non-finite number
    as null and a NUL as U+FFFD in the parsed data (PostgreSQL's jsonb holds neither) and the
    validator reports `not-finite` or `invalid-character`. The API refuses such a text instead, so
    what an API client saved never differs from what it sent; nothing is half-saved.
    """
    if "\x00" in text:
        raise ContractError("The text contains NUL characters, which cannot be saved.")
    data = validate_text(text).data
    if holds_unstorable(data):
        raise ContractError("The text writes a NUL character (or a lone surrogate) as an escape, "
                            "such as \"\\0\" in a quoted string; such a draft cannot be saved. "
                            "Remove it, then save again. Nothing was saved.")
    if _non_finite(data):
        raise ContractError("The text has an infinite or NaN number (.inf, .nan or a number too "
                            "large for a float); such a draft cannot be saved. Write a finite "
                            "number, then save again. Nothing was saved.")


def contract_create_from_text(*, owner, service_id: str, text: str) -> tuple[Contract, SaveResult]:
    """A new contract for ``owner`` whose revision 1 is ``text`` (saved even when invalid), as
    contracts_app creates it, after the API's own check (ensure_storable).

    Raises ServiceIdTaken, or ContractError when the id is malformed or reserved, or the text
    cannot be stored or is too large.
    """
    service_id = service_id_check(service_id)
    ensure_storable(text)
    contract, saved = contracts.contract_create_from_text(owner=owner, service_id=service_id,
                                                          text=text)
    logger.info("contract %s created by user %s through the API", service_id, owner.pk)
    return contract, saved


@dataclass(frozen=True)
class Registration:
    contract: Contract
    saved: SaveResult
    submission: Submission
    created: bool = True  # False: the very same text again, answered with what it led to


def submission_of_same_text(*, contract: Contract, text: str) -> Submission | None:
    """What ``text`` (normalized) already led to, when it is the contract's latest revision
    (the same equality as contract_save_revision's "nothing new to save"): that revision's open
    submission, else the submission that registered it while the service still stands at that
    revision (active or deprecated, not withdrawn). None otherwise: then a new submission is due.
    """
    latest = contract.latest_revision
    if latest is None or latest.text != text:
        return None
    submissions = (Submission.objects.select_related("contract", "revision")
                   .filter(contract=contract, revision=latest).order_by("-created_at", "-pk"))
    open_one = submissions.filter(status__in=OPEN_SUBMISSION_STATUSES).first()
    if open_one is not None:
        return open_one
    service = contract_service(contract=contract)
    if (service is None or service.status == ServiceStatus.WITHDRAWN
            or service.current_version is None
            or service.current_version.revision_id != latest.pk):
        return None
    return submissions.filter(status=SubmissionStatus.REGISTERED).first()


def register_from_text(*, user, text: str) -> Registration:
    """Validate ``text``; save it as a revision of the caller's contract for its service_id
    (created when the id is free); submit that revision for registration. The very same text
    again (`submission_of_same_text`) saves and submits nothing: the answer is the submission it
    already led to, with ``created=False``.

    Raises ContractInvalid (with diagnostics), ServiceIdTaken, ContractError (id reserved or
    malformed, size, conflict) or SubmissionError (the pipeline's refusals: unverified email,
    an open submission, a version that is not higher...).
    """
    text = normalize_text(text)
    verdict = check_text(text=text, with_data=True)
    if not verdict.valid or not isinstance(verdict.data, dict):
        errors = verdict.error_count
        raise ContractInvalid(f"The contract has {errors} error{'' if errors == 1 else 's'}; "
                              "nothing was saved or submitted.", verdict.diagnostics)
    service_id = verdict.data.get("service_id")
    contract = Contract.objects.filter(service_id=service_id).first()
    if contract is None:
        try:
            contract, saved = contract_create_from_text(owner=user, service_id=service_id,
                                                        text=text)
        except ContractError:
            contract = Contract.objects.filter(service_id=service_id).first()
            if contract is None:
                raise
            saved = None  # someone created it a moment ago: fall through to the owner check
    else:
        saved = None
    if contract.owner_id != user.pk:
        raise ServiceIdTaken(f"The service ID '{service_id}' belongs to another developer's "
                             "contract; choose another service_id.")
    if saved is None:
        earlier = submission_of_same_text(contract=contract, text=text)
        if earlier is not None:
            return _again(contract, earlier)
        saved = _save_latest(contract=contract, text=text, user=user)
    revision = saved.revision
    if not revision.is_valid:
        raise ContractInvalid(f"Revision {revision.number} was saved but has errors; it was not "
                              "submitted.", revision.diagnostics)
    try:
        submission = submission_create(contract=contract, revision=revision, user=user)
    except SubmissionError:
        # The same text sent twice at once: the other request's submission is the answer.
        earlier = submission_of_same_text(contract=contract, text=text)
        if earlier is None:
            raise
        return _again(contract, earlier)
    return Registration(contract=contract, saved=saved, submission=submission)


def _again(contract: Contract, submission: Submission) -> Registration:
    return Registration(contract=contract, saved=SaveResult(submission.revision, created=False),
                        submission=submission, created=False)


def _save_latest(*, contract: Contract, text: str, user) -> SaveResult:
    """Save ``text`` after whatever the latest revision is (one retry on a concurrent save)."""
    for attempt in range(2):
        latest = contract.latest_revision
        try:
            return contract_save_revision(contract=contract, text=text, author=user,
                                          base_number=latest.number if latest else None)
        except RevisionConflict:
            if attempt:
                raise
    raise AssertionError("unreachable")
