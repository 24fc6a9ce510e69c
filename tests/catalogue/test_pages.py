import re

import pytest
from django.urls import reverse

from integrations.models import OperationKind, ServiceOperation
from tests.catalogue.factories import make_owner, publish

pytestmark = [pytest.mark.django_db]


def ids_on(response) -> list[str]:
    return [e.service_id for e in response.context["page"].object_list]


@pytest.mark.smoke
def test_catalogue_is_public_and_lists_active_then_deprecated_never_withdrawn(anonymous, catalogue):
    response = anonymous.get("/services/")
    assert response.status_code == 200
    ids = ids_on(response)
    assert ids[-1] == "old-translate" and "gone-service" not in ids
    assert set(ids) == {"fast-translate", "slow-translate", "chat-bot", "euro-embed",
                        "old-translate"}
    assert b"deprecated" in response.content


def test_each_filter_narrows_the_list(anonymous, catalogue):
    cases = {
        "capability=translation&capability=summarization": ["slow-translate"],
        "language=de&language=fr&max_p95=100": ["fast-translate", "old-translate"],
        "min_accuracy=0.97": ["slow-translate", "old-translate"],
        "min_availability=99.5": ["fast-translate"],
        "max_price=0.0008": ["slow-translate", "old-translate"],
        "max_price=0.001&currency=EUR": ["euro-embed"],
        "owner=dana+data&sort=fastest": ["euro-embed", "slow-translate", "chat-bot"],
        "q=german": ["fast-translate"],
        "q=llm": ["chat-bot"],
    }
    for query, expected in cases.items():
        assert ids_on(anonymous.get(f"/services/?{query}")) == expected, query


def test_sorts_order_cheapest_fastest_and_newest(anonymous, catalogue):
    assert ids_on(anonymous.get("/services/?sort=cheapest"))[:3] == [  # EUR: no USD price
        "slow-translate", "fast-translate", "euro-embed", ]
    assert ids_on(anonymous.get("/services/?sort=fastest"))[:2] == ["euro-embed", "fast-translate"]
    assert ids_on(anonymous.get("/services/?sort=newest"))[0] == "euro-embed"


def test_filter_state_lives_in_the_url_and_survives_pagination(anonymous, owner):
    for i in range(45):
        publish(f"svc-{i:03d}", owner=owner, capabilities=["translation"], languages=["de"],
                p95_ms=100 + i, per_request=0.001)
    response = anonymous.get("/services/?capability=translation&language=de&max_p95=200")
    html = response.content.decode()
    assert re.search(r'name="capability" value="translation" checked', html)
    assert re.search(r'name="language" value="de" checked', html)
    assert 'value="200"' in html
    assert "capability=translation&amp;language=de&amp;max_p95=200&amp;page=2" in html
    second = anonymous.get("/services/?capability=translation&language=de&max_p95=200&page=2")
    assert ids_on(second) == [f"svc-{i:03d}" for i in range(20, 40)]


@pytest.mark.parametrize("page,expected_first", [("0", 0), ("-1", 0), ("abc", 0), ("3", 40),
                                                  ("999", 40)])
def test_pagination_edges_never_fail(anonymous, owner, page, expected_first):
    for i in range(41):
        publish(f"svc-{i:03d}", owner=owner, p95_ms=i + 1, per_request=0.001)
    response = anonymous.get(f"/services/?sort=fastest&page={page}")
    assert response.status_code == 200
    assert ids_on(response)[0] == f"svc-{expected_first:03d}"


def test_exactly_one_page_has_no_pagination_links(anonymous, owner):
    for i in range(20):
        publish(f"svc-{i:03d}", owner=owner)
    assert b'rel="next"' not in anonymous.get("/services/").content


@pytest.mark.smoke
def test_bad_filter_values_are_reported_not_a_500(anonymous, catalogue):
    response = anonymous.get("/services/?min_accuracy=abc&max_p95=-5&capability=nope&sort=x")
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"min_accuracy", "max_p95", "capability"}
    assert len(ids_on(response)) == 5


def test_more_than_twenty_languages_are_reported_not_a_500(anonymous, catalogue):
    codes = ["en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "fi", "no", "pl", "cs", "sk",
             "hu", "ro", "bg", "el", "tr", "ru", "uk"]
    query = "&".join(f"language={code}" for code in codes)
    response = anonymous.get(f"/services/?{query}")
    assert response.status_code == 200 and "language" in response.context["form"].errors
    api = anonymous.get(f"/api/v1/services/?{query}")
    assert api.status_code == 400 and "language" in api.json()["error"]["details"]


