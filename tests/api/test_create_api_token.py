"""manage.py create_api_token: a token for scripts and CI, alone on stdout."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import ApiToken
from portal.tokens import MAX_ACTIVE_TOKENS, token_create, token_hash

pytestmark = pytest.mark.django_db


def create(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.smoke
def test_the_command_prints_only_a_working_token(owner):
    out, err = create("Owner@Example.com", "--name", "ci")
    token = out.strip()
    assert out == token + "\n" and token.startswith("caio_")
    assert "owner@example.com" in err and "'ci'" in err and token not in err
    stored = ApiToken.objects.get()
    assert (stored.user, stored.name, stored.token_hash) == (owner, "ci", token_hash(token))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me/").json()["token"]["name"] == "ci"


def test_an_unknown_email_is_a_clear_error_and_creates_nothing(owner):
    with pytest.raises(CommandError, match="No account has the email address 'nobody@x.org'"):
        create("nobody@x.org", "--name", "ci")
    assert not ApiToken.objects.exists()


def test_a_disabled_account_gets_no_token(owner):
    owner.is_active = False
    owner.save()
    with pytest.raises(CommandError, match="disabled"):
        create("owner@example.com", "--name", "ci")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("name", "message"), [("  ", "Give the token a name"),
                                               ("x" * 81, "at most 80 characters")])
def test_the_tokens_pages_name_rules_apply(owner, name, message):
    with pytest.raises(CommandError, match=message):
        create("owner@example.com", "--name", name)


def test_the_active_token_limit_applies(owner):
    for n in range(MAX_ACTIVE_TOKENS):
        token_create(user=owner, name=f"t{n}")
    with pytest.raises(CommandError, match="revoke one first"):
        create("owner@example.com", "--name", "one too many")


def test_a_name_is_required(owner):
    with pytest.raises(CommandError, match="--name"):
        create("owner@example.com")


def test_expires_days_and_read_only_make_a_limited_token(owner):
    out, err = create("owner@example.com", "--name", "ci", "--expires-days", "30", "--read-only")
    stored = ApiToken.objects.get()
    assert stored.scope == "read-only"
    assert timedelta(days=29, hours=23) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert "read-only" in err and f"expires {stored.expires_at:%Y-%m-%d}" in err
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.strip()}")
    assert client.get("/api/v1/me/").json()["token"]["scope"] == "read-only"


def test_without_options_the_token_is_read_write_and_never_expires(owner):
    _out, err = create("owner@example.com", "--name", "ci")
    stored = ApiToken.objects.get()
    assert (stored.scope, stored.expires_at) == ("read-write", None)
    assert "never expires" in err


@pytest.mark.parametrize("days", ["0", "-5", "4000"])
def test_an_expiry_outside_the_allowed_days_is_a_clear_error(owner, days):
    with pytest.raises(CommandError, match="1 to 3650 days"):
        create("owner@example.com", "--name", "ci", "--expires-days", days)
    assert not ApiToken.objects.exists()
