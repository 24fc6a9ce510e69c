"""Production settings: `check --deploy` is clean with .env.example, HTTPS behind a named proxy
header, health checks exempt from the SSL redirect, and a Dockerfile built from the lock."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_compose import ci_compose

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    """What compose gives web with .env.example (and a real secret); nothing of this test run's."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    values = {**ci_compose.read_env_file(ROOT / ".env.example"),
              "SECRET_KEY": secrets.token_urlsafe(50), "POSTGRES_PASSWORD": "pw"}
    env = ci_compose.service_environment(compose, "web", values)
    env.update({"PATH": os.environ["PATH"], "PORTAL_VAR_DIR": str(tmp_path), "HOME": str(tmp_path)})
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(changes)
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_env_example_values(tmp_path):
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_the_ssl_redirect_is_off(tmp_path):
    result = run_manage(production_env(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"),
                        "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def print_settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    code = ("import django; django.setup(); from django.conf import settings; "
            f"print([getattr(settings, n, None) for n in {list(names)!r}])")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_proxy_ssl_header_names_the_header_the_proxy_sets(tmp_path):
    result = print_settings(production_env(tmp_path), "SECURE_PROXY_SSL_HEADER")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[('HTTP_X_FORWARDED_PROTO', 'https')]"


def test_no_proxy_ssl_header_trusts_no_header(tmp_path):
    result = print_settings(production_env(tmp_path, PROXY_SSL_HEADER=""), "SECURE_PROXY_SSL_HEADER")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[None]"


@pytest.mark.parametrize("value", ["X-Forwarded-Proto: https", "X_Forwarded Proto", "-x"])
def test_a_proxy_ssl_header_that_is_not_a_header_name_is_refused(tmp_path, value):
    result = print_settings(production_env(tmp_path, PROXY_SSL_HEADER=value), "DEBUG")
    assert result.returncode != 0
    assert "PROXY_SSL_HEADER" in result.stderr and "is not a header name" in result.stderr


@pytest.mark.parametrize("name", ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"])
def test_a_bad_https_setting_is_refused(tmp_path, name):
    result = print_settings(production_env(tmp_path, **{name: "soon"}), "DEBUG")
    assert result.returncode != 0
    assert name in result.stderr


@pytest.fixture
def redirecting(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_health_checks_answer_over_plain_http_while_pages_redirect(redirecting, client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_a_page_over_plain_http_redirects_to_https(redirecting, client):
    answer = client.get("/docs/")
    assert answer.status_code == 301
    assert answer["Location"] == "https://testserver/docs/"


@pytest.mark.django_db
def test_a_client_written_forwarded_header_counts_only_through_the_named_setting(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client.get("/docs/", headers={"X-Forwarded-Proto": "https"}).status_code == 301


@pytest.mark.django_db
def test_behind_the_proxy_header_a_page_is_served_with_hsts(redirecting, client):
    answer = client.get("/docs/", headers={"X-Forwarded-Proto": "https"})
    assert answer.status_code == 200
    assert answer["Strict-Transport-Security"] == "max-age=3600"


# --- The image ----------------------------------------------------------------------------------
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_dockerfile_installs_only_the_hashed_lock_and_runs_as_a_plain_user():
    assert "pip install --require-hashes --no-deps -r requirements.lock" in DOCKERFILE
    assert re.findall(r"^FROM python:3\.11-slim", DOCKERFILE, re.M) == ["FROM python:3.11-slim"] * 2
    assert re.search(r"^USER portal$", DOCKERFILE, re.M)
    assert "collectstatic --noinput" in DOCKERFILE and "STATIC_MANIFEST=1" in DOCKERFILE
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"]' in DOCKERFILE


def test_everything_the_dockerfile_copies_exists():
    for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE, re.M):
        *sources, _ = line.split()
        for source in sources:
            if not source.startswith("--"):
                assert (ROOT / source).exists(), source


def _names(text: str) -> set[str]:
    found = re.findall(r'^\s*"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(?:[<>=!~;]|")', text, re.M)
    return {re.sub(r"[-_.]+", "-", name).lower() for name in found}


def test_the_lock_pins_every_dependency_of_the_portal_and_the_sdk_with_hashes():
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {re.sub(r"[-_.]+", "-", name).lower()
              for name in re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    for pyproject in (ROOT / "pyproject.toml", ROOT / "sdk" / "pyproject.toml"):
        dependencies = re.search(r"^dependencies = \[(.*?)^\]", pyproject.read_text(), re.M | re.S)
        wanted = _names(dependencies.group(1)) - {"caio-integration-sdk"}
        assert wanted, pyproject
        missing = wanted - pinned
        assert not missing, f"run `make lock`: {sorted(missing)} are not in requirements.lock"
    for block in re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock.split("\n", 3)[-1]):
        if "==" in block:
            assert "--hash=sha256:" in block, block.splitlines()[0]
