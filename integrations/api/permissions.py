"""Permission classes for the API. Object visibility is a queryset matter (404), not a 403."""

from __future__ import annotations

from rest_framework.permissions import AllowAny, IsAuthenticated

from integrations.api.errors import AUTH_HELP


class PublicEndpoint(AllowAny):
    """Anyone, signed in or not (throttled per client)."""


class SignedInDeveloper(IsAuthenticated):
    """A signed-in session or a valid ``Authorization: Bearer caio_...`` token."""

    message = AUTH_HELP
