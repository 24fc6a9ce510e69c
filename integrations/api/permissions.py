"""Permission classes for the API. Object visibility is a queryset matter (404), not a 403."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission, IsAuthenticated

from integrations.api.errors import AUTH_HELP

READ_ONLY_TOKEN = ("This token is read-only: it may read and validate or discover, not change "
                   "anything. Create a read-write token at /accounts/tokens/.")


class PublicEndpoint(AllowAny):
    """Anyone, signed in or not (throttled per client)."""


class SignedInDeveloper(IsAuthenticated):
    """A signed-in session or a valid ``Authorization: Bearer caio_...`` token."""

    message = AUTH_HELP


class TokenScopeAllows(BasePermission):
    """What a read-only token may do: GET, HEAD and OPTIONS, and POST to the views that only read
    (`read_like = True`: validate-contract, discover-services). Everything else takes a
    read-write token. A signed-in session is not limited. Every API view has this check
    (integrations.api.views.base.ApiViewMixin).

    `request.auth` is the token (portal.models.ApiToken); it is read by its `read_only`
    attribute, as integrations does not import portal."""

    message = READ_ONLY_TOKEN
    code = "read_only_token"

    def has_permission(self, request, view) -> bool:
        if not getattr(request.auth, "read_only", False):
            return True
        return request.method in SAFE_METHODS or getattr(view, "read_like", False)
