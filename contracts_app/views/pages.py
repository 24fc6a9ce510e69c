"""Contract pages: new, check id, detail, history, diff, download, delete."""

from __future__ import annotations

from caio_integration.contracts import text_diff
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contracts_app.diagnostics import severity_counts
from contracts_app.forms import NewContractForm
from contracts_app.offer import offer_fields
from contracts_app.selectors import contract_for_viewer, revision_of, starters
from contracts_app.services import (
    ContractError,
    contract_create,
    contract_delete,
    service_id_problem,
)
from contracts_app.views.common import annotate, rate_limited


@login_required
@require_http_methods(["GET", "POST"])
def new_contract(request: HttpRequest) -> HttpResponse:
    form = NewContractForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contract = contract_create(owner=request.user,
                                           service_id=form.cleaned_data["service_id"],
                                           template=form.cleaned_data["template"])
            except ContractError as exc:
                form.add_error("service_id", exc.message)
            else:
                messages.success(request, f"Contract {contract.service_id} created from "
                                          f"{form.cleaned_data['template']}. Revision 1 is saved.")
                return redirect("contracts:edit", service_id=contract.service_id)
        status = 400
    return render(request, "contracts/new.html", {"form": form, "starters": starters()},
                  status=status)


@login_required
@require_GET
def check_id(request: HttpRequest) -> HttpResponse:
    """Availability of a service id, as you type (an htmx fragment)."""
    service_id = request.GET.get("service_id", "").strip()[:100]
    if rate_limited(request, "check-id"):
        return render(request, "contracts/_check_id.html", {
            "service_id": service_id,
            "problem": "Checking paused for a few seconds; the ID is checked again when you create."})
    problem = service_id_problem(service_id) if service_id else None
    return render(request, "contracts/_check_id.html",
                  {"service_id": service_id, "problem": problem})


@login_required
@require_GET
def detail(request: HttpRequest, service_id: str) -> HttpResponse:
    contract = contract_for_viewer(user=request.user, service_id=service_id)
    revision = contract.latest_revision
    diagnostics = annotate(revision.diagnostics if revision else [])
    submissions = getattr(contract, "submissions", None)
    data = revision.data if revision and isinstance(revision.data, dict) else {}
    return render(request, "contracts/detail.html", {
        "contract": contract,
        "revision": revision,
        "data": data,
        "offer": offer_fields(data),
        "diagnostics": diagnostics,
        "counts": severity_counts(diagnostics),
        "revision_count": contract.revisions.count(),
        "can_edit": contract.is_editable_by(request.user),
        "can_delete": contract.is_editable_by(request.user)
        and not (submissions is not None and submissions.exists()),
    })


@login_required
@require_GET
def history(request: HttpRequest, service_id: str) -> HttpResponse:
    contract = contract_for_viewer(user=request.user, service_id=service_id)
    revisions = list(contract.revisions.select_related("author").order_by("-number"))
    return render(request, "contracts/history.html",
                  {"contract": contract, "revisions": revisions,
                   "can_edit": contract.is_editable_by(request.user)})


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@login_required
@require_GET
def diff(request: HttpRequest, service_id: str) -> HttpResponse:
    contract = contract_for_viewer(user=request.user, service_id=service_id)
    numbers = list(contract.revisions.order_by("-number").values_list("number", flat=True))
    if not numbers:
        raise Http404("This contract has no revisions.")
    new_n = _number(request.GET.get("b")) or numbers[0]
    old_n = _number(request.GET.get("a"))
    if old_n is None:
        old_n = next((n for n in numbers if n < new_n), new_n)
    old = revision_of(contract=contract, number=old_n)
    new = revision_of(contract=contract, number=new_n)
    lines = text_diff(old.text, new.text)
    return render(request, "contracts/diff.html", {
        "contract": contract, "old": old, "new": new, "lines": lines, "numbers": numbers,
        "added": sum(1 for x in lines if x.kind == "add"),
        "removed": sum(1 for x in lines if x.kind == "del"),
    })


@login_required
@require_GET
def revision_yaml(request: HttpRequest, service_id: str, number: int) -> HttpResponse:
    contract = contract_for_viewer(user=request.user, service_id=service_id)
    revision = revision_of(contract=contract, number=number)
    response = HttpResponse(revision.text, content_type="text/yaml; charset=utf-8")
    filename = f"{contract.service_id}-r{revision.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, service_id: str) -> HttpResponse:
    contract = contract_for_viewer(user=request.user, service_id=service_id)
    if request.user.pk != contract.owner_id:
        raise PermissionDenied("Only the contract's owner can delete it.")
    error = ""
    if request.method == "POST":
        try:
            contract_delete(contract=contract, user=request.user)
        except ContractError as exc:
            error = exc.message
        else:
            messages.success(request, f"Contract {service_id} and its revisions were deleted.")
            return redirect(reverse("portal:dashboard"))
    return render(request, "contracts/delete.html", {"contract": contract, "error": error},
                  status=409 if error else 200)
