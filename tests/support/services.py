"""Real services for tests: skip with a reason locally, fail under REQUIRE_SERVICES=1 (CI)."""

from __future__ import annotations

import os
import shutil
import socket

import pytest


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


def need(available: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the calling test when a service it needs is missing."""
    if available:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def need_broker() -> None:
    """Redis must answer when REDIS_URL is set; the filesystem broker needs nothing."""
    url = redis_url()
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            ok = True
        except redis.RedisError:
            ok = False
        need(ok, f"Redis at {url} does not answer")
