import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from portal.demo import DEMO_ACCOUNTS

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

User = get_user_model()


def test_no_demo_account_exists_unless_asked_for():
    emails = [account.email for account in DEMO_ACCOUNTS]
    assert not User.objects.filter(email__in=emails).exists()


def test_demo_accounts_command_creates_a_verified_developer_and_a_staff_reviewer(capsys):
    call_command("demo_accounts")
    out = capsys.readouterr().out
    developer = User.objects.get(email="developer@demo.caio.local")
    reviewer = User.objects.get(email="reviewer@demo.caio.local")
    assert developer.email_verified and not developer.is_staff
    assert reviewer.email_verified and reviewer.is_staff and not reviewer.is_superuser
    for account in DEMO_ACCOUNTS:
        assert f"{account.email} / {account.password}" in out
        client = Client()
        response = client.post("/accounts/login/", {"username": account.email,
                                                     "password": account.password})
        assert response.status_code == 302


def test_demo_accounts_command_is_idempotent_and_keeps_a_changed_password():
    call_command("demo_accounts")
    developer = User.objects.get(email="developer@demo.caio.local")
    developer.set_password("changed-by-the-user-99")
    developer.save()
    call_command("demo_accounts")
    assert User.objects.filter(email__endswith="@demo.caio.local").count() == 2
    developer.refresh_from_db()
    assert developer.check_password("changed-by-the-user-99")


def test_the_demo_reviewer_can_open_the_admin():
    call_command("demo_accounts")
    client = Client()
    client.post("/admin/login/", {"username": "reviewer@demo.caio.local",
                                  "password": "demo-reviewer-2026"})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/portal/user/").status_code == 200
