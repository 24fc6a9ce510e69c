"""The service page's version history compares any two registered versions: the SDK's change
list with its breaking flags, and the line diff. A revision that was never registered never
shows."""

import html

import pytest
from caio_integration.contracts import compare

from integrations.models import ServiceVersion
from tests.catalogue.factories import catalogue_data, publish
from tests.factories import ContractRevisionFactory

pytestmark = [pytest.mark.django_db]
PAGE = "/services/pricey/"


@pytest.fixture
def pricey(owner):
    publish("pricey", owner=owner, name="Pricey", per_request=0.001, p95_ms=100)
    publish("pricey", owner=owner, version="1.1.0", name="Pricey", per_request=0.001, p95_ms=90)
    return publish("pricey", owner=owner, version="1.2.0", name="Pricey", per_request=0.003,
                   p95_ms=90)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_price_rise_between_two_versions_shows_as_a_breaking_change(anonymous, pricey):
    response = anonymous.get(PAGE, {"from": "1.0.0", "to": "1.2.0"})
    assert response.status_code == 200
    page = text_of(response)
    old, new = (ServiceVersion.objects.get(service=pricey, version=v).revision
                for v in ("1.0.0", "1.2.0"))
    expected = compare(old.data, new.data)
    assert any(c.breaking and "per_request" in c.path for c in expected)
    for change in expected:
        assert change.message in page
    assert "Changes from 1.0.0 to 1.2.0" in page and "breaking" in page
    assert response.context["diff"].breaking
    kinds = {(line.kind, line.text.strip()) for line in response.context["diff"].lines}
    assert ("del", "per_request: 0.001") in kinds and ("add", "per_request: 0.003") in kinds


def test_any_two_versions_in_either_order_and_an_improvement_is_not_breaking(anonymous, pricey):
    improved = anonymous.get(PAGE, {"from": "1.0.0", "to": "1.1.0"})
    assert not improved.context["diff"].breaking
    assert "nothing breaking" in text_of(improved)
    backwards = anonymous.get(PAGE, {"from": "1.2.0", "to": "1.0.0"})
    assert backwards.context["diff"].old.version == "1.2.0"
    same = anonymous.get(PAGE, {"from": "1.1.0", "to": "1.1.0"})
    assert "No change between these two versions" in text_of(same)


def test_the_picker_offers_registered_versions_and_defaults_to_the_latest_step(anonymous, pricey):
    response = anonymous.get(PAGE)
    page = response.content.decode()
    assert response.context["diff"] is None
    assert (response.context["diff_from"], response.context["diff_to"]) == ("1.1.0", "1.2.0")
    assert page.count("<option") == 6 and 'name="from"' in page and 'name="to"' in page


def test_a_single_version_has_no_picker(anonymous, owner):
    publish("lonely", owner=owner)
    assert 'name="from"' not in anonymous.get("/services/lonely/").content.decode()


def test_an_unregistered_revision_never_leaks(anonymous, other_client, owner_client, owner,
                                              pricey):
    secret = catalogue_data("pricey", version="2.0.0", name="Pricey",
                            description="SECRET-PLAN: triple the price", per_request=0.009)
    draft = ContractRevisionFactory(contract=pricey.contract, author=owner, data=secret)
    for client in (anonymous, other_client, owner_client):
        for params in ({"from": "1.0.0", "to": "2.0.0"}, {"from": "2.0.0", "to": "1.2.0"},
                       {"from": "1", "to": str(draft.number)}):
            response = client.get(PAGE, params)
            assert response.status_code == 200
            page = text_of(response)
            assert "SECRET-PLAN" not in page and "0.009" not in page, params
            assert response.context["diff"] is None
            assert "Pick two registered versions" in page
    assert "2.0.0" not in anonymous.get(PAGE).content.decode()


@pytest.mark.parametrize("params", [{"from": "<script>x</script>", "to": "1.0.0"},
                                    {"from": "1.0.0"}, {"to": "x" * 5000}, {"from": "", "to": ""}])
def test_odd_picks_are_a_message_never_a_500(anonymous, pricey, params):
    response = anonymous.get(PAGE, params)
    assert response.status_code == 200
    assert "<script>x" not in response.content.decode()
