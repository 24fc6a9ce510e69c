"""Compare keeps the selection: too few or too many ticks go back to the list, same filters and
page, with the ticks kept and a message; a service page leads into it ("Compare with…")."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.catalogue.views import compare_message

pytestmark = [pytest.mark.django_db]
FIVE = ["fast-translate", "slow-translate", "chat-bot", "euro-embed", "old-translate"]


def ticked_on(html: str) -> set[str]:
    return set(re.findall(r'name="ids" value="([^"]+)"[^>]*checked', html))


@pytest.mark.smoke
def test_one_tick_goes_back_to_the_list_with_its_filters_page_and_tick(anonymous, catalogue):
    response = anonymous.get("/services/compare/", {"ids": "fast-translate", "q": "translate",
                                                    "sort": "fastest", "page": "1"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == "/services/"
    assert parse_qs(target.query) == {"q": ["translate"], "sort": ["fastest"], "page": ["1"],
                                      "ids": ["fast-translate"]}
    page = anonymous.get(response["Location"])
    html = page.content.decode()
    assert ticked_on(html) == {"fast-translate"}
    assert "1 service ticked: tick 1 to 3 more to compare" in html
    assert page.context["form"]["q"].value() == "translate"


def test_five_ticks_are_all_kept_with_a_message(anonymous, catalogue):
    response = anonymous.get("/services/compare/", {"ids": FIVE})
    html = anonymous.get(response["Location"]).content.decode()
    assert ticked_on(html) == set(FIVE)
    assert "5 services ticked: compare takes at most 4. Untick 1" in html


def test_no_tick_says_what_to_do(anonymous, catalogue):
    response = anonymous.get("/services/compare/")
    assert response.status_code == 302
    html = anonymous.get(response["Location"]).content.decode()
    assert "Tick 2 to 4 services, then press Compare." in html and not ticked_on(html)


def test_ticks_on_other_pages_are_listed_and_kept_by_filters_and_pagination(anonymous, catalogue):
    html = anonymous.get("/services/", {"ids": "chat-bot,fast-translate",
                                        "capability": "translation"}).content.decode()
    assert ticked_on(html) == {"chat-bot", "fast-translate"}
    assert "Also ticked, not on this page" in html and "Chat Bot" in html
    assert 'name="ids" value="chat-bot,fast-translate" data-compare-ids' in html


def test_the_compare_form_carries_the_lists_state(anonymous, catalogue):
    html = anonymous.get("/services/", {"q": "translate", "max_p95": "1000"}).content.decode()
    form = html[html.index('id="compare-form"'):html.index("</form>", html.index('id="compare-form"'))]
    assert '<input type="hidden" name="q" value="translate">' in form
    assert '<input type="hidden" name="max_p95" value="1000">' in form


def test_the_service_page_leads_to_the_list_with_the_service_ticked(anonymous, catalogue):
    page = anonymous.get("/services/euro-embed/").content.decode()
    link = re.search(r'href="([^"]+)">Compare with…</a>', page)[1]
    assert link == "/services/?ids=euro-embed"
    html = anonymous.get(link).content.decode()
    assert ticked_on(html) == {"euro-embed"}
    assert "1 service ticked" in html


def test_the_compare_page_links_back_to_the_selection_and_removes_a_column(anonymous, catalogue):
    response = anonymous.get("/services/compare/", {"ids": "fast-translate,chat-bot,euro-embed",
                                                    "q": "a"})
    html = response.content.decode().replace("&amp;", "&")
    assert 'href="/services/?q=a&ids=fast-translate%2Cchat-bot%2Ceuro-embed"' in html
    assert 'href="?q=a&ids=fast-translate%2Ceuro-embed" aria-label="Remove Chat Bot' in html


def test_garbage_ids_are_not_echoed(anonymous, catalogue):
    html = anonymous.get("/services/", {"ids": '"><script>x</script>,a' + "b" * 100}).content.decode()
    assert "<script>x" not in html and "b" * 100 not in html


def test_the_messages_count_right():
    assert compare_message(2) == compare_message(4) == ""
    assert "tick 1 to 3 more" in compare_message(1)
    assert "Untick 3" in compare_message(7)
