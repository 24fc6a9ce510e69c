"""One JSON error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

A refused contract also carries its ``diagnostics`` at the top level, where the SDK's client
looks for them (sdk/caio_integration/client.py raises ContractValidationError from them).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.urls import Resolver404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

AUTH_HELP = ("Authentication required: send 'Authorization: Bearer <token>' (create a token at "
             "/accounts/tokens/) or sign in.")


class ApiError(exceptions.APIException):
    """An API refusal with a code, a message for people and optional details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None,
                 details: Any = None, diagnostics: list[dict] | None = None):
        super().__init__(message, code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.error_code = code or self.default_code
        self.message = message
        self.details = details
        self.diagnostics = diagnostics


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class Unprocessable(ApiError):
    """A well-formed request (the schema's types, patterns and bounds hold) that the rules refuse
    for a reason the schema cannot express: a successor that is not registered, a text that
    cannot be stored. Each operation documents its 422."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class InvalidContract(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid_contract"

    def __init__(self, message: str, *, diagnostics: list[dict], details: Any = None):
        super().__init__(message, details={"diagnostics": diagnostics, **(details or {})},
                         diagnostics=diagnostics)


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Gone(ApiError):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


def _first_message(detail: Any) -> str | None:
    if isinstance(detail, list):
        for item in detail:
            found = _first_message(item)
            if found:
                return found
    elif isinstance(detail, dict):
        for item in detail.values():
            found = _first_message(item)
            if found:
                return found
    elif detail:
        return str(detail)
    return None


def _fields(detail: Any, prefix: str = "") -> list[str]:
    if not isinstance(detail, dict):
        return []
    out = []
    for key, value in detail.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        nested = _fields(value, name) if isinstance(value, dict) else []
        out.extend(nested or [name])
    return out


def _describe(exc: exceptions.APIException, data: Any) -> tuple[str, str, Any]:
    if isinstance(exc, ApiError):
        return exc.error_code, exc.message, exc.details
    if isinstance(exc, exceptions.ValidationError):
        fields = [f for f in _fields(exc.detail) if f != "non_field_errors"]
        first = _first_message(exc.detail) or "The request is invalid."
        if fields:
            message = f"Invalid {', '.join(fields[:5])}: {first}"
        else:
            message = first
        return "invalid_input", message, data
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated", AUTH_HELP, None
    if isinstance(exc, exceptions.Throttled):
        return "throttled", str(exc.detail), {"retry_after": exc.wait}
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    message = _first_message(exc.detail) or "The request failed."
    return str(code), message, None


def as_api_exception(exc: Exception) -> exceptions.APIException | None:
    """Django's own refusals as the API's exceptions; None for any other exception.

    Oversized or field-flooded bodies are 413/400; a path no URL pattern matches, or a converter
    refuses (`/api/v1/submissions/null,null/`), is a 404 that points to the reference. A
    BadRequest may carry a `code` and `details` (portal.nul_guard's refusals do). Other
    suspicious requests (DisallowedHost...) get a 400 that does not echo what was refused.
    """
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge("The request body is too large.")
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return ApiError("The request has too many fields.", code="too_many_fields")
    if isinstance(exc, Resolver404):
        return exceptions.NotFound("There is no API endpoint at this path; the endpoints are "
                                   "listed at /api/docs/.")
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, BadRequest):
        return ApiError(str(exc) or "Bad request.", code=getattr(exc, "code", None),
                        details=getattr(exc, "details", None))
    if isinstance(exc, SuspiciousOperation):
        return ApiError("The request was refused as malformed.")
    return None


def _body(exc: exceptions.APIException, data: Any) -> dict[str, Any]:
    code, message, details = _describe(exc, data)
    body: dict[str, Any] = {"error": {"code": code, "message": message, "details": details}}
    if isinstance(exc, ApiError) and exc.diagnostics is not None:
        body["diagnostics"] = exc.diagnostics
    return body


def api_exception_handler(exc: Exception, context: dict) -> Any:
    """DRF's handler, then the one error shape (Django's own refusals: as_api_exception)."""
    exc = as_api_exception(exc) or exc
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _body(exc, response.data)
    return response


def error_response(exc: Exception | None, *, fallback: exceptions.APIException) -> JsonResponse:
    """The one error shape for an answer Django gives outside a DRF view: its error handlers and
    the CSRF failure view (portal/views/errors.py). `fallback` when `exc` is not one of Django's
    own refusals (as_api_exception)."""
    api_exc = (as_api_exception(exc) if exc is not None else None) or fallback
    return JsonResponse(_body(api_exc, api_exc.detail), status=api_exc.status_code)


# A DRF view whose errors render as JSON whatever the request negotiated: the browsable API's
# HTML for a browser, the schema view's YAML. Every error under /api/ is in one shape. (A comment,
# not a docstring: drf-spectacular would show a docstring as every API operation's description.)
class JsonErrorsMixin:
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # finalize_response gives the response the request's renderer.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
