"""django-axes hooks: one lockout counter per account, whatever case the email was typed in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def normalise_login(value: object) -> str:
    return str(value or "").strip().lower()


def username_from_credentials(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the login from the credentials or the POSTed form, normalised."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_login(credentials.get(field) or credentials.get("email"))
    data = getattr(request, "data", None) or request.POST
    return normalise_login(data.get(field))
