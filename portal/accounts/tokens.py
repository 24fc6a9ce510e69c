"""Signed, expiring email links: "the account `user_id` owns the address `email`".

One kind of link serves both the first verification and an email change. The token records the
account's email when it was issued (`current`) and the address to confirm (`email`): it only
works while the account still has that email, so a used change link, or any link issued before a
later change, stops working. Tokens are URL-safe (`django.core.signing`, base64 and colons).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "portal.accounts.email-confirmation"


class LinkExpired(Exception):
    """The signature is good but older than EMAIL_VERIFICATION_MAX_AGE."""


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


def email_token_make(*, user_id: int, email: str, current: str,
                     signer: signing.TimestampSigner | None = None) -> str:
    signer = signer or signing.TimestampSigner(salt=SALT)
    return signer.sign_object({"u": user_id, "e": email, "c": current}, compress=True)


def email_token_read(*, token: str, max_age: int | None = None) -> EmailClaim:
    """The claim in `token`, or LinkExpired / LinkInvalid."""
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE if max_age is None else max_age
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise LinkInvalid from None
    try:
        return EmailClaim(user_id=int(payload["u"]), email=str(payload["e"]),
                          current=str(payload["c"]))
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None
