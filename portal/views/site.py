"""Site pages and operational endpoints."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

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


def _check_database() -> dict:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "kind": "filesystem"}
    import redis

    started = time.perf_counter()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "kind": "redis", "ms": round((time.perf_counter() - started) * 1000, 2)}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers, and the broker too when one is configured."""
    checks: dict[str, dict] = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported as JSON
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                        status=200 if ready else 503)
