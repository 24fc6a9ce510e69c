"""Site pages and operational endpoints."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from portal.observability.access import metrics_allowed
from portal.observability.metrics import exposition
from portal.observability.probes import probe_all
from portal.selectors import home_stats

logger = logging.getLogger(__name__)
# Browsers ask for /favicon.ico on pages without a <link rel="icon"> (Swagger UI, ReDoc, JSON).
FAVICON = settings.BASE_DIR / "static" / "favicon.ico"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"stats": home_stats()})


@cache_control(public=True, max_age=86400)
@require_GET
def favicon(request: HttpRequest) -> FileResponse:
    """The icon at the address every browser tries (the pages link static/favicon.svg too)."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers, and the broker. The public learns only up or down; signed-in staff
    see each check, and /metrics has them for the operator."""
    probes = probe_all()
    ready = all(probe.ok for probe in probes)
    for probe in probes:
        if not probe.ok:
            logger.warning("readiness check %s failed: %s", probe.name, probe.detail)
    body: dict = {"status": "ok" if ready else "unavailable"}
    if request.user.is_authenticated and request.user.is_staff:
        body["checks"] = {p.name: {"ok": p.ok, "ms": round(p.seconds * 1000, 2),
                                   "detail": p.detail} for p in probes}
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the allowed addresses or the bearer token; else a 404."""
    if not metrics_allowed(request):
        raise Http404
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
