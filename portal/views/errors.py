"""Django's own error answers: JSON in the API's one error shape under /api/, pages elsewhere.

portal/urls.py names these as handler400/403/404/500 and settings.CSRF_FAILURE_VIEW names
csrf_failure. They answer what no DRF view answered: a path no URL pattern matches or a
converter refuses (`/api/v1/nope/`, `/api/v1/submissions/null,null/`), Django's refusals of a
request (DisallowedHost, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields), the NUL
guard's refusals (portal/nul_guard.py), a CSRF failure, and an unhandled exception (500). DRF
views answer their own errors through integrations.api.errors.api_exception_handler, in the same
shape. The NUL guard's 400 page says what it refused; Django's other pages are its own.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import escape
from django.views import csrf, defaults
from rest_framework import exceptions

from integrations.api.errors import ApiError, error_response
from portal.nul_guard import RefusedCharacter


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path == "/api" or path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(exception, fallback=ApiError("Bad request."))
    if isinstance(exception, RefusedCharacter):
        # Django's plain page, saying what was refused (its default page says nothing).
        return HttpResponseBadRequest(defaults.ERROR_PAGE_TEMPLATE % {
            "title": "Bad Request (400)", "details": escape(str(exception))})
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(exception, fallback=exceptions.PermissionDenied())
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(exception, fallback=exceptions.NotFound())
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return error_response(None, fallback=ApiError(
            "The server failed to answer this request. The error is logged; try again later.",
            code="server_error", status_code=500))
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        return error_response(None, fallback=exceptions.PermissionDenied(
            f"CSRF verification failed: {reason} Send an API token (Authorization: Bearer ...) "
            "instead of a session cookie, or the page's CSRF token.", code="csrf_failed"))
    return csrf.csrf_failure(request, reason=reason)
