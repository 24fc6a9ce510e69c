"""A NUL in the catalogue's URLs: a 404 for a path, a plain 400 page for a query string, never a
500 (portal/nul_guard.py). CI runs these on PostgreSQL too."""

from __future__ import annotations

import pytest

from tests.support.errors import nul_page

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.mark.parametrize(("path", "field"), [
    ("/services/compare/?ids=%00,x", "ids"),
    ("/services/compare/?ids=fast-translate&ids=%00", "ids"),
    ("/services/?q=%00", "q"),
    ("/services/?capability=translation%00", "capability"),
    ("/services/?page=%00", "page"),
])
def test_a_nul_in_a_catalogue_query_string_is_a_400_page(anonymous, catalogue, path, field):
    nul_page(anonymous.get(path), field)


@pytest.mark.parametrize("path", ["/services/x/%00.yaml", "/services/%00/",
                                  "/services/fast-translate/1.0.0%00.yaml"])
def test_a_nul_in_a_catalogue_path_is_a_404(anonymous, catalogue, path):
    response = anonymous.get(path)
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
