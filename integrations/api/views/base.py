"""What every API view shares: a body size cap before parsing, strict JSON, errors in the one JSON
shape whatever the request negotiated, and the token scope check (a read-only token only reads)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.views import APIView

from integrations.api.errors import JsonErrorsMixin
from integrations.api.parsers import SafeJSONParser, check_body_size
from integrations.api.permissions import TokenScopeAllows
from integrations.api.serializers import ApiErrorSerializer


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


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses (all in the one error shape)."""
    text = {
        400: "Bad input (the error names the field).",
        401: "No or bad credentials.",
        403: "Not allowed: a read-only token, or not the owner of what it would change.",
        404: "Not found (or not yours).",
        409: "Conflict with the current state.",
        410: "Withdrawn.",
        413: "Body or file too large.",
        422: "The contract is invalid (see diagnostics).",
        429: "Too many requests; see Retry-After.",
    }
    return {code: OpenApiResponse(ApiErrorSerializer, description=text[code]) for code in codes}
