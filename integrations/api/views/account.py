"""Who is calling: the signed-in account and, with a bearer token, which token (GET /me/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from integrations.api.permissions import SignedInDeveloper
from integrations.api.serializers import MeSerializer
from integrations.api.views.base import BaseApiView

TAG = "account"


class MeView(BaseApiView):
    permission_classes = [SignedInDeveloper]

    @extend_schema(
        tags=[TAG], operation_id="me_retrieve", summary="Who the token (or session) belongs to",
        description="The account behind the credentials, and the token used (`null` for a "
                    "signed-in browser session), with its `scope` (`read-only` or `read-write`) "
                    "and `expires_at` (null: never). `caio login` checks a token with it. A "
                    "token's `last_used_at` includes this request (it is written at most once a "
                    "minute).",
        responses={200: MeSerializer},
    )
    def get(self, request):
        return Response(MeSerializer({"user": request.user, "token": request.auth}).data)
