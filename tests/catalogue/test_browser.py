import pytest

from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_filters_opens_a_service_and_downloads_its_yaml(page):
    owner = make_owner("lang@example.com", "Lingua Labs")
    publish("lingua-translate", owner=owner, name="Lingua Translate",
            description="Translation for German and French.", capabilities=["translation"],
            languages=["de", "fr"], p95_ms=90, accuracy=0.97, per_request=0.001)
    publish("lingua-slow", owner=owner, name="Lingua Slow", description="Translation, slowly.",
            capabilities=["translation"], languages=["de"], p95_ms=2000, per_request=0.0001)
    publish("other-chat", owner=owner, name="Other Chat", capabilities=["chat_completion"])

    page.goto("/services/")
    page.get_by_role("searchbox", name="Search").fill("translation")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/services/?q=translation*")
    assert page.get_by_role("link", name="Other Chat").count() == 0
    page.get_by_label("Max p95 latency (ms)").fill("100")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**max_p95=100*")
    assert page.get_by_role("link", name="Lingua Slow").count() == 0
    page.get_by_role("link", name="Lingua Translate").click()
    page.wait_for_url("**/services/lingua-translate/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lingua Translate")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download YAML").click()
    download = info.value
    assert download.suggested_filename == "lingua-translate-1.0.0.yaml"
    text = open(download.path(), encoding="utf-8").read()
    assert "service_id: lingua-translate" in text
    page.go_back()
    page.wait_for_url("**max_p95=100*")
    assert page.get_by_label("Max p95 latency (ms)").input_value() == "100"
