"""The developer's submission panel: a fragment the dashboard and contract page load with htmx,
and its actions (submit, cancel, deprecate, withdraw). Without JavaScript the same URLs work as
plain pages and forms that redirect back.

Only the contract's owner (and staff) see a panel; anyone else gets 404, and anonymous visitors
are sent to sign in. Submit, deprecate and withdraw are the owner's: staff get 403 (they review;
they deprecate or withdraw from the admin, with a reason). The views are thin: the pipeline's
services decide and record every step.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from contracts_app.models import Contract
from integrations.models import OperationKind
from integrations.review.selectors import (
    actor_name,
    build_panel,
    contract_service,
    latest_submission,
    submissions_summary,
    successor_for,
)


def _signed_in(view):
    """Like login_required, but an htmx request is redirected as a whole page, not swapped."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(f"{reverse('accounts:login')}?{urlencode({'next': back})}")
        return redirect_to_login(request.get_full_path())

    return wrapper


def _contract(request: HttpRequest, service_id: str) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(request.user), service_id=service_id)


def _own_contract(request: HttpRequest, service_id: str) -> Contract:
    """For the owner's actions: 404 to whoever may not see the contract, 403 to staff."""
    contract = _contract(request, service_id)
    if not contract.is_editable_by(request.user):
        raise PermissionDenied("Only the contract's owner can do this; staff review, and "
                               "deprecate or withdraw from the admin with a reason.")
    return contract


def _next_url(request: HttpRequest, contract: Contract) -> str:
    """Where a no-JS form goes back to: the page it came from when safe, else the panel page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse("integrations:panel", kwargs={"service_id": contract.service_id})


def _host_page(request: HttpRequest, contract: Contract) -> str:
    """The page the panel sits in (for no-JS forms' `next`)."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return _next_url(request, contract)


def _render_panel(request: HttpRequest, contract: Contract, *, error: str = "",
                  notice: str = "", status: int = 200) -> HttpResponse:
    panel = build_panel(contract=contract, user=request.user)
    context = {
        "panel": panel, "contract": contract, "error": error, "notice": notice,
        "next": _host_page(request, contract),
        "timeline": [(event, actor_name(event)) for event in panel.events],
    }
    template = "integrations/_panel.html" if request.htmx else "integrations/panel.html"
    context["include_css"] = _first_load(request)
    return render(request, template, context, status=status)


def _first_load(request: HttpRequest) -> bool:
    """True unless the panel replaces itself (polling or an action): then its CSS is loaded."""
    return not (request.htmx and request.htmx.target in ("submission-panel-body",
                                                          "submission-summary-body"))


def _after_action(request: HttpRequest, contract: Contract, *, error: str = "",
                  notice: str = "") -> HttpResponse:
    if request.htmx:
        return _render_panel(request, contract, error=error, notice=notice)
    from django.contrib import messages

    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return HttpResponseRedirect(_next_url(request, contract))


@require_GET
@_signed_in
def panel(request: HttpRequest, service_id: str) -> HttpResponse:
    return _render_panel(request, _contract(request, service_id))


@require_GET
@_signed_in
def summary(request: HttpRequest) -> HttpResponse:
    """The dashboard's fragment: where each of my contracts stands (polls while any moves)."""
    rows = submissions_summary(user=request.user)
    context = {"rows": rows, "polling": any(row.polling for row in rows),
               "include_css": _first_load(request)}
    template = "integrations/_summary.html" if request.htmx else "integrations/summary.html"
    return render(request, template, context)


@require_POST
@_signed_in
def submit(request: HttpRequest, service_id: str) -> HttpResponse:
    from integrations.pipeline.errors import PipelineError
    from integrations.pipeline.submissions import submission_create

    contract = _own_contract(request, service_id)
    latest = contract.latest_revision
    if latest is None:
        return _after_action(request, contract, error="Save a revision before you submit.")
    asked = request.POST.get("revision", "")
    if asked and asked != str(latest.number):
        return _after_action(request, contract, error=(
            f"Revision r{asked} is no longer the latest (r{latest.number} is). Review the latest "
            "revision, then submit it."))
    try:
        submission_create(contract=contract, revision=latest, user=request.user)
    except PipelineError as exc:
        return _after_action(request, contract, error=exc.message)
    return _after_action(request, contract, notice=f"Submitted r{latest.number} for registration.")


@require_POST
@_signed_in
def cancel(request: HttpRequest, service_id: str) -> HttpResponse:
    from integrations.pipeline.errors import PipelineError
    from integrations.pipeline.submissions import submission_cancel

    contract = _contract(request, service_id)
    submission = latest_submission(contract=contract)
    if submission is None or not submission.is_open:
        return _after_action(request, contract, error="There is no open submission to cancel.")
    try:
        submission_cancel(submission=submission, user=request.user)
    except PipelineError as exc:
        return _after_action(request, contract, error=exc.message)
    return _after_action(request, contract, notice="Submission cancelled.")


OPERATION_TEXT = {
    OperationKind.DEPRECATE: (
        "Deprecate",
        "The service stays registered and callable, but the catalogue marks it deprecated and "
        "points consumers to its successor, if you name one. You can register a new version "
        "later."),
    OperationKind.WITHDRAW: (
        "Withdraw",
        "The service is deregistered at the CAIO core and removed from the catalogue: "
        "consumers can no longer discover or call it. Its history stays here, and submitting "
        "a new version registers it again."),
}


def _operation(request: HttpRequest, service_id: str, kind: str) -> HttpResponse:
    """Deprecate or withdraw: GET asks for a confirmation (and, to deprecate, an optional
    successor); POST with the box ticked asks the pipeline for the operation. The panel and the
    catalogue's service page both lead here."""
    from integrations.pipeline.errors import PipelineError
    from integrations.pipeline.operations import operation_request

    contract = _own_contract(request, service_id)
    service = contract_service(contract=contract)
    if service is None:
        return _after_action(request, contract, error="This contract is not registered yet.")
    label, explanation = OPERATION_TEXT[kind]
    error = ""
    if request.method == "POST":
        successor = None
        successor_id = request.POST.get("successor", "").strip()
        if kind == OperationKind.DEPRECATE and successor_id:
            successor = successor_for(service=service, service_id=successor_id)
            if successor is None:
                error = (f"No registered service has the ID {successor_id!r}. Leave the field "
                         "empty to deprecate without a successor.")
        if not error and request.POST.get("confirm") != "yes":
            error = f"Tick the box to confirm that you want to {label.lower()} {service_id}."
        if not error:
            try:
                operation_request(service=service, kind=kind, user=request.user,
                                  successor=successor)
            except PipelineError as exc:
                return _after_action(request, contract, error=exc.message)
            return _after_action(request, contract,
                                 notice=f"{label} requested: a worker will do it in a moment.")
    context = {
        "contract": contract, "service": service, "kind": kind, "label": label,
        "explanation": explanation, "error": error,
        "successor": request.POST.get("successor") or request.GET.get("successor", ""),
        "next": _host_page(request, contract),
        "action": reverse(f"integrations:{kind}", kwargs={"service_id": service_id}),
        "panel_url": reverse("integrations:panel", kwargs={"service_id": service_id}),
    }
    template = "integrations/_confirm.html" if request.htmx else "integrations/confirm.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@_signed_in
def deprecate(request: HttpRequest, service_id: str) -> HttpResponse:
    return _operation(request, service_id, OperationKind.DEPRECATE)


@require_http_methods(["GET", "POST"])
@_signed_in
def withdraw(request: HttpRequest, service_id: str) -> HttpResponse:
    return _operation(request, service_id, OperationKind.WITHDRAW)
