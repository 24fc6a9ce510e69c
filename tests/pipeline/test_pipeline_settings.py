"""The pipeline's settings: read from the environment, validated, and safe for Redis' visibility
timeout (a countdown or a running task longer than it would be delivered twice)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[2]
CODE = ("import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('PIPELINE_COUNTDOWN_MAX', "
        "'CELERY_TASK_TIME_LIMIT', 'PIPELINE_LEASE_SECONDS', 'PIPELINE_HEARTBEAT_SECONDS', "
        "'PIPELINE_BACKOFF_MAX', "
        "'CELERY_BROKER_TRANSPORT_OPTIONS', 'CELERY_BEAT_SCHEDULE', 'PIPELINE_OVERLAP')}))")


def load(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith((
        "PIPELINE_", "SWEEPER_", "CELERY_TASK_", "CAIO_CORE_", "CORE_BREAKER_"))}
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "SECRET_KEY": "x",
                 "REDIS_URL": "redis://127.0.0.1:6379/0"})
    base.update(env)
    return subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=60)


def test_default_countdowns_and_time_limits_stay_under_the_redis_visibility_timeout():
    result = load()
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout.strip().splitlines()[-1])
    visibility = s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    assert s["PIPELINE_COUNTDOWN_MAX"] + s["CELERY_TASK_TIME_LIMIT"] < visibility
    # A short lease, renewed while the worker lives: a killed worker's rows are taken back at the
    # first sweep after the lease passed, so within lease + sweep interval (docs/pipeline.md).
    assert s["PIPELINE_LEASE_SECONDS"] >= 3 * s["PIPELINE_HEARTBEAT_SECONDS"]
    assert s["PIPELINE_LEASE_SECONDS"] + s["CELERY_BEAT_SCHEDULE"]["pipeline-sweep"]["schedule"] <= 30
    # Backoffs longer than a countdown wait in the database for the sweeper instead.
    assert s["CELERY_BEAT_SCHEDULE"]["pipeline-sweep"]["task"] == "integrations.sweep"


def test_this_runs_settings_are_safe_too(settings):
    if settings.REDIS_URL:
        visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert settings.PIPELINE_COUNTDOWN_MAX + settings.CELERY_TASK_TIME_LIMIT < visibility
    assert settings.PIPELINE_LEASE_SECONDS >= 3 * settings.PIPELINE_HEARTBEAT_SECONDS


@pytest.mark.parametrize(("env", "message"), [
    ({"PIPELINE_MAX_ATTEMPTS": "0"}, "PIPELINE_MAX_ATTEMPTS=0 must be at least 1"),
    ({"PIPELINE_BACKOFF_BASE": "soon"}, "PIPELINE_BACKOFF_BASE='soon' is not a number"),
    ({"PIPELINE_BACKOFF_BASE": "10", "PIPELINE_BACKOFF_MAX": "5"}, "PIPELINE_BACKOFF_MAX must be"),
    ({"PIPELINE_LEASE_SECONDS": "12", "PIPELINE_HEARTBEAT_SECONDS": "5"},
     "PIPELINE_LEASE_SECONDS=12 must be at least 3 x PIPELINE_HEARTBEAT_SECONDS=5"),
    ({"PIPELINE_HEARTBEAT_SECONDS": "0"}, "PIPELINE_HEARTBEAT_SECONDS=0.0 must be at least 0.1"),
    ({"PIPELINE_COUNTDOWN_MAX": "3550"}, "must stay under Redis' visibility timeout"),
    ({"SWEEPER_GRACE_SECONDS": "nan"}, "SWEEPER_GRACE_SECONDS=nan must be at least"),
    ({"CORE_BREAKER_THRESHOLD": "0"}, "CORE_BREAKER_THRESHOLD=0 must be at least 1"),
    ({"CORE_BREAKER_COOLDOWN": "soon"}, "CORE_BREAKER_COOLDOWN='soon' is not a number"),
    ({"CAIO_CORE_URL": "https://core.example"},
     "CAIO_CORE_URL is set but CAIO_CORE_TOKEN is empty"),
    ({"CAIO_CORE_URL": "https://core.example", "CAIO_CORE_AUTH": "basic"},
     "CAIO_CORE_AUTH='basic' is not one of bearer, none"),
    ({"CAIO_CORE_TOKEN": "t0ken", "CAIO_CORE_AUTH": "none"},
     "CAIO_CORE_TOKEN is set but CAIO_CORE_AUTH=none"),
])
def test_bad_pipeline_settings_fail_loudly(env, message):
    result = load(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_the_sweeper_task_is_registered_under_its_beat_name():
    from portal.celery import app

    app.loader.import_default_modules()
    assert {"integrations.sweep", "integrations.register_submission",
            "integrations.run_operation"} <= set(app.tasks)


def overlap(**env: str) -> bool:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])["PIPELINE_OVERLAP"]


def test_the_worker_overlap_is_on_with_redis_and_off_with_the_filesystem_broker():
    assert overlap() is True
    assert overlap(REDIS_URL="") is False
    assert overlap(REDIS_URL="", PIPELINE_OVERLAP="1") is True
    assert overlap(PIPELINE_OVERLAP="off") is False


def test_a_pipeline_overlap_that_is_not_a_boolean_is_refused_by_name():
    result = load(PIPELINE_OVERLAP="sometimes")
    assert result.returncode != 0
    assert "PIPELINE_OVERLAP" in result.stderr


@pytest.mark.parametrize("env", [
    {"CAIO_CORE_URL": "https://core.example", "CAIO_CORE_TOKEN": "t0ken"},
    {"CAIO_CORE_URL": "https://core.example", "CAIO_CORE_AUTH": "none"},
    {},  # the embedded local core needs no token
])
def test_a_core_url_starts_with_a_token_or_with_auth_none(env):
    result = load(**env)
    assert result.returncode == 0, result.stderr
