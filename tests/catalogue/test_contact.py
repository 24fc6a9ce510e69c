"""A contract's contact email is "shown in the catalogue", as its help says: on the service page
(a mailto: link) and in the API's service detail."""

from __future__ import annotations

import pytest

from tests.catalogue.factories import publish

pytestmark = pytest.mark.django_db


def test_the_service_page_links_the_contact_email(anonymous, owner):
    publish("mail-me", owner=owner, contact="support@mail-me.example")
    html = anonymous.get("/services/mail-me/").content.decode()
    assert '<a href="mailto:support@mail-me.example">support@mail-me.example</a>' in html


def test_a_service_without_a_contact_says_so(anonymous, owner):
    publish("no-mail", owner=owner)
    html = anonymous.get("/services/no-mail/").content.decode()
    assert "Contact: <span class=\"muted\">not given</span>" in html
    assert "mailto:" not in html


def test_a_malformed_contact_is_shown_escaped_and_not_linked(anonymous, owner):
    publish("odd-mail", owner=owner, contact='x"><script>alert(1)</script>@odd.example')
    html = anonymous.get("/services/odd-mail/").content.decode()
    assert "<script>alert(1)" not in html and "mailto:" not in html
    assert "&lt;script&gt;" in html


def test_the_api_service_detail_gives_the_contact(anonymous, owner):
    publish("mail-me", owner=owner, contact="support@mail-me.example")
    publish("no-mail", owner=owner)
    detail = anonymous.get("/api/v1/services/mail-me/").json()
    assert detail["current_version"]["contact"] == "support@mail-me.example"
    assert anonymous.get("/api/v1/services/no-mail/").json()["current_version"]["contact"] == ""
