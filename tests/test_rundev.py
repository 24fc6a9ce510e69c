"""`make run`'s command: migrate, demo data, web + worker + beat, and Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import wait_until
from tests.support.services import free_port

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_rundev_serves_a_seeded_portal_prints_logins_and_stops_everything_on_ctrl_c(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "SITE_URL"}}
    env.update(DEBUG="1", PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1",
               CELERY_BROKER_DIR=str(tmp_path / "var" / "broker"))
    env.pop("SECRET_KEY", None)  # make run relies on the DEBUG development key
    log = open(tmp_path / "rundev.log", "wb")
    proc = subprocess.Popen([sys.executable, "manage.py", "rundev", "--addr", f"127.0.0.1:{port}"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _get(f"{base}/readyz")[0] == 200, timeout=90, message="the web server")
        status, body = _get(f"{base}/services/")
        assert status == 200 and "services" in body

        def started() -> str:
            text = (tmp_path / "rundev.log").read_text()
            ready = all(s in text for s in ("Ctrl-C stops everything", " ready.", "beat: Starting"))
            return text if ready else ""

        output = wait_until(started, timeout=60, message="the banner, a ready worker and beat")
        assert f"CAIO Developer Portal: {base}/" in output
        assert "developer@demo.caio.local" in output and "reviewer@demo.caio.local" in output
        assert f"their links start with {base}/" in output
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            proc.wait(timeout=30)
        finally:
            deadline = time.monotonic() + 20
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            still_running = _group_alive(proc.pid)
            if still_running:
                os.killpg(proc.pid, signal.SIGKILL)
            log.close()
    assert not still_running, "web, worker or beat outlived Ctrl-C"
