"""A NUL in any field of the account pages' forms (sign-up, sign-in, profile, email and password
change, password reset, API tokens, the admin's sign-in): a plain 400 page naming the field,
never a 500, and nothing written (portal/nul_guard.py). CI runs these on PostgreSQL too.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from portal.models import ApiToken
from tests.factories import DEFAULT_PASSWORD
from tests.support.errors import nul_page

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

User = get_user_model()
STRONG = "orbit-lantern-velvet-42"
SIGNUP = {"email": "new@example.com", "password": STRONG, "display_name": "New Dev"}


@pytest.mark.parametrize("field", sorted(SIGNUP))
def test_a_sign_up_with_a_nul_in_any_field_creates_no_account(anonymous, mailoutbox, field):
    data = {**SIGNUP, field: SIGNUP[field] + "\x00"}
    nul_page(anonymous.post(reverse("accounts:signup"), data), field)
    assert not User.objects.filter(email__startswith="new").exists()
    assert not mailoutbox


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("field", ["username", "password"])
def test_a_sign_in_with_a_nul_is_refused_before_it_counts_as_an_attempt(owner, login_url,
                                                                       field):
    data = {"username": owner.email, "password": DEFAULT_PASSWORD}
    data[field] += "\x00"
    client = Client()
    nul_page(client.post(login_url, data), field)
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_profile_name_with_a_nul_is_refused(owner, owner_client):
    nul_page(owner_client.post(reverse("accounts:profile"), {"display_name": "Olivia\x00"}),
             "display_name")
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"


@pytest.mark.parametrize("field", ["new_email", "current_password"])
def test_an_email_change_with_a_nul_is_refused(owner, owner_client, mailoutbox, field):
    data = {"new_email": "olivia.new@example.com", "current_password": DEFAULT_PASSWORD}
    data[field] += "\x00"
    nul_page(owner_client.post(reverse("accounts:email_change"), data), field)
    owner.refresh_from_db()
    assert owner.email == "owner@example.com" and not mailoutbox


@pytest.mark.parametrize("field", ["old_password", "new_password1", "new_password2"])
def test_a_password_change_with_a_nul_is_refused(owner, owner_client, field):
    data = {"old_password": DEFAULT_PASSWORD, "new_password1": STRONG, "new_password2": STRONG}
    data[field] += "\x00"
    nul_page(owner_client.post(reverse("accounts:password_change"), data), field)
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_a_password_reset_for_an_address_with_a_nul_sends_nothing(owner, anonymous, mailoutbox):
    nul_page(anonymous.post(reverse("accounts:password_reset"), {"email": owner.email + "\x00"}),
             "email")
    assert not mailoutbox


def test_a_token_named_with_a_nul_is_not_created(owner, owner_client):
    nul_page(owner_client.post(reverse("tokens:list"), {"name": "laptop\x00"}), "name")
    assert not ApiToken.objects.exists()


def test_a_nul_in_an_account_pages_query_string_is_a_400_page(anonymous):
    nul_page(anonymous.get("/accounts/login/?next=%00"), "next")


@pytest.mark.parametrize("path", ["/accounts/verify/%00/", "/accounts/verify/a%00b/",
                                  "/accounts/tokens/%00/revoke/"])
def test_a_nul_in_an_account_pages_path_is_a_404(owner_client, path):
    assert owner_client.get(path).status_code == 404
