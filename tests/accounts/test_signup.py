import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_to

pytestmark = [pytest.mark.django_db]

User = get_user_model()
STRONG = "orbit-lantern-velvet-42"


def signup(client, email="new@example.com", password=STRONG, display_name="New Dev"):
    return client.post(reverse("accounts:signup"),
                       {"email": email, "password": password, "display_name": display_name})


@pytest.mark.smoke
def test_signup_creates_an_unverified_account_and_emails_a_verification_link(
        anonymous, mailoutbox):
    response = signup(anonymous, email="New@Example.COM ")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="new@example.com")
    assert user.display_name == "New Dev"
    assert user.email_verified is False
    assert user.check_password(STRONG)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.com"]
    assert link_to(mailoutbox[0], "/accounts/verify/")


def test_signup_does_not_sign_the_new_account_in(anonymous):
    signup(anonymous)
    assert "_auth_user_id" not in anonymous.session


def test_signup_page_explains_the_fields(anonymous):
    body = anonymous.get(reverse("accounts:signup")).content.decode()
    for label in ("Email", "Display name", "Password", "Create account"):
        assert label in body


@pytest.mark.smoke
def test_signup_with_an_existing_email_looks_the_same_and_tells_only_the_owner(
        anonymous, owner, mailoutbox):
    fresh = signup(anonymous, email="someone-new@example.com")
    mailoutbox.clear()
    dup = signup(Client(), email="OWNER@example.com", display_name="Impostor")
    assert dup.status_code == fresh.status_code == 302
    assert dup["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"
    assert owner.check_password("correct-horse-battery-staple")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["owner@example.com"]
    assert "tried to create" in message.body
    reset_path = link_to(message, "/accounts/password-reset/")
    assert Client().get(reset_path, follow=True).context["validlink"] is True


def test_repeated_duplicate_signups_email_the_owner_once_per_ten_minutes(
        anonymous, owner, mailoutbox):
    for _ in range(3):
        assert signup(anonymous, email=owner.email).status_code == 302
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("password, expected", [
    ("short", "too short"),
    ("password123", "too common"),
    ("4815162342001", "entirely numeric"),
    ("new@example.com", "too similar"),
])
def test_signup_refuses_a_weak_password_and_keeps_what_was_typed(anonymous, password, expected):
    response = signup(anonymous, password=password)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert 'value="new@example.com"' in body
    assert 'value="New Dev"' in body
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("display_name, expected", [
    ("", "This field is required"),
    ("me@example.com", "cannot contain"),
    ("x" * 61, "60 characters"),
])
def test_signup_refuses_a_bad_display_name(anonymous, display_name, expected):
    response = signup(anonymous, display_name=display_name)
    assert response.status_code == 400
    assert expected in response.content.decode()


def test_signup_refuses_a_malformed_email(anonymous):
    response = signup(anonymous, email="not-an-email")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_signed_in_user_is_sent_from_signup_to_the_dashboard(owner_client):
    response = owner_client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_sign_ups_from_one_address_are_limited_per_hour(anonymous, mailoutbox):
    from portal.accounts.services import SIGNUPS_PER_IP_PER_HOUR

    for i in range(SIGNUPS_PER_IP_PER_HOUR):
        assert signup(anonymous, email=f"bulk{i}@example.com").status_code == 302
    refused = signup(anonymous, email="one-more@example.com")
    assert refused.status_code == 429
    assert "Too many sign-ups from your network" in refused.content.decode()
    assert not User.objects.filter(email="one-more@example.com").exists()
    assert len(mailoutbox) == SIGNUPS_PER_IP_PER_HOUR


def test_verification_email_does_not_repeat_text_the_signer_chose(anonymous, mailoutbox):
    signup(anonymous, display_name="Visit evil dot example now")
    assert "evil" not in mailoutbox[0].body
