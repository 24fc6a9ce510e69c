"""`make run`: migrate, load demo data, then run web + Celery worker + beat until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.demo import ensure_demo_accounts

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def site_url_for(addr: str) -> str:
    """The address a browser opens for runserver's `addr` ("8101", "127.0.0.1:8101", "0.0.0.0:8101"
    or "[::]:8101"): a wildcard host becomes 127.0.0.1, a bare port gets 127.0.0.1."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "", addr
    if host in {"", "0.0.0.0", "0", "[::]", "::"}:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def child_environment(addr: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the web server, worker and beat: the caller's, plus SITE_URL pointing at
    the address served (unless SITE_URL is set), so links in emails open this portal."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("SITE_URL", "").strip():
        env["SITE_URL"] = site_url_for(addr)
    return env


def email_hint(site_url: str) -> str:
    """The banner's lines on where emails (the sign-up verification link first) can be found."""
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
        return ("  Emails (the sign-up verification link among them) are printed in this output by\n"
                f"  the web server and the worker; their links start with {site_url}/.\n")
    return f"  Emails are sent through EMAIL_URL; their links start with {site_url}/.\n"


class Command(BaseCommand):
    help = "Development run: migrate, demo data, web server, worker and beat (stops all on Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("PORTAL_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--no-worker", action="store_true", help="Web server only.")

    def handle(self, *args, addr: str, no_worker: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Migrated the database.")
        accounts = ensure_demo_accounts()
        call_command("seed_demo", if_empty=True)

        python = sys.executable
        env = child_environment(addr)
        procs: list[tuple[str, subprocess.Popen]] = [
            ("web", subprocess.Popen([python, "manage.py", "runserver", addr, "--noreload"], env=env)),
        ]
        if not no_worker:
            celery = [python, "-m", "celery", "-A", "portal"]
            procs.append(("worker", subprocess.Popen(
                [*celery, "worker", "-l", "info", "-c", "2", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE],
                env=env,
            )))
            procs.append(("beat", subprocess.Popen([*celery, "beat", "-l", "info"], env=env)))

        time.sleep(3)  # let the children print their start-up banners first
        broker = "Redis" if settings.REDIS_URL else "the filesystem broker"
        core = settings.CAIO_CORE_URL or "the embedded local core"
        logins = "\n".join(
            f"  {'reviewer (staff)' if a.is_staff else 'developer':17} {a.email}  /  {a.password}"
            for a in accounts
        )
        served = site_url_for(addr)
        self.stdout.write(self.style.SUCCESS(
            f"\n  CAIO Developer Portal: {served}/   (review: {served}/admin/)\n"
        ) + f"{logins}\n{email_hint(env['SITE_URL'])}  Worker and beat on {broker}; CAIO core: {core}. "
            "Ctrl-C stops everything.\n")
        try:
            while True:
                for name, proc in procs:
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with {proc.returncode}; stopping.")
                        return
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the web server, worker and beat…")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip cleanup
            for _, proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for _, proc in procs:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
