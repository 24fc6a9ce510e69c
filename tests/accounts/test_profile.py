import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.models import ApiToken
from portal.tokens import token_create
from tests.accounts.conftest import link_to
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.django_db]

User = get_user_model()
PROFILE = reverse("accounts:profile")
EMAIL_CHANGE = reverse("accounts:email_change")
PASSWORD_CHANGE = reverse("accounts:password_change")


def change_email(client, new_email, password=DEFAULT_PASSWORD, **kwargs):
    return client.post(EMAIL_CHANGE, {"new_email": new_email, "current_password": password},
                       **kwargs)


@pytest.mark.smoke
def test_profile_shows_the_users_own_email_and_display_name(owner_client):
    body = owner_client.get(PROFILE).content.decode()
    assert "owner@example.com" in body
    assert 'value="Olivia Owner"' in body


@pytest.mark.parametrize("url", [PROFILE, PASSWORD_CHANGE])
def test_anonymous_visitor_is_sent_to_sign_in_from_profile_pages(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_visitor_cannot_change_an_email(anonymous, owner):
    response = change_email(anonymous, "x@example.com")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.smoke
def test_user_changes_their_display_name(owner_client, owner):
    response = owner_client.post(PROFILE, {"display_name": "  Olivia   O. "}, follow=True)
    assert "Your display name is saved." in response.content.decode()
    owner.refresh_from_db()
    assert owner.display_name == "Olivia O."


def test_a_new_display_name_shows_on_the_owners_catalogue_entries(owner_client, owner, anonymous):
    from integrations.catalogue.publishing import catalogue_publish_revision
    from tests.factories import ContractFactory, ContractRevisionFactory

    revision = ContractRevisionFactory(contract=ContractFactory(owner=owner))
    catalogue_publish_revision(contract=revision.contract, revision=revision)
    owner_client.post(PROFILE, {"display_name": "Olivia Renamed"})
    page = anonymous.get(reverse("catalogue:list"), {"owner": "Olivia Renamed"})
    assert revision.contract.service_id in page.content.decode()


def test_a_display_name_with_an_email_is_refused_and_the_typed_value_kept(owner_client, owner):
    response = owner_client.post(PROFILE, {"display_name": "olivia@example.com"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot contain" in body
    assert 'value="olivia@example.com"' in body
    assert "Signed in as</span> <strong>Olivia Owner" in body
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"


@pytest.mark.smoke
def test_email_change_keeps_the_old_address_until_the_new_one_is_confirmed(
        owner_client, owner, mailoutbox):
    response = change_email(owner_client, "Olivia.New@Example.com", follow=True)
    assert "We sent a confirmation link to olivia.new@example.com" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.email, owner.email_verified) == ("owner@example.com", True)
    [message] = mailoutbox
    assert message.to == ["olivia.new@example.com"]
    confirmed = owner_client.get(link_to(message, "/accounts/verify/"), follow=True)
    assert "now your login" in confirmed.content.decode()
    owner.refresh_from_db()
    assert (owner.email, owner.email_verified) == ("olivia.new@example.com", True)
    assert mailoutbox[-1].to == ["owner@example.com"]
    assert "changed to olivia.new@example.com" in mailoutbox[-1].body
    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": "olivia.new@example.com",
                                           "password": DEFAULT_PASSWORD})
    assert int(fresh.session["_auth_user_id"]) == owner.pk


def test_an_email_change_link_works_once(owner_client, owner, mailoutbox):
    change_email(owner_client, "second@example.com")
    path = link_to(mailoutbox[0], "/accounts/verify/")
    assert Client().get(path).status_code == 200
    again = Client().get(path)
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()


def test_an_older_change_link_stops_working_after_another_change(owner_client, owner, mailoutbox):
    change_email(owner_client, "first@example.com")
    first = link_to(mailoutbox[0], "/accounts/verify/")
    cache.delete(f"accounts:email-change:{owner.pk}")  # a minute later
    change_email(owner_client, "second@example.com")
    assert Client().get(link_to(mailoutbox[1], "/accounts/verify/")).status_code == 200
    assert Client().get(first).status_code == 400
    owner.refresh_from_db()
    assert owner.email == "second@example.com"


def test_changing_to_a_taken_email_looks_the_same_and_tells_that_addresss_owner(
        owner_client, owner, other_developer, mailoutbox):
    response = change_email(owner_client, "OTHER@example.com", follow=True)
    assert "We sent a confirmation link to other@example.com" in response.content.decode()
    [message] = mailoutbox
    assert message.to == ["other@example.com"]
    assert "already belongs to your account" in message.body
    assert "/accounts/verify/" not in message.body
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


