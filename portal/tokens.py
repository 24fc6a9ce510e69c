"""API tokens: create (the plaintext is shown once, only its SHA-256 hash is kept) and revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import ApiToken, TokenScope

TOKEN_PREFIX = "caio_"
PREFIX_LENGTH = 12  # "caio_" and 7 random characters: enough to tell tokens apart, not to guess
MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 3650


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def token_expiry(*, days: int | None) -> datetime | None:
    """When a token made now for `days` days expires (None: never). Raises TokenError."""
    if days is None:
        return None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"A token expires after 1 to {MAX_EXPIRY_DAYS} days, or never.")
    return timezone.now() + timedelta(days=days)


def token_create(*, user, name: str, scope: str = TokenScope.READ_WRITE,
                 expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plaintext (never stored, shown once)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, such as the machine or CI job that uses it.")
    if len(name) > 80:
        raise TokenError("A token name has at most 80 characters.")
    if scope not in TokenScope.values:
        raise TokenError(f"A token's scope is {' or '.join(TokenScope.values)}.")
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError("A token's expiry must be in the future.")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(plaintext),
                                    prefix=plaintext[:PREFIX_LENGTH], scope=scope,
                                    expires_at=expires_at)
    return token, plaintext


def token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke ``token`` (its owner only). Revoking twice is harmless."""
    if token.user_id != getattr(user, "pk", None):
        raise PermissionDenied("Only the token's owner can revoke it.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def tokens_revoke_all(*, user) -> int:
    """Revoke every token of ``user`` not yet revoked (expired ones too). Returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
