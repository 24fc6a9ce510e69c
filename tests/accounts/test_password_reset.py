import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from portal.models import ApiToken
from portal.tokens import token_create
from tests.accounts.conftest import link_to
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.django_db]

RESET = reverse("accounts:password_reset")
NEW = "quartz-meadow-ladder-77"


def ask_reset(client, email):
    return client.post(RESET, {"email": email})


@pytest.mark.smoke
def test_password_reset_end_to_end_from_the_email(anonymous, owner, mailoutbox):
    response = ask_reset(anonymous, "Owner@Example.com")
    assert response["Location"] == reverse("accounts:password_reset_done")
    [message] = mailoutbox
    assert message.to == ["owner@example.com"]
    assert "Reset your password" in message.subject
    path = link_to(message, "/accounts/password-reset/")
    form_page = anonymous.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = anonymous.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    assert "Your password is changed" in done.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    signed_in = Client().post(reverse("accounts:login"),
                              {"username": owner.email, "password": NEW})
    assert signed_in.status_code == 302
    reused = Client().get(path, follow=True)
    assert reused.context["validlink"] is False
    assert "This reset link is not valid" in reused.content.decode()


def test_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(anonymous, mailoutbox):
    response = ask_reset(anonymous, "nobody@example.com")
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_reset_emails_at_most_once_a_minute_per_account(anonymous, owner, mailoutbox):
    for _ in range(3):
        assert ask_reset(anonymous, owner.email).status_code == 302
    assert len(mailoutbox) == 1


def test_a_weak_new_password_is_refused(anonymous, owner, mailoutbox):
    ask_reset(anonymous, owner.email)
    form_page = anonymous.get(link_to(mailoutbox[0], "/accounts/password-reset/"), follow=True)
    response = anonymous.post(form_page.redirect_chain[-1][0],
                              {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_a_tampered_reset_link_is_refused(anonymous, owner, mailoutbox):
    ask_reset(anonymous, owner.email)
    path = link_to(mailoutbox[0], "/accounts/password-reset/")
    response = anonymous.get(path[:-4] + "abc/", follow=True)
    assert response.context["validlink"] is False


def test_resetting_the_password_lifts_a_lockout(anonymous, owner, mailoutbox, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anonymous.post(reverse("accounts:login"), {"username": owner.email, "password": "x"})
    assert AccessAttempt.objects.filter(username=owner.email).exists()
    ask_reset(anonymous, owner.email)
    form_page = anonymous.get(link_to(mailoutbox[0], "/accounts/password-reset/"), follow=True)
    anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    response = anonymous.post(reverse("accounts:login"), {"username": owner.email, "password": NEW})
    assert response.status_code == 302


def test_a_completed_reset_revokes_every_api_token_of_the_account(anonymous, owner,
                                                                   other_developer, mailoutbox):
    token_create(user=owner, name="laptop")
    token_create(user=owner, name="ci")
    token_create(user=other_developer, name="theirs")
    ask_reset(anonymous, owner.email)
    form_page = anonymous.get(link_to(mailoutbox[0], "/accounts/password-reset/"), follow=True)
    done = anonymous.post(form_page.redirect_chain[-1][0],
                          {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "Your API tokens were revoked" in done.content.decode()
    assert not ApiToken.objects.active().filter(user=owner).exists()
    assert ApiToken.objects.active().filter(user=other_developer).count() == 1


def test_a_reset_link_that_is_refused_revokes_nothing(anonymous, owner):
    token_create(user=owner, name="laptop")
    response = anonymous.post("/accounts/password-reset/MQ/set-password/",
                              {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "This reset link is not valid" in response.content.decode()
    assert ApiToken.objects.active().filter(user=owner).count() == 1
