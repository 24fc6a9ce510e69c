"""`manage.py portal_doctor`: green when everything answers, and a plain red line (exit 1) for
each thing that is wrong, each produced for real: a database that does not exist, an empty one,
a Redis port nobody listens on, a core that is down or refuses the token, no worker, no beat."""

import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal.models import WorkerHeartbeat
from portal.observability.doctor import BEAT_MARKER, beat_tick_record
from tests.support.core_server import CoreServer
from tests.support.processes import Beat, child_env, database_url
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def doctor(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("portal_doctor", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def line(output: str, name: str) -> str:
    [found] = [text for text in output.splitlines() if f" {name}: " in text]
    return found


def doctor_process(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "portal_doctor", "--worker-timeout", "1"],
                          cwd=ROOT, env={**child_env(), **env}, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def fake_core(settings):
    server = CoreServer(latency_ms=0).start()
    settings.CAIO_CORE_URL = server.url
    settings.CAIO_CORE_AUTH = "bearer"
    settings.CAIO_CORE_TOKEN = "portal-token"
    server.set_token("portal-token")
    yield server
    server.stop()


@pytest.mark.django_db
def test_a_missing_database_is_named_with_what_to_check():
    if connection.vendor == "postgresql":
        url = database_url().rsplit("/", 1)[0] + "/no_such_database_for_the_doctor"
    else:
        url = "sqlite:////nonexistent-folder/for-the-doctor/db.sqlite3"
    result = doctor_process(DATABASE_URL=url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL database: the database does not answer" in result.stdout
    assert "Check DATABASE_URL" in result.stdout
    assert "Something is wrong: database" in result.stdout


@pytest.mark.django_db
def test_an_empty_database_is_told_to_migrate(tmp_path):
    result = doctor_process(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ok   database" in result.stdout
    assert "migration(s) not applied" in result.stdout
    assert "Run: python manage.py migrate" in result.stdout


@pytest.mark.django_db
def test_a_broker_nobody_answers_is_named(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    code, output = doctor("--worker-timeout", "0.5")
    assert code == 1
    assert "does not answer" in line(output, "broker") and "Check REDIS_URL" in output
    assert "not checked: the broker does not answer" in line(output, "worker")


@pytest.mark.django_db
def test_a_core_that_cannot_be_reached_is_named(settings):
    settings.CAIO_CORE_URL = f"http://127.0.0.1:{free_port()}"
    settings.CAIO_CORE_AUTH = "none"
    settings.CAIO_CORE_TOKEN = ""
    code, output = doctor("--worker-timeout", "0.5")
    assert code == 1
    assert "is not healthy" in line(output, "core") and "Check CAIO_CORE_URL" in output


@pytest.mark.django_db
def test_a_core_that_refuses_the_token_is_named(fake_core, settings):
    settings.CAIO_CORE_TOKEN = "a-wrong-token"
    code, output = doctor("--worker-timeout", "0.5")
    assert code == 1
    assert "refuses the portal's credentials (401" in line(output, "core")
    assert "CAIO_CORE_TOKEN" in line(output, "core")
    assert fake_core.applied() == []  # the check registered nothing


@pytest.mark.django_db
def test_a_core_that_accepts_the_token_is_green_and_nothing_is_registered(fake_core):
    code, output = doctor("--worker-timeout", "0.5")
    assert line(output, "core").startswith("ok ") and "accepts the portal's credentials" in output
    assert fake_core.applied() == []


@pytest.mark.django_db
def test_no_worker_and_no_beat_are_named():
    code, output = doctor("--worker-timeout", "0.5")
    assert code == 1
    assert "no worker answered a ping within 0.5 s" in line(output, "worker")
    assert "beat has never ticked" in line(output, "beat")
    assert not WorkerHeartbeat.objects.filter(marker__startswith="doctor-").exists()


@pytest.mark.django_db
def test_a_stale_beat_tick_says_the_sweeper_is_not_running(settings):
    beat_tick_record()
    WorkerHeartbeat.objects.filter(marker=BEAT_MARKER).update(
        at=timezone.now() - timedelta(minutes=30))
    code, output = doctor("--worker-timeout", "0.5")
    assert "the sweeper is not running" in line(output, "beat")


@pytest.mark.django_db
def test_a_beat_tick_moves_one_row_forward():
    beat_tick_record()
    beat_tick_record()
    assert WorkerHeartbeat.objects.filter(marker=BEAT_MARKER).count() == 1


@pytest.mark.services
def test_everything_running_is_green(start_worker, tmp_path):
    start_worker()
    beat = Beat(tmp_path / "beat.log", extra_env={"SWEEPER_INTERVAL_SECONDS": "1"})
    try:
        deadline = time.monotonic() + 60
        while not WorkerHeartbeat.objects.filter(marker=BEAT_MARKER).exists():
            assert time.monotonic() < deadline, beat.log()
            time.sleep(0.3)
    finally:
        beat.stop()
    code, output = doctor("--worker-timeout", "20")
    assert code == 0, output
    assert "Everything the portal needs is working." in output
    for name in ("database", "migrations", "broker", "core", "worker", "beat"):
        assert line(output, name).startswith("ok ")
