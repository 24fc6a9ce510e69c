"""django-axes hooks: one lockout counter per account whatever case the email was typed in, the
client's address as the API's throttles see it, and a second, higher limit per address.

Two counts lock sign-in (settings.AXES_LOCKOUT_PARAMETERS): failures for one login from one
address (AXES_FAILURE_LIMIT), and failures from one address across every login typed there
(AXES_ADDRESS_FAILURE_LIMIT), so trying many usernames from one place is stopped too.
"""

from __future__ import annotations

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def normalise_login(value: object) -> str:
    return str(value or "").strip().lower()


def username_from_credentials(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the login from the credentials or the POSTed form, normalised."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_login(credentials.get(field) or credentials.get("email"))
    data = getattr(request, "data", None) or request.POST
    return normalise_login(data.get(field))


def client_ip_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address DRF's throttles use: REMOTE_ADDR, which
    portal.observability.middleware.ClientAddressMiddleware set to the client's address behind
    settings.TRUSTED_PROXIES (X-Forwarded-For only from those)."""
    candidate = BaseThrottle().get_ident(request)
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None
    return candidate


class AddressLimitHandler(AxesDatabaseHandler):
    """axes' database handler, where the per-address count has its own, higher limit.

    axes compares one number with AXES_FAILURE_LIMIT; this one is the login's failures from the
    address, or the limit itself once the address reached AXES_ADDRESS_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        failures = 0
        for parameter, attempts in zip(get_lockout_parameters(request, credentials),
                                       self.get_user_attempts(request, credentials), strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter != "ip_address":
                failures = max(failures, count)
            elif count >= settings.AXES_ADDRESS_FAILURE_LIMIT:
                failures = max(failures, limit)
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget that login's failures from this address only. The
        address's count stands: signing in to one's own account must not reset it."""
        deleted, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address).delete()
        return deleted
