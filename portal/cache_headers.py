"""Who may keep a copy of an answer: `Cache-Control: private, no-store` on what is personal.

- Answers under /api/ are private, with `Vary: Authorization`, unless the view is open to
  everyone (a DRF view whose permission classes are all AllowAny, as
  integrations.api.permissions.PublicEndpoint is): the catalogue's answers, discovery, validation
  and the schema are the same for every caller and keep their own headers.
- Pages answered to a signed-in browser are private, unless the view set its own Cache-Control
  (the contract schema, the SDK's wheel, the admin's never-cache pages). They carry the account's
  name in the navigation, and often its drafts or tokens.

Anonymous pages are left alone (and without a session cookie, the session is not even read).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

API_PREFIX = "/api/"


def _api_view(view_func) -> type[APIView] | None:
    cls = getattr(view_func, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def _public(view: type[APIView]) -> bool:
    permissions = view.permission_classes
    return bool(permissions) and all(
        isinstance(p, type) and issubclass(p, AllowAny) for p in permissions)


def _signed_in(request) -> bool:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateAnswersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.answer_is_public_api = False
        response = self.get_response(request)
        if request.answer_is_public_api:
            return response
        if request.path.startswith(API_PREFIX):
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ["Authorization"])
        elif _signed_in(request) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        view = _api_view(view_func)
        request.answer_is_public_api = view is not None and _public(view)
        return None
