"""Start-up says nothing it need not: no "AXES: BEGIN" banner before a command's output, and each
log line once (Django's own console handler under DEBUG used to print django.* lines twice)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import current_app

from portal.observability.context import request_id_var
from tests.support.processes import child_env

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args: list[str], **env: str) -> str:
    result = subprocess.run([sys.executable, *code_or_args], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**child_env(), **env})
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


@pytest.mark.django_db
def test_a_management_command_prints_no_axes_banner():
    output = _run(["manage.py", "check"])
    assert "System check identified no issues" in output
    assert "AXES" not in output


@pytest.mark.django_db
@pytest.mark.parametrize("debug", ["1", "0"])
def test_a_django_log_line_is_printed_once(debug):
    output = _run(["-c", "import django, logging; django.setup(); "
                   "logging.getLogger('django.request').warning('once-only-marker')"],
                  DEBUG=debug)
    assert output.count("once-only-marker") == 1, output


@pytest.mark.django_db
def test_json_logs_are_one_object_per_line():
    output = _run(["-c", "import django, logging; django.setup(); "
                   "logging.getLogger('portal.sample').info('json-marker')"], LOG_FORMAT="json")
    [line] = [json.loads(line) for line in output.splitlines() if "json-marker" in line]
    assert line["message"] == "json-marker" and line["request_id"] == "-"


@pytest.mark.services
def test_the_worker_logs_json_naming_the_task_its_operation_and_the_request(start_worker):
    worker = start_worker(extra_env={"LOG_FORMAT": "json"})
    token = request_id_var.set("req-worker-1")
    try:
        current_app.send_task("integrations.run_operation", args=(987654,))
    finally:
        request_id_var.reset(token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "succeeded" not in worker.log():
        time.sleep(0.2)
    lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    done = [line for line in lines if line.get("operation_id") == 987654]
    assert done, worker.log()
    assert all(line["request_id"] == "req-worker-1" for line in done)
    assert all(line["task"] == "integrations.run_operation" for line in done)
    assert "AXES" not in worker.log()
    # A line printed twice has the same time, logger and message (two connections may log the
    # same words at different moments).
    stamped = [(line["time"], line["logger"], line["message"]) for line in lines]
    assert len(stamped) == len(set(stamped)), "a line was printed twice"
