"""DRF authentication with personal API tokens: ``Authorization: Bearer caio_...``.

Only the token's SHA-256 hash is stored, so the lookup is by hash. An unknown, revoked or expired
token gets the one answer "Invalid token.", so the answer tells nothing about which; an inactive
user is refused. ``last_used_at`` is written at most once a minute per token. What a token's
scope allows is decided by the API's permissions (integrations/api/permissions.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal.models import ApiToken
from portal.tokens import token_hash

LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
INVALID = "Invalid token."


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Authorization: Bearer <token>'.")
        raw = parts[1]
        if len(raw) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            plaintext = raw.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        token = (ApiToken.objects.select_related("user")
                 .filter(token_hash=token_hash(plaintext)).first())
        if token is None or not token.is_active:  # unknown, revoked or expired: one answer
            raise exceptions.AuthenticationFailed(INVALID)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        self._touch(token)
        return token.user, token

    def _touch(self, token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
            return
        stale = now - LAST_USED_RESOLUTION
        # A conditional update: many concurrent requests write it once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)).update(last_used_at=now)
        token.last_used_at = now

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (caio_...) from /accounts/tokens/.",
        }
