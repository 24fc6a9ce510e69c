"""Start real processes (Celery workers and beat) that see the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.support.services import free_port, port_open

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """A DATABASE_URL for the test database this process is using (after setup)."""
    s = connection.settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    if "postgresql" in s["ENGINE"]:
        user = s.get("USER") or ""
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}{port}/{s['NAME']}"
    raise RuntimeError(f"no DATABASE_URL form for {s['ENGINE']}")


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="portal.settings",
        SECRET_KEY=settings.SECRET_KEY,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        CELERY_BROKER_DIR=str(settings.CELERY_BROKER_DIR),
        PYTHONUNBUFFERED="1",
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class _Process:
    """A Celery subprocess writing to its own log. Stop it with .stop(); kill by its own pid only."""

    def __init__(self, log_path: Path, cmd: list[str], extra_env: dict[str, str] | None):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(**(extra_env or {})),
                                     stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace")[-4000:]

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class Worker(_Process):
    """A real `celery worker` subprocess."""

    def __init__(self, log_path: Path, *, concurrency: int = 1, pool: str = "prefork",
                 extra_env: dict[str, str] | None = None, extra_args: list[str] | None = None):
        super().__init__(log_path, [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "-l", "info", "-P", pool, "-c", str(concurrency),
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-n", f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            *(extra_args or []),
        ], extra_env)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log()}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise TimeoutError(f"worker not ready after {timeout}s:\n{self.log()}")


class Beat(_Process):
    """A real `celery beat` subprocess: it sends the sweep every SWEEPER_INTERVAL_SECONDS (set
    it in `extra_env`), with its schedule file beside its log."""

    def __init__(self, log_path: Path, *, extra_env: dict[str, str] | None = None):
        super().__init__(log_path, [
            sys.executable, "-m", "celery", "-A", "portal", "beat", "-l", "info",
            "-s", str(log_path.with_suffix(".schedule")),
        ], extra_env)


class RedisServer:
    """A redis-server of our own on a free port, without persistence, so a restart() (same port)
    comes back empty, as a broker restarted without persistence does. Killed by its own pid."""

    def __init__(self, directory: Path, *, binary: str = "redis-server"):
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: port_open("127.0.0.1", self.port), timeout=10, message="redis-server")
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL, by its own pid
            self.proc.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()


def children_of(pid: int) -> list[int]:
    """The pids whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def wait_until(predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.1,
               message: str = "condition") -> object:
    """Poll until predicate() is truthy; return its value. Raises with a message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
