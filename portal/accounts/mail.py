"""Account emails, sent by a Celery task, never inside the request.

A request asks for an email with `account_email_queue(kind=..., <ids>)`: the task
`portal.account_email` (portal/tasks.py) takes the kind, an account's id and at most an address,
renders the email and sends it, retrying with backoff when the mail server fails. So a slow SMTP
server never slows a page, and the password-reset form answers the same, in the same time,
whether or not the address has an account: the task looks the address up.

The request sends the task at once, by name: the account rows the task reads were committed by
the services' own atomic blocks before (the views are not atomic). In tests Celery runs the task
eagerly (tests/conftest.py), so `mail.outbox` gets the email at once; under `make run` the
worker prints it on the console.

Emails are plain text rendered from templates/accounts/email/ (and Django's registration/ for
the reset) with absolute links on SITE_URL.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.accounts.tokens import email_token_make

logger = logging.getLogger(__name__)

TASK = "portal.account_email"
# A reset email at most once a minute per account, however often the form is sent.
PASSWORD_RESET_INTERVAL_SECONDS = 60


def account_email_queue(*, kind: str, **data) -> bool:
    """Ask the workers to send the `kind` email (see `EMAILS`). False when the broker refused
    the task (nothing will be sent); the caller says so."""
    if kind not in EMAILS:
        raise ValueError(f"unknown account email {kind!r}")
    try:
        current_app.signature(TASK, kwargs={"kind": kind, **data}).apply_async()
    except Exception:  # noqa: BLE001 - a broker outage must not turn a sign-up into a 500
        logger.exception("could not queue the %r email", kind)
        return False
    return True


# --- what the task does -----------------------------------------------------------------------

def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def link_lifetime_days() -> int:
    return max(1, round(settings.EMAIL_VERIFICATION_MAX_AGE / 86400))


def email_confirmation_link(*, user, email: str | None = None) -> str:
    """The absolute link confirming that `user` owns `email` (default: their current email)."""
    token = email_token_make(user_id=user.pk, email=email or user.email, current=user.email)
    return absolute_url(reverse("accounts:verify", kwargs={"token": token}))


def password_reset_link(*, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:password_reset_confirm",
                                kwargs={"uidb64": uid, "token": token}))


def _deliver(*, to: str, subject: str, template: str, context: dict) -> None:
    """Render and send one plain-text email; a mail server failure raises (the task retries)."""
    body = render_to_string(template, {"site_url": settings.SITE_URL, **context})
    send_mail(f"[CAIO] {subject}", body, None, [to])


def _user(user_id: int):
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _verify(*, user_id: int) -> int:
    user = _user(user_id)
    if user is None or user.email_verified:
        return 0
    _deliver(to=user.email, subject="Confirm your email address",
             template="accounts/email/verify.txt",
             context={"user": user, "link": email_confirmation_link(user=user),
                      "max_age_days": link_lifetime_days()})
    return 1


def _signup_duplicate(*, user_id: int) -> int:
    user = _user(user_id)
    if user is None:
        return 0
    _deliver(to=user.email, subject="Someone tried to sign up with your email",
             template="accounts/email/signup_duplicate.txt",
             context={"user": user, "login_url": absolute_url(reverse("accounts:login")),
                      "reset_url": password_reset_link(user=user)})
    return 1


def _email_changed(*, user_id: int, old_email: str) -> int:
    user = _user(user_id)
    if user is None:
        return 0
    _deliver(to=old_email, subject="Your email address was changed",
             template="accounts/email/email_changed.txt",
             context={"user": user, "new_email": user.email})
    return 1


def _email_change(*, user_id: int, new_email: str) -> int:
    user = _user(user_id)
    if user is None:
        return 0
    _deliver(to=new_email, subject="Confirm your new email address",
             template="accounts/email/email_change.txt",
             context={"user": user, "link": email_confirmation_link(user=user, email=new_email),
                      "max_age_days": link_lifetime_days()})
    return 1


def _email_change_taken(*, user_id: int) -> int:
    user = _user(user_id)
    if user is None:
        return 0
    _deliver(to=user.email, subject="Someone tried to use your email address",
             template="accounts/email/email_change_taken.txt", context={"user": user})
    return 1


def _password_reset(*, email: str) -> int:
    """A reset link to each active account with a usable password at `email` (Django's rule),
    at most once a minute per account. Nothing for an unknown address: only this task knows."""
    sent = 0
    for user in PasswordResetForm().get_users(email):
        key = f"accounts:reset:{user.pk}"
        if not cache.add(key, 1, PASSWORD_RESET_INTERVAL_SECONDS):
            continue
        context = {"user": user, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                   "token": default_token_generator.make_token(user)}
        subject = render_to_string("registration/password_reset_subject.txt", context).strip()
        try:
            _deliver(to=user.email, subject=subject.removeprefix("[CAIO] "),
                     template="registration/password_reset_email.txt", context=context)
        except Exception:
            cache.delete(key)  # not sent: the retry must not be taken for a second request
            raise
        sent += 1
    return sent


EMAILS = {
    "verify": _verify,
    "signup_duplicate": _signup_duplicate,
    "email_changed": _email_changed,
    "email_change": _email_change,
    "email_change_taken": _email_change_taken,
    "password_reset": _password_reset,
}


def account_email_deliver(*, kind: str, **data) -> int:
    """The task's work: send the `kind` email. Returns how many were sent."""
    return EMAILS[kind](**data)
