import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db]

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client, email, password=DEFAULT_PASSWORD, url=LOGIN):
    return client.post(url, {"username": email, "password": password})


def fail(client, email, times, url=LOGIN):
    for _ in range(times):
        response = sign_in(client, email, "not-the-password", url=url)
        assert response.status_code in (200, 429)
    return response


@pytest.mark.smoke
def test_sign_in_with_email_and_password_goes_to_the_dashboard(anonymous, owner):
    response = sign_in(anonymous, "Owner@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert int(anonymous.session["_auth_user_id"]) == owner.pk


def test_sign_in_follows_a_safe_next_and_ignores_an_offsite_one(anonymous, owner):
    ok = anonymous.post(LOGIN, {"username": owner.email, "password": DEFAULT_PASSWORD,
                                "next": "/?next=1"})
    assert ok["Location"] == "/?next=1"
    other = Client()
    evil = other.post(LOGIN, {"username": owner.email, "password": DEFAULT_PASSWORD,
                              "next": "https://evil.example/"})
    assert evil["Location"] == reverse("portal:dashboard")


@pytest.mark.smoke
def test_session_key_changes_at_sign_in(anonymous, owner):
    session = anonymous.session  # a session that exists before sign-in (e.g. a planted one)
    session["planted"] = "by an attacker"
    session.save()
    before = anonymous.cookies["sessionid"].value
    assert before == session.session_key
    sign_in(anonymous, owner.email)
    after = anonymous.cookies["sessionid"].value
    assert after and after != before
    assert int(anonymous.session["_auth_user_id"]) == owner.pk


def test_a_wrong_password_gets_a_clear_message_that_does_not_say_whether_the_account_exists(
        anonymous, owner):
    wrong_password = sign_in(anonymous, owner.email, "nope")
    no_account = sign_in(anonymous, "nobody@example.com", "nope")
    assert wrong_password.status_code == no_account.status_code == 200
    message = "That email and password do not match an account"
    assert message in wrong_password.content.decode()
    assert message in no_account.content.decode()
    assert 'value="owner@example.com"' in wrong_password.content.decode()


def test_a_disabled_account_cannot_sign_in(anonymous):
    UserFactory(email="gone@example.com", is_active=False)
    response = sign_in(anonymous, "gone@example.com")
    assert response.status_code == 200
    assert "_auth_user_id" not in anonymous.session


@pytest.mark.smoke
def test_repeated_failures_lock_the_account_and_refuse_even_the_correct_password(
        anonymous, owner, settings):
    response = fail(anonymous, owner.email, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    locked = sign_in(anonymous, owner.email)
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "even the correct password is refused" in body
    assert "15 minutes" in body
    assert "_auth_user_id" not in anonymous.session


def test_lockout_counts_an_email_in_any_case_as_one_account(anonymous, owner, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(anonymous, owner.email.upper() if i % 2 else f" {owner.email}", "wrong")
    assert sign_in(anonymous, owner.email).status_code == 429


def test_failures_below_the_limit_do_not_lock_and_success_resets_them(anonymous, owner, settings):
    fail(anonymous, owner.email, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(anonymous, owner.email).status_code == 302
    assert not AccessAttempt.objects.filter(username=owner.email).exists()


def test_admin_login_is_locked_out_too(reviewer, settings):
    client = Client()
    fail(client, reviewer.email, settings.AXES_FAILURE_LIMIT, url=ADMIN_LOGIN)
    response = sign_in(client, reviewer.email, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_staff_unlock_a_locked_account_from_the_user_admin(anonymous, owner, reviewer_client,
                                                           settings):
    fail(anonymous, owner.email, settings.AXES_FAILURE_LIMIT)
    assert sign_in(anonymous, owner.email).status_code == 429
    changelist = reverse("admin:portal_user_changelist")
    page = reviewer_client.get(changelist)
    assert page.status_code == 200
    assert "owner@example.com" in page.content.decode()  # staff see emails
    response = reviewer_client.post(changelist, {
        "action": "unlock_sign_in", "_selected_action": [owner.pk]}, follow=True)
    assert "Unlocked 1 account(s)" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=owner.email).exists()
    assert sign_in(anonymous, owner.email).status_code == 302


def test_a_developer_cannot_reach_the_user_admin_or_unlock(other_client, owner, anonymous,
                                                           settings):
    fail(anonymous, owner.email, settings.AXES_FAILURE_LIMIT)
    changelist = reverse("admin:portal_user_changelist")
    assert other_client.get(changelist).status_code == 302  # to the admin login
    other_client.post(changelist, {"action": "unlock_sign_in", "_selected_action": [owner.pk]})
    assert AccessAttempt.objects.filter(username=owner.email).exists()
    assert sign_in(anonymous, owner.email).status_code == 429


def test_a_staff_reviewer_may_view_but_not_edit_accounts(reviewer_client, owner):
    change = reverse("admin:portal_user_change", args=[owner.pk])
    assert reviewer_client.get(change).status_code == 200
    reviewer_client.post(change, {"email": "hijack@example.com", "display_name": "x"})
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


@pytest.mark.smoke
def test_sign_out_is_by_post_and_a_get_only_shows_the_button(owner_client):
    page = owner_client.get(reverse("accounts:logout"))
    assert page.status_code == 200
    assert "Sign out" in page.content.decode()
    assert "_auth_user_id" in owner_client.session
    response = owner_client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "You are signed out." in response.content.decode()
    assert "_auth_user_id" not in owner_client.session


def test_signed_in_visitor_of_the_sign_in_page_goes_to_the_dashboard(owner_client):
    response = owner_client.get(LOGIN)
    assert response.status_code == 302


def test_navigation_shows_who_is_signed_in_and_their_links(owner_client, reviewer_client,
                                                           anonymous):
    body = owner_client.get("/").content.decode()
    assert "Olivia Owner" in body
    for path in (reverse("portal:dashboard"), reverse("accounts:profile"),
                 reverse("accounts:logout")):
        assert f'"{path}"' in body
    assert reverse("admin:index") not in body
    assert f'"{reverse("admin:index")}"' in reviewer_client.get("/").content.decode()
    public = anonymous.get("/").content.decode()
    assert f'"{reverse("accounts:login")}"' in public
    assert f'"{reverse("accounts:signup")}"' in public
    assert reverse("accounts:profile") not in public


def test_a_superuser_adds_an_account_in_the_admin_with_a_normalised_email(db):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root@example.com", "root-pass-123",
                                                           display_name="Root")
    client = Client()
    client.force_login(admin_user)
    response = client.post(reverse("admin:portal_user_add"), {
        "email": "Added@Example.com", "display_name": "Added", "password1": "quartz-meadow-77",
        "password2": "quartz-meadow-77"})
    assert response.status_code == 302, response.content.decode()[:2000]
    added = get_user_model().objects.get(email="added@example.com")
    assert added.check_password("quartz-meadow-77")
    assert sign_in(Client(), "ADDED@example.com", "quartz-meadow-77").status_code == 302
