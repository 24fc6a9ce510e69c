"""Template helpers for contract pages: safe links and invalid-field widgets."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html

register = template.Library()

_HTTPS = re.compile(r"^https://[^\s/?#@<>\"']+(?:[/?#][^\s<>\"']*)?$")


@register.filter
def https_link(value) -> str:
    """An https URL as a link (rel="nofollow noopener ugc"); anything else as escaped text."""
    if isinstance(value, str) and _HTTPS.match(value):
        return format_html('<a href="{}" rel="nofollow noopener ugc">{}</a>', value, value)
    return format_html("{}", "" if value is None else value)


@register.simple_tag
def field_widget(bound, invalid) -> str:
    """Render a bound field's widget, with aria-invalid when the validator flagged it."""
    attrs = {"aria-invalid": "true"} if invalid else {}
    return bound.as_widget(attrs=attrs)


_BADGES = {"error": "badge-error", "warning": "badge-warn", "info": "badge-info"}


@register.filter
def severity_badge(severity: str) -> str:
    return _BADGES.get(severity, "badge-muted")


@register.filter
def as_list(value) -> list:
    if isinstance(value, list):
        return value
    return [] if value in (None, "") else [value]
