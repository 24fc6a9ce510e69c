"""Account business logic: sign-up, email verification and change, profile, unlock.

Plain keyword-only functions; views, forms and admin actions stay thin and call these.
Emails are sent by a Celery task (portal/accounts/mail.py), never inside the request.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction

from portal.accounts.axes import normalise_login
from portal.accounts.mail import (  # noqa: F401 - absolute_url and the link are used by callers
    absolute_url,
    account_email_queue,
    email_confirmation_link,
    link_lifetime_days,
)
from portal.accounts.tokens import LinkExpired, LinkInvalid, email_token_read
from portal.tokens import tokens_revoke_all

logger = logging.getLogger(__name__)

# "Send again": at most one email a minute and five a day per account.
RESEND_INTERVAL_SECONDS = 60
RESEND_DAILY_LIMIT = 5
# Someone signing up with an address that has an account: tell its owner at most every 10 min.
DUPLICATE_NOTICE_INTERVAL_SECONDS = 600
# Sign-ups (each sends an email) per client IP address per hour.
SIGNUPS_PER_IP_PER_HOUR = 10


def normalise_email(email: str) -> str:
    return normalise_login(email)


# --- Sign-up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignupResult:
    user: object | None  # the new account, or None when the address already had one
    email_sent: bool  # the email was handed to the workers


def signup_allowed(*, client_ip: str | None) -> bool:
    """Count one sign-up attempt from `client_ip`; False once it made SIGNUPS_PER_IP_PER_HOUR.

    Independent of the address typed, so it tells nothing about who has an account."""
    key = f"accounts:signup-ip:{client_ip or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= SIGNUPS_PER_IP_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        return True


def user_signup(*, email: str, password: str, display_name: str) -> SignupResult:
    """Create an unverified account and have its verification link emailed.

    When the address already has an account, nothing is created; its owner gets an email saying
    so, with sign-in and password-reset links. The caller shows the same page either way, so the
    form cannot tell anyone who has an account. Validate the password before calling.
    """
    User = get_user_model()
    email = normalise_email(email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password, display_name=display_name.strip())
        except IntegrityError:  # a concurrent sign-up with the same address won the race
            existing = User.objects.filter(email__iexact=email).first()
        else:
            return SignupResult(user=user, email_sent=email_verification_send(user=user))
    # Spend the same time hashing as a real sign-up, so timing does not tell either.
    make_password(password)
    sent = False
    if existing is not None and existing.is_active and cache.add(
        f"accounts:dup-signup:{existing.pk}", 1, DUPLICATE_NOTICE_INTERVAL_SECONDS
    ):
        sent = account_email_queue(kind="signup_duplicate", user_id=existing.pk)
    return SignupResult(user=None, email_sent=sent)


# --- Verification ---------------------------------------------------------------------------


def email_verification_send(*, user) -> bool:
    """Have `user` emailed a link confirming their current address."""
    return account_email_queue(kind="verify", user_id=user.pk)


class ResendOutcome(enum.Enum):
    SENT = "sent"
    ALREADY_VERIFIED = "already_verified"
    TOO_SOON = "too_soon"
    DAILY_LIMIT = "daily_limit"
    FAILED = "failed"

    @property
    def message(self) -> str:
        return {
            ResendOutcome.SENT: "We sent a new confirmation link. Check your inbox (and spam).",
            ResendOutcome.ALREADY_VERIFIED: "Your email address is already confirmed.",
            ResendOutcome.TOO_SOON: (f"We just sent a link. You can ask again in "
                                     f"{RESEND_INTERVAL_SECONDS} seconds."),
            ResendOutcome.DAILY_LIMIT: (f"You have asked for {RESEND_DAILY_LIMIT} links today, the "
                                        "daily limit. Use one of them, or try again tomorrow."),
            ResendOutcome.FAILED: ("We could not send the email just now. Please try again in a "
                                   "few minutes."),  # the task could not be queued
        }[self]


def email_verification_resend(*, user) -> ResendOutcome:
    """The "send again" button: rate-limited to one a minute and RESEND_DAILY_LIMIT a day."""
    if user.email_verified:
        return ResendOutcome.ALREADY_VERIFIED
    if not cache.add(f"accounts:resend:{user.pk}:recent", 1, RESEND_INTERVAL_SECONDS):
        return ResendOutcome.TOO_SOON
    day_key = f"accounts:resend:{user.pk}:day"
    cache.add(day_key, 0, 24 * 3600)
    try:
        count = cache.incr(day_key)
    except ValueError:  # expired between add and incr
        cache.set(day_key, 1, 24 * 3600)
        count = 1
    if count > RESEND_DAILY_LIMIT:
        return ResendOutcome.DAILY_LIMIT
    return ResendOutcome.SENT if email_verification_send(user=user) else ResendOutcome.FAILED


class VerifyOutcome(enum.Enum):
    VERIFIED = "verified"  # first confirmation of the account's address
    CHANGED = "changed"  # an email change confirmed: the account now uses the new address
    ALREADY = "already"  # the address was already confirmed
    EXPIRED = "expired"
    INVALID = "invalid"  # tampered, unknown account, or issued before a later email change
    TAKEN = "taken"  # the new address got an account of its own in the meantime


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    user: object | None = None


def email_verify(*, token: str) -> VerifyResult:
    """Apply a confirmation link: mark the address verified, or switch to the new address."""
    try:
        claim = email_token_read(token=token)
    except LinkExpired:
        return VerifyResult(VerifyOutcome.EXPIRED)
    except LinkInvalid:
        return VerifyResult(VerifyOutcome.INVALID)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
        if user is None or user.email.lower() != claim.current.lower():
            if user is not None and user.email.lower() == claim.email.lower():
                return VerifyResult(VerifyOutcome.ALREADY, user)  # a change link used twice
            return VerifyResult(VerifyOutcome.INVALID)
        if not claim.is_change:
            if user.email_verified:
                return VerifyResult(VerifyOutcome.ALREADY, user)
            User.objects.filter(pk=user.pk).update(email_verified=True)
            user.email_verified = True
            return VerifyResult(VerifyOutcome.VERIFIED, user)
        if User.objects.filter(email__iexact=claim.email).exclude(pk=user.pk).exists():
            return VerifyResult(VerifyOutcome.TAKEN, user)
        old_email = user.email
        user.email = claim.email
        user.email_verified = True
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "email_verified"])
        except IntegrityError:
            return VerifyResult(VerifyOutcome.TAKEN, user)
    account_email_queue(kind="email_changed", user_id=user.pk, old_email=old_email)
    return VerifyResult(VerifyOutcome.CHANGED, user)


# --- Profile --------------------------------------------------------------------------------


def profile_update(*, user, display_name: str):
    """Change the public display name, and the owner name shown in the catalogue with it."""
    from integrations.catalogue.publishing import catalogue_refresh_owner

    user.display_name = display_name.strip()
    with transaction.atomic():
        user.save(update_fields=["display_name"])
        catalogue_refresh_owner(user=user)
    return user


def email_change(*, user, new_email: str) -> bool:
    """Start an email change: the account keeps its current (verified) address until the link
    sent to `new_email` is followed. If `new_email` already belongs to another account, its
    owner is told instead; the person asking sees the same message either way.

    Returns False, sending nothing, when the account asked less than a minute ago."""
    if not cache.add(f"accounts:email-change:{user.pk}", 1, RESEND_INTERVAL_SECONDS):
        return False
    User = get_user_model()
    new_email = normalise_email(new_email)
    other = User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).first()
    if other is not None:
        if cache.add(f"accounts:dup-change:{other.pk}", 1, DUPLICATE_NOTICE_INTERVAL_SECONDS):
            account_email_queue(kind="email_change_taken", user_id=other.pk)
        return True
    account_email_queue(kind="email_change", user_id=user.pk, new_email=new_email)
    return True


# --- Passwords -------------------------------------------------------------------------------


def password_changed(*, user, revoke_tokens: bool) -> int:
    """After a password change: revoke the account's API tokens when asked. Returns how many."""
    return tokens_revoke_all(user=user) if revoke_tokens else 0


def password_reset_request(*, email: str) -> bool:
    """Have a reset link emailed to the accounts at `email`, if any. The task looks the address
    up, so the form answers the same, in the same time, whoever asks (portal/accounts/mail.py)."""
    return account_email_queue(kind="password_reset", email=normalise_email(email))


def password_reset_completed(*, user) -> int:
    """After a password reset: whoever read the mailbox chose the password, so the account's API
    tokens are revoked (they may be someone else's) and its sign-in lockout lifted (an old
    lockout no longer protects anything). Returns how many tokens were revoked."""
    login_unlock(email=user.email)
    return tokens_revoke_all(user=user)


# --- Sign-in lockout ------------------------------------------------------------------------


def login_unlock(*, email: str) -> int:
    """Clear django-axes' failed sign-ins for this login (every IP). Returns attempts removed."""
    from axes.utils import reset

    return reset(username=normalise_login(email))