def test_facet_counts_are_exact_for_the_filtered_set(anonymous, catalogue):
    response = anonymous.get("/services/?language=de")
    facets = {v: n for v, _label, n, _c in response.context["capability_facets"]}
    assert facets["translation"] == 3 and facets["summarization"] == 1
    assert response.context["facets_exact"]


@pytest.mark.smoke
def test_service_page_shows_the_contract_and_never_the_owner_email(anonymous, catalogue, owner):
    response = anonymous.get("/services/fast-translate/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fast Translate" in html and "Olivia Owner" in html and owner.email not in html
    assert '<a href="https://api.fast.example/v1" rel="nofollow noopener ugc">' in html
    assert 'href="http://docs.fast.example/"' not in html  # not https: shown, not linked
    assert "service_id: fast-translate" in html
    assert reverse("catalogue:yaml", args=["fast-translate", "1.0.0"]) in html


def test_version_history_lists_every_version_and_the_current_one(anonymous, catalogue, owner):
    publish("fast-translate", owner=owner, version="1.1.0", name="Fast Translate 2",
            capabilities=["translation"])
    html = anonymous.get("/services/fast-translate/").content.decode()
    assert "1.1.0" in html and "1.0.0.yaml" in html and "Fast Translate 2" in html


def test_deprecated_service_is_marked_with_its_successor(anonymous, catalogue):
    html = anonymous.get("/services/old-translate/").content.decode()
    assert "This service is deprecated" in html
    assert 'href="/services/fast-translate/"' in html


@pytest.mark.smoke
def test_unknown_service_is_404_and_withdrawn_is_410(anonymous, catalogue):
    assert anonymous.get("/services/no-such-service/").status_code == 404
    gone = anonymous.get("/services/gone-service/")
    assert gone.status_code == 410
    assert "withdrawn" in gone.content.decode()
    assert anonymous.get("/services/gone-service/1.0.0.yaml").status_code == 410
    assert anonymous.get("/services/fast-translate/9.9.9.yaml").status_code == 404


def test_yaml_download_is_the_registered_text_as_an_attachment(anonymous, catalogue):
    response = anonymous.get("/services/fast-translate/1.0.0.yaml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="fast-translate-1.0.0.yaml"'
    version = catalogue["fast-translate"].current_version
    assert response.content.decode() == version.revision.text


def test_compare_shows_two_to_four_services_side_by_side(anonymous, catalogue):
    response = anonymous.get("/services/compare/?ids=fast-translate,slow-translate")
    assert response.status_code == 200
    assert [e.service_id for e in response.context["entries"]] == ["fast-translate",
                                                                    "slow-translate"]
    repeated = anonymous.get("/services/compare/?ids=fast-translate&ids=chat-bot&ids=euro-embed")
    assert len(repeated.context["entries"]) == 3
    missing = anonymous.get("/services/compare/?ids=fast-translate,gone-service")
    assert missing.context["missing"] == ["gone-service"]


SCRIPT = "<script>alert(1)</script>"


def test_every_contract_text_field_is_escaped_everywhere(anonymous, db):
    evil = make_owner("evil@example.com", f"Eve {SCRIPT}")
    publish("evil-service", owner=evil, name=f"Evil {SCRIPT}", description=f"Desc {SCRIPT}",
            capabilities=[f"cap{SCRIPT}"], languages=[f"x{SCRIPT}"], tags=[f"tag{SCRIPT}"],
            endpoint=f"javascript:alert(1)//{SCRIPT}",
            documentation_url=f"https://docs.example/{SCRIPT}", per_request=0.001)
    publish("plain-service", owner=evil, per_request=0.002)
    pages = ["/services/", "/services/?q=evil", "/services/evil-service/",
             "/services/compare/?ids=evil-service,plain-service"]
    for url in pages:
        html = anonymous.get(url).content.decode()
        assert SCRIPT not in html, url
        assert 'href="javascript:' not in html, url
        assert "evil@example.com" not in html, url
    assert "&lt;script&gt;" in anonymous.get("/services/evil-service/").content.decode()


def test_owner_sees_deprecate_and_withdraw_buttons_others_do_not(
        owner_client, other_client, anonymous, catalogue):
    assert b"Withdraw</button>" in owner_client.get("/services/fast-translate/").content
    assert b"Withdraw</button>" not in other_client.get("/services/fast-translate/").content
    assert b"Withdraw</button>" not in anonymous.get("/services/fast-translate/").content


def operation_url(kind: str, service_id: str = "fast-translate") -> str:
    """Deprecate and withdraw: the one view (the submission panel's confirmation)."""
    return reverse(f"integrations:{kind}", kwargs={"service_id": service_id})


def test_owner_deprecates_naming_a_successor(owner_client, catalogue, owner):
    response = owner_client.post(operation_url("deprecate"),
                                 {"successor": "slow-translate", "confirm": "yes"})
    assert response.status_code == 302
    operation = ServiceOperation.objects.get(service=catalogue["fast-translate"])
    assert (operation.kind, operation.successor, operation.requested_by) == (
        OperationKind.DEPRECATE, catalogue["slow-translate"], owner)


def test_owner_withdraw_request_is_refused_with_a_message_when_one_is_in_progress(
        owner_client, catalogue):
    owner_client.post(operation_url("withdraw"), {"confirm": "yes"})
    response = owner_client.post(operation_url("withdraw"), {"confirm": "yes"}, follow=True)
    assert "already has an operation in progress" in response.content.decode()
    assert ServiceOperation.objects.filter(service=catalogue["fast-translate"]).count() == 1


def test_unknown_successor_is_refused_with_a_message(owner_client, catalogue):
    response = owner_client.post(operation_url("deprecate"),
                                 {"successor": "no-such-thing", "confirm": "yes"}, follow=True)
    assert "no-such-thing" in response.content.decode()
    assert not ServiceOperation.objects.exists()


@pytest.mark.smoke
def test_anonymous_is_sent_to_sign_in_and_a_non_owner_gets_404(anonymous, other_client, catalogue):
    for kind in ("deprecate", "withdraw"):
        response = anonymous.post(operation_url(kind), {"confirm": "yes"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert other_client.post(operation_url(kind), {"confirm": "yes"}).status_code == 404
    assert not ServiceOperation.objects.exists()


@pytest.mark.parametrize("kind", [OperationKind.DEPRECATE, OperationKind.WITHDRAW])
def test_staff_cannot_deprecate_or_withdraw_another_owners_service_from_its_pages(
        reviewer_client, catalogue, kind):
    assert reviewer_client.get(operation_url(kind, "chat-bot")).status_code == 403
    response = reviewer_client.post(operation_url(kind, "chat-bot"), {"confirm": "yes"})
    assert response.status_code == 403
    assert not ServiceOperation.objects.exists()
    page = reviewer_client.get("/services/chat-bot/").content
    assert b"Withdraw</button>" not in page and b"Deprecate</button>" not in page


def test_the_service_page_buttons_ask_for_a_confirmation_then_come_back(owner_client, catalogue):
    page = owner_client.get("/services/fast-translate/").content.decode()
    assert f'action="{operation_url("deprecate")}"' in page
    assert f'action="{operation_url("withdraw")}"' in page
    back = "/services/fast-translate/"
    confirm = owner_client.get(operation_url("deprecate"),
                               {"next": back, "successor": "slow-translate"}).content.decode()
    assert "Deprecate fast-translate?" in confirm and 'value="slow-translate"' in confirm
    assert not ServiceOperation.objects.exists()
    response = owner_client.post(operation_url("deprecate"),
                                 {"next": back, "successor": "slow-translate", "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == back
    assert ServiceOperation.objects.get().successor == catalogue["slow-translate"]


def test_text_search_ranks_name_matches_first(anonymous, owner):
    publish("alpha-tool", owner=owner, name="Alpha Tool", description="Handles receipts.",
            per_request=0.0001)
    publish("receipt-reader", owner=owner, name="Receipt Reader", description="Reads receipts.",
            per_request=0.01)
    assert ids_on(anonymous.get("/services/?q=receipt"))[0] == "receipt-reader"


def test_above_the_cap_the_list_says_so_and_facets_are_marked_approximate(
        anonymous, catalogue, monkeypatch):
    from integrations.catalogue import views

    monkeypatch.setattr(views, "LIST_CAP", 3)
    response = anonymous.get("/services/?q=translate")
    html = response.content.decode()
    assert response.context["capped"] and not response.context["facets_exact"]
    assert "More than 3 services" in html and "≈" in html
    assert "sorted by price" in html
    assert len(ids_on(response)) == 3


@pytest.mark.smoke
def test_an_empty_catalogue_says_so(anonymous, db):
    for url in ("/services/", "/services/?q=anything&capability=ocr&page=3"):
        response = anonymous.get(url)
        assert response.status_code == 200
        assert response.context["total"] == 0
    assert "No services are registered yet" in anonymous.get("/services/").content.decode()
