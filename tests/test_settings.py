"""One settings module, driven by the environment, failing loudly on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[1]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "CAIO_CORE_URL"}}
    base.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_VAR_DIR": str(ROOT / "var")})
    base.update(env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=60)


def test_settings_load_with_a_secret_key():
    result = load_settings(SECRET_KEY="s3cret")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_database_url_selects_postgresql():
    result = load_settings(SECRET_KEY="s3cret", DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "x", "DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"SECRET_KEY": "x", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a valid"),
        ({"SECRET_KEY": "x", "REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start"),
        ({"SECRET_KEY": "x", "CAIO_CORE_URL": "ftp://core"}, "CAIO_CORE_URL='ftp://core' must be"),
        ({"SECRET_KEY": "x", "PORTAL_REVIEW": "sometimes"}, "PORTAL_REVIEW='sometimes' is not one of"),
        ({"SECRET_KEY": "x", "API_RATE_VALIDATE": "lots"}, "API_RATE_VALIDATE='lots' is not a rate"),
        ({"SECRET_KEY": "x", "EDITOR_VALIDATE_LIMIT": "0"}, "EDITOR_VALIDATE_LIMIT=0 must be at least 1"),
        ({"SECRET_KEY": "x", "CONN_MAX_AGE": "soon", "DATABASE_URL": "postgres://h/db"},
         "CONN_MAX_AGE='soon' is not a whole number"),
        ({"SECRET_KEY": "x", "LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not one of text, json"),
        ({"SECRET_KEY": "x", "TRUSTED_PROXIES": "10.0.0.0/8,proxy"},
         "TRUSTED_PROXIES: 'proxy' is not an IP address or network"),
        ({"SECRET_KEY": "x", "METRICS_ALLOWED_IPS": "everyone"}, "METRICS_ALLOWED_IPS: 'everyone'"),
        ({"SECRET_KEY": "x", "METRICS_TOKEN": "short"}, "METRICS_TOKEN must be at least 16"),
        ({"SECRET_KEY": "x", "API_NUM_PROXIES": "1"}, "API_NUM_PROXIES is replaced by TRUSTED_PROXIES"),
    ],
)
def test_settings_fail_loudly_on_a_bad_value(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_debug_gives_a_development_secret_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
