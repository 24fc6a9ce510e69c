"""Every page has an icon: /favicon.ico answers, and the portal's and the admin's pages link one."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_an_icon_not_a_404(anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header: reserved 0, type 1 (icon)
    assert "max-age=86400" in response["Cache-Control"]


def _icon_links(html: str) -> list[str]:
    return re.findall(r'<link rel="icon" href="([^"]+)"', html)


def _assert_links_resolve(client, links: list[str]) -> None:
    assert links, "no <link rel=\"icon\">"
    for href in links:
        if href.startswith("/static/"):
            assert finders.find(href.removeprefix("/static/")), href
        else:
            assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("name", ["portal:home", "catalogue:list", "accounts:login"])
def test_portal_pages_link_an_icon_that_exists(anonymous, name):
    html = anonymous.get(reverse(name)).content.decode()
    _assert_links_resolve(anonymous, _icon_links(html))


def test_admin_pages_link_the_icon_too(reviewer_client):
    for url in (reverse("admin:index"), reverse("admin:integrations_submission_changelist")):
        html = reviewer_client.get(url).content.decode()
        _assert_links_resolve(reviewer_client, _icon_links(html))
