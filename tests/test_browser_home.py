import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_from_the_home_page_and_lands_on_the_catalogue(page):
    page.goto("/")
    assert page.get_by_role("heading", name="Connect your AI service to CAIO").is_visible()
    page.get_by_label("Search services").fill("translation")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/services/?q=translation")
    assert page.get_by_role("heading", name="Services", exact=True).is_visible()
    assert page.get_by_label("Search", exact=True).input_value() == "translation"
