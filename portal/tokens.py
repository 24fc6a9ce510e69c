"""API tokens: create (the plaintext is shown once, only its SHA-256 hash is kept) and revoke."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import ApiToken

TOKEN_PREFIX = "caio_"
PREFIX_LENGTH = 12  # "caio_" and 7 random characters: enough to tell tokens apart, not to guess
MAX_ACTIVE_TOKENS = 20


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plaintext (never stored, shown once)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, such as the machine or CI job that uses it.")
    if len(name) > 80:
        raise TokenError("A token name has at most 80 characters.")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(plaintext),
                                    prefix=plaintext[:PREFIX_LENGTH])
    return token, plaintext


def token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke ``token`` (its owner only). Revoking twice is harmless."""
    if token.user_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the token's owner can revoke it.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
