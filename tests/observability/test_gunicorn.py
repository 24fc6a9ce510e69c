"""A real gunicorn with 2 workers: /metrics adds up both workers' counters (prometheus-client's
multiprocess mode), and the access lines are JSON with the request id, like the app's lines.

GUNICORN_TEST_PORT picks the port (default: a free one)."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import child_env
from tests.support.services import free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 24


def get(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def wait_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(log.read_text())


def test_gunicorn_with_two_workers_adds_up_their_metrics_and_logs_json(tmp_path):
    port = int(os.environ.get("GUNICORN_TEST_PORT") or free_port())
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    log = tmp_path / "gunicorn.log"
    env = child_env(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), LOG_FORMAT="json", DEBUG="0",
                    SECURE_COOKIES="0")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2",
             "-b", f"127.0.0.1:{port}", "portal.wsgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(f"{base}/healthz", proc, log)
            for i in range(REQUESTS):
                assert get(f"{base}/healthz", **{"X-Request-ID": f"gunicorn-test-{i}"})[0] == 200
            status, text = get(f"{base}/metrics")
        finally:
            proc.send_signal(signal.SIGTERM)  # our own gunicorn, by its pid
            proc.wait(30)
    assert status == 200
    healthz = [s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "portal_http_requests_total" and s.labels.get("view") == "healthz"]
    assert sum(healthz) >= REQUESTS + 1  # ours, and at least one of wait_up's
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
    assert len(pids) == 2, sorted(metrics_dir.iterdir())
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = {line["request_id"]: line for line in lines if line.get("path") == "/healthz"}
    assert access["gunicorn-test-3"]["status"] == 200
    assert access["gunicorn-test-3"]["method"] == "GET"
    assert {"time", "level", "logger", "message", "duration_ms"} <= set(access["gunicorn-test-3"])
    assert any(line["logger"] == "gunicorn.error" for line in lines)
