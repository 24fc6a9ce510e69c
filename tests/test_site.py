import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_home_page_explains_caio_and_links_to_the_catalogue(anonymous):
    response = anonymous.get(reverse("portal:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Connect your AI service to CAIO" in body
    assert reverse("catalogue:list") in body


def test_home_page_counts_only_public_services(anonymous):
    response = anonymous.get(reverse("portal:home"))
    assert response.context["stats"] == {"services": 0, "owners": 0}


def test_healthz_answers_json_without_touching_the_database(anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_tells_the_public_only_that_it_is_up(anonymous):
    response = anonymous.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_shows_staff_each_check(reviewer_client):
    checks = reviewer_client.get("/readyz").json()["checks"]
    assert set(checks) == {"database", "broker"}
    assert checks["database"]["ok"] is True and checks["broker"]["ok"] is True


def test_readyz_hides_the_checks_from_a_developer(owner_client):
    assert owner_client.get("/readyz").json() == {"status": "ok"}


def test_readyz_is_unavailable_when_redis_does_not_answer(anonymous, reviewer_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    broker = reviewer_client.get("/readyz").json()["checks"]["broker"]
    assert broker["ok"] is False and broker["detail"].startswith("ConnectionError")


def test_anonymous_visitor_is_sent_to_sign_in_from_the_dashboard(anonymous):
    response = anonymous.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_signed_in_developer_sees_their_dashboard(owner_client):
    response = owner_client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert "Your contracts" in response.content.decode()
