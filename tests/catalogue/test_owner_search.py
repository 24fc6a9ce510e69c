"""Owner matching: text search reads the owner's display name, and the owner filter takes any
part of it, ignoring case; the page and the API share the rule (catalogue/selectors.py)."""

import pytest

from portal.accounts.services import profile_update

pytestmark = [pytest.mark.django_db]

DANA = ["chat-bot", "euro-embed", "slow-translate"]


def page_ids(client, query: str) -> list[str]:
    return sorted(e.service_id for e in client.get(f"/services/?{query}").context["page"].object_list)


def api_ids(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/services/?{query}")
    assert response.status_code == 200, response.content
    return sorted(s["service_id"] for s in response.json()["results"])


@pytest.mark.smoke
def test_text_search_finds_services_by_their_owners_display_name(anonymous, catalogue):
    assert page_ids(anonymous, "q=dana") == DANA
    assert api_ids(anonymous, "q=dana") == DANA
    assert page_ids(anonymous, "q=olivia+translate") == ["fast-translate", "old-translate"]


def test_the_owner_filter_takes_any_part_of_the_name_ignoring_case(anonymous, catalogue):
    for value in ("Dana Data", "DANA", "ata", "dana data "):
        assert page_ids(anonymous, f"owner={value}") == DANA, value
        assert api_ids(anonymous, f"owner={value}") == DANA, value
    assert page_ids(anonymous, "owner=nobody") == []


def test_an_owners_email_is_never_searched(anonymous, catalogue):
    assert page_ids(anonymous, "q=example") == []
    assert page_ids(anonymous, "owner=example.com") == []


def test_after_a_rename_search_and_filter_find_the_new_name_only(anonymous, catalogue):
    dana = catalogue["chat-bot"].contract.owner
    profile_update(user=dana, display_name="Zed Zebra")
    assert page_ids(anonymous, "q=zebra") == DANA
    assert page_ids(anonymous, "owner=zeb") == DANA
    assert page_ids(anonymous, "q=dana") == []
    assert page_ids(anonymous, "owner=dana") == []


def test_hostile_owner_and_search_text_is_matched_literally(anonymous, catalogue):
    for value in ("%", "_", "\\", "'; --"):
        assert page_ids(anonymous, f"owner={value}") == [], value
        assert anonymous.get("/services/", {"q": value}).status_code == 200
    too_long = anonymous.get("/services/", {"owner": "a" * 500})
    assert too_long.status_code == 200 and "owner" in too_long.context["form"].errors
    assert anonymous.get("/api/v1/services/", {"owner": "a" * 500}).status_code == 400
