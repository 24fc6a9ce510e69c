"""The database and broker checks shared by /readyz, /metrics and `manage.py portal_doctor`."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    seconds: float
    detail: str  # for staff and the operator, never for the public


def _timed(name: str, check) -> Probe:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the reason is the detail
        return Probe(name, False, time.perf_counter() - started, f"{exc.__class__.__name__}: {exc}")
    return Probe(name, True, time.perf_counter() - started, detail)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def _broker() -> str:
    if not settings.REDIS_URL:
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise OSError(f"the broker folder {folder} is missing or not writable")
        return "filesystem"
    client = redis_client()
    try:
        client.ping()
    finally:
        client.close()
    return "redis"


def probe_database() -> Probe:
    return _timed("database", _database)


def probe_broker() -> Probe:
    return _timed("broker", _broker)


def probe_all() -> list[Probe]:
    return [probe_database(), probe_broker()]
