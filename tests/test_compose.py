"""docker-compose.yml: what .ci/compose runs, health checks, and no default secret.

There is no Docker engine here; .ci/compose runs the portal services' commands as written (CI).
"""

import importlib.util
import re
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


def _load_ci_compose():
    loader = SourceFileLoader("ci_compose", str(ROOT / ".ci" / "compose"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("ci_compose", loader))
    loader.exec_module(module)
    return module


ci_compose = _load_ci_compose()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_names_the_stack_services(compose):
    assert set(compose["services"]) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_every_service_built_from_the_image_is_one_that_ci_compose_runs(compose):
    built = {name for name, service in compose["services"].items() if "build" in service}
    assert built == set(ci_compose.RUNS)
    for name in ci_compose.RUNS:
        command = ci_compose.service_command(compose, name)
        assert command == compose["services"][name]["command"]
        # The program is installed by the project's dependencies (gunicorn, celery, python).
        assert (Path(sys.executable).parent / command[0]).exists(), command


def test_the_services_run_migrate_gunicorn_celery_worker_and_beat(compose):
    commands = {name: ci_compose.service_command(compose, name) for name in ci_compose.RUNS}
    assert commands["migrate"] == ["python", "manage.py", "migrate", "--noinput"]
    assert commands["web"] == ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi"]
    assert commands["worker"][:4] == ["celery", "-A", "portal", "worker"]
    assert commands["beat"][:4] == ["celery", "-A", "portal", "beat"]


def test_web_worker_and_beat_start_only_after_migrate_completed(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"}
    assert "migrate" not in services["migrate"]["depends_on"]
    assert services["migrate"]["restart"] == "no"


def test_database_redis_and_web_have_health_checks_and_data_has_volumes(compose):
    services = compose["services"]
    for name in ("db", "redis", "web"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert services["redis"]["volumes"] == ["redisdata:/data"]
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_compose_has_no_default_secret_and_refuses_to_start_without_one(compose):
    text = COMPOSE.read_text()
    assert "change-me" not in text
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        assert re.search(r"\$\{" + name + r":-", text) is None, f"{name} has a default"
    portal = compose["services"]["web"]
    assert portal["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert portal["env_file"] == [".env"]
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        ci_compose.service_environment(compose, "web", {"POSTGRES_PASSWORD": "p"})
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        ci_compose.service_environment(compose, "web", {"SECRET_KEY": "", "POSTGRES_PASSWORD": "p"})


def test_env_example_leaves_the_secrets_empty():
    values = ci_compose.read_env_file(ROOT / ".env.example")
    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""
    assert values["DEBUG"] == "0"


def test_the_portal_services_reach_the_compose_database_and_redis(compose):
    values = {"SECRET_KEY": "k", "POSTGRES_PASSWORD": "pw"}
    for name in ci_compose.RUNS:
        env = ci_compose.service_environment(compose, name, values)
        assert env["DATABASE_URL"] == "postgres://portal:pw@db:5432/portal"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["SECRET_KEY"] == "k"
