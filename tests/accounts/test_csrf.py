"""Every account form refuses a POST without the CSRF token and accepts it with the token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import link_to
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def token_from(client, page) -> str:
    return TOKEN.search(client.get(page, follow=True).content.decode()).group(1)


FORMS = {
    # name: (page with the form, post url, data, signed in)
    "signup": ("accounts:signup", "accounts:signup",
               {"email": "n@example.com", "display_name": "N", "password": "orbit-lantern-42"},
               False),
    "login": ("accounts:login", "accounts:login",
              {"username": "csrf@example.com", "password": DEFAULT_PASSWORD}, False),
    "logout": ("accounts:logout", "accounts:logout", {}, True),
    "profile": ("accounts:profile", "accounts:profile", {"display_name": "Renamed"}, True),
    "email_change": ("accounts:profile", "accounts:email_change",
                     {"new_email": "moved@example.com", "current_password": DEFAULT_PASSWORD},
                     True),
    "password_change": ("accounts:password_change", "accounts:password_change",
                        {"old_password": DEFAULT_PASSWORD, "new_password1": "quartz-meadow-77",
                         "new_password2": "quartz-meadow-77"}, True),
    "verify_resend": ("portal:home", "accounts:verify_resend", {}, True),
    "password_reset": ("accounts:password_reset", "accounts:password_reset",
                       {"email": "csrf@example.com"}, False),
}


@pytest.fixture
def person(db):
    return UserFactory(email="csrf@example.com", display_name="Csrf", email_verified=False)


@pytest.mark.parametrize("name", FORMS)
def test_account_form_refuses_a_post_without_the_csrf_token(person, name):
    _page, url, data, signed_in = FORMS[name]
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(person)
    response = client.post(reverse(url), data)
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.display_name == "Csrf" and person.email == "csrf@example.com"


@pytest.mark.parametrize("name", FORMS)
def test_account_form_accepts_the_post_with_the_csrf_token(person, name):
    page, url, data, signed_in = FORMS[name]
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(person)
    token = token_from(client, reverse(page))
    response = client.post(reverse(url), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_password_reset_confirm_form_needs_the_csrf_token(person, mailoutbox):
    client = Client(enforce_csrf_checks=True)
    token = token_from(client, reverse("accounts:password_reset"))
    client.post(reverse("accounts:password_reset"),
                {"email": person.email, "csrfmiddlewaretoken": token})
    set_page = client.get(link_to(mailoutbox[0], "/accounts/password-reset/"), follow=True)
    set_url = set_page.redirect_chain[-1][0]
    data = {"new_password1": "quartz-meadow-77", "new_password2": "quartz-meadow-77"}
    assert client.post(set_url, data).status_code == 403
    token = TOKEN.search(set_page.content.decode()).group(1)
    assert client.post(set_url, {**data, "csrfmiddlewaretoken": token}).status_code == 302


def test_admin_login_needs_the_csrf_token(person):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": person.email,
                                         "password": DEFAULT_PASSWORD}).status_code == 403
