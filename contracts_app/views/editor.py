"""The editor: form and YAML tabs, live validation, conversion, upload, save with conflicts.

The contract's owner only: others get 404, staff 403 (they review contracts on the read-only
pages: detail, history, diff, download).
"""

from __future__ import annotations

from pathlib import PurePath

from caio_integration.contracts import text_diff
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from contracts_app.diagnostics import counts_phrase, severity_counts
from contracts_app.forms import ContractForm
from contracts_app.selectors import contract_for_editor
from contracts_app.services import (
    ContractError,
    RevisionConflict,
    UploadError,
    check_text,
    contract_save_revision,
    normalize_text,
    starting_text,
    upload_text,
)
from contracts_app.views.common import (
    annotate,
    editor_context,
    error_slots,
    form_for_text,
    rate_limited,
)
from contracts_app.yaml_form import YamlFormError, apply_values, values_from_text


def _wants_json(request: HttpRequest) -> bool:
    """Upload only: editor.js asks for JSON; the no-JS upload form gets the editor page."""
    return "application/json" in request.headers.get("Accept", "")


def _base_number(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("base_number", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _submitted_text(request: HttpRequest, mode: str) -> tuple[str, str]:
    """The contract text a POST stands for: the YAML tab's text, with the form applied when the
    form tab was in use. Returns (text, why the form could not be applied or "")."""
    text = normalize_text(request.POST.get("text", ""))
    if mode != "form":
        return text, ""
    form = ContractForm(request.POST)
    try:
        shown = values_from_text(text).get("capabilities") or []
        return apply_values(text, form.values(shown_capabilities=shown)), ""
    except YamlFormError as exc:
        return text, exc.message


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, service_id: str) -> HttpResponse:
    contract = contract_for_editor(user=request.user, service_id=service_id)
    latest = contract.latest_revision
    if request.method == "GET":
        text = latest.text if latest else ""
        notice = ""
        start = request.GET.get("start")
        if start:
            try:
                text = starting_text(template=start, service_id=contract.service_id)
                notice = (f"Loaded {start} into the editor. Nothing is saved until you save.")
            except KeyError:
                notice = f"There is no template or example called '{start}'."
        verdict = check_text(text=text, service_id=contract.service_id)
        mode = "yaml" if request.GET.get("mode") == "yaml" or start else "form"
        context = editor_context(contract=contract, text=text,
                                 base_number=latest.number if latest else None,
                                 diagnostics=verdict.diagnostics, notice=notice, mode=mode,
                                 latest=latest, dirty=bool(start))
        return render(request, "contracts/edit.html", context)

    action, _, mode = request.POST.get("action", "save:yaml").partition(":")
    mode = "form" if mode == "form" else "yaml"
    base_number = _base_number(request)
    text, form_problem = _submitted_text(request, mode)
    verdict = check_text(text=text, service_id=contract.service_id)
    status = 200
    extra: dict = {"latest": latest, "form_problem": form_problem, "dirty": True}
    if form_problem:
        status = 400
    elif action == "save":
        try:
            result = contract_save_revision(contract=contract, text=text, author=request.user,
                                            base_number=base_number)
        except RevisionConflict as exc:
            status = 409
            theirs = exc.latest.text if exc.latest else ""
            extra.update(conflict=exc.message, conflict_lines=text_diff(theirs, text),
                         conflict_revision=exc.latest)
            # Saving again is a deliberate choice to put this text after the newer revision.
            base_number = exc.latest.number if exc.latest else None
        except ContractError as exc:
            status = 400
            extra["save_error"] = exc.message
        else:
            revision = result.revision
            if not result.created:
                messages.info(request, f"No changes since revision {revision.number}; "
                                       "nothing new was saved.")
            elif revision.is_valid:
                messages.success(request, f"Saved revision {revision.number}. It is valid.")
            else:
                errors = severity_counts(revision.diagnostics)["error"]
                messages.warning(request, f"Saved revision {revision.number} as a draft with "
                                          f"{errors} error{'s' if errors != 1 else ''} to fix.")
            url = reverse("contracts:edit", kwargs={"service_id": contract.service_id})
            return redirect(f"{url}?saved={revision.number}&mode={mode}")
    context = editor_context(contract=contract, text=text, base_number=base_number,
                             diagnostics=verdict.diagnostics, mode=mode, **extra)
    return render(request, "contracts/edit.html", context, status=status)


@login_required
@require_POST
def validate(request: HttpRequest, service_id: str) -> HttpResponse:
    """Live validation (htmx): the diagnostics of the posted text (or form), as the problem
    list's fragment with each form field's error slot swapped out of band."""
    contract = contract_for_editor(user=request.user, service_id=service_id)
    if rate_limited(request, "validate"):
        message = ("Live checking is paused for a few seconds: too many checks in a short "
                   "time. Your text is safe.")
        response = render(request, "contracts/_diagnostics.html", {"paused": message},
                          status=429)
        response["Retry-After"] = "5"
        return response
    mode = "form" if request.POST.get("mode") == "form" else "yaml"
    text, form_problem = _submitted_text(request, mode)
    verdict = check_text(text=text, service_id=contract.service_id)
    return render(request, "contracts/_diagnostics.html", {
        "diagnostics": annotate(verdict.diagnostics), "counts": severity_counts(verdict.diagnostics),
        "checked": True, "form_problem": form_problem,
        "error_slots": error_slots(verdict.diagnostics) if mode == "form" else None,
    })


@login_required
@require_POST
def convert(request: HttpRequest, service_id: str) -> JsonResponse:
    """Switching tabs: form -> YAML text (to=yaml), or YAML -> the form's HTML (to=form)."""
    contract = contract_for_editor(user=request.user, service_id=service_id)
    if request.POST.get("to") == "yaml":
        text, problem = _submitted_text(request, "form")
        if problem:
            return JsonResponse({"ok": False, "error": problem}, status=422)
        return JsonResponse({"ok": True, "text": text})
    text = normalize_text(request.POST.get("text", ""))
    verdict = check_text(text=text, service_id=contract.service_id)
    form, problem = form_for_text(text, verdict.diagnostics)
    if form is None:
        return JsonResponse({"ok": False, "error": problem}, status=422)
    html = render_to_string("contracts/_form_fields.html", {"form": form}, request=request)
    return JsonResponse({"ok": True, "html": html})


def _read_upload(upload) -> tuple[str | None, str]:
    """The uploaded file's text, or (None, a message saying what is wrong with it)."""
    if upload is None:
        return None, "Choose a .yaml or .yml file to upload."
    try:
        return upload_text(upload), ""
    except UploadError as exc:
        return None, exc.message


@login_required
@require_POST
def upload(request: HttpRequest, service_id: str) -> HttpResponse:
    """A .yaml/.yml file fills the YAML tab and is validated at once (nothing is saved)."""
    contract = contract_for_editor(user=request.user, service_id=service_id)
    text, problem = _read_upload(request.FILES.get("file"))
    latest = contract.latest_revision
    base_number = _base_number(request) or (latest.number if latest else None)
    if text is None:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": problem}, status=400)
        current = latest.text if latest else ""
        verdict = check_text(text=current, service_id=contract.service_id)
        context = editor_context(contract=contract, text=current, base_number=base_number,
                                 diagnostics=verdict.diagnostics, mode="yaml",
                                 upload_error=problem, latest=latest)
        return render(request, "contracts/edit.html", context, status=400)
    verdict = check_text(text=text, service_id=contract.service_id)
    name = PurePath(request.FILES["file"].name).name
    notice = (f"Loaded {name} into the YAML tab: {counts_phrase(severity_counts(verdict.diagnostics))}"
              ". Nothing is saved until you save.")
    if _wants_json(request):
        html = render_to_string("contracts/_diagnostics.html", {
            "diagnostics": annotate(verdict.diagnostics), "counts": severity_counts(verdict.diagnostics),
            "checked": True}, request=request)
        return JsonResponse({"ok": True, "text": text, "message": notice,
                             "diagnostics_html": html, "valid": verdict.valid})
    context = editor_context(contract=contract, text=text, base_number=base_number,
                             diagnostics=verdict.diagnostics, mode="yaml", notice=notice,
                             latest=latest, dirty=True)
    return render(request, "contracts/edit.html", context)
