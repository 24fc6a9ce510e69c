"""Pages: ?limit= (1 or more, at most 200) and ?offset= (0 or more), whole numbers or a 400."""

from __future__ import annotations

import pytest

from tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["offset=null", "limit=true", "limit=0", "limit=-1",
                                   "offset=-1", "offset=1.5", "limit=", "limit=%20%205"])
def test_a_page_bound_that_is_not_a_whole_number_is_400(anon_api, owner_api, query):
    for client, url in ((anon_api, "/api/v1/services/"), (owner_api, "/api/v1/contracts/"),
                        (owner_api, "/api/v1/submissions/")):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert response.json()["error"]["code"] == "invalid_input"


def test_large_page_bounds_are_clamped_not_refused(anon_api, owner):
    publish("my-svc", owner=owner)
    body = anon_api.get("/api/v1/services/?limit=100000&offset=" + "9" * 40).json()
    assert body["results"] == [] and body["count"] == 1
