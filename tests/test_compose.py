from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.smoke
COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def test_compose_file_parses_and_names_its_services():
    data = yaml.safe_load(COMPOSE.read_text())
    assert set(data["services"]) == {"db", "redis", "web", "worker", "beat"}


def test_compose_web_and_worker_point_at_the_compose_database_and_redis():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
