"""Reads that decide who sees what, and the lists the contract pages show."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from caio_integration.contracts import describe, examples, templates
from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from contracts_app.models import Contract, ContractRevision
from contracts_app.services import contract_write_check


def contract_for_viewer(*, user, service_id: str) -> Contract:
    """The contract, if ``user`` may see its drafts (owner or staff); else Http404."""
    return get_object_or_404(Contract.objects.visible_to(user).select_related("owner"),
                             service_id=service_id)


def contract_for_editor(*, user, service_id: str) -> Contract:
    """The contract, if ``user`` may write to it: Http404 when they may not even see it,
    PermissionDenied for staff looking at someone else's (they review, they do not edit)."""
    contract = contract_for_viewer(user=user, service_id=service_id)
    contract_write_check(contract=contract, user=user)
    return contract


def revision_of(*, contract: Contract, number: int) -> ContractRevision:
    return get_object_or_404(contract.revisions.select_related("author"), number=number)


def contracts_for_dashboard(*, user) -> QuerySet[Contract]:
    """The user's contracts, newest first, each annotated with its latest revision's state."""
    latest = ContractRevision.objects.filter(contract=OuterRef("pk")).order_by("-number")
    return (
        Contract.objects.filter(owner=user)
        .annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_valid=Subquery(latest.values("is_valid")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
            latest_diagnostics=Subquery(latest.values("diagnostics")[:1],
                                        output_field=JSONField()),
        )
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class Starter:
    """A template or example from the SDK that a new contract can start from."""

    name: str
    kind: str  # "template" or "example"
    title: str
    summary: str


@cache
def _starters() -> tuple[Starter, ...]:
    out = []
    for kind, names in (("template", templates()), ("example", examples())):
        for name in names:
            title, summary = describe(name)
            out.append(Starter(name=name, kind=kind, title=title, summary=summary))
    return tuple(out)


def starters() -> list[Starter]:
    """The SDK's templates, then its examples."""
    return list(_starters())
