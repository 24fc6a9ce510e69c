"""The OpenAPI schema's rules that every operation shares (DEFAULT_SCHEMA_CLASS: ApiAutoSchema).

- Public operations (``PublicEndpoint``) declare anonymous access: ``{}`` among their security
  requirements. drf-spectacular does it for ``AllowAny`` itself only, not for a subclass.
- A request object whose serializer refuses unknown keys (``StrictSerializer``) says so:
  ``additionalProperties: false``; a body given per media type is required when its JSON
  serializer has a required field.
- Each operation documents, in the one error shape, the refusals any operation of its kind can
  give: 401 (a bad or revoked token is refused on public operations too) and 429 everywhere; 403
  on unsafe methods (a signed-in session without its CSRF token); 400 with query parameters or a
  body; 413 and 415 with a body; 404 with path parameters. A view lists only its own (409, 410,
  422) with ``errors``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import SAFE_METHODS

ERROR_DESCRIPTIONS = {
    400: "Bad input (the error names the field).",
    401: "No or bad credentials (a bad or revoked token is refused even where none is needed).",
    403: "Not allowed (with a signed-in session: the CSRF token is missing).",
    404: "Not found (or not yours).",
    409: "Conflict with the current state.",
    410: "Withdrawn.",
    413: "Body or file too large.",
    415: "The body's Content-Type is not one this operation reads.",
    422: "The contract is invalid (see diagnostics).",
    429: "Too many requests; see Retry-After.",
}


def error_response(code: int, description: str | None = None) -> OpenApiResponse:
    """A documented refusal in the one error shape (integrations.api.errors)."""
    from integrations.api.serializers import ApiErrorSerializer

    return OpenApiResponse(ApiErrorSerializer, description=description or ERROR_DESCRIPTIONS[code])


class ApiAutoSchema(AutoSchema):
    def get_auth(self):
        from integrations.api.permissions import PublicEndpoint

        auths = super().get_auth()
        public = any(isinstance(p, PublicEndpoint) for p in self.view.get_permissions())
        if public and {} not in auths:
            auths.append({})
        return auths

    def _map_basic_serializer(self, serializer, direction):
        from integrations.api.serializers import StrictSerializer

        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if "requestBody" in operation and self._body_required():
            operation["requestBody"]["required"] = True
        responses = operation["responses"]
        for code in _shared_refusals(operation, self.method):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(error_response(code), str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _body_required(self) -> bool:
        """drf-spectacular leaves a body optional when it is given per media type (JSON, or raw
        YAML): it is required when its JSON serializer has a required field."""
        request = self.get_request_serializer()
        if not isinstance(request, dict):
            return False
        return any(is_serializer(serializer)
                   and any(field.required for field in force_instance(serializer).fields.values())
                   for serializer in request.values())


def _shared_refusals(operation: dict, method: str) -> list[int]:
    codes = [401, 429]
    has_body = "requestBody" in operation
    located = {parameter["in"] for parameter in operation.get("parameters", ())}
    if method not in SAFE_METHODS:
        codes.append(403)
    if has_body or "query" in located:
        codes.append(400)
    if has_body:
        codes += [413, 415]
    if "path" in located:
        codes.append(404)
    return codes
