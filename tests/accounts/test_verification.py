import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts import services
from portal.accounts.services import RESEND_DAILY_LIMIT, ResendOutcome
from portal.accounts.tokens import email_token_make
from portal.models import EmailConfirmation
from portal.tasks import account_email
from tests.accounts.conftest import link_to
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

User = get_user_model()


@pytest.fixture
def unverified(db):
    return UserFactory(email="fresh@example.com", display_name="Fresh Face", email_verified=False)


@pytest.fixture
def unverified_client(unverified) -> Client:
    client = Client()
    client.force_login(unverified)
    return client


def verify_path(user, **kwargs) -> str:
    return services.email_confirmation_link(user=user, **kwargs).removeprefix("http://testserver")


@pytest.mark.smoke
def test_following_the_link_from_signup_verifies_and_signs_in_the_same_browser(
        anonymous, mailoutbox):
    anonymous.post(reverse("accounts:signup"), {
        "email": "new@example.com", "password": "orbit-lantern-velvet-42", "display_name": "N"})
    response = anonymous.get(link_to(mailoutbox[0], "/accounts/verify/"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    user = User.objects.get(email="new@example.com")
    assert user.email_verified is True
    assert int(anonymous.session["_auth_user_id"]) == user.pk


def test_the_link_opened_in_another_browser_verifies_without_signing_in(unverified):
    other_browser = Client()
    response = other_browser.get(verify_path(unverified))
    assert response.status_code == 200
    assert "Email address confirmed" in response.content.decode()
    assert "_auth_user_id" not in other_browser.session
    unverified.refresh_from_db()
    assert unverified.email_verified is True


def test_following_the_link_twice_says_already_confirmed(unverified):
    path = verify_path(unverified)
    Client().get(path)
    response = Client().get(path)
    assert response.status_code == 200
    assert "already confirmed" in response.content.decode()


def test_an_expired_link_is_refused_with_a_way_forward(unverified, settings):
    token = email_token_make(user_id=unverified.pk, email=unverified.email,
                             current=unverified.email)
    EmailConfirmation.objects.update(created_at=timezone.now() - timedelta(
        seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 60))
    response = Client().get(reverse("accounts:verify", kwargs={"token": token}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "This link has expired" in body
    assert "Send again" in body
    unverified.refresh_from_db()
    assert unverified.email_verified is False


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-3],
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: "x" + t,
    lambda t: "garbage",
    lambda t: "x" * 101,
])
def test_a_tampered_link_is_refused(unverified, mangle):
    response = Client().get(reverse("accounts:verify", kwargs={"token": mangle(
        verify_path(unverified).split("/")[-2])}))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    unverified.refresh_from_db()
    assert unverified.email_verified is False


def test_a_link_of_the_old_signed_kind_is_refused(unverified):
    """Before opaque tokens, links were signed JSON holding the address in readable base64."""
    token = signing.TimestampSigner(salt="portal.accounts.email-confirmation").sign_object(
        {"u": unverified.pk, "e": unverified.email, "c": unverified.email}, compress=True)
    response = Client().get(reverse("accounts:verify", kwargs={"token": token}))
    assert response.status_code == 400
    unverified.refresh_from_db()
    assert unverified.email_verified is False


def test_the_link_carries_an_opaque_token_not_the_address(unverified, mailoutbox):
    services.email_verification_send(user=unverified)
    path = link_to(mailoutbox[0], "/accounts/verify/")
    token = path.split("/")[-2]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert path == f"/accounts/verify/{token}/"
    decoded = base64.urlsafe_b64decode(token + "=")  # what the old links gave away
    assert b"fresh" not in decoded.lower() and b"example" not in decoded.lower()
    assert "fresh" not in path.lower() and "example" not in path.lower()
    assert Client().get(path).status_code == 200


def test_only_a_hash_of_the_token_is_stored(unverified):
    token = services.email_confirmation_link(user=unverified).split("/")[-2]
    stored = EmailConfirmation.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(EmailConfirmation.objects.values().first())


def test_two_links_for_one_account_are_different_and_both_work(unverified):
    first, second = verify_path(unverified), verify_path(unverified)
    assert first != second
    assert Client().get(second).status_code == 200
    assert "already confirmed" in Client().get(first).content.decode()


def test_expired_links_are_pruned_when_a_new_one_is_made(unverified, settings):
    verify_path(unverified)
    EmailConfirmation.objects.update(created_at=timezone.now() - timedelta(
        seconds=settings.EMAIL_VERIFICATION_MAX_AGE + 1))
    verify_path(unverified)
    assert EmailConfirmation.objects.count() == 1


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(unverified):
    path = verify_path(unverified)
    User.objects.filter(pk=unverified.pk).update(email="moved@example.com")
    response = Client().get(path)
    assert response.status_code == 400
    assert User.objects.get(pk=unverified.pk).email_verified is False


@pytest.mark.smoke
def test_unverified_user_sees_the_banner_and_a_verified_one_does_not(
        unverified_client, owner_client):
    assert "Send again" in unverified_client.get(reverse("portal:home")).content.decode()
    assert "Send again" not in owner_client.get(reverse("portal:home")).content.decode()


def test_send_again_emails_a_new_link_then_asks_to_wait(unverified_client, unverified, mailoutbox):
    url = reverse("accounts:verify_resend")
    first = unverified_client.post(url, {"next": "/?from=banner"}, follow=True)
    assert first.redirect_chain[-1][0] == "/?from=banner"
    assert "We sent a new confirmation link" in first.content.decode()
    assert len(mailoutbox) == 1
    second = unverified_client.post(url, follow=True)
    assert "You can ask again in 60 seconds" in second.content.decode()
    assert len(mailoutbox) == 1
    assert Client().get(link_to(mailoutbox[0], "/accounts/verify/")).status_code == 200
    unverified.refresh_from_db()
    assert unverified.email_verified is True


def test_send_again_ignores_an_offsite_next(unverified_client):
    response = unverified_client.post(reverse("accounts:verify_resend"),
                                      {"next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:dashboard")


def test_send_again_stops_at_the_daily_limit(unverified, mailoutbox):
    outcomes = []
    for _ in range(RESEND_DAILY_LIMIT + 1):
        services.cache.delete(f"accounts:resend:{unverified.pk}:recent")  # the minute has passed
        outcomes.append(services.email_verification_resend(user=unverified))
    assert outcomes == [ResendOutcome.SENT] * RESEND_DAILY_LIMIT + [ResendOutcome.DAILY_LIMIT]
    assert len(mailoutbox) == RESEND_DAILY_LIMIT
    assert "daily limit" in ResendOutcome.DAILY_LIMIT.message


def test_send_again_by_htmx_replaces_the_banner_with_the_outcome(unverified_client):
    url = reverse("accounts:verify_resend")
    response = unverified_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="verify-banner"' in response.content.decode()
    assert "We sent a new confirmation link" in response.content.decode()
    again = unverified_client.post(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert "You can ask again" in again.content.decode()
    assert 'class="resend-too_soon"' in again.content.decode()


def test_send_again_for_a_verified_account_sends_nothing(owner_client, mailoutbox):
    response = owner_client.post(reverse("accounts:verify_resend"), follow=True)
    assert "already confirmed" in response.content.decode()
    assert mailoutbox == []


def test_send_again_needs_a_signed_in_user(anonymous):
    response = anonymous.post(reverse("accounts:verify_resend"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_send_again_refuses_get(unverified_client):
    assert unverified_client.get(reverse("accounts:verify_resend")).status_code == 405


def test_a_mail_server_failure_never_reaches_the_request_and_the_task_tries_again(
        unverified_client, unverified, settings, caplog):
    """Under eager Celery (tests/conftest.py) the retries run at once, one after the other."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    response = unverified_client.post(reverse("accounts:verify_resend"), follow=True)
    assert response.status_code == 200
    assert "We sent a new confirmation link" in response.content.decode()
    caplog.clear()
    with caplog.at_level("INFO", logger="celery.app.trace"):
        result = account_email.apply(kwargs={"kind": "verify", "user_id": unverified.pk})
    assert result.state == "FAILURE"
    retries = [r for r in caplog.records if "retry: Retry in" in r.getMessage()]
    assert len(retries) == account_email.max_retries


def test_a_hostile_token_is_refused_not_a_500(db):
    response = Client().get(f"/accounts/verify/{'%C3%A9' * 5}/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


@pytest.mark.parametrize("token", ["abc%00def", "a" * 43 + "%00"])
def test_a_token_with_a_nul_is_a_404_from_the_nul_guard(db, token):
    response = Client().get(f"/accounts/verify/{token}/")
    assert response.status_code == 404
