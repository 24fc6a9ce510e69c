"""Expiring email links: "the account `user_id` owns the address `email`".

One kind of link serves both the first verification and an email change. The link carries an
opaque random token (`secrets.token_urlsafe`), so neither the address nor the account can be read
from it, in a mailbox, a browser history or an access log. The portal keeps only the token's
SHA-256, with what it confirms (portal.models.EmailConfirmation): the address to confirm
(`email`) and the account's email when the link was sent (`current`). It only works while the
account still has that email, so a used change link, or any link issued before a later change,
stops working; and for EMAIL_VERIFICATION_MAX_AGE seconds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal.models import EmailConfirmation
from portal.tokens import token_hash

MAX_TOKEN_LENGTH = 100


class LinkExpired(Exception):
    """The token is ours but older than EMAIL_VERIFICATION_MAX_AGE."""


class LinkInvalid(Exception):
    """Tampered, truncated or otherwise not one of ours."""


@dataclass(frozen=True)
class EmailClaim:
    user_id: int
    email: str  # the address being confirmed
    current: str  # the account's email when the link was issued

    @property
    def is_change(self) -> bool:
        return self.email != self.current


def email_token_make(*, user_id: int, email: str, current: str) -> str:
    """A new link token for the claim; links older than EMAIL_VERIFICATION_MAX_AGE are pruned."""
    now = timezone.now()
    EmailConfirmation.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE)).delete()
    token = secrets.token_urlsafe(32)
    EmailConfirmation.objects.create(user_id=user_id, email=email, current=current,
                                     token_hash=token_hash(token))
    return token


def email_token_read(*, token: str, max_age: int | None = None) -> EmailClaim:
    """The claim behind `token`, or LinkExpired / LinkInvalid."""
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE if max_age is None else max_age
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkInvalid
    row = EmailConfirmation.objects.filter(token_hash=token_hash(token)).first()
    if row is None:
        raise LinkInvalid
    if row.created_at < timezone.now() - timedelta(seconds=max_age):
        raise LinkExpired
    return EmailClaim(user_id=row.user_id, email=row.email, current=row.current)
