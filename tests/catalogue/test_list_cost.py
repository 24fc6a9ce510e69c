"""The list's cheaper paths (one reverse() per page, shared choices) give what the plain ones
would: the same links, and forms that never share their state."""

import re

import pytest
from django.urls import reverse

from integrations.catalogue.forms import CatalogueFilterForm
from tests.catalogue.factories import publish

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_every_row_links_to_the_page_reverse_gives(anonymous):
    ids = ["svc-1", "a_b-c9", "x" * 63, "Mixed-Case_1"]
    for service_id in ids:
        publish(service_id)
    html = anonymous.get("/services/").content.decode()
    links = set(re.findall(r'<a href="(/services/[^"?]+/)">', html))
    assert links == {reverse("catalogue:detail", args=[service_id]) for service_id in ids}
    for service_id in ids:
        assert anonymous.get(reverse("catalogue:detail", args=[service_id])).status_code == 200


def test_forms_share_their_choices_but_not_their_fields():
    first = CatalogueFilterForm({"language": ["de"]})
    second = CatalogueFilterForm({"language": ["xx"]})
    assert first.is_valid() and not second.is_valid()
    assert first.fields["language"] is not second.fields["language"]
    assert first.fields["language"].choices == second.fields["language"].choices
    first.fields["language"].required = True
    assert not second.fields["language"].required
    assert "language" in second.errors and "language" not in first.errors


def test_the_api_links_every_service_where_reverse_does(anonymous):
    ids = ["svc-1", "a_b-c9", "Mixed-Case_1"]
    for service_id in ids:
        publish(service_id, capabilities=["translation"])
    listed = anonymous.get("/api/v1/services/").json()["results"]
    found = anonymous.post("/api/v1/integration/discover-services",
                           {"capabilities": ["translation"]},
                           content_type="application/json").json()["services"]
    for rows in (listed, found):
        assert {(r["url"], r["html_url"]) for r in rows} == {
            (reverse("api:service-detail", kwargs={"service_id": s}),
             reverse("catalogue:detail", kwargs={"service_id": s})) for s in ids}
