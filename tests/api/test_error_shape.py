"""Every error under /api/ is JSON in the one shape, also those Django answers itself (its 400,
403, 404, 405, 500 and CSRF failure: portal/views/errors.py); elsewhere Django's pages stay.

The URLconf below is the portal's plus views that only a test needs: under /api/test/ a Django
view that CSRF protects, one that raises PermissionDenied and a DRF view that crashes; and a
page that crashes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.views import APIView

from integrations.api.views.base import ApiViewMixin
from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401 - URLconf
from portal.urls import urlpatterns as portal_urlpatterns
from tests.support.errors import error_of

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _form(request):
    return HttpResponse("ok")


def _forbidden(request):
    raise PermissionDenied("Staff only.")


def _page_crash(request):
    raise RuntimeError("a bug")


class _Crash(ApiViewMixin, APIView):
    permission_classes = []

    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns = [
    *portal_urlpatterns,
    path("api/test/form/", _form),
    path("api/test/forbidden/", _forbidden),
    path("api/test/crash/", _Crash.as_view()),
    path("test/crash/", _page_crash),
]


def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/submissions/null,null/",
                                 "/api/v1/services/x/nope/", "/api/", "/api"])
def test_a_path_no_endpoint_matches_is_a_json_404(url):
    error = error_of(client().get(url), 404, "not_found")
    assert "/api/docs/" in error["message"]


def test_outside_the_api_a_404_is_still_a_page():
    response = client().get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "url"), [
    ("delete", "/api/v1/services/"), ("put", "/api/v1/services/x/"),
    ("get", "/api/v1/integration/validate-contract"),
    ("put", "/api/schema/"), ("post", "/api/docs/"), ("post", "/api/redoc/"),
])
def test_a_method_an_endpoint_does_not_take_is_a_json_405(method, url):
    error_of(getattr(client(), method)(url), 405, "method_not_allowed")


def test_a_browser_asking_for_html_still_gets_api_errors_as_json():
    response = client().get("/api/v1/services/nope/", HTTP_ACCEPT="text/html")
    error_of(response, 404, "not_found")
    error_of(client().get("/api/schema/?format=nope"), 404, "not_found")


def test_a_host_not_allowed_is_a_json_400_that_does_not_echo_it():
    error = error_of(client().get("/api/v1/services/", HTTP_HOST="evil.example"), 400)
    assert "evil" not in error["message"]
    page = client().get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_form_body_over_the_size_limit_is_a_json_413(settings, owner_api):
    body = "a=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = owner_api.post("/api/v1/integration/upload-contract", body,
                             content_type="application/x-www-form-urlencoded")
    error_of(response, 413, "payload_too_large")


def test_too_many_fields_in_a_query_or_a_form_is_a_json_400(settings, owner_api):
    many = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    error_of(client().get(f"/api/v1/services/?{many}"), 400, "too_many_fields")
    response = owner_api.post("/api/v1/integration/upload-contract", many,
                             content_type="application/x-www-form-urlencoded")
    error_of(response, 400, "too_many_fields")


@pytest.mark.urls(__name__)
def test_a_csrf_failure_under_the_api_is_a_json_403_and_a_page_elsewhere():
    response = Client(enforce_csrf_checks=True).post("/api/test/form/", {"a": "1"})
    error = error_of(response, 403, "csrf_failed")
    assert "CSRF" in error["message"]
    page = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a"})
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


@pytest.mark.urls(__name__)
def test_django_permission_denied_under_the_api_is_a_json_403():
    error = error_of(client().get("/api/test/forbidden/"), 403, "permission_denied")
    assert error["message"] == "Staff only."


@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_is_a_json_500_that_says_nothing_of_the_bug():
    error = error_of(client().get("/api/test/crash/"), 500, "server_error")
    assert "bug" not in error["message"]
    page = client().get("/test/crash/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_a_session_without_its_csrf_token_gets_drfs_refusal_in_the_one_shape(owner):
    session = Client(enforce_csrf_checks=True)
    session.force_login(owner)
    error = error_of(session.post("/api/v1/contracts/", {}, content_type="application/json"),
                     403, "permission_denied")
    assert "CSRF" in error["message"]