def test_a_change_link_for_an_address_taken_meanwhile_is_refused(owner_client, owner, mailoutbox):
    change_email(owner_client, "wanted@example.com")
    path = link_to(mailoutbox[0], "/accounts/verify/")
    User.objects.create_user("wanted@example.com", "pw-xyz-123456", display_name="Quick")
    response = Client().get(path)
    assert response.status_code == 400
    assert "already in use" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


@pytest.mark.parametrize("data, expected", [
    ({"new_email": "x@example.com", "current_password": "wrong"}, "current password is not"),
    ({"new_email": "owner@example.com", "current_password": DEFAULT_PASSWORD}, "already your"),
    ({"new_email": "nope", "current_password": DEFAULT_PASSWORD}, "valid email address"),
])
def test_email_change_errors_are_shown_on_the_profile(owner_client, owner, mailoutbox, data,
                                                      expected):
    response = owner_client.post(EMAIL_CHANGE, data)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert mailoutbox == []


def test_email_change_asks_to_wait_a_minute_between_requests(owner_client, mailoutbox):
    change_email(owner_client, "a@example.com")
    response = change_email(owner_client, "b@example.com", follow=True)
    assert "less than a minute ago" in response.content.decode()
    assert len(mailoutbox) == 1


def test_wrong_current_passwords_on_the_profile_count_toward_the_lockout(
        owner_client, owner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        change_email(owner_client, "x@example.com", password="guess")
    response = Client().post(reverse("accounts:login"),
                             {"username": owner.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429


@pytest.mark.smoke
def test_user_changes_their_password_and_stays_signed_in(owner_client, owner):
    response = owner_client.post(PASSWORD_CHANGE, {
        "old_password": DEFAULT_PASSWORD, "new_password1": "quartz-meadow-ladder-77",
        "new_password2": "quartz-meadow-ladder-77"}, follow=True)
    assert response.redirect_chain[-1][0] == PROFILE
    assert "Your password is changed" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("quartz-meadow-ladder-77")
    assert int(owner_client.session["_auth_user_id"]) == owner.pk


@pytest.mark.parametrize("data, expected", [
    ({"old_password": "wrong", "new_password1": "quartz-meadow-ladder-77",
      "new_password2": "quartz-meadow-ladder-77"}, "old password was entered incorrectly"),
    ({"old_password": DEFAULT_PASSWORD, "new_password1": "quartz-meadow-ladder-77",
      "new_password2": "something-else-99"}, "didn"),
    ({"old_password": DEFAULT_PASSWORD, "new_password1": "abc", "new_password2": "abc"},
     "too short"),
])
def test_password_change_errors_are_shown(owner_client, owner, data, expected):
    response = owner_client.post(PASSWORD_CHANGE, data)
    assert response.status_code == 200
    assert expected in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def change_password(client, **extra):
    return client.post(PASSWORD_CHANGE, {
        "old_password": DEFAULT_PASSWORD, "new_password1": "quartz-meadow-ladder-77",
        "new_password2": "quartz-meadow-ladder-77", **extra}, follow=True)


def test_a_password_change_keeps_api_tokens_unless_asked(owner_client, owner):
    token_create(user=owner, name="ci")
    page = owner_client.get(PASSWORD_CHANGE).content.decode()
    assert "Also revoke my API tokens" in page
    assert 'type="checkbox" name="revoke_tokens"' in page and "checked" not in page
    response = change_password(owner_client)
    assert "revoked" not in response.content.decode()
    assert ApiToken.objects.active().filter(user=owner).count() == 1


def test_a_password_change_with_the_box_ticked_revokes_the_accounts_tokens(owner_client, owner,
                                                                          other_developer):
    token_create(user=owner, name="ci")
    token_create(user=owner, name="laptop")
    token_create(user=other_developer, name="theirs")
    response = change_password(owner_client, revoke_tokens="on")
    assert "2 API tokens revoked" in response.content.decode()
    assert not ApiToken.objects.active().filter(user=owner).exists()
    assert ApiToken.objects.active().filter(user=other_developer).count() == 1


def test_a_refused_password_change_revokes_nothing_even_with_the_box_ticked(owner_client, owner):
    token_create(user=owner, name="ci")
    response = change_password(owner_client, old_password="wrong", revoke_tokens="on")
    assert "old password was entered incorrectly" in response.content.decode()
    assert ApiToken.objects.active().filter(user=owner).count() == 1
