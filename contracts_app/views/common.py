"""Helpers the contract views share: rate limits, diagnostics for templates, the editor context."""

from __future__ import annotations

import time
from typing import Any

from caio_integration.contracts import CURRENCIES
from django.conf import settings
from django.core.cache import cache

from contracts_app.diagnostics import severity_counts
from contracts_app.forms import ContractForm
from contracts_app.selectors import starters
from contracts_app.yaml_form import YamlFormError, field_for_pointer, form_fields, values_from_text


def rate_limited(request, scope: str) -> bool:
    """Count one request of ``scope`` for this session; True when over the limit."""
    limit, window = settings.EDITOR_VALIDATE_RATE
    ident = request.session.session_key or f"user-{request.user.pk}"
    key = f"contracts:rate:{scope}:{ident}:{int(time.time() // window)}"
    if cache.add(key, 1, window + 1):
        return 1 > limit
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        count = 1
    return count > limit


def annotate(diagnostics: list[dict]) -> list[dict[str, Any]]:
    """Diagnostics with the form field each belongs to (for the jump links)."""
    out = []
    for d in diagnostics:
        field = field_for_pointer(d.get("path"))
        name = field.name if field else ""
        anchor = ""
        if field is not None:
            anchor = "id_capabilities_0" if field.spec.key == "capabilities" else f"id_{name}"
        out.append({**d, "field": name, "anchor": anchor})
    return out


def error_slots(diagnostics: list[dict]) -> list[tuple[str, list[dict]]]:
    """(field name, its messages) for every form field, so a live check clears fixed ones."""
    slots: dict[str, list[dict]] = {f.name: [] for f in form_fields()}
    for d in diagnostics:
        field = field_for_pointer(d.get("path"))
        if field is not None:
            slots[field.name].append(d)
    return list(slots.items())


def form_for_text(text: str, diagnostics: list[dict]) -> tuple[ContractForm | None, str]:
    """The contract form showing ``text``, or (None, why not) when the text has no form view."""
    try:
        values = values_from_text(text)
    except YamlFormError as exc:
        return None, exc.message
    return ContractForm.from_values(values, diagnostics=diagnostics), ""


def editor_context(*, contract, text: str, base_number: int | None, diagnostics: list[dict],
                   mode: str = "form", **extra: Any) -> dict[str, Any]:
    form, form_error = form_for_text(text, diagnostics)
    if form is None:
        mode = "yaml"
    return {
        "contract": contract,
        "text": text,
        "base_number": base_number,
        "form": form,
        "form_error": form_error,
        "mode": mode,
        "diagnostics": annotate(diagnostics),
        "counts": severity_counts(diagnostics),
        "checked": True,
        "starters": starters(),
        "currencies": sorted(CURRENCIES),
        **extra,
    }
