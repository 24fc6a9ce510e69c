"""What every API view shares: a body size cap before parsing, strict JSON, errors in the one JSON
shape whatever the request negotiated, and the token scope check (a read-only token only reads)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from integrations.api.errors import JsonErrorsMixin
from integrations.api.fields import contract_rule
from integrations.api.parsers import SafeJSONParser, check_body_size
from integrations.api.permissions import TokenScopeAllows
from integrations.api.schema import error_response


class ApiViewMixin(JsonErrorsMixin):
    parser_classes = [SafeJSONParser]
    # True for a POST that only reads (validate, discover): a read-only token may send it.
    read_like = False

    def get_permissions(self):
        return [*super().get_permissions(), TokenScopeAllows()]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_body_size(request)


class BaseApiView(ApiViewMixin, APIView):
    pass


MULTIPART_PARSERS = [MultiPartParser, FormParser]


def errors(*codes: int, **descriptions: str) -> dict[int, OpenApiResponse]:
    """An operation's own documented refusals, in the one error shape: errors(409, 422,
    e422="Why this operation answers 422"). The refusals every operation of its kind can give
    (401, 429...) are added by integrations.api.schema.ApiAutoSchema."""
    return {code: error_response(code, descriptions.get(f"e{code}")) for code in codes}


def service_id_parameter(description: str) -> OpenApiParameter:
    """The ``service_id`` path parameter, with the contract schema's pattern (one that does not
    match names no service: 404)."""
    return OpenApiParameter("service_id", {"type": "string",
                                           "pattern": contract_rule("service_id")["pattern"]},
                            OpenApiParameter.PATH, description=description)
